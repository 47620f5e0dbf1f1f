/* dx-load: a load generator for a running broker, and this machine's
 * crypto baseline; `make bench` and the load test use it.
 *
 *   dx-load crypto
 *       Ed25519 verifications per second and SHA-256 MB/s, one core, OpenSSL.
 *   dx-load publish CONNS SECONDS SIZE [INFLIGHT] --broker E --broker-pub F --key K
 *       CONNS connections, each with INFLIGHT publishes (default 1) in
 *       flight at a time, of SIZE-byte datasets, for SECONDS: acknowledged
 *       (durable) publishes per second. Manifests are signed before the
 *       clock starts, so the generator's own cost is sending and receiving.
 *   dx-load latency RATE SECONDS SIZE --broker ...
 *       publishes at a fixed RATE per second over 8 connections: p50, p99.
 *   dx-load mixed CONNS SECONDS DATASET --broker ...
 *       each connection in turn publishes a 1 KiB dataset and fetches
 *       DATASET whole: "OPERATIONS ERRORS LOST" (LOST: requests still
 *       unanswered 10 s after the run).
 *   dx-load fill N SIZE [NAME] --broker ...
 *       publishes N datasets of SIZE bytes (in batches, each signed before
 *       its clock starts) over 200 connections: publishes per second. With
 *       NAME, all of them are versions of NAME.
 *   dx-load ask list|info|feed ARG COUNT --broker ...
 *       COUNT list requests for pattern ARG ("" for all; first page only),
 *       info requests for dataset ARG, or feed requests after seq ARG, one
 *       at a time: p50 and p99 ms.
 *   dx-load flood feed|list|audit CONNS INFLIGHT SECONDS --broker ...
 *       one member's flood: CONNS connections, each keeping INFLIGHT feed
 *       requests (from the start of the log), list requests (everything,
 *       first page) or audit queries (for a member that has no record: as
 *       far as a query may look) in flight, for SECONDS: "ANSWERED/s BUSY"
 *       (BUSY: answered as over a limit).
 *   dx-load stall DATASET SECONDS [CHUNKS] --broker ...
 *       a consumer that opens a fetch of DATASET, asks for CHUNKS chunks
 *       (default 64) and then reads nothing for SECONDS.
 * Prints one line of numbers. */
#include "../bench/bench.h"
#include "cli.h"
#include "crypto.h"
#include "dxtime.h"
#include "transfer.h"
#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

static int s_crypto(void)
{
    uint8_t sk[32], pk[32], sig[64], msg[200] = { 1 };
    dx_ed25519_keygen(sk, pk);
    dx_sign(sk, DX_CTX_MANIFEST, msg, sizeof msg, sig);
    dx_verifier_t *v = NULL;
    if (dx_verifier_new(pk, &v) != 0)
        return 1;
    size_t n = 0;
    double t0 = bench_now(), t;
    do {
        for (int i = 0; i < 200; i++, n++)
            if (dx_verifier_verify(v, DX_CTX_MANIFEST, msg, sizeof msg, sig) != 0)
                return 1;
    } while ((t = bench_now() - t0) < 1.0);
    dx_verifier_destroy(&v);
    double verify = (double)n / t;
    size_t len = 64 << 20;
    uint8_t *buf = calloc(1, len), d[32];
    t0 = bench_now();
    for (int i = 0; i < 4; i++)
        dx_sha256(buf, len, d);
    double mbs = 4.0 * (double)len / (1 << 20) / (bench_now() - t0);
    free(buf);
    printf("%.0f %.0f\n", verify, mbs);
    return 0;
}

typedef struct {
    uint8_t *frame;          /* a packed PublishBegin request */
    size_t len;
} job_t;

/* Pre-signed publishes of SIZE bytes: distinct names (or all under one
 * name: that many versions of it), nonces, contents. */
