/* staged: a request's operations for the writer, in order. */
#include "staged.h"
#include "broker.h"

#include <stdlib.h>

typedef struct {
    staged_commit_fn commit;
    staged_drop_fn drop;
    void *arg;
} op_t;

struct staged {
    op_t *ops;
    size_t n, cap;
    uint64_t seq;
};

int staged_add(request_t *rq, staged_commit_fn commit, staged_drop_fn drop, void *arg)
{
    struct staged *s = rq->staged;
    if (!s && !(s = rq->staged = calloc(1, sizeof *s)))
        goto fail;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 4;
        op_t *ops = realloc(s->ops, cap * sizeof *ops);
        if (!ops)
            goto fail;
        s->ops = ops;
        s->cap = cap;
    }
    s->ops[s->n++] = (op_t){ commit, drop, arg };
    return 0;
fail:
    drop(NULL, arg);
    return DX_ERR_NOMEM;
}

bool staged_any(const request_t *rq) { return rq->staged && rq->staged->n > 0; }

static void s_free(request_t *rq)
{
    free(rq->staged->ops);
    free(rq->staged);
    rq->staged = NULL;
}

int staged_commit(broker_t *b, request_t *rq)
{
    struct staged *s = rq->staged;
    int rv = 0;
    size_t i = 0;
    for (; s && i < s->n && rv == 0; i++)
        rv = s->ops[i].commit(b, rq, s->ops[i].arg);
    for (; s && i < s->n; i++)
        s->ops[i].drop(b, s->ops[i].arg);
    if (s)
        s_free(rq);
    return rv;
}

void staged_drop(broker_t *b, request_t *rq)
{
    struct staged *s = rq->staged;
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        s->ops[i].drop(b, s->ops[i].arg);
    s_free(rq);
}

uint64_t staged_seq(const request_t *rq) { return rq->staged ? rq->staged->seq : 0; }

void staged_set_seq(request_t *rq, uint64_t seq)
{
    if (rq->staged)
        rq->staged->seq = seq;
}
