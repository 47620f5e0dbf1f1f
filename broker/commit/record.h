/* record: decisions into the audit log, and the refusals built on them.
 * On a reader, a record is staged for the writer (staged.h), which appends
 * it under the policy set that decided. */
#ifndef DX_BROKER_RECORD_H
#define DX_BROKER_RECORD_H

#include "broker.h"
#include "sessions.h"

/* Appends an audit record for rq (or for the broker itself when rq is NULL)
 * in the current request's transaction. */
int record_audit(broker_t *b, const request_t *rq, const audit_fields_t *f, uint64_t *seq_out);
/* Records a decision and sends the refusal after it is committed. */
int record_refusal(broker_t *b, request_t *rq, const audit_fields_t *f, Dx__ErrorCode code);
/* Answers a chunk or credit for a transfer that is not the member's own
 * ("no such fetch/publish in progress"). When the id is another member's
 * live transfer, the probe is logged and recorded, but the answer and its
 * timing are the same. */
int record_no_transfer(broker_t *b, request_t *rq, uint64_t id, dx_event_t event);
/* Adds a transfer session (taking ownership); when the limits say no, the
 * request is answered "busy" and 0 returned. */
int record_add_session(broker_t *b, request_t *rq, session_t *s);
/* An audit record of the broker's own, in a request of its own. */
int record_system(broker_t *b, dx_event_t event, const char *reason);

#endif