static job_t *s_jobs(const dx_keypair_t *me, size_t n, size_t size, const char *one_name)
{
    job_t *jobs = calloc(n, sizeof *jobs);
    uint8_t *data = malloc(size), sha[32], sig[64];
    char err[DX_ERRMSG], name[64];
    uint64_t tag = (uint64_t)dx_now_ms();
    for (size_t i = 0; i < n; i++) {
        memcpy(data, &i, sizeof i < size ? sizeof i : size);
        dx_sha256(data, size, sha);
        if (one_name)
            snprintf(name, sizeof name, "%s", one_name);
        else
            snprintf(name, sizeof name, "health/bench/%llu-%zu", (unsigned long long)tag, i);
        dx_manifest_opts_t mo = { .dataset = name, .publisher = me->pub.id,
                                  .content_type = "application/octet-stream", .classification = 2,
                                  .sha256 = sha, .size = size };
        uint8_t *m = NULL;
        size_t mlen = 0;
        if (dx_manifest_build(&mo, &m, &mlen, err) != 0 ||
            dx_sign(me->sign_secret, DX_CTX_MANIFEST, m, mlen, sig) != 0)
            exit(1);
        Dx__Request req = DX__REQUEST__INIT;
        Dx__PublishBegin pb = DX__PUBLISH_BEGIN__INIT;
        pb.manifest.data = m;
        pb.manifest.len = mlen;
        pb.signature.data = sig;
        pb.signature.len = 64;
        pb.has_inline = true;
        pb.inline_data.data = data;
        pb.inline_data.len = size;
        req.protocol = DX_PROTOCOL_VERSION;
        req.id = i + 1;
        req.body_case = DX__REQUEST__BODY_PUBLISH_BEGIN;
        req.publish_begin = &pb;
        wire_pack(&req.base, &jobs[i].frame, &jobs[i].len);
        free(m);
    }
    free(data);
    return jobs;
}

static void s_jobs_free(job_t *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(jobs[i].frame);
    free(jobs);
}

static void *s_connect(void *ctx, const char *endpoint, const dx_keypair_t *me, const dx_pubkeys_t *broker,
                       int rcvhwm)
{
    int zero = 0;
    void *sock = zmq_socket(ctx, ZMQ_DEALER);
    zmq_setsockopt(sock, ZMQ_RCVHWM, &rcvhwm, sizeof rcvhwm);
    zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, broker->curve, 32);
    zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, me->pub.curve, 32);
    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, me->curve_secret, 32);
    zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
    zmq_connect(sock, endpoint);
    return sock;
}

/* The next reply waiting on sock: 1 with *r decoded (NULL when it did not
 * decode, err saying why), 0 when none is waiting. */
static int s_recv_reply(void *sock, Dx__Reply **r, char err[DX_ERRMSG])
{
    zmq_msg_t m;
    zmq_msg_init(&m);
    *r = NULL;
    int got = zmq_msg_recv(&m, sock, ZMQ_DONTWAIT) >= 0;
    if (got && wire_reply_decode(zmq_msg_data(&m), zmq_msg_size(&m), r, err) != 0)
        *r = NULL;
    zmq_msg_close(&m);
    return got;
}

static void s_send_request(void *sock, Dx__Request *req, uint64_t id)
{
    uint8_t *data = NULL;
    size_t len = 0;
    req->protocol = DX_PROTOCOL_VERSION;
    req->id = id;
    wire_pack(&req->base, &data, &len);
    zmq_send(sock, data, len, 0);
    free(data);
}

static void s_fetch_begin(void *sock, const char *dataset, uint64_t id)
{
    Dx__Request req = DX__REQUEST__INIT;
    Dx__FetchBegin fb = DX__FETCH_BEGIN__INIT;
    fb.dataset = (char *)dataset;
    fb.purpose = "operations";
    req.body_case = DX__REQUEST__BODY_FETCH_BEGIN;
    req.fetch_begin = &fb;
    s_send_request(sock, &req, id);
}

static void s_fetch_more(void *sock, uint64_t session, uint64_t id)
{
    Dx__Request req = DX__REQUEST__INIT;
    Dx__FetchMore fm = DX__FETCH_MORE__INIT;
    fm.session = session;
    req.body_case = DX__REQUEST__BODY_FETCH_MORE;
    req.fetch_more = &fm;
    s_send_request(sock, &req, id);
}

