/* dispatch (stages/dispatch.c): the refusals every command shares, made
 * and recorded before any handler runs, on the writer and on a reader; a
 * read staged by a reader is admitted again by the writer, which drops it
 * when the member no longer may (its reply never leaves); every command
 * has one row, and its frame limit. */
#include "fixture.h"

static fx_t s_fx;

static request_t *s_list(fx_t *f, const dx_keypair_t *who)
{
    Dx__Request req = DX__REQUEST__INIT;
    Dx__ListRequest lr = DX__LIST_REQUEST__INIT;
    req.body_case = DX__REQUEST__BODY_LIST;
    req.list = &lr;
    return fx_request(f, who, &req);
}

TEST(a_missing_role_is_refused_and_recorded)
{
    fx_t *f = &s_fx;
    Dx__Request req = DX__REQUEST__INIT;
    Dx__AuditQuery q = DX__AUDIT_QUERY__INIT;
    req.body_case = DX__REQUEST__BODY_AUDIT_QUERY;
    req.audit_query = &q;
    fx_reader(f, fx_request(f, &f->stats, &req));
    Dx__Reply *r = fx_reply(f);
    CHECK_EQ(fx_error(r), DX__ERROR_CODE__ERR_DENIED);
    CHECK(r && r->error && strstr(r->error->message, "does not have the role auditor"));
    wire_reply_free(&r);
    char decision[32] = "", rule[64] = "";
    CHECK(fx_records(f, "statistics", "audit", decision, rule) == 1);
    CHECK_STR(decision, "deny");
    CHECK_STR(rule, "default-deny");
}

TEST(a_connection_opened_with_an_old_key_is_refused)
{
    fx_t *f = &s_fx;
    request_t *rq = s_list(f, &f->stats);
    rq->transport_key[0] ^= 1;
    fx_reader(f, rq);
    Dx__Reply *r = fx_reply(f);
    CHECK_EQ(fx_error(r), DX__ERROR_CODE__ERR_DENIED);
    CHECK(r && r->error && strstr(r->error->message, "transport key"));
    wire_reply_free(&r);
}

TEST(the_writer_admits_a_staged_read_again)
{
    fx_t *f = &s_fx;
    int lists = fx_records(f, "statistics", "list", NULL, NULL);
    request_t *rq = s_list(f, &f->stats);
    fx_read_turn(f, rq);
    CHECK(staged_any(rq));
    /* meanwhile the connection's key is no longer the member's */
    rq->transport_key[0] ^= 1;
    fx_writer(f, rq);
    Dx__Reply *r = fx_reply(f);
    CHECK_EQ(fx_error(r), DX__ERROR_CODE__ERR_DENIED);
    wire_reply_free(&r);
    CHECK(fx_quiet(f)); /* the page never left */
    CHECK_EQ(fx_records(f, "statistics", "list", NULL, NULL), lists + 1); /* the refusal only */
}

TEST(every_type_has_one_row_and_a_frame_limit)
{
    for (size_t i = 0; i < dispatch_count(); i++) {
        const command_t *c = dispatch_at(i);
        CHECK(dispatch_command(c->body) == c);
        CHECK(dispatch_index(c) == i);
        CHECK(c->max_frame >= 1024 && c->max_frame <= DX_MAX_FRAME);
        CHECK(c->handler || c->read);
        /* a command with a read and no handler leaves nothing open */
    }
    CHECK(dispatch_command((Dx__Request__BodyCase)999) == NULL);
}

int main(void)
{
    dx_log_set_level(DX_LOG_ERROR);
    if (fx_open(&s_fx) != 0) {
        printf("FAIL dispatch: the fixture did not open\n");
        return 1;
    }
    RUN(a_missing_role_is_refused_and_recorded);
    RUN(a_connection_opened_with_an_old_key_is_refused);
    RUN(the_writer_admits_a_staged_read_again);
    RUN(every_type_has_one_row_and_a_frame_limit);
    fx_close(&s_fx);
    return TEST_EXIT();
}
