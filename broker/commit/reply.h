/* reply: replies to a request's connection, from the thread that runs it
 * (the writer or a reader), now or after the commit that makes them true;
 * intake puts them on the socket. */
#ifndef DX_BROKER_REPLY_H
#define DX_BROKER_REPLY_H

#include "broker.h"
#include <stdarg.h>

/* What a message from the writer to intake is, for the connection's
 * in-flight count (peers.h): its second frame. */
#define REPLY_ANSWER 'A'         /* the first answer to a request */
#define REPLY_MORE 'M'           /* a notification, or a second answer */
#define REPLY_NONE 'N'           /* no message: the request ended unanswered by design */

/* A request that ends without a reply (credit past a view's end): intake
 * is told, so that it no longer counts it in flight. */
void reply_none(broker_t *b, request_t *rq);
/* Sends an unsolicited message (id 0) to a connection now. */
void reply_send_to(broker_t *b, const uint8_t *identity, size_t identity_len, Dx__Reply *reply);
/* Sends reply now (for replies that acknowledge no write), from the
 * thread that runs rq. */
void reply_now(broker_t *b, request_t *rq, Dx__Reply *reply);
/* A reader lane: sends what the writer sent back (RQ_SEND) on r's socket. */
void reply_forward(broker_t *b, struct reader *r, request_t *rq);
/* Sends reply once the current request's writes are durable, or an error
 * reply instead if they are undone. after (optional) runs first with the
 * final status. */
typedef void (*reply_after_fn)(broker_t *b, uint64_t session, int status);
int reply_later(broker_t *b, request_t *rq, Dx__Reply *reply, reply_after_fn after,
                       uint64_t session);
/* The same, with the signed head of the commit added as the reply leaves
 * (receipts and fetches: agents witness the log with it). */
int reply_witnessed(broker_t *b, request_t *rq, Dx__Reply *reply, reply_after_fn after,
                           uint64_t session);
/* Runs after(b, session, status) once the current request's writes are
 * durable or undone; when undone, the request is also answered with the
 * storage error (it may have had a reply already: a chunk's credit). */
int reply_after_commit(broker_t *b, request_t *rq, reply_after_fn after, uint64_t session);
/* An error reply, now or after commit (use later when an audit record of
 * the refusal was written). */
void reply_error(broker_t *b, request_t *rq, Dx__ErrorCode code, const char *rule_id,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int reply_error_later(broker_t *b, request_t *rq, Dx__ErrorCode code, const char *rule_id,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The reply code for a dx_err. */
Dx__ErrorCode reply_code(int err);
/* Packs an error reply to request id `id` (for intake, which answers
 * frames it cannot decode on its own socket). */
int reply_pack_error(uint64_t id, Dx__ErrorCode code, const char *msg, uint8_t **data, size_t *len);

#endif
