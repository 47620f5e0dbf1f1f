/* client: DEALER socket, CURVE client keys, monitor-assisted errors. */
#include "client.h"
#include "dxtime.h"
#include "wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define ENDPOINTS_MAX 8
#define SWITCH_AFTER_MS 1000   /* an endpoint that refuses this long: try the next */
#define PREFERRED_RETRY_MS 10000 /* on the fallback key: the preferred one tried this often */

struct dx_client {
    void *ctx;
    void *sock;
    void *monitor;
    char endpoint[256];      /* the one in use */
    char endpoints[ENDPOINTS_MAX][256];
    int nendpoints, current;
    unsigned generation;     /* sockets made: the monitor's name */
    dx_keypair_t me;         /* for the next endpoint's socket: the key in use */
    dx_keypair_t other;      /* a key rotation: the other key (has_other) */
    bool has_other;
    bool on_fallback;        /* me is the older key: the preferred one was refused */
    int64_t retry_at;        /* on the fallback: when to try the preferred key again */
    bool admitted;           /* the handshake of this socket succeeded */
    dx_pubkeys_t broker;
    int timeout_ms;
    uint64_t next_id;
    bool connected;          /* a TCP connection was made at least once */
    bool refused;            /* connection refused at least once */
    int handshake_failed;    /* the monitor event, 0 if none */
    unsigned connects;       /* connections made (a broker restart makes one more) */
    uint64_t notified;       /* the last Notify's seq, until taken */
};

/* A socket to c->endpoints[c->current], with its monitor. */
static int s_connect(dx_client_t *c, char err[DX_ERRMSG])
{
    char mon[64];
    int zero = 0, timeout_ms = c->timeout_ms;
    int64_t max = 2 * (int64_t)DX_MAX_FRAME;
    snprintf(c->endpoint, sizeof c->endpoint, "%s", c->endpoints[c->current]);
    snprintf(mon, sizeof mon, "inproc://dx-client-monitor-%p-%u", (void *)c, c->generation++);
    c->connected = c->refused = c->admitted = false;
    c->handshake_failed = 0;
    if (!(c->sock = zmq_socket(c->ctx, ZMQ_DEALER)))
        goto fail;
    if (zmq_setsockopt(c->sock, ZMQ_CURVE_SERVERKEY, c->broker.curve, 32) != 0 ||
        zmq_setsockopt(c->sock, ZMQ_CURVE_PUBLICKEY, c->me.pub.curve, 32) != 0 ||
        zmq_setsockopt(c->sock, ZMQ_CURVE_SECRETKEY, c->me.curve_secret, 32) != 0 ||
        zmq_setsockopt(c->sock, ZMQ_LINGER, &zero, sizeof zero) != 0 ||
        zmq_setsockopt(c->sock, ZMQ_SNDTIMEO, &timeout_ms, sizeof timeout_ms) != 0 ||
        zmq_setsockopt(c->sock, ZMQ_MAXMSGSIZE, &max, sizeof max) != 0)
        goto fail;
    if (zmq_socket_monitor(c->sock, mon, ZMQ_EVENT_ALL) != 0 ||
        !(c->monitor = zmq_socket(c->ctx, ZMQ_PAIR)) || zmq_connect(c->monitor, mon) != 0)
        goto fail;
    if (zmq_connect(c->sock, c->endpoint) != 0) {
        snprintf(err, DX_ERRMSG, "cannot connect to %s: %s", c->endpoint, zmq_strerror(errno));
        return DX_ERR_USAGE;
    }
    return 0;
fail:
    snprintf(err, DX_ERRMSG, "cannot set up the connection: %s", zmq_strerror(errno));
    return DX_ERR_IO;
}

static void s_disconnect(dx_client_t *c)
{
    if (c->sock) {
        zmq_socket_monitor(c->sock, NULL, 0);
        zmq_close(c->sock);
        c->sock = NULL;
    }
    if (c->monitor) {
        zmq_close(c->monitor);
        c->monitor = NULL;
    }
}

