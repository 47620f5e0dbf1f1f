/* dx-check-erasure: after a crash, is every version either wholly intact
 * or wholly erased, and do the catalog, the vault and the log agree?
 * Offline, on a stopped broker's data directory:
 *
 *   - an intact version: its key opens, every chunk opens and the whole
 *     hashes to the catalog's SHA-256, and no erase record names it;
 *   - an erased version: no key slot, and exactly one "ok" erase record
 *     names it (with the catalog's hash);
 *   - the vault holds every key the store's keyslots rows name; keys it
 *     holds beyond those are ORPHANS (a crash between an erasure's commit
 *     and the overwriting of its slots; the next start zeroes them).
 *
 *   dx-check-erasure DIR (--master-key FILE | --key FILE)
 * Prints "INTACT ERASED ORPHANS" and exits 0 when all agree; else names the
 * first disagreement and exits 1. */
#include "broker.h"
#include "master_key.h"
#include "vault.h"
#include "wire.h"
#include "content.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ERASED 200000

typedef struct {
    char name[DX_NAME_MAX + 1];
    uint64_t version;
    uint8_t sha[32];
    int count;
} erasure_t;

typedef struct {
    broker_t *b;
    store_txn_t *t;
    uint8_t *plain;              /* one opened chunk */
    erasure_t *er;
    size_t ner;
    uint64_t intact, erased, keyed;
    char problem[600];
} verdict_t;

static int s_record(void *arg, uint64_t seq, store_val_t val)
{
    verdict_t *c = arg;
    char err[DX_ERRMSG];
    Dx__AuditRecord *r = NULL;
    (void)seq;
    if (wire_audit_decode(val.data, val.len, &r, err) != 0)
        return snprintf(c->problem, sizeof c->problem, "record %llu: %s", (unsigned long long)seq, err), 1;
    if (strcmp(r->event, "erase") == 0 && strcmp(r->decision, "ok") == 0) {
        size_t i;
        for (i = 0; i < c->ner; i++)
            if (strcmp(c->er[i].name, r->dataset) == 0 && c->er[i].version == r->version)
                break;
        if (i == c->ner && c->ner < MAX_ERASED) {
            snprintf(c->er[i].name, sizeof c->er[i].name, "%s", r->dataset);
            c->er[i].version = r->version;
            memcpy(c->er[i].sha, r->sha256.data, r->sha256.len == 32 ? 32 : 0);
            c->ner++;
        }
        if (i < c->ner)
            c->er[i].count++;
    }
    wire_free(&r);
    return 0;
}

static erasure_t *s_find(verdict_t *c, const char *name, uint64_t version)
{
    for (size_t i = 0; i < c->ner; i++)
        if (c->er[i].version == version && strcmp(c->er[i].name, name) == 0)
            return &c->er[i];
    return NULL;
}

static int s_entry(void *arg, const char *name, uint64_t version, store_val_t val)
{
    verdict_t *c = arg;
    char err[DX_ERRMSG];
    Dx__CatalogEntry *e = NULL;
    if (wire_catalog_decode(val.data, val.len, &e, err) != 0)
        return snprintf(c->problem, sizeof c->problem, "%s@%llu: %s", name, (unsigned long long)version, err), 1;
    erasure_t *er = s_find(c, name, version);
    int stop = 0;
    if (e->erased) {
        if (!er || er->count != 1 || e->key_slot || memcmp(er->sha, e->sha256.data, 32) != 0)
            stop = snprintf(c->problem, sizeof c->problem, "%s@%llu is marked erased but %s", name,
                            (unsigned long long)version,
                            !er ? "no erase record names it" : er->count != 1 ? "several erase records name it"
                            : e->key_slot ? "still has a key slot" : "its record has another hash");
        c->erased++;
    } else if (er) {
        stop = snprintf(c->problem, sizeof c->problem, "%s@%llu has an erase record but is intact",
                        name, (unsigned long long)version);
    } else {
        content_key_t ck;
        uint8_t digest[32];
        dx_sha256_t *h = NULL;
        int rv = content_key_open(c->b, e, &ck);
        if (rv == 0)
            rv = dx_sha256_new(&h);
        for (uint32_t i = 0; rv == 0 && i < e->chunks; i++) {
            const uint8_t *data;
            size_t len;
            if ((rv = content_get(c->b, c->t, &ck, e->blob, i, e->chunks, c->plain, &data, &len)) == 0)
                rv = dx_sha256_update(h, data, len);
        }
        if (rv == 0)
            rv = dx_sha256_final(h, digest);
        dx_sha256_destroy(&h);
        if (rv != 0 || memcmp(digest, e->sha256.data, 32) != 0)
            stop = snprintf(c->problem, sizeof c->problem, "%s@%llu is neither erased nor whole: %s",
                            name, (unsigned long long)version, rv ? dx_strerror(rv) : "another hash");
        c->keyed += ck.slot != 0;
        content_key_wipe(&ck);
        c->intact++;
    }
    wire_free(&e);
    return stop ? 1 : 0;
}

static int s_slot(void *arg, uint32_t slot, uint64_t blob)
{
    verdict_t *c = arg;
    uint8_t key[VAULT_KEY_LEN];
    int rv = vault_key(c->b->vault, slot, blob, key);
    dx_wipe(key, sizeof key);
    if (rv != 0)
        return snprintf(c->problem, sizeof c->problem, "keyslots row %u has no key in the vault", slot), 1;
    return 0;
}

int main(int argc, char **argv)
{
    char err[DX_ERRMSG];
    broker_t b;
    verdict_t c = { .b = &b };
    memset(&b, 0, sizeof b);
    if (argc != 4)
        return 2;
    bool file = strcmp(argv[2], "--master-key") == 0;
    dx_keypair_t broker;
    if (!file && dx_keys_read_secret(argv[3], &broker, err) != 0)
        return fprintf(stderr, "%s\n", err), 1;
    dx_master_loc_t loc = { file ? argv[3] : NULL, NULL, file ? NULL : &broker, NULL };
    if (store_open(argv[1], 0, true, &b.store, err) != 0 ||
        vault_open(argv[1], &loc, true, NULL, &b.vault, err) != 0)
        return fprintf(stderr, "%s\n", err), 1;
    if (!(c.plain = malloc(CONTENT_BUF)) || !(c.er = calloc(MAX_ERASED, sizeof *c.er)) ||
        store_begin(b.store, NULL, false, &c.t) != 0)
        return 1;
    int rv = store_audit_each(c.t, 0, s_record, &c);
    if (rv == 0)
        rv = store_catalog_each(c.t, "", 0, s_entry, &c);
    if (rv == 0)
        rv = store_keyslots_each(c.t, s_slot, &c);
    uint64_t held = vault_count(b.vault);
    if (rv == 0 && !c.problem[0] && held < c.keyed)
        snprintf(c.problem, sizeof c.problem, "the vault holds %llu keys, the intact versions need %llu",
                 (unsigned long long)held, (unsigned long long)c.keyed);
    store_abort(&c.t);
    vault_close(&b.vault);
    store_close(&b.store);
    free(c.plain);
    free(c.er);
    if (c.problem[0] || rv != 0) {
        fprintf(stderr, "dx-check-erasure: %s\n", c.problem[0] ? c.problem : dx_strerror(rv));
        return 1;
    }
    printf("%llu %llu %llu\n", (unsigned long long)c.intact, (unsigned long long)c.erased,
           (unsigned long long)(held - c.keyed));
    return 0;
}
