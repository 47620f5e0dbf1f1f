/* audit: the broker's side of the hash-chained, signed audit log. */
#include "audit.h"
#include "audit_chain.h"
#include "signed.h"
#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct audit {
    const uint8_t *secret;
    audit_state_t tip;
    uint64_t signed_size;       /* size of the last head signed */
};

/* The stored head must be ours and must describe the stored tip. */
static int s_check_tip(audit_t *a, store_txn_t *t, char err[DX_ERRMSG])
{
    store_val_t hv;
    Dx__Signed *head = NULL;
    uint8_t pub[DX_ED25519_LEN];
    char why[DX_ERRMSG];
    int rv = store_meta_get(t, "head", &hv);
    if (rv == DX_ERR_NOT_FOUND) {
        if (a->tip.size == 0)
            return 0;
        snprintf(err, DX_ERRMSG, "the audit log has %llu records but no signed head",
                 (unsigned long long)a->tip.size);
        return DX_ERR_INTEGRITY;
    }
    if (rv != 0)
        return rv;
    if ((rv = dx_ed25519_public(a->secret, pub)) != 0)
        return rv;
    if (wire_signed_decode(hv.data, hv.len, &head, why) != 0) {
        snprintf(err, DX_ERRMSG, "the audit log's signed head is malformed: %s", why);
        return DX_ERR_INTEGRITY;
    }
    dx_chain_t c;
    dx_chain_init(&c);
    c.size = a->tip.size;
    memcpy(c.hash, a->tip.hash, DX_SHA256_LEN);
    rv = dx_chain_check_head(&c, head, pub, why);
    if (rv != 0)
        snprintf(err, DX_ERRMSG, "the audit log does not match its last signed head (%s); it "
                 "was changed while the broker was stopped: run dx-audit verify --db", why);
    wire_free(&head);
    return rv;
}

int audit_open(store_t *s, const uint8_t *secret, audit_t **out, char err[DX_ERRMSG])
{
    store_txn_t *t = NULL;
    audit_t *a = calloc(1, sizeof *a);
    int rv;
    if (!a)
        return DX_ERR_NOMEM;
    a->secret = secret;
    snprintf(err, DX_ERRMSG, "cannot read the audit log");
    if ((rv = store_begin(s, NULL, false, &t)) != 0)
        goto fail;
    if ((rv = store_audit_last(t, &a->tip.size)) != 0)
        goto fail;
    if (a->tip.size > 0) {
        store_val_t v;
        if ((rv = store_audit_get(t, a->tip.size, &v)) != 0 ||
            (rv = dx_sha256(v.data, v.len, a->tip.hash)) != 0)
            goto fail;
    }
    if ((rv = s_check_tip(a, t, err)) != 0)
        goto fail;
    store_abort(&t);
    a->signed_size = UINT64_MAX; /* sign a fresh head at the first commit */
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
        free(*a_p);
        *a_p = NULL;
    }
}

int audit_append(audit_t *a, store_txn_t *t, Dx__AuditRecord *r, uint64_t *seq_out)
{
    uint8_t *bytes = NULL;
    size_t len = 0;
    int rv;
    r->seq = a->tip.size + 1;
    r->prev_hash.data = a->tip.size ? a->tip.hash : NULL;
    r->prev_hash.len = a->tip.size ? DX_SHA256_LEN : 0;
    rv = wire_pack(&r->base, &bytes, &len);
    r->prev_hash.data = NULL;
    r->prev_hash.len = 0;
    if (rv != 0)
        return rv;
    if ((rv = store_audit_put(t, r->seq, bytes, len)) == 0 &&
        (rv = dx_sha256(bytes, len, a->tip.hash)) == 0) {
        a->tip.size = r->seq;
        if (seq_out)
            *seq_out = r->seq;
    }
    free(bytes);
    return rv;
}

int audit_sign_head(audit_t *a, store_txn_t *t, int64_t now_ms)
{
    if (a->tip.size == a->signed_size)
        return 0;
    Dx__AuditHead head = DX__AUDIT_HEAD__INIT;
    Dx__Signed s;
    uint8_t *bytes = NULL;
    size_t len = 0;
    int rv;
    head.size = a->tip.size;
    head.hash.data = a->tip.size ? a->tip.hash : NULL;
    head.hash.len = a->tip.size ? DX_SHA256_LEN : 0;
    head.time_ms = now_ms;
    if ((rv = dx_signed_make(&head.base, DX_CTX_AUDIT_HEAD, a->secret, &s)) != 0)
        return rv;
    if ((rv = wire_pack(&s.base, &bytes, &len)) == 0 &&
        (rv = store_meta_put(t, "head", bytes, len)) == 0)
        a->signed_size = a->tip.size;
    free(bytes);
    dx_signed_clear(&s);
    return rv;
}

audit_state_t audit_state(const audit_t *a) { return a->tip; }

void audit_restore(audit_t *a, audit_state_t st)
{
    a->tip = st;
    a->signed_size = UINT64_MAX;
}
