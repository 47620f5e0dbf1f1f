#include "store.h"
#include "test.h"

#include <lmdb.h>
#include <stdlib.h>
#include <string.h>

static char s_dir[] = "/tmp/dx-test-store-XXXXXX";

static store_t *s_open(uint64_t map)
{
    store_t *s = NULL;
    char err[DX_ERRMSG];
    if (store_open(s_dir, map, false, &s, err) != 0)
        printf("# %s\n", err);
    return s;
}

TEST(catalog_versions)
{
    store_t *s = s_open(64 << 20);
    store_txn_t *t = NULL;
    uint64_t v = 0;
    store_val_t val;
    CHECK_EQ(store_begin(s, NULL, true, &t), 0);
    CHECK_EQ(store_catalog_latest(t, "a/b", &v), DX_ERR_NOT_FOUND);
    CHECK_EQ(store_catalog_put(t, "a/b", 1, "one", 3), 0);
    CHECK_EQ(store_catalog_put(t, "a/b", 2, "two", 3), 0);
    CHECK_EQ(store_catalog_put(t, "a/b/c", 1, "x", 1), 0);
    CHECK_EQ(store_catalog_put(t, "a/a", 5, "y", 1), 0);
    CHECK_EQ(store_catalog_put(t, "a/b", 2, "dup", 3), DX_ERR_STORAGE); /* no overwrite */
    CHECK_EQ(store_commit(&t), 0);
    CHECK_EQ(store_begin(s, NULL, false, &t), 0);
    CHECK_EQ(store_catalog_latest(t, "a/b", &v), 0);
    CHECK_EQ(v, 2u);
    CHECK_EQ(store_catalog_latest(t, "a/b/c", &v), 0);
    CHECK_EQ(v, 1u);
    CHECK_EQ(store_catalog_latest(t, "a", &v), DX_ERR_NOT_FOUND);
    CHECK_EQ(store_catalog_get(t, "a/b", 1, &val), 0);
    CHECK(val.len == 3 && memcmp(val.data, "one", 3) == 0);
    store_abort(&t);
    store_close(&s);
    CHECK(s == NULL);
}

static int s_count(void *arg, const char *name, uint64_t version, store_val_t val)
{
    (void)val;
    char *log = arg;
    size_t n = strlen(log);
    snprintf(log + n, 256 - n, "%s@%llu ", name, (unsigned long long)version);
    return 0;
}

TEST(catalog_latest_of_each)
{
    store_t *s = s_open(64 << 20);
    store_txn_t *t = NULL;
    char log[256] = "";
    CHECK_EQ(store_begin(s, NULL, false, &t), 0);
    CHECK_EQ(store_catalog_each_latest(t, "", "", s_count, log), 0);
    CHECK_STR(log, "a/a@5 a/b@2 a/b/c@1 ");
    /* a range: a prefix, and a cursor past which the page starts */
    log[0] = '\0';
    CHECK_EQ(store_catalog_each_latest(t, "a/b", "", s_count, log), 0);
    CHECK_STR(log, "a/b@2 a/b/c@1 ");
    log[0] = '\0';
    CHECK_EQ(store_catalog_each_latest(t, "", "a/b", s_count, log), 0);
    CHECK_STR(log, "a/b/c@1 ");
    log[0] = '\0';
    CHECK_EQ(store_catalog_each_latest(t, "a/", "a/a", s_count, log), 0);
    CHECK_STR(log, "a/b@2 a/b/c@1 ");
    log[0] = '\0';
    CHECK_EQ(store_catalog_each_latest(t, "b", "", s_count, log), 0);
    CHECK_STR(log, "");
    log[0] = '\0';
    CHECK_EQ(store_catalog_each_latest(t, "a/a", "zzz", s_count, log), 0);
    CHECK_STR(log, "");
    store_abort(&t);
    store_close(&s);
}

static int s_slot_rows(void *arg, uint32_t slot, uint64_t blob)
{
    uint64_t *rows = arg;
    rows[0]++;
    rows[1] = slot;
    (void)blob;
    return 0;
}

static int s_walk(void *arg, const char *name, uint64_t version, store_val_t val)
{
    char *out = arg;
    size_t n = strlen(out);
    snprintf(out + n, 200 - n, "%s@%llu=%.*s ", name, (unsigned long long)version, (int)val.len,
             (const char *)val.data);
    return 0;
}

