/* writer: the thread that owns every LMDB write transaction. */
#ifndef DX_BROKER_WRITER_H
#define DX_BROKER_WRITER_H

#include "broker.h"

int writer_start(broker_t *b);
/* Hands rq to the writer (intake thread), or returns DX_ERR_BUSY (its
 * queue is full) or DX_ERR_INTERNAL and leaves rq the caller's. */
int writer_submit(broker_t *b, void *push, request_t *rq);
/* Tells the writer to stop after what it has and waits for it. */
void writer_stop(broker_t *b);

#endif
