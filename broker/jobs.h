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

typedef void (*job_fn)(void *ctx, request_t *rq, int lane);

/* Threads in zctx that pass finished requests to the PULL socket bound at
 * next (an inproc endpoint). */
int jobs_new(void *zctx, int n, const char *next, job_fn run, void *ctx, jobs_t **out);
/* Stops and joins the threads; requests still queued are freed. */
void jobs_destroy(jobs_t **j_p);
/* Takes ownership of rq, or returns DX_ERR_BUSY (the lane's queue is
 * full: intake never waits) or DX_ERR_INTERNAL, leaving rq the caller's
 * to answer and free. */
int jobs_submit(jobs_t *j, request_t *rq, uint64_t key);
/* Lanes (1 when n = 0: the submitting thread's). */
int jobs_lanes(const jobs_t *j);

#endif
