/* record: decisions into the audit log, and the refusals built on them. */
#include "broker.h"
#include "dxtime.h"
#include "log.h"

#include <stdio.h>
#include <string.h>

int broker_audit(broker_t *b, const request_t *rq, const audit_fields_t *f, uint64_t *seq_out)
{
    Dx__AuditRecord r = DX__AUDIT_RECORD__INIT;
    store_txn_t *t;
    int rv = batch_txn(b->batch, &t);
    if (rv != 0)
        return rv;
    r.time_ms = rq ? rq->now_ms : dx_now_ms();
    r.event = (char *)dx_event_name(f->event);
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
    dx_log_kv(DX_LOG_INFO, "refused", DX_KV("member", rq->member_id),
              DX_KV("request", dx_event_name(f->event)), DX_KV("dataset", f->dataset ? f->dataset : ""),
              DX_KU("version", f->version), DX_KV("rule", f->rule_id ? f->rule_id : ""),
              DX_KV("reason", f->reason ? f->reason : ""));
    return broker_error_later(b, rq, code, f->rule_id, "%s", f->reason ? f->reason : "refused");
}

/* A transfer id that is not the member's own. Another member's live id is
 * a probe: logged and recorded. The answer is the same either way, and
 * leaves at once either way, so that neither its words nor its timing say
 * whether the id exists. */
int broker_no_transfer(broker_t *b, request_t *rq, uint64_t id, dx_event_t event)
{
    int rv = 0;
    if (sessions_foreign(b->sessions, id, rq->member_id)) {
        dx_log_kv(DX_LOG_WARN, "transfer-probe", DX_KV("member", rq->member_id),
                  DX_KV("request", dx_event_name(event)),
                  DX_KV("reason", "a transfer id of another member"));
        audit_fields_t f = { .event = event, .action = dx_event_name(event),
                             .rule_id = dx_pseudo_rule(DX_PSEUDO_TRANSFER),
                             .reason = "named a transfer that belongs to another member: refused" };
        rv = broker_audit(b, rq, &f, NULL);
    }
    broker_error(b, rq, DX__ERROR_CODE__ERR_TRANSFER_GONE, NULL,
                 "no such %s in progress (it timed out, or the broker restarted): start it again",
                 event == DX_EV_READ ? "fetch" : "publish");
    return rv;
}

int broker_add_session(broker_t *b, request_t *rq, session_t *s)
{
    int rv = sessions_add(b->sessions, s);
    if (rv != DX_ERR_BUSY)
        return rv;
    dx_log_kv(DX_LOG_WARN, "transfer-refused", DX_KV("member", rq->member_id),
              DX_KV("reason", "session limit reached"));
    broker_error(b, rq, DX__ERROR_CODE__ERR_BUSY, NULL,
                 "too many transfers in progress; try again shortly");
    return 0;
}
