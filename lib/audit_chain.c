/* audit_chain: hash-link and signed-head verification. */
#include "audit_chain.h"
#include "signed.h"
#include "wire.h"

#include <stdio.h>
#include <string.h>

void dx_chain_init(dx_chain_t *c) { memset(c, 0, sizeof *c); }

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
    if (expect == 1 ? r->prev_hash.len != 0
                    : r->prev_hash.len != DX_SHA256_LEN ||
                          !dx_equal(r->prev_hash.data, c->hash, DX_SHA256_LEN)) {
        c->bad_seq = expect - 1;
        snprintf(err, DX_ERRMSG,
                 "record %llu was altered: record %llu's link to it does not match",
                 (unsigned long long)(expect - 1), (unsigned long long)expect);
        goto out;
    }
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
    if (h->size != c->size) {
        c->bad_seq = h->size < c->size ? h->size + 1 : c->size + 1;
        snprintf(err, DX_ERRMSG,
                 "the signed head covers %llu records but the log has %llu: records %s",
                 (unsigned long long)h->size, (unsigned long long)c->size,
                 h->size > c->size ? "were removed from the end" : "were added without a signed head");
        goto out;
    }
    if (c->size > 0 && (h->hash.len != DX_SHA256_LEN || !dx_equal(h->hash.data, c->hash, DX_SHA256_LEN))) {
        c->bad_seq = c->size;
        snprintf(err, DX_ERRMSG, "record %llu was altered: it does not match the signed head",
                 (unsigned long long)c->size);
        goto out;
    }
    rv = 0;
out:
    wire_free(&h);
    return rv;
}
