/* admin_content: dx-admin content check, whether a store's catalog, key
 * slots and content pool agree (content-store rados).
 *
 *   dx-admin content check --data DIR --rados-conf FILE --rados-pool P
 *                          --rados-user U [--timeout S] [--all]
 *
 * Every version that is not erased must have its key slot's row and every
 * chunk as an object of the size its sealed chunk has; every object in the
 * pool named like a chunk must belong to such a version, or be one the
 * broker knows it must still remove (the trash: transfers that never
 * committed, erased versions) or is still writing (staged). Anything else
 * is a disagreement: a missing or resized chunk (damage), or an object no
 * row names (an orphan, which dx's order of writes should never leave).
 * It reads the store read-only and only lists and stats the pool, so it
 * may run beside a live broker (its transfers in progress show as staged).
 * Exit 0 when they agree, 4 when they do not, 2 on bad usage, 1 when the
 * store or the pool cannot be read. */
#include "admin.h"
#include "crypto.h"
#include "names.h"
#include "pool.h"
#include "store.h"
#include "wire.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define PROBLEMS_SHOWN 10
#define SEALED_OVERHEAD (DX_AEAD_NONCE_LEN + DX_AEAD_TAG_LEN)

typedef struct {
    uint64_t blob;
    uint32_t chunks, found;
    uint64_t size;
    uint8_t where;               /* LIVE, STAGED, TRASH */
    char name[DX_NAME_MAX + 24];
} blob_t;

enum { LIVE = 0, STAGED, TRASH };

typedef struct {
    blob_t *b;
    size_t n, cap;
    uint32_t *slots;             /* keyslots rows: slot, then its blob's index below */
    uint64_t *slot_blobs;
    size_t nslots, capslots;
    uint64_t erased, objects, bytes, staged_objects, trash_objects, problems;
    uint64_t shown;              /* DISAGREE lines printed at most (--all: every one) */
} check_t;

static void s_problem(check_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void s_problem(check_t *c, const char *fmt, ...)
{
    if (c->problems++ < c->shown) {
        va_list ap;
        va_start(ap, fmt);
        printf("DISAGREE ");
        vprintf(fmt, ap);
        printf("\n");
        va_end(ap);
    }
}

static blob_t *s_add(check_t *c, uint64_t blob)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 256;
        blob_t *b = realloc(c->b, cap * sizeof *b);
        if (!b)
            return NULL;
        c->b = b;
        c->cap = cap;
    }
    blob_t *b = &c->b[c->n++];
    memset(b, 0, sizeof *b);
    b->blob = blob;
    return b;
}

static int s_cmp(const void *x, const void *y)
{
    uint64_t a = ((const blob_t *)x)->blob, b = ((const blob_t *)y)->blob;
    return a < b ? -1 : a > b;
}

static blob_t *s_find(check_t *c, uint64_t blob)
{
    blob_t key = { .blob = blob };
    return bsearch(&key, c->b, c->n, sizeof *c->b, s_cmp);
}

static int s_slot(void *arg, uint32_t slot, uint64_t blob)
{
    check_t *c = arg;
    if (c->nslots == c->capslots) {
        size_t cap = c->capslots ? 2 * c->capslots : 256;
        uint32_t *s = realloc(c->slots, cap * sizeof *s);
        uint64_t *b = s ? realloc(c->slot_blobs, cap * sizeof *b) : NULL;
        if (s)
            c->slots = s;
        if (!b)
            return DX_ERR_NOMEM;
        c->slot_blobs = b;
        c->capslots = cap;
    }
    c->slots[c->nslots] = slot;
    c->slot_blobs[c->nslots++] = blob;
    return 0;
}

static bool s_slot_names(const check_t *c, uint32_t slot, uint64_t blob)
{
    for (size_t i = 0; i < c->nslots; i++)
        if (c->slots[i] == slot)
            return c->slot_blobs[i] == blob;
    return false;
}

static int s_version(void *arg, const char *name, uint64_t version, store_val_t val)
{
    check_t *c = arg;
    char err[DX_ERRMSG];
    Dx__CatalogEntry *e = NULL;
    if (wire_catalog_decode(val.data, val.len, &e, err) != 0) {
        s_problem(c, "%s@%" PRIu64 ": its catalog entry does not decode: %s", name, version, err);
        return 0;
    }
    if (e->erased) {
        c->erased++;
    } else if (e->chunks > 0) {
        blob_t *b = s_add(c, e->blob);
        if (!b) {
            wire_free(&e);
            return DX_ERR_NOMEM;
        }
        b->chunks = e->chunks;
        b->size = e->size;
        snprintf(b->name, sizeof b->name, "%s@%" PRIu64, name, version);
        if (!e->key_slot || !s_slot_names(c, e->key_slot, e->blob))
            s_problem(c, "%s: its content key slot %u has no row naming its blob", b->name,
                      e->key_slot);
    }
    wire_free(&e);
    return 0;
}

static int s_staged(void *arg, uint64_t blob, uint32_t slot, uint32_t chunks)
{
    (void)slot;
    blob_t *b = s_add(arg, blob);
    if (!b)
        return DX_ERR_NOMEM;
    b->where = STAGED;
    b->chunks = chunks;
    snprintf(b->name, sizeof b->name, "staged blob %" PRIx64, blob);
    return 0;
}

static int s_trashed(void *arg, uint64_t blob, uint32_t chunks)
{
    blob_t *b = s_add(arg, blob);
    if (!b)
        return DX_ERR_NOMEM;
    b->where = TRASH;
    b->chunks = chunks;
    snprintf(b->name, sizeof b->name, "trashed blob %" PRIx64, blob);
    return 0;
}

