/* store: LMDB layout, transactions and error mapping (see store.h). */
#include "store.h"
#include "store_int.h"
#include "log.h"
#include "names.h"

#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define MAGIC "dx-store"
#define DX_INDEX_KEY_MAX 240
#define DISK_LOW (1024 * 1024)   /* free bytes below which a write error means full */

/* LMDB reports a write that a full disk cut short as EIO, like a failing
 * disk; what is left free on the file system tells the two apart. */
static bool s_disk_full(store_t *s)
{
    mdb_filehandle_t fd;
    struct statvfs v;
    return mdb_env_get_fd(s->env, &fd) == 0 && fstatvfs(fd, &v) == 0 &&
           (uint64_t)v.f_bavail * v.f_frsize < DISK_LOW;
}

int store_rc(store_t *s, int rc)
{
    if (rc == 0)
        return 0;
    if (rc == MDB_NOTFOUND)
        return DX_ERR_NOT_FOUND;
    if (rc == EIO && s_disk_full(s))
        rc = ENOSPC;
    snprintf(s->error, sizeof s->error, "%s", mdb_strerror(rc));
    if (rc == MDB_MAP_FULL || rc == ENOSPC || rc == EDQUOT)
        return DX_ERR_FULL;
    return DX_ERR_STORAGE;
}

const char *store_last_error(const store_t *s) { return s->error; }

/* Where LMDB mapped the data file: LMDB does not say (me_mapaddr is only
 * set with MDB_FIXEDMAP), so find the mapping of the file's inode. Without
 * it store_release() does nothing, which is safe. */
static void s_find_map(store_t *s)
{
    int fd;
    struct stat st;
    if (mdb_env_get_fd(s->env, &fd) != 0 || fstat(fd, &st) != 0)
        return;
    FILE *maps = fopen("/proc/self/maps", "r");
    if (!maps)
        return;
    char line[512];
    while (fgets(line, sizeof line, maps)) {
        unsigned long start, end, offset, inode;
        char perms[8];
        unsigned dev_major, dev_minor;
        if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu", &start, &end, perms, &offset, &dev_major,
                   &dev_minor, &inode) != 7)
            continue;
        if (inode == st.st_ino && offset == 0 && makedev(dev_major, dev_minor) == st.st_dev &&
            end - start >= 4096 * 2) {
            s->map_start = start;
            s->map_end = end;
            break;
        }
    }
    fclose(maps);
}

