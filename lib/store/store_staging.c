/* store_staging: blobs whose chunks are not, or no longer, a version's.
 * The staging table (a transfer's blob, named before its chunks are
 * written; its row goes in the transaction that commits the version) and,
 * for chunks in a content pool, the trash (schema 6: blobs whose objects
 * must be removed); the blob numbers of each start. */
#include "store_int.h"

#include <string.h>

int store_staging_put(store_txn_t *t, uint64_t blob, int64_t created_ms, uint32_t slot,
                      uint32_t chunks)
{
    uint8_t key[8], val[16];
    store_be64(key, blob);
    store_be64(val, (uint64_t)created_ms);
    for (int i = 0; i < 4; i++) {
        val[8 + i] = (uint8_t)(slot >> (24 - 8 * i));
        val[12 + i] = (uint8_t)(chunks >> (24 - 8 * i));
    }
    return store_raw_put(t, t->s->staging, key, 8, val, 16, 0);
}

int store_staging_delete(store_txn_t *t, uint64_t blob)
{
    uint8_t key[8];
    store_be64(key, blob);
    int rv = store_raw_del(t, t->s->staging, key, 8);
    return rv == DX_ERR_NOT_FOUND ? 0 : rv;
}

int store_staging_drop(store_txn_t *t, uint64_t blob, bool trash, uint32_t *slot)
{
    uint8_t key[8];
    store_val_t v;
    uint32_t chunks = 0;
    *slot = 0;
    store_be64(key, blob);
    int rv = store_raw_get(t, t->s->staging, key, 8, &v);
    if (rv == DX_ERR_NOT_FOUND)
        return 0;
    if (rv != 0)
        return rv;
    if (v.len != 12 && v.len != 16)
        return DX_ERR_STORAGE;
    if (v.len == 16)
        chunks = store_get32(v.data + 12);
    /* a row of schema 5 or older: its chunks were in LMDB */
    *slot = store_get32(v.data + 8);
    if (*slot && (rv = store_keyslot_delete(t, *slot)) != 0)
        return rv;
    if (trash && chunks && (rv = store_trash_put(t, blob, chunks)) != 0)
        return rv;
    if ((rv = store_content_delete(t, blob)) == 0)
        rv = store_staging_delete(t, blob);
    return rv;
}

int store_staging_collect(store_txn_t *t, bool trash, uint64_t *count)
{
    *count = 0;
    for (;;) {
        uint64_t blob;
        uint32_t slot;
        int rv = store_last_key64(t, t->s->staging, &blob);
        if (rv != 0)
            return rv;
        MDB_stat st;
        int rc = mdb_stat(t->txn, t->s->staging, &st);
        if (rc != 0)
            return store_rc(t->s, rc);
        if (st.ms_entries == 0)
            return 0;
        /* the key slot itself is zeroed when the vault opens */
        if ((rv = store_staging_drop(t, blob, trash, &slot)) != 0)
            return rv;
        (*count)++;
    }
}

typedef struct {
    store_staging_fn fn;
    void *arg;
} staging_walk_t;

static int s_staging_row(void *arg, uint64_t blob, store_val_t v)
{
    staging_walk_t *w = arg;
    if (v.len != 12 && v.len != 16)
        return DX_ERR_STORAGE;
    return w->fn(w->arg, blob, store_get32(v.data + 8), v.len == 16 ? store_get32(v.data + 12) : 0);
}

int store_staging_each(store_txn_t *t, store_staging_fn fn, void *arg)
{
    staging_walk_t w = { fn, arg };
    return store_raw_each64(t, t->s->staging, 0, s_staging_row, &w);
}

int store_blob_next(store_txn_t *t, uint32_t salt, uint64_t *next)
{
    uint64_t a, b, boots = 0;
    store_val_t v;
    int rv;
    if ((rv = store_last_key64(t, t->s->content, &a)) != 0 ||
        (rv = store_last_key64(t, t->s->staging, &b)) != 0)
        return rv;
    if ((rv = store_meta_get(t, "boots", &v)) == 0 && v.len == 8)
        boots = store_get64(v.data);
    else if (rv != 0 && rv != DX_ERR_NOT_FOUND)
        return rv;
    boots++;
    uint8_t be[8];
    store_be64(be, boots);
    if ((rv = store_meta_put(t, "boots", be, 8)) != 0)
        return rv;
    uint64_t used = a > b ? a : b, first = boots << 32 | (salt & 0x7fffffffu);
    *next = used + 1 > first ? used + 1 : first;
    return 0;
}

int store_trash_put(store_txn_t *t, uint64_t blob, uint32_t chunks)
{
    uint8_t key[8], val[4];
    if (!t->s->trash)
        return DX_ERR_UNSUPPORTED;
    store_be64(key, blob);
    for (int i = 0; i < 4; i++)
        val[i] = (uint8_t)(chunks >> (24 - 8 * i));
    return store_raw_put(t, t->s->trash, key, 8, val, 4, 0);
}

int store_trash_delete(store_txn_t *t, uint64_t blob)
{
    uint8_t key[8];
    if (!t->s->trash)
        return DX_ERR_UNSUPPORTED;
    store_be64(key, blob);
    int rv = store_raw_del(t, t->s->trash, key, 8);
    return rv == DX_ERR_NOT_FOUND ? 0 : rv;
}

typedef struct {
    store_trash_fn fn;
    void *arg;
} trash_walk_t;

static int s_trash_row(void *arg, uint64_t blob, store_val_t v)
{
    trash_walk_t *w = arg;
    if (v.len != 4)
        return DX_ERR_STORAGE;
    uint32_t chunks = (uint32_t)v.data[0] << 24 | (uint32_t)v.data[1] << 16 |
                      (uint32_t)v.data[2] << 8 | v.data[3];
    return w->fn(w->arg, blob, chunks);
}

int store_trash_each(store_txn_t *t, uint64_t after, store_trash_fn fn, void *arg)
{
    if (!t->s->trash)
        return 0;
    trash_walk_t w = { fn, arg };
    return store_raw_each64(t, t->s->trash, after, s_trash_row, &w);
}
