/* tsa: the time-stamping authority's client (see tsa.h). */
#include "tsa.h"
#include "audit_log.h"
#include "batch.h"
#include "checkpoint.h"
#include "broker.h"
#include "dxtime.h"
#include "log.h"
#include "store.h"
#include "timestamp.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TSA_TIMEOUT_MS 10000
#define TSA_CONNECT_MS 5000
#define TSA_WARN_EVERY_MS (10 * 60 * 1000)  /* a long outage: one line this often */

struct tsa {
    dx_tsa_trust_t *trust;
    char url_shown[256];         /* the URL without any user:password@ */
    pthread_t thread;
    bool running;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stopping;               /* under lock */
    /* under lock: a checked token the writer has yet to store */
    uint8_t *pending;
    size_t pending_len;
    char *pending_head;          /* the head's text, kept in heads if it is not yet */
    size_t pending_head_len;
    uint64_t pending_size;
    int64_t pending_ms;
    char error[256];             /* under lock */
    /* the thread's */
    atomic_uint_fast64_t asked_size; /* the newest head stamped or on its way to the store */
    bool failing;
    int64_t warned_ms;
    /* any thread's */
    atomic_int_fast64_t time_ms;
    atomic_uint_fast64_t head_size, ok, failed, refused;
};

/* What the log may show of the URL: no credentials. */
static void s_url_shown(const char *url, char out[256])
{
    const char *scheme_end = strstr(url, "://");
    const char *host = scheme_end ? scheme_end + 3 : url;
    const char *at = strchr(host, '@'), *slash = strchr(host, '/');
    if (at && (!slash || at < slash))
        snprintf(out, 256, "%.*s%s", (int)(host - url), url, at + 1);
    else
        snprintf(out, 256, "%s", url);
}

int tsa_new(broker_t *b, char err[DX_ERRMSG])
{
    if (!b->cfg.tsa_url)
        return 0;
    tsa_t *s = calloc(1, sizeof *s);
    char why[DX_ERRMSG];
    if (!s) {
        snprintf(err, DX_ERRMSG, "out of memory");
        return DX_ERR_NOMEM;
    }
    int rv = dx_tsa_trust_new(b->cfg.tsa_ca, b->cfg.tsa_policy, &s->trust, why);
    if (rv != 0) {
        snprintf(err, DX_ERRMSG, "--tsa-ca: %s", why);
        free(s);
        return rv == DX_ERR_INVALID ? DX_ERR_USAGE : rv;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        snprintf(err, DX_ERRMSG, "cannot start libcurl");
        dx_tsa_trust_free(&s->trust);
        free(s);
        return DX_ERR_INTERNAL;
    }
    s_url_shown(b->cfg.tsa_url, s->url_shown);
    pthread_mutex_init(&s->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->wake, &ca);
    pthread_condattr_destroy(&ca);
    b->tsa = s;
    return 0;
}

typedef struct {
    uint8_t *data;
    size_t len;
    bool too_big;
} body_t;

static size_t s_body(char *p, size_t size, size_t n, void *arg)
{
    body_t *body = arg;
    size_t len = size * n;
    if (body->len + len > DX_TSA_TOKEN_MAX) {
        body->too_big = true;
        return 0;
    }
    memcpy(body->data + body->len, p, len);
    body->len += len;
    return len;
}

/* One POST of der; the reply's body in *body. */
static int s_post(const broker_t *b, const uint8_t *der, size_t len, body_t *body, char err[DX_ERRMSG])
{
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL, *h2 = NULL;
    long code = 0;
    int rv = DX_ERR_UNAVAILABLE;
    if (!c || !(h = curl_slist_append(NULL, "Content-Type: application/timestamp-query")) ||
        !(h2 = curl_slist_append(h, "Accept: application/timestamp-reply"))) {
        snprintf(err, DX_ERRMSG, "out of memory");
        curl_slist_free_all(h);
        curl_easy_cleanup(c);
        return DX_ERR_NOMEM;
    }
    h = h2;
    curl_easy_setopt(c, CURLOPT_URL, b->cfg.tsa_url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, der);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)TSA_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)TSA_CONNECT_MS);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, s_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
    CURLcode cc = curl_easy_perform(c);
    if (cc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (body->too_big)
        snprintf(err, DX_ERRMSG, "its answer is over %u bytes", DX_TSA_TOKEN_MAX);
    else if (cc != CURLE_OK)
        snprintf(err, DX_ERRMSG, "%s", curl_easy_strerror(cc));
    else if (code != 200)
        snprintf(err, DX_ERRMSG, "it answered HTTP %ld", code);
    else
        rv = 0;
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return rv;
}

