/* store_int: what the store's files share (store.c: the environment and
 * the first databases; store_feed.c: the feed of new versions and the
 * deliveries; store_keys.c: key slots, sealed chunks, policies;
 * store_staging.c: staging, the trash, blob numbers). Nothing outside
 * lib/store/ includes it. */
#ifndef DX_STORE_INT_H
#define DX_STORE_INT_H

#include "store.h"

#include <lmdb.h>
#include <stdbool.h>

struct store {
    MDB_env *env;
    MDB_dbi meta, catalog, content, staging, nonces, audit, tree, heads, by_member, by_path;
    MDB_dbi feed, deliveries;   /* schema 3; 0 in a read-only schema-2 store */
    MDB_dbi keyslots;           /* schema 4; 0 in a read-only older store */
    MDB_dbi policies;           /* schema 5; 0 in a read-only older store */
    MDB_dbi trash;              /* schema 6; 0 in a read-only older store */
    MDB_dbi stamps;             /* schema 7; 0 in a read-only older store */
    bool has_feed;
    bool readonly;
    store_journal_fn journal;   /* set: write transactions are captured */
    void *journal_arg;
    uintptr_t map_start, map_end;
    long page;
    char error[200];
};

struct store_txn {
    store_t *s;
    MDB_txn *txn;
    store_txn_t *parent;
    /* store_journal.c: the puts and deletes of a write transaction while
     * a journal is set, merged into the parent when a nested one commits */
    uint8_t *ops;
    size_t ops_len, ops_cap;
    bool ops_failed;            /* a capture ran out of room: never commit */
    uint8_t reserved_key[12];   /* a content reservation not yet captured */
    uint8_t *reserved;
    size_t reserved_len;
};

static inline void store_be64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static inline void store_be32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static inline uint32_t store_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t store_get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

/* The dx_err for an LMDB return code (the text kept for store_last_error). */
int store_rc(store_t *s, int rc);
int store_raw_get(store_txn_t *t, MDB_dbi dbi, const void *key, size_t klen, store_val_t *out);
int store_raw_put(store_txn_t *t, MDB_dbi dbi, const void *key, size_t klen, const void *data,
                  size_t len, unsigned flags);
/* fn for each value under an 8-byte key > after, in order. */
int store_raw_each64(store_txn_t *t, MDB_dbi dbi, uint64_t after,
                     int (*fn)(void *arg, uint64_t key, store_val_t val), void *arg);
/* Opens the databases added in schema 3 and fills them from what schema 2
 * kept (store_feed.c); readonly: absent ones stay 0. */
int store_feed_open(store_t *s, MDB_txn *txn, uint32_t schema, bool readonly);
/* Opens the keyslots, policies, trash and stamps tables (store_keys.c). */
int store_keys_open(store_t *s, MDB_txn *txn, uint32_t schema, bool readonly);
/* A delete that the journal sees; DX_ERR_NOT_FOUND when nothing was there. */
int store_raw_del(store_txn_t *t, MDB_dbi dbi, const void *key, size_t klen);
/* store_journal.c: captures a put or delete (no-op without a journal), and
 * a content reservation once its bytes are written. */
void store_capture(store_txn_t *t, int kind, MDB_dbi dbi, const void *key, size_t klen,
                   const void *val, size_t vlen);
void store_capture_reserved(store_txn_t *t);
/* At commit: a nested transaction's capture goes to its parent; the top
 * one's to the journal function. Non-zero: do not commit. */
int store_capture_commit(store_txn_t *t);
void store_capture_free(store_txn_t *t);
/* The last 8-byte key of a database (0 when empty). */
int store_last_key64(store_txn_t *t, MDB_dbi dbi, uint64_t *out);
/* The catalog key of name@version; its length. */
size_t store_catalog_key(uint8_t key[256], const char *name, uint64_t version);

#endif
