/* intake: the broker's front stage, on the main thread.
 *
 * The ROUTER socket is a CURVE server. libzmq asks our ZAP handler (a REP
 * socket on inproc://zeromq.zap.01, polled here) about every handshake: a
 * client key that belongs to a current member is admitted, and its member
 * id becomes the User-Id of every message on that connection; the key
 * itself rides along as the connection's X-Transport-Key property, so that
 * dispatch can refuse a connection whose key the member no longer has (a
 * key replaced by a reload) as it refuses a revoked member. A client may
 * send properties of its own (ZMQ_METADATA); libzmq keeps ZAP's of a name
 * before them, and the attack suite checks that a claimed key is ignored.
 *
 * Each turn: put the writer's replies on the socket, answer pending
 * handshakes, then take requests: one frame each, within its command's
 * size, decoded, and passed on: to the job threads when its command has
 * checks, to the readers when it has a read, else to the writer. Answered here, at once: a frame that is not
 * a request, a request over its connection's in-flight limit, and one the
 * stages' full queues cannot take (peers.h); everything else by the
 * writer. Every answer leaves through peers.c, which holds what a
 * connection's queue cannot take yet. */
#include "intake.h"
#include "broker.h"
#include "dispatch.h"
#include "dxtime.h"
#include "group.h"
#include "version.h"
#include "encode.h"
#include "jobs.h"
#include "handshakes.h"
#include "log.h"
#include "signals.h"
#include "metrics.h"
#include "notify.h"
#include "peers.h"
#include "readers.h"
#include "wire.h"
#include "policy_set.h"
#include "reply.h"
#include "request.h"
#include "writer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define RECEIVE_MAX 256   /* requests taken per turn */
#define REPLIES_MAX 1024  /* replies put on the socket per turn */

/* ---- ZAP ---- */

#define KEY_PROPERTY "X-Transport-Key"

static void s_zap_reply(void *zap, zmq_msg_t *request_id, const char *code, const char *text,
                        const char *user_id, const uint8_t *key)
{
    /* metadata (ZMTP properties): name length, name, value length (4 bytes,
     * network order), value */
    uint8_t meta[1 + sizeof KEY_PROPERTY - 1 + 4 + 40];
    size_t mlen = 0;
    char z85[41];
    if (key && dx_z85_encode32(key, z85) == 0) {
        meta[0] = sizeof KEY_PROPERTY - 1;
        memcpy(meta + 1, KEY_PROPERTY, sizeof KEY_PROPERTY - 1);
        mlen = 1 + sizeof KEY_PROPERTY - 1;
        meta[mlen++] = 0, meta[mlen++] = 0, meta[mlen++] = 0, meta[mlen++] = 40;
        memcpy(meta + mlen, z85, 40);
        mlen += 40;
    }
    zmq_send(zap, "1.0", 3, ZMQ_SNDMORE);
    zmq_send(zap, zmq_msg_data(request_id), zmq_msg_size(request_id), ZMQ_SNDMORE);
    zmq_send(zap, code, strlen(code), ZMQ_SNDMORE);
    zmq_send(zap, text, strlen(text), ZMQ_SNDMORE);
    zmq_send(zap, user_id, strlen(user_id), ZMQ_SNDMORE);
    zmq_send(zap, meta, mlen, 0);
}

/* A note of refused handshakes to the writer, which records it. */
static void s_record_handshake(void *arg, const handshake_note_t *note)
{
    broker_t *b = arg;
    if (!b->to_writer) /* a standby records nothing: its log is the active's */
        return;
    request_t *rq = calloc(1, sizeof *rq);
    if (rq && !(rq->note = strdup(note->text))) {
        free(rq);
        rq = NULL;
    }
    if (!rq) {
        dx_log_kv(DX_LOG_ERROR, "handshake-not-recorded", DX_KV("reason", "out of memory"));
        return;
    }
    rq->kind = RQ_HANDSHAKE;
    snprintf(rq->member_id, sizeof rq->member_id, "%s", note->member);
    if (writer_submit(b, b->to_writer, rq) != 0) {
        dx_log_kv(DX_LOG_ERROR, "handshake-not-recorded", DX_KV("reason", "the writer's queue is full"),
                  DX_KV("note", note->text));
        request_free(&rq);
    }
}

