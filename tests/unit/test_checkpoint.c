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

/* Issue 8, item 9: exactly the key names signed-note (and Go's
 * golang.org/x/mod/sumdb/note isValidName) accepts: UTF-8, no Unicode
 * space, no '+', and (the note rule) no ASCII control character. */
TEST(origin_names)
{
    CHECK(dx_origin_valid("dx/broker"));
    CHECK(dx_origin_valid("example.gov/dx-log"));
    CHECK(dx_origin_valid("dx/Gesundheitsministerium-\xC3\x96"));   /* non-ASCII is fine */
    CHECK(dx_origin_valid("dx/\xE2\x80\x94" "dash"));
    CHECK(dx_origin_valid("dx/del\x7F"));                         /* Go allows it; so does the note format */
    CHECK(!dx_origin_valid(""));
    CHECK(!dx_origin_valid("has space"));
    CHECK(!dx_origin_valid("plus+sign"));
    CHECK(!dx_origin_valid("tab\t"));
    CHECK(!dx_origin_valid("ctl\x01"));
    CHECK(!dx_origin_valid("nbsp\xC2\xA0" "x"));                      /* U+00A0 */
    CHECK(!dx_origin_valid("ideo\xE3\x80\x80" "x"));                   /* U+3000 */
    CHECK(!dx_origin_valid("nel\xC2\x85" "x"));                        /* U+0085 */
    CHECK(!dx_origin_valid("ls\xE2\x80\xA8" "x"));                     /* U+2028 */
    CHECK(!dx_origin_valid("enq\xE2\x80\x82" "x"));                    /* U+2002 */
    CHECK(!dx_origin_valid("bad\xFF"));
    CHECK(!dx_origin_valid("overlong\xC0\xAF"));
    CHECK(!dx_origin_valid("surrogate\xED\xA0\x80"));
    char longest[DX_ORIGIN_MAX + 2];
    memset(longest, 'a', sizeof longest - 1);
    longest[DX_ORIGIN_MAX + 1] = '\0';
    CHECK(!dx_origin_valid(longest));
    longest[DX_ORIGIN_MAX] = '\0';
    CHECK(dx_origin_valid(longest));
}

int main(void)
{
    RUN(go_sumdb_note_known_answer);
    RUN(checkpoint_round_trip);
    RUN(origin_names);
    return TEST_EXIT();
}
