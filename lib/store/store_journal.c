/* store_journal: what a write transaction changed, captured for a broker
 * group's journal, and applied again elsewhere (see store.h). */
#include "store.h"
#include "store_int.h"

#include <lmdb.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define OP_HEAD 10   /* kind, table, key length, value length */

/* The tables by number: the numbers are in every journal entry, so they
 * only ever grow (a new table takes the next one). */
static const struct {
    const char *name;
    size_t offset;
} s_tables[] = {
    { "meta", offsetof(store_t, meta) },         { "catalog", offsetof(store_t, catalog) },
    { "content", offsetof(store_t, content) },   { "staging", offsetof(store_t, staging) },
    { "nonces", offsetof(store_t, nonces) },     { "audit", offsetof(store_t, audit) },
    { "tree", offsetof(store_t, tree) },         { "heads", offsetof(store_t, heads) },
    { "by_member", offsetof(store_t, by_member) }, { "by_path", offsetof(store_t, by_path) },
    { "feed", offsetof(store_t, feed) },         { "deliveries", offsetof(store_t, deliveries) },
    { "keyslots", offsetof(store_t, keyslots) }, { "policies", offsetof(store_t, policies) },
    { "trash", offsetof(store_t, trash) },       { "stamps", offsetof(store_t, stamps) },
};
#define NTABLES (sizeof s_tables / sizeof s_tables[0])

static MDB_dbi s_dbi(const store_t *s, size_t table)
{
    return *(const MDB_dbi *)((const char *)s + s_tables[table].offset);
}

static int s_table(const store_t *s, MDB_dbi dbi)
{
    for (size_t i = 0; i < NTABLES; i++)
        if (s_dbi(s, i) == dbi)
            return (int)i;
    return -1;
}

static bool s_room(store_txn_t *t, size_t extra)
{
    if (t->ops_failed)
        return false;
    if (t->ops_len + extra > STORE_JOURNAL_ENTRY_MAX) {
        t->ops_failed = true;
        return false;
    }
    if (t->ops_len + extra <= t->ops_cap)
        return true;
    size_t cap = t->ops_cap ? t->ops_cap : 4096;
    while (cap < t->ops_len + extra)
        cap *= 2;
    uint8_t *ops = realloc(t->ops, cap);
    if (!ops) {
        t->ops_failed = true;
        return false;
    }
    t->ops = ops;
    t->ops_cap = cap;
    return true;
}

static void s_append(store_txn_t *t, uint8_t kind, uint8_t table, const void *key, size_t klen,
                     const void *val, size_t vlen)
{
    if (!s_room(t, OP_HEAD + klen + vlen))
        return;
    uint8_t *p = t->ops + t->ops_len;
    p[0] = kind, p[1] = table;
    store_be32(p + 2, (uint32_t)klen);
    store_be32(p + 6, (uint32_t)vlen);
    memcpy(p + OP_HEAD, key, klen);
    if (vlen)
        memcpy(p + OP_HEAD + klen, val, vlen);
    t->ops_len += OP_HEAD + klen + vlen;
}

void store_capture_reserved(store_txn_t *t)
{
    if (!t->reserved)
        return;
    uint8_t *data = t->reserved;
    t->reserved = NULL;
    s_append(t, STORE_OP_PUT, (uint8_t)s_table(t->s, t->s->content), t->reserved_key, 12, data,
             t->reserved_len);
}

void store_capture(store_txn_t *t, int kind, MDB_dbi dbi, const void *key, size_t klen,
                   const void *val, size_t vlen)
{
    if (!t->s->journal)
        return;
    store_capture_reserved(t);
    int table = s_table(t->s, dbi);
    if (table < 0) {
        t->ops_failed = true; /* a table the journal cannot name */
        return;
    }
    s_append(t, (uint8_t)kind, (uint8_t)table, key, klen, val, vlen);
}

int store_journal_note(store_txn_t *t, uint8_t kind, uint32_t id, const void *data, size_t len)
{
    if (!t->s->journal)
        return 0;
    uint8_t key[4];
    store_be32(key, id);
    store_capture_reserved(t);
    s_append(t, STORE_OP_NOTE, kind, key, 4, data, len);
    return t->ops_failed ? DX_ERR_TOO_BIG : 0;
}

