/* merkle: RFC 9162 trees, proofs and verification. */
#include "merkle.h"
#include "crypto.h"
#include "err.h"

#include <stdbool.h>
#include <string.h>

void dx_merkle_leaf(const void *data, size_t len, dx_hash_t out)
{
    dx_sha256_t *h = NULL;
    static const uint8_t prefix = 0x00;
    if (dx_sha256_new(&h) == 0 && dx_sha256_update(h, &prefix, 1) == 0 &&
        dx_sha256_update(h, data, len) == 0 && dx_sha256_final(h, out) == 0) {
        dx_sha256_destroy(&h);
        return;
    }
    dx_sha256_destroy(&h);
    memset(out, 0, DX_HASH_LEN); /* cannot happen short of a broken OpenSSL */
}

void dx_merkle_node(const dx_hash_t left, const dx_hash_t right, dx_hash_t out)
{
    uint8_t buf[1 + 2 * DX_HASH_LEN];
    buf[0] = 0x01;
    memcpy(buf + 1, left, DX_HASH_LEN);
    memcpy(buf + 1 + DX_HASH_LEN, right, DX_HASH_LEN);
    if (dx_sha256(buf, sizeof buf, out) != 0)
        memset(out, 0, DX_HASH_LEN);
}

void dx_merkle_empty(dx_hash_t out)
{
    if (dx_sha256("", 0, out) != 0)
        memset(out, 0, DX_HASH_LEN);
}

/* The largest power of two smaller than n (n > 1). */
static uint64_t s_split(uint64_t n)
{
    uint64_t k = 1;
    while (k << 1 < n)
        k <<= 1;
    return k;
}

static bool s_pow2(uint64_t n) { return n && !(n & (n - 1)); }

static unsigned s_log2(uint64_t n)
{
    unsigned l = 0;
    while ((1ULL << l) < n)
        l++;
    return l;
}

/* MTH of leaves [start, start + n): start is always a multiple of the
 * perfect subtrees the recursion asks for. */
static int s_range(dx_merkle_get_fn get, void *arg, uint64_t start, uint64_t n, dx_hash_t out)
{
    if (s_pow2(n)) {
        unsigned level = s_log2(n);
        return get(arg, level, start >> level, out);
    }
    uint64_t k = s_split(n);
    dx_hash_t l, r;
    int rv;
    if ((rv = get(arg, s_log2(k), start >> s_log2(k), l)) != 0 ||
        (rv = s_range(get, arg, start + k, n - k, r)) != 0)
        return rv;
    dx_merkle_node(l, r, out);
    return 0;
}

int dx_merkle_root(dx_merkle_get_fn get, void *arg, uint64_t size, dx_hash_t out)
{
    if (size == 0) {
        dx_merkle_empty(out);
        return 0;
    }
    return s_range(get, arg, 0, size, out);
}

/* PATH(m, D[start:start+n]), appending to proof deepest first. */
static int s_path(dx_merkle_get_fn get, void *arg, uint64_t m, uint64_t start, uint64_t n,
                  dx_hash_t *proof, size_t *len)
{
    if (n == 1)
        return 0;
    uint64_t k = s_split(n);
    int rv;
    if (*len >= DX_PROOF_MAX)
        return DX_ERR_TOO_BIG;
    if (m < k) {
        if ((rv = s_path(get, arg, m, start, k, proof, len)) != 0)
            return rv;
        return s_range(get, arg, start + k, n - k, proof[(*len)++]);
    }
    if ((rv = s_path(get, arg, m - k, start + k, n - k, proof, len)) != 0)
        return rv;
    return s_range(get, arg, start, k, proof[(*len)++]);
}

int dx_merkle_inclusion(dx_merkle_get_fn get, void *arg, uint64_t index, uint64_t size,
                        dx_hash_t proof[DX_PROOF_MAX], size_t *n)
{
    *n = 0;
    if (index >= size)
        return DX_ERR_INVALID;
    return s_path(get, arg, index, 0, size, proof, n);
}

/* SUBPROOF(m, D[start:start+n], b). */
static int s_subproof(dx_merkle_get_fn get, void *arg, uint64_t m, uint64_t start, uint64_t n,
                      bool b, dx_hash_t *proof, size_t *len)
{
    int rv;
    if (*len >= DX_PROOF_MAX)
        return DX_ERR_TOO_BIG;
    if (m == n)
        return b ? 0 : s_range(get, arg, start, n, proof[(*len)++]);
    uint64_t k = s_split(n);
    if (m <= k) {
        if ((rv = s_subproof(get, arg, m, start, k, b, proof, len)) != 0)
            return rv;
        return s_range(get, arg, start + k, n - k, proof[(*len)++]);
    }
    if ((rv = s_subproof(get, arg, m - k, start + k, n - k, false, proof, len)) != 0)
        return rv;
    return s_range(get, arg, start, k, proof[(*len)++]);
}

