/* peers: in-flight counts and held replies per connection (peers.h). */
#include "peers.h"
#include "err.h"
#include "log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 1024
#define ID_MAX 256

typedef struct held {
    zmq_msg_t body;
    size_t size;
    struct held *next;
} held_t;

typedef struct peer {
    uint8_t id[ID_MAX];
    size_t id_len;
    unsigned inflight;
    held_t *head, *tail;
    size_t held, held_bytes;
    uint64_t dropped;
    struct peer *next;           /* in its bucket */
} peer_t;

struct peers {
    peer_t *buckets[BUCKETS];
    size_t held, held_bytes;
    uint64_t dropped;
};

int peers_new(peers_t **out)
{
    return (*out = calloc(1, sizeof **out)) ? 0 : DX_ERR_NOMEM;
}

static void s_clear_held(peers_t *p, peer_t *c)
{
    while (c->head) {
        held_t *h = c->head;
        c->head = h->next;
        p->held_bytes -= h->size;
        p->held--;
        zmq_msg_close(&h->body);
        free(h);
    }
    c->tail = NULL;
    c->held = c->held_bytes = 0;
}

void peers_destroy(peers_t **p_p)
{
    peers_t *p = *p_p;
    if (!p)
        return;
    for (size_t i = 0; i < BUCKETS; i++)
        while (p->buckets[i]) {
            peer_t *c = p->buckets[i];
            p->buckets[i] = c->next;
            s_clear_held(p, c);
            free(c);
        }
    free(p);
    *p_p = NULL;
}

static size_t s_bucket(const void *id, size_t len)
{
    const uint8_t *b = id;
    size_t h = 1469598103934665603u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ b[i]) * 1099511628211u;
    return h % BUCKETS;
}

/* The connection's entry; created when make is set (NULL when out of memory). */
static peer_t *s_find(peers_t *p, const void *id, size_t len, bool make)
{
    if (len > ID_MAX)
        len = ID_MAX;
    peer_t **at = &p->buckets[s_bucket(id, len)];
    for (peer_t *c = *at; c; c = c->next)
        if (c->id_len == len && memcmp(c->id, id, len) == 0)
            return c;
    if (!make)
        return NULL;
    peer_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    memcpy(c->id, id, len);
    c->id_len = len;
    c->next = *at;
    *at = c;
    return c;
}

/* An entry with nothing in flight and nothing held goes. */
static void s_forget_idle(peers_t *p, peer_t *c)
{
    if (c->inflight || c->head)
        return;
    peer_t **at = &p->buckets[s_bucket(c->id, c->id_len)];
    while (*at != c)
        at = &(*at)->next;
    *at = c->next;
    free(c);
}

bool peers_admit(peers_t *p, const void *id, size_t id_len)
{
    peer_t *c = s_find(p, id, id_len, true);
    if (!c)
        return true; /* out of memory for the count: not a reason to refuse */
    if (c->inflight >= PEERS_INFLIGHT_MAX)
        return false;
    c->inflight++;
    return true;
}

void peers_answered(peers_t *p, const void *id, size_t id_len)
{
    peer_t *c = s_find(p, id, id_len, false);
    if (!c)
        return;
    if (c->inflight)
        c->inflight--;
    s_forget_idle(p, c);
}

/* One message onto the socket now: 0, or the errno (EAGAIN: its queue is
 * full; EHOSTUNREACH: the connection is gone). */
static int s_try(void *router, const peer_t *c, zmq_msg_t *body)
{
    if (zmq_send(router, c->id, c->id_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
        return errno;
    if (zmq_msg_send(body, router, ZMQ_DONTWAIT) < 0)
        return errno; /* libzmq keeps a message's first part until its last: not reached */
    return 0;
}

/* Sends what c holds, in order, until the socket takes no more. */
static void s_flush_one(peers_t *p, void *router, peer_t *c)
{
    while (c->head) {
        held_t *h = c->head;
        int e = s_try(router, c, &h->body);
        if (e == EAGAIN)
            return;
        if (e != 0) { /* the connection is gone, and its replies with it */
            dx_debug("replies-dropped",
                     "replies dropped: the connection is gone (%zu held)", c->held);
            s_clear_held(p, c);
            return;
        }
        c->head = h->next;
        if (!c->head)
            c->tail = NULL;
        c->held--;
        c->held_bytes -= h->size;
        p->held--;
        p->held_bytes -= h->size;
        free(h);
    }
}

bool peers_send(peers_t *p, void *router, const void *id, size_t id_len, zmq_msg_t *body)
{
    peer_t *c = s_find(p, id, id_len, true);
    size_t size = zmq_msg_size(body);
    if (!c) { /* out of memory for an entry: send if it fits, as libzmq would */
        uint8_t tmp[ID_MAX];
        size_t n = id_len < ID_MAX ? id_len : ID_MAX;
        memcpy(tmp, id, n);
        bool sent = zmq_send(router, tmp, n, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0 &&
                    zmq_msg_send(body, router, ZMQ_DONTWAIT) >= 0;
        zmq_msg_close(body);
        p->dropped += !sent;
        return sent;
    }
    if (!c->head) {
        int e = s_try(router, c, body);
        if (e == 0 || e != EAGAIN) {
            zmq_msg_close(body);
            s_forget_idle(p, c);
            if (e != 0)
                dx_debug("reply-dropped", "reply dropped: the connection is gone");
            return e == 0;
        }
    }
    held_t *h = NULL;
    if (c->held_bytes + size > PEERS_HELD_BYTES || p->held_bytes + size > PEERS_HELD_TOTAL ||
        !(h = malloc(sizeof *h))) {
        /* a connection that reads nothing and asks for more: the one place a
         * reply is not delivered, said and counted */
        if (c->dropped++ % 1000 == 0)
            dx_warn("reply-held-too-long",
                    "reply not delivered: a connection does not read its replies (%zu held, %zu "
                    "bytes; %llu dropped so far)", c->held, c->held_bytes,
                    (unsigned long long)c->dropped);
        p->dropped++;
        zmq_msg_close(body);
        return false;
    }
    zmq_msg_init(&h->body);
    zmq_msg_move(&h->body, body);
    zmq_msg_close(body);
    h->size = size;
    h->next = NULL;
    if (c->tail)
        c->tail->next = h;
    else
        c->head = h;
    c->tail = h;
    c->held++;
    c->held_bytes += size;
    p->held++;
    p->held_bytes += size;
    return true;
}

void peers_flush(peers_t *p, void *router)
{
    if (!p->held)
        return;
    /* let libzmq take in what the connections have read meanwhile (its
     * commands are processed on a poll, or at most every millisecond by a
     * send): else a queue that has room still looks full */
    int events = 0;
    size_t elen = sizeof events;
    zmq_getsockopt(router, ZMQ_EVENTS, &events, &elen);
    for (size_t i = 0; i < BUCKETS; i++)
        for (peer_t *c = p->buckets[i], *next; c; c = next) {
            next = c->next;
            if (!c->head)
                continue;
            s_flush_one(p, router, c);
            s_forget_idle(p, c);
        }
}

size_t peers_held(const peers_t *p) { return p ? p->held : 0; }
size_t peers_held_bytes(const peers_t *p) { return p ? p->held_bytes : 0; }
uint64_t peers_dropped(const peers_t *p) { return p ? p->dropped : 0; }
