/* The Merkle module against a direct transcription of RFC 9162 §2.1:
 * roots, inclusion proofs of every leaf and consistency proofs between
 * every pair of sizes, for trees of 1 to 300 leaves; each proof verified,
 * and refused once any byte of it, the index or the sizes are wrong. */
#include "crypto.h"
#include "merkle.h"
#include "test.h"

#include <stdbool.h>
#include <stdlib.h>

#define N 300
static dx_hash_t s_leaf[N];

/* RFC 9162 MTH, PATH and PROOF on the leaf array, as written there. */
static dx_hash_t s_memo[N][N + 1];
static bool s_known[N][N + 1];

static void s_mth(size_t start, size_t n, dx_hash_t out)
{
    if (n > 0 && s_known[start][n]) {
        memcpy(out, s_memo[start][n], 32);
        return;
    }
    if (n == 0) {
        dx_merkle_empty(out);
        return;
    }
    if (n == 1) {
        memcpy(out, s_leaf[start], 32);
        return;
    }
    size_t k = 1;
    while (k * 2 < n)
        k *= 2;
    dx_hash_t l, r;
    s_mth(start, k, l);
    s_mth(start + k, n - k, r);
    dx_merkle_node(l, r, out);
    memcpy(s_memo[start][n], out, 32);
    s_known[start][n] = true;
}

static void s_ref_path(size_t m, size_t start, size_t n, dx_hash_t *p, size_t *len)
{
    if (n == 1)
        return;
    size_t k = 1;
    while (k * 2 < n)
        k *= 2;
    if (m < k) {
        s_ref_path(m, start, k, p, len);
        s_mth(start + k, n - k, p[(*len)++]);
    } else {
        s_ref_path(m - k, start + k, n - k, p, len);
        s_mth(start, k, p[(*len)++]);
    }
}

static void s_ref_sub(size_t m, size_t start, size_t n, int b, dx_hash_t *p, size_t *len)
{
    if (m == n) {
        if (!b)
            s_mth(start, n, p[(*len)++]);
        return;
    }
    size_t k = 1;
    while (k * 2 < n)
        k *= 2;
    if (m <= k) {
        s_ref_sub(m, start, k, b, p, len);
        s_mth(start + k, n - k, p[(*len)++]);
    } else {
        s_ref_sub(m - k, start + k, n - k, 0, p, len);
        s_mth(start, k, p[(*len)++]);
    }
}

static int s_get(void *arg, unsigned level, uint64_t index, dx_hash_t out)
{
    (void)arg;
    s_mth((size_t)(index << level), (size_t)1 << level, out);
    return 0;
}

static void s_setup(void)
{
    for (int i = 0; i < N; i++) {
        char rec[32];
        int len = snprintf(rec, sizeof rec, "record %d", i);
        dx_merkle_leaf(rec, (size_t)len, s_leaf[i]);
    }
}

TEST(leaf_and_node_prefixes)
{
    /* RFC 9162: leaf = H(0x00 || d), node = H(0x01 || l || r) */
    dx_hash_t leaf, want, node;
    uint8_t buf[65] = { 0x00, 'a', 'b', 'c' };
    dx_merkle_leaf("abc", 3, leaf);
    dx_sha256(buf, 4, want);
    CHECK(memcmp(leaf, want, 32) == 0);
    buf[0] = 0x01;
    memcpy(buf + 1, leaf, 32);
    memcpy(buf + 33, want, 32);
    dx_merkle_node(leaf, want, node);
    dx_sha256(buf, 65, want);
    CHECK(memcmp(node, want, 32) == 0);
    /* the empty tree is the hash of nothing (e3b0c442...) */
    dx_merkle_empty(node);
    CHECK(node[0] == 0xe3 && node[1] == 0xb0 && node[31] == 0x55);
}

TEST(roots_and_frontier)
{
    dx_frontier_t f;
    dx_frontier_init(&f);
    for (size_t n = 1; n <= N; n++) {
        dx_hash_t want, got, fr;
        s_mth(0, n, want);
        CHECK_EQ(dx_merkle_root(s_get, NULL, n, got), 0);
        CHECK(memcmp(want, got, 32) == 0);
        dx_frontier_append(&f, s_leaf[n - 1]);
        dx_frontier_root(&f, fr);
        CHECK(memcmp(want, fr, 32) == 0);
    }
}

