/* store_feed: the feed of new versions and the deliveries (schema 3).
 *
 *   feed        seq(u64 BE) -> name '\0' version(u64 BE) ['E']: every version
 *               in the order it was committed, under the sequence number of
 *               its publish record, and with 'E' every erasure, under its
 *               erase record's; subscribers catch up from a cursor
 *   deliveries  name '\0' version(u64 BE) member '\0' sha256(32) -> Delivery
 *               (protobuf): what a member was sent of a version (the bytes
 *               whose hash it is: the content or a filtered view), and
 *               whether its signed delivery receipt arrived
 *
 * A schema-2 store gets both when it is first opened for writing: the feed
 * is filled from the catalog, in name order under sequence numbers 1..N,
 * which sort before every later publish record (each version had one). */
#include "store_int.h"
#include "names.h"

#include <string.h>

static int s_open(MDB_txn *txn, const char *name, bool readonly, MDB_dbi *dbi)
{
    return mdb_dbi_open(txn, name, readonly ? 0 : MDB_CREATE, dbi);
}

static int s_fill_feed(store_t *s, MDB_txn *txn)
{
    MDB_cursor *c;
    int rc = mdb_cursor_open(txn, s->catalog, &c);
    if (rc != 0)
        return rc;
    MDB_val k, v;
    uint64_t seq = 0;
    uint8_t key[8];
    for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        store_be64(key, ++seq);
        MDB_val fk = { 8, key }, fv = { k.mv_size, k.mv_data };
        if ((rc = mdb_put(txn, s->feed, &fk, &fv, MDB_NOOVERWRITE)) != 0)
            break;
    }
    mdb_cursor_close(c);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int store_feed_open(store_t *s, MDB_txn *txn, uint32_t schema, bool readonly)
{
    int rc;
    if (readonly && schema < 3)
        return 0;
    if ((rc = s_open(txn, "feed", readonly, &s->feed)) != 0 ||
        (rc = s_open(txn, "deliveries", readonly, &s->deliveries)) != 0)
        return rc;
    s->has_feed = true;
    if (schema >= 3)
        return 0;
    return s_fill_feed(s, txn);
}

static size_t s_version_key(uint8_t *key, const char *name, uint64_t version)
{
    size_t n = strlen(name);
    memcpy(key, name, n + 1);
    store_be64(key + n + 1, version);
    return n + 9;
}

int store_feed_put(store_txn_t *t, uint64_t seq, const char *name, uint64_t version, bool erased)
{
    uint8_t key[8], val[DX_NAME_MAX + 10];
    if (!t->s->has_feed)
        return DX_ERR_STORAGE;
    if (strlen(name) > DX_NAME_MAX)
        return DX_ERR_INVALID;
    store_be64(key, seq);
    size_t n = s_version_key(val, name, version);
    if (erased)
        val[n++] = 'E';
    return store_raw_put(t, t->s->feed, key, 8, val, n, MDB_NOOVERWRITE);
}

typedef struct {
    store_feed_fn fn;
    void *arg;
} feed_walk_t;

static int s_feed_one(void *arg, uint64_t seq, store_val_t val)
{
    feed_walk_t *w = arg;
    char name[DX_NAME_MAX + 1];
    /* the name ends at its NUL (it holds none): the rest is the version, and
     * for an erasure one 'E' */
    const uint8_t *nul = memchr(val.data, 0, val.len);
    size_t n = nul ? (size_t)(nul - val.data) : 0;
    bool erased = nul && val.len == n + 10 && val.data[n + 9] == 'E';
    if (!nul || n == 0 || n > DX_NAME_MAX || (val.len != n + 9 && !erased))
        return DX_ERR_STORAGE;
    memcpy(name, val.data, n + 1);
    return w->fn(w->arg, seq, name, store_get64(val.data + n + 1), erased);
}

int store_feed_each(store_txn_t *t, uint64_t after, store_feed_fn fn, void *arg)
{
    if (!t->s->has_feed)
        return 0;
    feed_walk_t w = { fn, arg };
    return store_raw_each64(t, t->s->feed, after, s_feed_one, &w);
}