/* Connections cycle publish -> fetch begin -> fetch more... -> publish. */
static int s_mixed(int conns, double seconds, const char *dataset, const char *endpoint,
                   const dx_keypair_t *me, const dx_pubkeys_t *broker)
{
    size_t njobs = (size_t)(4000 * seconds) + (size_t)conns + 100, next = 0;
    job_t *jobs = s_jobs(me, njobs, 1024, NULL);
    void *ctx = zmq_ctx_new();
    void **socks = calloc((size_t)conns, sizeof *socks);
    zmq_pollitem_t *items = calloc((size_t)conns, sizeof *items);
    uint64_t *session = calloc((size_t)conns, sizeof *session);
    double *waiting = calloc((size_t)conns, sizeof *waiting);   /* since when, 0: idle */
    size_t ops = 0, errors = 0, lost = 0;
    char err[DX_ERRMSG];
    for (int i = 0; i < conns; i++) {
        socks[i] = s_connect(ctx, endpoint, me, broker, 1000);
        items[i] = (zmq_pollitem_t){ socks[i], 0, ZMQ_POLLIN, 0 };
    }
    double end = bench_now() + seconds, drain = end + 10;
    for (;;) {
        double now = bench_now();
        bool outstanding = false;
        for (int i = 0; i < conns; i++) {
            if (!waiting[i] && now < end && next < njobs) {
                zmq_send(socks[i], jobs[next].frame, jobs[next].len, 0);
                next++;
                waiting[i] = now;
            }
            outstanding |= waiting[i] != 0;
        }
        if ((now >= end && !outstanding) || now >= drain)
            break;
        int rc = zmq_poll(items, conns, 50);
        for (int i = 0; rc > 0 && i < conns; i++) {
            for (Dx__Reply *r; s_recv_reply(socks[i], &r, err); wire_reply_free(&r)) {
                if (!r || (r->error && r->error->code != DX__ERROR_CODE__ERR_NONE)) {
                    errors++;
                    if (errors < 4)
                        fprintf(stderr, "dx-load: %s\n", r && r->error ? r->error->message : err);
                    waiting[i] = 0;
                } else if (r->body_case == DX__REPLY__BODY_RECEIPT) {
                    ops++;
                    s_fetch_begin(socks[i], dataset, 1);
                } else if (r->body_case == DX__REPLY__BODY_FETCH_READY) {
                    session[i] = r->fetch_ready->session;
                    s_fetch_more(socks[i], session[i], 2);
                } else if (r->body_case == DX__REPLY__BODY_FETCH_DATA) {
                    if (r->fetch_data->last) {
                        ops++;
                        waiting[i] = 0;
                    } else {
                        s_fetch_more(socks[i], session[i], 2);
                    }
                } else {
                    errors++;
                    waiting[i] = 0;
                }
            }
        }
    }
    for (int i = 0; i < conns; i++) {
        lost += waiting[i] != 0;
        zmq_close(socks[i]);
    }
    zmq_ctx_term(ctx);
    s_jobs_free(jobs, njobs);
    free(socks);
    free(items);
    free(session);
    free(waiting);
    printf("%zu %zu %zu\n", ops, errors, lost);
    return errors || lost ? 1 : 0;
}

/* Asks for far more than its credit, then reads nothing. */
static int s_stall(const char *dataset, double seconds, int chunks, const char *endpoint,
                   const dx_keypair_t *me, const dx_pubkeys_t *broker)
{
    /* Its own queue holds one message, so the backlog builds at the broker. */
    void *ctx = zmq_ctx_new(), *sock = s_connect(ctx, endpoint, me, broker, 1);
    char err[DX_ERRMSG];
    s_fetch_begin(sock, dataset, 1);
    zmq_pollitem_t item = { sock, 0, ZMQ_POLLIN, 0 };
    if (zmq_poll(&item, 1, 10000) <= 0)
        return 5;
    zmq_msg_t m;
    zmq_msg_init(&m);
    zmq_msg_recv(&m, sock, 0);
    Dx__Reply *r = NULL;
    if (wire_reply_decode(zmq_msg_data(&m), zmq_msg_size(&m), &r, err) != 0 ||
        r->body_case != DX__REPLY__BODY_FETCH_READY)
        return 1;
    for (int i = 0; i < chunks; i++)
        s_fetch_more(sock, r->fetch_ready->session, 10 + (uint64_t)i);
    printf("stalled\n");
    fflush(stdout);
    struct timespec ts = { (time_t)seconds, 0 };
    nanosleep(&ts, NULL);
    wire_reply_free(&r);
    zmq_msg_close(&m);
    zmq_close(sock);
    zmq_ctx_term(ctx);
    return 0;
}

