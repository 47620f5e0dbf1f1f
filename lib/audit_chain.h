/* audit_chain: checking the audit log's hash links and signed head, shared
 * by the broker (which builds them) and dx-audit (which verifies them,
 * online or from a copy of the data directory).
 *
 * Record n (seq n, counting from 1) is stored as bytes B(n); it carries
 * prev_hash = SHA-256(B(n-1)) (empty for n = 1). The head the broker signs
 * after every commit is (size N, SHA-256(B(N)), time). So:
 *   - changing any record n < N breaks record n+1's prev_hash (and when
 *     record n+1 itself was changed, record n+2's link breaks too: that is
 *     how the verifier tells which of the two was altered),
 *   - changing record N breaks the head,
 *   - removing, inserting or reordering records breaks the seq numbers or
 *     the links, and truncating the log breaks the head's size,
 * and nobody without the broker's key can re-sign a rewritten log. */
#ifndef DX_AUDIT_CHAIN_H
#define DX_AUDIT_CHAIN_H

#include "crypto.h"
#include "dx.pb-c.h"
#include "err.h"

#include <stdint.h>

typedef struct {
    uint64_t size;                 /* records checked */
    uint8_t hash[DX_SHA256_LEN];   /* SHA-256 of the last record's bytes */
    uint64_t bad_seq;              /* the record an error names, 0 if none */
    uint64_t suspect;              /* a record whose link failed; verdict pending */
} dx_chain_t;

void dx_chain_init(dx_chain_t *c);
/* Checks that rec (stored bytes) is the next record of the chain, and
 * extends it. DX_ERR_INTEGRITY with err and bad_seq when it is not; a
 * broken link is reported one record later (or by the head check), once it
 * is known which side of the link was altered. */
int dx_chain_append(dx_chain_t *c, const uint8_t *rec, size_t len, char err[DX_ERRMSG]);
/* Checks that the chain as extended so far is what head says, and that
 * head is signed by the broker. */
int dx_chain_check_head(dx_chain_t *c, const Dx__Signed *head, const uint8_t broker_pub[DX_ED25519_LEN],
                        char err[DX_ERRMSG]);
/* The size a signed head claims, after checking its signature. */
int dx_head_open(const Dx__Signed *head, const uint8_t broker_pub[DX_ED25519_LEN],
                 Dx__AuditHead **out, char err[DX_ERRMSG]);

#endif