TEST(catalog_walk_and_replace)
{
    store_t *s = s_open(64 << 20);
    store_txn_t *t = NULL;
    char out[200] = "";
    CHECK_EQ(store_begin(s, NULL, true, &t), 0);
    CHECK_EQ(store_catalog_put(t, "a/x", 1, "1", 1), 0);
    CHECK_EQ(store_catalog_put(t, "a/x", 2, "2", 1), 0);
    CHECK_EQ(store_catalog_put(t, "b", 1, "3", 1), 0);
    CHECK_EQ(store_catalog_replace(t, "a/x", 2, "E", 1), 0);
    CHECK_EQ(store_catalog_replace(t, "a/x", 3, "E", 1), DX_ERR_NOT_FOUND);
    CHECK_EQ(store_catalog_each(t, "", 0, s_walk, out), 0);
    size_t len = strlen(out); /* after what earlier tests stored */
    CHECK(len >= 22 && strcmp(out + len - 22, "a/x@1=1 a/x@2=E b@1=3 ") == 0);
    out[0] = '\0';
    CHECK_EQ(store_catalog_each(t, "a/x", 1, s_walk, out), 0);
    CHECK_STR(out, "a/x@2=E b@1=3 ");
    out[0] = '\0';
    CHECK_EQ(store_catalog_each(t, "a/x", 2, s_walk, out), 0);
    CHECK_STR(out, "b@1=3 ");
    store_abort(&t);
    store_close(&s);
}

TEST(content_and_staging)
{
    store_t *s = s_open(64 << 20);
    store_txn_t *t = NULL;
    store_val_t v;
    uint64_t blob = 0, n = 0;
    CHECK_EQ(store_begin(s, NULL, true, &t), 0);
    CHECK_EQ(store_content_put(t, 7, 0, "aaa", 3), 0);
    CHECK_EQ(store_content_put(t, 7, 1, "bbb", 3), 0);
    CHECK_EQ(store_content_put(t, 8, 0, "ccc", 3), 0);
    CHECK_EQ(store_staging_put(t, 9, 1, 5, 1), 0);
    CHECK_EQ(store_keyslot_put(t, 5, 9), 0);
    CHECK_EQ(store_keyslot_put(t, 6, 8), 0);
    CHECK_EQ(store_content_put(t, 9, 0, "ddd", 3), 0);
    /* each start numbers its blobs from its own count << 32, or past the
     * highest in use */
    CHECK_EQ(store_blob_next(t, 0xfffffff5u, &blob), 0);
    CHECK_EQ(blob, 1ull << 32 | 0x7ffffff5u);
    CHECK_EQ(store_blob_next(t, 0, &blob), 0);
    CHECK_EQ(blob, 2ull << 32);
    CHECK_EQ(store_staging_collect(t, false, &n), 0);
    CHECK_EQ(n, 1u);
    CHECK_EQ(store_content_get(t, 9, 0, &v), DX_ERR_NOT_FOUND);
    uint64_t rows[2] = { 0, 0 };
    CHECK_EQ(store_keyslots_each(t, s_slot_rows, rows), 0);
    CHECK(rows[0] == 1 && rows[1] == 6); /* the staged blob's row went with it */
    uint8_t *room = NULL;
    CHECK_EQ(store_content_reserve(t, 10, 0, 4, &room), 0);
    memcpy(room, "eeee", 4);
    CHECK_EQ(store_content_get(t, 10, 0, &v), 0);
    CHECK(v.len == 4 && memcmp(v.data, "eeee", 4) == 0);
    CHECK_EQ(store_content_delete(t, 7), 0);
    CHECK_EQ(store_content_get(t, 7, 1, &v), DX_ERR_NOT_FOUND);
    CHECK_EQ(store_content_get(t, 8, 0, &v), 0);
    CHECK(v.len == 3 && memcmp(v.data, "ccc", 3) == 0);
    CHECK_EQ(store_commit(&t), 0);
    store_close(&s);
}

static int s_trash_rows(void *arg, uint64_t blob, uint32_t chunks)
{
    char *out = arg;
    snprintf(out + strlen(out), 64, "%llu:%u ", (unsigned long long)blob, chunks);
    return 0;
}

/* A pool's blobs: a staged one dropped goes in the trash with its chunk
 * count (its objects are removed later), and leaves it by its row. */
