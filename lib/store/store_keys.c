/* store_keys: what encryption at rest and erasure need of the store
 * (schema 4): the keyslots table (slot -> blob: which content key slots of
 * the vault are in use), sealed chunks written straight into the map, and
 * catalog entries rewritten and walked in full (an erasure marks an entry;
 * the retention sweep looks at every version).
 *
 * Also the policies table (schema 5): every policy set that was in force,
 * by its hash, for auditors; and the stamps table (schema 7): RFC 3161
 * tokens over stored heads.
 *
 * A schema-3 store gets an empty keyslots table when first opened for
 * writing: its versions were stored before encryption at rest, and their
 * catalog entries say so (no key slot); they are served as they are. */
#include "store_int.h"
#include "names.h"

#include <string.h>

int store_keys_open(store_t *s, MDB_txn *txn, uint32_t schema, bool readonly)
{
    int rc = 0;
    if (!(readonly && schema < 4))
        rc = mdb_dbi_open(txn, "keyslots", readonly ? 0 : MDB_CREATE, &s->keyslots);
    if (rc == 0 && !(readonly && schema < 5))
        rc = mdb_dbi_open(txn, "policies", readonly ? 0 : MDB_CREATE, &s->policies);
    if (rc == 0 && !(readonly && schema < 6))
        rc = mdb_dbi_open(txn, "trash", readonly ? 0 : MDB_CREATE, &s->trash);
    if (rc == 0 && !(readonly && schema < 7))
        rc = mdb_dbi_open(txn, "stamps", readonly ? 0 : MDB_CREATE, &s->stamps);
    return rc;
}

int store_policy_put(store_txn_t *t, const uint8_t sha[32], const void *archive, size_t len)
{
    if (!t->s->policies)
        return DX_ERR_UNSUPPORTED;
    store_val_t v;
    int rv = store_raw_get(t, t->s->policies, sha, 32, &v);
    if (rv != DX_ERR_NOT_FOUND)
        return rv; /* kept already (0), or a failure */
    return store_raw_put(t, t->s->policies, sha, 32, archive, len, MDB_NOOVERWRITE);
}

int store_policy_get(store_txn_t *t, const uint8_t sha[32], store_val_t *out)
{
    if (!t->s->policies)
        return DX_ERR_NOT_FOUND;
    return store_raw_get(t, t->s->policies, sha, 32, out);
}

static void s_slot_key(uint8_t key[4], uint32_t slot)
{
    for (int i = 0; i < 4; i++)
        key[i] = (uint8_t)(slot >> (24 - 8 * i));
}

int store_keyslot_put(store_txn_t *t, uint32_t slot, uint64_t blob)
{
    uint8_t key[4], val[8];
    if (!t->s->keyslots)
        return DX_ERR_UNSUPPORTED;
    s_slot_key(key, slot);
    store_be64(val, blob);
    return store_raw_put(t, t->s->keyslots, key, 4, val, 8, 0);
}

int store_keyslot_delete(store_txn_t *t, uint32_t slot)
{
    uint8_t key[4];
    if (!t->s->keyslots)
        return 0;
    s_slot_key(key, slot);
    int rv = store_raw_del(t, t->s->keyslots, key, 4);
    return rv == DX_ERR_NOT_FOUND ? 0 : rv;
}

int store_keyslots_each(store_txn_t *t, store_keyslot_fn fn, void *arg)
{
    MDB_cursor *c;
    if (!t->s->keyslots)
        return 0;
    int rc = mdb_cursor_open(t->txn, t->s->keyslots, &c), rv = 0;
    if (rc != 0)
        return store_rc(t->s, rc);
    MDB_val k, v;
    for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (k.mv_size != 4 || v.mv_size != 8) {
            rv = DX_ERR_STORAGE;
            break;
        }
        const uint8_t *p = k.mv_data;
        uint32_t slot = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        if ((rv = fn(arg, slot, store_get64(v.mv_data))) != 0)
            break;
    }
    mdb_cursor_close(c);
    if (rv == 0 && rc != MDB_NOTFOUND)
        rv = store_rc(t->s, rc);
    return rv;
}