TEST(inclusion_every_leaf_every_size)
{
    for (size_t n = 1; n <= N; n++) {
        dx_hash_t root;
        s_mth(0, n, root);
        for (size_t m = 0; m < n; m++) {
            dx_hash_t want[DX_PROOF_MAX], got[DX_PROOF_MAX];
            size_t wn = 0, gn = 0;
            s_ref_path(m, 0, n, want, &wn);
            CHECK_EQ(dx_merkle_inclusion(s_get, NULL, m, n, got, &gn), 0);
            CHECK(wn == gn && memcmp(want, got, wn * 32) == 0);
            CHECK_EQ(dx_merkle_verify_inclusion(s_leaf[m], m, n, got, gn, root), 0);
            /* wrong leaf, index or any proof byte: refused */
            CHECK(dx_merkle_verify_inclusion(s_leaf[(m + 1) % N], m, n, got, gn, root) != 0);
            if (n > 1)
                CHECK(dx_merkle_verify_inclusion(s_leaf[m], (m + 1) % n, n, got, gn, root) != 0);
            /* (the size is bound by the root: a signed head carries both) */
            for (size_t i = 0; i < gn && n < 70; i++) {
                got[i][i % 32] ^= 1;
                CHECK(dx_merkle_verify_inclusion(s_leaf[m], m, n, got, gn, root) != 0);
                got[i][i % 32] ^= 1;
            }
        }
    }
    dx_hash_t p[DX_PROOF_MAX];
    size_t pn;
    CHECK(dx_merkle_inclusion(s_get, NULL, 5, 5, p, &pn) != 0);
}

static void s_consistency(size_t m, size_t n)
{
    dx_hash_t old_root, root, want[DX_PROOF_MAX], got[DX_PROOF_MAX];
    size_t wn = 0, gn = 0;
    s_mth(0, m, old_root);
    s_mth(0, n, root);
    if (m > 0 && m < n)
        s_ref_sub(m, 0, n, 1, want, &wn);
    CHECK_EQ(dx_merkle_consistency(s_get, NULL, m, n, got, &gn), 0);
    CHECK(wn == gn && memcmp(want, got, wn * 32) == 0);
    CHECK_EQ(dx_merkle_verify_consistency(m, n, old_root, root, got, gn), 0);
    if (m == 0)
        return;
    /* another old root, another new root, another old size: refused */
    dx_hash_t bad;
    memcpy(bad, old_root, 32);
    bad[0] ^= 1;
    CHECK(dx_merkle_verify_consistency(m, n, bad, root, got, gn) != 0);
    memcpy(bad, root, 32);
    bad[0] ^= 1;
    CHECK(dx_merkle_verify_consistency(m, n, old_root, bad, got, gn) != 0);
    if (m > 1 && m < n)
        CHECK(dx_merkle_verify_consistency(m - 1, n, old_root, root, got, gn) != 0);
    for (size_t i = 0; i < gn; i++) {
        got[i][31 - i % 32] ^= 0x80;
        CHECK(dx_merkle_verify_consistency(m, n, old_root, root, got, gn) != 0);
        got[i][31 - i % 32] ^= 0x80;
    }
}

TEST(consistency_every_pair)
{
    for (size_t n = 1; n <= 130; n++)
        for (size_t m = 0; m <= n; m++)
            s_consistency(m, n);
    for (size_t m = 0; m <= 257; m++)
        s_consistency(m, 257);
    for (size_t m = 0; m <= N; m += 7)
        s_consistency(m, N);
    dx_hash_t p[DX_PROOF_MAX];
    size_t pn;
    CHECK(dx_merkle_consistency(s_get, NULL, 6, 5, p, &pn) != 0);
}

int main(void)
{
    s_setup();
    RUN(leaf_and_node_prefixes);
    RUN(roots_and_frontier);
    RUN(inclusion_every_leaf_every_size);
    RUN(consistency_every_pair);
    return TEST_EXIT();
}
