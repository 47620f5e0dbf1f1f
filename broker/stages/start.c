/* start: setting the stages up in order, and shutting them down in the same order. */
#include "broker.h"
#include "checkpoint.h"
#include "cursor.h"
#include "fairq.h"
#include "peers.h"
#include "dispatch.h"
#include "dxtime.h"
#include "encode.h"
#include "jobs.h"
#include "readers.h"
#include "log.h"
#include "handshakes.h"
#include "master_key.h"
#include "policy_check.h"
#include "metrics.h"
#include "policy_load.h"
#include "tsan.h"
#include "version.h"
#include "publish_check.h"
#include "vault.h"
#include "wire.h"
#include "audit.h"
#include "batch.h"
#include "feed.h"
#include "intake.h"
#include "options.h"
#include "policy_set.h"
#include "record.h"
#include "request.h"
#include "sessions.h"
#include "writer.h"
#include "publish.h"
#include "publishing.h"
#include "retention.h"
#include "start.h"
#include "tsa.h"
#include "pkcs11.h"
#include "objects.h"
#include "pool.h"
#include "group.h"
#include "signals.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#define SESSIONS_MAX 256
/* libzmq's queue per connection, in frames (a reply is two): what does not
 * fit waits in peers.c, which holds it until the connection reads and
 * bounds how much it holds. */
#define HWM 32

static void s_set(void *sock, int option, int value)
{
    if (zmq_setsockopt(sock, option, &value, sizeof value) != 0)
        dx_warn("socket-option", "zmq_setsockopt(%d): %s", option, zmq_strerror(errno));
}

/* The content keys opened under the master key the options name. */
static int s_open_vault_at(const broker_config_t *cfg, const dx_keypair_t *key, bool readonly, bool *created,
                           vault_t **out, char err[DX_ERRMSG])
{
    dx_pkcs11_conf_t p11;
    dx_master_loc_t loc = broker_master_loc(cfg, key, &p11);
    return vault_open(cfg->data_dir, &loc, readonly, created, out, err);
}

/* The master key is there (a file, a token's key, or one to derive), or
 * the next one of a rotation a crash cut short, which vault_open finishes. */
static int s_master_key_loads(const broker_config_t *cfg, const dx_keypair_t *key, char err[DX_ERRMSG])
{
    dx_pkcs11_conf_t p11;
    dx_master_loc_t loc = broker_master_loc(cfg, key, &p11);
    dx_master_t *m = NULL;
    char nerr[DX_ERRMSG];
    int rv = dx_master_load(&loc, DX_MASTER_CURRENT, NULL, &m, err);
    if (rv == DX_ERR_NOT_FOUND && dx_master_load(&loc, DX_MASTER_NEW, NULL, &m, nerr) == 0)
        rv = 0;
    dx_master_free(&m);
    return rv;
}

/* The master key loads and, when the data directory has content keys
 * already, is the one they were sealed under. */
static int s_check_master_key(const broker_config_t *cfg, const dx_keypair_t *key, FILE *out)
{
    char err[DX_ERRMSG], id[DX_MASTER_ID_TEXT];
    uint8_t kid[DX_MASTER_ID_LEN];
    vault_t *v = NULL;
    char path[4200];
    int rv;
    snprintf(path, sizeof path, "%s/%s", cfg->data_dir, VAULT_FILE);
    if (access(path, F_OK) != 0) {
        /* no content keys yet: the key alone */
        dx_pkcs11_conf_t p11;
        dx_master_loc_t loc = broker_master_loc(cfg, key, &p11);
        dx_master_t *m = NULL;
        if ((rv = dx_master_load(&loc, DX_MASTER_CURRENT, NULL, &m, err)) == 0) {
            dx_master_get_id(m, kid);
            dx_master_id_text(kid, id);
            fprintf(out, "master key: %s %s%s\n", id, cfg->master_key_path ? "from " : "",
                    dx_master_name(m));
        }
        dx_master_free(&m);
    } else if ((rv = s_open_vault_at(cfg, key, true, NULL, &v, err)) == 0) {
        vault_master_id(v, id);
        fprintf(out, "master key: %s %s%s\n", id, cfg->master_key_path ? "from " : "",
                vault_master_name(v));
        fprintf(out, "content keys: %u in %s/%s%s%s\n", vault_count(v), cfg->data_dir, VAULT_FILE,
                vault_kept(v) ? ", sealed under the kept key " : "", vault_kept(v) ? vault_kept(v) : "");
    }
    vault_close(&v);
    if (rv != 0)
        fprintf(out, "master key: %s\n", err);
    return rv != 0;
}

