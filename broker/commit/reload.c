/* reload: the policy directory loaded again, recorded either way. */
#include "reload.h"
#include "encode.h"
#include "log.h"
#include "policy_check.h"
#include "policy_load.h"
#include "policy_set.h"
#include "record.h"
#include "broker.h"

#include <stdio.h>
#include <string.h>

int reload_policy(broker_t *b, const request_t *rq, const char *signal_by, dx_diag_t *diag,
                  char reason[DX_ERRMSG + 64])
{
    dx_policy_t *p = NULL;
    char hex[65], by[96];
    snprintf(by, sizeof by, "%s", rq ? rq->member_id : signal_by ? signal_by : "the broker");
    int rv = dx_policy_load(b->cfg.policy_dir, &p, diag);
    if (rv == 0)
        dx_policy_check_broker(p, b->key.pub.sign, b->key.pub.curve, b->cfg.policy_dir, diag);
    policy_set_log_diag(diag);
    if (rv != 0) {
        snprintf(reason, DX_ERRMSG + 64, "reload refused, %zu error(s); the last good set stays: %s",
                 diag->errors, dx_diag_first(diag));
        dx_hex_encode(diag->sha256, DX_SHA256_LEN, hex);
        dx_log_kv(DX_LOG_ERROR, "policy-refused", DX_KV("by", by),
                  DX_KV("sha256", diag->hashed ? hex : ""), DX_KU("errors", diag->errors),
                  DX_KV("first", dx_diag_first(diag)),
                  DX_KV("do", "fix the policy files, check them with dx-admin policy check, reload"));
        policy_set_note_reload(b, by, false, diag);
    } else {
        snprintf(reason, DX_ERRMSG + 64, "policy set loaded: %zu members, %zu namespaces, %zu rules",
                 p->nmembers, p->nnamespaces, p->nrules);
        dx_hex_encode(p->sha256, DX_SHA256_LEN, hex);
        if ((rv = policy_set_swap(b, p)) != 0)
            return rv;
        dx_log_kv(DX_LOG_INFO, "policy-loaded", DX_KV("sha256", hex), DX_KV("by", by),
                  DX_KU("members", b->policy->nmembers), DX_KU("namespaces", b->policy->nnamespaces),
                  DX_KU("rules", b->policy->nrules));
        policy_set_note_reload(b, by, true, diag);
    }
    if (!rq && signal_by) /* the record's member is the broker: say who asked */
        snprintf(reason + strlen(reason), DX_ERRMSG + 64 - strlen(reason), " (by %s)", signal_by);
    /* The record's sha256 is the set that was tried; its policy_sha256 the
     * set in force afterwards: equal when the load succeeded. */
    audit_fields_t f = { .event = DX_EV_POLICY_LOAD, .action = "reload",
                         .sha256 = diag->hashed ? diag->sha256 : NULL,
                         .decision = rv == 0 ? "ok" : "error", .rule_id = "", .reason = reason };
    int arv = record_audit(b, rq, &f, NULL);
    if (arv == 0 && rv == 0)
        arv = policy_set_archive(b);
    return arv ? arv : rv;
}
