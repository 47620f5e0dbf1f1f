/* audit_chain: hash-link and signed-head verification. */
#include "audit_chain.h"
#include "signed.h"
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
    if (!linked)
        c->suspect = expect;
    if ((rv = dx_sha256(rec, len, c->hash)) != 0)
        goto out;
    c->size = expect;
    rv = 0;
out:
    wire_free(&r);
    return rv;
}

int dx_head_open(const Dx__Signed *head, const uint8_t broker_pub[DX_ED25519_LEN],
                 Dx__AuditHead **out, char err[DX_ERRMSG])
{
    *out = NULL;
    if (!head) {
        snprintf(err, DX_ERRMSG, "there is no signed head of the audit log");
        return DX_ERR_INTEGRITY;
    }
    if (dx_signed_verify(head, DX_CTX_AUDIT_HEAD, broker_pub) != 0) {
        snprintf(err, DX_ERRMSG, "the audit log's head is not signed by the broker's key");
        return DX_ERR_INTEGRITY;
    }
    char why[DX_ERRMSG];
    if (wire_head_decode(head->body.data, head->body.len, out, why) != 0) {
        snprintf(err, DX_ERRMSG, "the signed head is malformed: %s", why);
        return DX_ERR_INTEGRITY;
    }
    return 0;
}

int dx_chain_check_head(dx_chain_t *c, const Dx__Signed *head, const uint8_t broker_pub[DX_ED25519_LEN],
                        char err[DX_ERRMSG])
{
    Dx__AuditHead *h = NULL;
    int rv = dx_head_open(head, broker_pub, &h, err);
    if (rv != 0)
        return rv;
    rv = DX_ERR_INTEGRITY;
    bool head_matches = h->hash.len == DX_SHA256_LEN && c->size > 0 &&
                        dx_equal(h->hash.data, c->hash, DX_SHA256_LEN);
    if (c->suspect && h->size == c->size) {
        /* The last record's link failed: the head says which side. */
        if (head_matches)
            s_altered(c, c->suspect - 1, "the next record's link to it does not match", err);
        else
            s_altered(c, c->suspect, "it does not match the signed head", err);
        goto out;
    }
    if (h->size != c->size) {
        c->bad_seq = h->size < c->size ? h->size + 1 : c->size + 1;
        snprintf(err, DX_ERRMSG,
                 "the signed head covers %llu records but the log has %llu: records %s",
                 (unsigned long long)h->size, (unsigned long long)c->size,
                 h->size > c->size ? "were removed from the end" : "were added without a signed head");
        goto out;
    }
    if (c->size > 0 && !head_matches) {
        s_altered(c, c->size, "it does not match the signed head", err);
        goto out;
    }
    rv = 0;
out:
    wire_free(&h);
    return rv;
}
