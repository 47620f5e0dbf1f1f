/* staged: what a handler run on a reader would have written, kept in its
 * request for the writer to commit.
 *
 * A reader never writes. When a read's handler appends an audit record,
 * adds a delivery row or answers after the commit, the module that does so
 * adds an operation here instead (record.c, deliveries.c, reply.c); the
 * writer admits the request again and runs the operations in order in the
 * request's nested transaction, so that the record and the reply leave
 * together, after the commit, as they would have from the writer. A staged
 * request the writer refuses is dropped: each operation is told so (its
 * drop runs with the broker), and a request freed elsewhere drops them
 * with NULL. */
#ifndef DX_BROKER_STAGED_H
#define DX_BROKER_STAGED_H

#include <stdbool.h>
#include <stdint.h>

struct broker;
struct request;

typedef int (*staged_commit_fn)(struct broker *b, struct request *rq, void *arg);
typedef void (*staged_drop_fn)(struct broker *b, void *arg);

/* Adds an operation to rq's; on failure arg is dropped (drop(NULL, arg)). */
int staged_add(struct request *rq, staged_commit_fn commit, staged_drop_fn drop, void *arg);
/* Whether rq has operations waiting. */
bool staged_any(const struct request *rq);
/* Runs them in order (writer thread); an error stops there and drops the
 * rest. A commit takes its arg, whatever it returns; each operation is
 * gone afterwards. */
int staged_commit(struct broker *b, struct request *rq);
/* Drops them (b NULL: only frees). */
void staged_drop(struct broker *b, struct request *rq);
/* The seq of the record the last committed operation appended, for an
 * operation that refers to it (a delivery row names its read record). */
uint64_t staged_seq(const struct request *rq);
void staged_set_seq(struct request *rq, uint64_t seq);

#endif
