/* vault and master keys: slots, wrong keys, tampering, reaping, rotation
 * and the crash points of a rotation. */
#include "master_key.h"
#include "test.h"
#include "vault.h"
#include "broker.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define GIVEN(k) (&(dx_master_loc_t){ NULL, NULL, NULL, (k) })
#define ONFILE (&(dx_master_loc_t){ s_master, NULL, NULL, NULL })

static char s_dir[] = "/tmp/dx-test-vault-XXXXXX";
static char s_path[300], s_master[300];

static void s_fresh(const char *name)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s/%s && mkdir -p %s/%s", s_dir, name, s_dir, name);
    if (system(cmd) != 0)
        abort();
    snprintf(s_path, sizeof s_path, "%s/%s", s_dir, name);
    snprintf(s_master, sizeof s_master, "%s/%s/master.key", s_dir, name);
}

static size_t s_file(const char *path, uint8_t *buf, size_t cap)
{
    int fd = open(path, O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, cap) : -1;
    if (fd >= 0)
        close(fd);
    return n < 0 ? 0 : (size_t)n;
}

static bool s_contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(hay + i, needle, m) == 0)
            return true;
    return false;
}

TEST(master_key_files)
{
    uint8_t k[32], back[32];
    char err[DX_ERRMSG];
    s_fresh("mk");
    CHECK_EQ(dx_random(k, 32), 0);
    CHECK_EQ(dx_master_key_write(s_master, k, false, err), 0);
    CHECK_EQ(dx_master_key_write(s_master, k, false, err), DX_ERR_EXISTS);
    CHECK_EQ(dx_master_key_read(s_master, back, err), 0);
    CHECK(memcmp(k, back, 32) == 0);
    chmod(s_master, 0640);
    CHECK_EQ(dx_master_key_read(s_master, back, err), DX_ERR_PERM);
    CHECK(strstr(err, "chmod 600") != NULL);
    chmod(s_master, 0600);
    char missing[400];
    snprintf(missing, sizeof missing, "%s/none.key", s_path);
    CHECK_EQ(dx_master_key_read(missing, back, err), DX_ERR_NOT_FOUND);
    CHECK(strstr(err, "master key") != NULL);
    /* not a master key file: a member key file's line, a short key */
    int fd = open(missing, O_WRONLY | O_CREAT, 0600);
    CHECK(write(fd, "master_key: \"aes256:AAAA\"\n", 26) == 26);
    close(fd);
    CHECK_EQ(dx_master_key_read(missing, back, err), DX_ERR_INVALID);
    /* derived keys: stable, and different brokers get different keys */
    dx_keypair_t a, b;
    uint8_t ka[32], ka2[32], kb[32];
    CHECK_EQ(dx_keypair_generate("broker", &a), 0);
    CHECK_EQ(dx_keypair_generate("broker", &b), 0);
    CHECK_EQ(dx_master_key_derive(&a, ka), 0);
    CHECK_EQ(dx_master_key_derive(&a, ka2), 0);
    CHECK_EQ(dx_master_key_derive(&b, kb), 0);
    CHECK(memcmp(ka, ka2, 32) == 0 && memcmp(ka, kb, 32) != 0);
    dx_keypair_wipe(&a);
    dx_keypair_wipe(&b);
}