int store_open(const char *dir, uint64_t map_size, bool readonly, store_t **out,
               char err[DX_ERRMSG])
{
    store_t *s = calloc(1, sizeof *s);
    MDB_txn *txn = NULL;
    uint32_t schema = STORE_SCHEMA_VERSION;
    int rc;
    *out = NULL;
    if (!s) {
        snprintf(err, DX_ERRMSG, "out of memory");
        return DX_ERR_NOMEM;
    }
    s->readonly = readonly;
    if (!readonly && mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, DX_ERRMSG, "cannot create data directory %s: %s", dir, strerror(errno));
        free(s);
        return DX_ERR_IO;
    }
    if ((rc = mdb_env_create(&s->env)) != 0)
        goto fail;
    if ((rc = mdb_env_set_maxdbs(s->env, 32)) != 0)
        goto fail;
    if ((rc = mdb_env_set_maxreaders(s->env, 256)) != 0)
        goto fail;
    if (!readonly && (rc = mdb_env_set_mapsize(s->env, map_size)) != 0)
        goto fail;
    /* MDB_NOTLS: read transactions are not tied to threads, so the broker
     * can read while it holds the write transaction. */
    unsigned flags = MDB_NOTLS | (readonly ? MDB_RDONLY : 0);
    if ((rc = mdb_env_open(s->env, dir, flags, 0600)) != 0)
        goto fail;
    if ((rc = mdb_txn_begin(s->env, NULL, readonly ? MDB_RDONLY : 0, &txn)) != 0)
        goto fail;
    unsigned dbflags = readonly ? 0 : MDB_CREATE;
    if ((rc = mdb_dbi_open(txn, "meta", dbflags, &s->meta)) != 0 ||
        (rc = mdb_dbi_open(txn, "catalog", dbflags, &s->catalog)) != 0 ||
        (rc = mdb_dbi_open(txn, "content", dbflags, &s->content)) != 0 ||
        (rc = mdb_dbi_open(txn, "staging", dbflags, &s->staging)) != 0 ||
        (rc = mdb_dbi_open(txn, "nonces", dbflags, &s->nonces)) != 0 ||
        (rc = mdb_dbi_open(txn, "audit", dbflags, &s->audit)) != 0 ||
        (rc = mdb_dbi_open(txn, "tree", dbflags, &s->tree)) != 0 ||
        (rc = mdb_dbi_open(txn, "heads", dbflags, &s->heads)) != 0 ||
        (rc = mdb_dbi_open(txn, "by_member", dbflags, &s->by_member)) != 0 ||
        (rc = mdb_dbi_open(txn, "by_path", dbflags, &s->by_path)) != 0) {
        if (rc == MDB_NOTFOUND) {
            snprintf(err, DX_ERRMSG, "%s is not a dx data directory", dir);
            mdb_txn_abort(txn);
            mdb_env_close(s->env);
            free(s);
            return DX_ERR_NOT_FOUND;
        }
        goto fail;
    }
    MDB_val k = { 5, "magic" }, v;
    rc = mdb_get(txn, s->meta, &k, &v);
    if (rc == MDB_NOTFOUND && !readonly) {
        uint8_t sch4[4] = { 0, 0, 0, STORE_SCHEMA_VERSION };
        MDB_val mv = { strlen(MAGIC), MAGIC }, sk = { 6, "schema" }, sv = { 4, sch4 };
        if ((rc = mdb_put(txn, s->meta, &k, &mv, 0)) != 0 ||
            (rc = mdb_put(txn, s->meta, &sk, &sv, 0)) != 0)
            goto fail;
    } else if (rc != 0) {
        goto fail;
    } else {
        MDB_val sk = { 6, "schema" }, sv;
        if (v.mv_size != strlen(MAGIC) || memcmp(v.mv_data, MAGIC, v.mv_size) != 0 ||
            mdb_get(txn, s->meta, &sk, &sv) != 0 || sv.mv_size != 4) {
            snprintf(err, DX_ERRMSG, "%s is not a dx data directory", dir);
            rc = -1;
            goto fail_msg;
        }
        const uint8_t *sch = sv.mv_data;
        uint32_t version = (uint32_t)sch[0] << 24 | (uint32_t)sch[1] << 16 | (uint32_t)sch[2] << 8 | sch[3];
        if (version > STORE_SCHEMA_VERSION || version < 2) {
            snprintf(err, DX_ERRMSG, "%s has store schema %u; this dx reads schemas 2 to %d", dir,
                     version, STORE_SCHEMA_VERSION);
            rc = -1;
            goto fail_msg;
        }
        schema = version;
    }
    uint8_t sch_now[4] = { 0, 0, 0, STORE_SCHEMA_VERSION };
    MDB_val sch_k = { 6, "schema" }, sch_v = { 4, sch_now };
    if ((rc = store_feed_open(s, txn, schema, readonly)) != 0 ||
        (rc = store_keys_open(s, txn, schema, readonly)) != 0 ||
        (!readonly && schema < STORE_SCHEMA_VERSION && (rc = mdb_put(txn, s->meta, &sch_k, &sch_v, 0)) != 0)) {
        snprintf(err, DX_ERRMSG, "cannot bring the store in %s to schema %d: %s", dir,
                 STORE_SCHEMA_VERSION, rc < 0 ? "a catalog entry is corrupt" : mdb_strerror(rc));
        goto fail_msg;
    }
    if ((rc = mdb_txn_commit(txn)) != 0) {
        txn = NULL;
        goto fail;
    }
    s->page = sysconf(_SC_PAGESIZE);
    s_find_map(s);
    *out = s;
    return 0;
fail:
    snprintf(err, DX_ERRMSG, "cannot open the store in %s: %s", dir, mdb_strerror(rc));
fail_msg:
    if (txn)
        mdb_txn_abort(txn);
    mdb_env_close(s->env);
    free(s);
    return rc == MDB_MAP_FULL ? DX_ERR_FULL : DX_ERR_STORAGE;
}

void store_close(store_t **s_p)
{
    if (!s_p || !*s_p)
        return;
    mdb_env_close((*s_p)->env);
    free(*s_p);
    *s_p = NULL;
}

