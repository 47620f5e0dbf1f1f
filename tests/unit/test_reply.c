/* reply (commit/reply.c): a reply that acknowledges a write leaves only
 * once its group is committed, with the signed head when witnessed; an
 * undone request is answered with the storage error instead; a request
 * that ends unanswered by design says so to intake (REPLY_NONE); from a
 * reader, a reply after the commit is staged, not sent. */
#include "fixture.h"
#include "reply.h"

static fx_t s_fx;

static request_t *s_rq(fx_t *f)
{
    Dx__Request req = DX__REQUEST__INIT;
    Dx__StatusRequest st = DX__STATUS_REQUEST__INIT;
    req.body_case = DX__REQUEST__BODY_STATUS;
    req.status = &st;
    return fx_request(f, &f->admin, &req);
}

static Dx__Reply s_notify(Dx__Notify *n)
{
    Dx__Reply r = DX__REPLY__INIT;
    n->seq = 42;
    r.body_case = DX__REPLY__BODY_NOTIFY;
    r.notify = n;
    return r;
}

TEST(a_later_reply_waits_for_the_commit_and_carries_its_head)
{
    fx_t *f = &s_fx;
    request_t *rq = s_rq(f);
    Dx__Notify n = DX__NOTIFY__INIT;
    Dx__Reply r = s_notify(&n);
    batch_op_begin(f->b.batch);
    CHECK_EQ(reply_witnessed(&f->b, rq, &r, NULL, 0), 0);
    CHECK_EQ(rq->answer, RQ_ANSWERED);
    CHECK_EQ(batch_op_end(f->b.batch, 0), 0);
    CHECK(fx_quiet(f));
    batch_commit(f->b.batch, dx_now_ms());
    Dx__Reply *got = fx_reply(f);
    CHECK(got && got->body_case == DX__REPLY__BODY_NOTIFY && got->notify->seq == 42);
    CHECK(got && got->checkpoint.len > 0 && got->id == rq->req->id);
    wire_reply_free(&got);
    request_free(&rq);
}

static int s_after_status = 1;
static void s_after(broker_t *b, uint64_t session, int status)
{
    (void)b;
    (void)session;
    s_after_status = status;
}

TEST(an_undone_request_is_answered_with_the_storage_error)
{
    fx_t *f = &s_fx;
    request_t *rq = s_rq(f);
    Dx__Notify n = DX__NOTIFY__INIT;
    Dx__Reply r = s_notify(&n);
    batch_op_begin(f->b.batch);
    CHECK_EQ(reply_later(&f->b, rq, &r, s_after, 7), 0);
    batch_op_end(f->b.batch, DX_ERR_FULL); /* the request's writes undone */
    CHECK_EQ(s_after_status, DX_ERR_FULL);
    Dx__Reply *got = fx_reply(f);
    CHECK_EQ(fx_error(got), DX__ERROR_CODE__ERR_STORAGE);
    wire_reply_free(&got);
    batch_commit(f->b.batch, dx_now_ms());
    CHECK(fx_quiet(f)); /* and nothing else */
    request_free(&rq);
}

TEST(none_tells_intake_the_request_ended)
{
    fx_t *f = &s_fx;
    request_t *rq = s_rq(f);
    reply_none(&f->b, rq);
    char kind = 0;
    Dx__Reply *got = NULL;
    CHECK_EQ(fx_next(f, &kind, &got), 0);
    CHECK_EQ(kind, REPLY_NONE);
    CHECK(got == NULL);
    request_free(&rq);
}

TEST(from_a_reader_a_later_reply_is_staged)
{
    fx_t *f = &s_fx;
    request_t *rq = s_rq(f);
    Dx__Notify n = DX__NOTIFY__INIT;
    Dx__Reply r = s_notify(&n);
    rq->reader = &f->reader;
    CHECK_EQ(reply_later(&f->b, rq, &r, NULL, 0), 0);
    rq->reader = NULL;
    CHECK(staged_any(rq));
    CHECK(fx_quiet(f));
    batch_op_begin(f->b.batch);
    CHECK_EQ(staged_commit(&f->b, rq), 0);
    CHECK_EQ(batch_op_end(f->b.batch, 0), 0);
    batch_commit(f->b.batch, dx_now_ms());
    Dx__Reply *got = fx_reply(f);
    CHECK(got && got->body_case == DX__REPLY__BODY_NOTIFY);
    wire_reply_free(&got);
    request_free(&rq);
}

int main(void)
{
    dx_log_set_level(DX_LOG_ERROR);
    if (fx_open(&s_fx) != 0) {
        printf("FAIL reply: the fixture did not open\n");
        return 1;
    }
    RUN(a_later_reply_waits_for_the_commit_and_carries_its_head);
    RUN(an_undone_request_is_answered_with_the_storage_error);
    RUN(none_tells_intake_the_request_ended);
    RUN(from_a_reader_a_later_reply_is_staged);
    fx_close(&s_fx);
    return TEST_EXIT();
}
