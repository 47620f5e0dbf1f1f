/* audit_chain: hash links, the Merkle tree and signed heads, checked. */
#include "audit_chain.h"
#include "dxtime.h"
#include "wire.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void dx_chain_init(dx_chain_t *c) { memset(c, 0, sizeof *c); }

static int s_altered(dx_chain_t *c, uint64_t seq, const char *how, char err[DX_ERRMSG])
{
    c->bad_seq = seq;
    snprintf(err, DX_ERRMSG, "record %llu was altered: %s", (unsigned long long)seq, how);
    return DX_ERR_INTEGRITY;
}

int dx_chain_append(dx_chain_t *c, const uint8_t *rec, size_t len, char err[DX_ERRMSG])
{
    Dx__AuditRecord *r = NULL;
    uint64_t expect = c->size + 1;
    char why[DX_ERRMSG];
    if (wire_audit_decode(rec, len, &r, why) != 0) {
        c->bad_seq = expect;
        snprintf(err, DX_ERRMSG, "record %llu is corrupt: %s", (unsigned long long)expect, why);
        return DX_ERR_INTEGRITY;
    }
    int rv = DX_ERR_INTEGRITY;
    if (r->seq != expect) {
        c->bad_seq = expect;
        snprintf(err, DX_ERRMSG,
                 "record %llu carries sequence number %llu: records were removed, inserted or "
                 "reordered", (unsigned long long)expect, (unsigned long long)r->seq);
        goto out;
    }
    bool linked = expect == 1 ? r->prev_hash.len == 0
                              : r->prev_hash.len == DX_SHA256_LEN &&
                                    dx_equal(r->prev_hash.data, c->hash, DX_SHA256_LEN);
    if (c->suspect) {
        /* The previous record did not link to the one before it. If this
         * one links to it, its bytes are the original ones and the one
         * before was changed; if not, it was changed itself. */
        rv = linked ? s_altered(c, c->suspect - 1, "the next record's link to it does not match", err)
                    : s_altered(c, c->suspect, "its bytes no longer match its neighbours' links", err);
        goto out;
    }
    dx_hash_t leaf;
    dx_merkle_leaf(rec, len, leaf);
    if (!linked)
        c->suspect = expect;
    dx_frontier_append(&c->tree, leaf);
    memcpy(c->hash, leaf, DX_HASH_LEN);
    c->size = expect;
    rv = 0;
out:
    wire_free(&r);
    return rv;
}

int dx_chain_check(dx_chain_t *c, const dx_checkpoint_t *head, bool final, char err[DX_ERRMSG])
{
    dx_hash_t root;
    char t[DX_TIME_TEXT];
    dx_time_format(head->time_ms, t);
    if (head->size > c->size || (final && head->size != c->size)) {
        c->bad_seq = head->size < c->size ? head->size + 1 : c->size + 1;
        snprintf(err, DX_ERRMSG,
                 "the head signed at %s covers %llu records but the log has %llu: records %s", t,
                 (unsigned long long)head->size, (unsigned long long)c->size,
                 head->size > c->size ? "were removed from the end"
                                      : "were added without a signed head");
        return DX_ERR_INTEGRITY;
    }
    if (head->size < c->size) {
        snprintf(err, DX_ERRMSG, "a head was checked out of order");
        return DX_ERR_INTERNAL;
    }
    dx_frontier_root(&c->tree, root);
    bool matches = dx_equal(root, head->root, DX_HASH_LEN);
    /* the head vouches for its last record's leaf */
    bool last_ok = !head->has_leaf || c->size == 0 || dx_equal(head->leaf, c->hash, DX_HASH_LEN);
    if (c->suspect && c->suspect == c->size) {
        /* The last record's link failed: either it or the one before it
         * changed, and the head's leaf says which. */
        return last_ok ? s_altered(c, c->suspect - 1, "the next record's link to it does not match", err)
                       : s_altered(c, c->suspect, "it does not match the signed head", err);
    }
    if (!last_ok)
        return s_altered(c, c->size, "it does not match the signed head", err);
    if (!matches) {
        c->bad_seq = c->matched + 1;
        if (c->matched + 1 >= c->size)
            return s_altered(c, c->size, "it does not match the signed head", err);
        snprintf(err, DX_ERRMSG,
                 "records %llu to %llu were rewritten: they link to each other but do not hash to "
                 "the root the broker signed at %s", (unsigned long long)(c->matched + 1),
                 (unsigned long long)c->size, t);
        return DX_ERR_INTEGRITY;
    }
    c->matched = c->size;
    return 0;
}
