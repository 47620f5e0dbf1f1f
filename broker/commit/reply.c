/* reply: replies from the writer thread or a reader, now or after their
 * commit. They leave through the writer's outbox or the reader's socket;
 * intake puts them on the socket. A reply a reader leaves for after the
 * commit (staged.h) goes back through that reader once the writer has
 * committed, so that it follows whatever the reader sent before it (the
 * last message of a view after its chunks). */
#include "reply.h"
#include "broker.h"
#include "dxtime.h"
#include "jobs.h"
#include "log.h"
#include "metrics.h"
#include "reader.h"
#include "staged.h"
#include "tsan.h"
#include "wire.h"
#include "audit.h"
#include "batch.h"
#include "request.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

Dx__ErrorCode reply_code(int err)
{
    switch (err) {
    case DX_ERR_DENIED: return DX__ERROR_CODE__ERR_DENIED;
    case DX_ERR_INTEGRITY: return DX__ERROR_CODE__ERR_INTEGRITY;
    case DX_ERR_REPLAY: return DX__ERROR_CODE__ERR_REPLAY;
    case DX_ERR_NOT_FOUND: return DX__ERROR_CODE__ERR_NOT_FOUND;
    case DX_ERR_FULL:
    case DX_ERR_UNAVAILABLE:
    case DX_ERR_STORAGE: return DX__ERROR_CODE__ERR_STORAGE;
    case DX_ERR_BUSY: return DX__ERROR_CODE__ERR_BUSY;
    case DX_ERR_PROTOCOL:
    case DX_ERR_INVALID:
    case DX_ERR_TOO_BIG: return DX__ERROR_CODE__ERR_BAD_REQUEST;
    case DX_ERR_UNSUPPORTED: return DX__ERROR_CODE__ERR_UNSUPPORTED;
    case DX_ERR_FENCED:
    case DX_ERR_STANDBY: return DX__ERROR_CODE__ERR_STANDBY;
    default: return DX__ERROR_CODE__ERR_INTERNAL;
    }
}

static void s_free_data(void *data, void *hint)
{
    (void)hint;
    DX_HANDOFF_RECV(data); /* freed by libzmq's I/O thread, written by the writer */
    free(data);
}

/* Hands [identity][kind][data] to intake, which puts it on the socket;
 * takes data (malloc'd). kind tells intake's in-flight count (peers.h)
 * whether this answers a request: REPLY_ANSWER (the request's first
 * answer), REPLY_MORE (a notification, or a second answer: an error after
 * a chunk's credit), REPLY_NONE (no data: the request ended without a
 * reply). The writer's outbox has no high-water mark: the writer never
 * waits on intake, which drains it before reading new requests. */
static void s_send_on(broker_t *b, void *sock, const uint8_t *identity, size_t idlen, char kind,
                      uint8_t *data, size_t len)
{
    zmq_msg_t body;
    if (kind == REPLY_NONE) {
        if (zmq_send(sock, identity, idlen, ZMQ_SNDMORE) < 0 || zmq_send(sock, &kind, 1, 0) < 0)
            dx_error("request-end-lost",
                     "cannot tell intake a request ended: %s", zmq_strerror(errno));
        return;
    }
    DX_HANDOFF_SEND(data);
    if (zmq_msg_init_data(&body, data, len, s_free_data, NULL) != 0) {
        free(data);
        dx_error("reply-dropped", "reply dropped: %s", zmq_strerror(errno));
        return;
    }
    metrics_bytes(b->metrics, false, len);
    if (zmq_send(sock, identity, idlen, ZMQ_SNDMORE) < 0 ||
        zmq_send(sock, &kind, 1, ZMQ_SNDMORE) < 0 || zmq_msg_send(&body, sock, 0) < 0) {
        dx_error("reply-dropped", "reply dropped: %s", zmq_strerror(errno));
        zmq_msg_close(&body);
    }
}

/* From the writer: through its outbox. */
static void s_send_packed(broker_t *b, const uint8_t *identity, size_t idlen, char kind,
                          uint8_t *data, size_t len)
{
    s_send_on(b, b->outbox, identity, idlen, kind, data, len);
}

/* To rq's connection, from the thread that runs rq. */
static void s_send_rq(broker_t *b, const request_t *rq, char kind, uint8_t *data, size_t len)
{
    s_send_on(b, rq->reader ? rq->reader->replies : b->outbox, rq->identity, rq->identity_len, kind,
              data, len);
}

void reply_forward(broker_t *b, reader_t *r, request_t *rq)
{
    uint8_t *data = rq->out;
    rq->out = NULL;
    s_send_on(b, r->replies, rq->identity, rq->identity_len, rq->out_kind, data, rq->out_len);
}

/* The command's index for metrics, or SIZE_MAX (the broker's own requests). */
static size_t s_cmd(const request_t *rq)
{
    return rq->cmd ? rq->cmd_index : SIZE_MAX;
}

