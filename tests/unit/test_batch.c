/* batch: one write transaction per round, a nested one per request; a
 * request that fails is undone alone, and deferred callbacks learn the
 * final status only after the commit. */
#include "audit.h"
#include "batch.h"
#include "test.h"
#include "broker.h"

#include <stdint.h>
#include <stdlib.h>

static char s_dir[] = "/tmp/dx-test-batch-XXXXXX";
static int s_status[8], s_order[8], s_calls;

static void s_done(void *arg, int status)
{
    int i = (int)(intptr_t)arg;
    s_status[i] = status;
    s_order[s_calls++] = i;
}

static int s_put(batch_t *b, const char *name, uint64_t version)
{
    store_txn_t *t;
    int rv = batch_txn(b, &t);
    return rv ? rv : store_catalog_put(t, name, version, "x", 1);
}

TEST(a_failed_request_is_undone_alone)
{
    char err[DX_ERRMSG];
    uint8_t sk[32], pk[32];
    dx_signer_t *signer = NULL;
    store_t *s = NULL;
    audit_t *a = NULL;
    batch_t *b = NULL;
    CHECK_EQ(dx_ed25519_keygen(sk, pk), 0);
    CHECK_EQ(dx_signer_new(sk, &signer), 0);
    CHECK_EQ(store_open(s_dir, 64 << 20, false, &s, err), 0);
    CHECK_EQ(audit_open(s, signer, "dx/test", &a, err), 0);
    CHECK_EQ(batch_new(s, a, &b), 0);
    if (!b)
        return;
    s_calls = 0;
    batch_op_begin(b);
    CHECK_EQ(s_put(b, "a/one", 1), 0);
    CHECK_EQ(batch_defer(b, s_done, (void *)0), 0);
    CHECK_EQ(batch_op_end(b, 0), 0);
    batch_op_begin(b);
    CHECK_EQ(s_put(b, "a/two", 1), 0);
    CHECK_EQ(batch_defer(b, s_done, (void *)1), 0);
    /* undone at once: its callback runs now, with the error */
    CHECK_EQ(batch_op_end(b, DX_ERR_DENIED), DX_ERR_DENIED);
    CHECK_EQ(s_calls, 1);
    CHECK_EQ(s_status[1], DX_ERR_DENIED);
    batch_op_begin(b);
    CHECK_EQ(s_put(b, "a/three", 1), 0);
    CHECK_EQ(batch_defer(b, s_done, (void *)2), 0);
    CHECK_EQ(batch_op_end(b, 0), 0);
    CHECK_EQ(batch_pending(b), 2u);
    /* the kept requests learn of their commit only from it, in order */
    CHECK_EQ(s_calls, 1);
    CHECK_EQ(batch_commit(b, 1000), 0);
    CHECK_EQ(s_calls, 3);
    CHECK_EQ(s_order[1], 0);
    CHECK_EQ(s_order[2], 2);
    CHECK_EQ(s_status[0], 0);
    CHECK_EQ(s_status[2], 0);
    CHECK_EQ(batch_pending(b), 0u);
    store_txn_t *t = NULL;
    uint64_t v;
    CHECK_EQ(store_begin(s, NULL, false, &t), 0);
    CHECK_EQ(store_catalog_latest(t, "a/one", &v), 0);
    CHECK_EQ(store_catalog_latest(t, "a/two", &v), DX_ERR_NOT_FOUND);
    CHECK_EQ(store_catalog_latest(t, "a/three", &v), 0);
    store_abort(&t);
    /* a round with nothing written commits nothing and still answers */
    batch_op_begin(b);
    CHECK_EQ(batch_defer(b, s_done, (void *)3), 0);
    CHECK_EQ(batch_op_end(b, 0), 0);
    CHECK_EQ(batch_commit(b, 2000), 0);
    CHECK_EQ(s_status[3], 0);
    batch_destroy(&b);
    CHECK(b == NULL);
    audit_destroy(&a);
    store_close(&s);
    dx_signer_destroy(&signer);
}

TEST(a_full_map_fails_the_request_not_the_round)
{
    char err[DX_ERRMSG], dir[sizeof s_dir + 8];
    uint8_t sk[32], pk[32];
    dx_signer_t *signer = NULL;
    store_t *s = NULL;
    audit_t *a = NULL;
    batch_t *b = NULL;
    snprintf(dir, sizeof dir, "%s/full", s_dir);
    CHECK_EQ(dx_ed25519_keygen(sk, pk), 0);
    CHECK_EQ(dx_signer_new(sk, &signer), 0);
    CHECK_EQ(store_open(dir, 1 << 20, false, &s, err), 0);
    CHECK_EQ(audit_open(s, signer, "dx/test", &a, err), 0);
    CHECK_EQ(batch_new(s, a, &b), 0);
    if (!b)
        return;
    static uint8_t big[2 << 20];
    batch_op_begin(b);
    CHECK_EQ(s_put(b, "a/small", 1), 0);
    CHECK_EQ(batch_op_end(b, 0), 0);
    batch_op_begin(b);
    store_txn_t *t;
    int rv = batch_txn(b, &t);
    if (rv == 0)
        rv = store_content_put(t, 1, 0, big, sizeof big);
    CHECK_EQ(rv, DX_ERR_FULL);
    CHECK_EQ(batch_op_end(b, rv), DX_ERR_FULL);
    CHECK_EQ(batch_commit(b, 1000), 0);
    uint64_t v;
    t = NULL;
    CHECK_EQ(store_begin(s, NULL, false, &t), 0);
    CHECK_EQ(store_catalog_latest(t, "a/small", &v), 0);
    store_abort(&t);
    batch_destroy(&b);
    audit_destroy(&a);
    store_close(&s);
    dx_signer_destroy(&signer);
}

int main(void)
{
    if (!mkdtemp(s_dir))
        return 1;
    RUN(a_failed_request_is_undone_alone);
    RUN(a_full_map_fails_the_request_not_the_round);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s_dir);
    if (system(cmd) != 0)
        return 1;
    return TEST_EXIT();
}
