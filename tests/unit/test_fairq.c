/* fairq: members are served in turn, each member's requests in order, the
 * broker's own under "", and nothing is lost or freed twice. */
#include "fairq.h"
#include "test.h"
#include "broker.h"
#include "request.h"

#include <stdio.h>
#include <stdlib.h>

static request_t *s_rq(const char *member, size_t n)
{
    request_t *rq = calloc(1, sizeof *rq);
    rq->kind = member ? RQ_MEMBER : RQ_RELOAD;
    snprintf(rq->member_id, sizeof rq->member_id, "%s", member ? member : "");
    rq->frame_len = n;
    return rq;
}

TEST(a_flood_waits_its_turn)
{
    fairq_t *q = NULL;
    CHECK_EQ(fairq_new(&q), 0);
    for (size_t i = 1; i <= 1000; i++)
        CHECK_EQ(fairq_push(q, s_rq("flooder", i)), 0);
    CHECK_EQ(fairq_push(q, s_rq("health", 1)), 0);
    CHECK_EQ(fairq_push(q, s_rq(NULL, 1)), 0);
    CHECK_EQ(fairq_count(q), 1002u);
    CHECK_EQ(fairq_members(q), 3u);
    CHECK_EQ(fairq_bytes(q), 1000u * 1001u / 2u + 2u);
    /* the flooder's first, then the others': each waits one request of it */
    request_t *rq = fairq_pop(q);
    CHECK(rq && strcmp(rq->member_id, "flooder") == 0 && rq->frame_len == 1);
    request_free(&rq);
    rq = fairq_pop(q);
    CHECK(rq && strcmp(rq->member_id, "health") == 0);
    request_free(&rq);
    rq = fairq_pop(q);
    CHECK(rq && rq->kind == RQ_RELOAD);
    request_free(&rq);
    size_t next = 2;
    while ((rq = fairq_pop(q)) != NULL) {
        CHECK_EQ(rq->frame_len, next); /* in order */
        next++;
        request_free(&rq);
    }
    CHECK_EQ(next, 1001u);
    CHECK_EQ(fairq_count(q), 0u);
    fairq_destroy(&q);
    CHECK(q == NULL);
}

TEST(many_members_and_what_is_left_is_freed)
{
    fairq_t *q = NULL;
    char id[16];
    CHECK_EQ(fairq_new(&q), 0);
    for (int round = 0; round < 3; round++)
        for (int m = 0; m < 500; m++) {
            snprintf(id, sizeof id, "m%d", m);
            CHECK_EQ(fairq_push(q, s_rq(id, (size_t)round)), 0);
        }
    /* the first 500 pops are every member's first request */
    for (int i = 0; i < 500; i++) {
        request_t *rq = fairq_pop(q);
        CHECK(rq && rq->frame_len == 0);
        request_free(&rq);
    }
    CHECK_EQ(fairq_count(q), 1000u);
    fairq_destroy(&q); /* frees the 1,000 left (ASan would say otherwise) */
}

int main(void)
{
    RUN(a_flood_waits_its_turn);
    RUN(many_members_and_what_is_left_is_freed);
    return TEST_EXIT();
}
