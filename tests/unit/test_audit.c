/* The broker's audit appender and group-commit batch, checked with the
 * shared verifier (lib/audit_chain). */
#include "audit.h"
#include "audit_chain.h"
#include "audit_log.h"
#include "audit_view.h"
#include "batch.h"
#include "test.h"
#include "wire.h"
#include "broker.h"

#include <stdlib.h>

static char s_dir[] = "/tmp/dx-test-audit-XXXXXX";
static uint8_t s_sk[32], s_pk[32];
static dx_signer_t *s_signer;

typedef struct {
    uint8_t *data[256];
    size_t len[256];
    size_t n;
} records_t;

static int s_grab(void *arg, uint64_t seq, store_val_t v)
{
    (void)seq;
    records_t *r = arg;
    if (r->n == 256)
        return 1;
    r->data[r->n] = malloc(v.len);
    memcpy(r->data[r->n], v.data, v.len);
    r->len[r->n++] = v.len;
    return 0;
}

static void s_free_records(records_t *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->data[i]);
    r->n = 0;
}

static int s_done_status[8];
static int s_done_calls;
static void s_done(void *arg, int status)
{
    s_done_status[(intptr_t)arg] = status;
    s_done_calls++;
}

static int s_append(batch_t *b, audit_t *a, const char *event)
{
    store_txn_t *t;
    Dx__AuditRecord r = DX__AUDIT_RECORD__INIT;
    r.event = (char *)event;
    r.decision = "ok";
    int rv = batch_txn(b, &t);
    return rv ? rv : audit_append(a, t, &r, NULL);
}

/* Reads every record and the head, and verifies them. */
static int s_verify(store_t *s, records_t *recs, dx_checkpoint_t *head, char err[DX_ERRMSG])
{
    store_txn_t *t = NULL;
    store_val_t hv;
    dx_chain_t c;
    dx_chain_init(&c);
    store_begin(s, NULL, false, &t);
    store_audit_each(t, 0, s_grab, recs);
    char why[DX_ERRMSG];
    int rv = dx_log_head(t, &hv);
    if (rv == 0)
        rv = dx_checkpoint_open((const char *)hv.data, hv.len, s_pk, head, why);
    store_abort(&t);
    for (size_t i = 0; rv == 0 && i < recs->n; i++)
        rv = dx_chain_append(&c, recs->data[i], recs->len[i], err);
    if (rv == 0)
        rv = dx_chain_check(&c, head, true, err);
    return rv;
}

TEST(group_commit_and_chain)
{
    store_t *s = NULL;
    audit_t *a = NULL;
    batch_t *b = NULL;
    char err[DX_ERRMSG];
    CHECK_EQ(store_open(s_dir, 64 << 20, false, &s, err), 0);
    CHECK_EQ(audit_open(s, s_signer, "dx/test", &a, err), 0);
    CHECK_EQ(batch_new(s, a, &b), 0);
    /* three requests in one turn; the second fails and is undone alone */
    batch_op_begin(b);
    CHECK_EQ(s_append(b, a, "one"), 0);
    batch_defer(b, s_done, (void *)0);
    CHECK_EQ(batch_op_end(b, 0), 0);
    batch_op_begin(b);
    CHECK_EQ(s_append(b, a, "undone"), 0);
    batch_defer(b, s_done, (void *)1);
    CHECK_EQ(batch_op_end(b, DX_ERR_FULL), DX_ERR_FULL);
    CHECK_EQ(s_done_calls, 1);            /* told at once */
    CHECK_EQ(s_done_status[1], DX_ERR_FULL);
    batch_op_begin(b);
    CHECK_EQ(s_append(b, a, "two"), 0);
    batch_defer(b, s_done, (void *)2);
    CHECK_EQ(batch_op_end(b, 0), 0);
    CHECK_EQ(s_done_calls, 1);            /* not before the commit */
    CHECK_EQ(batch_commit(b, 1000), 0);
    CHECK_EQ(s_done_calls, 3);
    CHECK_EQ(s_done_status[0], 0);
    CHECK_EQ(s_done_status[2], 0);
    CHECK_EQ(audit_state(a).size, 2u);

    records_t recs = { .n = 0 };
    dx_checkpoint_t head;
    CHECK_EQ(s_verify(s, &recs, &head, err), 0);
    CHECK_EQ(recs.n, 2u);
    CHECK_EQ(head.size, 2u);
    CHECK_STR(head.origin, "dx/test");
    Dx__AuditRecord *r = NULL;
    CHECK_EQ(wire_audit_decode(recs.data[1], recs.len[1], &r, err), 0);
    CHECK(r && r->seq == 2 && strcmp(r->event, "two") == 0);
    wire_free(&r);
    s_free_records(&recs);
    batch_destroy(&b);
    audit_destroy(&a);
    store_close(&s);
}