int dx_merkle_consistency(dx_merkle_get_fn get, void *arg, uint64_t old, uint64_t size,
                          dx_hash_t proof[DX_PROOF_MAX], size_t *n)
{
    *n = 0;
    if (old > size)
        return DX_ERR_INVALID;
    if (old == 0 || old == size)
        return 0;
    return s_subproof(get, arg, old, 0, size, true, proof, n);
}

int dx_merkle_verify_inclusion(const dx_hash_t leaf, uint64_t index, uint64_t size,
                               const dx_hash_t *proof, size_t n, const dx_hash_t root)
{
    if (index >= size)
        return DX_ERR_INTEGRITY;
    uint64_t fn = index, sn = size - 1;
    dx_hash_t r;
    memcpy(r, leaf, DX_HASH_LEN);
    for (size_t i = 0; i < n; i++) {
        if (sn == 0)
            return DX_ERR_INTEGRITY;
        if ((fn & 1) || fn == sn) {
            dx_merkle_node(proof[i], r, r);
            if (!(fn & 1))
                while (fn && !(fn & 1)) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            dx_merkle_node(r, proof[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && dx_equal(r, root, DX_HASH_LEN) ? 0 : DX_ERR_INTEGRITY;
}

int dx_merkle_verify_consistency(uint64_t old, uint64_t size, const dx_hash_t old_root,
                                 const dx_hash_t root, const dx_hash_t *proof, size_t n)
{
    if (old > size)
        return DX_ERR_INTEGRITY;
    if (old == size)
        return n == 0 && dx_equal(old_root, root, DX_HASH_LEN) ? 0 : DX_ERR_INTEGRITY;
    if (old == 0)
        return n == 0 ? 0 : DX_ERR_INTEGRITY;
    if (n == 0 || n > DX_PROOF_MAX)
        return DX_ERR_INTEGRITY;
    /* With old a power of two, the old root is the first hash. */
    const uint8_t *first = s_pow2(old) ? old_root : proof[0];
    size_t i = s_pow2(old) ? 0 : 1;
    uint64_t fn = old - 1, sn = size - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    dx_hash_t fr, sr;
    memcpy(fr, first, DX_HASH_LEN);
    memcpy(sr, first, DX_HASH_LEN);
    for (; i < n; i++) {
        if (sn == 0)
            return DX_ERR_INTEGRITY;
        if ((fn & 1) || fn == sn) {
            dx_merkle_node(proof[i], fr, fr);
            dx_merkle_node(proof[i], sr, sr);
            if (!(fn & 1))
                while (fn && !(fn & 1)) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            dx_merkle_node(sr, proof[i], sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && dx_equal(fr, old_root, DX_HASH_LEN) && dx_equal(sr, root, DX_HASH_LEN)
               ? 0 : DX_ERR_INTEGRITY;
}

void dx_frontier_init(dx_frontier_t *f) { memset(f, 0, sizeof *f); }

void dx_frontier_append(dx_frontier_t *f, const dx_hash_t leaf)
{
    dx_hash_t h;
    memcpy(h, leaf, DX_HASH_LEN);
    unsigned level = 0;
    /* carry like binary addition: merge equal-sized subtrees */
    while (f->size & (1ULL << level)) {
        dx_merkle_node(f->stack[level], h, h);
        level++;
    }
    memcpy(f->stack[level], h, DX_HASH_LEN);
    f->size++;
}

void dx_frontier_root(const dx_frontier_t *f, dx_hash_t out)
{
    if (f->size == 0) {
        dx_merkle_empty(out);
        return;
    }
    /* fold the perfect subtrees right to left: smallest first */
    bool have = false;
    dx_hash_t r;
    for (unsigned level = 0; level < 64; level++) {
        if (!(f->size & (1ULL << level)))
            continue;
        if (!have) {
            memcpy(r, f->stack[level], DX_HASH_LEN);
            have = true;
        } else {
            dx_merkle_node(f->stack[level], r, r);
        }
    }
    memcpy(out, r, DX_HASH_LEN);
}
