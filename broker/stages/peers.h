/* peers: each connection's requests in flight and the replies it has not
 * taken yet, on intake's thread.
 *
 * A connection may have PEERS_INFLIGHT_MAX requests taken and not yet
 * answered; the next is refused at once as busy, naming the limit. No
 * reply is dropped because a connection's queue in libzmq is full: what
 * does not fit waits here, in order, and goes out as the connection reads
 * (every later message to it waits behind it). Held replies are bounded by
 * bytes, per connection and in all; past those bounds a connection is not
 * reading at all, and what cannot be held is dropped with a log line and
 * counted (dx_replies_dropped_total), never silently. */
#ifndef DX_BROKER_PEERS_H
#define DX_BROKER_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zmq.h>

#define PEERS_INFLIGHT_MAX 24            /* a publisher's window is 16 chunks */
#define PEERS_HELD_BYTES (40u << 20)      /* one connection's held replies */
#define PEERS_HELD_TOTAL (256u << 20)     /* every connection's */

typedef struct peers peers_t;

int peers_new(peers_t **out);
void peers_destroy(peers_t **p_p);
/* A request from the connection `id` is passed on: false (and nothing
 * counted) when it already has PEERS_INFLIGHT_MAX in flight. */
bool peers_admit(peers_t *p, const void *id, size_t id_len);
/* One of its requests was answered (or ended without a reply). */
void peers_answered(peers_t *p, const void *id, size_t id_len);
/* Sends body to the connection id on router, or holds it until the
 * connection can take it. Takes body (closes it). Returns false when it
 * was dropped (the peer is gone, or holds too much already). */
bool peers_send(peers_t *p, void *router, const void *id, size_t id_len, zmq_msg_t *body);
/* Sends what is held, as far as each connection takes it now. */
void peers_flush(peers_t *p, void *router);
/* Messages and bytes held now, replies dropped since start. */
size_t peers_held(const peers_t *p);
size_t peers_held_bytes(const peers_t *p);
uint64_t peers_dropped(const peers_t *p);

#endif