int store_begin(store_t *s, store_txn_t *parent, bool write, store_txn_t **out)
{
    store_txn_t *t = calloc(1, sizeof *t);
    if (!t)
        return DX_ERR_NOMEM;
    t->s = s;
    t->parent = parent;
    if (parent)
        store_capture_reserved(parent);
    int rc = mdb_txn_begin(s->env, parent ? parent->txn : NULL, write ? 0 : MDB_RDONLY, &t->txn);
    if (rc != 0) {
        free(t);
        return store_rc(s, rc);
    }
    *out = t;
    return 0;
}

int store_commit(store_txn_t **t_p)
{
    store_txn_t *t = *t_p;
    int rv = store_capture_commit(t);
    if (rv != 0) {
        store_abort(t_p);
        return rv;
    }
    int rc = mdb_txn_commit(t->txn); /* frees the txn even on failure */
    rv = store_rc(t->s, rc);
    store_capture_free(t);
    free(t);
    *t_p = NULL;
    return rv;
}

void store_abort(store_txn_t **t_p)
{
    if (!t_p || !*t_p)
        return;
    mdb_txn_abort((*t_p)->txn);
    store_capture_free(*t_p);
    free(*t_p);
    *t_p = NULL;
}

int store_raw_get(store_txn_t *t, MDB_dbi dbi, const void *key, size_t klen, store_val_t *out)
{
    MDB_val k = { klen, (void *)key }, v;
    int rc = mdb_get(t->txn, dbi, &k, &v);
    if (rc == 0) {
        out->data = v.mv_data;
        out->len = v.mv_size;
    }
    return store_rc(t->s, rc);
}

int store_raw_put(store_txn_t *t, MDB_dbi dbi, const void *key, size_t klen, const void *data,
                 size_t len, unsigned flags)
{
    MDB_val k = { klen, (void *)key }, v = { len, (void *)data };
    store_capture_reserved(t); /* before LMDB may move the reserved bytes */
    int rc = mdb_put(t->txn, dbi, &k, &v, flags);
    if (rc == 0)
        store_capture(t, STORE_OP_PUT, dbi, key, klen, data, len);
    return store_rc(t->s, rc);
}

int store_raw_del(store_txn_t *t, MDB_dbi dbi, const void *key, size_t klen)
{
    MDB_val k = { klen, (void *)key };
    store_capture_reserved(t);
    int rc = mdb_del(t->txn, dbi, &k, NULL);
    if (rc == 0)
        store_capture(t, STORE_OP_DEL, dbi, key, klen, NULL, 0);
    return store_rc(t->s, rc);
}

int store_meta_get(store_txn_t *t, const char *key, store_val_t *out)
{
    return store_raw_get(t, t->s->meta, key, strlen(key), out);
}

int store_meta_put(store_txn_t *t, const char *key, const void *data, size_t len)
{
    return store_raw_put(t, t->s->meta, key, strlen(key), data, len, 0);
}

/* name '\0' version: the versions of a name sort together, in order. */
size_t store_catalog_key(uint8_t key[256], const char *name, uint64_t version)
{
    size_t n = strlen(name);
    memcpy(key, name, n + 1);
    store_be64(key + n + 1, version);
    return n + 9;
}

int store_catalog_put(store_txn_t *t, const char *name, uint64_t version, const void *data, size_t len)
{
    uint8_t key[256];
    if (strlen(name) > 240)
        return DX_ERR_INVALID;
    size_t klen = store_catalog_key(key, name, version);
    return store_raw_put(t, t->s->catalog, key, klen, data, len, MDB_NOOVERWRITE);
}

int store_catalog_get(store_txn_t *t, const char *name, uint64_t version, store_val_t *out)
{
    uint8_t key[256];
    if (strlen(name) > 240)
        return DX_ERR_INVALID;
    size_t klen = store_catalog_key(key, name, version);
    return store_raw_get(t, t->s->catalog, key, klen, out);
}

int store_catalog_latest(store_txn_t *t, const char *name, uint64_t *version)
{
    uint8_t key[256];
    MDB_cursor *c;
    if (strlen(name) > 240)
        return DX_ERR_INVALID;
    size_t n = strlen(name), klen = store_catalog_key(key, name, UINT64_MAX);
    int rc = mdb_cursor_open(t->txn, t->s->catalog, &c);
    if (rc != 0)
        return store_rc(t->s, rc);
    MDB_val k = { klen, key }, v;
    rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    if (rc == 0)
        rc = mdb_cursor_get(c, &k, &v, MDB_PREV);
    else if (rc == MDB_NOTFOUND)
        rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
    int rv = store_rc(t->s, rc);
    if (rv == 0) {
        if (k.mv_size == n + 9 && memcmp(k.mv_data, name, n + 1) == 0)
            *version = store_get64((const uint8_t *)k.mv_data + n + 1);
        else
            rv = DX_ERR_NOT_FOUND;
    }
    mdb_cursor_close(c);
    return rv;
}