TEST(reopen_continues_chain)
{
    store_t *s = NULL;
    audit_t *a = NULL;
    batch_t *b = NULL;
    char err[DX_ERRMSG];
    CHECK_EQ(store_open(s_dir, 64 << 20, false, &s, err), 0);
    CHECK_EQ(audit_open(s, s_signer, "dx/test", &a, err), 0);
    CHECK_EQ(audit_state(a).size, 2u);
    CHECK_EQ(batch_new(s, a, &b), 0);
    batch_op_begin(b);
    CHECK_EQ(s_append(b, a, "three"), 0);
    CHECK_EQ(batch_op_end(b, 0), 0);
    CHECK_EQ(batch_commit(b, 2000), 0);
    records_t recs = { .n = 0 };
    dx_checkpoint_t head;
    CHECK_EQ(s_verify(s, &recs, &head, err), 0);
    CHECK_EQ(recs.n, 3u);
    s_free_records(&recs);
    batch_destroy(&b);
    audit_destroy(&a);
    store_close(&s);
}

/* Tampering of each kind is caught and named. */
TEST(tampering_detected)
{
    store_t *s = NULL;
    char err[DX_ERRMSG];
    CHECK_EQ(store_open(s_dir, 64 << 20, false, &s, err), 0);
    records_t recs = { .n = 0 };
    dx_checkpoint_t head;
    CHECK_EQ(s_verify(s, &recs, &head, err), 0);
    store_close(&s);
    dx_chain_t c;

    /* edit any byte of any record: found, and the right record named */
    for (size_t k = 0; k < recs.n; k++) {
        for (size_t at = 0; at < recs.len[k]; at++) {
            recs.data[k][at] ^= 0x20;
            dx_chain_init(&c);
            int rv = 0;
            for (size_t i = 0; rv == 0 && i < recs.n; i++)
                rv = dx_chain_append(&c, recs.data[i], recs.len[i], err);
            if (rv == 0)
                rv = dx_chain_check(&c, &head, true, err);
            CHECK_EQ(rv, DX_ERR_INTEGRITY);
            if (c.bad_seq != k + 1)
                printf("# byte %zu of record %zu: %s\n", at, k + 1, err);
            CHECK_EQ(c.bad_seq, k + 1);
            recs.data[k][at] ^= 0x20;
        }
    }

    /* remove record 2 */
    dx_chain_init(&c);
    CHECK_EQ(dx_chain_append(&c, recs.data[0], recs.len[0], err), 0);
    CHECK_EQ(dx_chain_append(&c, recs.data[2], recs.len[2], err), DX_ERR_INTEGRITY);
    CHECK(strstr(err, "removed, inserted or reordered") != NULL);

    /* truncate: the head covers more than is there */
    dx_chain_init(&c);
    CHECK_EQ(dx_chain_append(&c, recs.data[0], recs.len[0], err), 0);
    CHECK_EQ(dx_chain_append(&c, recs.data[1], recs.len[1], err), 0);
    CHECK_EQ(dx_chain_check(&c, &head, true, err), DX_ERR_INTEGRITY);
    CHECK(strstr(err, "removed from the end") != NULL);

    /* a rewritten history of the same size: the root differs */
    dx_chain_init(&c);
    for (size_t i = 0; i < recs.n; i++)
        dx_chain_append(&c, recs.data[i], recs.len[i], err);
    CHECK_EQ(dx_chain_check(&c, &head, true, err), 0);
    head.root[5] ^= 1;
    CHECK_EQ(dx_chain_check(&c, &head, true, err), DX_ERR_INTEGRITY);
    s_free_records(&recs);
}

/* The stored tree gives the same roots and proofs as one rebuilt from the
 * records; record times never decrease even when the clock steps back. */
