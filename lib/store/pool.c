/* pool: chunks as RADOS objects, through librados' C API. */
#include "pool.h"
#include "pool_int.h"
#include "dxtime.h"

#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <rados/librados.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

rados_api_t dx_rados;
static pthread_once_t s_load_once = PTHREAD_ONCE_INIT;

static void s_load(void)
{
    void *lib = dlopen("librados.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(dx_rados.error, sizeof dx_rados.error, "%s", dlerror());
        return;
    }
#define RADOS_LOAD(name)                                                                  \
    if (!(*(void **)&dx_rados.name = dlsym(lib, #name))) {                                        \
        snprintf(dx_rados.error, sizeof dx_rados.error, "librados.so.2 has no %s", #name);              \
        dlclose(lib);                                                                       \
        return;                                                                             \
    }
    RADOS_FUNCTIONS(RADOS_LOAD)
#undef RADOS_LOAD
    dx_rados.lib = lib;
}

const double pool_bucket_ms[POOL_BUCKETS] = { 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000, 5000, 10000 };

struct pool_op {
    pool_t *p;
    int kind;
    rados_completion_t c;
    rados_write_op_t w;
    uint8_t *data;
    size_t len;
    int64_t start_us;
    uint64_t stat_size;
    time_t stat_mtime;
    void *arg;
    int result;
    pool_op_t *next;
};

struct pool {
    rados_t cluster;
    rados_ioctx_t io;
    bool connected;
    int wake;                      /* eventfd */
    pthread_mutex_t lock;          /* done list, down state */
    pool_op_t *done, *done_tail;
    atomic_uint_fast64_t in_flight;
    atomic_uint_fast64_t ok[POOL_KINDS], failed[POOL_KINDS], bytes[POOL_KINDS];
    atomic_uint_fast64_t buckets[POOL_KINDS][POOL_BUCKETS + 1];
    atomic_uint_fast64_t micros[POOL_KINDS];
    int64_t down_since_ms;
    char down_why[DX_ERRMSG];
    char describe[DX_ERRMSG];
};

/* A librados result as a dx_err: the cluster's absence (timeouts, no
 * connection, a full pool) is DX_ERR_UNAVAILABLE, whatever the kind. */
int pool_rados_err(int r)
{
    switch (-r) {
    case 0: return 0;
    case ENOENT: return DX_ERR_NOT_FOUND;
    case EEXIST: return DX_ERR_EXISTS;
    case ETIMEDOUT: case ENOTCONN: case ESHUTDOWN: case ECONNREFUSED: case EAGAIN:
    case ENOSPC: case EDQUOT: case EHOSTUNREACH: case ECANCELED:
        return DX_ERR_UNAVAILABLE;
    case ENOMEM: return DX_ERR_NOMEM;
    default: return DX_ERR_STORAGE;
    }
}

static const char *s_why(int r)
{
    switch (-r) {
    case ETIMEDOUT: return "Ceph did not answer in time (monitor or OSDs down, or the pool below its min_size)";
    case ENOSPC: case EDQUOT: return "the pool is full";
    default: return strerror(-r);
    }
}

/* Notes an operation's outcome for the status and the metrics. */
static void s_note(pool_t *p, int kind, int r, size_t bytes, int64_t start_us)
{
    double ms = (double)(dx_mono_us() - start_us) / 1000.0;
    int b = 0;
    while (b < POOL_BUCKETS && ms > pool_bucket_ms[b])
        b++;
    atomic_fetch_add(&p->buckets[kind][b], 1);
    atomic_fetch_add(&p->micros[kind], (uint64_t)(ms * 1000.0));
    /* a removal or a stat of an object that is not there is answered */
    if (r >= 0 || (r == -ENOENT && (kind == POOL_REMOVE || kind == POOL_STAT))) {
        atomic_fetch_add(&p->ok[kind], 1);
        atomic_fetch_add(&p->bytes[kind], r >= 0 ? bytes : 0);
    } else {
        atomic_fetch_add(&p->failed[kind], 1);
    }
    bool down = r < 0 && pool_rados_err(r) == DX_ERR_UNAVAILABLE;
    pthread_mutex_lock(&p->lock);
    if (down && p->down_since_ms == 0) {
        p->down_since_ms = dx_now_ms();
        snprintf(p->down_why, sizeof p->down_why, "%s", s_why(r));
    } else if (!down && r != -EEXIST) {
        p->down_since_ms = 0;
    }
    pthread_mutex_unlock(&p->lock);
}

static int s_conf(pool_t *p, const char *key, const char *value, char err[DX_ERRMSG])
{
    int r = dx_rados.rados_conf_set(p->cluster, key, value);
    if (r < 0)
        snprintf(err, DX_ERRMSG, "cannot set Ceph's %s: %s", key, strerror(-r));
    return r < 0 ? DX_ERR_USAGE : 0;
}

int pool_open(const pool_config_t *cfg, pool_t **out, char err[DX_ERRMSG])
{
    *out = NULL;
    if (!cfg->conf || !cfg->pool || !cfg->user || !*cfg->pool || !*cfg->user) {
        snprintf(err, DX_ERRMSG, "content-store rados needs rados-conf, rados-pool and rados-user");
        return DX_ERR_USAGE;
    }
    if (access(cfg->conf, R_OK) != 0) {
        snprintf(err, DX_ERRMSG, "rados-conf %s: %s", cfg->conf, strerror(errno));
        return DX_ERR_USAGE;
    }
    if (strncmp(cfg->user, "client.", 7) == 0) {
        snprintf(err, DX_ERRMSG, "rados-user %s: give the id without \"client.\" (as Ceph's --id)",
                 cfg->user);
        return DX_ERR_USAGE;
    }
    pthread_once(&s_load_once, s_load);
    if (!dx_rados.lib) {
        snprintf(err, DX_ERRMSG, "content-store rados needs Ceph's client library (Debian: "
                 "librados2): %s", dx_rados.error);
        return DX_ERR_UNSUPPORTED;
    }
    pool_t *p = calloc(1, sizeof *p);
    if (!p)
        return DX_ERR_NOMEM;
    p->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    pthread_mutex_init(&p->lock, NULL);
    snprintf(p->describe, sizeof p->describe, "pool %s as client.%s (%s)", cfg->pool, cfg->user,
             cfg->conf);
    char timeout[16], laggy[16];
    int seconds = cfg->timeout_s > 0 ? cfg->timeout_s : 10;
    snprintf(timeout, sizeof timeout, "%d", seconds);
    snprintf(laggy, sizeof laggy, "%d", seconds / 3 > 0 ? seconds / 3 : 1);
    int rv = DX_ERR_USAGE, r;
    if (p->wake < 0) {
        snprintf(err, DX_ERRMSG, "eventfd: %s", strerror(errno));
        rv = DX_ERR_IO;
        goto fail;
    }
    if ((r = dx_rados.rados_create(&p->cluster, cfg->user)) < 0) {
        snprintf(err, DX_ERRMSG, "cannot make a Ceph client as client.%s: %s", cfg->user, strerror(-r));
        p->cluster = NULL;
        goto fail;
    }
    if ((r = dx_rados.rados_conf_read_file(p->cluster, cfg->conf)) < 0) {
        snprintf(err, DX_ERRMSG, "rados-conf %s cannot be read as a ceph.conf: %s", cfg->conf,
                 strerror(-r));
        goto fail;
    }
    /* Bounded waits, and Ceph's own messages in its log, not on stderr:
     * the operator gets one line from us. */
    if (s_conf(p, "client_mount_timeout", timeout, err) != 0 ||
        s_conf(p, "rados_mon_op_timeout", timeout, err) != 0 ||
        s_conf(p, "rados_osd_op_timeout", timeout, err) != 0 ||
        /* An op to an OSD that died waits for a newer map, and the client
         * asks the monitors for one only for ops it deems laggy: well
         * before they time out, or it never learns the OSD came back
         * elsewhere and every op times out for ever. */
        s_conf(p, "objecter_timeout", laggy, err) != 0 ||
        s_conf(p, "objecter_tick_interval", "1", err) != 0 ||
        s_conf(p, "log_to_stderr", "false", err) != 0 ||
        s_conf(p, "err_to_stderr", "false", err) != 0)
        goto fail;
    if ((r = dx_rados.rados_connect(p->cluster)) < 0) {
        if (-r == ETIMEDOUT || -r == ECONNREFUSED) {
            snprintf(err, DX_ERRMSG, "content store unavailable: no Ceph monitor of %s answered "
                     "within %s s", cfg->conf, timeout);
            rv = DX_ERR_UNAVAILABLE;
        } else if (-r == ENOENT) {
            snprintf(err, DX_ERRMSG, "Ceph refused client.%s: no keyring for it (set keyring in "
                     "%s, or check rados-user)", cfg->user, cfg->conf);
        } else {
            snprintf(err, DX_ERRMSG, "Ceph refused client.%s: %s (check rados-user and its "
                     "keyring)", cfg->user, strerror(-r));
        }
        goto fail;
    }
    p->connected = true;
    if ((r = dx_rados.rados_ioctx_create(p->cluster, cfg->pool, &p->io)) < 0) {
        if (-r == ENOENT)
            snprintf(err, DX_ERRMSG, "rados-pool %s: no such pool in the cluster of %s", cfg->pool,
                     cfg->conf);
        else
            snprintf(err, DX_ERRMSG, "rados-pool %s: %s", cfg->pool, s_why(r));
        rv = pool_rados_err(r) == DX_ERR_UNAVAILABLE ? DX_ERR_UNAVAILABLE : DX_ERR_USAGE;
        p->io = NULL;
        goto fail;
    }
    *out = p;
    return 0;
fail:
    pool_close(&p);
    return rv;
}

void pool_close(pool_t **p_p)
{
    pool_t *p = *p_p;
    if (!p)
        return;
    if (p->io) {
        dx_rados.rados_aio_flush(p->io); /* every callback has run */
        void *arg;
        int result;
        while (pool_done_next(p, &arg, &result))
            ;
        dx_rados.rados_ioctx_destroy(p->io);
    }
    if (p->cluster)
        dx_rados.rados_shutdown(p->cluster);
    if (p->wake >= 0)
        close(p->wake);
    pthread_mutex_destroy(&p->lock);
    free(p);
    *p_p = NULL;
}

void pool_chunk_name(uint64_t blob, uint32_t index, char out[POOL_NAME_MAX])
{
    snprintf(out, POOL_NAME_MAX, POOL_PREFIX "%016" PRIx64 ".%08" PRIx32, blob, index);
}

static bool s_hex(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            return false;
        v = v << 4 | (uint64_t)d;
    }
    *out = v;
    return true;
}

bool pool_chunk_parse(const char *name, uint64_t *blob, uint32_t *index)
{
    uint64_t i;
    if (strlen(name) != 28 || strncmp(name, POOL_PREFIX, 3) != 0 || name[19] != '.' ||
        !s_hex(name + 3, 16, blob) || !s_hex(name + 20, 8, &i))
        return false;
    *index = (uint32_t)i;
    return true;
}

static void s_done(rados_completion_t c, void *arg)
{
    pool_op_t *op = arg;
    pool_t *p = op->p;
    op->result = dx_rados.rados_aio_get_return_value(c);
    s_note(p, op->kind, op->result, op->len, op->start_us);
    pthread_mutex_lock(&p->lock);
    if (p->done_tail)
        p->done_tail->next = op;
    else
        p->done = op;
    p->done_tail = op;
    pthread_mutex_unlock(&p->lock);
    uint64_t one = 1;
    if (write(p->wake, &one, sizeof one) < 0) {
        /* the counter is full: the poller is awake already */
    }
}

static void s_op_free(pool_op_t *op)
{
    if (op->c)
        dx_rados.rados_aio_release(op->c);
    if (op->w)
        dx_rados.rados_release_write_op(op->w);
    free(op->data);
    free(op);
}

static int s_start(pool_t *p, int kind, const char *oid, uint8_t *data, size_t len, void *arg)
{
    pool_op_t *op = calloc(1, sizeof *op);
    if (!op) {
        free(data);
        return DX_ERR_NOMEM;
    }
    *op = (pool_op_t){ .p = p, .kind = kind, .data = data, .len = len, .arg = arg,
                       .start_us = dx_mono_us() };
    int r = dx_rados.rados_aio_create_completion2(op, s_done, &op->c);
    if (r < 0)
        goto fail;
    atomic_fetch_add(&p->in_flight, 1);
    if (kind == POOL_WRITE) {
        if (!(op->w = dx_rados.rados_create_write_op())) {
            r = -ENOMEM;
            goto undo;
        }
        dx_rados.rados_write_op_create(op->w, LIBRADOS_CREATE_EXCLUSIVE, NULL);
        dx_rados.rados_write_op_write_full(op->w, (const char *)data, len);
        r = dx_rados.rados_aio_write_op_operate(op->w, p->io, op->c, oid, NULL, 0);
    } else if (kind == POOL_REMOVE) {
        r = dx_rados.rados_aio_remove(p->io, oid, op->c);
    } else {
        r = dx_rados.rados_aio_stat(p->io, oid, op->c, &op->stat_size, &op->stat_mtime);
    }
    if (r >= 0)
        return 0;
undo:
    atomic_fetch_sub(&p->in_flight, 1);
fail:
    s_note(p, kind, r, 0, op->start_us);
    s_op_free(op);
    return pool_rados_err(r);
}

int pool_write_new(pool_t *p, const char *oid, uint8_t *data, size_t len, void *arg)
{
    return s_start(p, POOL_WRITE, oid, data, len, arg);
}

int pool_remove_async(pool_t *p, const char *oid, void *arg)
{
    return s_start(p, POOL_REMOVE, oid, NULL, 0, arg);
}

int pool_ping_async(pool_t *p, void *arg)
{
    return s_start(p, POOL_STAT, "dx.health", NULL, 0, arg);
}

int pool_wake_fd(const pool_t *p)
{
    return p->wake;
}

bool pool_done_next(pool_t *p, void **arg, int *result)
{
    pthread_mutex_lock(&p->lock);
    pool_op_t *op = p->done;
    if (op) {
        p->done = op->next;
        if (!p->done)
            p->done_tail = NULL;
    } else {
        uint64_t n;
        if (read(p->wake, &n, sizeof n) < 0) {
            /* nothing to clear */
        }
    }
    pthread_mutex_unlock(&p->lock);
    if (!op)
        return false;
    *arg = op->arg;
    int r = op->result;
    *result = r >= 0 || (op->kind != POOL_WRITE && r == -ENOENT) ? 0 : pool_rados_err(r);
    atomic_fetch_sub(&p->in_flight, 1);
    s_op_free(op);
    return true;
}

uint64_t pool_in_flight(const pool_t *p)
{
    return atomic_load(&p->in_flight);
}

int pool_read(pool_t *p, const char *oid, uint8_t *buf, size_t cap, size_t *len)
{
    int64_t start = dx_mono_us();
    /* one byte more than fits: an object larger than cap is damage */
    int r = dx_rados.rados_read(p->io, oid, (char *)buf, cap, 0);
    if (r >= 0 && (size_t)r == cap) {
        char extra;
        int x = dx_rados.rados_read(p->io, oid, &extra, 1, cap);
        if (x > 0)
            r = -EFBIG;
        else if (x < 0)
            r = x;
    }
    s_note(p, POOL_READ, r, r > 0 ? (size_t)r : 0, start);
    if (r == -EFBIG)
        return DX_ERR_INTEGRITY;
    if (r < 0)
        return pool_rados_err(r);
    *len = (size_t)r;
    return 0;
}

int pool_remove(pool_t *p, const char *oid)
{
    int64_t start = dx_mono_us();
    int r = dx_rados.rados_remove(p->io, oid);
    s_note(p, POOL_REMOVE, r, 0, start);
    return r == -ENOENT ? 0 : pool_rados_err(r);
}

int pool_each(pool_t *p, pool_each_fn fn, void *arg)
{
    rados_list_ctx_t ctx;
    int r = dx_rados.rados_nobjects_list_open(p->io, &ctx);
    if (r < 0)
        return pool_rados_err(r);
    int rv = 0;
    const char *name;
    while ((r = dx_rados.rados_nobjects_list_next(ctx, &name, NULL, NULL)) == 0) {
        if (strncmp(name, POOL_PREFIX, strlen(POOL_PREFIX)) != 0)
            continue;
        uint64_t size = 0;
        time_t mtime;
        char copy[256];
        snprintf(copy, sizeof copy, "%s", name);
        int s = dx_rados.rados_stat(p->io, copy, &size, &mtime);
        if (s < 0 && s != -ENOENT) {
            rv = pool_rados_err(s);
            break;
        }
        if (s == 0 && (rv = fn(arg, copy, size)) != 0)
            break;
    }
    if (rv == 0 && r != -ENOENT)
        rv = pool_rados_err(r);
    dx_rados.rados_nobjects_list_close(ctx);
    return rv;
}

int pool_probe(pool_t *p, char err[DX_ERRMSG])
{
    char oid[64];
    uint8_t back[16] = { 0 };
    size_t len = 0;
    snprintf(oid, sizeof oid, "dx-probe.%d.%lld", (int)getpid(), (long long)dx_now_ms());
    int r = dx_rados.rados_write_full(p->io, oid, "dx-probe", 8);
    if (r < 0) {
        snprintf(err, DX_ERRMSG, "the pool refused a test write: %s", s_why(r));
        return pool_rados_err(r) == DX_ERR_UNAVAILABLE ? DX_ERR_UNAVAILABLE : DX_ERR_USAGE;
    }
    r = dx_rados.rados_read(p->io, oid, (char *)back, sizeof back, 0);
    len = r > 0 ? (size_t)r : 0;
    int rm = dx_rados.rados_remove(p->io, oid);
    if (r < 0 || len != 8 || memcmp(back, "dx-probe", 8) != 0) {
        snprintf(err, DX_ERRMSG, "the pool's test object did not read back: %s",
                 r < 0 ? s_why(r) : "other bytes");
        return DX_ERR_STORAGE;
    }
    if (rm < 0) {
        snprintf(err, DX_ERRMSG, "the pool refused to remove a test object: %s", s_why(rm));
        return DX_ERR_USAGE;
    }
    return 0;
}

void pool_stats(const pool_t *p, pool_stats_t *out)
{
    memset(out, 0, sizeof *out);
    for (int k = 0; k < POOL_KINDS; k++) {
        out->ok[k] = atomic_load(&p->ok[k]);
        out->failed[k] = atomic_load(&p->failed[k]);
        out->bytes[k] = atomic_load(&p->bytes[k]);
        out->seconds[k] = (double)atomic_load(&p->micros[k]) / 1e6;
        for (int b = 0; b <= POOL_BUCKETS; b++)
            out->buckets[k][b] = atomic_load(&p->buckets[k][b]);
    }
}

int64_t pool_down_since(pool_t *p, char why[DX_ERRMSG])
{
    pthread_mutex_lock(&p->lock);
    int64_t since = p->down_since_ms;
    snprintf(why, DX_ERRMSG, "%s", since ? p->down_why : "");
    pthread_mutex_unlock(&p->lock);
    return since;
}

rados_ioctx_t pool_io(pool_t *p) { return p->io; }

const char *pool_describe(const pool_t *p)
{
    return p->describe;
}
