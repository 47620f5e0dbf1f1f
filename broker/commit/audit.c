/* audit: the broker's side of the audit log (see audit.h). */
#include "audit.h"
#include "audit_chain.h"
#include "audit_log.h"
#include "wire.h"
#include "broker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct audit {
    const dx_signer_t *signer;
    char origin[DX_ORIGIN_MAX + 1];
    audit_state_t tip;
    uint64_t signed_size;        /* the size of the pending head */
    char pending[DX_CHECKPOINT_MAX + 1];
    size_t pending_len;
    char head[DX_CHECKPOINT_MAX + 1];   /* committed */
    size_t head_len;
    uint64_t history_size;
    int64_t history_ms;
    bool history_wanted;
    uint64_t pending_history_size;
    int64_t pending_history_ms;
};

/* The stored head must be ours and must describe the stored tip. */
static int s_check_tip(audit_t *a, store_txn_t *t, char err[DX_ERRMSG])
{
    store_val_t hv, rec;
    dx_checkpoint_t cp;
    char why[DX_ERRMSG];
    int rv = dx_log_head(t, &hv);
    if (rv == DX_ERR_NOT_FOUND) {
        if (a->tip.size == 0)
            return 0;
        snprintf(err, DX_ERRMSG, "the audit log has %llu records but no signed head",
                 (unsigned long long)a->tip.size);
        return DX_ERR_INTEGRITY;
    }
    if (rv != 0)
        return rv;
    if (dx_checkpoint_open((const char *)hv.data, hv.len, dx_signer_public(a->signer), &cp, why) != 0) {
        snprintf(err, DX_ERRMSG, "the audit log's head is not one this broker signed (%s)", why);
        return DX_ERR_INTEGRITY;
    }
    memcpy(a->head, hv.data, hv.len);
    a->head[hv.len] = '\0';
    a->head_len = hv.len;
    /* the tree's nodes must give the signed root, and the last record must
     * be the leaf they were built from */
    dx_hash_t root, leaf, stored;
    dx_frontier_root(&a->tip.tree, root);
    bool ok = cp.size == a->tip.size && dx_equal(root, cp.root, DX_HASH_LEN);
    if (ok && a->tip.size > 0) {
        ok = store_audit_get(t, a->tip.size, &rec) == 0 &&
             store_tree_get(t, 0, a->tip.size - 1, stored) == 0;
        if (ok) {
            dx_merkle_leaf(rec.data, rec.len, leaf);
            ok = dx_equal(leaf, stored, DX_HASH_LEN);
        }
    }
    if (!ok) {
        snprintf(err, DX_ERRMSG, "the audit log (%llu records) does not match its last signed head "
                 "(%llu records); it was changed while the broker was stopped: run dx-audit verify --db",
                 (unsigned long long)a->tip.size, (unsigned long long)cp.size);
        return DX_ERR_INTEGRITY;
    }
    return 0;
}

static int s_last_head(void *arg, uint64_t size, store_val_t val)
{
    (void)val;
    *(uint64_t *)arg = size;
    return 0;
}

int audit_open(store_t *s, const dx_signer_t *signer, const char *origin, audit_t **out,
               char err[DX_ERRMSG])
{
    store_txn_t *t = NULL;
    audit_t *a = calloc(1, sizeof *a);
    int rv;
    if (!a) {
        snprintf(err, DX_ERRMSG, "cannot open the audit log: out of memory");
        return DX_ERR_NOMEM;
    }
    a->signer = signer;
    snprintf(a->origin, sizeof a->origin, "%s", origin);
    snprintf(err, DX_ERRMSG, "cannot read the audit log");
    if ((rv = store_begin(s, NULL, false, &t)) != 0 || (rv = store_audit_last(t, &a->tip.size)) != 0)
        goto fail;
    if (a->tip.size > 0) {
        store_val_t v;
        Dx__AuditRecord *r = NULL;
        char why[DX_ERRMSG];
        if ((rv = store_audit_get(t, a->tip.size, &v)) != 0)
            goto fail;
        dx_merkle_leaf(v.data, v.len, a->tip.hash);
        if (wire_audit_decode(v.data, v.len, &r, why) != 0) {
            snprintf(err, DX_ERRMSG, "the last audit record is corrupt: %s", why);
            rv = DX_ERR_INTEGRITY;
            goto fail;
        }
        a->tip.last_time = r->time_ms;
        wire_free(&r);
    }
    if ((rv = dx_log_frontier(t, a->tip.size, &a->tip.tree)) != 0) {
        snprintf(err, DX_ERRMSG, "the audit log's tree is incomplete: run dx-audit verify --db");
        goto fail;
    }
    if ((rv = s_check_tip(a, t, err)) != 0 || (rv = store_heads_each(t, 0, s_last_head, &a->history_size)) != 0)
        goto fail;
    store_abort(&t);
    a->signed_size = a->tip.size;
    *out = a;
    return 0;
fail:
    store_abort(&t);
    free(a);
    return rv;
}