int dx_client_new(const char *endpoint, const dx_keypair_t *me, const dx_pubkeys_t *broker,
                  int timeout_ms, dx_client_t **out, char err[DX_ERRMSG])
{
    dx_client_t *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, DX_ERRMSG, "out of memory");
        return DX_ERR_NOMEM;
    }
    /* "tcp://a:7700,tcp://b:7700": a broker group's members, tried in turn */
    for (const char *p = endpoint; *p;) {
        size_t n = strcspn(p, ",");
        while (n && (*p == ' ' || *p == '\t'))
            p++, n--;
        size_t len = n;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == 0 || len >= sizeof c->endpoints[0] || c->nendpoints == ENDPOINTS_MAX) {
            snprintf(err, DX_ERRMSG, "--broker: %s", len == 0 ? "an empty endpoint in the list"
                     : len >= sizeof c->endpoints[0] ? "an endpoint longer than 255 bytes"
                                                     : "at most 8 endpoints");
            free(c);
            return DX_ERR_USAGE;
        }
        memcpy(c->endpoints[c->nendpoints], p, len);
        c->endpoints[c->nendpoints++][len] = '\0';
        p += n;
        if (*p == ',' && !*++p) { /* a list that ends in a comma */
            snprintf(err, DX_ERRMSG, "--broker: an empty endpoint in the list");
            free(c);
            return DX_ERR_USAGE;
        }
    }
    if (c->nendpoints == 0) {
        snprintf(err, DX_ERRMSG, "--broker: no endpoint");
        free(c);
        return DX_ERR_USAGE;
    }
    c->me = *me;
    c->broker = *broker;
    c->timeout_ms = timeout_ms;
    c->next_id = 1;
    int rv;
    if (!(c->ctx = zmq_ctx_new())) {
        snprintf(err, DX_ERRMSG, "cannot set up the connection: %s", zmq_strerror(errno));
        rv = DX_ERR_IO;
    } else
        rv = s_connect(c, err);
    if (rv != 0) {
        dx_client_destroy(&c);
        return rv;
    }
    *out = c;
    return 0;
}

/* The next endpoint of the list; false when there is only one. */
static bool s_switch(dx_client_t *c)
{
    char err[DX_ERRMSG];
    if (c->nendpoints < 2)
        return false;
    s_disconnect(c);
    c->current = (c->current + 1) % c->nendpoints;
    return s_connect(c, err) == 0;
}

void dx_client_destroy(dx_client_t **c_p)
{
    if (!c_p || !*c_p)
        return;
    dx_client_t *c = *c_p;
    s_disconnect(c);
    if (c->ctx)
        zmq_ctx_term(c->ctx);
    dx_keypair_wipe(&c->me);
    dx_keypair_wipe(&c->other);
    free(c);
    *c_p = NULL;
}

/* Reads monitor events: two frames, the first holding a 16-bit event. */
static void s_drain_monitor(dx_client_t *c)
{
    for (;;) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, c->monitor, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            return;
        }
        uint16_t event = 0;
        if (zmq_msg_size(&m) >= 6)
            memcpy(&event, zmq_msg_data(&m), 2);
        bool more = zmq_msg_more(&m);
        zmq_msg_close(&m);
        if (more) {
            zmq_msg_init(&m);
            zmq_msg_recv(&m, c->monitor, 0);
            zmq_msg_close(&m);
        }
        switch (event) {
        case ZMQ_EVENT_CONNECTED:
            c->connected = true;
            c->connects++;
            break;
        case ZMQ_EVENT_CONNECT_RETRIED:
        case ZMQ_EVENT_CONNECT_DELAYED:
            if (!c->connected)
                c->refused = true;
            break;
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
            c->admitted = true;
            break;
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
            c->handshake_failed = event;
            break;
        default:
            break;
        }
    }
}

static int s_handshake_error(dx_client_t *c, char err[DX_ERRMSG])
{
    if (c->handshake_failed == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
        snprintf(err, DX_ERRMSG,
                 "the broker at %s refused our key at the handshake: it is not a current member "
                 "key (not registered, revoked or expired); ask the data office", c->endpoint);
        return DX_ERR_NOT_ADMITTED;
    }
    snprintf(err, DX_ERRMSG,
             "the secure handshake with %s failed: check that --broker-pub is the broker's "
             "public key file", c->endpoint);
    return DX_ERR_HANDSHAKE;
}

