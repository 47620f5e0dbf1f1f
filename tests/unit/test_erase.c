/* erase (requests/erase.c): only the role admin erases, and a refusal is
 * recorded; an erasure removes the content, keeps the entry and the
 * records, and a fetch after it is told the version was erased. */
#include "fixture.h"

static fx_t s_fx;

static Dx__Reply *s_erase(fx_t *f, const dx_keypair_t *who, const char *name, const char *reason)
{
    Dx__Request req = DX__REQUEST__INIT;
    Dx__EraseRequest er = DX__ERASE_REQUEST__INIT;
    er.dataset = (char *)name;
    er.reason = (char *)reason;
    req.body_case = DX__REQUEST__BODY_ERASE;
    req.erase = &er;
    fx_writer(f, fx_request(f, who, &req));
    return fx_reply(f);
}

TEST(only_the_role_admin_erases)
{
    fx_t *f = &s_fx;
    Dx__Reply *r = s_erase(f, &f->health, "health/gone", "a court order 12/2026");
    CHECK_EQ(fx_error(r), DX__ERROR_CODE__ERR_DENIED);
    wire_reply_free(&r);
    char decision[32] = "";
    CHECK(fx_records(f, "health", "erase", decision, NULL) >= 1);
    CHECK_STR(decision, "deny");
}

TEST(an_erasure_removes_the_content_and_keeps_the_records)
{
    fx_t *f = &s_fx;
    Dx__Reply *r = s_erase(f, &f->admin, "health/gone", "a court order 12/2026");
    CHECK(r && r->body_case == DX__REPLY__BODY_ERASED && r->erased->n_versions == 1);
    wire_reply_free(&r);
    r = fx_fetch_begin(f, &f->health, "health/gone", "operations");
    CHECK_EQ(fx_error(r), DX__ERROR_CODE__ERR_ERASED);
    wire_reply_free(&r);
    CHECK(fx_records(f, "health", "publish", NULL, NULL) >= 1); /* the publish record stays */
    /* again: nothing left to erase is refused, saying so */
    r = s_erase(f, &f->admin, "health/gone", "a court order 12/2026");
    CHECK(fx_error(r) != 0);
    wire_reply_free(&r);
}

int main(void)
{
    dx_log_set_level(DX_LOG_ERROR);
    if (fx_open(&s_fx) != 0 || fx_publish(&s_fx, "health/gone", "a\n1\n") != 1) {
        printf("FAIL erase: the fixture did not open\n");
        return 1;
    }
    RUN(only_the_role_admin_erases);
    RUN(an_erasure_removes_the_content_and_keeps_the_records);
    fx_close(&s_fx);
    return TEST_EXIT();
}