/* Sends every job over conns connections, inflight at a time on each;
 * returns the seconds it took, counting receipts in *done. */
static double s_publish_all(void **socks, int conns, int inflight, job_t *jobs, size_t njobs,
                            size_t *done, size_t *errors)
{
    zmq_pollitem_t items[256];
    int busy[256] = { 0 };
    char err[DX_ERRMSG];
    for (int i = 0; i < conns; i++)
        items[i] = (zmq_pollitem_t){ socks[i], 0, ZMQ_POLLIN, 0 };
    size_t next = 0, answered = 0;
    double t0 = bench_now();
    while (answered < njobs && bench_now() - t0 < 600) {
        for (int i = 0; i < conns && next < njobs; i++)
            while (busy[i] < inflight && next < njobs) {
                zmq_send(socks[i], jobs[next].frame, jobs[next].len, 0);
                busy[i]++;
                next++;
            }
        if (zmq_poll(items, conns, 100) <= 0)
            continue;
        for (int i = 0; i < conns; i++)
            for (Dx__Reply *r; s_recv_reply(socks[i], &r, err); wire_reply_free(&r)) {
                if (r && r->body_case == DX__REPLY__BODY_RECEIPT)
                    (*done)++;
                else
                    (*errors)++;
                busy[i]--;
                answered++;
            }
    }
    return bench_now() - t0;
}

static int s_fill(size_t n, size_t size, const char *name, const char *endpoint,
                  const dx_keypair_t *me, const dx_pubkeys_t *broker)
{
    enum { CONNS = 200, BATCH = 20000 };
    void *ctx = zmq_ctx_new(), *socks[CONNS];
    for (int i = 0; i < CONNS; i++)
        socks[i] = s_connect(ctx, endpoint, me, broker, 1000);
    size_t done = 0, errors = 0;
    double spent = 0;
    for (size_t at = 0; at < n; at += BATCH) {
        size_t k = n - at < BATCH ? n - at : BATCH;
        job_t *jobs = s_jobs(me, k, size, name);
        spent += s_publish_all(socks, CONNS, 2, jobs, k, &done, &errors);
        s_jobs_free(jobs, k);
    }
    printf("%.0f %zu\n", (double)done / spent, errors);
    for (int i = 0; i < CONNS; i++)
        zmq_close(socks[i]);
    zmq_ctx_term(ctx);
    return errors ? 1 : 0;
}

static void s_flood_one(void *sock, char kind, uint64_t id)
{
    Dx__Request req = DX__REQUEST__INIT;
    Dx__FeedRequest fr = DX__FEED_REQUEST__INIT;
    Dx__ListRequest lr = DX__LIST_REQUEST__INIT;
    Dx__AuditQuery aq = DX__AUDIT_QUERY__INIT;
    lr.pattern = "";
    aq.member = "nobody"; /* matches no record: the query looks as far as it may */
    if (kind == 'f') {
        req.body_case = DX__REQUEST__BODY_FEED;
        req.feed = &fr;
    } else if (kind == 'a') {
        req.body_case = DX__REQUEST__BODY_AUDIT_QUERY;
        req.audit_query = &aq;
    } else {
        req.body_case = DX__REQUEST__BODY_LIST;
        req.list = &lr;
    }
    s_send_request(sock, &req, id);
}

static int s_flood(char kind, int conns, int inflight, double seconds, const char *endpoint,
                   const dx_keypair_t *me, const dx_pubkeys_t *broker)
{
    enum { CONNS_MAX = 64 };
    void *ctx = zmq_ctx_new(), *socks[CONNS_MAX];
    zmq_pollitem_t items[CONNS_MAX];
    char err[DX_ERRMSG];
    uint64_t id = 1, answered = 0, busy = 0;
    conns = conns < 1 ? 1 : conns > CONNS_MAX ? CONNS_MAX : conns;
    for (int i = 0; i < conns; i++) {
        socks[i] = s_connect(ctx, endpoint, me, broker, 1000);
        items[i] = (zmq_pollitem_t){ socks[i], 0, ZMQ_POLLIN, 0 };
        for (int k = 0; k < inflight; k++)
            s_flood_one(socks[i], kind, id++);
    }
    double t0 = bench_now(), end = t0 + seconds;
    while (bench_now() < end) {
        if (zmq_poll(items, conns, 100) <= 0)
            continue;
        for (int i = 0; i < conns; i++)
            for (Dx__Reply *r; s_recv_reply(socks[i], &r, err); wire_reply_free(&r)) {
                answered++;
                if (r && r->error && r->error->code == DX__ERROR_CODE__ERR_BUSY)
                    busy++;
                if (bench_now() < end)
                    s_flood_one(socks[i], kind, id++);
            }
    }
    printf("%.0f %llu\n", (double)answered / (bench_now() - t0), (unsigned long long)busy);
    for (int i = 0; i < conns; i++)
        zmq_close(socks[i]);
    zmq_ctx_term(ctx);
    return 0;
}

