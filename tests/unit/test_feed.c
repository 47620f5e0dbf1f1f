/* feed (requests/feed.c): a page read on a reader under the policy it
 * holds, the subscription and the record the writer's. A member sees what
 * it may list and nothing else; an empty page is not recorded; watch
 * subscribes the connection once, and the next publish notifies it. */
#include "feed.h"
#include "fixture.h"

static fx_t s_fx;

static Dx__Reply *s_feed(fx_t *f, const dx_keypair_t *who, uint64_t after, bool watch)
{
    Dx__Request req = DX__REQUEST__INIT;
    Dx__FeedRequest fr = DX__FEED_REQUEST__INIT;
    fr.after = after;
    fr.watch = watch;
    req.body_case = DX__REQUEST__BODY_FEED;
    req.feed = &fr;
    fx_reader(f, fx_request(f, who, &req));
    return fx_reply(f);
}

TEST(a_page_shows_what_the_member_may_list)
{
    fx_t *f = &s_fx;
    Dx__Reply *r = s_feed(f, &f->stats, 0, false);
    CHECK(r && r->body_case == DX__REPLY__BODY_FEED && r->feed->n_entries == 2);
    wire_reply_free(&r);
    int before = fx_records(f, "auditor", "feed", NULL, NULL);
    r = s_feed(f, &f->auditor, 0, false);
    CHECK(r && r->body_case == DX__REPLY__BODY_FEED && r->feed->n_entries == 0);
    wire_reply_free(&r);
    CHECK_EQ(fx_records(f, "auditor", "feed", NULL, NULL), before); /* nothing shown: not recorded */
}

TEST(watch_subscribes_once_and_a_publish_notifies)
{
    fx_t *f = &s_fx;
    Dx__Reply *r = s_feed(f, &f->stats, 0, true);
    CHECK(r && r->feed && r->feed->lease_s > 0);
    uint64_t next = r && r->feed ? r->feed->next_after : 0;
    wire_reply_free(&r);
    CHECK_EQ(feed_subs_count(f->b.feed_subs), 1u);
    r = s_feed(f, &f->stats, next, true);
    wire_reply_free(&r);
    CHECK_EQ(feed_subs_count(f->b.feed_subs), 1u); /* renewed, not added */
    fx_writer(f, fx_publish_request(f, "health/third", "a\n1\n", "text/csv"));
    /* the receipt, and the notification to the watching connection */
    Dx__Reply *a = fx_reply(f), *b = fx_reply(f);
    Dx__Reply *n = a && a->body_case == DX__REPLY__BODY_NOTIFY ? a : b;
    Dx__Reply *receipt = n == a ? b : a;
    CHECK(receipt && receipt->body_case == DX__REPLY__BODY_RECEIPT);
    CHECK(n && n->body_case == DX__REPLY__BODY_NOTIFY && n->notify->seq > next);
    CHECK(fx_quiet(f)); /* once */
    wire_reply_free(&a);
    wire_reply_free(&b);
}

int main(void)
{
    dx_log_set_level(DX_LOG_ERROR);
    if (fx_open(&s_fx) != 0 || fx_publish(&s_fx, "health/one", "a\n1\n") != 1 ||
        fx_publish(&s_fx, "health/two", "a\n2\n") != 1) {
        printf("FAIL feed: the fixture did not open\n");
        return 1;
    }
    RUN(a_page_shows_what_the_member_may_list);
    RUN(watch_subscribes_once_and_a_publish_notifies);
    fx_close(&s_fx);
    return TEST_EXIT();
}
