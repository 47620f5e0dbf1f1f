#include "crypto.h"
#include "err.h"
#include "test.h"

TEST(sha256_known_answer)
{
    uint8_t d[32];
    static const uint8_t abc[32] = { 0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
                                     0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
                                     0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad };
    CHECK_EQ(dx_sha256("abc", 3, d), 0);
    CHECK(memcmp(d, abc, 32) == 0);
    dx_sha256_t *h = NULL;
    CHECK_EQ(dx_sha256_new(&h), 0);
    dx_sha256_update(h, "a", 1);
    dx_sha256_update(h, "bc", 2);
    CHECK_EQ(dx_sha256_final(h, d), 0);
    CHECK(memcmp(d, abc, 32) == 0);
    dx_sha256_destroy(&h);
    CHECK(h == NULL);
}

TEST(sign_and_verify)
{
    uint8_t sk[32], pk[32], sig[64], pk2[32];
    CHECK_EQ(dx_ed25519_keygen(sk, pk), 0);
    CHECK_EQ(dx_ed25519_public(sk, pk2), 0);
    CHECK(memcmp(pk, pk2, 32) == 0);
    CHECK_EQ(dx_sign(sk, DX_CTX_MANIFEST, "hello", 5, sig), 0);
    CHECK_EQ(dx_verify(pk, DX_CTX_MANIFEST, "hello", 5, sig), 0);
    CHECK_EQ(dx_verify(pk, DX_CTX_MANIFEST, "hellO", 5, sig), DX_ERR_INTEGRITY);
    /* the same bytes under another context do not verify */
    CHECK_EQ(dx_verify(pk, DX_CTX_RECEIPT, "hello", 5, sig), DX_ERR_INTEGRITY);
    sig[0] ^= 1;
    CHECK_EQ(dx_verify(pk, DX_CTX_MANIFEST, "hello", 5, sig), DX_ERR_INTEGRITY);
    uint8_t other_sk[32], other_pk[32];
    dx_ed25519_keygen(other_sk, other_pk);
    sig[0] ^= 1;
    CHECK_EQ(dx_verify(other_pk, DX_CTX_MANIFEST, "hello", 5, sig), DX_ERR_INTEGRITY);
}

TEST(equal_and_wipe)
{
    uint8_t a[4] = { 1, 2, 3, 4 }, b[4] = { 1, 2, 3, 4 };
    CHECK(dx_equal(a, b, 4));
    b[3] = 5;
    CHECK(!dx_equal(a, b, 4));
    dx_wipe(a, 4);
    CHECK(a[0] == 0 && a[3] == 0);
}

int main(void)
{
    RUN(sha256_known_answer);
    RUN(sign_and_verify);
    RUN(equal_and_wipe);
    return TEST_EXIT();
}
