/* publish_check: what a publish needs checked before the writer sees it,
 * run on the job threads (jobs.h), so that the writer's thread spends no
 * time on Ed25519 or SHA-256:
 *   - a publish begun: the manifest's signature against the key the sender
 *     had when the request arrived, then the manifest's fields, then inline
 *     content against the manifest's size and hash;
 *   - a chunk: added to its transfer's running hash, which lives on the one
 *     lane the transfer's id picks; the last chunk carries the digest on;
 *   - content that claims CSV or JSON Lines (inline, or chunk by chunk
 *     beside the hash): read by the strict reader the field views use, so
 *     that what no view could read is refused at publish, with its line and
 *     why, not weeks later at a consumer.
 * Results go in rq->check; the writer (publish.c) decides on them. A
 * running hash belongs to (member, transfer id): a chunk that names another
 * member's transfer starts a hash of its own, which the writer then never
 * uses. Running hashes end with their last chunk, a chunk out of order, or
 * when idle past the session timeout. */
#ifndef DX_BROKER_PUBLISH_CHECK_H
#define DX_BROKER_PUBLISH_CHECK_H

#include "broker.h"

int publish_lanes_new(int lanes, int64_t idle_ms, size_t per_member, hash_lanes_t **out);
void publish_lanes_free(hash_lanes_t **l_p);

/* The writer, before it sends PublishReady: the transfer's content claims
 * format (filter.h), so its chunks are read as the views would read them,
 * on its lane, as they are hashed. Forgotten when the transfer ends. */
int publish_lanes_expect(hash_lanes_t *l, uint64_t session, const char *member, int format);
void publish_lanes_forget(hash_lanes_t *l, uint64_t session);

/* Job functions (any lane; chunks on the lane of publish_chunk_key). */
void publish_check_begin(broker_t *b, request_t *rq, int lane);
void publish_check_chunk(broker_t *b, request_t *rq, int lane);
uint64_t publish_chunk_key(const request_t *rq);

/* The begin checks against one key, for any thread (the writer runs them
 * again when the member's key changed since the request arrived). */
/* Checks the manifest's signature with each of keys (n: one or two) until
 * one verifies (check.sign_key: that one), then the manifest and inline
 * content. */
void publish_check_signed(request_t *rq, const uint8_t keys[][DX_ED25519_LEN], size_t n);
/* Frees what the checks left in rq->check. */
void publish_check_clear(check_t *c);

#endif
