/* jobs: threads that run one function over requests (see jobs.h). */
#include "jobs.h"
#include "log.h"
#include "tsan.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <zmq.h>

#define LANE_HWM 1024   /* requests queued for one lane before intake waits */

typedef struct {
    struct jobs *j;
    int index;
    void *in, *out;     /* made and connected before the thread starts (a
                           socket may move to another thread across the
                           barrier pthread_create is): a submit never
                           finds a lane not yet listening */
} lane_t;

struct jobs {
    void *zctx;
    char next[64];
    job_fn run;
    void *ctx;
    void **in;          /* PUSH per lane, intake -> that lane, in order */
    void *inline_out;   /* PUSH to next, when there are no threads */
    pthread_t *threads;
    lane_t *lanes;
    int n;              /* lanes running */
    int cap;            /* lanes asked for */
    unsigned turn;      /* the lane for key 0 */
};

static void s_set(void *sock, int option, int value)
{
    if (zmq_setsockopt(sock, option, &value, sizeof value) != 0)
        dx_warn("jobs-socket-option", "jobs: zmq_setsockopt(%d): %s", option, zmq_strerror(errno));
}

static int s_send_ptr(void *sock, request_t *rq, int flags)
{
    int rc;
    if (rq)
        DX_HANDOFF_SEND(rq);
    while ((rc = zmq_send(sock, &rq, sizeof rq, flags)) < 0 && errno == EINTR)
        ;
    return rc == (int)sizeof rq ? 0 : errno == EAGAIN ? DX_ERR_BUSY : DX_ERR_INTERNAL;
}

/* The lane's two sockets, connected. */
static int s_lane_sockets(jobs_t *j, lane_t *l)
{
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "inproc://dx-lane-%d", l->index);
    if (!(l->in = zmq_socket(j->zctx, ZMQ_PULL)) || !(l->out = zmq_socket(j->zctx, ZMQ_PUSH)))
        return DX_ERR_INTERNAL;
    s_set(l->out, ZMQ_LINGER, -1);
    s_set(l->out, ZMQ_SNDHWM, LANE_HWM);
    if (zmq_connect(l->in, endpoint) != 0 || zmq_connect(l->out, j->next) != 0)
        return DX_ERR_INTERNAL;
    return 0;
}

static void *s_thread(void *arg)
{
    lane_t *me = arg;
    void *in = me->in, *out = me->out;
    for (;;) {
        request_t *rq = NULL;
        int rc = zmq_recv(in, &rq, sizeof rq, 0);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc != sizeof rq || !rq)
            break; /* a stop */
        DX_HANDOFF_RECV(rq);
        me->j->run(me->j->ctx, rq, me->index);
        if (s_send_ptr(out, rq, 0) != 0) {
            dx_error("job-hand-off-failed",
                     "a job thread cannot pass a request on: %s", zmq_strerror(errno));
            request_free(&rq);
        }
    }
    zmq_close(in);
    zmq_close(out);
    me->in = me->out = NULL;
    return NULL;
}

int jobs_new(void *zctx, int n, const char *next, job_fn run, void *ctx, jobs_t **out)
{
    jobs_t *j = calloc(1, sizeof *j);
    if (!j)
        return DX_ERR_NOMEM;
    j->zctx = zctx;
    j->run = run;
    j->ctx = ctx;
    snprintf(j->next, sizeof j->next, "%s", next);
    if (n == 0) {
        if (!(j->inline_out = zmq_socket(zctx, ZMQ_PUSH)) || zmq_connect(j->inline_out, next) != 0)
            goto fail;
        s_set(j->inline_out, ZMQ_SNDHWM, LANE_HWM);
    }
    if (n > 0 && (!(j->threads = calloc((size_t)n, sizeof *j->threads)) ||
                  !(j->lanes = calloc((size_t)n, sizeof *j->lanes)) ||
                  !(j->in = calloc((size_t)n, sizeof *j->in))))
        goto fail;
    j->cap = n;
    for (int i = 0; i < n; i++) {
        char endpoint[64];
        snprintf(endpoint, sizeof endpoint, "inproc://dx-lane-%d", i);
        if (!(j->in[i] = zmq_socket(zctx, ZMQ_PUSH)) || zmq_bind(j->in[i], endpoint) != 0)
            goto fail;
        s_set(j->in[i], ZMQ_LINGER, 0);
        s_set(j->in[i], ZMQ_SNDHWM, LANE_HWM);
        j->lanes[i] = (lane_t){ .j = j, .index = i };
        if (s_lane_sockets(j, &j->lanes[i]) != 0 ||
            pthread_create(&j->threads[i], NULL, s_thread, &j->lanes[i]) != 0) {
            if (j->lanes[i].in)
                zmq_close(j->lanes[i].in);
            if (j->lanes[i].out)
                zmq_close(j->lanes[i].out);
            goto fail;
        }
        j->n++;
    }
    *out = j;
    return 0;
fail:
    jobs_destroy(&j);
    return DX_ERR_INTERNAL;
}

void jobs_destroy(jobs_t **j_p)
{
    if (!j_p || !*j_p)
        return;
    jobs_t *j = *j_p;
    request_t *stop = NULL;
    /* A stop goes behind what each lane has queued: the lane runs those
     * and passes them on, so that none is lost in a socket. */
    for (int i = 0; i < j->n; i++)
        s_send_ptr(j->in[i], stop, 0);
    for (int i = 0; i < j->n; i++)
        pthread_join(j->threads[i], NULL);
    for (int i = 0; j->in && i < j->cap; i++)
        if (j->in[i])
            zmq_close(j->in[i]);
    if (j->inline_out)
        zmq_close(j->inline_out);
    free(j->in);
    free(j->lanes);
    free(j->threads);
    free(j);
    *j_p = NULL;
}

int jobs_lanes(const jobs_t *j) { return j->n > 0 ? j->n : 1; }

int jobs_submit(jobs_t *j, request_t *rq, uint64_t key)
{
    if (j->n == 0) {
        j->run(j->ctx, rq, 0);
        return s_send_ptr(j->inline_out, rq, ZMQ_DONTWAIT);
    }
    unsigned i = key ? (unsigned)(key % (uint64_t)j->n) : j->turn++ % (unsigned)j->n;
    return s_send_ptr(j->in[i], rq, ZMQ_DONTWAIT);
}