static void s_failed(broker_t *b, const char *why)
{
    tsa_t *s = b->tsa;
    atomic_fetch_add(&s->failed, 1);
    pthread_mutex_lock(&s->lock);
    snprintf(s->error, sizeof s->error, "%s", why);
    pthread_mutex_unlock(&s->lock);
    int64_t now = dx_mono_ms();
    if (!s->failing || now - s->warned_ms >= TSA_WARN_EVERY_MS) {
        dx_log_kv(DX_LOG_WARN, "tsa-unreachable", DX_KV("tsa", s->url_shown), DX_KV("reason", why),
                  DX_KV("do", "check that the time-stamping authority answers; publishes go on, "
                              "and the newest head is stamped once it does"));
        s->warned_ms = now;
    }
    s->failing = true;
}

/* One request, for the newest signed head if no token covers it yet. */
static void s_turn(broker_t *b)
{
    tsa_t *s = b->tsa;
    store_txn_t *t = NULL;
    store_val_t v;
    dx_checkpoint_t cp;
    uint64_t size = 0;
    char *head = NULL, why[DX_ERRMSG];
    size_t head_len = 0;
    if (store_begin(b->store, NULL, false, &t) == 0 && dx_log_head(t, &v) == 0 &&
        dx_checkpoint_open((const char *)v.data, v.len, b->key.pub.sign, &cp, why) == 0 &&
        (size = cp.size) > atomic_load(&s->asked_size) && (head = malloc(v.len))) {
        memcpy(head, v.data, v.len);
        head_len = v.len;
    }
    store_abort(&t);
    if (!head)
        return;
    dx_tsa_request_t *req = NULL;
    uint8_t *der = NULL, *token = NULL;
    size_t der_len = 0, token_len = 0;
    body_t body = { malloc(DX_TSA_TOKEN_MAX), 0, false };
    dx_tsa_info_t info;
    if (!body.data || dx_tsa_request_new(head, head_len, b->cfg.tsa_policy, &req, &der, &der_len) != 0) {
        s_failed(b, "cannot make a request (out of memory)");
    } else if (s_post(b, der, der_len, &body, why) != 0) {
        s_failed(b, why);
    } else if (dx_tsa_reply_check(s->trust, req, body.data, body.len, &token, &token_len, &info, why) != 0) {
        atomic_fetch_add(&s->refused, 1);
        pthread_mutex_lock(&s->lock);
        snprintf(s->error, sizeof s->error, "token refused: %s", why);
        pthread_mutex_unlock(&s->lock);
        dx_log_kv(DX_LOG_ERROR, "tsa-token-refused", DX_KV("tsa", s->url_shown), DX_KU("head", size),
                  DX_KV("reason", why),
                  DX_KV("do", "nothing was kept; check --tsa-ca and --tsa-policy against the "
                              "authority's certificate, or ask its operator"));
    } else {
        atomic_fetch_add(&s->ok, 1);
        if (s->failing)
            dx_log_kv(DX_LOG_INFO, "tsa-answers", DX_KV("tsa", s->url_shown), DX_KU("head", size));
        s->failing = false;
        atomic_store(&s->asked_size, size);
        pthread_mutex_lock(&s->lock);
        free(s->pending);
        free(s->pending_head);
        s->pending = token;
        s->pending_len = token_len;
        s->pending_head = head;
        s->pending_head_len = head_len;
        head = NULL;
        s->pending_size = size;
        s->pending_ms = info.time_ms;
        s->error[0] = '\0';
        pthread_mutex_unlock(&s->lock);
        token = NULL;
        dx_log_kv(DX_LOG_DEBUG, "timestamp", DX_KU("head", size), DX_KV("tsa", info.tsa));
    }
    free(token);
    free(body.data);
    free(der);
    dx_tsa_request_free(&req);
    free(head);
}

