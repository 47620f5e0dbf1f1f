/* lib/crypto/pkcs11.c on a real token (SoftHSM2, made by tests/lib/softhsm.sh
 * in a directory of the test's). Run from the project's root. */
#include "test.h"
#include "crypto.h"
#include "keys.h"
#include "master_key.h"
#include "pkcs11.h"
#include "vault.h"

#include <fcntl.h>

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

#define TOKEN_KEY (&(dx_master_loc_t){ "pkcs11:token=t;object=master", &s_conf, NULL, NULL })

/* A master key on the token: its id is a check value, stable across
 * sessions; it seals content keys that open only under it. */
TEST(a_master_key_on_the_token)
{
    char err[DX_ERRMSG], dir[400], kp[500];
    uint8_t id1[DX_MASTER_ID_LEN], id2[DX_MASTER_ID_LEN], k[32], got[32], slot_bytes[VAULT_SLOT];
    dx_master_t *m = NULL;
    vault_t *v = NULL;
    uint32_t slot, count = 0;
    CHECK_EQ(dx_master_create(TOKEN_KEY, DX_MASTER_CURRENT, &m, err), 0);
    CHECK(dx_master_in_token(m) && strstr(dx_master_name(m), "key master"));
    dx_master_get_id(m, id1);
    dx_master_free(&m);
    CHECK_EQ(dx_master_create(TOKEN_KEY, DX_MASTER_CURRENT, &m, err), DX_ERR_EXISTS);
    CHECK_EQ(dx_master_load(TOKEN_KEY, DX_MASTER_CURRENT, NULL, &m, err), 0);
    dx_master_get_id(m, id2);
    CHECK(memcmp(id1, id2, sizeof id1) == 0);
    dx_master_free(&m);
    CHECK_EQ(dx_master_load(TOKEN_KEY, DX_MASTER_NEW, NULL, &m, err), DX_ERR_NOT_FOUND);

    snprintf(dir, sizeof dir, "%s/data", s_dir);
    CHECK_EQ(mkdir(dir, 0700), 0);
    snprintf(kp, sizeof kp, "%s/%s", dir, VAULT_FILE);
    CHECK_EQ(vault_open(dir, TOKEN_KEY, false, NULL, &v, err), 0);
    CHECK(vault_master_in_token(v));
    CHECK_EQ(vault_create(v, 7, &slot, k), 0);
    CHECK_EQ(vault_sync(v), 0);
    CHECK_EQ(vault_key(v, slot, 7, got), 0);
    CHECK(memcmp(got, k, 32) == 0);
    CHECK_EQ(vault_key(v, slot, 8, got), DX_ERR_INTEGRITY);
    CHECK_EQ(vault_slot_read(v, slot, slot_bytes), 0);
    slot_bytes[40] ^= 1; /* a changed sealed key does not open on the token */
    CHECK_EQ(vault_slot_write(v, slot + 1, slot_bytes), DX_ERR_INTEGRITY);

    /* rotation: LABEL.new made, promoted, the old key kept as LABEL.<id> */
    CHECK_EQ(vault_rotate(v, &count, err), 0);
    CHECK_EQ(count, 1u);
    CHECK_EQ(vault_key(v, slot, 7, got), 0);
    CHECK(memcmp(got, k, 32) == 0);
    vault_close(&v);
    CHECK_EQ(dx_master_load(TOKEN_KEY, DX_MASTER_CURRENT, NULL, &m, err), 0);
    dx_master_get_id(m, id2);
    dx_master_free(&m);
    CHECK(memcmp(id1, id2, sizeof id1) != 0);
    CHECK_EQ(dx_master_load(TOKEN_KEY, DX_MASTER_KEPT, id1, &m, err), 0);
    CHECK(strstr(dx_master_name(m), "key master."));
    dx_master_free(&m);
    CHECK_EQ(dx_master_load(TOKEN_KEY, DX_MASTER_NEW, NULL, &m, err), DX_ERR_NOT_FOUND);

    /* a crash between the two relabels: no LABEL, LABEL.new holds the key
     * content.keys is under; a read-only open uses it, a start finishes */
    CHECK_EQ(vault_open(dir, TOKEN_KEY, false, NULL, &v, err), 0);
    CHECK_EQ(vault_rotate(v, &count, err), 0);
    vault_close(&v);
    dx_pkcs11_aes_t *aes = NULL;
    CHECK_EQ(dx_pkcs11_aes_open(&s_conf, "pkcs11:token=t;object=master", NULL, &aes, err), 0);
    CHECK_EQ(dx_pkcs11_aes_relabel(aes, "new", err), 0);
    dx_pkcs11_aes_free(&aes);
    CHECK_EQ(vault_open(dir, TOKEN_KEY, true, NULL, &v, err), 0);
    CHECK_EQ(vault_key(v, slot, 7, got), 0);
    vault_close(&v);
    CHECK_EQ(dx_master_load(TOKEN_KEY, DX_MASTER_CURRENT, NULL, &m, err), DX_ERR_NOT_FOUND);
    CHECK_EQ(vault_open(dir, TOKEN_KEY, false, NULL, &v, err), 0);
    CHECK_EQ(vault_key(v, slot, 7, got), 0);
    CHECK(memcmp(got, k, 32) == 0);
    vault_close(&v);
    CHECK_EQ(dx_master_load(TOKEN_KEY, DX_MASTER_CURRENT, NULL, &m, err), 0);
    dx_master_free(&m);
    CHECK_EQ(dx_master_load(TOKEN_KEY, DX_MASTER_NEW, NULL, &m, err), DX_ERR_NOT_FOUND);

    /* a copy of the data directory made before the rotations opens with
     * the kept key; retired, it no longer does */
    char name[DX_MASTER_PATH_MAX];
    CHECK_EQ(dx_master_retire(TOKEN_KEY, id1, name, err), 0);
    CHECK(strstr(name, "master."));
    CHECK_EQ(dx_master_load(TOKEN_KEY, DX_MASTER_KEPT, id1, &m, err), DX_ERR_NOT_FOUND);

    /* what cannot work */
    dx_master_loc_t byid = { "pkcs11:token=t;object=master;id=%01", &s_conf, NULL, NULL };
    CHECK_EQ(dx_master_load(&byid, DX_MASTER_CURRENT, NULL, &m, err), DX_ERR_USAGE);
    dx_master_loc_t missing = { "pkcs11:token=t;object=nothing", &s_conf, NULL, NULL };
    CHECK_EQ(dx_master_load(&missing, DX_MASTER_CURRENT, NULL, &m, err), DX_ERR_NOT_FOUND);
    CHECK(strstr(err, "no AES key labelled nothing"));
    CHECK_EQ(vault_open(dir, &missing, false, NULL, &v, err), DX_ERR_NOT_FOUND);
    dx_pkcs11_conf_t bad = { s_conf.module, s_bad_pin };
    dx_master_loc_t badpin = { "pkcs11:token=t;object=master", &bad, NULL, NULL };
    CHECK_EQ(vault_open(dir, &badpin, false, NULL, &v, err), DX_ERR_DENIED);
    CHECK(strstr(err, "wrong PIN"));
    /* a master key on the token that is not the store's: refused */
    dx_master_loc_t other = { "pkcs11:token=t;object=other", &s_conf, NULL, NULL };
    CHECK_EQ(dx_master_create(&other, DX_MASTER_CURRENT, &m, err), 0);
    dx_master_free(&m);
    CHECK_EQ(vault_open(dir, &other, false, NULL, &v, err), DX_ERR_PERM);
    CHECK(strstr(err, "wrong master key") && strstr(err, "no kept key the token's key other."));
    CHECK(v == NULL);
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
    RUN(a_master_key_on_the_token);
    snprintf(cmd, sizeof cmd, "rm -rf %s", s_dir);
    return system(cmd) == 0 && !t_failed_total ? 0 : 1;
}
