/* publish: signed datasets in, inline or streamed under credit (writer
 * thread): 0, or an error that undoes the request's writes. */
#ifndef DX_BROKER_PUBLISH_H
#define DX_BROKER_PUBLISH_H

#include "broker.h"
#include "sessions.h"

int publish_begin(broker_t *b, request_t *rq);
int publish_chunk(broker_t *b, request_t *rq);
void publish_expired(broker_t *b, session_t *s);

#endif
