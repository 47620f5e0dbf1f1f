/* dispatch: the command table, and what is checked before any handler. */
#include "dispatch.h"
#include "content.h"
#include "log.h"
#include "metrics.h"
#include "publish_check.h"
#include "staged.h"
#include "wire.h"
#include "admin_service.h"
#include "audit_service.h"
#include "batch.h"
#include "broker.h"
#include "catalog.h"
#include "opendata.h"
#include "deliveries.h"
#include "erase.h"
#include "feed.h"
#include "fetch.h"
#include "publish.h"
#include "record.h"
#include "reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMALL DX_MAX_SMALL_FRAME

/* A fetch's credit goes to the reader lane its session picks. */
static uint64_t s_fetch_key(const request_t *rq) { return rq->req->fetch_more->session; }

static const command_t s_commands[] = {
    { DX__REQUEST__BODY_PUBLISH_BEGIN, "publish", DX_EV_PUBLISH, "publish", 0, DX_MAX_FRAME,
      publish_check_begin, NULL, NULL, publish_begin },
    { DX__REQUEST__BODY_PUBLISH_CHUNK, "publish chunk", DX_EV_PUBLISH, "publish", 0, DX_MAX_FRAME,
      publish_check_chunk, publish_chunk_key, NULL, publish_chunk },
    { DX__REQUEST__BODY_FETCH_BEGIN, "fetch", DX_EV_READ, "read", 0, SMALL, NULL, NULL, NULL, fetch_begin },
    { DX__REQUEST__BODY_FETCH_MORE, "fetch credit", DX_EV_READ, "read", 0, SMALL, NULL, s_fetch_key,
      fetch_read, fetch_more },
    { DX__REQUEST__BODY_LIST, "list", DX_EV_LIST, "list", 0, SMALL, NULL, NULL, catalog_list, NULL },
    { DX__REQUEST__BODY_INFO, "info", DX_EV_INFO, "list", 0, SMALL, NULL, NULL, catalog_info, NULL },
    { DX__REQUEST__BODY_AUDIT_QUERY, "audit query", DX_EV_AUDIT, "query", DX_ROLE_AUDITOR, SMALL,
      NULL, NULL, audit_query, NULL },
    { DX__REQUEST__BODY_AUDIT_READ, "audit read", DX_EV_AUDIT, "verify", DX_ROLE_AUDITOR, SMALL,
      NULL, NULL, audit_read, NULL },
    { DX__REQUEST__BODY_AUDIT_PROOF, "audit proof", DX_EV_AUDIT, "prove", DX_ROLE_AUDITOR, SMALL,
      NULL, NULL, audit_proof, NULL },
    { DX__REQUEST__BODY_AUDIT_CONSISTENCY, "audit consistency", DX_EV_AUDIT, "consistency", 0,
      SMALL, NULL, NULL, audit_consistency, NULL },
    { DX__REQUEST__BODY_AUDIT_HEADS, "audit heads", DX_EV_AUDIT, "heads", 0, SMALL, NULL, NULL,
      audit_heads, NULL },
    { DX__REQUEST__BODY_RELOAD, "reload", DX_EV_POLICY_LOAD, "reload", DX_ROLE_ADMIN, SMALL, NULL,
      NULL, NULL, admin_reload },
    { DX__REQUEST__BODY_FEED, "feed", DX_EV_FEED, "list", 0, SMALL, NULL, NULL, feed_read, NULL },
    { DX__REQUEST__BODY_DELIVERY_RECEIPT, "delivery receipt", DX_EV_DELIVERY, "receive", 0, SMALL,
      NULL, NULL, NULL, delivery_receipt },
    { DX__REQUEST__BODY_ERASE, "erase", DX_EV_ERASE, "erase", DX_ROLE_ADMIN, SMALL, NULL, NULL,
      NULL, erase_request },
    { DX__REQUEST__BODY_AUDIT_POLICY, "audit policy", DX_EV_AUDIT, "policy", DX_ROLE_AUDITOR, SMALL,
      NULL, NULL, audit_policy, NULL },
    { DX__REQUEST__BODY_ROTATE_MASTER_KEY, "rotate master key", DX_EV_MASTER_KEY, "rotate",
      DX_ROLE_ADMIN, SMALL, NULL, NULL, NULL, admin_rotate_master_key },
    { DX__REQUEST__BODY_STATUS, "status", DX_EV_STATUS, "status", DX_ROLE_ADMIN, SMALL, NULL, NULL,
      NULL, admin_status },
    { DX__REQUEST__BODY_DELIVERIES, "deliveries", DX_EV_DELIVERIES, "list", 0, SMALL, NULL, NULL,
      deliveries_query, NULL },
    { DX__REQUEST__BODY_OPEN_DATA, "open data", DX_EV_OPENDATA, "export", DX_ROLE_ADMIN, SMALL, NULL, NULL,
      opendata_index, NULL },
};

const command_t *dispatch_command(Dx__Request__BodyCase body)
{
    for (size_t i = 0; i < sizeof s_commands / sizeof s_commands[0]; i++)
        if (s_commands[i].body == body)
            return &s_commands[i];
    return NULL;
}

size_t dispatch_count(void) { return sizeof s_commands / sizeof s_commands[0]; }
const command_t *dispatch_at(size_t i) { return i < dispatch_count() ? &s_commands[i] : NULL; }
size_t dispatch_index(const command_t *c) { return (size_t)(c - s_commands); }

