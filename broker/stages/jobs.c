/* jobs: threads that run one function over requests (see jobs.h). */
#include "jobs.h"
#include "log.h"
#include "tsan.h"
#include "broker.h"
#include "request.h"

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
                           finds a lane not yet listening; in also takes
                           what jobs_return sends back to the lane */
    void *again;        /* PUSH to its own back endpoint: JOB_AGAIN */
    bool stopping;      /* draining after the stop */
} lane_t;

struct jobs {
    void *zctx;
    char name[16];
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
    pthread_mutex_t back_lock;
    bool back_open;     /* jobs_return may send: until jobs_stop */
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
static void s_endpoint(const jobs_t *j, const char *what, int lane, char out[64])
{
    snprintf(out, 64, "inproc://dx-%s-%s%d", j->name, what, lane);
}

static int s_lane_sockets(jobs_t *j, lane_t *l)
{
    char endpoint[64], back[64];
    s_endpoint(j, "", l->index, endpoint);
    s_endpoint(j, "back-", l->index, back);
    if (!(l->in = zmq_socket(j->zctx, ZMQ_PULL)) || !(l->out = zmq_socket(j->zctx, ZMQ_PUSH)) ||
        !(l->again = zmq_socket(j->zctx, ZMQ_PUSH)))
        return DX_ERR_INTERNAL;
    s_set(l->out, ZMQ_LINGER, -1);
    s_set(l->out, ZMQ_SNDHWM, LANE_HWM);
    s_set(l->again, ZMQ_SNDHWM, 0);
    s_set(l->again, ZMQ_LINGER, 0);
    if (zmq_connect(l->in, endpoint) != 0 || zmq_bind(l->in, back) != 0 ||
        zmq_connect(l->out, j->next) != 0 || zmq_connect(l->again, back) != 0)
        return DX_ERR_INTERNAL;
    return 0;
}

/* Runs rq and passes it on, unless the function took it or wants it
 * again (behind what the lane holds). */
static void s_one(lane_t *me, request_t *rq)
{
    job_next_t next = me->j->run(me->j->ctx, rq, me->index);
    if (next == JOB_TAKEN)
        return;
    if (next == JOB_AGAIN && !me->stopping && s_send_ptr(me->again, rq, 0) == 0)
        return;
    if (s_send_ptr(me->out, rq, 0) != 0) {
        dx_error("job-hand-off-failed",
                 "a job thread cannot pass a request on: %s", zmq_strerror(errno));
        request_free(&rq);
    }
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
        s_one(me, rq);
    }
    /* what was sent back before the door closed, behind the stop */
    me->stopping = true;
    request_t *rq = NULL;
    while (zmq_recv(in, &rq, sizeof rq, ZMQ_DONTWAIT) == sizeof rq)
        if (rq) {
            DX_HANDOFF_RECV(rq);
            s_one(me, rq);
        }
    zmq_close(in);
    zmq_close(out);
    zmq_close(me->again);
    me->in = me->out = me->again = NULL;
    return NULL;
}

int jobs_new(void *zctx, const char *name, int n, const char *next, job_fn run, void *ctx,
             jobs_t **out)
{
    jobs_t *j = calloc(1, sizeof *j);
    if (!j)
        return DX_ERR_NOMEM;
    j->zctx = zctx;
    snprintf(j->name, sizeof j->name, "%s", name);
    pthread_mutex_init(&j->back_lock, NULL);
    j->run = run;
    j->ctx = ctx;
    snprintf(j->next, sizeof j->next, "%s", next);
    if (n == 0) {
        if (!(j->inline_out = zmq_socket(zctx, ZMQ_PUSH)) || zmq_connect(j->inline_out, next) != 0)
            goto fail;
        s_set(j->inline_out, ZMQ_SNDHWM, LANE_HWM);
    }
    j->back_open = n > 0;
    if (n > 0 && (!(j->threads = calloc((size_t)n, sizeof *j->threads)) ||
                  !(j->lanes = calloc((size_t)n, sizeof *j->lanes)) ||
                  !(j->in = calloc((size_t)n, sizeof *j->in))))
        goto fail;
    j->cap = n;
    for (int i = 0; i < n; i++) {
        char endpoint[64];
        s_endpoint(j, "", i, endpoint);
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
            if (j->lanes[i].again)
                zmq_close(j->lanes[i].again);
            goto fail;
        }
        char thread[16]; /* named for perf, top -H and the bench's /proc reads */
        snprintf(thread, sizeof thread, "dx-%.6s-%d", j->name, i);
        pthread_setname_np(j->threads[i], thread);
        j->n++;
    }
    *out = j;
    return 0;
