/* record: decisions into the audit log, and the refusals built on them. */
#include "record.h"
#include "broker.h"
#include "dxtime.h"
#include "log.h"
#include "staged.h"
#include "audit.h"
#include "batch.h"
#include "policy_set.h"
#include "reply.h"
#include "sessions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends the record f says, by member at time_ms, decided under the
 * policy set whose hash is policy_sha (NULL: none loaded). */
static int s_append(broker_t *b, int64_t time_ms, const char *member, const audit_fields_t *f,
                    const uint8_t *policy_sha, uint64_t *seq_out)
{
    Dx__AuditRecord r = DX__AUDIT_RECORD__INIT;
    store_txn_t *t;
    int rv = batch_txn(b->batch, &t);
    if (rv != 0)
        return rv;
    r.time_ms = time_ms;
    r.event = (char *)dx_event_name(f->event);
    r.member = (char *)member;
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
    if (f->signer_key) {
        r.signer_key.data = (uint8_t *)f->signer_key;
        r.signer_key.len = DX_ED25519_LEN;
    }
    if (f->view_sha256) {
        r.view_sha256.data = (uint8_t *)f->view_sha256;
        r.view_sha256.len = DX_SHA256_LEN;
    }
    r.bytes = f->bytes;
    r.filtered = f->filtered;
    r.purpose = (char *)(f->purpose ? f->purpose : "");
    r.decision = (char *)(f->decision ? f->decision : f->allow ? "allow" : "deny");
    r.rule_id = (char *)(f->rule_id ? f->rule_id : "");
    r.reason = (char *)(f->reason ? f->reason : "");
    if (policy_sha) {
        r.policy_sha256.data = (uint8_t *)policy_sha;
        r.policy_sha256.len = DX_SHA256_LEN;
    }
    return audit_append(b->audit, t, &r, seq_out);
}

/* A record a reader made, for the writer: the fields copied, with the
 * hash of the policy set it was decided under (a reload may come between:
 * the record names the set that decided). */
typedef struct {
    audit_fields_t f;
    char *strings[6];            /* owned: action, dataset, purpose, decision, rule_id, reason */
    uint8_t sha[4][DX_SHA256_LEN];
    uint8_t policy_sha[DX_SHA256_LEN];
    bool has_policy;
} staged_record_t;

static void s_record_drop(broker_t *b, void *arg)
{
    (void)b;
    staged_record_t *sr = arg;
    for (size_t i = 0; i < 6; i++)
        free(sr->strings[i]);
    free(sr);
}

static int s_record_commit(broker_t *b, request_t *rq, void *arg)
{
    staged_record_t *sr = arg;
    uint64_t seq = 0;
    int rv = s_append(b, rq->now_ms, rq->member_id, &sr->f, sr->has_policy ? sr->policy_sha : NULL,
                      &seq);
    staged_set_seq(rq, seq);
    s_record_drop(b, sr);
    return rv;
}

static const char *s_copy(char **slot, const char *s)
{
    return s && !(*slot = strdup(s)) ? NULL : *slot;
}

static const uint8_t *s_copy_sha(uint8_t slot[DX_SHA256_LEN], const uint8_t *sha)
{
    if (!sha)
        return NULL;
    memcpy(slot, sha, DX_SHA256_LEN);
    return slot;
}

static int s_stage(const request_t *rq, const audit_fields_t *f)
{
    staged_record_t *sr = calloc(1, sizeof *sr);
    if (!sr)
        return DX_ERR_NOMEM;
    sr->f = *f;
    const char *in[6] = { f->action, f->dataset, f->purpose, f->decision, f->rule_id, f->reason };
    const char **out[6] = { &sr->f.action, &sr->f.dataset, &sr->f.purpose, &sr->f.decision,
                            &sr->f.rule_id, &sr->f.reason };
    bool ok = true;
    for (size_t i = 0; i < 6; i++)
        ok &= (*out[i] = s_copy(&sr->strings[i], in[i])) != NULL || !in[i];
    sr->f.sha256 = s_copy_sha(sr->sha[0], f->sha256);
    sr->f.manifest_sha256 = s_copy_sha(sr->sha[1], f->manifest_sha256);
    sr->f.view_sha256 = s_copy_sha(sr->sha[2], f->view_sha256);
    sr->f.signer_key = s_copy_sha(sr->sha[3], f->signer_key);
    if ((sr->has_policy = rq->policy != NULL))
        memcpy(sr->policy_sha, rq->policy->sha256, DX_SHA256_LEN);
    if (!ok) {
        s_record_drop(NULL, sr);
        return DX_ERR_NOMEM;
    }
    return staged_add((request_t *)rq, s_record_commit, s_record_drop, sr);
}

