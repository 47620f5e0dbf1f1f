/* client: a member's CURVE connection to the broker, with bounded waits.
 *
 * Every wait ends within the timeout: an unreachable broker, a refused
 * handshake (our key is not a current member key) and a broker that does
 * not answer are told apart with ZeroMQ's socket monitor and reported as
 * DX_ERR_UNREACHABLE, DX_ERR_HANDSHAKE and DX_ERR_TIMEOUT. */
#ifndef DX_CLIENT_H
#define DX_CLIENT_H

#include "dx.pb-c.h"
#include "err.h"
#include "keys.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct dx_client dx_client_t;

int dx_client_new(const char *endpoint, const dx_keypair_t *me, const dx_pubkeys_t *broker,
                  int timeout_ms, dx_client_t **out, char err[DX_ERRMSG]);
void dx_client_destroy(dx_client_t **c_p);

/* Sends req (its protocol and id are set here; the id is returned in
 * req->id). */
int dx_client_send(dx_client_t *c, Dx__Request *req, char err[DX_ERRMSG]);
/* Waits for the next reply. Notifications of a subscription (id 0) met on
 * the way are kept for dx_client_take_notify, not returned. */
int dx_client_recv(dx_client_t *c, Dx__Reply **reply, char err[DX_ERRMSG]);
/* Sends req and waits for its reply; an error reply becomes the matching
 * dx_err with the broker's message in err. */
int dx_client_call(dx_client_t *c, Dx__Request *req, Dx__Reply **reply, char err[DX_ERRMSG]);
/* Waits up to timeout_ms for a message from the broker (taken: only
 * notifications are kept) or for fd (-1: none) to be readable. */
int dx_client_poll(dx_client_t *c, int fd, int timeout_ms, bool *fd_ready, char err[DX_ERRMSG]);
/* The highest seq a notification named since the last call, 0 if none. */
uint64_t dx_client_take_notify(dx_client_t *c);
/* How many times the connection was made: one more after a broker restart. */
unsigned dx_client_connects(dx_client_t *c);
/* A key rotation: the member's older key, used when the broker refuses the
 * key the client was made with at the handshake (the next key's window not
 * open yet); the preferred key is tried again every ten seconds. A refused
 * handshake never carried a request, so the request goes again. */
void dx_client_set_fallback(dx_client_t *c, const dx_keypair_t *older);
/* The key the connection uses now. */
const dx_keypair_t *dx_client_key(const dx_client_t *c);
/* Waits until the broker admits one of the client's keys. */
int dx_client_handshake(dx_client_t *c, char err[DX_ERRMSG]);
/* The dx_err for an error reply, with its message in err; 0 if none. */
int dx_client_reply_error(const Dx__Reply *reply, char err[DX_ERRMSG]);

/* For tests of hostile input: raw frames out, raw reply in. */
int dx_client_send_frames(dx_client_t *c, const void *const *frames, const size_t *lens, size_t n,
                          char err[DX_ERRMSG]);
int dx_client_recv_raw(dx_client_t *c, uint8_t **data, size_t *len, char err[DX_ERRMSG]);

#endif
