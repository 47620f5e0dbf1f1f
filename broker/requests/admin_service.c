/* admin: the data office's requests to a running broker. Only members with
 * the role admin (dispatch.c's table); every attempt is an audit record. */
#include "tsa.h"
#include "admin_service.h"
#include "group.h"
#include "pool.h"
#include "broker.h"
#include "dxtime.h"
#include "log.h"
#include "vault.h"
#include "version.h"
#include "audit.h"
#include "batch.h"
#include "feed.h"
#include "policy_set.h"
#include "record.h"
#include "reload.h"
#include "reply.h"
#include "sessions.h"

#include <stdio.h>
#include <stdlib.h>

#define PROBLEMS_MAX 100

int admin_reload(broker_t *b, request_t *rq)
{
    dx_diag_t diag = { 0 };
    char reason[DX_ERRMSG + 64];
    int rv = reload_policy(b, rq, NULL, &diag, reason);
    rq->member = NULL; /* the set it pointed into may be gone */
    rq->policy = b->policy;
    rq->refused = rv == DX_ERR_POLICY; /* counted as refused, though answered with a result */
    if (rv != 0 && rv != DX_ERR_POLICY)
        goto out;
    Dx__Reply reply = DX__REPLY__INIT;
    Dx__ReloadResult res = DX__RELOAD_RESULT__INIT;
    res.loaded = rv == 0;
    res.policy_sha256.data = b->policy->sha256;
    res.policy_sha256.len = DX_SHA256_LEN;
    res.summary = reason;
    res.problems = diag.lines;
    res.n_problems = diag.n < PROBLEMS_MAX ? diag.n : PROBLEMS_MAX;
    reply.body_case = DX__REPLY__BODY_RELOAD;
    reply.reload = &res;
    rv = reply_later(b, rq, &reply, NULL, 0);
out:
    dx_diag_free(&diag);
    return rv;
}

int admin_status(broker_t *b, request_t *rq)
{
    Dx__Reply reply = DX__REPLY__INIT;
    Dx__BrokerStatus st = DX__BROKER_STATUS__INIT;
    audit_state_t a = audit_state(b->audit);
    batch_stats_t bs = batch_stats(b->batch);
    uint64_t used = 0, map = 0;
    int rv = store_usage(b->store, &used, &map);
    if (rv != 0)
        return rv;
    st.version = (char *)dx_version();
    st.started_ms = b->started_ms;
    st.now_ms = rq->now_ms;
    st.endpoint = b->endpoint;
    st.policy_sha256.data = b->policy->sha256;
    st.policy_sha256.len = DX_SHA256_LEN;
    st.policy_loaded_ms = b->current->loaded_ms; /* the writer swaps it: ours to read */
    st.members = (uint32_t)b->policy->nmembers;
    st.open_transfers = (uint32_t)sessions_count(b->sessions);
    st.store_bytes = used;
    st.map_bytes = map;
    st.audit_size = a.size;
    st.audit_last_ms = a.last_time;
    st.last_commit_us = bs.last_commit_us;
    st.commits = bs.commits;
    st.subscriptions = (uint32_t)feed_subs_count(b->feed_subs);
    reload_state_t r = policy_set_reload_state(b);
    st.reload_ms = r.at_ms;
    st.reload_ok = r.ok;
    st.reload_by = r.by;
    if (r.at_ms && !r.ok) {
        st.refused_policy_sha256.data = r.refused_hashed ? r.refused_sha256 : NULL;
        st.refused_policy_sha256.len = r.refused_hashed ? DX_SHA256_LEN : 0;
        st.refused_reason = r.refused_reason;
    }
    st.reloads_refused = r.refused;
    char store[DX_ERRMSG + 8], down[DX_ERRMSG] = "";
    snprintf(store, sizeof store, "%s%s", b->pool ? "rados: " : "lmdb", b->pool ? pool_describe(b->pool) : "");
    st.content_store = store;
    st.content_down_ms = b->pool ? pool_down_since(b->pool, down) : 0;
    st.content_down_reason = down;
    group_status(b, &st);
    tsa_state_t ts;
    tsa_state(b, &ts);
    st.tsa_url = ts.url;
    st.stamp_time_ms = ts.time_ms;
    st.stamp_head_size = ts.head_size;
    st.stamp_error = ts.error;
    audit_fields_t f = { .event = DX_EV_STATUS, .action = "status", .allow = true,
                         .rule_id = "", .reason = "the broker's status" };
    if ((rv = record_audit(b, rq, &f, NULL)) != 0)
        return rv;
    reply.body_case = DX__REPLY__BODY_STATUS;
    reply.status = &st;
    return reply_later(b, rq, &reply, NULL, 0);
}

/* A new master key, made here (or on the token) so that it never crosses
 * the network: every content key is rewrapped under it (vault_rotate:
 * crash-safe, on this thread, so no publish or erasure runs meanwhile), and
 * it becomes the key --master-key names. */
int admin_rotate_master_key(broker_t *b, request_t *rq)
{
    audit_fields_t f = { .event = DX_EV_MASTER_KEY, .action = "rotate",
                         .rule_id = dx_pseudo_rule(DX_PSEUDO_ROLE_ADMIN) };
    char reason[DX_ERRMSG + 200], old_id[DX_MASTER_ID_TEXT], new_id[DX_MASTER_ID_TEXT];
    char err[DX_ERRMSG] = "";
    uint32_t count = 0;
    if (!b->cfg.master_key_path) {
        f.reason = "rotation refused: this broker derives its master key from its own key file "
                   "(no --master-key), so there is no key file to replace";
        return record_refusal(b, rq, &f, DX__ERROR_CODE__ERR_UNSUPPORTED);
    }
    vault_master_id(b->vault, old_id);
    int rv = vault_rotate(b->vault, &count, err);
    vault_master_id(b->vault, new_id);
    if (rv != 0) {
        snprintf(reason, sizeof reason, "master key rotation failed: %s", err[0] ? err : dx_strerror(rv));
        dx_error("master-key-rotation-failed", "%s", reason);
        f.reason = reason;
        f.decision = "error";
        return record_refusal(b, rq, &f, DX__ERROR_CODE__ERR_STORAGE);
    }
    snprintf(reason, sizeof reason, "master key rotated: %s -> %s, %u content keys rewrapped, %s "
             "replaced", old_id, new_id, count, b->cfg.master_key_path);
    dx_log_kv(DX_LOG_INFO, "master-key-rotated", DX_KV("from", old_id), DX_KV("to", new_id),
              DX_KU("keys", count), DX_KV("by", rq->member_id));
    f.decision = "ok";
    f.reason = reason;
    if ((rv = record_audit(b, rq, &f, NULL)) != 0)
        return rv;
    Dx__Reply reply = DX__REPLY__INIT;
    Dx__MasterKeyRotated res = DX__MASTER_KEY_ROTATED__INIT;
    res.old_id = old_id;
    res.new_id = new_id;
    res.keys = count;
    reply.body_case = DX__REPLY__BODY_MASTER_KEY_ROTATED;
    reply.master_key_rotated = &res;
    return reply_later(b, rq, &reply, NULL, 0);
}
