/* writer: the thread that owns every LMDB write transaction.
 *
 * Each round it moves what is in its inbox to its waiting queue (fairq.h:
 * one FIFO per member, served in turn), then takes requests in turn (up to
 * a count, a byte budget and ROUND_BUDGET_US of work), runs each through
 * dispatch in a nested transaction of the round's group (batch.h), then
 * signs the audit head and commits the group with fsync; only then do the
 * replies that acknowledge it leave. So one member's flood of requests
 * holds another member's publish for one of its requests and one round at
 * most, not for the whole flood. While it waits for the disk, intake goes
 * on receiving, the job threads go on checking, and both queue what they
 * have in the writer's inbox for the next round: commits never stop the
 * intake.
 *
 * It also runs what is the store's to do between requests: deleting the
 * staged chunks of transfers that ended, expiring idle transfers, reloading
 * the policy on SIGHUP, the retention sweep (retention.c, in steps between
 * rounds) and the stop record. */
#include "writer.h"
#include "broker.h"
#include "dispatch.h"
#include "dxtime.h"
#include "fairq.h"
#include "jobs.h"
#include "log.h"
#include "metrics.h"
#include "tsan.h"
#include "audit.h"
#include "batch.h"
#include "feed.h"
#include "objects.h"
#include "pool.h"
#include "publish.h"
#include "publishing.h"
#include "record.h"
#include "reload.h"
#include "request.h"
#include "retention.h"
#include "sessions.h"
#include "tsa.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define GROUP_MAX 256                   /* requests in one commit */
#define GROUP_BYTES (16u << 20)         /* request bytes in one commit */
#define ROUND_BUDGET_US 5000            /* work in one round before its commit */
#define ROUND_SHARED_US 1000            /* the same while several members wait: a
                                           reply waits for its round's commit, and
                                           rounds full of others' work would hold it */
#define INBOX_HWM 4096
#define WAITING_MAX 16384               /* taken off the inbox, waiting their turn, */
#define WAITING_BYTES (256u << 20)      /* and their frames: past these the inbox
                                           fills, and intake answers busy */

static void s_set(void *sock, int option, int value)
{
    if (zmq_setsockopt(sock, option, &value, sizeof value) != 0)
        dx_warn("writer-socket-option",
                "writer: zmq_setsockopt(%d): %s", option, zmq_strerror(errno));
}

static void s_expired(void *arg, session_t *s)
{
    if (s->kind == SESSION_PUBLISH)
        publish_expired(arg, s);
    else
        dx_log_kv(DX_LOG_INFO, "fetch-timed-out", DX_KV("member", s->member));
}

static void s_reload(broker_t *b, const request_t *rq)
{
    dx_diag_t diag = { 0 };
    char reason[DX_ERRMSG + 64];
    const char *by = rq->note ? rq->note : "SIGHUP";
    dx_log_kv(DX_LOG_INFO, "policy-reloading", DX_KV("by", by));
    batch_op_begin(b->batch);
    int rv = reload_policy(b, NULL, by, &diag, reason);
    batch_op_end(b->batch, rv == DX_ERR_POLICY ? 0 : rv);
    dx_diag_free(&diag);
}

/* Refused handshakes, as intake counted them: one record each note. */
static void s_handshake(broker_t *b, request_t *rq)
{
    audit_fields_t f = { .event = DX_EV_HANDSHAKE, .action = "connect",
                         .rule_id = dx_pseudo_rule(DX_PSEUDO_DEFAULT_DENY), .reason = rq->note };
    rq->now_ms = dx_now_ms();
    batch_op_begin(b->batch);
    int rv = record_audit(b, rq, &f, NULL);
    if (batch_op_end(b->batch, rv) != 0)
        dx_log_kv(DX_LOG_ERROR, "handshake-not-recorded", DX_KV("reason", rq->note));
}

/* Runs one request of the round and frees it; true when it says stop. */
static bool s_take(broker_t *b, request_t *rq)
{
    bool stop = rq->kind == RQ_STOP;
    if (rq->kind == RQ_RELOAD) {
        s_reload(b, rq);
    } else if (rq->kind == RQ_HANDSHAKE) {
        s_handshake(b, rq);
    } else if (rq->kind == RQ_MEMBER) {
        rq->now_ms = dx_now_ms();
        dispatch(b, rq);
    }
    if (!stop && !rq->parked) /* the stop request is the broker's own, not the heap's; a */
        request_free(&rq);    /* parked one waits for the content pool (objects.h) */
    return stop;
}

/* A parked request the pool answered waits its turn again. */
static void s_resume(broker_t *b, request_t *rq)
{
    if (fairq_push(b->waiting, rq) != 0)
        s_take(b, rq);
}

/* After a round: its commit and the writer's gauges, for the metrics. */
static void s_metrics(broker_t *b, uint64_t commits_before)
{
    if (!b->metrics)
        return;
    batch_stats_t bs = batch_stats(b->batch);
    if (bs.commits != commits_before)
        metrics_commit(b->metrics, bs.last_commit_ops, bs.last_commit_us, dx_now_ms());
    metrics_gauges_t g = { .open_transfers = sessions_count(b->sessions),
                           .subscriptions = feed_subs_count(b->feed_subs),
                           .audit_size = audit_state(b->audit).size };
    if (store_usage(b->store, &g.store_bytes, &g.map_bytes) != 0)
        g.store_bytes = g.map_bytes = 0;
    metrics_gauges(b->metrics, &g);
}

/* Moves what the inbox holds to the waiting queue. A request the queue
 * cannot hold (out of memory) is run at once: never dropped. */