void reply_now(broker_t *b, request_t *rq, Dx__Reply *reply)
{
    metrics_latency(b->metrics, s_cmd(rq), dx_mono_us() - rq->received_us);
    uint8_t *data = NULL;
    size_t len = 0;
    reply->id = rq->req ? rq->req->id : 0;
    rq->answer = RQ_ANSWERED;
    if (wire_pack(&reply->base, &data, &len) != 0) {
        dx_error("reply-not-packed", "cannot pack a reply");
        return;
    }
    s_send_rq(b, rq, REPLY_ANSWER, data, len);
}

void reply_none(broker_t *b, request_t *rq)
{
    rq->answer = RQ_ANSWERED;
    s_send_rq(b, rq, REPLY_NONE, NULL, 0);
}

void reply_send_to(broker_t *b, const uint8_t *identity, size_t identity_len, Dx__Reply *reply)
{
    uint8_t *data = NULL;
    size_t len = 0;
    reply->id = 0;
    if (wire_pack(&reply->base, &data, &len) != 0) {
        dx_error("notify-not-packed", "cannot pack a notification");
        return;
    }
    s_send_packed(b, identity, identity_len, REPLY_MORE, data, len);
}

static int s_pack_error(uint64_t id, Dx__ErrorCode code, const char *rule_id, const char *msg,
                        uint8_t **data, size_t *len)
{
    Dx__Reply reply = DX__REPLY__INIT;
    Dx__Error error = DX__ERROR__INIT;
    error.code = code;
    error.message = (char *)msg;
    error.rule_id = (char *)(rule_id ? rule_id : "");
    reply.id = id;
    reply.error = &error;
    return wire_pack(&reply.base, data, len);
}

/* Formats and packs an error reply to rq. */
static int s_pack_errorv(const request_t *rq, Dx__ErrorCode code, const char *rule_id,
                         const char *fmt, va_list ap, uint8_t **data, size_t *len)
{
    char msg[DX_ERRMSG];
    vsnprintf(msg, sizeof msg, fmt, ap);
    return s_pack_error(rq->req ? rq->req->id : 0, code, rule_id, msg, data, len);
}

/* An error reply to rq, sent now or deferred to the commit. */
static int s_error(broker_t *b, request_t *rq, bool later, Dx__ErrorCode code, const char *rule_id,
                   const char *fmt, va_list ap);

void reply_error(broker_t *b, request_t *rq, Dx__ErrorCode code, const char *rule_id,
                  const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    s_error(b, rq, false, code, rule_id, fmt, ap);
    va_end(ap);
}

typedef struct {
    broker_t *b;
    uint8_t identity[BROKER_IDENTITY_MAX];
    size_t identity_len;
    uint64_t id;
    uint8_t *data;
    size_t len;
    reply_after_fn after;
    uint64_t session;
    bool witnessed;
    size_t cmd;                  /* for metrics */
    int64_t received_us;
    int lane;                    /* the reader it goes back through, or -1, */
    char member[DX_ID_MAX + 1];  /* with the member whose fetch it may end */
} later_t;

/* A committed reply goes out: back through the reader that staged it
 * (while the readers run), else through the writer's outbox. */
static void s_send_later(later_t *l, char kind, uint8_t *data, size_t len)
{
    broker_t *b = l->b;
    request_t *rq = NULL;
    if (l->lane >= 0 && b->back && (rq = calloc(1, sizeof *rq)) != NULL) {
        rq->kind = RQ_SEND;
        memcpy(rq->identity, l->identity, l->identity_len);
        rq->identity_len = l->identity_len;
        rq->out = data;
        rq->out_len = len;
        rq->out_kind = kind;
        rq->ends = l->session;
        snprintf(rq->member_id, sizeof rq->member_id, "%s", l->member);
        if (jobs_return(b->back, l->lane, rq) == 0) /* refused once they stop */
            return;
        rq->out = NULL;
        request_free(&rq);
    }
    s_send_packed(b, l->identity, l->identity_len, kind, data, len);
}

/* Protobuf merges concatenated messages: a second Reply holding only the
 * checkpoint, appended, sets the first one's checkpoint field. */
static void s_send_witnessed(later_t *l)
{
    Dx__Reply extra = DX__REPLY__INIT;
    uint8_t *tail = NULL, *all = NULL;
    size_t tail_len = 0, head_len = 0;
    extra.checkpoint.data = (uint8_t *)audit_head(l->b->audit, &head_len);
    extra.checkpoint.len = head_len;
    if (wire_pack(&extra.base, &tail, &tail_len) == 0 && (all = realloc(l->data, l->len + tail_len)) != NULL) {
        memcpy(all + l->len, tail, tail_len);
        l->data = NULL;
        s_send_later(l, REPLY_ANSWER, all, l->len + tail_len);
    } else {
        s_send_later(l, REPLY_ANSWER, l->data, l->len);
        l->data = NULL;
    }
    free(tail);
}

