/* publish (requests/publish.c) on a broker with no thread running
 * (fixture.h): a signed inline publish is stored, recorded and
 * acknowledged only by its commit; a forged signature, a publisher that
 * is not the sender and content that is not the CSV it claims are refused
 * and recorded; the same manifest again gets the first receipt. */
#include "fixture.h"

static fx_t s_fx;

TEST(an_inline_publish_is_acknowledged_by_its_commit)
{
    fx_t *f = &s_fx;
    request_t *rq = fx_publish_request(f, "health/one", "a,b\n1,2\n", "text/csv");
    CHECK(rq != NULL);
    if (!rq)
        return;
    dispatch_check(&f->b, rq, 0);
    rq->now_ms = dx_now_ms();
    dispatch(&f->b, rq);
    CHECK(fx_quiet(f)); /* nothing before the commit */
    batch_commit(f->b.batch, dx_now_ms());
    request_free(&rq);
    Dx__Reply *r = fx_reply(f);
    CHECK(r && r->body_case == DX__REPLY__BODY_RECEIPT && r->checkpoint.len > 0);
    wire_reply_free(&r);
    char decision[32] = "";
    CHECK(fx_records(f, "health", "publish", decision, NULL) >= 1);
    CHECK_STR(decision, "allow");
}

TEST(a_forged_signature_is_refused_and_recorded)
{
    fx_t *f = &s_fx;
    request_t *rq = fx_publish_request(f, "health/forged", "a,b\n1,2\n", "text/csv");
    if (!rq)
        return;
    rq->req->publish_begin->signature.data[5] ^= 1;
    fx_writer(f, rq);
    Dx__Reply *r = fx_reply(f);
    CHECK_EQ(fx_error(r), DX__ERROR_CODE__ERR_INTEGRITY);
    wire_reply_free(&r);
    char decision[32] = "";
    fx_records(f, "health", "publish", decision, NULL);
    CHECK_STR(decision, "deny");
}

TEST(the_same_manifest_again_gets_the_first_receipt)
{
    fx_t *f = &s_fx;
    request_t *a = fx_publish_request(f, "health/twice", "a,b\n5,6\n", "text/csv");
    if (!a)
        return;
    /* the same signed bytes, sent again */
    Dx__Request req = DX__REQUEST__INIT;
    Dx__PublishBegin pb = *a->req->publish_begin;
    req.body_case = DX__REQUEST__BODY_PUBLISH_BEGIN;
    req.publish_begin = &pb;
    request_t *b = fx_request(f, &f->health, &req);
    fx_writer(f, a);
    Dx__Reply *r1 = fx_reply(f);
    fx_writer(f, b);
    Dx__Reply *r2 = fx_reply(f);
    CHECK(r1 && r2 && r1->receipt && r2->receipt && r1->receipt->body.len == r2->receipt->body.len &&
          memcmp(r1->receipt->body.data, r2->receipt->body.data, r1->receipt->body.len) == 0);
    wire_reply_free(&r1);
    wire_reply_free(&r2);
}

TEST(content_that_is_not_the_csv_it_claims_is_refused)
{
    fx_t *f = &s_fx;
    request_t *rq = fx_publish_request(f, "health/bad", "a,b\n1,\"2\n", "text/csv");
    if (!rq)
        return;
    fx_writer(f, rq);
    Dx__Reply *r = fx_reply(f);
    CHECK(fx_error(r) != 0);
    CHECK(r && r->error && strcmp(r->error->rule_id, "content-format") == 0);
    wire_reply_free(&r);
}

TEST(a_publisher_other_than_the_sender_is_refused)
{
    fx_t *f = &s_fx;
    request_t *rq = fx_publish_request(f, "health/theirs", "a,b\n1,2\n", "text/csv");
    if (!rq)
        return;
    /* statistics sends health's signed manifest as its own request */
    snprintf(rq->member_id, sizeof rq->member_id, "statistics");
    memcpy(rq->transport_key, f->stats.pub.curve, 32);
    memcpy(rq->check.sign_key, f->stats.pub.sign, DX_ED25519_LEN);
    fx_writer(f, rq);
    Dx__Reply *r = fx_reply(f);
    CHECK(fx_error(r) != 0);
    wire_reply_free(&r);
    CHECK(fx_records(f, "statistics", "publish", NULL, NULL) >= 1);
}

int main(void)
{
    dx_log_set_level(DX_LOG_ERROR);
    if (fx_open(&s_fx) != 0) {
        printf("FAIL publish: the fixture did not open\n");
        return 1;
    }
    RUN(an_inline_publish_is_acknowledged_by_its_commit);
    RUN(a_forged_signature_is_refused_and_recorded);
    RUN(the_same_manifest_again_gets_the_first_receipt);
    RUN(content_that_is_not_the_csv_it_claims_is_refused);
    RUN(a_publisher_other_than_the_sender_is_refused);
    fx_close(&s_fx);
    return TEST_EXIT();
}
