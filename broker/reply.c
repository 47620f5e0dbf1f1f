/* reply: sending replies now or after commit, and recording decisions. */
#include "broker.h"
#include "dxtime.h"
#include "log.h"
#include "wire.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

Dx__ErrorCode broker_code(int err)
{
    switch (err) {
    case DX_ERR_DENIED: return DX__ERROR_CODE__ERR_DENIED;
    case DX_ERR_INTEGRITY: return DX__ERROR_CODE__ERR_INTEGRITY;
    case DX_ERR_REPLAY: return DX__ERROR_CODE__ERR_REPLAY;
    case DX_ERR_NOT_FOUND: return DX__ERROR_CODE__ERR_NOT_FOUND;
    case DX_ERR_FULL:
    case DX_ERR_STORAGE: return DX__ERROR_CODE__ERR_STORAGE;
    case DX_ERR_BUSY: return DX__ERROR_CODE__ERR_BUSY;
    case DX_ERR_PROTOCOL:
    case DX_ERR_INVALID:
    case DX_ERR_TOO_BIG: return DX__ERROR_CODE__ERR_BAD_REQUEST;
    case DX_ERR_UNSUPPORTED: return DX__ERROR_CODE__ERR_UNSUPPORTED;
    default: return DX__ERROR_CODE__ERR_INTERNAL;
    }
}

