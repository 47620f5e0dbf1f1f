/* batch: group commit. Requests handled in one turn of the broker's loop
 * share one LMDB write transaction; each request runs in a nested
 * transaction of its own, so a request that fails (map full, say) is undone
 * alone. At the end of the turn the audit head is signed and the parent
 * transaction commits with fsync; only then do deferred replies leave, so no
 * receipt is sent for anything that is not on disk.
 *
 * Deferred callbacks get the final status: 0 when their request's writes
 * are durable, or the error that undid them. */
#ifndef DX_BROKER_BATCH_H
#define DX_BROKER_BATCH_H

#include "audit.h"
#include "store.h"

typedef struct batch batch_t;
typedef void (*batch_done_fn)(void *arg, int status);

int batch_new(store_t *s, audit_t *a, batch_t **out);
void batch_destroy(batch_t **b_p);

/* Brackets one request. */
void batch_op_begin(batch_t *b);
/* Ends the request: status 0 keeps its writes, non-zero undoes them and
 * calls its deferred callbacks with that status at once. Returns the final
 * status (a failed nested commit turns 0 into an error). */
int batch_op_end(batch_t *b, int status);

/* The write transaction of the current request, begun on first use. */
int batch_txn(batch_t *b, store_txn_t **out);
/* Runs fn(arg, status) when the request's writes are durable or undone. */
int batch_defer(batch_t *b, batch_done_fn fn, void *arg);

/* Commits the turn's writes (signing the audit head first) and runs the
 * deferred callbacks. Returns the commit status. */
int batch_commit(batch_t *b, int64_t now_ms);
/* fn runs before each commit; an error from it undoes the turn (the
 * vault's new content keys are synced there, before anything refers to
 * them). */
void batch_before_commit(batch_t *b, int (*fn)(void *arg), void *arg);
/* Ops in the current turn. */
size_t batch_pending(const batch_t *b);

typedef struct {
    uint64_t commits;
    int64_t last_commit_us;      /* the last commit, fsync included */
    size_t last_commit_ops;      /* requests it made durable */
} batch_stats_t;
batch_stats_t batch_stats(const batch_t *b);

#endif
