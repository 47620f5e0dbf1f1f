/* audit_chain: verifying the audit log from its records, shared by the
 * broker (at start) and dx-audit (online, offline, exported files).
 *
 * Two structures cover the records, and the verifier recomputes both:
 *   - a hash chain: record n carries prev_hash = the Merkle leaf hash of
 *     record n-1, SHA-256(0x00 || its bytes). It names an altered record:
 *     changing record n breaks record n+1's link, and when record n+1 was
 *     the one changed, record n+2's link breaks too, which tells the two
 *     apart; for the last record, the signed head names its leaf;
 *   - the RFC 9162 Merkle tree over the records (merkle.h), whose roots the
 *     broker signs in checkpoints (checkpoint.h). Every signed head of size s
 *     must equal the root recomputed over the first s records, so removing,
 *     inserting, reordering, truncating or rewriting is found unless the
 *     broker's key signed the new history, and a head an auditor saved
 *     earlier catches even that. */
#ifndef DX_AUDIT_CHAIN_H
#define DX_AUDIT_CHAIN_H

#include "checkpoint.h"
#include "crypto.h"
#include "err.h"
#include "merkle.h"

#include <stdint.h>

typedef struct {
    uint64_t size;                 /* records checked */
    dx_hash_t hash;                /* the last record's leaf hash */
    dx_frontier_t tree;            /* the Merkle tree so far */
    uint64_t matched;              /* records a signed head has confirmed */
    uint64_t bad_seq;              /* the record an error names, 0 if none */
    uint64_t suspect;              /* a record whose link failed; verdict pending */
} dx_chain_t;

void dx_chain_init(dx_chain_t *c);
/* Checks that rec (stored bytes) is the next record, and extends the
 * chain and the tree. DX_ERR_INTEGRITY with err and bad_seq when not; a
 * broken link is reported one record later (or at the head check), once it
 * is known which side of it was altered. */
int dx_chain_append(dx_chain_t *c, const uint8_t *rec, size_t len, char err[DX_ERRMSG]);
/* Checks a signed head against the records so far. With final set, the head
 * must cover exactly the records seen (the end of the log); otherwise its
 * size must be the number seen so far. */
int dx_chain_check(dx_chain_t *c, const dx_checkpoint_t *head, bool final, char err[DX_ERRMSG]);

#endif
