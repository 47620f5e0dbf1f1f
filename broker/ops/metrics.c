/* metrics: the counters, and the HTTP endpoint that shows them. */
#include "metrics.h"
#include "group.h"
#include "tsa.h"
#include "pool.h"
#include "broker.h"
#include "dxtime.h"
#include "encode.h"
#include "log.h"
#include "version.h"
#include "policy_set.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMDS_MAX 32
#define CODES 12                 /* Dx__ErrorCode 0..11 */

/* seconds; the last bucket is +Inf */
static const double s_time_le[] = { 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5 };
#define TIME_BUCKETS (sizeof s_time_le / sizeof s_time_le[0])
static const double s_ops_le[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256 };
#define OPS_BUCKETS (sizeof s_ops_le / sizeof s_ops_le[0])

typedef struct {
    atomic_uint_fast64_t buckets[TIME_BUCKETS + 1];
    atomic_uint_fast64_t count, sum_us;
} histogram_t;

struct metrics {
    broker_t *b;
    const char *commands[CMDS_MAX];                  /* the request types' names, by index */
    size_t ncmd;
    struct MHD_Daemon *http;
    atomic_uint_fast64_t requests[CMDS_MAX][2];      /* allow, deny */
    atomic_uint_fast64_t refusals[CODES];
    atomic_uint_fast64_t bytes_in, bytes_out;
    atomic_uint_fast64_t handshakes[2];              /* accepted, refused */
    atomic_int_fast64_t connections;
    histogram_t latency[CMDS_MAX];
    histogram_t fsync;
    atomic_uint_fast64_t group[OPS_BUCKETS + 1], group_count, group_sum;
    atomic_int_fast64_t last_commit_ms;
    atomic_uint_fast64_t open_transfers, subscriptions, store_bytes, map_bytes, audit_size;
    atomic_uint_fast64_t replies_held, replies_dropped;
};

static const char *const s_codes[CODES] = { "none", "bad_request", "denied", "integrity", "replay",
                                            "not_found", "storage", "busy", "internal", "unsupported",
                                            "erased", "transfer_gone" };

void metrics_request(metrics_t *m, size_t cmd, bool refused)
{
    if (m && cmd < CMDS_MAX)
        atomic_fetch_add(&m->requests[cmd][refused ? 1 : 0], 1);
}

void metrics_refusal(metrics_t *m, int code)
{
    if (m && code > 0 && code < CODES)
        atomic_fetch_add(&m->refusals[code], 1);
}

static void s_observe(histogram_t *h, int64_t us)
{
    size_t i = 0;
    while (i < TIME_BUCKETS && (double)us > s_time_le[i] * 1e6)
        i++;
    atomic_fetch_add(&h->buckets[i], 1);
    atomic_fetch_add(&h->count, 1);
    atomic_fetch_add(&h->sum_us, (uint64_t)(us > 0 ? us : 0));
}

void metrics_latency(metrics_t *m, size_t cmd, int64_t us)
{
    if (m && cmd < CMDS_MAX)
        s_observe(&m->latency[cmd], us);
}

void metrics_bytes(metrics_t *m, bool in, size_t n)
{
    if (m)
        atomic_fetch_add(in ? &m->bytes_in : &m->bytes_out, n);
}

void metrics_commit(metrics_t *m, size_t ops, int64_t us, int64_t now_ms)
{
    if (!m)
        return;
    s_observe(&m->fsync, us);
    size_t i = 0;
    while (i < OPS_BUCKETS && (double)ops > s_ops_le[i])
        i++;
    atomic_fetch_add(&m->group[i], 1);
    atomic_fetch_add(&m->group_count, 1);
    atomic_fetch_add(&m->group_sum, ops);
    atomic_store(&m->last_commit_ms, now_ms);
}

void metrics_handshake(metrics_t *m, bool accepted)
{
    if (m)
        atomic_fetch_add(&m->handshakes[accepted ? 0 : 1], 1);
}

