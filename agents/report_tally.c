/* report_tally: open addressing on FNV-1a, names copied once (report_tally.h). */
#include "report_tally.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    tally_entry_t e;
    bool used, gone;
} slot_t;

struct tally {
    slot_t *slots;
    size_t nslots, used, tombs, cap;
    bool overflowed;
    uint64_t total;
};

static uint64_t s_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return h;
}

tally_t *tally_new(size_t cap)
{
    tally_t *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->cap = cap;
    t->nslots = 64;
    if (!(t->slots = calloc(t->nslots, sizeof *t->slots))) {
        free(t);
        return NULL;
    }
    return t;
}

void tally_free(tally_t **t_p)
{
    tally_t *t = *t_p;
    if (!t)
        return;
    for (size_t i = 0; i < t->nslots; i++)
        if (t->slots[i].used) {
            free((char *)t->slots[i].e.name);
            free(t->slots[i].e.value);
        }
    free(t->slots);
    free(t);
    *t_p = NULL;
}

static slot_t *s_find(slot_t *slots, size_t n, const char *name, bool for_insert)
{
    slot_t *tomb = NULL;
    for (size_t i = s_hash(name) & (n - 1);; i = (i + 1) & (n - 1)) {
        slot_t *s = &slots[i];
        if (!s->used) {
            if (s->gone) {
                if (!tomb)
                    tomb = s;
                continue;
            }
            return for_insert ? (tomb ? tomb : s) : NULL;
        }
        if (strcmp(s->e.name, name) == 0)
            return s;
    }
}

/* A table of n slots with the live entries, tombstones dropped. */
static int s_rehash(tally_t *t, size_t n)
{
    slot_t *slots = calloc(n, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < t->nslots; i++)
        if (t->slots[i].used)
            *s_find(slots, n, t->slots[i].e.name, true) = t->slots[i];
    free(t->slots);
    t->slots = slots;
    t->nslots = n;
    t->tombs = 0;
    return 0;
}

tally_entry_t *tally_add_n(tally_t *t, const char *name, uint64_t count, uint64_t bytes, int64_t when_ms)
{
    slot_t *s = s_find(t->slots, t->nslots, name, false);
    if (!s) {
        if (t->used >= t->cap && strcmp(name, TALLY_OTHER) != 0) {
            t->overflowed = true;
            return tally_add_n(t, TALLY_OTHER, count, bytes, when_ms);
        }
        /* at most half full, tombstones counted: probes stay short, and
         * always end at an empty slot */
        if ((t->used + t->tombs + 1) * 2 > t->nslots &&
            s_rehash(t, (t->used + 1) * 4 > t->nslots ? t->nslots * 2 : t->nslots) != 0)
            return NULL;
        s = s_find(t->slots, t->nslots, name, true);
        char *copy = strdup(name);
        if (!copy)
            return NULL;
        if (s->gone)
            t->tombs--;
        memset(s, 0, sizeof *s);
        s->used = true;
        s->e.name = copy;
        s->e.first_ms = when_ms;
        t->used++;
    }
    s->e.count += count;
    s->e.bytes += bytes;
    s->e.last_ms = when_ms;
    t->total += count;
    return &s->e;
}

tally_entry_t *tally_add(tally_t *t, const char *name, uint64_t bytes, int64_t when_ms)
{
    return tally_add_n(t, name, 1, bytes, when_ms);
}

void tally_sub(tally_t *t, const char *name)
{
    tally_entry_t *e = tally_get(t, name);
    if (!e)
        return;
    if (e->count <= 1) {
        tally_remove(t, name);
        return;
    }
    e->count--;
    t->total--;
}

tally_entry_t *tally_get(const tally_t *t, const char *name)
{
    slot_t *s = s_find(t->slots, t->nslots, name, false);
    return s ? &s->e : NULL;
}

void tally_remove(tally_t *t, const char *name)
{
    slot_t *s = s_find(t->slots, t->nslots, name, false);
    if (!s)
        return;
    t->total -= s->e.count;
    free((char *)s->e.name);
    free(s->e.value);
    memset(s, 0, sizeof *s);
    s->gone = true;
    t->used--;
    t->tombs++;
}

size_t tally_size(const tally_t *t) { return t->used; }
bool tally_overflowed(const tally_t *t) { return t->overflowed; }
uint64_t tally_total(const tally_t *t) { return t->total; }

static int s_by_count(const void *a, const void *b)
{
    const tally_entry_t *x = *(tally_entry_t *const *)a, *y = *(tally_entry_t *const *)b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int s_by_name(const void *a, const void *b)
{
    return strcmp((*(tally_entry_t *const *)a)->name, (*(tally_entry_t *const *)b)->name);
}

static tally_entry_t **s_list(const tally_t *t, size_t *n, int (*cmp)(const void *, const void *))
{
    tally_entry_t **v = calloc(t->used ? t->used : 1, sizeof *v);
    *n = 0;
    if (!v)
        return NULL;
    for (size_t i = 0; i < t->nslots; i++)
        if (t->slots[i].used)
            v[(*n)++] = &t->slots[i].e;
    qsort(v, *n, sizeof *v, cmp);
    return v;
}

tally_entry_t **tally_sorted(const tally_t *t, size_t *n) { return s_list(t, n, s_by_count); }
tally_entry_t **tally_by_name(const tally_t *t, size_t *n) { return s_list(t, n, s_by_name); }

int tally_set_value(tally_entry_t *e, const char *value)
{
    if (e->value && strcmp(e->value, value) == 0)
        return 0;
    char *v = strdup(value);
    if (!v)
        return -1;
    free(e->value);
    e->value = v;
    return 0;
}
