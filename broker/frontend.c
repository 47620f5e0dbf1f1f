/* frontend: the broker's sockets and its one loop.
 *
 * The ROUTER socket is a CURVE server. libzmq asks our ZAP handler (a REP
 * socket on inproc://zeromq.zap.01, polled by the same loop) about every
 * handshake: a client key that belongs to a current member is admitted, and
 * its member id becomes the User-Id of every message on that connection.
 *
 * Each turn: answer pending handshakes, take up to BATCH_MAX requests,
 * handle them, commit their writes as one group, send the replies that
 * waited for the commit, expire idle sessions. */
#include "broker.h"
#include "checkpoint.h"
#include "dxtime.h"
#include "encode.h"
#include "log.h"
#include "policy_load.h"
#include "wire.h"
#include "workers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#define BATCH_MAX 256
#define SESSIONS_MAX 256
/* Per peer queue bounds, in messages: above any credit the broker grants
 * (16 publish chunks, 8 fetch chunks), so a client that keeps to its credit
 * never has a reply dropped; one that asks for more and does not read is
 * held to this many replies (of at most one chunk each). */
#define HWM 32

static void s_set(void *sock, int option, int value)
{
    if (zmq_setsockopt(sock, option, &value, sizeof value) != 0)
        dx_warn("zmq_setsockopt(%d): %s", option, zmq_strerror(errno));
}

/* ---- ZAP ---- */

static void s_zap_reply(void *zap, zmq_msg_t *request_id, const char *code, const char *text,
                        const char *user_id)
{
    zmq_send(zap, "1.0", 3, ZMQ_SNDMORE);
    zmq_send(zap, zmq_msg_data(request_id), zmq_msg_size(request_id), ZMQ_SNDMORE);
    zmq_send(zap, code, strlen(code), ZMQ_SNDMORE);
    zmq_send(zap, text, strlen(text), ZMQ_SNDMORE);
    zmq_send(zap, user_id, strlen(user_id), ZMQ_SNDMORE);
    zmq_send(zap, "", 0, 0);
}

static void s_zap_handle(broker_t *b)
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
        m = dx_policy_member_by_transport(b->policy, zmq_msg_data(&frames[6]));
    if (m && dx_member_current(m, dx_now_ms())) {
        s_zap_reply(b->zap, &frames[1], "200", "OK", m->id);
        dx_debug("handshake admitted member=%s address=%s", m->id, address);
    } else {
        char key[48] = "unknown";
        if (zmq_msg_size(&frames[6]) == 32) {
            memcpy(key, "curve:", 6);
            dx_z85_encode32(zmq_msg_data(&frames[6]), key + 6);
        }
        s_zap_reply(b->zap, &frames[1], "400", "not a current member key", "");
        dx_warn("handshake refused address=%s key=%s: %s", address, key,
                m ? (m->revoked ? "member revoked" : "member keys expired") : "not a member key");
    }
    for (int i = 0; i < 7; i++)
        zmq_msg_close(&frames[i]);
}

/* ---- requests ---- */

static void s_receive_one(broker_t *b, zmq_msg_t *id, zmq_msg_t *body, bool extra)
{
    request_t rq;
    char err[DX_ERRMSG];
    Dx__Request *req = NULL;
    memset(&rq, 0, sizeof rq);
    rq.now_ms = dx_now_ms();
    rq.identity_len = zmq_msg_size(id) < BROKER_IDENTITY_MAX ? zmq_msg_size(id) : BROKER_IDENTITY_MAX;
    memcpy(rq.identity, zmq_msg_data(id), rq.identity_len);
    const char *user = zmq_msg_gets(body, "User-Id");
    if (!user || !dx_id_valid(user)) {
        dx_error("message without an authenticated member; dropped");
        return;
    }
    snprintf(rq.member_id, sizeof rq.member_id, "%s", user);
    if (extra) {
        dx_warn("malformed request from member=%s: more than one frame", rq.member_id);
        broker_error(b, &rq, DX__ERROR_CODE__ERR_BAD_REQUEST, NULL,
                     "a request is exactly one frame");
        return;
    }
    if (wire_request_decode(zmq_msg_data(body), zmq_msg_size(body), &req, err) != 0) {
        dx_warn("malformed request from member=%s: %s", rq.member_id, err);
        broker_error(b, &rq, DX__ERROR_CODE__ERR_BAD_REQUEST, NULL, "%s", err);
        return;
    }
    rq.req = req;
    if (!dispatch(b, &rq))
        wire_request_free(&req);
}