static void *s_thread(void *arg)
{
    broker_t *b = arg;
    tsa_t *s = b->tsa;
    int64_t next = dx_mono_ms();
    pthread_mutex_lock(&s->lock);
    while (!s->stopping) {
        int64_t now = dx_mono_ms();
        if (now < next) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            int64_t ns = ts.tv_nsec + (next - now) % 1000 * 1000000;
            ts.tv_sec += (next - now) / 1000 + ns / 1000000000;
            ts.tv_nsec = ns % 1000000000;
            pthread_cond_timedwait(&s->wake, &s->lock, &ts);
            continue;
        }
        pthread_mutex_unlock(&s->lock);
        s_turn(b);
        next = dx_mono_ms() + b->cfg.tsa_every_ms;
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

int tsa_start(broker_t *b, char err[DX_ERRMSG])
{
    tsa_t *s = b->tsa;
    if (!s)
        return 0;
    store_txn_t *t = NULL;
    store_val_t tok, head;
    uint64_t size = 0;
    dx_tsa_info_t info;
    char why[DX_ERRMSG];
    /* the newest token kept, for status and metrics: checked like any */
    int rv = store_begin(b->store, NULL, false, &t);
    if (rv == 0 && (rv = store_stamp_last(t, &size)) == 0 && size &&
        (rv = store_stamp_get(t, size, &tok)) == 0 && (rv = store_head_get(t, size, &head)) == 0) {
        if (dx_tsa_token_check(s->trust, tok.data, tok.len, head.data, head.len, &info, why) == 0) {
            atomic_store(&s->time_ms, info.time_ms);
            atomic_store(&s->head_size, size);
        } else {
            dx_log_kv(DX_LOG_ERROR, "stored-timestamp-refused", DX_KU("head", size), DX_KV("reason", why),
                      DX_KV("do", "run dx-audit verify --db with --tsa-ca: the store was changed, or "
                                  "--tsa-ca is not the authority's CA"));
        }
    }
    atomic_store(&s->asked_size, size);
    store_abort(&t);
    if (rv != 0 && rv != DX_ERR_NOT_FOUND) {
        snprintf(err, DX_ERRMSG, "cannot read the stored timestamps: %s", dx_strerror(rv));
        return rv;
    }
    if (pthread_create(&s->thread, NULL, s_thread, b) != 0) {
        snprintf(err, DX_ERRMSG, "cannot start the time-stamping thread");
        return DX_ERR_INTERNAL;
    }
    pthread_setname_np(s->thread, "dx-tsa");
    s->running = true;
    dx_log_kv(DX_LOG_INFO, "tsa", DX_KV("tsa", s->url_shown), DX_KU("every_s", b->cfg.tsa_every_ms / 1000));
    return 0;
}

void tsa_stop(broker_t *b)
{
    tsa_t *s = b->tsa;
    if (!s || !s->running)
        return;
    pthread_mutex_lock(&s->lock);
    s->stopping = true;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    s->running = false;
}

void tsa_free(broker_t *b)
{
    tsa_t *s = b->tsa;
    if (!s)
        return;
    tsa_stop(b);
    dx_tsa_trust_free(&s->trust);
    free(s->pending);
    free(s->pending_head);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    free(s);
    b->tsa = NULL;
    curl_global_cleanup();
}

void tsa_store(broker_t *b)
{
    tsa_t *s = b->tsa;
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    uint8_t *token = s->pending;
    size_t len = s->pending_len, head_len = s->pending_head_len;
    char *head = s->pending_head;
    uint64_t size = s->pending_size;
    int64_t ms = s->pending_ms;
    s->pending = NULL;
    s->pending_head = NULL;
    pthread_mutex_unlock(&s->lock);
    if (!token)
        return;
    /* the head joins the history (if it is not there yet): a token is
     * kept only beside its head */
    store_txn_t *t;
    store_val_t v;
    batch_op_begin(b->batch);
    int rv = batch_txn(b->batch, &t);
    if (rv == 0 && (rv = store_head_get(t, size, &v)) == DX_ERR_NOT_FOUND)
        rv = store_head_put(t, size, head, head_len);
    if (rv == 0)
        rv = store_stamp_put(t, size, token, len);
    rv = batch_op_end(b->batch, rv);
    if (rv == 0)
        rv = batch_commit(b->batch, dx_now_ms());
    free(token);
    free(head);
    if (rv != 0) {
        /* asked again at the thread's next turn */
        atomic_store(&s->asked_size, atomic_load(&s->head_size));
        dx_log_kv(DX_LOG_ERROR, "tsa-store-failed", DX_KU("head", size), DX_KV("reason", dx_strerror(rv)));
        return;
    }
    atomic_store(&s->time_ms, ms);
    atomic_store(&s->head_size, size);
}

void tsa_state(broker_t *b, tsa_state_t *out)
{
    tsa_t *s = b->tsa;
    memset(out, 0, sizeof *out);
    if (!s)
        return;
    out->on = true;
    snprintf(out->url, sizeof out->url, "%s", s->url_shown);
    out->time_ms = atomic_load(&s->time_ms);
    out->head_size = atomic_load(&s->head_size);
    out->ok = atomic_load(&s->ok);
    out->failed = atomic_load(&s->failed);
    out->refused = atomic_load(&s->refused);
    pthread_mutex_lock(&s->lock);
    snprintf(out->error, sizeof out->error, "%s", s->error);
    pthread_mutex_unlock(&s->lock);
}
