/* objects: the writer's work in a content pool (content-store rados).
 *
 * A chunk's write is started by the writer (publish.c) and its request
 * parked here: the writer goes on with other requests, librados answers on
 * its own thread, and the pool's eventfd, polled by the writer beside its
 * inbox, brings the answer back; the request then waits its turn again and
 * its handler runs once more with rq->resumed and rq->pool_rv. So a
 * version's objects are all acknowledged before its catalog entry is
 * written, the writer never waits on Ceph, and no more writes are in
 * flight than the transfers' credit windows allow.
 *
 * The trash (store.h) is emptied here in bounded steps between rounds:
 * the objects of a few blobs at a time are removed (never a blob with a
 * write still in flight), then their rows. A step that fails (Ceph away)
 * is tried again later; the rows stay until it succeeds, across restarts.
 * So the removal follows the commit that wiped the blob's key, and a crash
 * anywhere leaves a row that says what is left to remove. */
#ifndef DX_BROKER_OBJECTS_H
#define DX_BROKER_OBJECTS_H

#include "broker.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct objects objects_t;

int objects_new(objects_t **out);
void objects_free(objects_t **o_p);

/* The writer starts a chunk's write: rq is parked until it is answered
 * (rq->wrote_blob names the blob). sealed is consumed. */
int objects_write(broker_t *b, request_t *rq, uint64_t blob, uint32_t index, uint8_t *sealed,
                  size_t len);
/* The same, once the current request's transaction has committed (the
 * intent that names the blob must be durable first): rq->sealed is
 * written then; if the commit fails, rq comes back with its status. */
int objects_write_after_commit(broker_t *b, request_t *rq, uint64_t blob);
/* Parks rq with no write of its own (a last chunk waiting for the
 * others); objects_resume brings it back. */
void objects_park(request_t *rq);
typedef void (*objects_resume_fn)(broker_t *b, request_t *rq);
/* Sets how parked requests go back to the writer's queue. */
void objects_on_resume(broker_t *b, objects_resume_fn fn);
void objects_resume(broker_t *b, request_t *rq, int status);

/* Ends a request that was parked after its answer went (counted, freed). */
void objects_finish(broker_t *b, request_t *rq);

/* Takes what the pool answered: requests resumed, removals counted. */
void objects_drain(broker_t *b);
/* One bounded step of emptying the trash; true while there is more to do
 * soon (the writer then does not sleep long). */
bool objects_collect(broker_t *b, int64_t now_mono_ms);
/* Writes and removals in flight. */
uint64_t objects_in_flight(const broker_t *b);

#endif