int store_catalog_each_latest(store_txn_t *t, const char *prefix, const char *after,
                              store_catalog_fn fn, void *arg)
{
    /* Keys are name NUL version(BE): all versions of a name sort together,
     * the latest last, and names with one prefix form one range. Each name
     * costs two seeks, whatever its number of versions. */
    size_t plen = strlen(prefix);
    uint8_t seek[DX_NAME_MAX + 10];
    MDB_cursor *c;
    int rc = mdb_cursor_open(t->txn, t->s->catalog, &c);
    if (rc != 0)
        return store_rc(t->s, rc);
    MDB_val k, v;
    const char *from = strcmp(after, prefix) > 0 ? after : prefix;
    size_t flen = strlen(from);
    if (flen > DX_NAME_MAX) {
        mdb_cursor_close(c);
        return DX_ERR_INVALID;
    }
    memcpy(seek, from, flen);
    if (from == after) {
        /* just past every version of `after` */
        seek[flen] = '\0';
        memset(seek + flen + 1, 0xff, 8);
        k = (MDB_val){ flen + 9, seek };
    } else {
        k = (MDB_val){ flen, seek };
    }
    int rv = 0;
    /* LMDB takes no empty key to seek to: from the first, then */
    rc = mdb_cursor_get(c, &k, &v, k.mv_size ? MDB_SET_RANGE : MDB_FIRST);
    while (rc == 0) {
        const uint8_t *key = k.mv_data;
        size_t nlen = k.mv_size - 9;
        char name[DX_NAME_MAX + 1];
        if (k.mv_size < 10 || nlen > DX_NAME_MAX || key[nlen] != '\0') {
            rv = DX_ERR_STORAGE;
            break;
        }
        if (nlen < plen || memcmp(key, prefix, plen) != 0)
            break; /* past the prefix's range */
        memcpy(name, key, nlen + 1);
        memcpy(seek, name, nlen + 1);
        memset(seek + nlen + 1, 0xff, 8);
        MDB_val past = { nlen + 9, seek };
        rc = mdb_cursor_get(c, &past, &v, MDB_SET_RANGE);
        bool end = rc == MDB_NOTFOUND;
        if (rc != 0 && !end)
            break;
        if ((rc = mdb_cursor_get(c, &k, &v, end ? MDB_LAST : MDB_PREV)) != 0)
            break;
        store_val_t val = { v.mv_data, v.mv_size };
        if ((rv = fn(arg, name, store_get64((const uint8_t *)k.mv_data + nlen + 1), val)) != 0)
            break;
        if (end) {
            rc = MDB_NOTFOUND;
            break;
        }
        rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(c);
    if (rv == 0 && rc != 0 && rc != MDB_NOTFOUND)
        rv = store_rc(t->s, rc);
    return rv;
}

static void s_content_key(uint8_t key[12], uint64_t blob, uint32_t index)
{
    store_be64(key, blob);
    key[8] = (uint8_t)(index >> 24);
    key[9] = (uint8_t)(index >> 16);
    key[10] = (uint8_t)(index >> 8);
    key[11] = (uint8_t)index;
}

int store_content_put(store_txn_t *t, uint64_t blob, uint32_t index, const void *data, size_t len)
{
    uint8_t key[12];
    s_content_key(key, blob, index);
    return store_raw_put(t, t->s->content, key, sizeof key, data, len, 0);
}

int store_content_get(store_txn_t *t, uint64_t blob, uint32_t index, store_val_t *out)
{
    uint8_t key[12];
    s_content_key(key, blob, index);
    return store_raw_get(t, t->s->content, key, sizeof key, out);
}

int store_content_delete(store_txn_t *t, uint64_t blob)
{
    uint8_t key[12];
    MDB_cursor *c;
    s_content_key(key, blob, 0);
    store_capture_reserved(t);
    int rc = mdb_cursor_open(t->txn, t->s->content, &c);
    if (rc != 0)
        return store_rc(t->s, rc);
    MDB_val k = { sizeof key, key }, v;
    rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && k.mv_size == 12 && memcmp(k.mv_data, key, 8) == 0) {
        uint8_t gone[12];
        memcpy(gone, k.mv_data, 12);
        if ((rc = mdb_cursor_del(c, 0)) != 0)
            break;
        store_capture(t, STORE_OP_DEL, t->s->content, gone, 12, NULL, 0);
        rc = mdb_cursor_get(c, &k, &v, MDB_GET_CURRENT);
        if (rc == EINVAL || rc == MDB_NOTFOUND) /* deleted the last item */
            break;
    }
    mdb_cursor_close(c);
    return rc == MDB_NOTFOUND || rc == EINVAL ? 0 : store_rc(t->s, rc);
}

