/* readers (stages/readers.c): reader lanes on their own threads beside
 * this one, which plays the writer. A read's page is produced on a lane
 * and passed on staged, never answered before the writer commits it (not
 * even with an end); a view's last message, committed, goes back through
 * its lane, which sends it and ends the fetch: credit after it is dropped
 * there.
 * Run under ThreadSanitizer in make test. */
#include "fixture.h"
#include "jobs.h"
#include "readers.h"
#include "sessions.h"
#include "tsan.h"

static fx_t s_fx;
static void *s_writer;             /* PULL at inproc://dx-writer: what lanes pass on */

static request_t *s_passed(void)
{
    request_t *rq = NULL;
    int wait_ms = 5000;
    zmq_setsockopt(s_writer, ZMQ_RCVTIMEO, &wait_ms, sizeof wait_ms);
    if (zmq_recv(s_writer, &rq, sizeof rq, 0) != sizeof rq)
        return NULL;
    DX_HANDOFF_RECV(rq);
    return rq;
}

TEST(a_page_is_read_on_a_lane_and_committed_by_the_writer)
{
    fx_t *f = &s_fx;
    Dx__Request req = DX__REQUEST__INIT;
    Dx__ListRequest lr = DX__LIST_REQUEST__INIT;
    req.body_case = DX__REQUEST__BODY_LIST;
    req.list = &lr;
    for (int i = 0; i < 8; i++)
        CHECK_EQ(readers_submit(&f->b, fx_request(f, &f->stats, &req), 0), 0);
    for (int i = 0; i < 8; i++) {
        request_t *rq = s_passed();
        CHECK(rq && staged_any(rq) && rq->reader == NULL);
        if (!rq)
            return;
        rq->now_ms = dx_now_ms();
        dispatch(&f->b, rq);
        request_free(&rq);
    }
    CHECK(fx_quiet(f)); /* nothing before the commit, not even an end (REPLY_NONE) */
    batch_commit(f->b.batch, dx_now_ms());
    for (int i = 0; i < 8; i++) {
        Dx__Reply *r = fx_reply(f);
        CHECK(r && r->body_case == DX__REPLY__BODY_LIST && r->list->n_datasets == 2);
        wire_reply_free(&r);
    }
}

TEST(a_views_last_message_comes_back_through_its_lane_which_ends_it)
{
    fx_t *f = &s_fx;
    Dx__Reply *r = fx_fetch_begin(f, &f->stats, "health/view", "statistics");
    uint64_t session = r && r->fetch_ready ? r->fetch_ready->session : 0;
    CHECK(session != 0 && r->fetch_ready->filtered);
    wire_reply_free(&r);
    CHECK_EQ(jobs_return_new(f->b.readers, &f->b.back), 0);
    Dx__Request req = DX__REQUEST__INIT;
    Dx__FetchMore fm = DX__FETCH_MORE__INIT;
    fm.session = session;
    req.body_case = DX__REQUEST__BODY_FETCH_MORE;
    req.fetch_more = &fm;
    CHECK_EQ(readers_submit(&f->b, fx_request(f, &f->stats, &req), session), 0);
    /* the view's one message is staged: the writer (this thread) commits it */
    request_t *rq = s_passed();
    CHECK(rq && staged_any(rq));
    if (!rq)
        return;
    rq->now_ms = dx_now_ms();
    dispatch(&f->b, rq);
    request_free(&rq);
    batch_commit(f->b.batch, dx_now_ms()); /* sends it back to the lane (RQ_SEND) */
    r = fx_reply(f);
    CHECK(r && r->body_case == DX__REPLY__BODY_FETCH_DATA && r->fetch_data->last && r->fetch_data->view);
    wire_reply_free(&r);
    /* credit after it: the lane ended the session and drops it itself */
    CHECK_EQ(readers_submit(&f->b, fx_request(f, &f->stats, &req), session), 0);
    char kind = 0;
    CHECK_EQ(fx_next(f, &kind, &r), 0);
    CHECK_EQ(kind, 'N');
    wire_reply_free(&r);
    CHECK(!sessions_has(f->b.sessions, session, "statistics", SESSION_FETCH));
    jobs_return_free(&f->b.back);
}

int main(void)
{
    dx_log_set_level(DX_LOG_ERROR);
    if (fx_open(&s_fx) != 0 || fx_publish(&s_fx, "health/small", "a\n1\n") != 1 ||
        fx_publish(&s_fx, "health/view", "a,secret\n1,x\n") != 1) {
        printf("FAIL readers: the fixture did not open\n");
        return 1;
    }
    if (!(s_writer = zmq_socket(s_fx.b.zctx, ZMQ_PULL)) || zmq_bind(s_writer, "inproc://dx-writer") != 0 ||
        readers_start(&s_fx.b, 2) != 0) {
        printf("FAIL readers: the lanes did not start\n");
        return 1;
    }
    RUN(a_page_is_read_on_a_lane_and_committed_by_the_writer);
    RUN(a_views_last_message_comes_back_through_its_lane_which_ends_it);
    readers_stop(&s_fx.b);
    readers_free(&s_fx.b);
    zmq_close(s_writer);
    fx_close(&s_fx);
    return TEST_EXIT();
}