fail:
    jobs_destroy(&j);
    return DX_ERR_INTERNAL;
}

void jobs_stop(jobs_t *j)
{
    if (!j)
        return;
    request_t *stop = NULL;
    pthread_mutex_lock(&j->back_lock);
    j->back_open = false;
    pthread_mutex_unlock(&j->back_lock);
    /* A stop goes behind what each lane has queued: the lane runs those
     * and passes them on, so that none is lost in a socket. */
    for (int i = 0; i < j->n; i++)
        s_send_ptr(j->in[i], stop, 0);
    for (int i = 0; i < j->n; i++)
        pthread_join(j->threads[i], NULL);
    j->n = 0;
}

void jobs_destroy(jobs_t **j_p)
{
    if (!j_p || !*j_p)
        return;
    jobs_t *j = *j_p;
    jobs_stop(j);
    for (int i = 0; j->in && i < j->cap; i++)
        if (j->in[i])
            zmq_close(j->in[i]);
    if (j->inline_out)
        zmq_close(j->inline_out);
    free(j->in);
    free(j->lanes);
    free(j->threads);
    pthread_mutex_destroy(&j->back_lock);
    free(j);
    *j_p = NULL;
}

int jobs_lanes(const jobs_t *j) { return j->n > 0 ? j->n : 1; }

int jobs_submit(jobs_t *j, request_t *rq, uint64_t key)
{
    if (j->n == 0)
        return j->run(j->ctx, rq, 0) == JOB_TAKEN ? 0 : s_send_ptr(j->inline_out, rq, ZMQ_DONTWAIT);
    unsigned i = key ? (unsigned)(key % (uint64_t)j->n) : j->turn++ % (unsigned)j->n;
    return s_send_ptr(j->in[i], rq, ZMQ_DONTWAIT);
}

/* ---- the way back to a lane, for another thread ---- */

struct jobs_return {
    jobs_t *j;
    void **out;         /* PUSH per lane, to its back endpoint */
    int n;
};

int jobs_return_new(jobs_t *j, jobs_return_t **out)
{
    jobs_return_t *r = calloc(1, sizeof *r);
    if (!r || !(r->out = calloc((size_t)(j->n ? j->n : 1), sizeof *r->out))) {
        free(r);
        return DX_ERR_NOMEM;
    }
    r->j = j;
    r->n = j->n;
    for (int i = 0; i < j->n; i++) {
        char back[64];
        s_endpoint(j, "back-", i, back);
        if (!(r->out[i] = zmq_socket(j->zctx, ZMQ_PUSH)) || zmq_connect(r->out[i], back) != 0) {
            jobs_return_free(&r);
            return DX_ERR_INTERNAL;
        }
        s_set(r->out[i], ZMQ_SNDHWM, 0); /* either end's 0: what comes back is never refused */
        s_set(r->out[i], ZMQ_LINGER, 0);
    }
    *out = r;
    return 0;
}

int jobs_return(jobs_return_t *r, int lane, request_t *rq)
{
    if (lane < 0 || lane >= r->n)
        return DX_ERR_INTERNAL;
    int rv = DX_ERR_INTERNAL;
    pthread_mutex_lock(&r->j->back_lock);
    if (r->j->back_open)
        rv = s_send_ptr(r->out[lane], rq, 0);
    pthread_mutex_unlock(&r->j->back_lock);
    return rv;
}

void jobs_return_free(jobs_return_t **r_p)
{
    if (!r_p || !*r_p)
        return;
    for (int i = 0; i < (*r_p)->n; i++)
        if ((*r_p)->out[i])
            zmq_close((*r_p)->out[i]);
    free((*r_p)->out);
    free(*r_p);
    *r_p = NULL;
}