int store_last_key64(store_txn_t *t, MDB_dbi dbi, uint64_t *out)
{
    MDB_cursor *c;
    int rc = mdb_cursor_open(t->txn, dbi, &c);
    *out = 0;
    if (rc != 0)
        return store_rc(t->s, rc);
    MDB_val k, v;
    rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
    if (rc == 0 && k.mv_size >= 8)
        *out = store_get64(k.mv_data);
    mdb_cursor_close(c);
    return rc == MDB_NOTFOUND ? 0 : store_rc(t->s, rc);
}

static size_t s_nonce_key(uint8_t key[64], const char *publisher, const uint8_t nonce[16])
{
    size_t n = strlen(publisher);
    memcpy(key, publisher, n + 1);
    memcpy(key + n + 1, nonce, 16);
    return n + 17;
}

int store_nonce_get(store_txn_t *t, const char *publisher, const uint8_t nonce[16], store_val_t *out)
{
    uint8_t key[64];
    if (strlen(publisher) > 40)
        return DX_ERR_INVALID;
    return store_raw_get(t, t->s->nonces, key, s_nonce_key(key, publisher, nonce), out);
}

int store_nonce_put(store_txn_t *t, const char *publisher, const uint8_t nonce[16],
                    const void *data, size_t len)
{
    uint8_t key[64];
    if (strlen(publisher) > 40)
        return DX_ERR_INVALID;
    return store_raw_put(t, t->s->nonces, key, s_nonce_key(key, publisher, nonce), data, len,
                 MDB_NOOVERWRITE);
}

int store_audit_put(store_txn_t *t, uint64_t seq, const void *data, size_t len)
{
    uint8_t key[8];
    store_be64(key, seq);
    /* MDB_APPEND: records only ever go at the end. */
    return store_raw_put(t, t->s->audit, key, 8, data, len, MDB_NOOVERWRITE | MDB_APPEND);
}

int store_audit_get(store_txn_t *t, uint64_t seq, store_val_t *out)
{
    uint8_t key[8];
    store_be64(key, seq);
    return store_raw_get(t, t->s->audit, key, 8, out);
}

int store_audit_last(store_txn_t *t, uint64_t *seq)
{
    return store_last_key64(t, t->s->audit, seq);
}

/* Calls fn for each entry of a database keyed by u64 (BE) past `after`,
 * in key order, until fn returns non-zero (which is returned). */
int store_raw_each64(store_txn_t *t, MDB_dbi dbi, uint64_t after,
                    int (*fn)(void *arg, uint64_t key, store_val_t val), void *arg)
{
    MDB_cursor *c;
    uint8_t key[8];
    int rc = mdb_cursor_open(t->txn, dbi, &c);
    if (rc != 0)
        return store_rc(t->s, rc);
    store_be64(key, after + 1);
    MDB_val k = { 8, key }, v;
    int rv = 0;
    for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
         rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        store_val_t val = { v.mv_data, v.mv_size };
        if (k.mv_size != 8) {
            rv = DX_ERR_STORAGE;
            break;
        }
        if ((rv = fn(arg, store_get64(k.mv_data), val)) != 0)
            break;
    }
    mdb_cursor_close(c);
    if (rv == 0 && rc != 0 && rc != MDB_NOTFOUND)
        rv = store_rc(t->s, rc);
    return rv;
}

int store_audit_each(store_txn_t *t, uint64_t after, store_audit_fn fn, void *arg)
{
    return store_raw_each64(t, t->s->audit, after, fn, arg);
}

int store_tree_put(store_txn_t *t, unsigned level, uint64_t index, const uint8_t hash[32])
{
    uint8_t key[9];
    key[0] = (uint8_t)level;
    store_be64(key + 1, index);
    return store_raw_put(t, t->s->tree, key, sizeof key, hash, 32, 0);
}