static void s_zap_handle(broker_t *b, const dx_policy_t *policy)
{
    /* version, request id, domain, address, routing id, mechanism, key */
    zmq_msg_t frames[7];
    int n = 0, more = 1;
    while (more) {
        zmq_msg_t scratch, *m = n < 7 ? &frames[n] : &scratch;
        zmq_msg_init(m);
        if (zmq_msg_recv(m, b->zap, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(m);
            break;
        }
        more = zmq_msg_more(m);
        if (m == &scratch)
            zmq_msg_close(m);
        n++;
    }
    if (n < 7) {
        for (int i = 0; i < n && i < 7; i++)
            zmq_msg_close(&frames[i]);
        return;
    }
    const char *mechanism = zmq_msg_data(&frames[5]);
    char address[64] = "";
    snprintf(address, sizeof address, "%.*s", (int)(zmq_msg_size(&frames[3]) < 60 ? zmq_msg_size(&frames[3]) : 60),
             (const char *)zmq_msg_data(&frames[3]));
    const dx_member_t *m = NULL;
    if (zmq_msg_size(&frames[5]) == 5 && memcmp(mechanism, "CURVE", 5) == 0 &&
        zmq_msg_size(&frames[6]) == 32)
        m = dx_policy_member_by_transport(policy, zmq_msg_data(&frames[6]));
    int64_t now = dx_now_ms();
    if (m && dx_member_current(m, now) && dx_member_transport_ok(m, zmq_msg_data(&frames[6]), now)) {
        s_zap_reply(b->zap, &frames[1], "200", "OK", m->id, zmq_msg_data(&frames[6]));
        metrics_handshake(b->metrics, true);
        dx_log_kv(DX_LOG_DEBUG, "handshake-admitted", DX_KV("member", m->id), DX_KV("address", address));
    } else {
        char key[48] = "unknown";
        if (zmq_msg_size(&frames[6]) == 32) {
            memcpy(key, "curve:", 6);
            dx_z85_encode32(zmq_msg_data(&frames[6]), key + 6);
        }
        s_zap_reply(b->zap, &frames[1], "400", "not a current member key", "", NULL);
        metrics_handshake(b->metrics, false);
        const char *why = !m                              ? "not a member key"
                          : m->revoked                    ? "member revoked"
                          : !dx_member_current(m, now)    ? "member keys expired"
                          : dx_equal(zmq_msg_data(&frames[6]), m->transport_key, 32)
                              ? "a key its rotation retired (past next: until)"
                              : "a next key not in force yet (before next: from)";
        dx_log_kv(DX_LOG_WARN, "handshake-refused", DX_KV("member", m ? m->id : ""),
                  DX_KV("address", address), DX_KV("key", key), DX_KV("reason", why));
        handshake_note_t note;
        if (handshakes_refused(b->handshakes, dx_now_ms(),
                               zmq_msg_size(&frames[6]) == 32 ? zmq_msg_data(&frames[6]) : NULL,
                               m ? m->id : "", why, address, &note))
            s_record_handshake(b, &note);
    }
    for (int i = 0; i < 7; i++)
        zmq_msg_close(&frames[i]);
}

/* ---- replies ---- */

/* Moves replies from the writer's outbox to the connections, through the
 * peers' counts and held queues: [identity][kind][body], or [identity]
 * [REPLY_NONE] for a request that ended without one. */
static void s_replies(broker_t *b)
{
    peers_flush(b->peers, b->router); /* what waits goes first, in order */
    for (int i = 0; i < REPLIES_MAX; i++) {
        zmq_msg_t id, kind, body;
        zmq_msg_init(&id);
        zmq_msg_init(&kind);
        zmq_msg_init(&body);
        if (zmq_msg_recv(&id, b->from_writer, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&id);
            zmq_msg_close(&kind);
            zmq_msg_close(&body);
            break;
        }
        if (zmq_msg_more(&id) && zmq_msg_recv(&kind, b->from_writer, 0) >= 0 && zmq_msg_size(&kind) == 1) {
            char k = *(const char *)zmq_msg_data(&kind);
            if (k == REPLY_ANSWER || k == REPLY_NONE)
                peers_answered(b->peers, zmq_msg_data(&id), zmq_msg_size(&id));
            if (k != REPLY_NONE && zmq_msg_more(&kind) && zmq_msg_recv(&body, b->from_writer, 0) >= 0)
                peers_send(b->peers, b->router, zmq_msg_data(&id), zmq_msg_size(&id), &body);
        }
        zmq_msg_close(&id);
        zmq_msg_close(&kind);
        zmq_msg_close(&body);
    }
    metrics_replies(b->metrics, peers_held_bytes(b->peers), peers_dropped(b->peers));
}

/* An answer from intake itself (a frame it cannot take): not counted in
 * flight, but held like any reply when the connection's queue is full. */
static void s_refuse_frame(broker_t *b, const zmq_msg_t *id, uint64_t req_id, Dx__ErrorCode code,
                           const char *msg)
{
    uint8_t *data = NULL;
    size_t len = 0;
    zmq_msg_t body;
    if (reply_pack_error(req_id, code, msg, &data, &len) != 0)
        return;
    if (zmq_msg_init_size(&body, len) == 0) {
        memcpy(zmq_msg_data(&body), data, len);
        peers_send(b->peers, b->router, zmq_msg_data((zmq_msg_t *)id), zmq_msg_size((zmq_msg_t *)id),
                   &body);
    }
    free(data);
}

/* ---- requests ---- */

/* A standby serves nothing: an admin's status request gets its role and
 * how far behind the active it is, every other request "standby; the
 * active broker is ...", at once. */
static void s_answer_standby(broker_t *b, const dx_policy_t *policy, const zmq_msg_t *id,
                             const Dx__Request *req, const char *user)
{
    const dx_member_t *m = dx_policy_member(policy, user);
    if (req->body_case != DX__REQUEST__BODY_STATUS || !m || !(m->roles & DX_ROLE_ADMIN)) {
        s_refuse_frame(b, id, req->id, DX__ERROR_CODE__ERR_STANDBY, group_standby_message(b));
        return;
    }
    Dx__Reply reply = DX__REPLY__INIT;
    Dx__BrokerStatus st = DX__BROKER_STATUS__INIT;
    st.version = (char *)dx_version();
    st.started_ms = b->started_ms;
    st.now_ms = dx_now_ms();
    st.endpoint = b->endpoint;
    st.policy_sha256.data = (uint8_t *)policy->sha256;
    st.policy_sha256.len = DX_SHA256_LEN;
    st.members = (uint32_t)policy->nmembers;
    group_status(b, &st);
    reply.id = req->id;
    reply.body_case = DX__REPLY__BODY_STATUS;
    reply.status = &st;
    uint8_t *data = NULL;
    size_t len = 0;
    zmq_msg_t body;
    if (wire_pack(&reply.base, &data, &len) == 0 && zmq_msg_init_size(&body, len) == 0) {
        memcpy(zmq_msg_data(&body), data, len);
        peers_send(b->peers, b->router, zmq_msg_data((zmq_msg_t *)id), zmq_msg_size((zmq_msg_t *)id),
                   &body);
    }
    free(data);
}

/* Decodes one frame into a request and passes it on. */
static void s_receive_one(broker_t *b, const dx_policy_t *policy, zmq_msg_t *id, zmq_msg_t *body,
                          bool extra)
{
    char err[DX_ERRMSG];
    const char *user = zmq_msg_gets(body, "User-Id");
    if (!user || !dx_id_valid(user)) {
        dx_error("message-unauthenticated", "message without an authenticated member; dropped");
        return;
    }
    if (extra) {
        dx_log_kv(DX_LOG_WARN, "malformed-request", DX_KV("member", user),
                  DX_KV("reason", "more than one frame"));
        s_refuse_frame(b, id, 0, DX__ERROR_CODE__ERR_BAD_REQUEST, "a request is exactly one frame");
        return;
    }
    /* the type first, from the frame's top level: a frame over its
     * type's limit is refused before anything in it is unpacked */
    Dx__Request *req = NULL;
    Dx__Request__BodyCase type;
    const command_t *cmd = NULL;
    if (wire_request_peek(zmq_msg_data(body), zmq_msg_size(body), &type, err) == 0 &&
        (!(cmd = dispatch_command(type)) || zmq_msg_size(body) > cmd->max_frame)) {
        dx_log_kv(DX_LOG_WARN, "malformed-request", DX_KV("member", user),
                  DX_KV("reason", cmd ? "frame too large for its type" : "unknown request type"));
        s_refuse_frame(b, id, 0, DX__ERROR_CODE__ERR_BAD_REQUEST, cmd ? "this request is larger than its type allows"
                                           : "unknown request type");
        return;
    }
    if ((cmd && wire_request_decode(zmq_msg_data(body), zmq_msg_size(body), &req, err) != 0) || !cmd) {
        dx_log_kv(DX_LOG_WARN, "malformed-request", DX_KV("member", user), DX_KV("reason", err));
        s_refuse_frame(b, id, 0, DX__ERROR_CODE__ERR_BAD_REQUEST, err);
        return;
    }
    if (req->body_case != type) { /* the two readings must agree, or nothing is read */
        dx_log_kv(DX_LOG_WARN, "malformed-request", DX_KV("member", user),
                  DX_KV("reason", "the frame reads as two different requests"));
        s_refuse_frame(b, id, req->id, DX__ERROR_CODE__ERR_BAD_REQUEST, "a malformed request");
        wire_request_free(&req);
        return;
    }
    if (b->standby) {
        s_answer_standby(b, policy, id, req, user);
        wire_request_free(&req);
        return;
    }
    request_t *rq = calloc(1, sizeof *rq);
    if (!rq) {
        s_refuse_frame(b, id, req->id, DX__ERROR_CODE__ERR_BUSY, "the broker is out of memory; try again");
        wire_request_free(&req);
        return;
    }
    rq->kind = RQ_MEMBER;
    rq->identity_len = zmq_msg_size(id) < BROKER_IDENTITY_MAX ? zmq_msg_size(id) : BROKER_IDENTITY_MAX;
    memcpy(rq->identity, zmq_msg_data(id), rq->identity_len);
    snprintf(rq->member_id, sizeof rq->member_id, "%s", user);
    const char *key = zmq_msg_gets(body, KEY_PROPERTY);
    rq->has_transport_key = key && dx_z85_decode32(key, rq->transport_key) == 0;
    rq->req = req;
    rq->cmd = cmd;
    rq->cmd_index = dispatch_index(cmd);
    rq->now_ms = dx_now_ms();
    rq->frame_len = zmq_msg_size(body);
    rq->received_us = dx_mono_us();
    metrics_bytes(b->metrics, true, rq->frame_len);
    if (!peers_admit(b->peers, zmq_msg_data(id), zmq_msg_size(id))) {
        /* answered, never dropped: the client learns the limit it hit */
        dx_log_kv(DX_LOG_DEBUG, "request-refused", DX_KV("member", user), DX_KV("type", cmd->name),
                  DX_KV("reason", "too many requests in flight on its connection"));
        metrics_refusal(b->metrics, DX__ERROR_CODE__ERR_BUSY);
        char msg[160];
        snprintf(msg, sizeof msg, "%d requests are already in flight on this connection, the most "
                 "the broker takes: wait for their replies before sending more", PEERS_INFLIGHT_MAX);
        s_refuse_frame(b, id, req->id, DX__ERROR_CODE__ERR_BUSY, msg);
        request_free(&rq);
        return;
    }
    const dx_member_t *m = cmd->check ? dx_policy_member(policy, user) : NULL;
    int rv;
    if (m) {
        /* the checks use the keys the member has now (two during a
         * rotation); the writer checks again if they change before the
         * request is decided */
        const uint8_t *keys[2];
        rq->check.nsign_keys = dx_member_sign_keys(m, rq->now_ms, keys);
        for (size_t i = 0; i < rq->check.nsign_keys; i++)
            memcpy(rq->check.sign_keys[i], keys[i], DX_ED25519_LEN);
        rv = jobs_submit(b->jobs, rq, cmd->lane ? cmd->lane(rq) : 0);
    } else if (cmd->read) {
        rv = readers_submit(b, rq, cmd->lane ? cmd->lane(rq) : 0);
    } else {
        rv = writer_submit(b, b->to_writer, rq);
    }
    if (rv != 0) {
        /* a full queue: the request is answered, never dropped */
        dx_log_kv(DX_LOG_WARN, "request-refused", DX_KV("member", user), DX_KV("type", cmd->name),
                  DX_KV("reason", "the broker's queues are full"));
        metrics_refusal(b->metrics, DX__ERROR_CODE__ERR_BUSY);
        peers_answered(b->peers, zmq_msg_data(id), zmq_msg_size(id));
        s_refuse_frame(b, id, req->id, DX__ERROR_CODE__ERR_BUSY,
                       "the broker has more requests queued than it takes; try again shortly");
        request_free(&rq);
    }
}

/* Reads one [identity][body] message; returns false when none is ready. */
static bool s_receive(broker_t *b, const dx_policy_t *policy)
{
    zmq_msg_t id, body;
    zmq_msg_init(&id);
    zmq_msg_init(&body);
    if (zmq_msg_recv(&id, b->router, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&id);
        zmq_msg_close(&body);
        return false;
    }
    bool extra = false, have_body = false;
    if (zmq_msg_more(&id)) {
        have_body = zmq_msg_recv(&body, b->router, 0) >= 0;
        /* Drain any further frames: one frame per request. */
        while (have_body && zmq_msg_more(&body) && !extra) {
            zmq_msg_t more;
            zmq_msg_init(&more);
            while (zmq_msg_recv(&more, b->router, 0) >= 0 && zmq_msg_more(&more))
                ;
            zmq_msg_close(&more);
            extra = true;
        }
    }
    if (have_body)
        s_receive_one(b, policy, &id, &body, extra);
    zmq_msg_close(&id);
    zmq_msg_close(&body);
    return true;
}

static void s_reload(broker_t *b)
{
    request_t *rq = calloc(1, sizeof *rq);
    if (!rq) {
        dx_error("reload-no-memory", "SIGHUP: out of memory; the policy set was not reloaded");
        return;
    }
    rq->kind = RQ_RELOAD;
    /* who asked, while the sender is likely still there to be named */
    char comm[64] = "", path[64], by[128];
    int pid = (int)dx_signal_reload_pid, uid = (int)dx_signal_reload_uid;
    snprintf(path, sizeof path, "/proc/%d/comm", pid);
    FILE *f = pid > 0 ? fopen(path, "r") : NULL;
    if (f) {
        if (!fgets(comm, sizeof comm, f))
            comm[0] = '\0';
        comm[strcspn(comm, "\n")] = '\0';
        fclose(f);
    }
    snprintf(by, sizeof by, "SIGHUP from pid %d (uid %d%s%s)", pid, uid, comm[0] ? ", " : "", comm);
    rq->note = strdup(by);
    if (writer_submit(b, b->to_writer, rq) != 0) {
        dx_error("reload-queue-full",
                 "SIGHUP: the writer's queue is full; the policy set was not reloaded: send "
                 "SIGHUP again");
        request_free(&rq);
    }
}

/* The router's monitor: connections accepted and closed. */
static void s_router_events(broker_t *b)
{
    for (int i = 0; i < 64; i++) {
        zmq_msg_t ev, addr;
        zmq_msg_init(&ev);
        if (zmq_msg_recv(&ev, b->router_events, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&ev);
            return;
        }
        uint16_t event = 0;
        if (zmq_msg_size(&ev) >= 2)
            memcpy(&event, zmq_msg_data(&ev), 2);
        if (zmq_msg_more(&ev)) {
            zmq_msg_init(&addr);
            zmq_msg_recv(&addr, b->router_events, 0);
            zmq_msg_close(&addr);
        }
        zmq_msg_close(&ev);
        metrics_connections(b->metrics, event == ZMQ_EVENT_ACCEPTED ? 1 : event == ZMQ_EVENT_DISCONNECTED ? -1 : 0);
    }
}

int intake_run(broker_t *b, volatile sig_atomic_t *stop, volatile sig_atomic_t *reload)
{
    /* set by signal handlers, or by another thread in the tests */
    while (!__atomic_load_n(stop, __ATOMIC_RELAXED)) {
        zmq_pollitem_t items[4] = { { b->from_writer, 0, ZMQ_POLLIN, 0 },
                                    { b->zap, 0, ZMQ_POLLIN, 0 },
                                    { b->router, 0, ZMQ_POLLIN, 0 },
                                    { b->router_events, 0, ZMQ_POLLIN, 0 } };
        /* replies held for slow connections are tried again soon */
        int rc = zmq_poll(items, b->router_events ? 4 : 3, peers_held(b->peers) ? 2 : 500);
        if (rc < 0 && errno != EINTR) {
            dx_error("intake-poll-failed", "poll failed: %s", zmq_strerror(errno));
            return DX_ERR_IO;
        }
        s_replies(b);
        handshakes_flush(b->handshakes, dx_now_ms(), false, s_record_handshake, b);
        if (rc > 0 && b->router_events && (items[3].revents & ZMQ_POLLIN))
            s_router_events(b);
        held_policy_t *hp = policy_set_hold(b);
        if (rc > 0 && (items[1].revents & ZMQ_POLLIN))
            for (int i = 0; i < 64; i++) {
                int events = 0;
                size_t elen = sizeof events;
                zmq_getsockopt(b->zap, ZMQ_EVENTS, &events, &elen);
                if (!(events & ZMQ_POLLIN))
                    break;
                s_zap_handle(b, hp->policy);
            }
        if (rc > 0 && (items[2].revents & ZMQ_POLLIN))
            for (int i = 0; i < RECEIVE_MAX && s_receive(b, hp->policy); i++)
                ;
        policy_set_release(b, &hp);
        if (__atomic_load_n(reload, __ATOMIC_RELAXED)) {
            __atomic_store_n(reload, 0, __ATOMIC_RELAXED);
            s_reload(b);
        }
    }
    handshakes_flush(b->handshakes, dx_now_ms(), true, s_record_handshake, b); /* before the writer stops */
    return 0;
}

int intake_run_standby(broker_t *b, volatile sig_atomic_t *stop, char err[DX_ERRMSG])
{
    int turn = 0;
    b->standby = true;
    /* systemd: a standby is up (it answers); a start past TimeoutStartSec
     * would otherwise kill it while it waits for the lease */
    notify_systemd("READY=1\nSTATUS=standby");
    while (!__atomic_load_n(stop, __ATOMIC_RELAXED)) {
        zmq_pollitem_t items[2] = { { b->zap, 0, ZMQ_POLLIN, 0 }, { b->router, 0, ZMQ_POLLIN, 0 } };
        int rc = zmq_poll(items, 2, turn == 2 ? 0 : 100); /* 2: catching up */
        if (rc < 0 && errno != EINTR) {
            snprintf(err, DX_ERRMSG, "poll failed: %s", zmq_strerror(errno));
            b->standby = false;
            return DX_ERR_IO;
        }
        peers_flush(b->peers, b->router);
        held_policy_t *hp = policy_set_hold(b);
        if (rc > 0 && (items[0].revents & ZMQ_POLLIN))
            s_zap_handle(b, hp->policy);
        if (rc > 0 && (items[1].revents & ZMQ_POLLIN))
            for (int i = 0; i < RECEIVE_MAX && s_receive(b, hp->policy); i++)
                ;
        policy_set_release(b, &hp);
        turn = group_standby_turn(b, err);
        if (turn == 1) {
            b->standby = false;
            return 0;
        }
        if (turn < 0) {
            b->standby = false;
            return turn;
        }
    }
    b->standby = false;
    return DX_ERR_STANDBY;
}

/* After the writer has stopped: its last replies go out, and what is held
 * for slow connections gets a moment (at most half a second) to leave. */
void intake_flush(broker_t *b)
{
    if (!b->from_writer || !b->router)
        return;
    s_replies(b);
    for (int i = 0; i < 100 && peers_held(b->peers); i++) {
        zmq_poll(NULL, 0, 5);
        peers_flush(b->peers, b->router);
    }
}