int store_feed_last(store_txn_t *t, uint64_t *seq)
{
    MDB_cursor *c;
    MDB_val k, v;
    *seq = 0;
    if (!t->s->has_feed)
        return 0;
    int rc = mdb_cursor_open(t->txn, t->s->feed, &c);
    if (rc != 0)
        return store_rc(t->s, rc);
    rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
    if (rc == 0 && k.mv_size == 8)
        *seq = store_get64(k.mv_data);
    mdb_cursor_close(c);
    return rc == MDB_NOTFOUND ? 0 : store_rc(t->s, rc);
}

static int s_delivery_key(uint8_t key[STORE_DELIVERY_KEY_MAX], const char *name, uint64_t version,
                          const char *member, const uint8_t sha[32], size_t *len)
{
    size_t n = strlen(name), m = strlen(member);
    if (n > DX_NAME_MAX || m > DX_ID_MAX)
        return DX_ERR_INVALID;
    size_t off = s_version_key(key, name, version);
    memcpy(key + off, member, m + 1);
    memcpy(key + off + m + 1, sha, 32);
    *len = off + m + 33;
    return 0;
}

int store_delivery_put(store_txn_t *t, const char *name, uint64_t version, const char *member,
                       const uint8_t sha[32], const void *data, size_t len)
{
    uint8_t key[STORE_DELIVERY_KEY_MAX];
    size_t klen;
    int rv;
    if (!t->s->has_feed)
        return DX_ERR_STORAGE;
    if ((rv = s_delivery_key(key, name, version, member, sha, &klen)) != 0)
        return rv;
    return store_raw_put(t, t->s->deliveries, key, klen, data, len, 0);
}

int store_delivery_get(store_txn_t *t, const char *name, uint64_t version, const char *member,
                       const uint8_t sha[32], store_val_t *out)
{
    uint8_t key[STORE_DELIVERY_KEY_MAX];
    size_t klen;
    int rv;
    if (!t->s->has_feed)
        return DX_ERR_NOT_FOUND;
    if ((rv = s_delivery_key(key, name, version, member, sha, &klen)) != 0)
        return rv;
    return store_raw_get(t, t->s->deliveries, key, klen, out);
}

int store_deliveries_after(store_txn_t *t, const char *name, uint64_t version, uint64_t after_version,
                           const char *after_member, const uint8_t after_sha[32],
                           store_delivery_fn fn, void *arg)
{
    uint8_t key[STORE_DELIVERY_KEY_MAX], from[STORE_DELIVERY_KEY_MAX];
    size_t n = strlen(name), plen, flen = 0;
    MDB_cursor *c;
    int rv = 0;
    if (!t->s->has_feed)
        return 0;
    if (n > DX_NAME_MAX)
        return DX_ERR_INVALID;
    /* one version: its key prefix; every version: the name and its NUL */
    plen = version ? s_version_key(key, name, version) : (memcpy(key, name, n + 1), n + 1);
    if (after_member && (rv = s_delivery_key(from, name, after_version, after_member, after_sha,
                                             &flen)) != 0)
        return rv;
    int rc = mdb_cursor_open(t->txn, t->s->deliveries, &c);
    if (rc != 0)
        return store_rc(t->s, rc);
    MDB_val k = after_member ? (MDB_val){ flen, from } : (MDB_val){ plen, key }, v;
    for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
         rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (k.mv_size < plen || memcmp(k.mv_data, key, plen) != 0)
            break;
        if (after_member && k.mv_size == flen && memcmp(k.mv_data, from, flen) == 0)
            continue; /* the cursor's own row */
        store_val_t val = { v.mv_data, v.mv_size };
        if ((rv = fn(arg, val)) != 0)
            break;
    }
    mdb_cursor_close(c);
    if (rv == 0 && rc != 0 && rc != MDB_NOTFOUND)
        rv = store_rc(t->s, rc);
    return rv;
}

int store_deliveries_each(store_txn_t *t, const char *name, uint64_t version,
                          store_delivery_fn fn, void *arg)
{
    return store_deliveries_after(t, name, version, 0, NULL, NULL, fn, arg);
}