int store_tree_get(store_txn_t *t, unsigned level, uint64_t index, uint8_t out[32])
{
    uint8_t key[9];
    store_val_t v = { NULL, 0 };
    key[0] = (uint8_t)level;
    store_be64(key + 1, index);
    int rv = store_raw_get(t, t->s->tree, key, sizeof key, &v);
    if (rv == 0 && v.len != 32)
        rv = DX_ERR_STORAGE;
    if (rv == 0)
        memcpy(out, v.data, 32);
    return rv;
}

int store_head_put(store_txn_t *t, uint64_t size, const void *text, size_t len)
{
    uint8_t key[8];
    store_be64(key, size);
    return store_raw_put(t, t->s->heads, key, 8, text, len, 0);
}

int store_head_get(store_txn_t *t, uint64_t size, store_val_t *out)
{
    uint8_t key[8];
    store_be64(key, size);
    return store_raw_get(t, t->s->heads, key, 8, out);
}

int store_heads_each(store_txn_t *t, uint64_t after, store_head_fn fn, void *arg)
{
    return store_raw_each64(t, t->s->heads, after, fn, arg);
}

int store_head_last(store_txn_t *t, uint64_t *size)
{
    return store_last_key64(t, t->s->heads, size);
}

static MDB_dbi s_index_dbi(store_t *s, enum store_index which)
{
    return which == STORE_BY_MEMBER ? s->by_member : s->by_path;
}

int store_index_put(store_txn_t *t, enum store_index which, const char *key, uint64_t seq)
{
    uint8_t k[DX_INDEX_KEY_MAX + 9];
    size_t n = strlen(key);
    if (n > DX_INDEX_KEY_MAX)
        return DX_ERR_INVALID;
    memcpy(k, key, n + 1);
    store_be64(k + n + 1, seq);
    return store_raw_put(t, s_index_dbi(t->s, which), k, n + 9, "", 0, 0);
}

int store_index_each(store_txn_t *t, enum store_index which, const char *key, uint64_t after,
                     store_seq_fn fn, void *arg)
{
    uint8_t k[DX_INDEX_KEY_MAX + 9];
    size_t n = strlen(key);
    MDB_cursor *c;
    if (n > DX_INDEX_KEY_MAX)
        return DX_ERR_INVALID;
    memcpy(k, key, n + 1);
    store_be64(k + n + 1, after + 1);
    int rc = mdb_cursor_open(t->txn, s_index_dbi(t->s, which), &c);
    if (rc != 0)
        return store_rc(t->s, rc);
    MDB_val mk = { n + 9, k }, v;
    int rv = 0;
    for (rc = mdb_cursor_get(c, &mk, &v, MDB_SET_RANGE); rc == 0;
         rc = mdb_cursor_get(c, &mk, &v, MDB_NEXT)) {
        if (mk.mv_size != n + 9 || memcmp(mk.mv_data, k, n + 1) != 0)
            break; /* past this key's postings */
        if ((rv = fn(arg, store_get64((const uint8_t *)mk.mv_data + n + 1))) != 0)
            break;
    }
    mdb_cursor_close(c);
    if (rv == 0 && rc != 0 && rc != MDB_NOTFOUND)
        rv = store_rc(t->s, rc);
    return rv;
}

void store_release(store_t *s, const void *data, size_t len)
{
    uintptr_t start = (uintptr_t)data, end = start + len;
    if (len == 0 || start < s->map_start || end > s->map_end || s->page <= 0)
        return;
    /* Only whole pages inside the value. The map is read-only and shared:
     * dropping our mapping of clean pages loses nothing. */
    uintptr_t page = (uintptr_t)s->page;
    uintptr_t first = (start + page - 1) & ~(page - 1), last = end & ~(page - 1);
    if (last > first)
        madvise((void *)first, last - first, MADV_DONTNEED);
}

int store_usage(store_t *s, uint64_t *used, uint64_t *map)
{
    MDB_envinfo info;
    MDB_stat st;
    int rc = mdb_env_info(s->env, &info);
    if (rc == 0)
        rc = mdb_env_stat(s->env, &st);
    if (rc != 0)
        return store_rc(s, rc);
    *used = ((uint64_t)info.me_last_pgno + 1) * st.ms_psize;
    *map = (uint64_t)info.me_mapsize;
    return 0;
}
