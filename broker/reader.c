/* reader: a request's read transaction, on a reader lane or the writer. */
#include "reader.h"
#include "batch.h"
#include "broker.h"

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
