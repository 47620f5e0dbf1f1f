/* record (commit/record.c): a decision is appended in its request's
 * transaction and undone with it; on a reader it is staged, and appended
 * by the writer under the hash of the policy set that decided (a reload in
 * between does not change what the record names); the broker's own
 * records have no member. */
#include "fixture.h"
#include "record.h"
#include "reload.h"

static fx_t s_fx;

static int s_last(fx_t *f, Dx__AuditRecord **out)
{
    store_txn_t *t = NULL;
    uint64_t last = 0;
    store_val_t v;
    char err[DX_ERRMSG];
    int rv = store_begin(f->b.store, NULL, false, &t);
    if (rv == 0 && (rv = store_audit_last(t, &last)) == 0 && (rv = store_audit_get(t, last, &v)) == 0)
        rv = wire_audit_decode(v.data, v.len, out, err);
    store_abort(&t);
    return rv;
}

static request_t *s_rq(fx_t *f)
{
    Dx__Request req = DX__REQUEST__INIT;
    Dx__ListRequest lr = DX__LIST_REQUEST__INIT;
    req.body_case = DX__REQUEST__BODY_LIST;
    req.list = &lr;
    return fx_request(f, &f->stats, &req);
}

TEST(a_record_is_undone_with_its_request)
{
    fx_t *f = &s_fx;
    request_t *rq = s_rq(f);
    audit_fields_t af = { .event = DX_EV_LIST, .action = "list", .dataset = "undone/x",
                          .rule_id = "r", .reason = "undone" };
    int before = fx_records(f, "statistics", "list", NULL, NULL);
    batch_op_begin(f->b.batch);
    CHECK_EQ(record_audit(&f->b, rq, &af, NULL), 0);
    batch_op_end(f->b.batch, DX_ERR_STORAGE);
    batch_commit(f->b.batch, dx_now_ms());
    CHECK_EQ(fx_records(f, "statistics", "list", NULL, NULL), before);
    request_free(&rq);
}

TEST(a_staged_record_names_the_set_that_decided)
{
    fx_t *f = &s_fx;
    request_t *rq = s_rq(f);
    uint8_t decided[DX_SHA256_LEN];
    memcpy(decided, f->b.policy->sha256, DX_SHA256_LEN);
    audit_fields_t af = { .event = DX_EV_LIST, .action = "list", .dataset = "staged/x",
                          .allow = true, .rule_id = "r", .reason = "staged" };
    held_policy_t *hp = policy_set_hold(&f->b);
    rq->policy = hp->policy;
    rq->reader = &f->reader;
    uint64_t seq = 99;
    CHECK_EQ(record_audit(&f->b, rq, &af, &seq), 0);
    CHECK_EQ(seq, 0u); /* known once the writer appends it */
    rq->reader = NULL;
    policy_set_release(&f->b, &hp);
    /* a reload that loads another set comes between */
    fx_write(f, "policies/extra.yaml", "version: 1\nrules:\n  - id: extra\n    effect: allow\n"
             "    actions: [list]\n    members: [auditor]\n    datasets: [\"x/**\"]\n");
    dx_diag_t diag = { 0 };
    char reason[DX_ERRMSG + 64];
    batch_op_begin(f->b.batch);
    CHECK_EQ(reload_policy(&f->b, NULL, "the test", &diag, reason), 0);
    batch_op_end(f->b.batch, 0);
    dx_diag_free(&diag);
    CHECK(memcmp(f->b.policy->sha256, decided, DX_SHA256_LEN) != 0);
    batch_op_begin(f->b.batch);
    CHECK_EQ(staged_commit(&f->b, rq), 0);
    CHECK(staged_seq(rq) == 0); /* the staging is gone after its commit */
    batch_op_end(f->b.batch, 0);
    batch_commit(f->b.batch, dx_now_ms());
    Dx__AuditRecord *r = NULL;
    CHECK_EQ(s_last(f, &r), 0);
    CHECK(r && strcmp(r->dataset, "staged/x") == 0 && r->policy_sha256.len == DX_SHA256_LEN &&
          memcmp(r->policy_sha256.data, decided, DX_SHA256_LEN) == 0);
    wire_free(&r);
    request_free(&rq);
}

/* A reload asked for by an admin swaps the set inside its own request:
 * its record is appended after the swap, under the set now in force (the
 * one the request began under is freed by then: ASan in make test). */
TEST(a_reload_request_records_under_the_set_it_loaded)
{
    fx_t *f = &s_fx;
    fx_write(f, "policies/extra2.yaml", "version: 1\nrules:\n  - id: extra2\n    effect: allow\n"
             "    actions: [list]\n    members: [auditor]\n    datasets: [\"y/**\"]\n");
    Dx__Request req = DX__REQUEST__INIT;
    Dx__ReloadRequest rr = DX__RELOAD_REQUEST__INIT;
    req.body_case = DX__REQUEST__BODY_RELOAD;
    req.reload = &rr;
    fx_writer(f, fx_request(f, &f->admin, &req));
    Dx__Reply *r = fx_reply(f);
    CHECK(r && r->body_case == DX__REPLY__BODY_RELOAD);
    wire_reply_free(&r);
    Dx__AuditRecord *last = NULL;
    CHECK_EQ(s_last(f, &last), 0);
    CHECK(last && strcmp(last->event, "policy_load") == 0 && last->policy_sha256.len == DX_SHA256_LEN &&
          memcmp(last->policy_sha256.data, f->b.policy->sha256, DX_SHA256_LEN) == 0);
    wire_free(&last);
}

TEST(the_brokers_own_record_has_no_member)
{
    fx_t *f = &s_fx;
    CHECK_EQ(record_system(&f->b, DX_EV_BROKER_START, "a test's own record"), 0);
    batch_commit(f->b.batch, dx_now_ms());
    Dx__AuditRecord *r = NULL;
    CHECK_EQ(s_last(f, &r), 0);
    CHECK(r && strcmp(r->member, "") == 0 && strcmp(r->reason, "a test's own record") == 0);
    wire_free(&r);
}

int main(void)
{
    dx_log_set_level(DX_LOG_ERROR);
    if (fx_open(&s_fx) != 0) {
        printf("FAIL record: the fixture did not open\n");
        return 1;
    }
    RUN(a_record_is_undone_with_its_request);
    RUN(a_staged_record_names_the_set_that_decided);
    RUN(a_reload_request_records_under_the_set_it_loaded);
    RUN(the_brokers_own_record_has_no_member);
    fx_close(&s_fx);
    return TEST_EXIT();
}
