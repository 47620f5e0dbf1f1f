/* readers: lanes that read the store (see readers.h). */
#include "readers.h"
#include "dispatch.h"
#include "dxtime.h"
#include "jobs.h"
#include "log.h"
#include "reader.h"
#include "sessions.h"
#include "staged.h"
#include "wire.h"
#include "broker.h"
#include "policy_set.h"
#include "reply.h"
#include "content.h"
#include "request.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zmq.h>

struct readers_state {
    reader_t *lanes;
    int n;
};

/* Readers yield the CPU to intake and the writer: a flood of reads slows
 * reads, not everyone's publishes (the writer has no other CPU to wait
 * for). A thread's nice value, raised once on its first request. */
#ifndef READER_NICE
#define READER_NICE 10
#endif

static job_next_t s_run(void *ctx, request_t *rq, int lane)
{
    broker_t *b = ctx;
    reader_t *r = &b->reading->lanes[lane];
    if (!r->niced) {
        r->niced = true;
        if (setpriority(PRIO_PROCESS, (id_t)gettid(), READER_NICE) != 0)
            dx_warn("reader-priority", "a reader keeps the writer's priority: %s", strerror(errno));
    }
    if (rq->kind == RQ_SEND) {
        reply_forward(b, r, rq);
        if (rq->ends) { /* the last message of a fetch: it ends once that left */
            sessions_remove(b->sessions, rq->ends);
            reader_ended(r, rq->ends, rq->member_id);
        }
        request_free(&rq);
        return JOB_TAKEN;
    }
    held_policy_t *hp = policy_set_hold(b);
    rq->policy = hp->policy;
    rq->reader = r;
    rq->now_ms = dx_now_ms();
    dispatch_read(b, rq);
    reader_done(r);
    rq->reader = NULL;
    rq->policy = NULL;
    rq->member = NULL; /* the held set's: the writer looks again */
    policy_set_release(b, &hp);
    if (rq->again) { /* more to do: after what this lane holds now */
        rq->again = false;
        return JOB_AGAIN;
    }
    if (staged_any(rq) || rq->answer == RQ_OPEN)
        return JOB_PASS; /* for the writer: to commit, or to answer */
    request_free(&rq);
    return JOB_TAKEN;
}

int readers_start(broker_t *b, int n)
{
    struct readers_state *st = calloc(1, sizeof *st);
    if (!st || !(st->lanes = calloc((size_t)n, sizeof *st->lanes))) {
        free(st);
        return DX_ERR_NOMEM;
    }
    b->reading = st;
    for (int i = 0; i < n; i++) {
        reader_t *r = &st->lanes[i];
        r->lane = i;
        r->store = b->store;
        /* made here, used by the lane's thread alone once it starts */
        if (!(r->plain = malloc(CONTENT_BUF)) || !(r->replies = zmq_socket(b->zctx, ZMQ_PUSH)))
            return DX_ERR_NOMEM;
        int zero = 0;
        zmq_setsockopt(r->replies, ZMQ_SNDHWM, &zero, sizeof zero);
        zmq_setsockopt(r->replies, ZMQ_LINGER, &zero, sizeof zero);
        if (zmq_connect(r->replies, "inproc://dx-replies") != 0)
            return DX_ERR_IO;
        st->n++;
    }
    if (jobs_new(b->zctx, "read", n, "inproc://dx-writer", s_run, b, &b->readers) != 0)
        return DX_ERR_INTERNAL;
    return 0;
}

int readers_submit(broker_t *b, request_t *rq, uint64_t key)
{
    return jobs_submit(b->readers, rq, key);
}

void readers_stop(broker_t *b)
{
    jobs_stop(b->readers);
}

void readers_free(broker_t *b)
{
    struct readers_state *st = b->reading;
    jobs_destroy(&b->readers);
    for (int i = 0; st && i < st->n; i++) {
        if (st->lanes[i].replies)
            zmq_close(st->lanes[i].replies);
        free(st->lanes[i].plain);
    }
    if (st)
        free(st->lanes);
    free(st);
    b->reading = NULL;
}
