/* content: sealing and opening stored chunks, and their keys' lifetimes. */
#include "content.h"
#include "broker.h"
#include "log.h"
#include "vault.h"
#include "wire.h"
#include "batch.h"
#include "pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void s_aad(uint64_t blob, uint32_t index, uint32_t count, uint8_t aad[27])
{
    memcpy(aad, "dx-chunk-v1", 11);
    for (int i = 0; i < 8; i++)
        aad[11 + i] = (uint8_t)(blob >> (56 - 8 * i));
    for (int i = 0; i < 4; i++) {
        aad[19 + i] = (uint8_t)(index >> (24 - 8 * i));
        aad[23 + i] = (uint8_t)(count >> (24 - 8 * i));
    }
}

typedef struct {
    broker_t *b;
    size_t n;
    uint32_t slots[];
} wipe_t;

static void s_wipe(wipe_t *w)
{
    int rv = 0;
    for (size_t i = 0; i < w->n; i++)
        if (vault_wipe(w->b->vault, w->slots[i]) != 0)
            rv = DX_ERR_IO;
    if (rv != 0 || vault_sync(w->b->vault) != 0)
        dx_error("content-keys-not-wiped",
                 "cannot overwrite %zu content key(s) in the vault: they are zeroed at the next "
                 "start", w->n);
    free(w);
}

/* An erasure's keys go once the erasure is durable; kept when it is undone. */
static void s_wipe_if_done(void *arg, int status)
{
    if (status == 0)
        s_wipe(arg);
    else
        free(arg);
}

/* A new key goes when its publish is undone (its row never committed). */
static void s_wipe_if_undone(void *arg, int status)
{
    if (status != 0)
        s_wipe(arg);
    else
        free(arg);
}

static wipe_t *s_wipe_new(broker_t *b, const uint32_t *slots, size_t n)
{
    wipe_t *w = malloc(sizeof *w + n * sizeof w->slots[0]);
    if (w) {
        w->b = b;
        w->n = n;
        memcpy(w->slots, slots, n * sizeof w->slots[0]);
    }
    return w;
}

int content_key_new(broker_t *b, store_txn_t *t, uint64_t blob, content_key_t *ck)
{
    memset(ck, 0, sizeof *ck);
    int rv = vault_create(b->vault, blob, &ck->slot, ck->key);
    if (rv != 0)
        return rv;
    wipe_t *w = s_wipe_new(b, &ck->slot, 1);
    if (!w || (rv = batch_defer(b->batch, s_wipe_if_undone, w)) != 0) {
        free(w);
        vault_wipe(b->vault, ck->slot);
        content_key_wipe(ck);
        return rv ? rv : DX_ERR_NOMEM;
    }
    /* the slot's sealed bytes go in a broker group's journal entry with the row */
    uint8_t sealed[VAULT_SLOT];
    if ((rv = vault_slot_read(b->vault, ck->slot, sealed)) != 0 ||
        (rv = store_journal_note(t, STORE_NOTE_KEYSLOT, ck->slot, sealed, sizeof sealed)) != 0 ||
        (rv = store_keyslot_put(t, ck->slot, blob)) != 0)
        content_key_wipe(ck); /* the request is undone: s_wipe_if_undone frees the slot */
    return rv;
}

int content_key_open(broker_t *b, const Dx__CatalogEntry *e, content_key_t *ck)
{
    memset(ck, 0, sizeof *ck);
    if (e->key_slot == 0)
        return 0;
    int rv = vault_key(b->vault, e->key_slot, e->blob, ck->key);
    if (rv == 0)
        ck->slot = e->key_slot;
    return rv;
}

void content_key_wipe(content_key_t *ck)
{
    dx_wipe(ck, sizeof *ck);
}

int content_put(store_txn_t *t, const content_key_t *ck, uint64_t blob, uint32_t index,
                uint32_t count, const void *data, size_t len)
{
    if (ck->slot == 0)
        return store_content_put(t, blob, index, data, len);
    uint8_t *out, aad[27];
    int rv = store_content_reserve(t, blob, index, len + CONTENT_OVERHEAD, &out);
    if (rv != 0)
        return rv;
    s_aad(blob, index, count, aad);
    if ((rv = dx_random(out, DX_AEAD_NONCE_LEN)) == 0)
        rv = dx_aead_seal(ck->key, out, aad, sizeof aad, data, len, out + DX_AEAD_NONCE_LEN,
                          out + DX_AEAD_NONCE_LEN + len);
    return rv;
}

