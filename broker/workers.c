/* workers: threads that check and hash publishes (see workers.h). */
#include "workers.h"
#include "log.h"
#include "wire.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define RESULTS "inproc://dx-worker-results"
#define HASHES_MAX 512   /* sessions one worker hashes at a time */

/* A worker's running hashes, by session: its own, touched by no one else. */
typedef struct {
    uint64_t session[HASHES_MAX];
    dx_sha256_t *ctx[HASHES_MAX];
    size_t n;
} hashes_t;

typedef struct {
    struct workers *w;
    int index;
    hashes_t hashes;
} worker_t;

struct workers {
    void *zctx;
    void **jobs;       /* PUSH per worker: loop -> that worker, in order */
    void *results;     /* PULL: workers -> loop */
    void *inline_out;  /* PUSH to results, when there are no threads */
    pthread_t *threads;
    worker_t *state;
    hashes_t inline_hashes;
    int n;
    unsigned next;     /* round robin for BEGIN */
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

/* Runs a HASH or DROP job against h. Returns whether it goes back. */
static bool s_hash(hashes_t *h, prepared_t *job)
{
    size_t i;
    for (i = 0; i < h->n && h->session[i] != job->session; i++)
        ;
    if (job->kind == JOB_DROP || job->hash_rv) {
        if (i < h->n) {
            dx_sha256_destroy(&h->ctx[i]);
            h->session[i] = h->session[--h->n];
            h->ctx[i] = h->ctx[h->n];
        }
        return false;
    }
    if (i == h->n) {
        if (h->n == HASHES_MAX || dx_sha256_new(&h->ctx[i]) != 0) {
            job->hash_rv = DX_ERR_BUSY;
            return job->final;
        }
        h->session[h->n++] = job->session;
    }
    const Dx__PublishChunk *pc = job->req->publish_chunk;
    job->hash_rv = dx_sha256_update(h->ctx[i], pc->data.data, pc->data.len);
    if (job->final) {
        if (job->hash_rv == 0)
            job->hash_rv = dx_sha256_final(h->ctx[i], job->digest);
        dx_sha256_destroy(&h->ctx[i]);
        h->session[i] = h->session[--h->n];
        h->ctx[i] = h->ctx[h->n];
    }
    return job->final;
}

/* Runs any job; true when its answer goes back to the loop. */
static bool s_run(hashes_t *h, prepared_t *job)
{
    if (job->kind == JOB_BEGIN) {
        prepare_run(job);
        return true;
    }
    return s_hash(h, job);
}

static void *s_thread(void *arg)
{
    worker_t *me = arg;
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "inproc://dx-worker-%d", me->index);
    void *in = zmq_socket(me->w->zctx, ZMQ_PULL), *out = zmq_socket(me->w->zctx, ZMQ_PUSH);
    int zero = 0;
    zmq_setsockopt(out, ZMQ_LINGER, &zero, sizeof zero);
    if (!in || !out || zmq_connect(in, endpoint) != 0 || zmq_connect(out, RESULTS) != 0) {
        dx_error("worker cannot connect: %s", zmq_strerror(errno));
        return NULL;
    }
    for (;;) {
        prepared_t *job = NULL;
        int rc = zmq_recv(in, &job, sizeof job, 0);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc != sizeof job || !job)
            break; /* a stop */
        if (!s_run(&me->hashes, job)) {
            prepare_free(&job);
            continue;
        }
        while (zmq_send(out, &job, sizeof job, 0) < 0 && errno == EINTR)
            ;
    }
    for (size_t i = 0; i < me->hashes.n; i++)
        dx_sha256_destroy(&me->hashes.ctx[i]);
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
    if (!(w->results = zmq_socket(zctx, ZMQ_PULL)) || zmq_bind(w->results, RESULTS) != 0)
        goto fail;
    if (n == 0) {
        if (!(w->inline_out = zmq_socket(zctx, ZMQ_PUSH)) ||
            zmq_setsockopt(w->inline_out, ZMQ_LINGER, &zero, sizeof zero) != 0 ||
            zmq_connect(w->inline_out, RESULTS) != 0)
            goto fail;
    }
    if (n > 0 && (!(w->threads = calloc((size_t)n, sizeof *w->threads)) ||
                  !(w->state = calloc((size_t)n, sizeof *w->state)) ||
                  !(w->jobs = calloc((size_t)n, sizeof *w->jobs))))
        goto fail;
    for (int i = 0; i < n; i++) {
        char endpoint[64];
        snprintf(endpoint, sizeof endpoint, "inproc://dx-worker-%d", i);
        if (!(w->jobs[i] = zmq_socket(zctx, ZMQ_PUSH)) ||
            zmq_setsockopt(w->jobs[i], ZMQ_LINGER, &zero, sizeof zero) != 0 ||
            zmq_bind(w->jobs[i], endpoint) != 0)
            goto fail;
        w->state[i] = (worker_t){ .w = w, .index = i };
        if (pthread_create(&w->threads[i], NULL, s_thread, &w->state[i]) != 0)
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
        zmq_send(w->jobs[i], &stop, sizeof stop, 0);
    for (int i = 0; i < w->n; i++)
        pthread_join(w->threads[i], NULL);
    /* answers not yet taken are dropped with the stopping broker */
    prepared_t *job;
    while (w->results && zmq_recv(w->results, &job, sizeof job, ZMQ_DONTWAIT) == sizeof job)
        prepare_free(&job);
    for (int i = 0; w->jobs && i < w->n; i++)
        zmq_close(w->jobs[i]);
    for (size_t i = 0; i < w->inline_hashes.n; i++)
        dx_sha256_destroy(&w->inline_hashes.ctx[i]);
    if (w->inline_out)
        zmq_close(w->inline_out);
    if (w->results)
        zmq_close(w->results);
    free(w->jobs);
    free(w->state);
    free(w->threads);
    free(w);
    *w_p = NULL;
}

int workers_submit(workers_t *w, prepared_t *job)
{
    if (w->n == 0) {
        /* no threads: run here, answer through the same socket */
        if (!s_run(&w->inline_hashes, job)) {
            prepare_free(&job);
            return 0;
        }
        return zmq_send(w->inline_out, &job, sizeof job, 0) == sizeof job ? 0 : DX_ERR_INTERNAL;
    }
    unsigned i = job->kind == JOB_BEGIN ? w->next++ % (unsigned)w->n
                                        : (unsigned)(job->session % (uint64_t)w->n);
    return zmq_send(w->jobs[i], &job, sizeof job, 0) == sizeof job ? 0 : DX_ERR_INTERNAL;
}

void *workers_socket(const workers_t *w) { return w->results; }

prepared_t *workers_take(workers_t *w)
{
    prepared_t *job = NULL;
    if (zmq_recv(w->results, &job, sizeof job, ZMQ_DONTWAIT) != sizeof job)
        return NULL;
    return job;
}