static void s_later_done(void *arg, int status)
{
    later_t *l = arg;
    if (l->data || status != 0)
        metrics_latency(l->b->metrics, l->cmd, dx_mono_us() - l->received_us);
    if (status != 0)
        metrics_refusal(l->b->metrics, DX__ERROR_CODE__ERR_STORAGE);
    if (l->after)
        l->after(l->b, l->session, status);
    if (status == 0 && l->witnessed) {
        s_send_witnessed(l);
    } else if (status == 0) {
        if (l->data) /* NULL: a reply already sent; only a failure answers again */
            s_send_later(l, REPLY_ANSWER, l->data, l->len);
        l->data = NULL;
    } else {
        uint8_t *data = NULL;
        size_t len = 0;
        const char *msg = status == DX_ERR_FULL
                              ? "the broker's storage is full: nothing was stored; try later"
                              : "the broker could not store the request: nothing was stored";
        /* the request's answer, or a second one after a chunk's credit */
        if (s_pack_error(l->id, DX__ERROR_CODE__ERR_STORAGE, NULL, msg, &data, &len) == 0)
            s_send_later(l, l->data ? REPLY_ANSWER : REPLY_MORE, data, len);
    }
    free(l->data);
    free(l);
}

static int s_later_commit(broker_t *b, request_t *rq, void *arg)
{
    later_t *l = arg;
    bool answers = l->data != NULL;
    int rv = batch_defer(b->batch, s_later_done, l);
    if (rv != 0) {
        free(l->data);
        free(l);
    } else if (answers) {
        rq->answer = RQ_ANSWERED; /* the staged reply is its answer now */
    }
    return rv;
}

/* A staged reply the writer did not commit: its after learns so (a
 * session it ended is removed), and nothing is sent; the writer answered
 * the request itself. */
static void s_later_drop(broker_t *b, void *arg)
{
    later_t *l = arg;
    if (b && l->after)
        l->after(b, l->session, DX_ERR_DENIED);
    free(l->data);
    free(l);
}

static int s_later(broker_t *b, request_t *rq, uint8_t *data, size_t len, reply_after_fn after,
                   uint64_t session, bool witnessed)
{
    later_t *l = calloc(1, sizeof *l);
    if (!l) {
        free(data);
        return DX_ERR_NOMEM;
    }
    l->b = b;
    memcpy(l->identity, rq->identity, rq->identity_len);
    l->identity_len = rq->identity_len;
    l->id = rq->req ? rq->req->id : 0;
    l->data = data;
    l->len = len;
    l->after = after;
    l->session = session;
    l->witnessed = witnessed;
    l->cmd = s_cmd(rq);
    l->received_us = rq->received_us;
    l->lane = rq->reader ? rq->reader->lane : -1;
    snprintf(l->member, sizeof l->member, "%s", rq->member_id);
    int rv = rq->reader ? staged_add(rq, s_later_commit, s_later_drop, l)
                        : batch_defer(b->batch, s_later_done, l);
    if (rv != 0) {
        if (!rq->reader) {
            free(l->data);
            free(l);
        }
        return rv;
    }
    rq->answer = RQ_ANSWERED;
    return 0;
}

static int s_reply_later(broker_t *b, request_t *rq, Dx__Reply *reply, reply_after_fn after,
                         uint64_t session, bool witnessed)
{
    uint8_t *data = NULL;
    size_t len = 0;
    reply->id = rq->req ? rq->req->id : 0;
    int rv = wire_pack(&reply->base, &data, &len);
    if (rv != 0)
        return rv;
    return s_later(b, rq, data, len, after, session, witnessed);
}

int reply_later(broker_t *b, request_t *rq, Dx__Reply *reply, reply_after_fn after,
                       uint64_t session)
{
    return s_reply_later(b, rq, reply, after, session, false);
}

int reply_witnessed(broker_t *b, request_t *rq, Dx__Reply *reply, reply_after_fn after,
                           uint64_t session)
{
    return s_reply_later(b, rq, reply, after, session, true);
}

int reply_after_commit(broker_t *b, request_t *rq, reply_after_fn after, uint64_t session)
{
    answer_t was = rq->answer;
    int rv = s_later(b, rq, NULL, 0, after, session, false);
    rq->answer = was;
    return rv;
}

int reply_error_later(broker_t *b, request_t *rq, Dx__ErrorCode code, const char *rule_id,
                       const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rv = s_error(b, rq, true, code, rule_id, fmt, ap);
    va_end(ap);
    return rv;
}

static int s_error(broker_t *b, request_t *rq, bool later, Dx__ErrorCode code, const char *rule_id,
                   const char *fmt, va_list ap)
{
    uint8_t *data = NULL;
    size_t len = 0;
    int rv = s_pack_errorv(rq, code, rule_id, fmt, ap, &data, &len);
    if (rv != 0)
        return rv;
    rq->refused = true;
    metrics_refusal(b->metrics, code);
    if (later)
        return s_later(b, rq, data, len, NULL, 0, false);
    rq->answer = RQ_ANSWERED;
    s_send_rq(b, rq, REPLY_ANSWER, data, len);
    return 0;
}

int reply_pack_error(uint64_t id, Dx__ErrorCode code, const char *msg, uint8_t **data, size_t *len)
{
    return s_pack_error(id, code, NULL, msg, data, len);
}
