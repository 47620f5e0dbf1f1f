/* audit_service: the auditors' queries, proofs and heads, and the signed
 * heads any member may ask for; all on the readers. */
#ifndef DX_BROKER_AUDIT_SERVICE_H
#define DX_BROKER_AUDIT_SERVICE_H

#include "broker.h"

int audit_query(broker_t *b, request_t *rq);
int audit_read(broker_t *b, request_t *rq);
int audit_proof(broker_t *b, request_t *rq);
int audit_consistency(broker_t *b, request_t *rq);
int audit_policy(broker_t *b, request_t *rq);
int audit_heads(broker_t *b, request_t *rq);

#endif