static int s_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int s_ask(const char *what, const char *arg, int count, const char *endpoint,
                 const dx_keypair_t *me, const dx_pubkeys_t *broker)
{
    void *ctx = zmq_ctx_new(), *sock = s_connect(ctx, endpoint, me, broker, 1000);
    double *lat = calloc((size_t)count, sizeof *lat);
    char err[DX_ERRMSG];
    int errors = 0;
    for (int i = 0; i < count; i++) {
        Dx__Request req = DX__REQUEST__INIT;
        Dx__ListRequest lr = DX__LIST_REQUEST__INIT;
        Dx__InfoRequest ir = DX__INFO_REQUEST__INIT;
        Dx__FeedRequest fr = DX__FEED_REQUEST__INIT;
        if (what[0] == 'l') {
            lr.pattern = (char *)arg;
            req.body_case = DX__REQUEST__BODY_LIST;
            req.list = &lr;
        } else if (what[0] == 'f') {
            fr.after = strtoull(arg, NULL, 10);
            req.body_case = DX__REQUEST__BODY_FEED;
            req.feed = &fr;
        } else {
            ir.dataset = (char *)arg;
            req.body_case = DX__REQUEST__BODY_INFO;
            req.info = &ir;
        }
        double t0 = bench_now();
        s_send_request(sock, &req, (uint64_t)i + 1);
        zmq_pollitem_t item = { sock, 0, ZMQ_POLLIN, 0 };
        Dx__Reply *r = NULL;
        if (zmq_poll(&item, 1, 10000) <= 0 || !s_recv_reply(sock, &r, err) || !r) {
            errors++;
            continue;
        }
        lat[i] = (bench_now() - t0) * 1000;
        wire_reply_free(&r);
    }
    qsort(lat, (size_t)count, sizeof *lat, s_cmp_double);
    printf("%.3f %.3f %d\n", lat[count / 2], lat[count * 99 / 100], errors);
    free(lat);
    zmq_close(sock);
    zmq_ctx_term(ctx);
    return errors ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "crypto") == 0)
        return s_crypto();
    dx_cli_conn_t conn;
    if (dx_cli_parse(argc, argv, argv[0], &conn) < 0 || optind + 3 > argc)
        return 2;
    char err[DX_ERRMSG];
    dx_keypair_t me;
    dx_pubkeys_t broker;
    if (dx_cli_resolve(&conn, err) != 0 || dx_keys_read_public(conn.broker_pub, &broker, err) != 0 ||
        dx_keys_read_secret(conn.key, &me, err) != 0) {
        fprintf(stderr, "dx-load: %s\n", err);
        return 1;
    }
    if (strcmp(argv[optind], "fill") == 0 && (optind + 3 == argc || optind + 4 == argc))
        return s_fill(strtoull(argv[optind + 1], NULL, 10), (size_t)atol(argv[optind + 2]),
                      optind + 4 == argc ? argv[optind + 3] : NULL, conn.broker, &me, &broker);
    if (strcmp(argv[optind], "ask") == 0 && optind + 4 == argc && atoi(argv[optind + 3]) > 0)
        return s_ask(argv[optind + 1], argv[optind + 2], atoi(argv[optind + 3]), conn.broker, &me,
                     &broker);
    if (strcmp(argv[optind], "flood") == 0 && optind + 5 == argc)
        return s_flood(argv[optind + 1][0], atoi(argv[optind + 2]),
                       atoi(argv[optind + 3]), atof(argv[optind + 4]), conn.broker, &me, &broker);
    if (strcmp(argv[optind], "mixed") == 0 || strcmp(argv[optind], "stall") == 0) {
        if (argv[optind][0] == 'm' && optind + 4 == argc)
            return s_mixed(atoi(argv[optind + 1]), atof(argv[optind + 2]), argv[optind + 3],
                           conn.broker, &me, &broker);
        if (argv[optind][0] == 's' && (optind + 3 == argc || optind + 4 == argc))
            return s_stall(argv[optind + 1], atof(argv[optind + 2]),
                           optind + 4 == argc ? atoi(argv[optind + 3]) : 64, conn.broker, &me, &broker);
        return 2;
    }
    if (optind + 4 != argc && optind + 5 != argc)
        return 2;
    int inflight = optind + 5 == argc ? atoi(argv[optind + 4]) : 1;
    if (inflight < 1)
        inflight = 1;
    const char *mode = argv[optind];
    double param = atof(argv[optind + 1]), seconds = atof(argv[optind + 2]);
    size_t size = (size_t)atol(argv[optind + 3]);
    bool latency = strcmp(mode, "latency") == 0;
    int conns = latency ? 8 : (int)param;
    size_t njobs = latency ? (size_t)(param * seconds) + 100 : (size_t)(15000 * seconds) + 1000;
    job_t *jobs = s_jobs(&me, njobs, size, NULL);
    void *ctx = zmq_ctx_new();
    void **socks = calloc((size_t)conns, sizeof *socks);
    zmq_pollitem_t *items = calloc((size_t)conns, sizeof *items);
    double *sent_at = calloc(njobs, sizeof *sent_at), *lat = calloc(njobs, sizeof *lat);
    int *busy = calloc((size_t)conns, sizeof *busy);
    for (int i = 0; i < conns; i++) {
        socks[i] = s_connect(ctx, conn.broker, &me, &broker, 1000);
        items[i] = (zmq_pollitem_t){ socks[i], 0, ZMQ_POLLIN, 0 };
    }
    size_t next = 0, done = 0, errors = 0, nlat = 0;
    double t0 = bench_now(), end = t0 + seconds, warm = t0 + 0.5;
    size_t done_at_warm = 0;
    bool warmed = false;
    for (;;) {
        double now = bench_now();
        if (!warmed && now >= warm) {
            warmed = true;
            done_at_warm = done;
            warm = now;
        }
        if (now >= end + (latency ? 0 : 0))
            break;
        for (int i = 0; i < conns && next < njobs; i++) {
            while (busy[i] < inflight && next < njobs) {
                if (latency && next >= (size_t)((now - t0) * param))
                    break; /* paced: not yet time for the next one */
                sent_at[next] = bench_now();
                zmq_send(socks[i], jobs[next].frame, jobs[next].len, 0);
                busy[i]++;
                next++;
            }
        }
        int rc = zmq_poll(items, conns, latency ? 1 : 100);
        for (int i = 0; rc > 0 && i < conns; i++) {
            for (Dx__Reply *r; s_recv_reply(socks[i], &r, err); wire_reply_free(&r)) {
                if (r && r->body_case == DX__REPLY__BODY_RECEIPT) {
                    done++;
                    if (latency && warmed && r->id > 0 && r->id <= njobs)
                        lat[nlat++] = bench_now() - sent_at[r->id - 1];
                } else {
                    errors++;
                    if (errors < 3 && r && r->error)
                        fprintf(stderr, "dx-load: %s\n", r->error->message);
                }
                busy[i]--;
            }
        }
    }
    double span = bench_now() - warm;
    if (latency) {
        qsort(lat, nlat, sizeof *lat, bench_cmp);
        printf("%.2f %.2f %zu %zu\n", nlat ? lat[nlat / 2] * 1000 : 0, nlat ? lat[nlat * 99 / 100] * 1000 : 0,
               nlat, errors);
    } else {
        printf("%.0f %zu\n", (double)(done - done_at_warm) / span, errors);
    }
    for (int i = 0; i < conns; i++)
        zmq_close(socks[i]);
    zmq_ctx_term(ctx);
    s_jobs_free(jobs, njobs);
    free(socks);
    free(items);
    free(sent_at);
    free(lat);
    free(busy);
    return errors ? 1 : 0;
}