static void s_send_packed(broker_t *b, const uint8_t *identity, size_t idlen, const uint8_t *data,
                          size_t len)
{
    if (zmq_send(b->router, identity, idlen, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
        zmq_send(b->router, data, len, ZMQ_DONTWAIT) < 0) {
        /* EHOSTUNREACH: the peer left. EAGAIN: it stopped reading and its
         * queue is full; dropping is what keeps its backlog bounded. */
        if (errno == EAGAIN)
            dx_warn("reply dropped: peer not reading (queue full)");
        else
            dx_debug("reply dropped: %s", zmq_strerror(errno));
    }
}

void broker_reply(broker_t *b, request_t *rq, Dx__Reply *reply)
{
    uint8_t *data = NULL;
    size_t len = 0;
    reply->id = rq->req ? rq->req->id : 0;
    rq->replied = true;
    if (wire_pack(&reply->base, &data, &len) != 0) {
        dx_error("cannot pack a reply");
        return;
    }
    s_send_packed(b, rq->identity, rq->identity_len, data, len);
    free(data);
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

void broker_error(broker_t *b, request_t *rq, Dx__ErrorCode code, const char *rule_id,
                  const char *fmt, ...)
{
    uint8_t *data = NULL;
    size_t len = 0;
    va_list ap;
    va_start(ap, fmt);
    int rv = s_pack_errorv(rq, code, rule_id, fmt, ap, &data, &len);
    va_end(ap);
    rq->replied = true;
    if (rv == 0)
        s_send_packed(b, rq->identity, rq->identity_len, data, len);
    free(data);
}

typedef struct {
    broker_t *b;
    uint8_t identity[BROKER_IDENTITY_MAX];
    size_t identity_len;
    uint64_t id;
    uint8_t *data;
    size_t len;
    broker_after_fn after;
    uint64_t session;
    bool witnessed;
} later_t;

/* Protobuf merges concatenated messages: a second Reply holding only the
 * checkpoint, appended, sets the first one's checkpoint field. */
static void s_send_witnessed(later_t *l)
{
    Dx__Reply extra = DX__REPLY__INIT;
    uint8_t *tail = NULL, *all = NULL;
    size_t tail_len = 0, head_len = 0;
    extra.checkpoint.data = (uint8_t *)audit_head(l->b->audit, &head_len);
    extra.checkpoint.len = head_len;
    if (wire_pack(&extra.base, &tail, &tail_len) == 0 && (all = malloc(l->len + tail_len)) != NULL) {
        memcpy(all, l->data, l->len);
        memcpy(all + l->len, tail, tail_len);
        s_send_packed(l->b, l->identity, l->identity_len, all, l->len + tail_len);
    } else {
        s_send_packed(l->b, l->identity, l->identity_len, l->data, l->len);
    }
    free(tail);
    free(all);
}

static void s_later_done(void *arg, int status)
{
    later_t *l = arg;
    if (l->after)
        l->after(l->b, l->session, status);
    if (status == 0 && l->witnessed) {
        s_send_witnessed(l);
    } else if (status == 0) {
        s_send_packed(l->b, l->identity, l->identity_len, l->data, l->len);
    } else {
        uint8_t *data = NULL;
        size_t len = 0;
        const char *msg = status == DX_ERR_FULL
                              ? "the broker's storage is full: nothing was stored; try later"
                              : "the broker could not store the request: nothing was stored";
        if (s_pack_error(l->id, DX__ERROR_CODE__ERR_STORAGE, NULL, msg, &data, &len) == 0)
            s_send_packed(l->b, l->identity, l->identity_len, data, len);
        free(data);
    }
    free(l->data);
    free(l);
}

static int s_later(broker_t *b, request_t *rq, uint8_t *data, size_t len, broker_after_fn after,
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
    int rv = batch_defer(b->batch, s_later_done, l);
    if (rv != 0) {
        free(l->data);
        free(l);
        return rv;
    }
    rq->replied = true;
    return 0;
}

static int s_reply_later(broker_t *b, request_t *rq, Dx__Reply *reply, broker_after_fn after,
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

int broker_reply_later(broker_t *b, request_t *rq, Dx__Reply *reply, broker_after_fn after,
                       uint64_t session)
{
    return s_reply_later(b, rq, reply, after, session, false);
}

int broker_reply_witnessed(broker_t *b, request_t *rq, Dx__Reply *reply, broker_after_fn after,
                           uint64_t session)
{
    return s_reply_later(b, rq, reply, after, session, true);
}

int broker_error_later(broker_t *b, request_t *rq, Dx__ErrorCode code, const char *rule_id,
                       const char *fmt, ...)
{
    uint8_t *data = NULL;
    size_t len = 0;
    va_list ap;
    va_start(ap, fmt);
    int rv = s_pack_errorv(rq, code, rule_id, fmt, ap, &data, &len);
    va_end(ap);
    if (rv != 0)
        return rv;
    return s_later(b, rq, data, len, NULL, 0, false);
}

int broker_audit(broker_t *b, const request_t *rq, const audit_fields_t *f, uint64_t *seq_out)
{
    Dx__AuditRecord r = DX__AUDIT_RECORD__INIT;
    store_txn_t *t;
    int rv = batch_txn(b->batch, &t);
    if (rv != 0)
        return rv;
    r.time_ms = rq ? rq->now_ms : dx_now_ms();
    r.event = (char *)f->event;
    r.member = (char *)(rq ? rq->member_id : "");
    r.action = (char *)(f->action ? f->action : "");
    r.dataset = (char *)(f->dataset ? f->dataset : "");
    r.version = f->version;
    uint8_t salt[16];
    if ((rv = dx_random(salt, sizeof salt)) != 0)
        return rv;
    r.salt.data = salt;
    r.salt.len = sizeof salt;
    if (f->sha256) {
        r.sha256.data = (uint8_t *)f->sha256;
        r.sha256.len = DX_SHA256_LEN;
    }
    if (f->manifest_sha256) {
        r.manifest_sha256.data = (uint8_t *)f->manifest_sha256;
        r.manifest_sha256.len = DX_SHA256_LEN;
    }
    if (f->view_sha256) {
        r.view_sha256.data = (uint8_t *)f->view_sha256;
        r.view_sha256.len = DX_SHA256_LEN;
    }
    r.purpose = (char *)(f->purpose ? f->purpose : "");
    r.decision = (char *)(f->decision ? f->decision : f->allow ? "allow" : "deny");
    r.rule_id = (char *)(f->rule_id ? f->rule_id : "");
    r.reason = (char *)(f->reason ? f->reason : "");
    if (b->policy) {
        r.policy_sha256.data = b->policy->sha256;
        r.policy_sha256.len = DX_SHA256_LEN;
    }
    return audit_append(b->audit, t, &r, seq_out);
}

int broker_refuse(broker_t *b, request_t *rq, const audit_fields_t *f, Dx__ErrorCode code)
{
    int rv = broker_audit(b, rq, f, NULL);
    if (rv != 0)
        return rv;
    dx_info("refused member=%s event=%s dataset=%s rule=%s reason=%s", rq->member_id, f->event,
            f->dataset ? f->dataset : "", f->rule_id ? f->rule_id : "", f->reason ? f->reason : "");
    return broker_error_later(b, rq, code, f->rule_id, "%s", f->reason ? f->reason : "refused");
}

/* A transfer id that is not the member's own. Another member's live id is
 * a probe: logged and recorded. The answer is the same either way, and
 * leaves at once either way, so that neither its words nor its timing say
 * whether the id exists. */
int broker_no_transfer(broker_t *b, request_t *rq, uint64_t id, const char *event)
{
    int rv = 0;
    if (sessions_foreign(b->sessions, id, rq->member_id)) {
        dx_warn("transfer probe member=%s event=%s: a transfer id of another member", rq->member_id,
                event);
        audit_fields_t f = { .event = event, .action = event, .rule_id = "transfer",
                             .reason = "named a transfer that belongs to another member: refused" };
        rv = broker_audit(b, rq, &f, NULL);
    }
    broker_error(b, rq, DX__ERROR_CODE__ERR_BAD_REQUEST, NULL,
                 "no such %s in progress (it may have timed out): start again",
                 strcmp(event, "read") == 0 ? "fetch" : "publish");
    return rv;
}

int broker_add_session(broker_t *b, request_t *rq, session_t *s)
{
    int rv = sessions_add(b->sessions, s);
    if (rv != DX_ERR_BUSY)
        return rv;
    dx_warn("transfer refused member=%s: session limit reached", rq->member_id);
    broker_error(b, rq, DX__ERROR_CODE__ERR_BUSY, NULL,
                 "too many transfers in progress; try again shortly");
    return 1;
}