/* The size a live version's sealed chunk index has. */
static uint64_t s_sealed_size(const blob_t *b, uint32_t index)
{
    uint64_t plain = index + 1 < b->chunks ? DX_CHUNK_SIZE
                                            : b->size - (uint64_t)(b->chunks - 1) * DX_CHUNK_SIZE;
    return plain + SEALED_OVERHEAD;
}

static int s_object(void *arg, const char *name, uint64_t size)
{
    check_t *c = arg;
    uint64_t blob;
    uint32_t index;
    if (!pool_chunk_parse(name, &blob, &index))
        return 0; /* not a chunk's name */
    blob_t *b = s_find(c, blob);
    if (!b) {
        s_problem(c, "object %s: no version, transfer or trash row names its blob (an orphan)", name);
        return 0;
    }
    if (b->where == STAGED) {
        c->staged_objects++;
    } else if (b->where == TRASH) {
        c->trash_objects++;
    } else if (index >= b->chunks) {
        s_problem(c, "object %s: %s has only %u chunks", name, b->name, b->chunks);
    } else if (size != s_sealed_size(b, index)) {
        s_problem(c, "object %s: %s's chunk %u is %" PRIu64 " bytes, not %" PRIu64 " (damaged)",
                  name, b->name, index, size, s_sealed_size(b, index));
    } else {
        b->found++;
        c->objects++;
        c->bytes += size;
    }
    return 0;
}

int admin_content_check(int argc, char **argv)
{
    static const struct option opts[] = { { "data", required_argument, NULL, 'd' },
                                          { "rados-conf", required_argument, NULL, 'c' },
                                          { "rados-pool", required_argument, NULL, 'p' },
                                          { "rados-user", required_argument, NULL, 'u' },
                                          { "timeout", required_argument, NULL, 't' },
                                          { "all", no_argument, NULL, 'a' },
                                          { NULL, 0, NULL, 0 } };
    const char *data = NULL;
    pool_config_t pc = { .timeout_s = 10 };
    bool all = false;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (opt == 'd')
            data = optarg;
        else if (opt == 'a')
            all = true;
        else if (admin_rados_option(opt, optarg, &pc) != 0)
            return admin_usage(stderr, 2);
    }
    if (optind != argc || !data || !pc.conf || !pc.pool || !pc.user || pc.timeout_s <= 0)
        return admin_usage(stderr, 2);
    char err[DX_ERRMSG];
    store_t *s = NULL;
    store_txn_t *t = NULL;
    pool_t *pool = NULL;
    check_t c = { .shown = all ? UINT64_MAX : PROBLEMS_SHOWN };
    int rv = store_open(data, 0, true, &s, err);
    if (rv != 0) {
        fprintf(stderr, "%s: %s\n", admin_prog, err);
        return 1;
    }
    if ((rv = store_begin(s, NULL, false, &t)) != 0 ||
        (rv = store_keyslots_each(t, s_slot, &c)) != 0 ||
        (rv = store_catalog_each(t, "", 0, s_version, &c)) < 0 ||
        (rv = store_staging_each(t, s_staged, &c)) != 0 ||
        (rv = store_trash_each(t, 0, s_trashed, &c)) != 0) {
        fprintf(stderr, "%s: cannot read the store in %s: %s\n", admin_prog, data, dx_strerror(rv));
        rv = 1;
        goto out;
    }
    qsort(c.b, c.n, sizeof *c.b, s_cmp);
    for (size_t i = 1; i < c.n; i++)
        if (c.b[i].blob == c.b[i - 1].blob)
            s_problem(&c, "blob %" PRIx64 " is named twice: by %s and by %s", c.b[i].blob,
                      c.b[i - 1].name, c.b[i].name);
    if ((rv = pool_open(&pc, &pool, err)) != 0) {
        fprintf(stderr, "%s: %s\n", admin_prog, err);
        rv = rv == DX_ERR_USAGE ? 2 : 1;
        goto out;
    }
    if ((rv = pool_each(pool, s_object, &c)) != 0) {
        fprintf(stderr, "%s: cannot list %s: %s\n", admin_prog, pool_describe(pool), dx_strerror(rv));
        rv = 1;
        goto out;
    }
    uint64_t live = 0;
    for (size_t i = 0; i < c.n; i++) {
        if (c.b[i].where != LIVE)
            continue;
        live++;
        if (c.b[i].found != c.b[i].chunks)
            s_problem(&c, "%s: %u of its %u chunks are in the pool (missing: damage, or the pool "
                      "was restored from an older copy)", c.b[i].name, c.b[i].found, c.b[i].chunks);
    }
    size_t staged = 0, trashed = 0;
    for (size_t i = 0; i < c.n; i++) {
        staged += c.b[i].where == STAGED;
        trashed += c.b[i].where == TRASH;
    }
    printf("%s and %s:\n", data, pool_describe(pool));
    printf("  versions with content: %" PRIu64 ", every chunk present (%" PRIu64 " objects, %" PRIu64
           " bytes)%s\n", live, c.objects, c.bytes, c.problems ? " except as said above" : "");
    printf("  erased versions: %" PRIu64 "\n", c.erased);
    printf("  to remove (the trash): %zu blobs, %" PRIu64 " objects left; the broker removes them\n",
           trashed, c.trash_objects);
    printf("  staged (transfers not committed): %zu, %" PRIu64 " objects; collected when the broker "
           "starts, or removed when they end\n", staged, c.staged_objects);
    if (c.problems > c.shown)
        printf("  (%" PRIu64 " disagreements in all; --all prints every one)\n", c.problems);
    printf("%s\n", c.problems ? "DISAGREE: see above" : "agree");
    rv = c.problems ? 4 : 0;
out:
    pool_close(&pool);
    store_abort(&t);
    store_close(&s);
    free(c.b);
    free(c.slots);
    free(c.slot_blobs);
    return rv;
}
