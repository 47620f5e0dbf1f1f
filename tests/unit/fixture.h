/* fixture: a broker opened in this process with no thread running
 * (broker_open), for the handlers' own unit tests. A test builds a request
 * as intake would, runs it as the writer does (fx_writer: dispatch, the
 * group commit) or as a reader does (fx_reader: dispatch_read, then what
 * it staged through the writer), and reads the replies the broker sent,
 * decoded, from the socket intake would read them from.
 *
 * Members: health (publisher, consumer; owns health/ and all under it),
 * statistics (lists all of health/, reads it for the purpose statistics
 * without the field secret), auditor, admin. A staged reply goes straight to the reply
 * socket here (there are no reader lanes to send it back through). */
#ifndef DX_TEST_FIXTURE_H
#define DX_TEST_FIXTURE_H

#include "batch.h"
#include "broker.h"
#include "content.h"
#include "crypto.h"
#include "dispatch.h"
#include "dxtime.h"
#include "keys.h"
#include "log.h"
#include "policy_set.h"
#include "publish_check.h"
#include "reader.h"
#include "request.h"
#include "signed.h"
#include "staged.h"
#include "start.h"
#include "test.h"
#include "transfer.h"
#include "wire.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zmq.h>

typedef struct {
    broker_t b;
    char dir[64];
    dx_keypair_t broker_key, health, stats, auditor, admin;
    void *replies;               /* PULL: what intake would read */
    reader_t reader;             /* one reader lane, run on the test's thread */
    uint64_t next_id;
} fx_t;

__attribute__((unused)) static void fx_write(const fx_t *f, const char *name, const char *text)
{
    char path[300];
    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    FILE *out = fopen(path, "w");
    if (out) {
        fputs(text, out);
        fclose(out);
    }
}

__attribute__((unused)) static void fx_member(char *out, size_t cap, const dx_keypair_t *k, const char *roles)
{
    char sign[DX_SIGN_TEXT], curve[DX_CURVE_TEXT];
    dx_sign_key_format(k->pub.sign, sign);
    dx_curve_key_format(k->pub.curve, curve);
    size_t n = strlen(out);
    snprintf(out + n, cap - n, "  - id: %s\n    roles: [%s]\n    sign_key: \"%s\"\n"
             "    transport_key: \"%s\"\n", k->pub.id, roles, sign, curve);
}

