/* Checkpoints in C2SP signed-note form, checked against the known answer
 * of golang.org/x/mod/sumdb/note (the "PeterNeumann" example): the same
 * key id, verifier key and signature bytes. */
#include "checkpoint.h"
#include "encode.h"
#include "test.h"

static const char *s_text = "If you think cryptography is the answer to your problem,\n"
                            "then you don't know what your problem is.\n";
static const char *s_note = "If you think cryptography is the answer to your problem,\n"
                            "then you don't know what your problem is.\n"
                            "\n"
                            "\xE2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

TEST(go_sumdb_note_known_answer)
{
    /* PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz */
    uint8_t skey[33], pub[32];
    CHECK_EQ(dx_base64_decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz", skey, 33), 0);
    CHECK_EQ(skey[0], 1);
    CHECK_EQ(dx_ed25519_public(skey + 1, pub), 0);
    char vkey[256];
    dx_checkpoint_vkey("PeterNeumann", pub, vkey);
    CHECK_STR(vkey, "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
    char out[1024];
    size_t len = 0;
    dx_signer_t *signer = NULL;
    CHECK_EQ(dx_signer_new(skey + 1, &signer), 0);
    CHECK_EQ(dx_note_sign("PeterNeumann", signer, s_text, strlen(s_text), out, sizeof out, &len), 0);
    dx_signer_destroy(&signer);
    CHECK(len == strlen(s_note) && memcmp(out, s_note, len) == 0);
    size_t text_len = 0;
    CHECK_EQ(dx_note_open(s_note, strlen(s_note), "PeterNeumann", pub, &text_len), 0);
    CHECK_EQ(text_len, strlen(s_text));
    CHECK(dx_note_open(s_note, strlen(s_note), "EnochRoot", pub, &text_len) != 0);
    char bad[1024];
    memcpy(bad, s_note, strlen(s_note) + 1);
    bad[3] ^= 1;
    CHECK(dx_note_open(bad, strlen(bad), "PeterNeumann", pub, &text_len) != 0);
}

TEST(checkpoint_round_trip)
{
    uint8_t sk[32], pk[32], other_sk[32], other_pk[32];
    dx_ed25519_keygen(sk, pk);
    dx_ed25519_keygen(other_sk, other_pk);
    dx_signer_t *signer = NULL;
    dx_signer_new(sk, &signer);
    dx_checkpoint_t c = { .origin = "dx/broker", .size = 12345, .time_ms = 1767225600250LL }, back;
    for (int i = 0; i < 32; i++)
        c.root[i] = (uint8_t)i;
    char text[DX_CHECKPOINT_MAX + 1], err[DX_ERRMSG];
    size_t len;
    CHECK_EQ(dx_checkpoint_sign(&c, signer, text, &len), 0);
    const char *want = "dx/broker\n12345\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
                       "time 2026-01-01T00:00:00.250Z\n\n\xE2\x80\x94 dx/broker ";
    CHECK(strncmp(text, want, strlen(want)) == 0);
    CHECK_EQ(dx_checkpoint_open(text, len, pk, &back, err), 0);
    CHECK(back.size == 12345 && back.time_ms == c.time_ms && memcmp(back.root, c.root, 32) == 0);
    CHECK_STR(back.origin, "dx/broker");
    CHECK(dx_checkpoint_open(text, len, other_pk, &back, err) != 0);
    /* any change to the body breaks the signature */
    text[10] = '9';
    CHECK(dx_checkpoint_open(text, len, pk, &back, err) != 0);
    CHECK(dx_checkpoint_open("garbage\n", 8, pk, &back, err) != 0);
    CHECK(dx_checkpoint_open("", 0, pk, &back, err) != 0);
    snprintf(c.origin, sizeof c.origin, "has space");
    CHECK(dx_checkpoint_sign(&c, signer, text, &len) != 0);
    dx_signer_destroy(&signer);
}

int main(void)
{
    RUN(go_sumdb_note_known_answer);
    RUN(checkpoint_round_trip);
    return TEST_EXIT();
}
