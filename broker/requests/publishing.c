/* publishing: the writer's publishing state, blob numbers and the staged
 * blobs of transfers that ended, to discard between rounds. */
#include "publishing.h"
#include "broker.h"
#include "log.h"
#include "batch.h"
#include "content.h"

#include <stdlib.h>

struct publishing {
    uint64_t next_blob;          /* the next staged transfer's number */
    uint64_t *discard;           /* staged blobs to delete next round */
    size_t ndiscard, cap;
};

uint64_t publishing_next_blob(publishing_t *p)
{
    return p->next_blob++;
}

int publishing_new(uint64_t next_blob, publishing_t **out)
{
    if (!(*out = calloc(1, sizeof **out)))
        return DX_ERR_NOMEM;
    (*out)->next_blob = next_blob;
    return 0;
}

void publishing_destroy(publishing_t **p_p)
{
    if (!*p_p)
        return;
    free((*p_p)->discard);
    free(*p_p);
    *p_p = NULL;
}

void publish_discard(broker_t *b, uint64_t blob)
{
    publishing_t *p = b->publishing;
    if (p->ndiscard == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 16;
        uint64_t *d = realloc(p->discard, cap * sizeof *d);
        if (!d)
            return; /* the blob stays staged; it is collected at the next start */
        p->discard = d;
        p->cap = cap;
    }
    p->discard[p->ndiscard++] = blob;
}

void publish_collect(broker_t *b)
{
    publishing_t *p = b->publishing;
    if (!p || p->ndiscard == 0)
        return;
    batch_op_begin(b->batch);
    store_txn_t *t;
    uint32_t *slots = calloc(p->ndiscard, sizeof *slots);
    size_t nslots = 0;
    int rv = slots ? batch_txn(b->batch, &t) : DX_ERR_NOMEM;
    for (size_t i = 0; rv == 0 && i < p->ndiscard; i++) {
        uint32_t slot = 0;
        if ((rv = store_staging_drop(t, p->discard[i], b->pool != NULL, &slot)) == 0 && slot)
            slots[nslots++] = slot;
    }
    if (rv == 0)
        rv = content_keys_destroy_after(b, slots, nslots);
    if (batch_op_end(b->batch, rv) == 0)
        p->ndiscard = 0;
    else
        dx_warn("discard-failed", "could not discard staged content: %s", dx_strerror(rv));
    free(slots);
}
