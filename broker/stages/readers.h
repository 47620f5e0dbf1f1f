/* readers: the stage that runs what only reads the store, beside the
 * writer.
 *
 * intake sends a command with a read function (dispatch.h) here instead
 * of to the writer: one lane per thread, a request to the lane its key
 * picks (a fetch's FetchMores all go to one lane, in order). The lane
 * holds the policy set in force, admits the request as the writer would,
 * and runs the command's read in a read transaction of its own (reader.h):
 * LMDB readers never wait for the writer, and the writer never waits for
 * them. What the read sends at once (a fetch's chunk) leaves through the
 * lane's own socket to intake. What must be recorded first (an audit
 * record, a delivery row, the reply that follows them) is staged in the
 * request (staged.h) and the request passes on to the writer, which admits
 * it again and commits it; that reply comes back through the lane
 * (RQ_SEND). A request the read leaves open (a transfer id that is not the
 * member's) passes on for the writer's handler. */
#ifndef DX_BROKER_READERS_H
#define DX_BROKER_READERS_H

#include "broker.h"

/* Starts n lanes (n >= 1). */
int readers_start(broker_t *b, int n);
/* Takes rq (intake thread), or DX_ERR_BUSY / DX_ERR_INTERNAL leaving it
 * the caller's. */
int readers_submit(broker_t *b, request_t *rq, uint64_t key);
/* Stops the lanes: what they hold passes on to the writer; after it the
 * writer sends what it commits itself (jobs_return refuses). */
void readers_stop(broker_t *b);
/* Frees them, once the writer (and its way back, b->back) is gone. */
void readers_free(broker_t *b);

#endif