TEST(tree_and_indexes)
{
    store_t *s = NULL;
    audit_t *a = NULL;
    batch_t *b = NULL;
    char err[DX_ERRMSG];
    CHECK_EQ(store_open(s_dir, 64 << 20, false, &s, err), 0);
    CHECK_EQ(audit_open(s, s_signer, "dx/test", &a, err), 0);
    CHECK_EQ(batch_new(s, a, &b), 0);
    static const char *members[] = { "alpha", "beta", "gamma" };
    static const char *datasets[] = { "health/a", "health/b/c", "tax/x", "", "health/**" };
    for (int i = 0; i < 120; i++) {
        batch_op_begin(b);
        store_txn_t *t;
        Dx__AuditRecord r = DX__AUDIT_RECORD__INIT;
        r.event = "read";
        r.member = (char *)members[i % 3];
        r.dataset = (char *)datasets[i % 5];
        r.decision = i % 2 ? "allow" : "deny";
        r.time_ms = 1000 + i * 10 - (i == 50 ? 500 : 0); /* one clock step back */
        CHECK_EQ(batch_txn(b, &t), 0);
        CHECK_EQ(audit_append(a, t, &r, NULL), 0);
        batch_op_end(b, 0);
        if (i % 7 == 0)
            CHECK_EQ(batch_commit(b, 5000 + i), 0);
    }
    CHECK_EQ(batch_commit(b, 9000), 0);
    records_t recs = { .n = 0 };
    dx_checkpoint_t head;
    CHECK_EQ(s_verify(s, &recs, &head, err), 0);
    store_txn_t *t = NULL;
    CHECK_EQ(store_begin(s, NULL, false, &t), 0);
    dx_frontier_t f;
    dx_frontier_init(&f);
    int64_t prev_time = 0;
    for (size_t i = 0; i < recs.n; i++) {
        dx_hash_t leaf, root, stored, proof[DX_PROOF_MAX];
        size_t n = 0;
        dx_merkle_leaf(recs.data[i], recs.len[i], leaf);
        dx_frontier_append(&f, leaf);
        dx_frontier_root(&f, root);
        CHECK_EQ(dx_log_root(t, i + 1, stored), 0);
        CHECK(memcmp(root, stored, 32) == 0);
        CHECK_EQ(dx_log_inclusion(t, i + 1, recs.n, proof, &n), 0);
        CHECK_EQ(dx_merkle_verify_inclusion(leaf, i, recs.n, proof, n, head.root), 0);
        Dx__AuditRecord *r = NULL;
        CHECK_EQ(wire_audit_decode(recs.data[i], recs.len[i], &r, err), 0);
        CHECK(r->time_ms >= prev_time);
        prev_time = r->time_ms;
        wire_free(&r);
    }
    s_free_records(&recs);
    store_abort(&t);
    batch_destroy(&b);
    audit_destroy(&a);
    store_close(&s);
}

typedef struct {
    uint64_t seqs[4096];
    size_t n;
    size_t page;              /* stop after this many per call (0: never) */
    size_t in_page;
} hits_t;

static int s_hit(void *arg, uint64_t seq, store_val_t v)
{
    (void)v;
    hits_t *h = arg;
    if (h->n < 4096)
        h->seqs[h->n++] = seq;
    return h->page && ++h->in_page >= h->page;
}

