/* fairq: the writer's waiting requests, taken in turn by member.
 *
 * Requests wait in one FIFO per member (the broker's own, a reload or the
 * stop, under the member ""); fairq_pop takes the next member in turn and
 * its oldest request. So each member's requests keep their order, and a
 * member with a thousand requests waiting delays another member's one
 * request by at most one request of its own, not by a thousand: a flood
 * costs the flooder, not everyone. The writer's thread alone uses it. */
#ifndef DX_BROKER_FAIRQ_H
#define DX_BROKER_FAIRQ_H

#include "broker.h"

#include <stddef.h>

typedef struct fairq fairq_t;

int fairq_new(fairq_t **out);
/* Frees the queue and every request still in it. */
void fairq_destroy(fairq_t **q_p);
/* Takes ownership of rq; DX_ERR_NOMEM leaves it the caller's. */
int fairq_push(fairq_t *q, request_t *rq);
/* The next request in turn, or NULL when none waits. */
request_t *fairq_pop(fairq_t *q);
size_t fairq_count(const fairq_t *q);
/* Members with requests waiting, and the bytes of their frames. */
size_t fairq_members(const fairq_t *q);
size_t fairq_bytes(const fairq_t *q);

#endif
