/* bench_load: a load generator for a running broker, and this machine's
 * crypto baseline.
 *
 *   bench_load crypto
 *       Ed25519 verifications per second and SHA-256 MB/s, one core, OpenSSL.
 *   bench_load publish CONNS SECONDS SIZE [INFLIGHT] --broker E --broker-pub F --key K
 *       CONNS connections, each with INFLIGHT publishes (default 1) in
 *       flight at a time, of SIZE-byte datasets, for SECONDS: acknowledged
 *       (durable) publishes per second. Manifests are signed before the
 *       clock starts, so the generator's own cost is sending and receiving.
 *   bench_load latency RATE SECONDS SIZE --broker ...
 *       publishes at a fixed RATE per second over 8 connections: p50, p99.
 * Prints one line of numbers. */
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

static double s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int s_crypto(void)
{
    uint8_t sk[32], pk[32], sig[64], msg[200] = { 1 };
    dx_ed25519_keygen(sk, pk);
    dx_sign(sk, DX_CTX_MANIFEST, msg, sizeof msg, sig);
    dx_verifier_t *v = NULL;
    if (dx_verifier_new(pk, &v) != 0)
        return 1;
    size_t n = 0;
    double t0 = s_now(), t;
    do {
        for (int i = 0; i < 200; i++, n++)
            if (dx_verifier_verify(v, DX_CTX_MANIFEST, msg, sizeof msg, sig) != 0)
                return 1;
    } while ((t = s_now() - t0) < 1.0);
    dx_verifier_destroy(&v);
    double verify = (double)n / t;
    size_t len = 64 << 20;
    uint8_t *buf = calloc(1, len), d[32];
    t0 = s_now();
    for (int i = 0; i < 4; i++)
        dx_sha256(buf, len, d);
    double mbs = 4.0 * (double)len / (1 << 20) / (s_now() - t0);
    free(buf);
    printf("%.0f %.0f\n", verify, mbs);
    return 0;
}

typedef struct {
    uint8_t *frame;          /* a packed PublishBegin request */
    size_t len;
} job_t;

/* Pre-signed publishes of SIZE bytes: distinct names, nonces, contents. */
static job_t *s_jobs(const dx_keypair_t *me, size_t n, size_t size)
{
    job_t *jobs = calloc(n, sizeof *jobs);
    uint8_t *data = malloc(size), sha[32], sig[64];
    char err[DX_ERRMSG], name[64];
    uint64_t tag = (uint64_t)dx_now_ms();
    for (size_t i = 0; i < n; i++) {
        memcpy(data, &i, sizeof i < size ? sizeof i : size);
        dx_sha256(data, size, sha);
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

static int s_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "crypto") == 0)
        return s_crypto();
    static const struct option opts[] = { DX_CLI_OPTIONS, { NULL, 0, NULL, 0 } };
    dx_cli_conn_t conn;
    memset(&conn, 0, sizeof conn);
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
        if (dx_cli_option(&conn, c, optarg, argv[0]) <= 0)
            return 2;
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
    char err[DX_ERRMSG];
    dx_keypair_t me;
    dx_pubkeys_t broker;
    if (dx_cli_resolve(&conn, err) != 0 || dx_keys_read_public(conn.broker_pub, &broker, err) != 0 ||
        dx_keys_read_secret(conn.key, &me, err) != 0) {
        fprintf(stderr, "bench_load: %s\n", err);
        return 1;
    }
    size_t njobs = latency ? (size_t)(param * seconds) + 100 : (size_t)(15000 * seconds) + 1000;
    job_t *jobs = s_jobs(&me, njobs, size);
    void *ctx = zmq_ctx_new();
    void **socks = calloc((size_t)conns, sizeof *socks);
    zmq_pollitem_t *items = calloc((size_t)conns, sizeof *items);
    double *sent_at = calloc(njobs, sizeof *sent_at), *lat = calloc(njobs, sizeof *lat);
    int *busy = calloc((size_t)conns, sizeof *busy);
    int zero = 0;
    for (int i = 0; i < conns; i++) {
        socks[i] = zmq_socket(ctx, ZMQ_DEALER);
        zmq_setsockopt(socks[i], ZMQ_CURVE_SERVERKEY, broker.curve, 32);
        zmq_setsockopt(socks[i], ZMQ_CURVE_PUBLICKEY, me.pub.curve, 32);
        zmq_setsockopt(socks[i], ZMQ_CURVE_SECRETKEY, me.curve_secret, 32);
        zmq_setsockopt(socks[i], ZMQ_LINGER, &zero, sizeof zero);
        zmq_connect(socks[i], conn.broker);
        items[i] = (zmq_pollitem_t){ socks[i], 0, ZMQ_POLLIN, 0 };
    }
    size_t next = 0, done = 0, errors = 0, nlat = 0;
    double t0 = s_now(), end = t0 + seconds, warm = t0 + 0.5;
    size_t done_at_warm = 0;
    bool warmed = false;
    for (;;) {
        double now = s_now();
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
                sent_at[next] = s_now();
                zmq_send(socks[i], jobs[next].frame, jobs[next].len, 0);
                busy[i]++;
                next++;
            }
        }
        int rc = zmq_poll(items, conns, latency ? 1 : 100);
        for (int i = 0; rc > 0 && i < conns; i++) {
            if (!(items[i].revents & ZMQ_POLLIN))
                continue;
            zmq_msg_t m;
            zmq_msg_init(&m);
            while (zmq_msg_recv(&m, socks[i], ZMQ_DONTWAIT) >= 0) {
                Dx__Reply *r = NULL;
                if (wire_reply_decode(zmq_msg_data(&m), zmq_msg_size(&m), &r, err) == 0 &&
                    r->body_case == DX__REPLY__BODY_RECEIPT) {
                    done++;
                    if (latency && warmed && r->id > 0 && r->id <= njobs)
                        lat[nlat++] = s_now() - sent_at[r->id - 1];
                } else {
                    errors++;
                    if (errors < 3 && r && r->error)
                        fprintf(stderr, "bench_load: %s\n", r->error->message);
                }
                wire_reply_free(&r);
                busy[i]--;
            }
            zmq_msg_close(&m);
        }
    }
    double span = s_now() - warm;
    if (latency) {
        qsort(lat, nlat, sizeof *lat, s_cmp);
        printf("%.2f %.2f %zu %zu\n", nlat ? lat[nlat / 2] * 1000 : 0, nlat ? lat[nlat * 99 / 100] * 1000 : 0,
               nlat, errors);
    } else {
        printf("%.0f %zu\n", (double)(done - done_at_warm) / span, errors);
    }
    for (int i = 0; i < conns; i++)
        zmq_close(socks[i]);
    zmq_ctx_term(ctx);
    return errors ? 1 : 0;
}
