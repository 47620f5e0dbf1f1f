/* lib/crypto/pkcs11.c on a real token (SoftHSM2, made by tests/lib/softhsm.sh
 * in a directory of the test's). Run from the project's root. */
#include "test.h"
#include "crypto.h"
#include "keys.h"
#include "pkcs11.h"

#include <sys/stat.h>
#include <unistd.h>

/* the sanitizer build: see tests/lib/softhsm.sh */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "fast_unwind_on_malloc=0"; }

static char s_dir[] = "/tmp/dx-test-p11.XXXXXX";
static char s_pin[300], s_bad_pin[300];
static dx_pkcs11_conf_t s_conf = { "/usr/lib/softhsm/libsofthsm2.so", s_pin };

TEST(a_key_made_on_the_token_signs_and_cannot_leave_it)
{
    uint8_t pub[DX_ED25519_LEN], sig[DX_SIG_LEN];
    char err[DX_ERRMSG];
    dx_signer_t *s = NULL;
    CHECK_EQ(dx_pkcs11_generate(&s_conf, "pkcs11:token=t;object=k1", pub, err), 0);
    CHECK_EQ(dx_pkcs11_generate(&s_conf, "pkcs11:token=t;object=k1", pub, err), DX_ERR_EXISTS);
    CHECK_EQ(dx_pkcs11_signer(&s_conf, "pkcs11:token=t;object=k1", &s, err), 0);
    CHECK(s && memcmp(dx_signer_public(s), pub, DX_ED25519_LEN) == 0);
    CHECK_EQ(dx_signer_sign(s, DX_CTX_RECEIPT, "hello", 5, sig), 0);
    CHECK_EQ(dx_verify(pub, DX_CTX_RECEIPT, "hello", 5, sig), 0);
    CHECK_EQ(dx_verify(pub, DX_CTX_MANIFEST, "hello", 5, sig), DX_ERR_INTEGRITY);
    dx_signer_destroy(&s);
    dx_pkcs11_key_info_t info;
    CHECK_EQ(dx_pkcs11_key_info(&s_conf, "pkcs11:token=t;object=k1", &info, err), 0);
    CHECK(!info.extractable && info.sensitive && info.never_extractable && info.always_sensitive);
    CHECK(memcmp(info.pub, pub, DX_ED25519_LEN) == 0);
}

TEST(a_key_file_names_the_token_key)
{
    uint8_t pub[DX_ED25519_LEN];
    char err[DX_ERRMSG], path[400];
    dx_keypair_t k;
    dx_signer_t *s = NULL;
    CHECK_EQ(dx_pkcs11_generate(&s_conf, "pkcs11:token=t;object=k2", pub, err), 0);
    CHECK_EQ(dx_keys_write_token(s_dir, "member", "pkcs11:token=t;object=k2", pub, err), 0);
    snprintf(path, sizeof path, "%s/member.key", s_dir);
    CHECK_EQ(dx_keys_read_secret(path, &k, err), 0);
    CHECK_STR(k.sign_uri, "pkcs11:token=t;object=k2");
    CHECK_EQ(dx_keypair_signer(&k, &s_conf, &s, err), 0);
    dx_signer_destroy(&s);
    /* the file's sign_key must be the token's key */
    k.pub.sign[0] ^= 1;
    CHECK_EQ(dx_keypair_signer(&k, &s_conf, &s, err), DX_ERR_INVALID);
    CHECK(strstr(err, "is not the sign_key"));
    dx_keypair_wipe(&k);
}

TEST(what_cannot_work_is_refused_in_one_line)
{
    char err[DX_ERRMSG];
    dx_signer_t *s = NULL;
    dx_pkcs11_conf_t bad = { s_conf.module, s_bad_pin }, nomod = { "/nonexistent.so", s_pin }, none = { NULL, NULL };
    CHECK_EQ(dx_pkcs11_signer(&bad, "pkcs11:token=t;object=k1", &s, err), DX_ERR_DENIED);
    CHECK(strstr(err, "wrong PIN"));
    CHECK_EQ(dx_pkcs11_signer(&s_conf, "pkcs11:token=other;object=k1", &s, err), DX_ERR_NOT_FOUND);
    CHECK_EQ(dx_pkcs11_signer(&s_conf, "pkcs11:token=t;object=none", &s, err), DX_ERR_NOT_FOUND);
    CHECK_EQ(dx_pkcs11_signer(&s_conf, "pkcs11:token=t", &s, err), DX_ERR_USAGE);
    CHECK_EQ(dx_pkcs11_signer(&nomod, "pkcs11:token=t;object=k1", &s, err), DX_ERR_NOT_FOUND);
    CHECK_EQ(dx_pkcs11_signer(&none, "pkcs11:token=t;object=k1", &s, err), DX_ERR_USAGE);
    CHECK_EQ(dx_pkcs11_signer(&s_conf, "pkcs11:token=t;object=k1?pin-value=1234", &s, err), DX_ERR_USAGE);
    CHECK_EQ(dx_pkcs11_signer(&s_conf, "file:///etc/passwd", &s, err), DX_ERR_USAGE);
    CHECK(s == NULL);
}

int main(void)
{
    char cmd[600];
    if (mkdtemp(s_dir))
        snprintf(cmd, sizeof cmd, "bash -c 'source tests/lib/softhsm.sh && hsm_make %s t' >/dev/null", s_dir);
    if (!s_dir[0] || strstr(s_dir, "XXXXXX") || system(cmd) != 0) {
        printf("FAIL setup: cannot make a SoftHSM2 token (apt-get install softhsm2; run from the "
               "project's root)\n");
        return 1;
    }
    char conf[400];
    snprintf(conf, sizeof conf, "%s/softhsm2.conf", s_dir);
    setenv("SOFTHSM2_CONF", conf, 1);
    snprintf(s_pin, sizeof s_pin, "%s/pin", s_dir);
    snprintf(s_bad_pin, sizeof s_bad_pin, "%s/badpin", s_dir);
    FILE *f = fopen(s_bad_pin, "w");
    if (f) {
        fputs("9999\n", f);
        fclose(f);
    }
    chmod(s_bad_pin, 0600);
    RUN(a_key_made_on_the_token_signs_and_cannot_leave_it);
    RUN(a_key_file_names_the_token_key);
    RUN(what_cannot_work_is_refused_in_one_line);
    snprintf(cmd, sizeof cmd, "rm -rf %s", s_dir);
    return system(cmd) == 0 && !t_failed_total ? 0 : 1;
}