int store_capture_commit(store_txn_t *t)
{
    store_capture_reserved(t);
    if (t->ops_failed)
        return DX_ERR_TOO_BIG;
    if (t->parent) {
        if (t->ops_len && s_room(t->parent, t->ops_len)) {
            memcpy(t->parent->ops + t->parent->ops_len, t->ops, t->ops_len);
            t->parent->ops_len += t->ops_len;
        }
        return t->parent->ops_failed ? DX_ERR_TOO_BIG : 0;
    }
    if (!t->s->journal || t->ops_len == 0)
        return 0;
    return t->s->journal(t->s->journal_arg, t, t->ops, t->ops_len);
}

void store_capture_free(store_txn_t *t)
{
    free(t->ops);
    t->ops = NULL;
    t->ops_len = t->ops_cap = 0;
}

void store_journal_set(store_t *s, store_journal_fn fn, void *arg)
{
    s->journal = fn;
    s->journal_arg = arg;
}

/* Reads the operation at *off into op; false at a malformed one. */
static bool s_next(const uint8_t *ops, size_t len, size_t *off, store_op_t *op)
{
    if (len - *off < OP_HEAD)
        return false;
    const uint8_t *p = ops + *off;
    size_t klen = store_get32(p + 2), vlen = store_get32(p + 6);
    if (klen > len - *off - OP_HEAD || vlen > len - *off - OP_HEAD - klen)
        return false;
    *op = (store_op_t){ p[0], p[1], "", p + OP_HEAD, p + OP_HEAD + klen, klen, vlen };
    *off += OP_HEAD + klen + vlen;
    if (op->kind == STORE_OP_NOTE)
        return op->klen == 4;
    if ((op->kind != STORE_OP_PUT && op->kind != STORE_OP_DEL) || op->table >= NTABLES ||
        klen == 0 || klen > 511 || (op->kind == STORE_OP_DEL && vlen != 0))
        return false;
    op->name = s_tables[op->table].name;
    return true;
}

int store_journal_each(const uint8_t *ops, size_t len, store_op_fn fn, void *arg)
{
    store_op_t op;
    for (size_t off = 0; off < len;) {
        if (!s_next(ops, len, &off, &op))
            return DX_ERR_INTEGRITY;
        int rv = fn ? fn(arg, &op) : 0;
        if (rv != 0)
            return rv;
    }
    return 0;
}

typedef struct {
    store_txn_t *t;
    store_op_fn fn;
    void *arg;
} applying_t;

static int s_check(void *arg, const store_op_t *op)
{
    const store_t *s = arg;
    return op->kind == STORE_OP_NOTE || s_dbi(s, op->table) != 0 ? 0 : DX_ERR_INTEGRITY;
}

static int s_apply(void *arg, const store_op_t *op)
{
    applying_t *a = arg;
    int rv = a->fn ? a->fn(a->arg, op) : 0;
    if (rv != 0 || op->kind == STORE_OP_NOTE)
        return rv;
    MDB_val k = { op->klen, (void *)op->key }, v = { op->vlen, (void *)op->val };
    MDB_dbi dbi = s_dbi(a->t->s, op->table);
    int rc = op->kind == STORE_OP_PUT ? mdb_put(a->t->txn, dbi, &k, &v, 0)
                                      : mdb_del(a->t->txn, dbi, &k, NULL);
    return rc == MDB_NOTFOUND ? 0 : store_rc(a->t->s, rc);
}

int store_journal_apply(store_txn_t *t, const uint8_t *ops, size_t len, store_op_fn fn, void *arg)
{
    int rv = store_journal_each(ops, len, s_check, t->s);
    if (rv != 0)
        return rv;
    applying_t a = { t, fn, arg };
    return store_journal_each(ops, len, s_apply, &a);
}

int store_journal_mark(store_txn_t *t, const void *pos, size_t len)
{
    MDB_val k = { 7, "journal" }, v = { len, (void *)pos };
    return store_rc(t->s, mdb_put(t->txn, t->s->meta, &k, &v, 0));
}

int store_journal_position(store_txn_t *t, store_val_t *out)
{
    return store_meta_get(t, "journal", out);
}