/* Waits until sock is readable or the timeout passes. */
static int s_wait(dx_client_t *c, char err[DX_ERRMSG])
{
    int64_t start = dx_mono_ms(), deadline = start + c->timeout_ms;
    /* with other endpoints to try, one that refuses is left soon */
    if (c->nendpoints > 1 && c->timeout_ms > SWITCH_AFTER_MS)
        deadline = start + SWITCH_AFTER_MS;
    bool extended = false;
    for (;;) {
        int64_t left = deadline - dx_mono_ms();
        if (left < 0)
            left = 0;
        zmq_pollitem_t items[2] = { { c->sock, 0, ZMQ_POLLIN, 0 }, { c->monitor, 0, ZMQ_POLLIN, 0 } };
        int rc = zmq_poll(items, 2, (long)(left > 200 ? 200 : left));
        if (rc < 0 && errno != EINTR) {
            snprintf(err, DX_ERRMSG, "poll failed: %s", zmq_strerror(errno));
            return DX_ERR_IO;
        }
        s_drain_monitor(c);
        if (c->handshake_failed)
            return s_handshake_error(c, err);
        if (rc > 0 && (items[0].revents & ZMQ_POLLIN))
            return 0;
        if (dx_mono_ms() >= deadline && c->connected && !extended && c->nendpoints > 1) {
            extended = true; /* it answers handshakes: give it the whole timeout */
            deadline = start + c->timeout_ms;
            continue;
        }
        if (dx_mono_ms() >= deadline) {
            if (!c->connected) {
                snprintf(err, DX_ERRMSG, "cannot reach the broker at %s within %d s%s", c->endpoint,
                         c->timeout_ms / 1000, c->refused ? " (connection refused)" : "");
                return DX_ERR_UNREACHABLE;
            }
            snprintf(err, DX_ERRMSG, "the broker at %s did not answer within %d s", c->endpoint,
                     c->timeout_ms / 1000);
            return DX_ERR_TIMEOUT;
        }
    }
}

int dx_client_send_frames(dx_client_t *c, const void *const *frames, const size_t *lens, size_t n,
                          char err[DX_ERRMSG])
{
    for (size_t i = 0; i < n; i++) {
        /* DEALER queues while connecting; DONTWAIT only fails when the
         * queue is full, which the caller's credit prevents. */
        if (zmq_send(c->sock, frames[i], lens[i], (i + 1 < n ? ZMQ_SNDMORE : 0)) < 0) {
            snprintf(err, DX_ERRMSG, "cannot send to the broker: %s", zmq_strerror(errno));
            return DX_ERR_IO;
        }
    }
    return 0;
}

int dx_client_send(dx_client_t *c, Dx__Request *req, char err[DX_ERRMSG])
{
    uint8_t *data = NULL;
    size_t len = 0;
    req->protocol = DX_PROTOCOL_VERSION;
    req->id = c->next_id++;
    int rv = wire_pack(&req->base, &data, &len);
    if (rv != 0) {
        snprintf(err, DX_ERRMSG, "cannot encode the request");
        return rv;
    }
    const void *frames[1] = { data };
    rv = dx_client_send_frames(c, frames, &len, 1, err);
    free(data);
    return rv;
}

int dx_client_recv_raw(dx_client_t *c, uint8_t **data, size_t *len, char err[DX_ERRMSG])
{
    int rv = s_wait(c, err);
    if (rv != 0)
        return rv;
    zmq_msg_t m;
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, c->sock, 0) < 0) {
        zmq_msg_close(&m);
        snprintf(err, DX_ERRMSG, "receive failed: %s", zmq_strerror(errno));
        return DX_ERR_IO;
    }
    while (zmq_msg_more(&m)) { /* a reply is one frame; drop extras */
        zmq_msg_t extra;
        zmq_msg_init(&extra);
        zmq_msg_recv(&extra, c->sock, 0);
        bool more = zmq_msg_more(&extra);
        zmq_msg_close(&extra);
        if (!more)
            break;
    }
    *len = zmq_msg_size(&m);
    *data = malloc(*len ? *len : 1);
    if (!*data) {
        zmq_msg_close(&m);
        return DX_ERR_NOMEM;
    }
    memcpy(*data, zmq_msg_data(&m), *len);
    zmq_msg_close(&m);
    return 0;
}