static bool s_remote(const broker_config_t *cfg)
{
    return cfg->content_store && strcmp(cfg->content_store, "rados") == 0;
}

static pool_config_t s_pool_config(const broker_config_t *cfg)
{
    return (pool_config_t){ cfg->rados_conf, cfg->rados_pool, cfg->rados_user,
                            (int)(cfg->rados_timeout_ms / 1000) };
}

/* content-store rados: connects, and the pool takes a write. 2 when the
 * settings are wrong, 1 when the cluster does not answer. */
static int s_check_content_store(const broker_config_t *cfg, FILE *out)
{
    if (!s_remote(cfg)) {
        fprintf(out, "content store: lmdb, in %s\n", cfg->data_dir);
        return 0;
    }
    pool_config_t pc = s_pool_config(cfg);
    pool_t *pool = NULL;
    char err[DX_ERRMSG];
    int rv = pool_open(&pc, &pool, err);
    if (rv == 0)
        rv = pool_probe(pool, err);
    if (rv == 0)
        fprintf(out, "content store: rados, %s: connected, a test object written, read and "
                "removed\n", pool_describe(pool));
    else
        fprintf(out, "content store: %s\n", err);
    pool_close(&pool);
    return rv == 0 ? 0 : rv == DX_ERR_USAGE ? 2 : 1;
}

/* The broker's keys: its key file, or its token's signing key (key:
 * pkcs11:...) with the transport key file. */
static int s_load_keys(const broker_config_t *cfg, dx_keypair_t *key, dx_signer_t **signer,
                       char err[DX_ERRMSG])
{
    bool token = dx_pkcs11_is_uri(cfg->key_path);
    int rv = dx_keys_read_secret(token ? cfg->transport_key_path : cfg->key_path, key, err);
    if (rv != 0)
        return rv;
    if (token)
        snprintf(key->sign_uri, sizeof key->sign_uri, "%s", cfg->key_path);
    dx_pkcs11_conf_t p11 = { cfg->pkcs11_module, cfg->pkcs11_pin_file };
    return dx_keypair_signer(key, &p11, signer, err);
}

int broker_check_config(const broker_config_t *cfg, FILE *out)
{
    char err[DX_ERRMSG], hex[65];
    dx_keypair_t key;
    dx_policy_t *p = NULL;
    dx_diag_t diag = { 0 };
    dx_pubkeys_t me = { 0 };
    bool have_key = false;
    int status = 0;
    fprintf(out, "dx-broker %s: the settings in effect%s%s\n", dx_version(),
            cfg->config_path ? ", from " : "", cfg->config_path ? cfg->config_path : "");
    broker_options_print(out, cfg);
    dx_signer_t *signer = NULL;
    if (s_load_keys(cfg, &key, &signer, err) != 0) {
        fprintf(out, "key: %s\n", err);
        status = 1;
    } else {
        dx_signer_destroy(&signer);
        fprintf(out, "key: %s%s, broker id %s\n", cfg->key_path, key.sign_uri[0] ? " (in the token; it signs)" : "",
                key.pub.id);
        status |= s_check_master_key(cfg, &key, out);
        me = key.pub;
        have_key = true;
        dx_keypair_wipe(&key);
    }
    if (dx_policy_load(cfg->policy_dir, &p, &diag) == 0 && have_key)
        dx_policy_check_broker(p, me.sign, me.curve, cfg->policy_dir, &diag);
    if (!p) {
        fprintf(out, "policies: %zu error(s), the broker would not start:\n", diag.errors);
        status = 1;
    } else {
        dx_hex_encode(p->sha256, DX_SHA256_LEN, hex);
        fprintf(out, "policies: %s, %zu members, %zu namespaces, %zu rules, sha256 %s\n",
                cfg->policy_dir, p->nmembers, p->nnamespaces, p->nrules, hex);
    }
    for (size_t i = 0; i < diag.n; i++)
        fprintf(out, "  %s\n", diag.lines[i]);
    dx_policy_free(&p);
    dx_diag_free(&diag);
    int store = s_check_content_store(cfg, out);
    status = store ? store : status;
    fprintf(out, "%s\n", status ? "not ready: see above" : "ok");
    return status;
}

