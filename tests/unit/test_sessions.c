#include "err.h"
#include "sessions.h"
#include "test.h"
#include "broker.h"

static int s_expired;
static void s_on_expire(void *arg, session_t *s)
{
    (void)arg;
    (void)s;
    s_expired++;
}

TEST(limits_and_ownership)
{
    sessions_t *ss = NULL;
    CHECK_EQ(sessions_new(3, 2, &ss), 0);
    session_t *a = session_new(SESSION_FETCH, "alpha", 0);
    CHECK_EQ(sessions_add(ss, a), 0);
    CHECK(a->id != 0);
    CHECK_EQ(sessions_add(ss, session_new(SESSION_FETCH, "alpha", 0)), 0);
    CHECK_EQ(sessions_add(ss, session_new(SESSION_FETCH, "alpha", 0)), DX_ERR_BUSY); /* per member */
    CHECK_EQ(sessions_add(ss, session_new(SESSION_FETCH, "beta", 0)), 0);
    CHECK_EQ(sessions_add(ss, session_new(SESSION_FETCH, "gamma", 0)), DX_ERR_BUSY); /* total */
    CHECK(sessions_get(ss, a->id, "alpha") == a);
    CHECK(sessions_get(ss, a->id, "beta") == NULL); /* not another member's */
    CHECK(sessions_get(ss, a->id, NULL) == a);
    CHECK(sessions_foreign(ss, a->id, "beta"));   /* a probe by beta */
    CHECK(!sessions_foreign(ss, a->id, "alpha"));
    CHECK(!sessions_foreign(ss, 12345, "beta"));  /* no such id: not a probe of anyone */
    uint64_t id = a->id;
    sessions_remove(ss, id);
    CHECK(sessions_get(ss, id, "alpha") == NULL);
    CHECK_EQ(sessions_count(ss), 2u);
    sessions_destroy(&ss);
    CHECK(ss == NULL);
}

TEST(expiry)
{
    sessions_t *ss = NULL;
    CHECK_EQ(sessions_new(8, 8, &ss), 0);
    sessions_add(ss, session_new(SESSION_FETCH, "alpha", 100));
    sessions_add(ss, session_new(SESSION_FETCH, "alpha", 500));
    session_t *busy = session_new(SESSION_PUBLISH, "alpha", 100);
    busy->busy = true; /* a commit in flight: not expired under it */
    sessions_add(ss, busy);
    sessions_expire(ss, 300, s_on_expire, NULL);
    CHECK_EQ(s_expired, 1);
    CHECK_EQ(sessions_count(ss), 2u);
    sessions_destroy(&ss);
}

int main(void)
{
    RUN(limits_and_ownership);
    RUN(expiry);
    return TEST_EXIT();
}
