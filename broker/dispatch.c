/* dispatch: the command table, checked before any handler runs.
 *
 * Every request's member is looked up in the current policy: a member that
 * was revoked, expired or removed since its connection was admitted is
 * refused here, on the first request after the change. */
#include "broker.h"
#include "dxtime.h"
#include "log.h"
#include "workers.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*handler_fn)(broker_t *b, request_t *rq);

static const struct {
    Dx__Request__BodyCase body;
    const char *name;
    handler_fn fn;
} s_commands[] = {
    { DX__REQUEST__BODY_PUBLISH_BEGIN, "publish", publish_begin },
    { DX__REQUEST__BODY_PUBLISH_CHUNK, "publish", publish_chunk },
    { DX__REQUEST__BODY_FETCH_BEGIN, "read", fetch_begin },
    { DX__REQUEST__BODY_FETCH_MORE, "read", fetch_more },
    { DX__REQUEST__BODY_LIST, "list", catalog_list },
    { DX__REQUEST__BODY_INFO, "info", catalog_info },
    { DX__REQUEST__BODY_AUDIT_QUERY, "audit", audit_query },
    { DX__REQUEST__BODY_AUDIT_READ, "audit", audit_read },
    { DX__REQUEST__BODY_RELOAD, "reload", admin_reload },
    { DX__REQUEST__BODY_AUDIT_PROOF, "audit", audit_proof },
    { DX__REQUEST__BODY_AUDIT_CONSISTENCY, "audit", audit_consistency },
    { DX__REQUEST__BODY_AUDIT_HEADS, "audit", audit_heads },
};

/* A publish's signature check and hashing go to the workers first; the
 * rest of it (membership, nonce, policy, commit) runs here when the job
 * comes back. */
static bool s_to_worker(broker_t *b, request_t *rq)
{
    const dx_member_t *m = dx_policy_member(b->policy, rq->member_id);
    if (!b->workers || !m || rq->req->body_case != DX__REQUEST__BODY_PUBLISH_BEGIN)
        return false;
    prepared_t *job = calloc(1, sizeof *job);
    if (!job)
        return false;
    job->kind = JOB_BEGIN;
    job->rq = *rq;
    job->rq.req = NULL;
    job->req = (Dx__Request *)rq->req;
    memcpy(job->sign_key, m->sign_key, DX_ED25519_LEN);
    if (workers_submit(b->workers, job) != 0) {
        job->req = NULL;
        prepare_free(&job);
        return false;
    }
    return true;
}

void dispatch_prepared(broker_t *b, prepared_t *job)
{
    if (job->kind == JOB_HASH) {
        /* the digest of a streamed publish: finish it in a request of its own */
        batch_op_begin(b->batch);
        request_t rq = job->rq;
        int status = publish_hashed(b, &rq, job);
        batch_op_end(b->batch, status);
        if (status != 0 && !rq.replied)
            broker_error(b, &rq, broker_code(status), NULL, "%s", dx_strerror(status));
        prepare_free(&job);
        return;
    }
    request_t rq = job->rq;
    rq.req = job->req;
    rq.prepared = job;
    rq.now_ms = dx_now_ms();
    if (dispatch(b, &rq))
        job->req = NULL; /* kept again: a handler handed it on */
    prepare_free(&job);
}

bool dispatch(broker_t *b, request_t *rq)
{
    size_t i, n = sizeof s_commands / sizeof s_commands[0];
    for (i = 0; i < n; i++)
        if (s_commands[i].body == rq->req->body_case)
            break;
    if (i == n) {
        broker_error(b, rq, DX__ERROR_CODE__ERR_BAD_REQUEST, NULL, "unknown request type");
        return false;
    }
    if (!rq->prepared && s_to_worker(b, rq))
        return true;
    batch_op_begin(b->batch);
    int status;
    rq->member = dx_policy_member(b->policy, rq->member_id);
    if (!dx_member_current(rq->member, rq->now_ms)) {
        const char *why = !rq->member ? "is no longer a member"
                          : rq->member->revoked ? "is revoked" : "has expired keys";
        char reason[128];
        snprintf(reason, sizeof reason, "member '%s' %s", rq->member_id, why);
        audit_fields_t f = { .event = s_commands[i].name, .action = s_commands[i].name,
                             .rule_id = "default-deny", .reason = reason };
        status = broker_refuse(b, rq, &f, DX__ERROR_CODE__ERR_DENIED);
    } else {
        status = s_commands[i].fn(b, rq);
    }
    status = batch_op_end(b->batch, status);
    if (status != 0 && !rq->replied && !rq->kept) {
        dx_warn("request failed member=%s type=%s: %s", rq->member_id, s_commands[i].name,
                dx_strerror(status));
        broker_error(b, rq, broker_code(status), NULL, "%s",
                     status == DX_ERR_FULL ? "the broker's storage is full: nothing was stored"
                                           : dx_strerror(status));
    }
    return rq->kept;
}