static bool s_drain(broker_t *b)
{
    bool stop = false;
    while (fairq_count(b->waiting) < WAITING_MAX && fairq_bytes(b->waiting) < WAITING_BYTES) {
        request_t *rq = NULL;
        if (zmq_recv(b->inbox, &rq, sizeof rq, ZMQ_DONTWAIT) != sizeof rq || !rq)
            break;
        DX_HANDOFF_RECV(rq);
        if (fairq_push(b->waiting, rq) != 0)
            stop |= s_take(b, rq);
    }
    return stop;
}

/* One round: requests in turn, one commit. Returns true when told to stop. */
static bool s_round(broker_t *b, int timeout_ms)
{
    zmq_pollitem_t items[2] = { { b->inbox, 0, ZMQ_POLLIN, 0 },
                                { NULL, b->pool ? pool_wake_fd(b->pool) : -1, ZMQ_POLLIN, 0 } };
    if (zmq_poll(items, b->pool ? 2 : 1, fairq_count(b->waiting) ? 0 : timeout_ms) < 0 &&
        errno != EINTR)
        dx_error("writer-poll-failed", "writer: poll failed: %s", zmq_strerror(errno));
    objects_drain(b);
    publish_collect(b);
    bool stop = s_drain(b);
    size_t bytes = 0;
    int64_t start = dx_mono_us();
    int64_t budget = fairq_members(b->waiting) > 1 ? ROUND_SHARED_US : ROUND_BUDGET_US;
    for (int i = 0; i < GROUP_MAX && bytes < GROUP_BYTES; i++) {
        if (i > 0 && dx_mono_us() - start > budget)
            break; /* the rest waits for the next round, after this commit */
        request_t *rq = fairq_pop(b->waiting);
        if (!rq)
            break;
        bytes += rq->frame_len;
        stop |= s_take(b, rq);
    }
    uint64_t commits = batch_stats(b->batch).commits;
    batch_commit(b->batch, dx_now_ms());
    s_metrics(b, commits);
    return stop;
}

static void *s_thread(void *arg)
{
    broker_t *b = arg;
    int64_t next_expiry = dx_mono_ms() + 1000;
    if (b->readers && jobs_return_new(b->readers, &b->back) != 0)
        dx_error("readers-unreachable", "the writer cannot reach the readers: it sends their "
                 "replies itself");
    objects_on_resume(b, s_resume);
    while (!s_round(b, retention_busy(b->retention) ? 0 : 500)) {
        retention_sweep(b, dx_now_ms());
        tsa_store(b);
        objects_collect(b, dx_mono_ms());
        if (dx_mono_ms() >= next_expiry) {
            sessions_expire(b->sessions, dx_now_ms() - b->cfg.session_idle_ms, s_expired, b);
            next_expiry = dx_mono_ms() + 1000;
        }
    }
    /* Stopping: the job threads were joined before the stop was sent, so
     * what they passed on is here, waiting, or on its way; finish it. */
    int64_t until = dx_mono_ms() + 200, give_up = dx_mono_ms() + 10000;
    while ((dx_mono_ms() < until || fairq_count(b->waiting)) && dx_mono_ms() < give_up)
        s_round(b, 50);
    /* Writes to the pool are answered within its timeout: their requests
     * are answered before the stop. */
    give_up = dx_mono_ms() + b->cfg.rados_timeout_ms + 5000;
    while ((objects_in_flight(b) || fairq_count(b->waiting)) && dx_mono_ms() < give_up)
        s_round(b, 50);
    publish_collect(b);
    audit_want_history(b->audit);
    record_system(b, DX_EV_BROKER_STOP, "dx-broker stopped");
    batch_commit(b->batch, dx_now_ms());
    jobs_return_free(&b->back);
    return NULL;
}

int writer_start(broker_t *b)
{
    if (fairq_new(&b->waiting) != 0)
        return DX_ERR_NOMEM;
    if (!(b->inbox = zmq_socket(b->zctx, ZMQ_PULL)) || !(b->outbox = zmq_socket(b->zctx, ZMQ_PUSH)))
        return DX_ERR_IO;
    s_set(b->inbox, ZMQ_RCVHWM, INBOX_HWM);
    s_set(b->outbox, ZMQ_SNDHWM, 0);
    s_set(b->outbox, ZMQ_LINGER, 0);
    if (zmq_bind(b->inbox, "inproc://dx-writer") != 0 || zmq_connect(b->outbox, "inproc://dx-replies") != 0)
        return DX_ERR_IO;
    if (pthread_create(&b->writer, NULL, s_thread, b) != 0)
        return DX_ERR_INTERNAL;
    pthread_setname_np(b->writer, "dx-writer");
    b->writer_running = true;
    return 0;
}

int writer_submit(broker_t *b, void *push, request_t *rq)
{
    (void)b;
    int rc;
    DX_HANDOFF_SEND(rq);
    while ((rc = zmq_send(push, &rq, sizeof rq, ZMQ_DONTWAIT)) < 0 && errno == EINTR)
        ;
    if (rc != (int)sizeof rq)
        return errno == EAGAIN ? DX_ERR_BUSY : DX_ERR_INTERNAL;
    return 0;
}

void writer_stop(broker_t *b)
{
    if (!b->writer_running)
        return;
    request_t *stop = &b->stop_request;
    stop->kind = RQ_STOP;
    DX_HANDOFF_SEND(stop);
    int rc;
    while ((rc = zmq_send(b->to_writer, &stop, sizeof stop, 0)) < 0 && errno == EINTR)
        ;
    if (rc == (int)sizeof stop)
        pthread_join(b->writer, NULL);
    else
        dx_error("writer-stop-failed", "cannot tell the writer to stop: %s", zmq_strerror(errno));
    b->writer_running = false;
}