/* One message; a notification is kept and *reply left NULL. */
static int s_recv_one(dx_client_t *c, Dx__Reply **reply, char err[DX_ERRMSG])
{
    uint8_t *data = NULL;
    size_t len = 0;
    *reply = NULL;
    int rv = dx_client_recv_raw(c, &data, &len, err);
    if (rv != 0)
        return rv;
    char why[DX_ERRMSG];
    if ((rv = wire_reply_decode(data, len, reply, why)) != 0)
        snprintf(err, DX_ERRMSG, "the broker sent a malformed reply: %s", why);
    free(data);
    if (rv == 0 && (*reply)->body_case == DX__REPLY__BODY_NOTIFY && (*reply)->id == 0) {
        if ((*reply)->notify->seq > c->notified)
            c->notified = (*reply)->notify->seq;
        wire_reply_free(reply);
    }
    return rv;
}

int dx_client_recv(dx_client_t *c, Dx__Reply **reply, char err[DX_ERRMSG])
{
    for (;;) { /* a subscription's notifications, between replies, are kept */
        int rv = s_recv_one(c, reply, err);
        if (rv != 0 || *reply)
            return rv;
    }
}

int dx_client_poll(dx_client_t *c, int fd, int timeout_ms, bool *fd_ready, char err[DX_ERRMSG])
{
    zmq_pollitem_t items[3] = { { c->sock, 0, ZMQ_POLLIN, 0 }, { c->monitor, 0, ZMQ_POLLIN, 0 },
                                { NULL, fd, ZMQ_POLLIN, 0 } };
    *fd_ready = false;
    int rc = zmq_poll(items, fd >= 0 ? 3 : 2, timeout_ms);
    if (rc < 0 && errno != EINTR) {
        snprintf(err, DX_ERRMSG, "poll failed: %s", zmq_strerror(errno));
        return DX_ERR_IO;
    }
    s_drain_monitor(c);
    *fd_ready = rc > 0 && fd >= 0 && (items[2].revents & ZMQ_POLLIN);
    while (rc > 0 && (items[0].revents & ZMQ_POLLIN)) {
        Dx__Reply *r = NULL;
        int rv = s_recv_one(c, &r, err); /* keeps notifications; drops late replies */
        wire_reply_free(&r);
        if (rv != 0)
            return rv;
        rc = zmq_poll(items, 1, 0);
        if (rc < 0 && errno != EINTR)
            return 0;
    }
    return 0;
}

uint64_t dx_client_take_notify(dx_client_t *c)
{
    uint64_t seq = c->notified;
    c->notified = 0;
    return seq;
}

unsigned dx_client_connects(dx_client_t *c)
{
    s_drain_monitor(c);
    return c->connects;
}

int dx_client_reply_error(const Dx__Reply *reply, char err[DX_ERRMSG])
{
    if (!reply->error || reply->error->code == DX__ERROR_CODE__ERR_NONE)
        return 0;
    snprintf(err, DX_ERRMSG, "%s", reply->error->message);
    switch (reply->error->code) {
    case DX__ERROR_CODE__ERR_DENIED: return DX_ERR_DENIED;
    case DX__ERROR_CODE__ERR_INTEGRITY: return DX_ERR_INTEGRITY;
    case DX__ERROR_CODE__ERR_REPLAY: return DX_ERR_REPLAY;
    case DX__ERROR_CODE__ERR_NOT_FOUND: return DX_ERR_NOT_FOUND;
    case DX__ERROR_CODE__ERR_ERASED: return DX_ERR_NOT_FOUND; /* the content no longer exists */
    case DX__ERROR_CODE__ERR_STORAGE: return DX_ERR_STORAGE;
    case DX__ERROR_CODE__ERR_BUSY: return DX_ERR_BUSY;
    case DX__ERROR_CODE__ERR_UNSUPPORTED: return DX_ERR_UNSUPPORTED;
    case DX__ERROR_CODE__ERR_BAD_REQUEST: return DX_ERR_PROTOCOL;
    case DX__ERROR_CODE__ERR_TRANSFER_GONE: return DX_ERR_TRANSFER_GONE;
    case DX__ERROR_CODE__ERR_STANDBY: return DX_ERR_STANDBY;
    default: return DX_ERR_INTERNAL;
    }
}