TEST(slots_keys_and_wipes)
{
    uint8_t m[32], k1[32], k2[32], got[32], file[8192];
    char err[DX_ERRMSG];
    uint32_t s1, s2;
    bool created;
    vault_t *v = NULL;
    s_fresh("slots");
    CHECK_EQ(dx_random(m, 32), 0);
    CHECK_EQ(vault_open(s_path, GIVEN(m), false, &created, &v, err), 0);
    CHECK(created);
    CHECK_EQ(vault_create(v, 11, &s1, k1), 0);
    CHECK_EQ(vault_create(v, 12, &s2, k2), 0);
    CHECK(s1 == 1 && s2 == 2 && vault_count(v) == 2);
    CHECK_EQ(vault_sync(v), 0);
    CHECK_EQ(vault_key(v, s1, 11, got), 0);
    CHECK(memcmp(got, k1, 32) == 0);
    CHECK_EQ(vault_key(v, s1, 12, got), DX_ERR_INTEGRITY); /* not that blob's */
    CHECK_EQ(vault_key(v, 3, 11, got), DX_ERR_NOT_FOUND);
    /* the raw key is never in the file */
    char kp[400];
    snprintf(kp, sizeof kp, "%s/%s", s_path, VAULT_FILE);
    size_t n = s_file(kp, file, sizeof file);
    CHECK(n == 3 * VAULT_SLOT);
    CHECK(!s_contains(file, n, k1, 32) && !s_contains(file, n, k2, 32));
    uint8_t slot1[VAULT_SLOT];
    memcpy(slot1, file + VAULT_SLOT, VAULT_SLOT);
    /* a wiped slot is zeros on disk, and the slot is reused */
    CHECK_EQ(vault_wipe(v, s1), 0);
    CHECK_EQ(vault_sync(v), 0);
    n = s_file(kp, file, sizeof file);
    CHECK(!s_contains(file, n, slot1 + 16, 60));
    CHECK_EQ(vault_key(v, s1, 11, got), DX_ERR_NOT_FOUND);
    uint32_t s3;
    CHECK_EQ(vault_create(v, 13, &s3, k1), 0);
    CHECK_EQ(s3, 1u);
    vault_close(&v);
    /* a slot copied over another does not open there */
    int fd = open(kp, O_RDWR);
    CHECK(pread(fd, slot1, VAULT_SLOT, 2 * VAULT_SLOT) == VAULT_SLOT);
    CHECK(pwrite(fd, slot1, VAULT_SLOT, 1 * VAULT_SLOT) == VAULT_SLOT);
    close(fd);
    CHECK_EQ(vault_open(s_path, GIVEN(m), false, &created, &v, err), 0);
    CHECK(!created);
    CHECK_EQ(vault_key(v, 1, 12, got), DX_ERR_INTEGRITY);
    CHECK_EQ(vault_key(v, 2, 12, got), 0);
    CHECK(memcmp(got, k2, 32) == 0);
    vault_close(&v);
    /* another master key: refused with one line naming both ids */
    uint8_t other[32];
    CHECK_EQ(dx_random(other, 32), 0);
    CHECK_EQ(vault_open(s_path, GIVEN(other), false, &created, &v, err), DX_ERR_PERM);
    CHECK(strstr(err, "wrong master key") != NULL && strchr(err, '\n') == NULL);
    CHECK(v == NULL);
    /* a damaged file: refused */
    fd = open(kp, O_RDWR);
    CHECK(ftruncate(fd, 2 * VAULT_SLOT + 5) == 0);
    close(fd);
    CHECK_EQ(vault_open(s_path, GIVEN(m), false, &created, &v, err), DX_ERR_INTEGRITY);
}

TEST(reap_unmarked)
{
    uint8_t m[32], k[32];
    char err[DX_ERRMSG];
    uint32_t s1, s2;
    uint64_t reaped = 0;
    vault_t *v = NULL;
    s_fresh("reap");
    CHECK_EQ(dx_random(m, 32), 0);
    CHECK_EQ(vault_open(s_path, GIVEN(m), false, NULL, &v, err), 0);
    CHECK_EQ(vault_create(v, 1, &s1, k), 0);
    CHECK_EQ(vault_create(v, 2, &s2, k), 0);
    CHECK_EQ(vault_sync(v), 0);
    vault_close(&v);
    CHECK_EQ(vault_open(s_path, GIVEN(m), false, NULL, &v, err), 0);
    CHECK_EQ(vault_mark(v, s2), 0);
    CHECK_EQ(vault_mark(v, 7), DX_ERR_NOT_FOUND);
    CHECK_EQ(vault_reap(v, &reaped), 0);
    CHECK_EQ(reaped, 1u);
    CHECK_EQ(vault_count(v), 1u);
    CHECK_EQ(vault_key(v, s1, 1, k), DX_ERR_NOT_FOUND);
    CHECK_EQ(vault_key(v, s2, 2, k), 0);
    vault_close(&v);
}