/* ---- start and stop ---- */


typedef struct {
    vault_t *vault;
    uint64_t rows, missing;
} marking_t;

static int s_mark_slot(void *arg, uint32_t slot, uint64_t blob)
{
    (void)blob;
    marking_t *m = arg;
    m->rows++;
    if (vault_mark(m->vault, slot) != 0)
        m->missing++;
    return 0;
}

static int s_sync_vault(void *arg) { return vault_sync(arg); }

/* The content keys: the vault opened under the master key, its slots
 * checked against the store's rows, and those a crash left unreferenced
 * (a publish not committed, an erasure not finished) overwritten. */
static int s_open_vault(broker_t *b, store_txn_t *t, char err[DX_ERRMSG])
{
    bool created = false;
    char id[DX_MASTER_ID_TEXT];
    int rv = 0;
    /* a group's standby opened it already */
    if (!b->vault && (rv = s_open_vault_at(&b->cfg, &b->key, false, &created, &b->vault, err)) != 0)
        return rv;
    marking_t m = { b->vault, 0, 0 };
    if ((rv = store_keyslots_each(t, s_mark_slot, &m)) != 0) {
        snprintf(err, DX_ERRMSG, "cannot read the store's key slots: %s", dx_strerror(rv));
        return rv;
    }
    if (created && m.rows > 0) {
        snprintf(err, DX_ERRMSG, "%s/%s is missing, and %llu stored versions need their content "
                 "keys from it: restore it with the data it was backed up with",
                 b->cfg.data_dir, VAULT_FILE, (unsigned long long)m.rows);
        return DX_ERR_NOT_FOUND;
    }
    if (m.missing)
        dx_warn("content-keys-missing",
                "%llu stored version(s) have no content key in %s (a backup copied while they "
                "were erased?): they cannot be read", (unsigned long long)m.missing, VAULT_FILE);
    uint64_t reaped = 0;
    if ((rv = vault_reap(b->vault, &reaped)) != 0) {
        snprintf(err, DX_ERRMSG, "cannot write %s/%s: %s", b->cfg.data_dir, VAULT_FILE, dx_strerror(rv));
        return rv;
    }
    vault_master_id(b->vault, id);
    dx_info("content-keys",
            "content keys: %u in use, %llu left by a crash overwritten; master key %s (%s%s)",
            vault_count(b->vault), (unsigned long long)reaped, id,
            vault_kept(b->vault) ? "the kept key " : b->cfg.master_key_path ? "from " : "",
            vault_master_name(b->vault));
    if (vault_kept(b->vault))
        dx_log_kv(DX_LOG_WARN, "master-key-kept-in-use", DX_KV("key", id),
                  DX_KV("file", vault_kept(b->vault)),
                  DX_KV("do", "this store predates the last rotation: run dx-admin master-key rotate "
                              "to move its content keys under a new key"));
    return 0;
}

static int s_any_version(void *arg, const char *name, uint64_t version, store_val_t val)
{
    (void)name, (void)version, (void)val;
    *(bool *)arg = true;
    return DX_STOP;
}

/* Where this store's content is ("lmdb" or "rados", in meta "content"):
 * a broker started with the other store would find none of it. */