/* Reads one [identity][body] message; returns false when none is ready. */
static bool s_receive(broker_t *b)
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
        s_receive_one(b, &id, &body, extra);
    zmq_msg_close(&id);
    zmq_msg_close(&body);
    return true;
}

/* ---- lifecycle ---- */

static void s_expired(void *arg, session_t *s)
{
    if (s->kind == SESSION_PUBLISH)
        publish_expired(arg, s);
    else
        dx_info("fetch timed out member=%s", s->member);
}

static int s_system_record(broker_t *b, const char *event, const char *decision, const char *reason)
{
    audit_fields_t f = { .event = event, .decision = decision, .rule_id = "", .reason = reason,
                         .sha256 = strcmp(event, "policy_load") == 0 ? b->policy->sha256 : NULL };
    batch_op_begin(b->batch);
    int rv = broker_audit(b, NULL, &f, NULL);
    return batch_op_end(b->batch, rv);
}

static void s_log_diag(const dx_diag_t *diag)
{
    for (size_t i = 0; i < diag->n; i++)
        dx_warn("policy: %s", diag->lines[i]);
}

int broker_load_policy(broker_t *b, const request_t *rq, dx_diag_t *diag, char reason[DX_ERRMSG + 64])
{
    dx_policy_t *p = NULL;
    char hex[65];
    int rv = dx_policy_load(b->cfg.policy_dir, &p, diag);
    s_log_diag(diag);
    if (rv != 0) {
        snprintf(reason, DX_ERRMSG + 64, "reload refused, %zu error(s); the last good set stays: %s",
                 diag->errors, dx_diag_first(diag));
        dx_warn("%s", reason);
    } else {
        dx_policy_free(&b->policy);
        b->policy = p;
        dx_hex_encode(p->sha256, DX_SHA256_LEN, hex);
        snprintf(reason, DX_ERRMSG + 64, "policy set loaded: %zu members, %zu namespaces, %zu rules",
                 p->nmembers, p->nnamespaces, p->nrules);
        dx_info("%s sha256=%s by=%s", reason, hex, rq ? rq->member_id : "SIGHUP");
    }
    /* The record's sha256 is the set that was tried; its policy_sha256 the
     * set in force afterwards: equal when the load succeeded. */
    audit_fields_t f = { .event = "policy_load", .action = "reload",
                         .sha256 = diag->hashed ? diag->sha256 : NULL,
                         .decision = rv == 0 ? "ok" : "error", .rule_id = "", .reason = reason };
    int arv = broker_audit(b, rq, &f, NULL);
    return arv ? arv : rv;
}

int broker_reload(broker_t *b)
{
    dx_diag_t diag = { 0 };
    char reason[DX_ERRMSG + 64];
    batch_op_begin(b->batch);
    int rv = broker_load_policy(b, NULL, &diag, reason);
    batch_op_end(b->batch, rv == DX_ERR_POLICY ? 0 : rv);
    batch_commit(b->batch, dx_now_ms());
    dx_diag_free(&diag);
    return rv;
}

