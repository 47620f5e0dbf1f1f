/* reader: a request's read transaction, on a reader lane or the writer. */
#include "reader.h"
#include "batch.h"
#include "broker.h"

#include <stdio.h>
#include <string.h>

int reader_txn(request_t *rq, batch_t *batch, store_txn_t **out)
{
    reader_t *r = rq->reader;
    if (!r)
        return batch_txn(batch, out);
    int rv = r->txn ? 0 : store_begin(r->store, NULL, false, &r->txn);
    *out = r->txn;
    return rv;
}

void reader_done(reader_t *r)
{
    store_abort(&r->txn);
}

void reader_ended(reader_t *r, uint64_t id, const char *member)
{
    unsigned i = r->next_ended++ % READER_ENDED;
    r->ended[i].id = id;
    snprintf(r->ended[i].member, sizeof r->ended[i].member, "%s", member);
}

bool reader_has_ended(const reader_t *r, uint64_t id, const char *member)
{
    for (unsigned i = 0; i < READER_ENDED; i++)
        if (r->ended[i].id == id && id && strcmp(r->ended[i].member, member) == 0)
            return true;
    return false;
}