TEST(staging_drop_to_trash)
{
    store_t *s = s_open(64 << 20);
    store_txn_t *t = NULL;
    uint32_t slot = 0;
    uint64_t n = 0;
    char out[256] = "";
    CHECK_EQ(store_begin(s, NULL, true, &t), 0);
    CHECK_EQ(store_staging_put(t, 11, 1, 3, 4), 0);
    CHECK_EQ(store_keyslot_put(t, 3, 11), 0);
    CHECK_EQ(store_staging_put(t, 12, 1, 0, 2), 0);
    CHECK_EQ(store_staging_drop(t, 11, true, &slot), 0);
    CHECK_EQ(slot, 3u);
    CHECK_EQ(store_staging_collect(t, true, &n), 0);
    CHECK_EQ(n, 1u);
    CHECK_EQ(store_trash_put(t, 5, 0), 0);
    CHECK_EQ(store_trash_each(t, 0, s_trash_rows, out), 0);
    CHECK_STR(out, "5:0 11:4 12:2 ");
    out[0] = 0;
    CHECK_EQ(store_trash_delete(t, 11), 0);
    CHECK_EQ(store_trash_each(t, 5, s_trash_rows, out), 0);
    CHECK_STR(out, "12:2 ");
    CHECK_EQ(store_commit(&t), 0);
    store_close(&s);
}

static int s_seqs(void *arg, uint64_t seq, store_val_t val)
{
    (void)val;
    uint64_t *sum = arg;
    *sum = *sum * 10 + seq;
    return 0;
}

TEST(audit_append_only)
{
    store_t *s = s_open(64 << 20);
    store_txn_t *t = NULL;
    uint64_t last = 9, sum = 0;
    CHECK_EQ(store_begin(s, NULL, true, &t), 0);
    CHECK_EQ(store_audit_last(t, &last), 0);
    CHECK_EQ(last, 0u);
    CHECK_EQ(store_audit_put(t, 1, "r1", 2), 0);
    CHECK_EQ(store_audit_put(t, 2, "r2", 2), 0);
    CHECK_EQ(store_audit_put(t, 3, "r3", 2), 0);
    CHECK(store_audit_put(t, 2, "rX", 2) != 0); /* never rewritten */
    CHECK_EQ(store_audit_last(t, &last), 0);
    CHECK_EQ(last, 3u);
    CHECK_EQ(store_audit_each(t, 1, s_seqs, &sum), 0);
    CHECK_EQ(sum, 23u);
    CHECK_EQ(store_commit(&t), 0);
    store_close(&s);
}

TEST(nested_abort_keeps_parent)
{
    store_t *s = s_open(64 << 20);
    store_txn_t *p = NULL, *c = NULL;
    store_val_t v;
    CHECK_EQ(store_begin(s, NULL, true, &p), 0);
    CHECK_EQ(store_begin(s, p, true, &c), 0);
    CHECK_EQ(store_meta_put(c, "k1", "kept", 4), 0);
    CHECK_EQ(store_commit(&c), 0);
    CHECK_EQ(store_begin(s, p, true, &c), 0);
    CHECK_EQ(store_meta_put(c, "k2", "lost", 4), 0);
    store_abort(&c);
    CHECK_EQ(store_commit(&p), 0);
    CHECK_EQ(store_begin(s, NULL, false, &p), 0);
    CHECK_EQ(store_meta_get(p, "k1", &v), 0);
    CHECK_EQ(store_meta_get(p, "k2", &v), DX_ERR_NOT_FOUND);
    store_abort(&p);
    store_close(&s);
}

TEST(map_full_is_an_error)
{
    char dir[300];
    snprintf(dir, sizeof dir, "%s/small", s_dir);
    store_t *s = NULL;
    char err[DX_ERRMSG];
    CHECK_EQ(store_open(dir, 1 << 20, false, &s, err), 0);
    store_txn_t *t = NULL;
    uint8_t *chunk = calloc(1, 256 * 1024);
    int rv = 0;
    for (uint32_t i = 0; i < 16 && rv == 0; i++) {
        if ((rv = store_begin(s, NULL, true, &t)) != 0)
            break;
        if ((rv = store_content_put(t, 1, i, chunk, 256 * 1024)) == 0)
            rv = store_commit(&t);
        else
            store_abort(&t);
    }
    CHECK_EQ(rv, DX_ERR_FULL);
    free(chunk);
    /* still usable for reads */
    store_val_t v;
    CHECK_EQ(store_begin(s, NULL, false, &t), 0);
    CHECK_EQ(store_content_get(t, 1, 0, &v), 0);
    store_abort(&t);
    store_close(&s);
}

