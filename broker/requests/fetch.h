/* fetch: policy-checked reads, streamed in chunks under credit; a view
 * through the filter when a rule restricts fields. */
#ifndef DX_BROKER_FETCH_H
#define DX_BROKER_FETCH_H

#include "broker.h"

/* FetchBegin, on the writer: the decision, the session, its records. */
int fetch_begin(broker_t *b, request_t *rq);
/* A FetchMore on a reader: the next message of the member's fetch. */
int fetch_read(broker_t *b, request_t *rq);
/* A FetchMore the reader left open: not the member's transfer. */
int fetch_more(broker_t *b, request_t *rq);

#endif
