/* reader: what a request has while a reader lane runs its handler
 * (readers.h): the lane's socket to intake, one buffer for an opened chunk,
 * and the request's LMDB read transaction, begun when first asked for.
 *
 * A handler that may run on a reader or on the writer asks for its
 * transaction with reader_txn: the reader's own read transaction (MVCC: it
 * sees what was committed when it began, and never waits for the writer),
 * or, on the writer, the current request's nested write transaction. */
#ifndef DX_BROKER_READER_H
#define DX_BROKER_READER_H

#include "store.h"

#include <stdint.h>

struct batch;
struct request;

typedef struct reader {
    int lane;
    void *replies;               /* PUSH: to intake, this lane's replies in order */
    uint8_t *plain;              /* one opened chunk (DX_CHUNK_SIZE) */
    store_t *store;
    store_txn_t *txn;            /* the current request's, or NULL */
} reader_t;

/* The transaction rq reads in: the reader's (rq->reader set) or the
 * writer's current request's (batch). */
int reader_txn(struct request *rq, struct batch *batch, store_txn_t **out);
/* Ends the reader's transaction after a request. */
void reader_done(reader_t *r);

#endif