int record_audit(broker_t *b, const request_t *rq, const audit_fields_t *f, uint64_t *seq_out)
{
    if (rq && rq->reader) {
        if (seq_out)
            *seq_out = 0; /* known once the writer appends it: staged_seq */
        return s_stage(rq, f);
    }
    /* on the writer, the set in force now: a reload in this very request
     * has swapped (and freed) the one the request began under */
    const dx_policy_t *p = b->policy;
    return s_append(b, rq ? rq->now_ms : dx_now_ms(), rq ? rq->member_id : "", f,
                    p ? p->sha256 : NULL, seq_out);
}

int record_refusal(broker_t *b, request_t *rq, const audit_fields_t *f, Dx__ErrorCode code)
{
    int rv = record_audit(b, rq, f, NULL);
    if (rv != 0)
        return rv;
    dx_log_kv(DX_LOG_INFO, "refused", DX_KV("member", rq->member_id),
              DX_KV("request", dx_event_name(f->event)), DX_KV("dataset", f->dataset ? f->dataset : ""),
              DX_KU("version", f->version), DX_KV("rule", f->rule_id ? f->rule_id : ""),
              DX_KV("reason", f->reason ? f->reason : ""));
    return reply_error_later(b, rq, code, f->rule_id, "%s", f->reason ? f->reason : "refused");
}

/* A transfer id that is not the member's own. Another member's live id is
 * a probe: logged and recorded. The answer is the same either way, and
 * leaves at once either way, so that neither its words nor its timing say
 * whether the id exists. */
int record_no_transfer(broker_t *b, request_t *rq, uint64_t id, dx_event_t event)
{
    int rv = 0;
    if (sessions_foreign(b->sessions, id, rq->member_id)) {
        dx_log_kv(DX_LOG_WARN, "transfer-probe", DX_KV("member", rq->member_id),
                  DX_KV("request", dx_event_name(event)),
                  DX_KV("reason", "a transfer id of another member"));
        audit_fields_t f = { .event = event, .action = dx_event_name(event),
                             .rule_id = dx_pseudo_rule(DX_PSEUDO_TRANSFER),
                             .reason = "named a transfer that belongs to another member: refused" };
        rv = record_audit(b, rq, &f, NULL);
    }
    reply_error(b, rq, DX__ERROR_CODE__ERR_TRANSFER_GONE, NULL,
                 "no such %s in progress (it timed out, or the broker restarted): start it again",
                 event == DX_EV_READ ? "fetch" : "publish");
    return rv;
}

int record_add_session(broker_t *b, request_t *rq, session_t *s)
{
    int rv = sessions_add(b->sessions, s);
    if (rv != DX_ERR_BUSY)
        return rv;
    dx_log_kv(DX_LOG_WARN, "transfer-refused", DX_KV("member", rq->member_id),
              DX_KV("reason", "session limit reached"));
    reply_error(b, rq, DX__ERROR_CODE__ERR_BUSY, NULL,
                 "too many transfers in progress; try again shortly");
    return 0;
}

int record_system(broker_t *b, dx_event_t event, const char *reason)
{
    audit_fields_t f = { .event = event, .decision = "ok", .rule_id = "", .reason = reason,
                         .sha256 = event == DX_EV_POLICY_LOAD ? b->policy->sha256 : NULL };
    batch_op_begin(b->batch);
    int rv = record_audit(b, NULL, &f, NULL);
    if (rv == 0 && event == DX_EV_POLICY_LOAD)
        rv = policy_set_archive(b);
    return batch_op_end(b->batch, rv);
}