/* A rotation, and each point a crash can stop it at. */
TEST(rotation_and_its_crash_points)
{
    uint8_t m1[32], m2[32], m3[32], k[32], got[32], id[DX_MASTER_ID_LEN];
    char err[DX_ERRMSG], newkey[400], kp[400], tmp[400], kept[DX_MASTER_PATH_MAX];
    uint32_t slot, count = 0;
    vault_t *v = NULL;
    s_fresh("rot");
    snprintf(newkey, sizeof newkey, "%s.new", s_master);
    snprintf(kp, sizeof kp, "%s/%s", s_path, VAULT_FILE);
    snprintf(tmp, sizeof tmp, "%s.new", kp);
    CHECK_EQ(dx_random(m1, 32), 0);
    CHECK_EQ(dx_random(m3, 32), 0);
    CHECK_EQ(dx_master_key_write(s_master, m1, false, err), 0);
    CHECK_EQ(vault_open(s_path, ONFILE, false, NULL, &v, err), 0);
    CHECK_EQ(vault_create(v, 5, &slot, k), 0);
    CHECK_EQ(vault_rotate(v, &count, err), 0);
    CHECK_EQ(count, 1u);
    CHECK_EQ(vault_key(v, slot, 5, got), 0);
    CHECK(memcmp(got, k, 32) == 0);
    CHECK(access(newkey, F_OK) != 0 && access(tmp, F_OK) != 0);
    vault_close(&v);
    /* the new key is in the file, the old one kept beside it */
    CHECK_EQ(dx_master_key_read(s_master, m2, err), 0);
    CHECK(memcmp(m1, m2, 32) != 0);
    dx_master_key_id(m1, id);
    dx_master_kept_name(ONFILE, id, kept);
    uint8_t back[32];
    CHECK_EQ(dx_master_key_read(kept, back, err), 0);
    CHECK(memcmp(back, m1, 32) == 0);
    CHECK_EQ(vault_open(s_path, GIVEN(m1), false, NULL, &v, err), DX_ERR_PERM);
    CHECK_EQ(vault_open(s_path, ONFILE, false, NULL, &v, err), 0);
    CHECK_EQ(vault_key(v, slot, 5, got), 0);
    vault_close(&v);

    /* crash after the next key file, before the content keys moved: undone */
    CHECK_EQ(dx_master_key_write(newkey, m3, false, err), 0);
    int fd = open(tmp, O_WRONLY | O_CREAT, 0600);
    CHECK(write(fd, "partial", 7) == 7);
    close(fd);
    CHECK_EQ(vault_open(s_path, ONFILE, false, NULL, &v, err), 0);
    CHECK(access(newkey, F_OK) != 0 && access(tmp, F_OK) != 0);
    CHECK_EQ(vault_key(v, slot, 5, got), 0);
    /* crash after the content keys moved, before the key file did: finished */
    CHECK_EQ(vault_rotate(v, &count, err), 0);
    vault_close(&v);
    CHECK_EQ(dx_master_key_read(s_master, m3, err), 0);
    CHECK_EQ(rename(s_master, newkey), 0);          /* as if the promotion never ran: */
    CHECK_EQ(dx_master_key_write(s_master, m2, false, err), 0); /* the old key is still there */
    /* a read-only look (--check-config) takes the new key and changes nothing */
    CHECK_EQ(vault_open(s_path, ONFILE, true, NULL, &v, err), 0);
    CHECK_EQ(vault_key(v, slot, 5, got), 0);
    vault_close(&v);
    CHECK(access(newkey, F_OK) == 0);
    CHECK_EQ(vault_open(s_path, ONFILE, false, NULL, &v, err), 0);
    CHECK(access(newkey, F_OK) != 0);
    uint8_t onfile[32];
    CHECK_EQ(dx_master_key_read(s_master, onfile, err), 0);
    CHECK(memcmp(onfile, m3, 32) == 0);
    CHECK_EQ(vault_key(v, slot, 5, got), 0);
    CHECK(memcmp(got, k, 32) == 0);
    vault_close(&v);
    /* m2 was kept on the way: a store from between the rotations opens */
    dx_master_key_id(m2, id);
    dx_master_kept_name(ONFILE, id, kept);
    CHECK_EQ(dx_master_key_read(kept, back, err), 0);
    CHECK(memcmp(back, m2, 32) == 0);
    /* retiring: not the current key; a kept one goes */
    char name[DX_MASTER_PATH_MAX];
    CHECK_EQ(dx_master_retire(ONFILE, id, name, err), 0);
    CHECK(access(kept, F_OK) != 0);
    CHECK_EQ(dx_master_retire(ONFILE, id, name, err), DX_ERR_NOT_FOUND);
    /* a derived or given key has nothing to rotate into */
    CHECK_EQ(vault_open(s_path, GIVEN(m3), false, NULL, &v, err), 0);
    CHECK_EQ(vault_rotate(v, &count, err), DX_ERR_USAGE);
    vault_close(&v);
}