void audit_destroy(audit_t **a_p)
{
    if (a_p && *a_p) {
        dx_wipe(*a_p, sizeof **a_p);
        free(*a_p);
        *a_p = NULL;
    }
}

/* The record's leaf and every node it completes, as the frontier merges. */
static int s_tree_append(audit_t *a, store_txn_t *t, const uint8_t *bytes, size_t len)
{
    dx_frontier_t *f = &a->tip.tree;
    dx_hash_t h;
    uint64_t index = f->size;
    int rv;
    dx_merkle_leaf(bytes, len, h);
    if ((rv = store_tree_put(t, 0, index, h)) != 0)
        return rv;
    unsigned level = 0;
    while (f->size & (1ULL << level)) {
        dx_merkle_node(f->stack[level], h, h);
        level++;
        if ((rv = store_tree_put(t, level, index >> level, h)) != 0)
            return rv;
    }
    memcpy(f->stack[level], h, DX_HASH_LEN);
    f->size++;
    return 0;
}

static int s_index(store_txn_t *t, const Dx__AuditRecord *r)
{
    char keys[DX_PATH_KEYS_MAX][DX_NAME_MAX + 2];
    size_t n = 0;
    int rv;
    if (r->member[0] && (rv = store_index_put(t, STORE_BY_MEMBER, r->member, r->seq)) != 0)
        return rv;
    if (dx_log_path_keys(r->dataset, keys, &n) != 0)
        return 0; /* no dataset, or a pattern (a list): not indexed by path */
    for (size_t i = 0; i < n; i++)
        if ((rv = store_index_put(t, STORE_BY_PATH, keys[i], r->seq)) != 0)
            return rv;
    return 0;
}

int audit_append(audit_t *a, store_txn_t *t, Dx__AuditRecord *r, uint64_t *seq_out)
{
    uint8_t *bytes = NULL;
    size_t len = 0;
    int rv;
    if (r->time_ms < a->tip.last_time)
        r->time_ms = a->tip.last_time; /* a clock stepped back shows as a repeated time */
    r->seq = a->tip.size + 1;
    r->prev_hash.data = a->tip.size ? a->tip.hash : NULL;
    r->prev_hash.len = a->tip.size ? DX_SHA256_LEN : 0;
    rv = wire_pack(&r->base, &bytes, &len);
    r->prev_hash.data = NULL;
    r->prev_hash.len = 0;
    if (rv != 0)
        return rv;
    if ((rv = store_audit_put(t, r->seq, bytes, len)) == 0 && (rv = s_tree_append(a, t, bytes, len)) == 0 &&
        (rv = s_index(t, r)) == 0) {
        dx_merkle_leaf(bytes, len, a->tip.hash);
        a->tip.size = r->seq;
        a->tip.last_time = r->time_ms;
        if (seq_out)
            *seq_out = r->seq;
    }
    free(bytes);
    return rv;
}

int audit_sign_head(audit_t *a, store_txn_t *t, int64_t now_ms)
{
    int rv;
    a->pending_history_size = 0;
    if (a->tip.size != a->signed_size) {
        dx_checkpoint_t cp = { .size = a->tip.size, .time_ms = now_ms, .has_leaf = a->tip.size > 0 };
        snprintf(cp.origin, sizeof cp.origin, "%s", a->origin);
        dx_frontier_root(&a->tip.tree, cp.root);
        memcpy(cp.leaf, a->tip.hash, DX_HASH_LEN);
        if ((rv = dx_checkpoint_sign(&cp, a->signer, a->pending, &a->pending_len)) != 0 ||
            (rv = store_meta_put(t, "head", a->pending, a->pending_len)) != 0)
            return rv;
        a->signed_size = a->tip.size;
    } else if (a->pending_len == 0) {
        memcpy(a->pending, a->head, a->head_len + 1);
        a->pending_len = a->head_len;
    }
    bool due = a->history_wanted || now_ms - a->history_ms >= AUDIT_HISTORY_MS;
    if (due && a->signed_size != a->history_size && a->pending_len) {
        if ((rv = store_head_put(t, a->signed_size, a->pending, a->pending_len)) != 0)
            return rv;
        a->pending_history_size = a->signed_size;
        a->pending_history_ms = now_ms;
    }
    return 0;
}

void audit_want_history(audit_t *a) { a->history_wanted = true; }

void audit_committed(audit_t *a, bool ok)
{
    if (ok) {
        memcpy(a->head, a->pending, a->pending_len + 1);
        a->head_len = a->pending_len;
        if (a->pending_history_size) {
            a->history_size = a->pending_history_size;
            a->history_ms = a->pending_history_ms;
            a->history_wanted = false;
        }
    }
    a->pending_history_size = 0;
}

const char *audit_head(const audit_t *a, size_t *len)
{
    *len = a->head_len;
    return a->head;
}

audit_state_t audit_state(const audit_t *a) { return a->tip; }

void audit_restore(audit_t *a, const audit_state_t *st)
{
    a->tip = *st;
    /* the pending head may describe records now undone: sign afresh */
    if (a->signed_size != a->tip.size)
        a->signed_size = UINT64_MAX;
}