int store_content_reserve(store_txn_t *t, uint64_t blob, uint32_t index, size_t len, uint8_t **out)
{
    uint8_t key[12];
    store_be64(key, blob);
    for (int i = 0; i < 4; i++)
        key[8 + i] = (uint8_t)(index >> (24 - 8 * i));
    MDB_val k = { sizeof key, key }, v = { len, NULL };
    store_capture_reserved(t);
    int rc = mdb_put(t->txn, t->s->content, &k, &v, MDB_RESERVE);
    if (rc == 0) {
        *out = v.mv_data;
        if (t->s->journal) { /* captured once written: at the next operation or the commit */
            memcpy(t->reserved_key, key, sizeof key);
            t->reserved = v.mv_data;
            t->reserved_len = len;
        }
    }
    return store_rc(t->s, rc);
}

int store_catalog_replace(store_txn_t *t, const char *name, uint64_t version, const void *data,
                          size_t len)
{
    uint8_t key[256];
    store_val_t old;
    if (strlen(name) > 240)
        return DX_ERR_INVALID;
    size_t klen = store_catalog_key(key, name, version);
    int rv = store_raw_get(t, t->s->catalog, key, klen, &old);
    if (rv == 0)
        rv = store_raw_put(t, t->s->catalog, key, klen, data, len, 0);
    return rv;
}

int store_catalog_each(store_txn_t *t, const char *after_name, uint64_t after_version,
                       store_catalog_fn fn, void *arg)
{
    uint8_t seek[256];
    MDB_cursor *c;
    if (strlen(after_name) > 240)
        return DX_ERR_INVALID;
    int rc = mdb_cursor_open(t->txn, t->s->catalog, &c), rv = 0;
    if (rc != 0)
        return store_rc(t->s, rc);
    MDB_val k = { store_catalog_key(seek, after_name, after_version), seek }, v;
    rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    /* past the position itself, when it is an entry */
    if (rc == 0 && after_name[0] && k.mv_size == strlen(after_name) + 9 &&
        memcmp(k.mv_data, seek, k.mv_size) == 0)
        rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
    for (; rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        const uint8_t *key = k.mv_data;
        size_t nlen = k.mv_size - 9;
        char name[DX_NAME_MAX + 1];
        if (k.mv_size < 10 || nlen > DX_NAME_MAX || key[nlen] != '\0') {
            rv = DX_ERR_STORAGE;
            break;
        }
        memcpy(name, key, nlen + 1);
        store_val_t val = { v.mv_data, v.mv_size };
        if ((rv = fn(arg, name, store_get64(key + nlen + 1), val)) != 0)
            break;
    }
    mdb_cursor_close(c);
    if (rv == 0 && rc != MDB_NOTFOUND)
        rv = store_rc(t->s, rc);
    return rv;
}

int store_stamp_put(store_txn_t *t, uint64_t size, const void *token, size_t len)
{
    uint8_t key[8];
    if (!t->s->stamps)
        return DX_ERR_UNSUPPORTED;
    store_be64(key, size);
    return store_raw_put(t, t->s->stamps, key, 8, token, len, 0);
}

int store_stamp_get(store_txn_t *t, uint64_t size, store_val_t *out)
{
    uint8_t key[8];
    if (!t->s->stamps)
        return DX_ERR_NOT_FOUND;
    store_be64(key, size);
    return store_raw_get(t, t->s->stamps, key, 8, out);
}

int store_stamp_last(store_txn_t *t, uint64_t *size)
{
    *size = 0;
    return t->s->stamps ? store_last_key64(t, t->s->stamps, size) : 0;
}

int store_stamps_each(store_txn_t *t, uint64_t after, store_head_fn fn, void *arg)
{
    return t->s->stamps ? store_raw_each64(t, t->s->stamps, after, fn, arg) : 0;
}