/* A store moved from one master key to another (a file here; a token in
 * test_pkcs11 and integration/pkcs11); one writer at a time. */
TEST(move_and_one_writer)
{
    uint8_t m[32], k[32], got[32];
    char err[DX_ERRMSG], other[400];
    uint32_t slot, count = 0;
    vault_t *v = NULL, *w = NULL;
    s_fresh("move");
    snprintf(other, sizeof other, "%s.moved", s_master);
    dx_master_loc_t to = { other, NULL, NULL, NULL };
    CHECK_EQ(dx_random(m, 32), 0);
    CHECK_EQ(vault_open(s_path, GIVEN(m), false, NULL, &v, err), 0);
    CHECK_EQ(vault_create(v, 9, &slot, k), 0);
    CHECK_EQ(vault_open(s_path, GIVEN(m), false, NULL, &w, err), DX_ERR_BUSY);
    CHECK(strstr(err, "in use by a running broker"));
    CHECK_EQ(vault_open(s_path, GIVEN(m), true, NULL, &w, err), 0); /* readers may look */
    vault_close(&w);
    CHECK_EQ(vault_move(v, &to, &count, err), 0);
    CHECK_EQ(count, 1u);
    CHECK_EQ(vault_key(v, slot, 9, got), 0);
    CHECK(memcmp(got, k, 32) == 0);
    CHECK_EQ(vault_move(v, &to, &count, err), DX_ERR_EXISTS);
    CHECK_EQ(vault_open(s_path, &to, false, NULL, &w, err), DX_ERR_BUSY); /* the new file is locked too */
    vault_close(&v);
    CHECK_EQ(vault_open(s_path, GIVEN(m), false, NULL, &v, err), DX_ERR_PERM);
    CHECK_EQ(vault_open(s_path, &to, false, NULL, &v, err), 0);
    CHECK_EQ(vault_key(v, slot, 9, got), 0);
    CHECK(memcmp(got, k, 32) == 0);
    vault_close(&v);
}

int main(void)
{
    if (!mkdtemp(s_dir))
        return 1;
    RUN(master_key_files);
    RUN(slots_keys_and_wipes);
    RUN(reap_unmarked);
    RUN(rotation_and_its_crash_points);
    RUN(move_and_one_writer);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s_dir);
    if (system(cmd) != 0)
        return 1;
    return TEST_EXIT();
}