static int s_call_once(dx_client_t *c, Dx__Request *req, Dx__Reply **reply, char err[DX_ERRMSG])
{
    int rv = dx_client_send(c, req, err);
    *reply = NULL;
    if (rv != 0)
        return rv;
    for (;;) {
        Dx__Reply *r = NULL;
        if ((rv = dx_client_recv(c, &r, err)) != 0)
            return rv;
        if (r->id != req->id) { /* a late reply to an earlier request */
            wire_reply_free(&r);
            continue;
        }
        if ((rv = dx_client_reply_error(r, err)) != 0) {
            wire_reply_free(&r);
            return rv;
        }
        *reply = r;
        return 0;
    }
}

void dx_client_set_fallback(dx_client_t *c, const dx_keypair_t *older)
{
    c->other = *older;
    c->has_other = true;
}

const dx_keypair_t *dx_client_key(const dx_client_t *c) { return &c->me; }

/* The other key of a rotation, on a new socket. */
static int s_swap_key(dx_client_t *c, char err[DX_ERRMSG])
{
    dx_keypair_t k = c->me;
    c->me = c->other;
    c->other = k;
    dx_wipe(&k, sizeof k);
    c->on_fallback = !c->on_fallback;
    s_disconnect(c);
    return s_connect(c, err);
}

int dx_client_handshake(dx_client_t *c, char err[DX_ERRMSG])
{
    for (int swaps = 0;;) {
        int64_t give_up = dx_mono_ms() + c->timeout_ms, switch_at = dx_mono_ms() + SWITCH_AFTER_MS;
        while (!c->admitted && !c->handshake_failed && dx_mono_ms() < give_up) {
            zmq_pollitem_t item = { c->monitor, 0, ZMQ_POLLIN, 0 };
            zmq_poll(&item, 1, 100);
            s_drain_monitor(c);
            /* with other endpoints to try, one that does not connect is left soon */
            if (!c->connected && c->nendpoints > 1 && dx_mono_ms() >= switch_at) {
                switch_at = dx_mono_ms() + SWITCH_AFTER_MS;
                s_switch(c);
            }
        }
        if (c->admitted)
            return 0;
        if (!c->handshake_failed) {
            snprintf(err, DX_ERRMSG, "cannot reach the broker at %s within %d s", c->endpoint,
                     c->timeout_ms / 1000);
            return c->connected ? DX_ERR_TIMEOUT : DX_ERR_UNREACHABLE;
        }
        int rv = s_handshake_error(c, err);
        if (rv != DX_ERR_NOT_ADMITTED || !c->has_other || swaps++ > 0)
            return rv;
        if (!c->on_fallback)
            c->retry_at = dx_mono_ms() + PREFERRED_RETRY_MS;
        if ((rv = s_swap_key(c, err)) != 0)
            return rv;
    }
}

int dx_client_call(dx_client_t *c, Dx__Request *req, Dx__Reply **reply, char err[DX_ERRMSG])
{
    /* A key rotation: on the older key, the preferred one is tried again
     * now and then (its window may have opened); a key refused at the
     * handshake never got the request, so it goes again with the other. */
    if (c->has_other && c->on_fallback && dx_mono_ms() >= c->retry_at) {
        c->retry_at = dx_mono_ms() + PREFERRED_RETRY_MS;
        int rv;
        if ((rv = s_swap_key(c, err)) != 0 || (rv = dx_client_handshake(c, err)) != 0)
            return rv;
    }
    bool swapped = false;
    /* A broker group: a standby refuses at once, an endpoint that never
     * connects never got the request; either way the next one is asked,
     * until the timeout (a standby takes over within its lease). An
     * endpoint that took the request and went silent is not asked again
     * elsewhere: the request may have been done. */
    int64_t deadline = dx_mono_ms() + c->timeout_ms;
    for (int tries = 0;; tries++) {
        int rv = s_call_once(c, req, reply, err);
        if (rv == DX_ERR_NOT_ADMITTED && c->has_other && !swapped) {
            swapped = true;
            if (!c->on_fallback)
                c->retry_at = dx_mono_ms() + PREFERRED_RETRY_MS;
            if (s_swap_key(c, err) != 0)
                return rv;
            continue;
        }
        bool elsewhere = rv == DX_ERR_STANDBY || (rv == DX_ERR_UNREACHABLE && !c->connected);
        if (!elsewhere || dx_mono_ms() >= deadline || !s_switch(c))
            return rv;
        if (tries % c->nendpoints == c->nendpoints - 1) /* each asked once: a pause */
            zmq_poll(NULL, 0, 250);
    }
}
