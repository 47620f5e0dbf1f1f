/* workers: threads that check publishes (see workers.h). */
#include "workers.h"
#include "log.h"
#include "wire.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define JOBS "inproc://dx-worker-jobs"
#define RESULTS "inproc://dx-worker-results"

struct workers {
    void *zctx;
    void *jobs;        /* PUSH: loop -> workers, round robin */
    void *results;     /* PULL: workers -> loop */
    pthread_t *threads;
    int n;
    size_t pending;
};

void prepare_run(prepared_t *job)
{
    const Dx__PublishBegin *pb = job->req->publish_begin;
    job->verified = dx_verify(job->sign_key, DX_CTX_MANIFEST, pb->manifest.data, pb->manifest.len,
                              pb->signature.data);
    if (job->verified != 0)
        return; /* nothing of an unsigned manifest is looked at */
    job->manifest_rv = wire_manifest_decode(pb->manifest.data, pb->manifest.len, &job->manifest,
                                            job->manifest_err);
    if (job->manifest_rv != 0 || dx_sha256(pb->manifest.data, pb->manifest.len, job->manifest_sha) != 0)
        return;
    if (pb->has_inline) {
        uint8_t got[DX_SHA256_LEN];
        job->inline_matches = pb->inline_data.len == job->manifest->size &&
                              dx_sha256(pb->inline_data.data, pb->inline_data.len, got) == 0 &&
                              dx_equal(got, job->manifest->sha256.data, DX_SHA256_LEN);
    }
}

void prepare_free(prepared_t **job_p)
{
    if (!job_p || !*job_p)
        return;
    wire_request_free(&(*job_p)->req);
    wire_free(&(*job_p)->manifest);
    free(*job_p);
    *job_p = NULL;
}

static void *s_thread(void *arg)
{
    workers_t *w = arg;
    void *in = zmq_socket(w->zctx, ZMQ_PULL), *out = zmq_socket(w->zctx, ZMQ_PUSH);
    int zero = 0;
    zmq_setsockopt(out, ZMQ_LINGER, &zero, sizeof zero);
    if (!in || !out || zmq_connect(in, JOBS) != 0 || zmq_connect(out, RESULTS) != 0) {
        dx_error("worker cannot connect: %s", zmq_strerror(errno));
        return NULL;
    }
    for (;;) {
        prepared_t *job = NULL;
        int rc = zmq_recv(in, &job, sizeof job, 0);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc != sizeof job || !job)
            break; /* the context is ending, or a stop */
        prepare_run(job);
        while (zmq_send(out, &job, sizeof job, 0) < 0 && errno == EINTR)
            ;
    }
    zmq_close(in);
    zmq_close(out);
    return NULL;
}

int workers_new(void *zctx, int n, workers_t **out)
{
    workers_t *w = calloc(1, sizeof *w);
    int zero = 0;
    if (!w)
        return DX_ERR_NOMEM;
    w->zctx = zctx;
    if (!(w->jobs = zmq_socket(zctx, ZMQ_PUSH)) || !(w->results = zmq_socket(zctx, ZMQ_PULL)) ||
        zmq_setsockopt(w->jobs, ZMQ_LINGER, &zero, sizeof zero) != 0 ||
        zmq_bind(w->jobs, JOBS) != 0 || zmq_bind(w->results, RESULTS) != 0)
        goto fail;
    if (n > 0 && !(w->threads = calloc((size_t)n, sizeof *w->threads)))
        goto fail;
    for (int i = 0; i < n; i++) {
        if (pthread_create(&w->threads[i], NULL, s_thread, w) != 0)
            goto fail;
        w->n++;
    }
    *out = w;
    return 0;
fail:
    workers_destroy(&w);
    return DX_ERR_INTERNAL;
}

void workers_destroy(workers_t **w_p)
{
    if (!w_p || !*w_p)
        return;
    workers_t *w = *w_p;
    prepared_t *stop = NULL;
    for (int i = 0; i < w->n; i++)
        zmq_send(w->jobs, &stop, sizeof stop, 0);
    for (int i = 0; i < w->n; i++)
        pthread_join(w->threads[i], NULL);
    /* jobs still queued or finished are dropped with the stopping broker */
    prepared_t *job;
    while (zmq_recv(w->results, &job, sizeof job, ZMQ_DONTWAIT) == sizeof job)
        prepare_free(&job);
    if (w->jobs)
        zmq_close(w->jobs);
    if (w->results)
        zmq_close(w->results);
    free(w->threads);
    free(w);
    *w_p = NULL;
}

int workers_submit(workers_t *w, prepared_t *job)
{
    if (w->n == 0) {
        /* no threads: run here and queue the result, same path as threads */
        prepare_run(job);
        void *self = zmq_socket(w->zctx, ZMQ_PUSH);
        int rv = self && zmq_connect(self, RESULTS) == 0 && zmq_send(self, &job, sizeof job, 0) == sizeof job
                     ? 0 : DX_ERR_INTERNAL;
        if (self)
            zmq_close(self);
        if (rv == 0)
            w->pending++;
        return rv;
    }
    if (zmq_send(w->jobs, &job, sizeof job, 0) != sizeof job)
        return DX_ERR_INTERNAL;
    w->pending++;
    return 0;
}

void *workers_socket(const workers_t *w) { return w->results; }
size_t workers_pending(const workers_t *w) { return w->pending; }

prepared_t *workers_take(workers_t *w)
{
    prepared_t *job = NULL;
    if (zmq_recv(w->results, &job, sizeof job, ZMQ_DONTWAIT) != sizeof job)
        return NULL;
    w->pending--;
    return job;
}