/* A broker in a new directory, opened; 0 or why not (printed). */
__attribute__((unused)) static int fx_open(fx_t *f)
{
    char err[DX_ERRMSG], path[300], members[8192] = "version: 1\nmembers:\n";
    static char data[320], policies[320], key[320];
    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/dx-fixture-XXXXXX");
    if (!mkdtemp(f->dir) || dx_keypair_generate("broker", &f->broker_key) != 0 ||
        dx_keypair_generate("health", &f->health) != 0 ||
        dx_keypair_generate("statistics", &f->stats) != 0 ||
        dx_keypair_generate("auditor", &f->auditor) != 0 || dx_keypair_generate("admin", &f->admin) != 0)
        return 1;
    snprintf(path, sizeof path, "%s/keys", f->dir);
    mkdir(path, 0700);
    if (dx_keys_write(path, &f->broker_key, err) != 0)
        return 1;
    snprintf(path, sizeof path, "%s/policies", f->dir);
    mkdir(path, 0700);
    fx_member(members, sizeof members, &f->health, "publisher, consumer");
    fx_member(members, sizeof members, &f->stats, "consumer");
    fx_member(members, sizeof members, &f->auditor, "auditor");
    fx_member(members, sizeof members, &f->admin, "admin");
    fx_write(f, "policies/members.yaml", members);
    fx_write(f, "policies/datasets.yaml", "version: 1\ndatasets:\n  - match: \"health/**\"\n"
             "    owner: health\n    classification: restricted\n");
    fx_write(f, "policies/rules.yaml", "version: 1\nrules:\n  - id: stats-lists\n    effect: allow\n"
             "    actions: [list]\n    members: [statistics]\n    datasets: [\"health/**\"]\n"
             "  - id: stats-reads\n    effect: allow\n    actions: [read]\n"
             "    members: [statistics]\n    datasets: [\"health/**\"]\n"
             "    purposes: [statistics]\n    fields:\n      exclude: [secret]\n");
    snprintf(data, sizeof data, "%s/data", f->dir);
    snprintf(policies, sizeof policies, "%s/policies", f->dir);
    snprintf(key, sizeof key, "%s/keys/broker.key", f->dir);
    broker_options_defaults(&f->b.cfg);
    f->b.cfg.listen = "tcp://127.0.0.1:*";
    f->b.cfg.data_dir = data;
    f->b.cfg.policy_dir = policies;
    f->b.cfg.key_path = key;
    if (broker_open(&f->b, err) != 0) {
        printf("# broker_open: %s\n", err);
        return 1;
    }
    broker_t *b = &f->b;
    int zero = 0, wait_ms = 1000;
    if (publish_lanes_new(1, b->cfg.session_idle_ms, (size_t)b->cfg.member_transfers, &b->lanes) != 0 ||
        !(f->replies = zmq_socket(b->zctx, ZMQ_PULL)) ||
        zmq_bind(f->replies, "inproc://dx-replies") != 0 ||
        !(b->outbox = zmq_socket(b->zctx, ZMQ_PUSH)) || zmq_connect(b->outbox, "inproc://dx-replies") != 0 ||
        !(f->reader.replies = zmq_socket(b->zctx, ZMQ_PUSH)) ||
        zmq_connect(f->reader.replies, "inproc://dx-replies") != 0 ||
        !(f->reader.plain = malloc(CONTENT_BUF)))
        return 1;
    zmq_setsockopt(b->outbox, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(f->reader.replies, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(f->replies, ZMQ_RCVTIMEO, &wait_ms, sizeof wait_ms);
    f->reader.store = b->store;
    return 0;
}

__attribute__((unused)) static void fx_close(fx_t *f)
{
    char cmd[100];
    if (f->replies)
        zmq_close(f->replies);
    if (f->reader.replies)
        zmq_close(f->reader.replies);
    free(f->reader.plain);
    broker_stop(&f->b);
    dx_keypair_wipe(&f->broker_key);
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", f->dir);
}

/* req from who, as intake makes it: packed and decoded again, attributed
 * to who's member id and current keys, on a connection of its own. */
__attribute__((unused)) static request_t *fx_request(fx_t *f, const dx_keypair_t *who, Dx__Request *req)
{
    uint8_t *data = NULL;
    size_t len = 0;
    char err[DX_ERRMSG];
    request_t *rq = calloc(1, sizeof *rq);
    req->protocol = DX_PROTOCOL_VERSION;
    req->id = ++f->next_id;
    if (!rq || wire_pack(&req->base, &data, &len) != 0 ||
        wire_request_decode(data, len, &rq->req, err) != 0) {
        printf("# request: %s\n", err);
        free(data);
        free(rq);
        return NULL;
    }
    free(data);
    rq->kind = RQ_MEMBER;
    rq->identity_len = (size_t)snprintf((char *)rq->identity, sizeof rq->identity, "conn-%s", who->pub.id);
    snprintf(rq->member_id, sizeof rq->member_id, "%s", who->pub.id);
    memcpy(rq->transport_key, who->pub.curve, 32);
    rq->has_transport_key = true;
    rq->cmd = dispatch_command(rq->req->body_case);
    rq->cmd_index = dispatch_index(rq->cmd);
    rq->now_ms = dx_now_ms();
    rq->frame_len = len;
    rq->received_us = dx_mono_us();
    memcpy(rq->check.sign_key, who->pub.sign, DX_ED25519_LEN);
    return rq;
}

/* The writer's part: checks (if any), then dispatch in one group, committed. */
__attribute__((unused)) static void fx_writer(fx_t *f, request_t *rq)
{
    if (rq->cmd->check && !rq->check.ran)
        dispatch_check(&f->b, rq, 0);
    rq->now_ms = dx_now_ms();
    dispatch(&f->b, rq);
    batch_commit(f->b.batch, dx_now_ms());
    request_free(&rq);
}

/* One turn of a reader lane at rq, as readers.c runs it: the policy set
 * held, the read in its own transaction; rq stays the caller's. */
__attribute__((unused)) static void fx_read_turn(fx_t *f, request_t *rq)
{
    held_policy_t *hp = policy_set_hold(&f->b);
    rq->again = false;
    rq->policy = hp->policy;
    rq->reader = &f->reader;
    rq->now_ms = dx_now_ms();
    dispatch_read(&f->b, rq);
    reader_done(&f->reader);
    rq->reader = NULL;
    rq->policy = NULL;
    rq->member = NULL;
    policy_set_release(&f->b, &hp);
}

/* A reader's turns at rq (how many, in *turns), then (what it staged, or
 * left open) the writer's part. */
__attribute__((unused)) static void fx_reader_turns(fx_t *f, request_t *rq, int *turns)
{
    *turns = 0;
    do {
        fx_read_turn(f, rq);
        (*turns)++;
    } while (rq->again); /* a bounded turn: the lane runs it again */
    if (staged_any(rq) || rq->answer == RQ_OPEN)
        fx_writer(f, rq);
    else
        request_free(&rq);
}

__attribute__((unused)) static void fx_reader(fx_t *f, request_t *rq)
{
    int turns;
    fx_reader_turns(f, rq, &turns);
}

/* The next message intake would put on the socket: its kind (REPLY_*) and,
 * unless REPLY_NONE, the reply decoded; 0, or -1 when none came in 1 s. */
__attribute__((unused)) static int fx_next(fx_t *f, char *kind, Dx__Reply **reply)
{
    zmq_msg_t m;
    char err[DX_ERRMSG];
    *reply = NULL;
    *kind = 0;
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, f->replies, 0) < 0 || !zmq_msg_more(&m)) { /* the identity */
        zmq_msg_close(&m);
        return -1;
    }
    if (zmq_msg_recv(&m, f->replies, 0) < 0 || zmq_msg_size(&m) != 1) {
        zmq_msg_close(&m);
        return -1;
    }
    *kind = *(const char *)zmq_msg_data(&m);
    bool more = zmq_msg_more(&m);
    int rv = 0;
    if (more && (zmq_msg_recv(&m, f->replies, 0) < 0 ||
                 wire_reply_decode(zmq_msg_data(&m), zmq_msg_size(&m), reply, err) != 0))
        rv = -1;
    zmq_msg_close(&m);
    return rv;
}