void metrics_connections(metrics_t *m, int delta)
{
    if (m)
        atomic_fetch_add(&m->connections, delta);
}

void metrics_replies(metrics_t *m, uint64_t held_bytes, uint64_t dropped)
{
    if (!m)
        return;
    atomic_store(&m->replies_held, held_bytes);
    atomic_store(&m->replies_dropped, dropped);
}

void metrics_gauges(metrics_t *m, const metrics_gauges_t *g)
{
    if (!m)
        return;
    atomic_store(&m->open_transfers, g->open_transfers);
    atomic_store(&m->subscriptions, g->subscriptions);
    atomic_store(&m->store_bytes, g->store_bytes);
    atomic_store(&m->map_bytes, g->map_bytes);
    atomic_store(&m->audit_size, g->audit_size);
}

/* ---- the exposition ---- */

typedef struct {
    char *data;
    size_t len, cap;
    bool failed;
} text_t;

__attribute__((format(printf, 2, 3)))
static void s_put(text_t *t, const char *fmt, ...)
{
    for (int attempt = 0; attempt < 2 && !t->failed; attempt++) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->data + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = true;
            return;
        }
        if ((size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = (t->cap + (size_t)n) * 2;
        char *grown = realloc(t->data, cap);
        if (!grown) {
            t->failed = true;
            return;
        }
        t->data = grown;
        t->cap = cap;
    }
}

