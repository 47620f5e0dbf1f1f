/* jobs: requests with one key run in order on one lane; every request is
 * passed on exactly once; with no threads the submitter runs them. */
#include "jobs.h"
#include "tsan.h"
#include "test.h"
#include "broker.h"
#include "request.h"

#include <pthread.h>
#include <stdlib.h>
#include <zmq.h>

#define N 400
#define KEYS 7

typedef struct {
    int lane_of_key[KEYS + 1];
    int last_of_key[KEYS + 1];
    int bad;
} seen_t;

/* Each request's frame_len is its number; its id its key. Per key the
 * lane must not change and numbers must rise. Lane state is the lane's: no
 * lock, which TSan or a wrong lane choice would show. */
static seen_t s_lane_seen[8];

static job_next_t s_run(void *ctx, request_t *rq, int lane)
{
    (void)ctx;
    seen_t *s = &s_lane_seen[lane];
    int key = (int)rq->now_ms, n = (int)rq->frame_len;
    if (key) {
        if (s->last_of_key[key] >= n)
            s->bad++;
        s->last_of_key[key] = n;
    }
    rq->answer = (answer_t)(lane + 1); /* marks it as run, and where */
    return JOB_PASS;
}

static void s_run_all(int threads)
{
    void *ctx = zmq_ctx_new(), *next = zmq_socket(ctx, ZMQ_PULL);
    jobs_t *j = NULL;
    memset(s_lane_seen, 0, sizeof s_lane_seen);
    CHECK_EQ(zmq_bind(next, "inproc://test-next"), 0);
    CHECK_EQ(jobs_new(ctx, "test", threads, "inproc://test-next", s_run, NULL, &j), 0);
    if (!j)
        return;
    CHECK_EQ(jobs_lanes(j), threads ? threads : 1);
    for (int i = 1; i <= N; i++) {
        request_t *rq = calloc(1, sizeof *rq);
        rq->frame_len = (size_t)i;
        rq->now_ms = i % (KEYS + 1); /* key 0: any lane */
        CHECK_EQ(jobs_submit(j, rq, (uint64_t)rq->now_ms), 0);
    }
    int got = 0, lane_of_key[KEYS + 1];
    memset(lane_of_key, 0, sizeof lane_of_key);
    char seen[N + 1] = { 0 };
    int timeout = 5000;
    zmq_setsockopt(next, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    while (got < N) {
        request_t *rq = NULL;
        if (zmq_recv(next, &rq, sizeof rq, 0) != sizeof rq)
            break;
        DX_HANDOFF_RECV(rq);
        int key = (int)rq->now_ms, lane = (int)rq->answer;
        CHECK(lane >= 1 && lane <= (threads ? threads : 1));
        if (key && lane_of_key[key] && lane_of_key[key] != lane)
            CHECK(!"one key ran on two lanes");
        if (key)
            lane_of_key[key] = lane;
        CHECK(!seen[rq->frame_len]);
        seen[rq->frame_len] = 1;
        got++;
        request_free(&rq);
    }
    CHECK_EQ(got, N);
    for (int i = 0; i < 8; i++)
        CHECK_EQ(s_lane_seen[i].bad, 0);
    jobs_destroy(&j);
    CHECK(j == NULL);
    zmq_close(next);
    zmq_ctx_term(ctx);
}

static pthread_mutex_t s_gate = PTHREAD_MUTEX_INITIALIZER;

static job_next_t s_run_gated(void *ctx, request_t *rq, int lane)
{
    (void)ctx;
    (void)rq;
    (void)lane;
    pthread_mutex_lock(&s_gate);
    pthread_mutex_unlock(&s_gate);
    return JOB_PASS;
}

/* A lane that cannot keep up: submitting never blocks the submitter (the
 * intake thread); a full queue is DX_ERR_BUSY and the request stays the
 * submitter's to answer and free; everything accepted still passes on. */
TEST(a_full_lane_says_busy_and_gives_the_request_back)
{
    void *ctx = zmq_ctx_new(), *next = zmq_socket(ctx, ZMQ_PULL);
    jobs_t *j = NULL;
    CHECK_EQ(zmq_bind(next, "inproc://test-gated"), 0);
    CHECK_EQ(jobs_new(ctx, "gated", 1, "inproc://test-gated", s_run_gated, NULL, &j), 0);
    if (!j)
        return;
    pthread_mutex_lock(&s_gate);
    int accepted = 0, busy = 0;
    for (int i = 0; i < 20000 && !busy; i++) {
        request_t *rq = calloc(1, sizeof *rq);
        int rv = jobs_submit(j, rq, 0);
        if (rv == 0) {
            accepted++;
        } else {
            CHECK_EQ(rv, DX_ERR_BUSY);
            busy++;
            request_free(&rq); /* still ours: a double free shows under ASan */
        }
    }
    CHECK_EQ(busy, 1);
    pthread_mutex_unlock(&s_gate);
    int timeout = 5000, got = 0;
    zmq_setsockopt(next, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    for (; got < accepted; got++) {
        request_t *rq = NULL;
        if (zmq_recv(next, &rq, sizeof rq, 0) != sizeof rq)
            break;
        DX_HANDOFF_RECV(rq);
        request_free(&rq);
    }
    CHECK_EQ(got, accepted);
    jobs_destroy(&j);
    zmq_close(next);
    zmq_ctx_term(ctx);
}

TEST(lanes_keep_order_per_key) { s_run_all(3); }
TEST(no_threads_runs_in_the_caller) { s_run_all(0); }

int main(void)
{
    RUN(lanes_keep_order_per_key);
    RUN(no_threads_runs_in_the_caller);
    RUN(a_full_lane_says_busy_and_gives_the_request_back);
    return TEST_EXIT();
}