static int s_content_store_kind(broker_t *b, store_txn_t *t, char err[DX_ERRMSG])
{
    const char *want = b->pool ? "rados" : "lmdb";
    store_val_t v;
    int rv = store_meta_get(t, "content", &v);
    if (rv == DX_ERR_NOT_FOUND) {
        bool any = false;
        if ((rv = store_catalog_each(t, "", 0, s_any_version, &any)) < 0)
            return rv;
        if (any && b->pool) {
            snprintf(err, DX_ERRMSG, "the store in %s keeps its content in LMDB (it has versions "
                     "from before content-store was set): start it with content-store lmdb",
                     b->cfg.data_dir);
            return DX_ERR_USAGE;
        }
        return store_meta_put(t, "content", want, strlen(want));
    }
    if (rv != 0)
        return rv;
    if (v.len != strlen(want) || memcmp(v.data, want, v.len) != 0) {
        snprintf(err, DX_ERRMSG, "the store in %s keeps its content in %.*s, not %s: set "
                 "content-store to %.*s (moving content between stores is not supported)",
                 b->cfg.data_dir, (int)v.len, (const char *)v.data, want, (int)v.len,
                 (const char *)v.data);
        return DX_ERR_USAGE;
    }
    return 0;
}

static int s_open_store(broker_t *b, char err[DX_ERRMSG])
{
    store_txn_t *t = NULL;
    int rv;
    if (!b->store && (rv = store_open(b->cfg.data_dir, b->cfg.map_size, false, &b->store, err)) != 0)
        return rv;
    /* Staged chunks of publishes a crash interrupted are not visible;
     * collect them (and their keys' rows) before anything else. */
    uint64_t collected = 0, blob_next = 0;
    uint32_t salt = 0;
    if ((rv = dx_random(&salt, sizeof salt)) != 0 ||
        (rv = store_begin(b->store, NULL, true, &t)) != 0 ||
        (rv = s_content_store_kind(b, t, err)) != 0 ||
        (rv = store_staging_collect(t, b->pool != NULL, &collected)) != 0 ||
        (rv = store_blob_next(t, salt, &blob_next)) != 0) {
        store_abort(&t);
        if (rv != DX_ERR_USAGE)
            snprintf(err, DX_ERRMSG, "cannot prepare the store: %s", dx_strerror(rv));
        return rv;
    }
    if ((rv = s_open_vault(b, t, err)) != 0) {
        store_abort(&t);
        return rv;
    }
    if ((rv = store_commit(&t)) != 0) {
        snprintf(err, DX_ERRMSG, "cannot prepare the store: %s", dx_strerror(rv));
        return rv;
    }
    if ((rv = publishing_new(blob_next, &b->publishing)) != 0 || (rv = objects_new(&b->objects)) != 0 ||
        (rv = retention_new(&b->retention)) != 0 || (rv = feed_subs_new(&b->feed_subs)) != 0) {
        snprintf(err, DX_ERRMSG, "out of memory");
        return rv;
    }
    if (collected)
        dx_info("publishes-collected",
                "collected %llu interrupted publish(es)", (unsigned long long)collected);
    return 0;
}