static void s_head(text_t *t, const char *name, const char *type, const char *help)
{
    s_put(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* "publish chunk" -> "publish_chunk" */
static void s_label(const char *name, char out[64])
{
    snprintf(out, 64, "%s", name);
    for (char *p = out; *p; p++)
        if (*p == ' ')
            *p = '_';
}

static void s_histogram(text_t *t, const char *name, const char *labels, const histogram_t *h)
{
    uint64_t cum = 0;
    for (size_t i = 0; i <= TIME_BUCKETS; i++) {
        cum += atomic_load(&h->buckets[i]);
        if (i < TIME_BUCKETS)
            s_put(t, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, labels[0] ? "," : "",
                  s_time_le[i], (unsigned long long)cum);
        else
            s_put(t, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, labels[0] ? "," : "",
                  (unsigned long long)cum);
    }
    const char *open = labels[0] ? "{" : "", *close = labels[0] ? "}" : "";
    s_put(t, "%s_sum%s%s%s %.6f\n", name, open, labels, close, (double)atomic_load(&h->sum_us) / 1e6);
    s_put(t, "%s_count%s%s%s %llu\n", name, open, labels, close,
          (unsigned long long)atomic_load(&h->count));
}

/* content-store rados: whether the pool answers, and its operations. */
static void s_content(text_t *t, broker_t *b)
{
    static const char *const kinds[POOL_KINDS] = { "write", "read", "remove", "stat" };
    char why[DX_ERRMSG];
    s_head(t, "dx_content_store_up", "gauge",
           "Whether the content store answers (1), or its last operation failed for want of it (0).");
    if (!b->pool) {
        s_put(t, "dx_content_store_up{store=\"lmdb\"} 1\n");
        return;
    }
    s_put(t, "dx_content_store_up{store=\"rados\"} %d\n", pool_down_since(b->pool, why) ? 0 : 1);
    pool_stats_t ps;
    pool_stats(b->pool, &ps);
    s_head(t, "dx_rados_ops_total", "counter", "Operations on the content pool, by kind and result.");
    for (int k = 0; k < POOL_KINDS; k++)
        s_put(t, "dx_rados_ops_total{kind=\"%s\",result=\"ok\"} %llu\n"
              "dx_rados_ops_total{kind=\"%s\",result=\"error\"} %llu\n", kinds[k],
              (unsigned long long)ps.ok[k], kinds[k], (unsigned long long)ps.failed[k]);
    s_head(t, "dx_rados_bytes_total", "counter", "Bytes written to and read from the content pool.");
    for (int k = 0; k < POOL_STAT; k++)
        if (k != POOL_REMOVE)
            s_put(t, "dx_rados_bytes_total{kind=\"%s\"} %llu\n", kinds[k],
                  (unsigned long long)ps.bytes[k]);
    s_head(t, "dx_rados_op_seconds", "histogram", "How long operations on the content pool took.");
    for (int k = 0; k < POOL_KINDS; k++) {
        uint64_t cum = 0;
        for (int i = 0; i <= POOL_BUCKETS; i++) {
            cum += ps.buckets[k][i];
            if (i < POOL_BUCKETS)
                s_put(t, "dx_rados_op_seconds_bucket{kind=\"%s\",le=\"%g\"} %llu\n", kinds[k],
                      pool_bucket_ms[i] / 1000.0, (unsigned long long)cum);
            else
                s_put(t, "dx_rados_op_seconds_bucket{kind=\"%s\",le=\"+Inf\"} %llu\n", kinds[k],
                      (unsigned long long)cum);
        }
        s_put(t, "dx_rados_op_seconds_sum{kind=\"%s\"} %.6f\ndx_rados_op_seconds_count{kind=\"%s\"} "
              "%llu\n", kinds[k], ps.seconds[k], kinds[k], (unsigned long long)cum);
    }
}

/* journal rados: the broker's role in its group, and the journal. */
static void s_group(text_t *t, broker_t *b)
{
    group_gauges_t g;
    if (!b->group)
        return;
    group_gauges(b, &g);
    s_head(t, "dx_group_role", "gauge", "This broker's role in its group (1 for the role it has).");
    s_put(t, "dx_group_role{role=\"active\"} %d\ndx_group_role{role=\"standby\"} %d\n",
          g.active ? 1 : 0, g.active ? 0 : 1);
    s_head(t, "dx_journal_epoch", "gauge", "The active broker's leadership epoch (a standby: the last it saw).");
    s_put(t, "dx_journal_epoch %llu\n", (unsigned long long)g.epoch);
    s_head(t, "dx_journal_position", "gauge", "The last journal entry this broker's store has.");
    s_put(t, "dx_journal_position %llu\n", (unsigned long long)g.position);
    s_head(t, "dx_journal_lag_entries", "gauge", "A standby: journal entries it has yet to apply.");
    s_put(t, "dx_journal_lag_entries %llu\n", (unsigned long long)g.lag_entries);
    s_head(t, "dx_journal_lag_seconds", "gauge", "A standby: how long it has been behind (0: caught up).");
    s_put(t, "dx_journal_lag_seconds %.3f\n", g.behind_ms ? (double)(dx_now_ms() - g.behind_ms) / 1000.0 : 0.0);
    s_head(t, "dx_journal_appends_total", "counter", "Journal entries appended (the active), by result.");
    s_put(t, "dx_journal_appends_total{result=\"ok\"} %llu\ndx_journal_appends_total{result=\"error\"} %llu\n",
          (unsigned long long)g.appends, (unsigned long long)g.append_failures);
    s_head(t, "dx_journal_applied_total", "counter", "Journal entries applied to this broker's store (a standby).");
    s_put(t, "dx_journal_applied_total %llu\n", (unsigned long long)g.applied);
}

/* tsa-url: trusted timestamps. */
static void s_tsa(text_t *t, broker_t *b)
{
    tsa_state_t s;
    tsa_state(b, &s);
    if (!s.on)
        return;
    s_head(t, "dx_timestamp_age_seconds", "gauge",
           "Since the newest RFC 3161 token kept over a head (-1: none yet).");
    s_put(t, "dx_timestamp_age_seconds %.3f\n", s.time_ms ? (double)(dx_now_ms() - s.time_ms) / 1000.0 : -1.0);
    s_head(t, "dx_timestamp_head_size", "gauge", "The audit log's size at the newest head a token covers.");
    s_put(t, "dx_timestamp_head_size %llu\n", (unsigned long long)s.head_size);
    s_head(t, "dx_timestamp_requests_total", "counter",
           "Requests to the time-stamping authority, by result (refused: a token that did not check).");
    s_put(t, "dx_timestamp_requests_total{result=\"ok\"} %llu\n"
             "dx_timestamp_requests_total{result=\"unreachable\"} %llu\n"
             "dx_timestamp_requests_total{result=\"refused\"} %llu\n",
          (unsigned long long)s.ok, (unsigned long long)s.failed, (unsigned long long)s.refused);
}

char *metrics_render(metrics_t *m, size_t *len)
{
    text_t t = { .cap = 16384 };
    char label[64], labels[128];
    if (!(t.data = malloc(t.cap)))
        return NULL;
    size_t ncmd = m->ncmd;
    s_head(&t, "dx_requests_total", "counter", "Requests answered, by type and decision.");
    for (size_t i = 0; i < ncmd; i++) {
        s_label(m->commands[i], label);
        for (int d = 0; d < 2; d++)
            s_put(&t, "dx_requests_total{type=\"%s\",decision=\"%s\"} %llu\n", label,
                  d ? "deny" : "allow", (unsigned long long)atomic_load(&m->requests[i][d]));
    }
    s_head(&t, "dx_refusals_total", "counter", "Error replies, by reason.");
    for (int c = 1; c < CODES; c++)
        s_put(&t, "dx_refusals_total{reason=\"%s\"} %llu\n", s_codes[c],
              (unsigned long long)atomic_load(&m->refusals[c]));
    s_head(&t, "dx_received_bytes_total", "counter", "Bytes of requests received.");
    s_put(&t, "dx_received_bytes_total %llu\n", (unsigned long long)atomic_load(&m->bytes_in));
    s_head(&t, "dx_sent_bytes_total", "counter", "Bytes of replies sent.");
    s_put(&t, "dx_sent_bytes_total %llu\n", (unsigned long long)atomic_load(&m->bytes_out));
    s_head(&t, "dx_request_duration_seconds", "histogram",
           "From a request's arrival to its reply leaving (after its commit when it waits for one).");
    for (size_t i = 0; i < ncmd; i++) {
        s_label(m->commands[i], label);
        snprintf(labels, sizeof labels, "type=\"%s\"", label);
        s_histogram(&t, "dx_request_duration_seconds", labels, &m->latency[i]);
    }
    s_head(&t, "dx_commit_seconds", "histogram", "One group commit, fsync included.");
    s_histogram(&t, "dx_commit_seconds", "", &m->fsync);
    s_head(&t, "dx_commit_group_size", "histogram", "Requests made durable by one commit.");
    uint64_t cum = 0;
    for (size_t i = 0; i <= OPS_BUCKETS; i++) {
        cum += atomic_load(&m->group[i]);
        if (i < OPS_BUCKETS)
            s_put(&t, "dx_commit_group_size_bucket{le=\"%g\"} %llu\n", s_ops_le[i], (unsigned long long)cum);
        else
            s_put(&t, "dx_commit_group_size_bucket{le=\"+Inf\"} %llu\n", (unsigned long long)cum);
    }
    s_put(&t, "dx_commit_group_size_sum %llu\ndx_commit_group_size_count %llu\n",
          (unsigned long long)atomic_load(&m->group_sum), (unsigned long long)atomic_load(&m->group_count));
    s_head(&t, "dx_handshakes_total", "counter", "CURVE handshakes decided by the broker's ZAP handler.");
    s_put(&t, "dx_handshakes_total{result=\"accepted\"} %llu\ndx_handshakes_total{result=\"refused\"} %llu\n",
          (unsigned long long)atomic_load(&m->handshakes[0]),
          (unsigned long long)atomic_load(&m->handshakes[1]));
    s_head(&t, "dx_replies_held_bytes", "gauge",
           "Replies waiting for connections that have not taken them yet.");
    s_put(&t, "dx_replies_held_bytes %llu\n", (unsigned long long)atomic_load(&m->replies_held));
    s_head(&t, "dx_replies_dropped_total", "counter",
           "Replies not delivered: connections that read nothing past the held bound, or are gone.");
    s_put(&t, "dx_replies_dropped_total %llu\n", (unsigned long long)atomic_load(&m->replies_dropped));
    s_head(&t, "dx_connections", "gauge", "Member connections open now.");
    s_put(&t, "dx_connections %lld\n", (long long)atomic_load(&m->connections));
    s_head(&t, "dx_open_transfers", "gauge", "Publishes and fetches in progress.");
    s_put(&t, "dx_open_transfers %llu\n", (unsigned long long)atomic_load(&m->open_transfers));
    s_head(&t, "dx_subscriptions", "gauge", "Connections watching the feed.");
    s_put(&t, "dx_subscriptions %llu\n", (unsigned long long)atomic_load(&m->subscriptions));
    s_head(&t, "dx_audit_records", "gauge", "Records in the audit log (the tree's size).");
    s_put(&t, "dx_audit_records %llu\n", (unsigned long long)atomic_load(&m->audit_size));
    int64_t last = atomic_load(&m->last_commit_ms);
    s_head(&t, "dx_audit_head_age_seconds", "gauge", "Seconds since the audit head was last signed.");
    s_put(&t, "dx_audit_head_age_seconds %.3f\n", last ? (double)(dx_now_ms() - last) / 1000.0 : 0.0);
    s_head(&t, "dx_store_bytes", "gauge", "Bytes the store's pages take.");
    s_put(&t, "dx_store_bytes %llu\n", (unsigned long long)atomic_load(&m->store_bytes));
    s_head(&t, "dx_store_map_bytes", "gauge", "The most the store may take (its map size).");
    s_put(&t, "dx_store_map_bytes %llu\n", (unsigned long long)atomic_load(&m->map_bytes));
    s_content(&t, m->b);
    s_group(&t, m->b);
    s_tsa(&t, m->b);
    held_policy_t *hp = policy_set_hold(m->b);
    char hex[65] = "";
    int64_t loaded = 0;
    if (hp) {
        dx_hex_encode(hp->policy->sha256, DX_SHA256_LEN, hex);
        loaded = hp->loaded_ms;
        policy_set_release(m->b, &hp);
    }
    s_head(&t, "dx_policy_info", "gauge", "The policy set in force (its SHA-256 as a label).");
    s_put(&t, "dx_policy_info{sha256=\"%s\"} 1\n", hex);
    s_head(&t, "dx_policy_loaded_timestamp_seconds", "gauge", "When the policy set in force was loaded.");
    s_put(&t, "dx_policy_loaded_timestamp_seconds %.3f\n", (double)loaded / 1000.0);
    reload_state_t r = policy_set_reload_state(m->b);
    s_head(&t, "dx_policy_reload_success", "gauge",
           "Whether the last policy reload loaded (1) or was refused (0); 1 when none since the start.");
    s_put(&t, "dx_policy_reload_success %d\n", r.at_ms == 0 || r.ok ? 1 : 0);
    s_head(&t, "dx_policy_reload_timestamp_seconds", "gauge",
           "When the last policy reload was tried (0: none since the start).");
    s_put(&t, "dx_policy_reload_timestamp_seconds %.3f\n", (double)r.at_ms / 1000.0);
    s_head(&t, "dx_policy_reloads_total", "counter", "Policy reloads since the start, by result.");
    s_put(&t, "dx_policy_reloads_total{result=\"loaded\"} %llu\n", (unsigned long long)r.loaded);
    s_put(&t, "dx_policy_reloads_total{result=\"refused\"} %llu\n", (unsigned long long)r.refused);
    if (r.at_ms && !r.ok) {
        char rhex[65] = "";
        if (r.refused_hashed)
            dx_hex_encode(r.refused_sha256, DX_SHA256_LEN, rhex);
        s_head(&t, "dx_policy_refused_info", "gauge",
               "The policy set the last reload refused (its SHA-256 as a label).");
        s_put(&t, "dx_policy_refused_info{sha256=\"%s\"} 1\n", rhex);
    }
    s_head(&t, "dx_build_info", "gauge", "The broker's version.");
    s_put(&t, "dx_build_info{version=\"%s\"} 1\n", dx_version());
    s_head(&t, "dx_start_timestamp_seconds", "gauge", "When the broker started.");
    s_put(&t, "dx_start_timestamp_seconds %.3f\n", (double)m->b->started_ms / 1000.0);
    if (t.failed) {
        free(t.data);
        return NULL;
    }
    *len = t.len;
    return t.data;
}

/* ---- HTTP ---- */

static enum MHD_Result s_answer(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                const char *version, const char *upload, size_t *upload_size, void **state)
{
    metrics_t *m = cls;
    (void)version, (void)upload, (void)state;
    struct MHD_Response *r;
    unsigned status = MHD_HTTP_OK;
    if (*upload_size != 0)
        return MHD_NO; /* nothing is uploaded here */
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        static char msg[] = "only GET\n";
        status = MHD_HTTP_METHOD_NOT_ALLOWED;
        r = MHD_create_response_from_buffer(sizeof msg - 1, msg, MHD_RESPMEM_PERSISTENT);
    } else if (strcmp(url, "/metrics") != 0) {
        static char msg[] = "dx-broker: the metrics are at /metrics\n";
        status = MHD_HTTP_NOT_FOUND;
        r = MHD_create_response_from_buffer(sizeof msg - 1, msg, MHD_RESPMEM_PERSISTENT);
    } else {
        size_t len = 0;
        char *text = metrics_render(m, &len);
        if (!text)
            return MHD_NO;
        r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
        if (r)
            MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    }
    if (!r)
        return MHD_NO;
    enum MHD_Result rv = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rv;
}

/* "127.0.0.1:9477", "[::1]:9477": an address literal and a port. */
static int s_address(const char *text, struct sockaddr_storage *ss, char err[DX_ERRMSG])
{
    char host[64];
    const char *colon = strrchr(text, ':');
    memset(ss, 0, sizeof *ss);
    if (!colon || colon == text || (size_t)(colon - text) >= sizeof host)
        goto bad;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 1 || port > 65535)
        goto bad;
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = '\0';
    if (host[0] == '[') {
        size_t n = strlen(host);
        if (n < 3 || host[n - 1] != ']')
            goto bad;
        host[n - 1] = '\0';
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
            goto bad;
        return 0;
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
        goto bad;
    return 0;
bad:
    snprintf(err, DX_ERRMSG, "--metrics-listen: expected ADDRESS:PORT, like 127.0.0.1:9477 or [::1]:9477");
    return DX_ERR_USAGE;
}

int metrics_start(broker_t *b, const char *listen, const char *const *commands, size_t ncommands,
                  metrics_t **out, char err[DX_ERRMSG])
{
    struct sockaddr_storage ss;
    int rv = s_address(listen, &ss, err);
    *out = NULL;
    if (rv != 0)
        return rv;
    metrics_t *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, DX_ERRMSG, "cannot serve metrics: out of memory");
        return DX_ERR_NOMEM;
    }
    m->b = b;
    m->ncmd = ncommands < CMDS_MAX ? ncommands : CMDS_MAX;
    for (size_t i = 0; i < m->ncmd; i++)
        m->commands[i] = commands[i];
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
                     (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    m->http = MHD_start_daemon(flags, 0, NULL, NULL, s_answer, m, MHD_OPTION_SOCK_ADDR, &ss,
                               MHD_OPTION_CONNECTION_LIMIT, (unsigned)16,
                               MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
    if (!m->http) {
        snprintf(err, DX_ERRMSG, "cannot serve metrics on %s (in use, or not an address here)", listen);
        free(m);
        return DX_ERR_IO;
    }
    dx_info("metrics-listening", "metrics listening address=http://%s/metrics", listen);
    *out = m;
    return 0;
}

void metrics_stop(metrics_t **m_p)
{
    metrics_t *m = *m_p;
    if (!m)
        return;
    MHD_stop_daemon(m->http);
    free(m);
    *m_p = NULL;
}
