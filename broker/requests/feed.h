/* feed: the versions committed after a cursor, and the connections told
 * when new ones are. */
#ifndef DX_BROKER_FEED_H
#define DX_BROKER_FEED_H

#include "broker.h"

/* A feed page on a reader; the subscription and the record are staged. */
int feed_read(broker_t *b, request_t *rq);
/* A version was committed under the publish record seq: into the feed, in
 * the current request's transaction, and watching connections are told
 * once it is durable. */
int feed_committed(broker_t *b, uint64_t seq, const char *name, uint64_t version, int classification,
                   bool erased);
/* The writer's subscriptions. */
int feed_subs_new(feed_subs_t **out);
void feed_subs_destroy(feed_subs_t **fs_p);
/* Subscriptions held now. */
size_t feed_subs_count(const feed_subs_t *fs);

#endif
