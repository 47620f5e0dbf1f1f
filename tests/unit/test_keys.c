#include "keys.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char s_dir[] = "/tmp/dx-test-keys-XXXXXX";

static void s_write(const char *name, const char *text, mode_t mode)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", s_dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
}

TEST(generate_write_read)
{
    dx_keypair_t k, back;
    dx_pubkeys_t pub;
    char err[DX_ERRMSG], path[256];
    CHECK_EQ(dx_keypair_generate("health", &k), 0);
    CHECK_EQ(dx_keys_write(s_dir, &k, err), 0);
    snprintf(path, sizeof path, "%s/health.key", s_dir);
    struct stat st;
    CHECK_EQ(stat(path, &st), 0);
    CHECK_EQ(st.st_mode & 0777, 0600u);
    CHECK_EQ(dx_keys_read_secret(path, &back, err), 0);
    CHECK(memcmp(&k, &back, sizeof k) == 0);
    snprintf(path, sizeof path, "%s/health.pub", s_dir);
    CHECK_EQ(dx_keys_read_public(path, &pub, err), 0);
    CHECK(memcmp(&pub, &k.pub, sizeof pub) == 0);
    CHECK(dx_keys_read_secret(path, &back, err) != 0); /* a .pub is not a secret key */
    /* never overwrites */
    CHECK_EQ(dx_keys_write(s_dir, &k, err), DX_ERR_EXISTS);
}

TEST(loose_permissions_refused)
{
    dx_keypair_t k, back;
    char err[DX_ERRMSG], path[256];
    CHECK_EQ(dx_keypair_generate("loose", &k), 0);
    CHECK_EQ(dx_keys_write(s_dir, &k, err), 0);
    snprintf(path, sizeof path, "%s/loose.key", s_dir);
    chmod(path, 0644);
    CHECK_EQ(dx_keys_read_secret(path, &back, err), DX_ERR_PERM);
    CHECK(strstr(err, "chmod 600") != NULL);
    char link[256];
    snprintf(link, sizeof link, "%s/link.key", s_dir);
    chmod(path, 0600);
    CHECK_EQ(symlink(path, link), 0);
    CHECK(dx_keys_read_secret(link, &back, err) != 0); /* O_NOFOLLOW */
}

TEST(malformed_files)
{
    dx_keypair_t k;
    dx_pubkeys_t pub;
    char err[DX_ERRMSG], path[256];
    s_write("a.pub", "id: x\nsign_key: \"ed25519:AAAA\"\ntransport_key: \"curve:x\"\n", 0644);
    snprintf(path, sizeof path, "%s/a.pub", s_dir);
    CHECK_EQ(dx_keys_read_public(path, &pub, err), DX_ERR_INVALID);
    CHECK(strstr(err, "line 2") != NULL);
    s_write("b.pub", "id: x\nfoo: bar\n", 0644);
    snprintf(path, sizeof path, "%s/b.pub", s_dir);
    CHECK_EQ(dx_keys_read_public(path, &pub, err), DX_ERR_INVALID);
    CHECK(strstr(err, "unknown field") != NULL);
    /* a secret that does not match its public key */
    dx_keypair_t a, b;
    dx_keypair_generate("mixa", &a);
    dx_keypair_generate("mixb", &b);
    memcpy(a.sign_secret, b.sign_secret, 32);
    CHECK_EQ(dx_keys_write(s_dir, &a, err), 0);
    snprintf(path, sizeof path, "%s/mixa.key", s_dir);
    CHECK_EQ(dx_keys_read_secret(path, &k, err), DX_ERR_INVALID);
    CHECK(strstr(err, "does not match") != NULL);
    /* oversized */
    char *big = malloc(DX_KEYFILE_MAX + 100);
    memset(big, '#', DX_KEYFILE_MAX + 99);
    big[DX_KEYFILE_MAX + 99] = '\0';
    s_write("big.pub", big, 0644);
    free(big);
    snprintf(path, sizeof path, "%s/big.pub", s_dir);
    CHECK_EQ(dx_keys_read_public(path, &pub, err), DX_ERR_TOO_BIG);
}

TEST(text_forms)
{
    uint8_t key[32], back[32];
    char text[DX_SIGN_TEXT], ctext[DX_CURVE_TEXT];
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
    dx_sign_key_format(key, text);
    CHECK(strncmp(text, "ed25519:", 8) == 0);
    CHECK_EQ(dx_sign_key_parse(text, back), 0);
    CHECK(memcmp(key, back, 32) == 0);
    dx_curve_key_format(key, ctext);
    CHECK(strncmp(ctext, "curve:", 6) == 0 && strlen(ctext) == 46);
    CHECK_EQ(dx_curve_key_parse(ctext, back), 0);
    CHECK(memcmp(key, back, 32) == 0);
    CHECK(dx_sign_key_parse(ctext, back) != 0);
    CHECK(dx_curve_key_parse(text, back) != 0);
}

int main(void)
{
    if (!mkdtemp(s_dir))
        return 1;
    RUN(generate_write_read);
    RUN(loose_permissions_refused);
    RUN(malformed_files);
    RUN(text_forms);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s_dir);
    if (system(cmd) != 0)
        return 1;
    return TEST_EXIT();
}