job_next_t dispatch_check(void *b, request_t *rq, int lane)
{
    rq->cmd->check(b, rq, lane);
    return JOB_PASS;
}

/* The dataset a refusal's record names, from the request itself. */
static const char *s_dataset(const Dx__Request *req)
{
    switch (req->body_case) {
    case DX__REQUEST__BODY_FETCH_BEGIN: return req->fetch_begin->dataset;
    case DX__REQUEST__BODY_INFO: return req->info->dataset;
    case DX__REQUEST__BODY_LIST: return req->list->pattern;
    case DX__REQUEST__BODY_AUDIT_QUERY: return req->audit_query->dataset;
    case DX__REQUEST__BODY_DELIVERIES: return req->deliveries->dataset;
    case DX__REQUEST__BODY_ERASE: return req->erase->dataset;
    default: return "";
    }
}

static const char *s_role_name(unsigned role)
{
    return role == DX_ROLE_AUDITOR ? "auditor" : role == DX_ROLE_ADMIN ? "admin"
         : role == DX_ROLE_PUBLISHER ? "publisher" : "consumer";
}

/* The refusals every command shares: 0 with the request open when it may
 * go on. */
static int s_admit(broker_t *b, request_t *rq)
{
    const command_t *c = rq->cmd;
    char reason[160];
    rq->member = dx_policy_member(b->policy, rq->member_id);
    if (!dx_member_current(rq->member, rq->now_ms)) {
        const char *why = !rq->member ? "is no longer a member"
                          : rq->member->revoked ? "is revoked" : "has expired keys";
        snprintf(reason, sizeof reason, "member '%s' %s", rq->member_id, why);
    } else if (rq->kind == RQ_MEMBER &&
               (!rq->has_transport_key ||
                !dx_member_transport_ok(rq->member, rq->transport_key, rq->now_ms))) {
        /* the connection outlived its key: replaced by a reload since, or
         * retired by the end of a rotation */
        snprintf(reason, sizeof reason, "the transport key this connection was opened with is no "
                 "longer member '%s''s: reconnect with its current key", rq->member_id);
    } else if (c->role && !(rq->member->roles & c->role)) {
        snprintf(reason, sizeof reason, "member '%s' does not have the role %s", rq->member_id,
                 s_role_name(c->role));
    } else {
        return 0;
    }
    audit_fields_t f = { .event = c->event, .action = c->action,
                         .dataset = c->role ? s_dataset(rq->req) : NULL,
                         .rule_id = dx_pseudo_rule(DX_PSEUDO_DEFAULT_DENY), .reason = reason };
    return record_refusal(b, rq, &f, DX__ERROR_CODE__ERR_DENIED);
}

/* A request that failed and is still open is answered with why. */
static void s_failed(broker_t *b, request_t *rq, int status)
{
    dx_log_kv(DX_LOG_WARN, "request-failed", DX_KV("member", rq->member_id),
              DX_KV("type", rq->cmd->name), DX_KV("reason", dx_strerror(status)));
    char why[DX_ERRMSG];
    if (status == DX_ERR_UNAVAILABLE)
        content_unavailable(b, why);
    reply_error(b, rq, reply_code(status), NULL, "%s",
                 status == DX_ERR_FULL ? "the broker's storage is full: nothing was stored"
                 : status == DX_ERR_UNAVAILABLE ? why : dx_strerror(status));
}

void dispatch_read(broker_t *b, request_t *rq)
{
    int status = s_admit(b, rq);
    if (status == 0 && rq->answer == RQ_OPEN)
        status = rq->cmd->read(b, rq);
    if (status != 0 && staged_any(rq)) {
        staged_drop(b, rq);
        rq->answer = RQ_OPEN; /* a staged reply is the last thing a read does: it is gone */
    }
    if (status != 0 && rq->answer == RQ_OPEN)
        s_failed(b, rq, status);
    if (!staged_any(rq) && rq->answer != RQ_OPEN) /* it ends here */
        metrics_request(b->metrics, dispatch_index(rq->cmd), rq->refused || status != 0);
}

void dispatch(broker_t *b, request_t *rq)
{
    const command_t *c = rq->cmd;
    bool staged = staged_any(rq);
    rq->policy = b->policy;
    batch_op_begin(b->batch);
    if (staged)
        rq->answer = RQ_OPEN; /* its reply is staged, not sent: admitted again, or refused */
    int status = s_admit(b, rq);
    if (staged && status == 0 && rq->answer == RQ_OPEN)
        status = staged_commit(b, rq);
    else if (staged)
        staged_drop(b, rq);
    else if (status == 0 && rq->answer == RQ_OPEN)
        status = c->handler ? c->handler(b, rq) : DX_ERR_INTERNAL; /* a read left it open */
    status = batch_op_end(b->batch, status);
    if (rq->parked)
        return; /* it comes back when the content pool answers (objects.h) */
    metrics_request(b->metrics, dispatch_index(c), rq->refused || status != 0);
    if (status != 0 && rq->answer == RQ_OPEN) {
        s_failed(b, rq, status);
    } else if (rq->answer == RQ_OPEN) {
        reply_none(b, rq);
    }
}
