/* publishing: the writer's publishing state, blob numbers from next_blob
 * on, and the staged blobs of ended transfers, dropped between rounds (in
 * LMDB at once; a pool's objects through the trash, commit/objects.h). */
#ifndef DX_BROKER_PUBLISHING_H
#define DX_BROKER_PUBLISHING_H

#include "broker.h"

#include <stdint.h>

typedef struct publishing publishing_t;
int publishing_new(uint64_t next_blob, publishing_t **out);
void publishing_destroy(publishing_t **p_p);
/* The next blob number. */
uint64_t publishing_next_blob(publishing_t *p);
/* Queues a staged blob for deletion at the start of the next round. */
void publish_discard(broker_t *b, uint64_t blob);
/* Deletes the queued blobs, in their own request. */
void publish_collect(broker_t *b);

#endif
