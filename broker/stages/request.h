/* request: a request's end. Every stage may be the last to hold one (an
 * answer from intake, a job lane's failed hand-off, a reader that answered
 * it, the writer), so freeing one depends on nothing but what it owns. */
#ifndef DX_BROKER_REQUEST_H
#define DX_BROKER_REQUEST_H

#include "broker.h"

/* Frees *rq_p and what it owns (its decoded request, check results,
 * staged operations (dropped), a packed reply, its note); NULL after. */
void request_free(request_t **rq_p);

#endif
