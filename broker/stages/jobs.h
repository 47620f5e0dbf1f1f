/* jobs: a generic job runner. n threads ("lanes"), each taking requests in
 * the order they were submitted to it, running the one function it was
 * made with, and passing each request on to the next stage's socket.
 *
 * A request goes to the lane its key picks (key % n), so that requests with
 * one key (the chunks of one publish) are run in order by one thread, which
 * may keep state for that key that no other thread touches; key 0 takes the
 * next lane in turn. With n = 0 the function runs in the submitting thread.
 * Only one thread may submit (intake). */
#ifndef DX_BROKER_JOBS_H
#define DX_BROKER_JOBS_H

#include "broker.h"

#include <stdint.h>

/* What a lane does with a request its function ran: pass it on to the
 * next stage, nothing (the function took it: answered and freed, or
 * kept), or run it again after what the lane holds now (bounded work per
 * turn; while the lanes stop, it is passed on instead). */
typedef enum { JOB_PASS = 0, JOB_TAKEN, JOB_AGAIN } job_next_t;
typedef job_next_t (*job_fn)(void *ctx, request_t *rq, int lane);

/* Threads in zctx that pass finished requests to the PULL socket bound at
 * next (an inproc endpoint). name tells the lanes' endpoints apart. */
int jobs_new(void *zctx, const char *name, int n, const char *next, job_fn run, void *ctx,
             jobs_t **out);
/* Stops and joins the threads: each runs what it was sent first. After it
 * jobs_return refuses, and nothing else may be submitted. */
void jobs_stop(jobs_t *j);
/* Stops (if not stopped) and frees; no jobs_return_t may outlive it. */
void jobs_destroy(jobs_t **j_p);
/* Takes ownership of rq, or returns DX_ERR_BUSY (the lane's queue is
 * full: intake never waits) or DX_ERR_INTERNAL, leaving rq the caller's
 * to answer and free. */
int jobs_submit(jobs_t *j, request_t *rq, uint64_t key);
/* Lanes (1 when n = 0: the submitting thread's). */
int jobs_lanes(const jobs_t *j);

/* The way back to a lane for one other thread (the writer): a request
 * sent back is run on that lane like a submitted one, after what it
 * holds, and no high-water mark refuses it; once jobs_stop has begun it
 * is refused (the request stays the caller's). Made, used and freed by
 * that thread alone; the lanes must have n > 0. */
typedef struct jobs_return jobs_return_t;
int jobs_return_new(jobs_t *j, jobs_return_t **out);
int jobs_return(jobs_return_t *r, int lane, request_t *rq);
void jobs_return_free(jobs_return_t **r_p);

#endif
