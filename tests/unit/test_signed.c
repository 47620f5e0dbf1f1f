#include "signed.h"
#include "test.h"
#include "wire.h"

TEST(make_and_verify)
{
    uint8_t sk[32], pk[32], other_sk[32], other_pk[32];
    dx_ed25519_keygen(sk, pk);
    dx_ed25519_keygen(other_sk, other_pk);
    dx_signer_t *signer = NULL;
    dx_signer_new(sk, &signer);
    Dx__Receipt h = DX__RECEIPT__INIT;
    h.version = 5;
    Dx__Signed s;
    CHECK_EQ(dx_signed_make(&h.base, DX_CTX_RECEIPT, signer, &s), 0);
    CHECK_EQ(dx_signed_verify(&s, DX_CTX_RECEIPT, pk), 0);
    CHECK_EQ(dx_signed_verify(&s, DX_CTX_VIEW, pk), DX_ERR_INTEGRITY);
    CHECK_EQ(dx_signed_verify(&s, DX_CTX_RECEIPT, other_pk), DX_ERR_INTEGRITY);
    s.body.data[0] ^= 1;
    CHECK_EQ(dx_signed_verify(&s, DX_CTX_RECEIPT, pk), DX_ERR_INTEGRITY);
    CHECK_EQ(dx_signed_verify(NULL, DX_CTX_RECEIPT, pk), DX_ERR_INTEGRITY);
    dx_signed_clear(&s);
    CHECK(s.body.data == NULL && s.signature.len == 0);
    dx_signer_destroy(&signer);
}

int main(void)
{
    RUN(make_and_verify);
    return TEST_EXIT();
}