int broker_start(broker_t *b, char err[DX_ERRMSG])
{
    dx_diag_t diag;
    store_txn_t *t = NULL;
    int rv;
    if ((rv = dx_keys_read_secret(b->cfg.key_path, &b->key, err)) != 0)
        return rv;
    /* checked before the data directory is touched: a bad option changes nothing */
    char origin[DX_ORIGIN_MAX + 1];
    if (b->cfg.origin && !dx_origin_valid(b->cfg.origin)) {
        snprintf(err, DX_ERRMSG, "--origin: 1 to %d bytes of UTF-8 without spaces (of any kind), "
                 "control characters or '+', as signed notes require", DX_ORIGIN_MAX);
        return DX_ERR_USAGE;
    }
    snprintf(origin, sizeof origin, "%s", b->cfg.origin ? b->cfg.origin : "");
    if (!b->cfg.origin)
        snprintf(origin, sizeof origin, "dx/%s", b->key.pub.id);
    rv = dx_policy_load(b->cfg.policy_dir, &b->policy, &diag);
    if (rv != 0) {
        for (size_t i = 0; i < diag.n; i++)
            fprintf(stderr, "%s\n", diag.lines[i]);
        snprintf(err, DX_ERRMSG, "the policy set in %s does not load (%zu error(s))",
                 b->cfg.policy_dir, diag.errors);
        dx_diag_free(&diag);
        return rv;
    }
    s_log_diag(&diag);
    dx_diag_free(&diag);
    if ((rv = store_open(b->cfg.data_dir, b->cfg.map_size, false, &b->store, err)) != 0)
        return rv;

    /* Staged chunks of publishes a crash interrupted are not visible;
     * collect them before anything else. */
    uint64_t collected = 0;
    if ((rv = store_begin(b->store, NULL, true, &t)) != 0 ||
        (rv = store_staging_collect(t, &collected)) != 0 ||
        (rv = store_blob_max(t, &b->next_blob)) != 0 || (rv = store_commit(&t)) != 0) {
        store_abort(&t);
        snprintf(err, DX_ERRMSG, "cannot prepare the store: %s", dx_strerror(rv));
        return rv;
    }
    b->next_blob++;
    if (collected)
        dx_info("collected %llu interrupted publish(es)", (unsigned long long)collected);
    if ((rv = dx_signer_new(b->key.sign_secret, &b->signer)) != 0) {
        snprintf(err, DX_ERRMSG, "cannot load the broker's signing key");
        return rv;
    }
    if ((rv = audit_open(b->store, b->signer, origin, &b->audit, err)) != 0)
        return rv;
    if ((rv = batch_new(b->store, b->audit, &b->batch)) != 0 ||
        (rv = sessions_new(SESSIONS_MAX, (size_t)b->cfg.member_transfers, &b->sessions)) != 0) {
        snprintf(err, DX_ERRMSG, "cannot start: %s", dx_strerror(rv));
        return rv;
    }

    rv = DX_ERR_IO;
    if (!(b->zctx = zmq_ctx_new()) || !(b->zap = zmq_socket(b->zctx, ZMQ_REP)) ||
        zmq_bind(b->zap, "inproc://zeromq.zap.01") != 0 ||
        !(b->router = zmq_socket(b->zctx, ZMQ_ROUTER))) {
        snprintf(err, DX_ERRMSG, "cannot create sockets: %s", zmq_strerror(errno));
        return rv;
    }
    int nworkers = b->cfg.workers >= 0 ? b->cfg.workers : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (nworkers > 64)
        nworkers = 64;
    if (workers_new(b->zctx, nworkers, &b->workers) != 0) {
        snprintf(err, DX_ERRMSG, "cannot start the worker threads");
        return DX_ERR_INTERNAL;
    }
    s_set(b->router, ZMQ_CURVE_SERVER, 1);
    if (zmq_setsockopt(b->router, ZMQ_CURVE_SECRETKEY, b->key.curve_secret, 32) != 0 ||
        zmq_setsockopt(b->router, ZMQ_ZAP_DOMAIN, "dx", 2) != 0) {
        snprintf(err, DX_ERRMSG, "cannot set up CURVE: %s", zmq_strerror(errno));
        return rv;
    }
    int64_t max = DX_MAX_FRAME;
    zmq_setsockopt(b->router, ZMQ_MAXMSGSIZE, &max, sizeof max);
    s_set(b->router, ZMQ_ROUTER_MANDATORY, 1);
    s_set(b->router, ZMQ_SNDHWM, HWM);
    s_set(b->router, ZMQ_RCVHWM, HWM);
    s_set(b->router, ZMQ_LINGER, 0);
    s_set(b->router, ZMQ_HANDSHAKE_IVL, 10000);
    s_set(b->router, ZMQ_HEARTBEAT_IVL, 10000);
    s_set(b->router, ZMQ_HEARTBEAT_TIMEOUT, 30000);
    if (zmq_bind(b->router, b->cfg.listen) != 0) {
        snprintf(err, DX_ERRMSG, "cannot listen on %s: %s", b->cfg.listen, zmq_strerror(errno));
        return rv;
    }
    size_t len = sizeof b->endpoint;
    if (zmq_getsockopt(b->router, ZMQ_LAST_ENDPOINT, b->endpoint, &len) != 0)
        snprintf(b->endpoint, sizeof b->endpoint, "%s", b->cfg.listen);

    char reason[400], hex[65];
    dx_hex_encode(b->policy->sha256, DX_SHA256_LEN, hex);
    snprintf(reason, sizeof reason, "dx-broker started, listening on %s", b->endpoint);
    s_system_record(b, "broker_start", "ok", reason);
    snprintf(reason, sizeof reason, "policy set loaded: %zu members, %zu namespaces, %zu rules",
             b->policy->nmembers, b->policy->nnamespaces, b->policy->nrules);
    s_system_record(b, "policy_load", "ok", reason);
    if ((rv = batch_commit(b->batch, dx_now_ms())) != 0) {
        snprintf(err, DX_ERRMSG, "cannot write the audit log: %s", dx_strerror(rv));
        return rv;
    }
    dx_info("listening endpoint=%s policy_sha256=%s members=%zu rules=%zu", b->endpoint, hex,
            b->policy->nmembers, b->policy->nrules);
    return 0;
}