/* The next reply (skipping REPLY_NONE), or NULL. */
__attribute__((unused)) static Dx__Reply *fx_reply(fx_t *f)
{
    char kind;
    Dx__Reply *r = NULL;
    while (fx_next(f, &kind, &r) == 0)
        if (kind != 'N')
            return r;
    return NULL;
}

/* Whether no reply is waiting (a request answered with nothing). */
__attribute__((unused)) static bool fx_quiet(fx_t *f)
{
    zmq_pollitem_t item = { f->replies, 0, ZMQ_POLLIN, 0 };
    return zmq_poll(&item, 1, 100) == 0;
}

/* The error code of r, or 0 when it is not an error. */
__attribute__((unused)) static int fx_error(const Dx__Reply *r)
{
    return r && r->error ? (int)r->error->code : 0;
}

/* health's signed manifest of len bytes of data, into pb (pb->manifest.data
 * is the caller's to free); 0 or an error. */
__attribute__((unused)) static int fx_manifest(fx_t *f, const char *name, const void *data, size_t len, const char *type,
                       uint8_t sig[DX_SIG_LEN], Dx__PublishBegin *pb)
{
    char err[DX_ERRMSG];
    uint8_t sha[DX_SHA256_LEN], *m = NULL;
    size_t mlen = 0;
    dx_sha256(data, len, sha);
    dx_manifest_opts_t mo = { .dataset = name, .publisher = "health", .content_type = type,
                              .classification = 2, .sha256 = sha, .size = len };
    if (dx_manifest_build(&mo, &m, &mlen, err) != 0 ||
        dx_sign(f->health.sign_secret, DX_CTX_MANIFEST, m, mlen, sig) != 0) {
        free(m);
        return DX_ERR_CRYPTO;
    }
    dx__publish_begin__init(pb);
    pb->manifest.data = m;
    pb->manifest.len = mlen;
    pb->signature.data = sig;
    pb->signature.len = DX_SIG_LEN;
    return 0;
}

/* A signed inline publish of content to name by health; the request. */
__attribute__((unused)) static request_t *fx_publish_request(fx_t *f, const char *name, const char *content,
                                     const char *type)
{
    uint8_t sig[DX_SIG_LEN];
    size_t len = strlen(content);
    Dx__Request req = DX__REQUEST__INIT;
    Dx__PublishBegin pb;
    if (fx_manifest(f, name, content, len, type, sig, &pb) != 0)
        return NULL;
    uint8_t *m = pb.manifest.data;
    pb.has_inline = true;
    pb.inline_data.data = (uint8_t *)content;
    pb.inline_data.len = len;
    req.body_case = DX__REQUEST__BODY_PUBLISH_BEGIN;
    req.publish_begin = &pb;
    request_t *rq = fx_request(f, &f->health, &req);
    free(m);
    return rq;
}

