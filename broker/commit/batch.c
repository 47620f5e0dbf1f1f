/* batch: one write transaction per loop turn, one nested one per request. */
#include "batch.h"
#include "dxtime.h"
#include "err.h"
#include "log.h"
#include "audit.h"
#include "broker.h"

#include <stdlib.h>

typedef struct {
    batch_done_fn fn;
    void *arg;
    size_t op;
} deferred_t;

struct batch {
    store_t *store;
    audit_t *audit;
    store_txn_t *parent;
    store_txn_t *child;
    audit_state_t committed;   /* the tip as of the last commit */
    audit_state_t op_start;    /* the tip before the current request */
    size_t op;                 /* current request number in this turn */
    deferred_t *items;
    size_t n, cap;
    batch_stats_t stats;
    int (*before)(void *arg);  /* what must be durable before the commit */
    void *before_arg;
};

void batch_before_commit(batch_t *b, int (*fn)(void *arg), void *arg)
{
    b->before = fn;
    b->before_arg = arg;
}

int batch_new(store_t *s, audit_t *a, batch_t **out)
{
    batch_t *b = calloc(1, sizeof *b);
    if (!b)
        return DX_ERR_NOMEM;
    b->store = s;
    b->audit = a;
    b->committed = audit_state(a);
    *out = b;
    return 0;
}

void batch_destroy(batch_t **b_p)
{
    if (!b_p || !*b_p)
        return;
    batch_t *b = *b_p;
    store_abort(&b->child);
    store_abort(&b->parent);
    free(b->items);
    free(b);
    *b_p = NULL;
}

void batch_op_begin(batch_t *b)
{
    b->op++;
    b->op_start = audit_state(b->audit);
}

int batch_txn(batch_t *b, store_txn_t **out)
{
    int rv;
    if (!b->parent && (rv = store_begin(b->store, NULL, true, &b->parent)) != 0)
        return rv;
    if (!b->child && (rv = store_begin(b->store, b->parent, true, &b->child)) != 0)
        return rv;
    *out = b->child;
    return 0;
}

/* Calls and drops the deferred items of the current op. */
static void s_fail_op(batch_t *b, int status)
{
    size_t keep = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (b->items[i].op == b->op)
            b->items[i].fn(b->items[i].arg, status);
        else
            b->items[keep++] = b->items[i];
    }
    b->n = keep;
}

int batch_op_end(batch_t *b, int status)
{
    if (b->child) {
        if (status == 0)
            status = store_commit(&b->child);
        else
            store_abort(&b->child);
    }
    if (status != 0) {
        audit_restore(b->audit, &b->op_start);
        s_fail_op(b, status);
    }
    return status;
}

int batch_defer(batch_t *b, batch_done_fn fn, void *arg)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 64;
        deferred_t *items = realloc(b->items, cap * sizeof *items);
        if (!items)
            return DX_ERR_NOMEM;
        b->items = items;
        b->cap = cap;
    }
    b->items[b->n++] = (deferred_t){ fn, arg, b->op };
    return 0;
}

size_t batch_pending(const batch_t *b) { return b->n; }

batch_stats_t batch_stats(const batch_t *b) { return b->stats; }

int batch_commit(batch_t *b, int64_t now_ms)
{
    int status = 0;
    store_abort(&b->child); /* an op left open is a bug; never commit it */
    if (b->parent) {
        if ((status = audit_sign_head(b->audit, b->parent, now_ms)) == 0 &&
            (!b->before || (status = b->before(b->before_arg)) == 0)) {
            int64_t t0 = dx_mono_us();
            status = store_commit(&b->parent);
            b->stats.last_commit_us = dx_mono_us() - t0;
            b->stats.last_commit_ops = b->op;
            b->stats.commits++;
        } else
            store_abort(&b->parent);
        audit_committed(b->audit, status == 0);
        if (status == 0) {
            b->committed = audit_state(b->audit);
        } else {
            dx_error("commit-failed",
                     "commit failed: %s (%s)", dx_strerror(status), store_last_error(b->store));
            audit_restore(b->audit, &b->committed);
        }
    }
    /* Callbacks may defer nothing new: they run after the turn. */
    size_t n = b->n;
    b->n = 0;
    for (size_t i = 0; i < n; i++)
        b->items[i].fn(b->items[i].arg, status);
    b->op = 0;
    return status;
}