int broker_run(broker_t *b, volatile sig_atomic_t *stop, volatile sig_atomic_t *reload)
{
    int64_t next_expiry = dx_mono_ms() + 1000;
    while (!*stop) {
        zmq_pollitem_t items[3] = { { b->router, 0, ZMQ_POLLIN, 0 }, { b->zap, 0, ZMQ_POLLIN, 0 },
                                    { workers_socket(b->workers), 0, ZMQ_POLLIN, 0 } };
        int rc = zmq_poll(items, 3, 500);
        if (rc < 0 && errno != EINTR) {
            dx_error("poll failed: %s", zmq_strerror(errno));
            return DX_ERR_IO;
        }
        if (rc > 0 && (items[1].revents & ZMQ_POLLIN))
            for (int i = 0; i < 64; i++) {
                int events = 0;
                size_t elen = sizeof events;
                zmq_getsockopt(b->zap, ZMQ_EVENTS, &events, &elen);
                if (!(events & ZMQ_POLLIN))
                    break;
                s_zap_handle(b);
            }
        publish_collect(b);
        for (prepared_t *job; (job = workers_take(b->workers)) != NULL;)
            dispatch_prepared(b, job);
        if (rc > 0 && (items[0].revents & ZMQ_POLLIN))
            for (int i = 0; i < BATCH_MAX && s_receive(b); i++)
                ;
        batch_commit(b->batch, dx_now_ms());
        if (dx_mono_ms() >= next_expiry) {
            sessions_expire(b->sessions, dx_now_ms() - b->cfg.session_idle_ms, s_expired, b);
            next_expiry = dx_mono_ms() + 1000;
        }
        if (*reload) {
            *reload = 0;
            dx_info("reloading the policy set (SIGHUP)");
            broker_reload(b);
        }
    }
    return 0;
}

void broker_stop(broker_t *b)
{
    if (b->batch) {
        publish_collect(b);
        audit_want_history(b->audit);
        s_system_record(b, "broker_stop", "ok", "dx-broker stopped");
        batch_commit(b->batch, dx_now_ms());
    }
    workers_destroy(&b->workers);
    if (b->router)
        zmq_close(b->router);
    if (b->zap)
        zmq_close(b->zap);
    if (b->zctx)
        zmq_ctx_term(b->zctx);
    sessions_destroy(&b->sessions);
    batch_destroy(&b->batch);
    audit_destroy(&b->audit);
    store_close(&b->store);
    dx_policy_free(&b->policy);
    free(b->discard);
    dx_signer_destroy(&b->signer);
    dx_keypair_wipe(&b->key);
}