static int s_feed_log(void *arg, uint64_t seq, const char *name, uint64_t version, bool erased)
{
    char *log = arg;
    snprintf(log + strlen(log), 512 - strlen(log), "%llu:%s@%llu%s ", (unsigned long long)seq, name,
             (unsigned long long)version, erased ? "-erased" : "");
    return 0;
}

static int s_delivery_count(void *arg, store_val_t val)
{
    (void)val;
    (*(int *)arg)++;
    return 0;
}

TEST(feed_and_deliveries)
{
    store_t *s = s_open(64 << 20);
    store_txn_t *t = NULL;
    char log[512] = "";
    uint64_t last = 9;
    uint8_t sha1[32] = { 1 }, sha2[32] = { 2 };
    store_val_t v;
    CHECK_EQ(store_begin(s, NULL, true, &t), 0);
    CHECK_EQ(store_feed_last(t, &last), 0);
    CHECK_EQ(last, 0u);
    CHECK_EQ(store_feed_put(t, 100, "x/y", 1, false), 0);
    CHECK_EQ(store_feed_put(t, 105, "x/z", 3, false), 0);
    CHECK_EQ(store_feed_put(t, 100, "x/w", 1, false), DX_ERR_STORAGE); /* a seq is one version */
    /* an erasure; and a version whose last byte is 'E' is not one */
    CHECK_EQ(store_feed_put(t, 107, "x/z", 3, true), 0);
    CHECK_EQ(store_feed_put(t, 108, "x/e", 0x45, false), 0);
    CHECK_EQ(store_delivery_put(t, "x/y", 1, "m1", sha1, "a", 1), 0);
    CHECK_EQ(store_delivery_put(t, "x/y", 1, "m2", sha2, "b", 1), 0);
    CHECK_EQ(store_delivery_put(t, "x/y", 2, "m1", sha1, "c", 1), 0);
    CHECK_EQ(store_delivery_put(t, "x/yy", 1, "m1", sha1, "d", 1), 0);
    CHECK_EQ(store_commit(&t), 0);
    CHECK_EQ(store_begin(s, NULL, false, &t), 0);
    CHECK_EQ(store_feed_each(t, 0, s_feed_log, log), 0);
    CHECK_STR(log, "100:x/y@1 105:x/z@3 107:x/z@3-erased 108:x/e@69 ");
    log[0] = '\0';
    CHECK_EQ(store_feed_each(t, 100, s_feed_log, log), 0);
    CHECK_STR(log, "105:x/z@3 107:x/z@3-erased 108:x/e@69 ");
    CHECK_EQ(store_feed_last(t, &last), 0);
    CHECK_EQ(last, 108u);
    CHECK_EQ(store_delivery_get(t, "x/y", 1, "m2", sha2, &v), 0);
    CHECK(v.len == 1 && v.data[0] == 'b');
    CHECK_EQ(store_delivery_get(t, "x/y", 1, "m2", sha1, &v), DX_ERR_NOT_FOUND);
    int n = 0;
    CHECK_EQ(store_deliveries_each(t, "x/y", 1, s_delivery_count, &n), 0);
    CHECK_EQ(n, 2);
    n = 0; /* every version of x/y, not x/yy */
    CHECK_EQ(store_deliveries_each(t, "x/y", 0, s_delivery_count, &n), 0);
    CHECK_EQ(n, 3);
    n = 0; /* pages: after a row, the rows that follow it */
    CHECK_EQ(store_deliveries_after(t, "x/y", 0, 1, "m1", sha1, s_delivery_count, &n), 0);
    CHECK_EQ(n, 2);
    n = 0;
    CHECK_EQ(store_deliveries_after(t, "x/y", 0, 1, "m2", sha2, s_delivery_count, &n), 0);
    CHECK_EQ(n, 1);
    n = 0;
    CHECK_EQ(store_deliveries_after(t, "x/y", 1, 1, "m1", sha1, s_delivery_count, &n), 0);
    CHECK_EQ(n, 1);
    n = 0; /* past the last row */
    CHECK_EQ(store_deliveries_after(t, "x/y", 0, 2, "m1", sha1, s_delivery_count, &n), 0);
    CHECK_EQ(n, 0);
    store_abort(&t);
    store_close(&s);
}