static int s_open_router(broker_t *b, char err[DX_ERRMSG])
{
    if (!(b->router = zmq_socket(b->zctx, ZMQ_ROUTER))) {
        snprintf(err, DX_ERRMSG, "cannot create sockets: %s", zmq_strerror(errno));
        return DX_ERR_IO;
    }
    s_set(b->router, ZMQ_CURVE_SERVER, 1);
    if (zmq_setsockopt(b->router, ZMQ_CURVE_SECRETKEY, b->key.curve_secret, 32) != 0 ||
        zmq_setsockopt(b->router, ZMQ_ZAP_DOMAIN, "dx", 2) != 0) {
        snprintf(err, DX_ERRMSG, "cannot set up CURVE: %s", zmq_strerror(errno));
        return DX_ERR_IO;
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
    /* for the metrics' connections gauge: TCP connections accepted and
     * closed, as the socket's monitor sees them */
    if (b->cfg.metrics_listen &&
        (zmq_socket_monitor(b->router, "inproc://dx-router-events",
                            ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) != 0 ||
         !(b->router_events = zmq_socket(b->zctx, ZMQ_PAIR)) ||
         zmq_connect(b->router_events, "inproc://dx-router-events") != 0)) {
        snprintf(err, DX_ERRMSG, "cannot watch connections: %s", zmq_strerror(errno));
        return DX_ERR_IO;
    }
    if (zmq_bind(b->router, b->cfg.listen) != 0) {
        snprintf(err, DX_ERRMSG, "cannot listen on %s: %s", b->cfg.listen, zmq_strerror(errno));
        return DX_ERR_IO;
    }
    size_t len = sizeof b->endpoint;
    if (zmq_getsockopt(b->router, ZMQ_LAST_ENDPOINT, b->endpoint, &len) != 0)
        snprintf(b->endpoint, sizeof b->endpoint, "%s", b->cfg.listen);
    return 0;
}

/* The writer and the job threads, and intake's sockets to them. */
static int s_start_stages(broker_t *b, char err[DX_ERRMSG])
{
    int n = b->cfg.workers >= 0 ? (int)b->cfg.workers : (int)sysconf(_SC_NPROCESSORS_ONLN);
    n = n < 0 ? 1 : n > 64 ? 64 : n;
    int readers = b->cfg.readers > 0 ? (int)b->cfg.readers : (int)sysconf(_SC_NPROCESSORS_ONLN);
    readers = readers < 1 ? 1 : readers > 64 ? 64 : readers;
    /* replies come to intake from the writer and every reader */
    if (!(b->from_writer = zmq_socket(b->zctx, ZMQ_PULL)) ||
        zmq_bind(b->from_writer, "inproc://dx-replies") != 0) {
        snprintf(err, DX_ERRMSG, "cannot make intake's reply socket: %s", zmq_strerror(errno));
        return DX_ERR_IO;
    }
    s_set(b->from_writer, ZMQ_RCVHWM, 0);
    if (readers_start(b, readers) != 0) {
        snprintf(err, DX_ERRMSG, "cannot start the readers: %s", zmq_strerror(errno));
        return DX_ERR_INTERNAL;
    }
    if (publish_lanes_new(n > 0 ? n : 1, b->cfg.session_idle_ms, (size_t)b->cfg.member_transfers,
                          &b->lanes) != 0 ||
        writer_start(b) != 0) {
        snprintf(err, DX_ERRMSG, "cannot start the writer: %s", zmq_strerror(errno));
        return DX_ERR_INTERNAL;
    }
    if (!(b->to_writer = zmq_socket(b->zctx, ZMQ_PUSH)) ||
        zmq_connect(b->to_writer, "inproc://dx-writer") != 0) {
        snprintf(err, DX_ERRMSG, "cannot connect to the writer: %s", zmq_strerror(errno));
        return DX_ERR_IO;
    }
    s_set(b->to_writer, ZMQ_LINGER, 0);
    if (jobs_new(b->zctx, "lane", n, "inproc://dx-writer", dispatch_check, b, &b->jobs) != 0) {
        snprintf(err, DX_ERRMSG, "cannot start the job threads");
        return DX_ERR_INTERNAL;
    }
    return 0;
}

int broker_open(broker_t *b, char err[DX_ERRMSG])
{
    dx_diag_t diag;
    dx_policy_t *p = NULL;
    int rv;
    pthread_mutex_init(&b->policy_lock, NULL);
    if ((rv = s_load_keys(&b->cfg, &b->key, &b->signer, err)) != 0)
        return rv;
    /* checked before the data directory is touched: a bad option changes nothing */
    if (b->cfg.origin && !dx_origin_valid(b->cfg.origin)) {
        snprintf(err, DX_ERRMSG, "--origin: 1 to %d bytes of UTF-8 without spaces (of any kind), "
                 "control characters or '+', as signed notes require", DX_ORIGIN_MAX);
        return DX_ERR_USAGE;
    }
    if ((rv = s_master_key_loads(&b->cfg, &b->key, err)) != 0)
        return rv;
    if (b->cfg.origin)
        snprintf(b->origin, sizeof b->origin, "%s", b->cfg.origin);
    else
        snprintf(b->origin, sizeof b->origin, "dx/%s", b->key.pub.id);
    if ((rv = tsa_new(b, err)) != 0)
        return rv;
    /* the continuation tokens' key: from a secret this process holds */
    if ((rv = cursor_key(b->key.sign_uri[0] ? b->key.curve_secret : b->key.sign_secret, b->cursor_key)) != 0) {
        snprintf(err, DX_ERRMSG, "cannot derive the cursor key: %s", dx_strerror(rv));
        return rv;
    }
    rv = dx_policy_load(b->cfg.policy_dir, &p, &diag);
    if (rv != 0) {
        for (size_t i = 0; i < diag.n; i++)
            fprintf(stderr, "%s\n", diag.lines[i]);
        snprintf(err, DX_ERRMSG, "the policy set in %s does not load (%zu error(s))",
                 b->cfg.policy_dir, diag.errors);
        dx_diag_free(&diag);
        return rv;
    }
    dx_policy_check_broker(p, b->key.pub.sign, b->key.pub.curve, b->cfg.policy_dir, &diag);
    policy_set_log_diag(&diag);
    dx_diag_free(&diag);
    b->started_ms = dx_now_ms();
    if ((rv = policy_set_swap(b, p)) != 0) {
        snprintf(err, DX_ERRMSG, "cannot hold the policy set: %s", dx_strerror(rv));
        return rv;
    }
    if (s_remote(&b->cfg)) {
        pool_config_t pc = s_pool_config(&b->cfg);
        if ((rv = pool_open(&pc, &b->pool, err)) != 0)
            return rv;
        dx_log_kv(DX_LOG_INFO, "content-store", DX_KV("store", "rados"),
                  DX_KV("pool", pool_describe(b->pool)));
    }
    if (!(b->zctx = zmq_ctx_new()) || !(b->zap = zmq_socket(b->zctx, ZMQ_REP)) ||
        zmq_bind(b->zap, "inproc://zeromq.zap.01") != 0) {
        snprintf(err, DX_ERRMSG, "cannot create sockets: %s", zmq_strerror(errno));
        return DX_ERR_IO;
    }
    if ((rv = s_open_router(b, err)) != 0)
        return rv;
    if ((rv = peers_new(&b->peers)) != 0 || (rv = handshakes_new(&b->handshakes)) != 0) {
        snprintf(err, DX_ERRMSG, "cannot start: %s", dx_strerror(rv));
        return rv;
    }
    /* before a standby waits: its metrics say how far behind it is */
    const char *commands[64];
    size_t ncommands = dispatch_count() < 64 ? dispatch_count() : 64;
    for (size_t i = 0; i < ncommands; i++)
        commands[i] = dispatch_at(i)->name;
    if (b->cfg.metrics_listen &&
        (rv = metrics_start(b, b->cfg.metrics_listen, commands, ncommands, &b->metrics, err)) != 0)
        return rv;
    /* a group's broker is a standby until the lease is its own: it then
     * opens the store as the active, every commit journaled */
    if (strcmp(b->cfg.journal ? b->cfg.journal : "none", "rados") == 0 &&
        ((rv = group_open(b, err)) != 0 || (rv = intake_run_standby(b, &dx_signal_stop, err)) != 0))
        return rv;
    if ((rv = s_open_store(b, err)) != 0)
        return rv;
    if ((rv = audit_open(b->store, b->signer, b->origin, &b->audit, err)) != 0)
        return rv;
    if ((rv = batch_new(b->store, b->audit, &b->batch)) == 0)
        batch_before_commit(b->batch, s_sync_vault, b->vault);
    if (rv != 0 ||
        (rv = sessions_new(SESSIONS_MAX, (size_t)b->cfg.member_transfers, &b->sessions)) != 0) {
        snprintf(err, DX_ERRMSG, "cannot start: %s", dx_strerror(rv));
        return rv;
    }

    char reason[400], hex[65];
    dx_hex_encode(b->policy->sha256, DX_SHA256_LEN, hex);
    snprintf(reason, sizeof reason, "dx-broker %s started, listening on %s", dx_version(), b->endpoint);
    /* the log must say the broker started, under which policy set, before
     * anything it does: a start that cannot record that does not start */
    rv = record_system(b, DX_EV_BROKER_START, reason);
    snprintf(reason, sizeof reason, "policy set loaded: %zu members, %zu namespaces, %zu rules",
             b->policy->nmembers, b->policy->nnamespaces, b->policy->nrules);
    if (rv == 0)
        rv = record_system(b, DX_EV_POLICY_LOAD, reason);
    if (rv != 0 || (rv = batch_commit(b->batch, dx_now_ms())) != 0) {
        snprintf(err, DX_ERRMSG, "cannot write the audit log: %s", dx_strerror(rv));
        return rv;
    }
    return 0;
}

int broker_start(broker_t *b, char err[DX_ERRMSG])
{
    int rv = broker_open(b, err);
    if (rv != 0)
        return rv;
    /* from here on the store is the writer's */
    if ((rv = s_start_stages(b, err)) != 0 || (rv = tsa_start(b, err)) != 0)
        return rv;
    char hex[65];
    dx_hex_encode(b->policy->sha256, DX_SHA256_LEN, hex);
    dx_log_kv(DX_LOG_INFO, "listening", DX_KV("endpoint", b->endpoint), DX_KV("policy_sha256", hex),
              DX_KU("members", b->policy->nmembers), DX_KU("rules", b->policy->nrules),
              DX_KV("version", dx_version()));
    return 0;
}

void broker_stop(broker_t *b)
{
    /* In the order a request meets the stages: nothing new comes in, the
     * job threads and the readers pass on what they hold, the writer
     * finishes and records the stop, and its last replies go out. */
    jobs_destroy(&b->jobs);
    readers_stop(b);
    tsa_stop(b);
    if (b->writer_running) {
        writer_stop(b);
        intake_flush(b);
    } else if (b->batch) {
        audit_want_history(b->audit);
        record_system(b, DX_EV_BROKER_STOP, "dx-broker stopped");
        batch_commit(b->batch, dx_now_ms());
    }
    group_stop(b); /* the stop is journaled: the lease goes, a standby takes over */
    /* no stage bumps a counter any more; the HTTP thread goes before the
     * policy set it reads */
    metrics_stop(&b->metrics);
    /* anything still queued for the writer or on its way out */
    request_t *rq;
    while (b->inbox && zmq_recv(b->inbox, &rq, sizeof rq, ZMQ_DONTWAIT) == sizeof rq)
        if (rq && (DX_HANDOFF_RECV(rq), rq != &b->stop_request))
            request_free(&rq);
    void *socks[] = { b->router, b->zap, b->to_writer, b->from_writer, b->inbox, b->outbox,
                      b->router_events };
    for (size_t i = 0; i < sizeof socks / sizeof socks[0]; i++)
        if (socks[i])
            zmq_close(socks[i]);
    readers_free(b); /* their sockets, before the context ends */
    if (b->zctx)
        zmq_ctx_term(b->zctx);
    fairq_destroy(&b->waiting);
    peers_destroy(&b->peers);
    handshakes_free(&b->handshakes);
    publish_lanes_free(&b->lanes);
    sessions_destroy(&b->sessions);
    feed_subs_destroy(&b->feed_subs);
    batch_destroy(&b->batch);
    audit_destroy(&b->audit);
    store_close(&b->store);
    vault_close(&b->vault);
    policy_set_release(b, &b->current);
    b->policy = NULL;
    publishing_destroy(&b->publishing);
    retention_destroy(&b->retention);
    group_free(b);
    tsa_free(b);
    pool_close(&b->pool);
    objects_free(&b->objects);
    dx_signer_destroy(&b->signer);
    dx_keypair_wipe(&b->key);
    dx_wipe(b->cursor_key, sizeof b->cursor_key);
    pthread_mutex_destroy(&b->policy_lock);
}
