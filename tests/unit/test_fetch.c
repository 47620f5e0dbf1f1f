/* fetch (requests/fetch.c): FetchBegin on the writer, each FetchMore on a
 * reader (fixture.h runs both on this thread). Whole content streams from
 * the reader at once; a view leaves without the excluded field, its last
 * message only after its record; credit past the end is dropped; another
 * member's session id is answered like none and recorded as a probe. */
#include "fixture.h"

static fx_t s_fx;

/* FetchBegin by who; the session (0 when refused: *code says why). */
static uint64_t s_begin(fx_t *f, const dx_keypair_t *who, const char *name, const char *purpose,
                        bool *filtered, int *code)
{
    Dx__Reply *r = fx_fetch_begin(f, who, name, purpose);
    uint64_t s = r && r->body_case == DX__REPLY__BODY_FETCH_READY ? r->fetch_ready->session : 0;
    *filtered = s && r->fetch_ready->filtered;
    *code = fx_error(r);
    wire_reply_free(&r);
    return s;
}

static request_t *s_more(fx_t *f, const dx_keypair_t *who, uint64_t session)
{
    Dx__Request req = DX__REQUEST__INIT;
    Dx__FetchMore fm = DX__FETCH_MORE__INIT;
    fm.session = session;
    req.body_case = DX__REQUEST__BODY_FETCH_MORE;
    req.fetch_more = &fm;
    return fx_request(f, who, &req);
}

TEST(whole_content_streams_from_the_reader)
{
    fx_t *f = &s_fx;
    bool filtered;
    int code;
    uint64_t s = s_begin(f, &f->health, "health/wide", "operations", &filtered, &code);
    CHECK(s != 0 && !filtered);
    fx_reader(f, s_more(f, &f->health, s));
    Dx__Reply *r = fx_reply(f);
    CHECK(r && r->body_case == DX__REPLY__BODY_FETCH_DATA && r->fetch_data->last);
    CHECK(r && r->fetch_data && r->fetch_data->data.len == strlen("a,secret,c\n1,x,2\n"));
    wire_reply_free(&r);
    /* credit past the end: dropped, the request ends without a reply */
    fx_reader(f, s_more(f, &f->health, s));
    char kind = 0;
    CHECK_EQ(fx_next(f, &kind, &r), 0);
    CHECK_EQ(kind, 'N');
    wire_reply_free(&r);
}

TEST(a_view_leaves_without_the_field_after_its_record)
{
    fx_t *f = &s_fx;
    bool filtered;
    int code;
    int before = fx_records(f, "statistics", "read", NULL, NULL);
    uint64_t s = s_begin(f, &f->stats, "health/wide", "statistics", &filtered, &code);
    CHECK(s != 0 && filtered);
    request_t *rq = s_more(f, &f->stats, s);
    /* the reader's part alone: the last message is staged, not sent */
    fx_read_turn(f, rq);
    CHECK(staged_any(rq));
    CHECK(fx_quiet(f));
    fx_writer(f, rq);
    Dx__Reply *r = fx_reply(f);
    CHECK(r && r->body_case == DX__REPLY__BODY_FETCH_DATA && r->fetch_data->last && r->fetch_data->view);
    CHECK(r && r->fetch_data && r->fetch_data->data.len == strlen("a,c\n1,2\n") &&
          memcmp(r->fetch_data->data.data, "a,c\n1,2\n", r->fetch_data->data.len) == 0);
    wire_reply_free(&r);
    char decision[32] = "";
    CHECK_EQ(fx_records(f, "statistics", "read", decision, NULL), before + 2); /* decision, view */
    CHECK_STR(decision, "ok");
}

TEST(another_members_session_is_answered_like_none_and_recorded)
{
    fx_t *f = &s_fx;
    bool filtered;
    int code;
    uint64_t s = s_begin(f, &f->health, "health/wide", "operations", &filtered, &code);
    CHECK(s != 0);
    fx_reader(f, s_more(f, &f->stats, s));
    Dx__Reply *theirs = fx_reply(f);
    fx_reader(f, s_more(f, &f->stats, s ^ 0x5555));
    Dx__Reply *none = fx_reply(f);
    CHECK_EQ(fx_error(theirs), DX__ERROR_CODE__ERR_TRANSFER_GONE);
    CHECK_EQ(fx_error(none), DX__ERROR_CODE__ERR_TRANSFER_GONE);
    CHECK(theirs && none && strcmp(theirs->error->message, none->error->message) == 0);
    wire_reply_free(&theirs);
    wire_reply_free(&none);
    char rule[64] = "";
    CHECK(fx_records(f, "statistics", "read", NULL, rule) >= 1);
    CHECK_STR(rule, "transfer");
}

TEST(a_name_one_may_not_read_is_answered_like_none)
{
    fx_t *f = &s_fx;
    bool filtered;
    int code_there, code_not;
    CHECK_EQ(s_begin(f, &f->stats, "health/wide", "marketing", &filtered, &code_there), 0u);
    CHECK_EQ(s_begin(f, &f->stats, "health/nothing", "marketing", &filtered, &code_not), 0u);
    CHECK(code_there != 0);
    CHECK_EQ(code_there, code_not);
}

/* A view that keeps a few bytes of each wide row reads many stored chunks
 * for one message: a reader's turn reads at most a few, and the request
 * goes on in later turns (no request holds a reader unboundedly), while
 * the number of messages still follows the view's size, not the source's. */
TEST(a_sparse_view_is_read_in_bounded_turns)
{
    fx_t *f = &s_fx;
    size_t cap = 12u << 20, len = 0;
    char *wide = malloc(cap);
    if (!wide)
        return;
    len += (size_t)snprintf(wide, cap, "a,secret\n");
    char pad[1001];
    memset(pad, 'x', 1000);
    pad[1000] = '\0';
    for (int i = 0; len + 1100 < cap && i < 10000; i++)
        len += (size_t)snprintf(wide + len, cap - len, "%d,%s\n", i % 10, pad);
    CHECK(len > 9u * DX_CHUNK_SIZE);
    CHECK_EQ(fx_publish_stream(f, "health/sparse", wide, len, "text/csv"), 1u);
    free(wide);
    bool filtered;
    int code;
    uint64_t s = s_begin(f, &f->stats, "health/sparse", "statistics", &filtered, &code);
    CHECK(s != 0 && filtered);
    int turns = 0;
    fx_reader_turns(f, s_more(f, &f->stats, s), &turns);
    CHECK(turns >= 2); /* more than one turn for the one message */
    Dx__Reply *r = fx_reply(f);
    CHECK(r && r->body_case == DX__REPLY__BODY_FETCH_DATA && r->fetch_data->last &&
          r->fetch_data->index == 0 && r->fetch_data->data.len == strlen("a\n") + 10000 * 2);
    wire_reply_free(&r);
}

int main(void)
{
    dx_log_set_level(DX_LOG_ERROR);
    if (fx_open(&s_fx) != 0 || fx_publish(&s_fx, "health/wide", "a,secret,c\n1,x,2\n") != 1) {
        printf("FAIL fetch: the fixture did not open\n");
        return 1;
    }
    RUN(whole_content_streams_from_the_reader);
    RUN(a_view_leaves_without_the_field_after_its_record);
    RUN(another_members_session_is_answered_like_none_and_recorded);
    RUN(a_name_one_may_not_read_is_answered_like_none);
    RUN(a_sparse_view_is_read_in_bounded_turns);
    fx_close(&s_fx);
    return TEST_EXIT();
}