/* Publishes content as health and returns the version (0 when refused). */
__attribute__((unused)) static uint64_t fx_publish(fx_t *f, const char *name, const char *content)
{
    request_t *rq = fx_publish_request(f, name, content, "text/csv");
    if (!rq)
        return 0;
    fx_writer(f, rq);
    Dx__Reply *r = fx_reply(f);
    uint64_t v = 0;
    if (r && r->body_case == DX__REPLY__BODY_RECEIPT && r->receipt->body.len) {
        Dx__Receipt *rc = NULL;
        char err[DX_ERRMSG];
        if (wire_receipt_decode(r->receipt->body.data, r->receipt->body.len, &rc, err) == 0)
            v = rc->version;
        wire_free(&rc);
    }
    wire_reply_free(&r);
    return v;
}

/* Publishes len bytes of data as health in chunks, as a transfer under
 * credit does; the version (0 when refused). */
__attribute__((unused)) static uint64_t fx_publish_stream(fx_t *f, const char *name, const char *data,
                                                          size_t len, const char *type)
{
    char err[DX_ERRMSG];
    uint8_t sig[DX_SIG_LEN];
    Dx__Request req = DX__REQUEST__INIT;
    Dx__PublishBegin pb;
    if (fx_manifest(f, name, data, len, type, sig, &pb) != 0)
        return 0;
    uint8_t *m = pb.manifest.data;
    req.body_case = DX__REQUEST__BODY_PUBLISH_BEGIN;
    req.publish_begin = &pb;
    fx_writer(f, fx_request(f, &f->health, &req));
    free(m);
    Dx__Reply *r = fx_reply(f);
    uint64_t session = r && r->publish_ready ? r->publish_ready->session : 0, version = 0;
    wire_reply_free(&r);
    size_t n = (len + DX_CHUNK_SIZE - 1) / DX_CHUNK_SIZE;
    for (size_t i = 0; session && i < n; i++) {
        Dx__PublishChunk pc = DX__PUBLISH_CHUNK__INIT;
        pc.session = session;
        pc.index = (uint32_t)i;
        pc.data.data = (uint8_t *)data + i * DX_CHUNK_SIZE;
        pc.data.len = i + 1 < n ? DX_CHUNK_SIZE : len - i * DX_CHUNK_SIZE;
        pc.last = i + 1 == n;
        req.body_case = DX__REQUEST__BODY_PUBLISH_CHUNK;
        req.publish_chunk = &pc;
        fx_writer(f, fx_request(f, &f->health, &req));
    }
    while (session && (r = fx_reply(f)) != NULL) { /* the acks, then the receipt */
        bool done = r->body_case == DX__REPLY__BODY_RECEIPT || r->error;
        if (r->body_case == DX__REPLY__BODY_RECEIPT) {
            Dx__Receipt *rc = NULL;
            if (wire_receipt_decode(r->receipt->body.data, r->receipt->body.len, &rc, err) == 0)
                version = rc->version;
            wire_free(&rc);
        }
        wire_reply_free(&r);
        if (done)
            break;
    }
    return version;
}

/* FetchBegin by who for name and purpose (the writer's part); the reply. */
__attribute__((unused)) static Dx__Reply *fx_fetch_begin(fx_t *f, const dx_keypair_t *who,
                                                         const char *name, const char *purpose)
{
    Dx__Request req = DX__REQUEST__INIT;
    Dx__FetchBegin fb = DX__FETCH_BEGIN__INIT;
    fb.dataset = (char *)name;
    fb.purpose = (char *)purpose;
    req.body_case = DX__REQUEST__BODY_FETCH_BEGIN;
    req.fetch_begin = &fb;
    fx_writer(f, fx_request(f, who, &req));
    return fx_reply(f);
}

/* Audit records of member (NULL: anyone) whose event is event, read from
 * the store; their number, and the last one's decision and rule in out. */
__attribute__((unused)) static int fx_records(fx_t *f, const char *member, const char *event, char decision[32],
                      char rule[64])
{
    store_txn_t *t = NULL;
    uint64_t last = 0;
    int n = 0;
    char err[DX_ERRMSG];
    if (store_begin(f->b.store, NULL, false, &t) != 0 || store_audit_last(t, &last) != 0) {
        store_abort(&t);
        return -1;
    }
    for (uint64_t seq = 1; seq <= last; seq++) {
        store_val_t v;
        Dx__AuditRecord *r = NULL;
        if (store_audit_get(t, seq, &v) != 0 || wire_audit_decode(v.data, v.len, &r, err) != 0)
            continue;
        if ((!member || strcmp(r->member, member) == 0) && strcmp(r->event, event) == 0) {
            n++;
            if (decision)
                snprintf(decision, 32, "%s", r->decision);
            if (rule)
                snprintf(rule, 64, "%s", r->rule_id);
        }
        wire_free(&r);
    }
    store_abort(&t);
    return n;
}

#endif
