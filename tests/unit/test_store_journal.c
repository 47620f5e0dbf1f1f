/* store_journal: a write transaction's changes captured, and applied to
 * another store, which ends the same; malformed operations refused. */
#include "store.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

static char s_root[] = "/tmp/dx-test-sjournal-XXXXXX";

typedef struct {
    uint8_t *ops[16];
    size_t len[16];
    int n;
    int fail;      /* the journal refuses: the commit must not happen */
} captured_t;

static int s_capture(void *arg, store_txn_t *t, const uint8_t *ops, size_t len)
{
    captured_t *c = arg;
    if (c->fail)
        return c->fail;
    if (c->n == 16)
        return DX_ERR_FULL;
    c->ops[c->n] = malloc(len);
    memcpy(c->ops[c->n], ops, len);
    c->len[c->n++] = len;
    return store_journal_mark(t, &c->n, sizeof c->n);
}

static store_t *s_open(const char *name)
{
    char dir[200], err[DX_ERRMSG];
    store_t *s = NULL;
    snprintf(dir, sizeof dir, "%s/%s", s_root, name);
    if (store_open(dir, 64 << 20, false, &s, err) != 0)
        printf("# %s\n", err);
    return s;
}

static int s_notes(void *arg, const store_op_t *op)
{
    if (op->kind == STORE_OP_NOTE)
        (*(int *)arg)++;
    return 0;
}

TEST(captured_and_applied)
{
    store_t *a = s_open("a"), *b = s_open("b");
    captured_t c = { 0 };
    store_txn_t *t = NULL, *child = NULL;
    uint8_t *room = NULL;
    store_journal_set(a, s_capture, &c);
    CHECK_EQ(store_begin(a, NULL, true, &t), 0);
    CHECK_EQ(store_catalog_put(t, "x/y", 1, "one", 3), 0);
    CHECK_EQ(store_content_reserve(t, 7, 0, 5, &room), 0);
    memcpy(room, "hello", 5);
    CHECK_EQ(store_begin(a, t, true, &child), 0);   /* kept */
    CHECK_EQ(store_audit_put(child, 1, "rec1", 4), 0);
    CHECK_EQ(store_journal_note(child, STORE_NOTE_KEYSLOT, 3, "slot", 4), 0);
    CHECK_EQ(store_commit(&child), 0);
    CHECK_EQ(store_begin(a, t, true, &child), 0);   /* dropped */
    CHECK_EQ(store_audit_put(child, 2, "rec2", 4), 0);
    store_abort(&child);
    CHECK_EQ(store_staging_put(t, 9, 1, 3, 2), 0);
    CHECK_EQ(store_commit(&t), 0);
    CHECK_EQ(c.n, 1);
    CHECK_EQ(store_begin(a, NULL, true, &t), 0);
    CHECK_EQ(store_staging_delete(t, 9), 0);
    CHECK_EQ(store_content_delete(t, 7), 0);
    CHECK_EQ(store_commit(&t), 0);
    CHECK_EQ(c.n, 2);
    CHECK_EQ(store_begin(a, NULL, false, &t), 0);   /* a read commits nothing */
    store_abort(&t);
    CHECK_EQ(c.n, 2);

    /* the first entry on b: the same rows, the note seen, nothing else */
    int notes = 0;
    store_val_t v;
    CHECK_EQ(store_begin(b, NULL, true, &t), 0);
    CHECK_EQ(store_journal_apply(t, c.ops[0], c.len[0], s_notes, &notes), 0);
    CHECK_EQ(store_commit(&t), 0);
    CHECK_EQ(notes, 1);
    CHECK_EQ(store_begin(b, NULL, false, &t), 0);
    CHECK_EQ(store_catalog_get(t, "x/y", 1, &v), 0);
    CHECK(v.len == 3 && memcmp(v.data, "one", 3) == 0);
    CHECK_EQ(store_content_get(t, 7, 0, &v), 0);
    CHECK(v.len == 5 && memcmp(v.data, "hello", 5) == 0);
    CHECK_EQ(store_audit_get(t, 1, &v), 0);
    CHECK_EQ(store_audit_get(t, 2, &v), DX_ERR_NOT_FOUND);
    CHECK_EQ(store_journal_position(t, &v), DX_ERR_NOT_FOUND); /* a's own mark is a's */
    store_abort(&t);
    CHECK_EQ(store_begin(b, NULL, true, &t), 0);
    CHECK_EQ(store_journal_apply(t, c.ops[1], c.len[1], NULL, NULL), 0);
    CHECK_EQ(store_commit(&t), 0);
    CHECK_EQ(store_begin(b, NULL, false, &t), 0);
    CHECK_EQ(store_content_get(t, 7, 0, &v), DX_ERR_NOT_FOUND);
    uint64_t n = 0;
    CHECK_EQ(store_staging_collect(t, false, &n), 0);
    CHECK_EQ(n, 0u);
    store_abort(&t);

    /* a refused journal entry commits nothing */
    c.fail = DX_ERR_FENCED;
    CHECK_EQ(store_begin(a, NULL, true, &t), 0);
    CHECK_EQ(store_catalog_put(t, "x/y", 2, "two", 3), 0);
    CHECK_EQ(store_commit(&t), DX_ERR_FENCED);
    CHECK_EQ(store_begin(a, NULL, false, &t), 0);
    CHECK_EQ(store_catalog_get(t, "x/y", 2, &v), DX_ERR_NOT_FOUND);
    store_abort(&t);
    for (int i = 0; i < c.n; i++)
        free(c.ops[i]);
    store_close(&a);
    store_close(&b);
}

TEST(malformed_operations_are_refused)
{
    store_t *b = s_open("c");
    store_txn_t *t = NULL;
    static const uint8_t bad_table[] = { 1, 99, 0, 0, 0, 1, 0, 0, 0, 0, 'k' };
    static const uint8_t bad_kind[] = { 7, 1, 0, 0, 0, 1, 0, 0, 0, 0, 'k' };
    static const uint8_t too_long[] = { 1, 1, 0, 0, 0, 9, 0, 0, 0, 0, 'k' };
    static const uint8_t del_value[] = { 2, 1, 0, 0, 0, 1, 0, 0, 0, 1, 'k', 'v' };
    static const uint8_t no_key[] = { 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 'v' };
    static const uint8_t good_then_cut[] = { 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 'k', 'v', 1, 1 };
    const uint8_t *cases[] = { bad_table, bad_kind, too_long, del_value, no_key, good_then_cut };
    size_t lens[] = { sizeof bad_table, sizeof bad_kind, sizeof too_long, sizeof del_value,
                      sizeof no_key, sizeof good_then_cut };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK_EQ(store_begin(b, NULL, true, &t), 0);
        CHECK_EQ(store_journal_apply(t, cases[i], lens[i], NULL, NULL), DX_ERR_INTEGRITY);
        store_abort(&t);
    }
    store_val_t v;
    CHECK_EQ(store_begin(b, NULL, false, &t), 0);  /* the good half of the last was not applied */
    CHECK_EQ(store_catalog_get(t, "k", 0, &v), DX_ERR_NOT_FOUND);
    store_abort(&t);
    store_close(&b);
}

int main(void)
{
    if (!mkdtemp(s_root))
        return 1;
    RUN(captured_and_applied);
    RUN(malformed_operations_are_refused);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s_root);
    if (system(cmd) != 0)
        return 1;
    return TEST_EXIT();
}