/* Indexed, paged queries give exactly what testing every record gives. */
TEST(queries_match_a_full_scan)
{
    char dir[300], err[DX_ERRMSG];
    snprintf(dir, sizeof dir, "%s/q", s_dir);
    store_t *s = NULL;
    audit_t *a = NULL;
    batch_t *b = NULL;
    CHECK_EQ(store_open(dir, 256 << 20, false, &s, err), 0);
    CHECK_EQ(audit_open(s, s_signer, "dx/test", &a, err), 0);
    CHECK_EQ(batch_new(s, a, &b), 0);
    static const char *members[] = { "alpha", "beta", "gamma", "delta", "" };
    static const char *datasets[] = { "health/a", "health/b/c", "health/b/d", "tax/x", "tax/y/z",
                                      "", "health/**", "edu/q" };
    static const char *purposes[] = { "", "statistics", "research" };
    static const char *rules[] = { "r1", "r2", "owner", "default-deny" };
    uint64_t rng = 12345;
    int64_t now = 1000000;
    for (int i = 0; i < 3000; i++) {
        rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
        uint32_t x = (uint32_t)(rng >> 33);
        batch_op_begin(b);
        store_txn_t *t;
        Dx__AuditRecord r = DX__AUDIT_RECORD__INIT;
        r.event = x % 3 == 0 ? "publish" : "read";
        r.action = r.event;
        r.member = (char *)members[x % 5];
        r.dataset = (char *)datasets[(x >> 3) % 8];
        r.purpose = (char *)purposes[(x >> 6) % 3];
        r.rule_id = (char *)rules[(x >> 8) % 4];
        r.decision = (x >> 10) % 2 ? "allow" : "deny";
        r.version = (x >> 11) % 3;
        now += (x >> 13) % 50;
        r.time_ms = now;
        batch_txn(b, &t);
        CHECK_EQ(audit_append(a, t, &r, NULL), 0);
        batch_op_end(b, 0);
        if (i % 100 == 99)
            batch_commit(b, now);
    }
    batch_commit(b, now);
    store_txn_t *t = NULL;
    CHECK_EQ(store_begin(s, NULL, false, &t), 0);
    static const char *qdatasets[] = { "", "health/**", "health/b/*", "tax/x", "*/x", "**", "health/b/c", "nope/**" };
    for (int k = 0; k < 400; k++) {
        rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
        uint32_t x = (uint32_t)(rng >> 33);
        Dx__AuditQuery q = DX__AUDIT_QUERY__INIT;
        if (x % 3 == 0)
            q.member = (char *)members[(x >> 2) % 4];
        q.dataset = (char *)qdatasets[(x >> 4) % 8];
        if ((x >> 7) % 3 == 0)
            q.purpose = (char *)purposes[1 + (x >> 9) % 2];
        if ((x >> 10) % 4 == 0)
            q.decision = "deny";
        if ((x >> 12) % 3 == 0) {
            q.since_ms = 1000000 + (int64_t)((x >> 14) % 40000);
            q.until_ms = q.since_ms + (int64_t)((x >> 3) % 30000);
        }
        if ((x >> 16) % 5 == 0)
            q.rule_id = (char *)rules[(x >> 18) % 4];
        if ((x >> 20) % 6 == 0)
            q.version = 1 + (x >> 22) % 2;
        /* the expected answer: every record tested */
        hits_t want = { .n = 0 }, got = { .n = 0, .page = 1 + (x >> 5) % 50 };
        for (uint64_t seq = 1; seq <= 3000; seq++) {
            store_val_t v;
            Dx__AuditRecord *r = NULL;
            CHECK_EQ(store_audit_get(t, seq, &v), 0);
            CHECK_EQ(wire_audit_decode(v.data, v.len, &r, err), 0);
            if (dx_audit_matches(&q, r))
                want.seqs[want.n++] = seq;
            wire_free(&r);
        }
        /* the planner, in pages, with a small scan bound to exercise resuming */
        uint64_t after = 0, next = 0;
        int calls = 0;
        do {
            got.in_page = 0;
            CHECK_EQ(dx_log_query(t, &q, after, 1 + (x >> 25) % 300, s_hit, &got, &next), 0);
            after = next;
        } while (next && ++calls < 100000);
        if (got.n != want.n || memcmp(got.seqs, want.seqs, want.n * sizeof *want.seqs) != 0)
            printf("# query %d (member=%s dataset=%s): %zu results, %zu expected\n", k, q.member,
                   q.dataset, got.n, want.n);
        CHECK(got.n == want.n && memcmp(got.seqs, want.seqs, want.n * sizeof *want.seqs) == 0);
    }
    store_abort(&t);
    batch_destroy(&b);
    audit_destroy(&a);
    store_close(&s);
}

int main(void)
{
    if (!mkdtemp(s_dir) || dx_ed25519_keygen(s_sk, s_pk) != 0 || dx_signer_new(s_sk, &s_signer) != 0)
        return 1;
    RUN(group_commit_and_chain);
    RUN(reopen_continues_chain);
    RUN(tampering_detected);
    RUN(tree_and_indexes);
    RUN(queries_match_a_full_scan);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s_dir);
    if (system(cmd) != 0)
        return 1;
    return TEST_EXIT();
}