/* A schema-2 store (no feed) gets one, from the catalog in name order. */
TEST(feed_migration_from_schema_2)
{
    char dir[] = "/tmp/dx-test-store-mig-XXXXXX", err[DX_ERRMSG], log[512] = "";
    store_t *s = NULL;
    store_txn_t *t = NULL;
    CHECK(mkdtemp(dir) != NULL);
    CHECK_EQ(store_open(dir, 64 << 20, false, &s, err), 0);
    CHECK_EQ(store_begin(s, NULL, true, &t), 0);
    CHECK_EQ(store_catalog_put(t, "b/one", 1, "x", 1), 0);
    CHECK_EQ(store_catalog_put(t, "a/two", 1, "x", 1), 0);
    CHECK_EQ(store_catalog_put(t, "a/two", 2, "x", 1), 0);
    CHECK_EQ(store_commit(&t), 0);
    store_close(&s);
    /* back to schema 2 by hand: no feed, no deliveries */
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi meta, feed, del;
    CHECK_EQ(mdb_env_create(&env), 0);
    CHECK_EQ(mdb_env_set_maxdbs(env, 32), 0);
    CHECK_EQ(mdb_env_open(env, dir, 0, 0600), 0);
    CHECK_EQ(mdb_txn_begin(env, NULL, 0, &txn), 0);
    CHECK_EQ(mdb_dbi_open(txn, "meta", 0, &meta), 0);
    CHECK_EQ(mdb_dbi_open(txn, "feed", 0, &feed), 0);
    CHECK_EQ(mdb_dbi_open(txn, "deliveries", 0, &del), 0);
    CHECK_EQ(mdb_drop(txn, feed, 1), 0);
    CHECK_EQ(mdb_drop(txn, del, 1), 0);
    uint8_t two[4] = { 0, 0, 0, 2 };
    MDB_val k = { 6, "schema" }, val = { 4, two };
    CHECK_EQ(mdb_put(txn, meta, &k, &val, 0), 0);
    CHECK_EQ(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
    /* read-only: served as it is, with an empty feed */
    CHECK_EQ(store_open(dir, 0, true, &s, err), 0);
    CHECK_EQ(store_begin(s, NULL, false, &t), 0);
    CHECK_EQ(store_feed_each(t, 0, s_feed_log, log), 0);
    CHECK_STR(log, "");
    store_abort(&t);
    store_close(&s);
    /* for writing: migrated */
    CHECK_EQ(store_open(dir, 64 << 20, false, &s, err), 0);
    CHECK_EQ(store_begin(s, NULL, false, &t), 0);
    CHECK_EQ(store_feed_each(t, 0, s_feed_log, log), 0);
    CHECK_STR(log, "1:a/two@1 2:a/two@2 3:b/one@1 ");
    store_abort(&t);
    store_close(&s);
    snprintf(log, sizeof log, "rm -rf %s", dir);
    CHECK_EQ(system(log), 0);
}

TEST(readonly_and_foreign_dirs)
{
    store_t *s = NULL;
    char err[DX_ERRMSG];
    CHECK(store_open("/nonexistent-dx", 0, true, &s, err) != 0);
    CHECK_EQ(store_open(s_dir, 0, true, &s, err), 0);
    store_txn_t *t = NULL;
    CHECK(store_begin(s, NULL, true, &t) != 0); /* no writes in read-only mode */
    store_close(&s);
}

int main(void)
{
    if (!mkdtemp(s_dir))
        return 1;
    RUN(catalog_versions);
    RUN(catalog_latest_of_each);
    RUN(content_and_staging);
    RUN(staging_drop_to_trash);
    RUN(catalog_walk_and_replace);
    RUN(audit_append_only);
    RUN(nested_abort_keeps_parent);
    RUN(map_full_is_an_error);
    RUN(feed_and_deliveries);
    RUN(feed_migration_from_schema_2);
    RUN(readonly_and_foreign_dirs);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s_dir);
    if (system(cmd) != 0)
        return 1;
    return TEST_EXIT();
}
