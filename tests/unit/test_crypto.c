#include "crypto.h"
#include "err.h"
#include "test.h"

#include <stdio.h>
#include <string.h>

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

static void s_hex(const char *hex, uint8_t *out)
{
    for (size_t i = 0; hex[2 * i]; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
}

/* NIST GCM test cases 13 and 14 (AES-256, zero key and IV), then every way
 * a sealed chunk can be wrong. */
TEST(aead_known_answer_and_refusals)
{
    uint8_t key[32] = { 0 }, nonce[12] = { 0 }, pt[16] = { 0 }, ct[16], tag[16], want[16], back[16];
    CHECK_EQ(dx_aead_seal(key, nonce, NULL, 0, NULL, 0, ct, tag), 0);
    s_hex("530f8afbc74536b9a963b4f1c4cb738b", want);
    CHECK(memcmp(tag, want, 16) == 0);
    CHECK_EQ(dx_aead_seal(key, nonce, NULL, 0, pt, 16, ct, tag), 0);
    s_hex("cea7403d4d606b6e074ec5d3baf39d18", want);
    CHECK(memcmp(ct, want, 16) == 0);
    s_hex("d0d1c8a799996bf0265b98b5d48ab919", want);
    CHECK(memcmp(tag, want, 16) == 0);
    CHECK_EQ(dx_aead_open(key, nonce, NULL, 0, ct, 16, tag, back), 0);
    CHECK(memcmp(back, pt, 16) == 0);
    /* a flipped bit anywhere, another AAD, another key: refused, output wiped */
    const char *aad = "dx-chunk-v1";
    CHECK_EQ(dx_aead_seal(key, nonce, aad, 11, pt, 16, ct, tag), 0);
    CHECK_EQ(dx_aead_open(key, nonce, "dx-chunk-v2", 11, ct, 16, tag, back), DX_ERR_INTEGRITY);
    ct[3] ^= 1;
    CHECK_EQ(dx_aead_open(key, nonce, aad, 11, ct, 16, tag, back), DX_ERR_INTEGRITY);
    ct[3] ^= 1;
    tag[15] ^= 0x80;
    CHECK_EQ(dx_aead_open(key, nonce, aad, 11, ct, 16, tag, back), DX_ERR_INTEGRITY);
    tag[15] ^= 0x80;
    key[0] = 1;
    memset(back, 0xaa, sizeof back);
    CHECK_EQ(dx_aead_open(key, nonce, aad, 11, ct, 16, tag, back), DX_ERR_INTEGRITY);
    CHECK(back[0] == 0 && back[15] == 0);
}

/* RFC 5869 test case 3 (no salt, no info). */
TEST(hkdf_known_answer)
{
    uint8_t ikm[22], okm[42], want[42];
    memset(ikm, 0x0b, sizeof ikm);
    CHECK_EQ(dx_hkdf_sha256(ikm, sizeof ikm, "", "", okm, sizeof okm), 0);
    s_hex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8", want);
    CHECK(memcmp(okm, want, 42) == 0);
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
    RUN(aead_known_answer_and_refusals);
    RUN(hkdf_known_answer);
    RUN(equal_and_wipe);
    return TEST_EXIT();
}
