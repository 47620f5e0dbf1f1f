/* publish: signed datasets in, inline or streamed under credit (writer
 * thread): 0, or an error that undoes the request's writes. */
#ifndef DX_BROKER_PUBLISH_H
#define DX_BROKER_PUBLISH_H

#include "broker.h"
#include "sessions.h"

/* The writer's publishing state: blob numbers from next_blob on, and the
 * staged blobs of ended transfers, deleted between rounds. */
typedef struct publishing publishing_t;
int publishing_new(uint64_t next_blob, publishing_t **out);
void publishing_destroy(publishing_t **p_p);

int publish_begin(broker_t *b, request_t *rq);
int publish_chunk(broker_t *b, request_t *rq);
void publish_expired(broker_t *b, session_t *s);
/* Queues a staged blob for deletion at the start of the next round. */
void publish_discard(broker_t *b, uint64_t blob);
/* Deletes the queued blobs, in their own request. */
void publish_collect(broker_t *b);

#endif
