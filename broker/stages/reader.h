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

#include "names.h"
#include "store.h"

#include <stdbool.h>
#include <stdint.h>

#define READER_ENDED 64          /* fetches a lane remembers having ended */

struct batch;
struct request;

typedef struct reader {
    int lane;
    void *replies;               /* PUSH: to intake, this lane's replies in order */
    uint8_t *plain;              /* one opened chunk (DX_CHUNK_SIZE) */
    store_t *store;
    store_txn_t *txn;            /* the current request's, or NULL */
    /* the fetches this lane ended last: credit the consumer sent before
     * it saw the end is dropped, not answered "no such fetch" */
    struct {
        uint64_t id;
        char member[DX_ID_MAX + 1];
    } ended[READER_ENDED];
    unsigned next_ended;
    bool niced;                  /* its thread's priority lowered (readers.c) */
} reader_t;

/* The transaction rq reads in: the reader's (rq->reader set) or the
 * writer's current request's (batch). */
int reader_txn(struct request *rq, struct batch *batch, store_txn_t **out);
/* Ends the reader's transaction after a request. */
void reader_done(reader_t *r);
/* The lane ended member's fetch id; whether it did, lately. */
void reader_ended(reader_t *r, uint64_t id, const char *member);
bool reader_has_ended(const reader_t *r, uint64_t id, const char *member);

#endif
