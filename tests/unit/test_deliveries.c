/* deliveries (requests/deliveries.c): a whole fetch writes its delivery
 * row with the fetch's record, and the publisher's page shows who received
 * what; a member who did not publish the name gets an empty page, or, for
 * a version, the answer a version that does not exist gets. */
#include "fixture.h"

static fx_t s_fx;

static Dx__Reply *s_page(fx_t *f, const dx_keypair_t *who, const char *name, uint64_t version)
{
    Dx__Request req = DX__REQUEST__INIT;
    Dx__DeliveriesRequest q = DX__DELIVERIES_REQUEST__INIT;
    q.dataset = (char *)name;
    q.version = version;
    req.body_case = DX__REQUEST__BODY_DELIVERIES;
    req.deliveries = &q;
    fx_reader(f, fx_request(f, who, &req));
    return fx_reply(f);
}

TEST(a_fetch_writes_the_row_the_publisher_sees)
{
    fx_t *f = &s_fx;
    Dx__Reply *r = fx_fetch_begin(f, &f->health, "health/rows", "operations");
    CHECK(r && r->body_case == DX__REPLY__BODY_FETCH_READY);
    wire_reply_free(&r);
    r = s_page(f, &f->health, "health/rows", 0);
    CHECK(r && r->body_case == DX__REPLY__BODY_DELIVERIES && r->deliveries->n_deliveries == 1);
    CHECK(r && r->deliveries && r->deliveries->n_deliveries == 1 &&
          strcmp(r->deliveries->deliveries[0]->member, "health") == 0 &&
          r->deliveries->deliveries[0]->read_seq > 0);
    wire_reply_free(&r);
}

TEST(others_get_nothing_of_it)
{
    fx_t *f = &s_fx;
    Dx__Reply *r = s_page(f, &f->stats, "health/rows", 0);
    CHECK(r && r->body_case == DX__REPLY__BODY_DELIVERIES && r->deliveries->n_deliveries == 0);
    wire_reply_free(&r);
    Dx__Reply *there = s_page(f, &f->stats, "health/rows", 1);
    Dx__Reply *not = s_page(f, &f->stats, "health/rows", 9);
    CHECK_EQ(fx_error(there), DX__ERROR_CODE__ERR_NOT_FOUND);
    CHECK_EQ(fx_error(not), DX__ERROR_CODE__ERR_NOT_FOUND);
    CHECK(there && not && there->error && not->error &&
          strlen(there->error->message) == strlen(not->error->message));
    wire_reply_free(&there);
    wire_reply_free(&not);
}

int main(void)
{
    dx_log_set_level(DX_LOG_ERROR);
    if (fx_open(&s_fx) != 0 || fx_publish(&s_fx, "health/rows", "a\n1\n") != 1) {
        printf("FAIL deliveries: the fixture did not open\n");
        return 1;
    }
    RUN(a_fetch_writes_the_row_the_publisher_sees);
    RUN(others_get_nothing_of_it);
    fx_close(&s_fx);
    return TEST_EXIT();
}
