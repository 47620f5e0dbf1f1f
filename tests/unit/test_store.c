#include "store.h"
#include "test.h"

#include <stdlib.h>

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
    CHECK_EQ(store_staging_put(t, 9, 1), 0);
    CHECK_EQ(store_content_put(t, 9, 0, "ddd", 3), 0);
    CHECK_EQ(store_blob_max(t, &blob), 0);
    CHECK_EQ(blob, 9u);
    CHECK_EQ(store_staging_collect(t, &n), 0);
    CHECK_EQ(n, 1u);
    CHECK_EQ(store_content_get(t, 9, 0, &v), DX_ERR_NOT_FOUND);
    CHECK_EQ(store_content_delete(t, 7), 0);
    CHECK_EQ(store_content_get(t, 7, 1, &v), DX_ERR_NOT_FOUND);
    CHECK_EQ(store_content_get(t, 8, 0, &v), 0);
    CHECK(v.len == 3 && memcmp(v.data, "ccc", 3) == 0);
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
    RUN(audit_append_only);
    RUN(nested_abort_keeps_parent);
    RUN(map_full_is_an_error);
    RUN(readonly_and_foreign_dirs);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s_dir);
    if (system(cmd) != 0)
        return 1;
    return TEST_EXIT();
}