/* A chunk read from the pool into buf, opened in place. */
static int s_get_remote(broker_t *b, const content_key_t *ck, uint64_t blob, uint32_t index,
                        uint32_t count, uint8_t *buf, const uint8_t **data, size_t *len)
{
    char oid[POOL_NAME_MAX], why[DX_ERRMSG];
    uint8_t aad[27];
    size_t got = 0;
    /* While Ceph is known to be away, a read fails at once rather than
     * hold its reader (and the lists and queries queued behind it) for the
     * whole timeout; the writer's ping says when it is back. */
    if (pool_down_since(b->pool, why))
        return DX_ERR_UNAVAILABLE;
    pool_chunk_name(blob, index, oid);
    int rv = pool_read(b->pool, oid, buf, CONTENT_BUF, &got);
    if (rv != 0)
        return rv;
    if (ck->slot == 0 || got < CONTENT_OVERHEAD)
        return DX_ERR_INTEGRITY; /* the pool holds sealed chunks only */
    size_t n = got - CONTENT_OVERHEAD;
    s_aad(blob, index, count, aad);
    uint8_t *text = buf + DX_AEAD_NONCE_LEN;
    if ((rv = dx_aead_open(ck->key, buf, aad, sizeof aad, text, n, text + n, text)) != 0)
        return rv;
    *data = text;
    *len = n;
    return 0;
}

int content_get(broker_t *b, store_txn_t *t, const content_key_t *ck, uint64_t blob,
                uint32_t index, uint32_t count, uint8_t *buf, const uint8_t **data, size_t *len)
{
    if (b->pool)
        return s_get_remote(b, ck, blob, index, count, buf, data, len);
    store_val_t v;
    uint8_t aad[27];
    int rv = store_content_get(t, blob, index, &v);
    if (rv != 0)
        return rv;
    if (ck->slot == 0) {
        *data = v.data;
        *len = v.len;
        return 0; /* the caller releases the pages */
    }
    if (v.len < CONTENT_OVERHEAD || v.len - CONTENT_OVERHEAD > DX_CHUNK_SIZE)
        return DX_ERR_INTEGRITY;
    size_t n = v.len - CONTENT_OVERHEAD;
    s_aad(blob, index, count, aad);
    rv = dx_aead_open(ck->key, v.data, aad, sizeof aad, v.data + DX_AEAD_NONCE_LEN, n,
                      v.data + DX_AEAD_NONCE_LEN + n, buf);
    store_release(b->store, v.data, v.len);
    if (rv == 0) {
        *data = buf;
        *len = n;
    }
    return rv;
}

void content_release(broker_t *b, const uint8_t *buf, const uint8_t *data, size_t len)
{
    if (data && (data < buf || data >= buf + CONTENT_BUF))
        store_release(b->store, data, len);
}

int content_seal(const content_key_t *ck, uint64_t blob, uint32_t index, uint32_t count,
                 const void *data, size_t len, uint8_t **out, size_t *out_len)
{
    uint8_t aad[27], *sealed = malloc(len + CONTENT_OVERHEAD);
    if (!sealed)
        return DX_ERR_NOMEM;
    s_aad(blob, index, count, aad);
    int rv = dx_random(sealed, DX_AEAD_NONCE_LEN);
    if (rv == 0)
        rv = dx_aead_seal(ck->key, sealed, aad, sizeof aad, data, len, sealed + DX_AEAD_NONCE_LEN,
                          sealed + DX_AEAD_NONCE_LEN + len);
    if (rv != 0) {
        free(sealed);
        return rv;
    }
    *out = sealed;
    *out_len = len + CONTENT_OVERHEAD;
    return 0;
}

int content_write(broker_t *b, uint64_t blob, uint32_t index, uint8_t *sealed, size_t len, void *arg)
{
    char oid[POOL_NAME_MAX];
    pool_chunk_name(blob, index, oid);
    return pool_write_new(b->pool, oid, sealed, len, arg);
}

int content_drop(broker_t *b, store_txn_t *t, uint64_t blob, uint32_t chunks)
{
    if (b->pool)
        return chunks ? store_trash_put(t, blob, chunks) : 0;
    return store_content_delete(t, blob);
}

void content_unavailable(broker_t *b, char out[DX_ERRMSG])
{
    char why[DX_ERRMSG];
    if (!b->pool || !pool_down_since(b->pool, why))
        snprintf(why, sizeof why, "Ceph did not answer in time");
    snprintf(out, DX_ERRMSG, "content store unavailable: %s; nothing was stored or sent, try "
             "again later", why);
}

int content_keys_destroy_after(broker_t *b, const uint32_t *slots, size_t n)
{
    if (n == 0)
        return 0;
    wipe_t *w = s_wipe_new(b, slots, n);
    if (!w)
        return DX_ERR_NOMEM;
    int rv = batch_defer(b->batch, s_wipe_if_done, w);
    if (rv != 0)
        free(w);
    return rv;
}
