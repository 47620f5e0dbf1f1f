/* merkle: the RFC 9162 (Certificate Transparency 2.0) Merkle tree over the
 * audit log: leaf and node hashes, roots, inclusion and consistency proofs,
 * and their verification.
 *
 *   leaf hash  SHA-256(0x00 || record bytes)
 *   node hash  SHA-256(0x01 || left || right)
 *   MTH(D[n])  the RFC's tree hash, splitting at the largest power of two
 *              smaller than n
 *
 * Provers read the hashes of perfect subtrees through a callback (the
 * broker keeps every one of them in LMDB); verifiers need nothing but the
 * proof. dx_frontier_t rebuilds roots while streaming leaves, for
 * verification from the records themselves. */
#ifndef DX_MERKLE_H
#define DX_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#define DX_HASH_LEN 32
#define DX_PROOF_MAX 64       /* hashes in any proof of a tree below 2^63 leaves */

typedef uint8_t dx_hash_t[DX_HASH_LEN];

void dx_merkle_leaf(const void *data, size_t len, dx_hash_t out);
void dx_merkle_node(const dx_hash_t left, const dx_hash_t right, dx_hash_t out);
/* MTH of the empty tree: SHA-256 of nothing. */
void dx_merkle_empty(dx_hash_t out);

/* The hash of the perfect subtree of 2^level leaves starting at leaf
 * index << level. 0, or an error that the caller passes on. */
typedef int (*dx_merkle_get_fn)(void *arg, unsigned level, uint64_t index, dx_hash_t out);

int dx_merkle_root(dx_merkle_get_fn get, void *arg, uint64_t size, dx_hash_t out);
/* The inclusion proof of leaf index in the tree of size leaves. */
int dx_merkle_inclusion(dx_merkle_get_fn get, void *arg, uint64_t index, uint64_t size,
                        dx_hash_t proof[DX_PROOF_MAX], size_t *n);
/* The consistency proof from the tree of old leaves to the tree of size. */
int dx_merkle_consistency(dx_merkle_get_fn get, void *arg, uint64_t old, uint64_t size,
                          dx_hash_t proof[DX_PROOF_MAX], size_t *n);

/* RFC 9162 §2.1.3.2 and §2.1.4.2. 0 when the proof holds, else
 * DX_ERR_INTEGRITY. */
int dx_merkle_verify_inclusion(const dx_hash_t leaf, uint64_t index, uint64_t size,
                               const dx_hash_t *proof, size_t n, const dx_hash_t root);
int dx_merkle_verify_consistency(uint64_t old, uint64_t size, const dx_hash_t old_root,
                                 const dx_hash_t root, const dx_hash_t *proof, size_t n);

/* The right edge of a growing tree: the roots of its perfect subtrees. */
typedef struct {
    uint64_t size;
    dx_hash_t stack[64];      /* stack[i]: the subtree for bit i of size, if set */
} dx_frontier_t;

void dx_frontier_init(dx_frontier_t *f);
void dx_frontier_append(dx_frontier_t *f, const dx_hash_t leaf);
void dx_frontier_root(const dx_frontier_t *f, dx_hash_t out);

#endif
