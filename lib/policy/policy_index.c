/* policy_index: hash tables of members and per-member rule lists. */
#include "policy_index.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

enum { ACTIONS = 3, EFFECTS = 2 };

struct dx_policy_index {
    uint32_t *by_id;        /* open addressing: member index + 1, 0 empty */
    uint32_t *by_key;
    size_t cap;             /* a power of two, at least twice the members */
    uint32_t **lists;       /* (members + 1) * ACTIONS * EFFECTS lists */
    uint32_t *lens;
};

static uint64_t s_hash(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t h = 1469598103934665603ULL;    /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

static int s_action_slot(unsigned action)
{
    return action == DX_ACT_READ ? 0 : action == DX_ACT_LIST ? 1 : 2;
}

/* Slot 0 is "*"; member m is slot m + 1. */
static size_t s_list(const dx_policy_t *p, int32_t m, int action_slot, bool allow)
{
    (void)p;
    return ((size_t)(m + 1) * ACTIONS + (size_t)action_slot) * EFFECTS + (allow ? 1 : 0);
}

int32_t dx_index_member(const dx_policy_t *p, const char *id)
{
    const struct dx_policy_index *ix = p->index;
    size_t len = strlen(id), mask = ix->cap - 1;
    for (size_t i = s_hash(id, len) & mask;; i = (i + 1) & mask) {
        uint32_t v = ix->by_id[i];
        if (v == 0)
            return -1;
        if (strcmp(p->members[v - 1].id, id) == 0)
            return (int32_t)(v - 1);
    }
}

int32_t dx_index_member_by_key(const dx_policy_t *p, const uint8_t key[32])
{
    const struct dx_policy_index *ix = p->index;
    size_t mask = ix->cap - 1;
    for (size_t i = s_hash(key, 32) & mask;; i = (i + 1) & mask) {
        uint32_t v = ix->by_key[i];
        if (v == 0)
            return -1;
        const dx_member_t *m = &p->members[v - 1];
        if (memcmp(m->transport_key, key, 32) == 0 ||
            (m->next.set && memcmp(m->next.transport_key, key, 32) == 0))
            return (int32_t)(v - 1);
    }
}

dx_rule_list_t dx_index_rules(const dx_policy_t *p, int32_t m, unsigned action, bool allow)
{
    size_t k = s_list(p, m, s_action_slot(action), allow);
    dx_rule_list_t l = { p->index->lists[k], p->index->lens[k] };
    return l;
}

void dx_index_free(struct dx_policy_index *ix)
{
    if (!ix)
        return;
    free(ix->by_id);
    free(ix->by_key);
    free(ix->lists);  /* one allocation holds every list's items after the pointers */
    free(ix->lens);
    free(ix);
}

static void s_insert(uint32_t *table, size_t cap, uint64_t hash, uint32_t value)
{
    size_t mask = cap - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask)
        if (table[i] == 0) {
            table[i] = value;
            return;
        }
}

/* Calls fn(list slot) for every list rule r belongs to. */
static void s_each_slot(const dx_policy_t *p, const dx_rule_t *r, void (*fn)(void *, size_t), void *arg)
{
    for (int a = 0; a < ACTIONS; a++) {
        unsigned bit = a == 0 ? DX_ACT_READ : a == 1 ? DX_ACT_LIST : DX_ACT_PUBLISH;
        if (!(r->actions & bit))
            continue;
        if (r->any_member)
            fn(arg, s_list(p, -1, a, r->allow));
        for (size_t k = 0; k < r->nmembers; k++) {
            int32_t m = strcmp(r->members[k], "*") == 0 ? -2 : dx_index_member(p, r->members[k]);
            if (m >= 0)
                fn(arg, s_list(p, m, a, r->allow));
        }
    }
}

typedef struct {
    uint32_t *lens;
    uint32_t **lists;
    uint32_t rule;
} fill_t;

static void s_count(void *arg, size_t slot) { ((fill_t *)arg)->lens[slot]++; }

static void s_add(void *arg, size_t slot)
{
    fill_t *f = arg;
    uint32_t *l = f->lists[slot];
    /* a member named twice in one rule is listed once */
    if (f->lens[slot] == 0 || l[f->lens[slot] - 1] != f->rule)
        l[f->lens[slot]++] = f->rule;
}

int dx_policy_compile(dx_policy_t *p)
{
    struct dx_policy_index *ix = calloc(1, sizeof *ix);
    if (!ix)
        return DX_ERR_NOMEM;
    dx_index_free(p->index);
    p->index = ix;
    ix->cap = 16;
    while (ix->cap < 4 * p->nmembers + 1) /* by_key: a member's next keys too */
        ix->cap *= 2;
    size_t nlists = (p->nmembers + 1) * ACTIONS * EFFECTS;
    ix->by_id = calloc(ix->cap, sizeof *ix->by_id);
    ix->by_key = calloc(ix->cap, sizeof *ix->by_key);
    ix->lens = calloc(nlists, sizeof *ix->lens);
    if (!ix->by_id || !ix->by_key || !ix->lens)
        return DX_ERR_NOMEM;
    for (size_t i = 0; i < p->nmembers; i++) {
        s_insert(ix->by_id, ix->cap, s_hash(p->members[i].id, strlen(p->members[i].id)), (uint32_t)i + 1);
        s_insert(ix->by_key, ix->cap, s_hash(p->members[i].transport_key, 32), (uint32_t)i + 1);
        if (p->members[i].next.set)
            s_insert(ix->by_key, ix->cap, s_hash(p->members[i].next.transport_key, 32), (uint32_t)i + 1);
    }
    for (size_t i = 0; i < p->nnamespaces; i++)
        if (!dx_cglob_compile(p->namespaces[i].match, &p->namespaces[i].cmatch))
            return DX_ERR_INVALID;
    /* count, then lay every list out in one block after the pointers */
    fill_t f = { ix->lens, NULL, 0 };
    for (size_t i = 0; i < p->nrules; i++)
        s_each_slot(p, &p->rules[i], s_count, &f);
    size_t total = 0;
    for (size_t i = 0; i < nlists; i++)
        total += ix->lens[i];
    ix->lists = malloc(nlists * sizeof *ix->lists + (total ? total : 1) * sizeof(uint32_t));
    if (!ix->lists)
        return DX_ERR_NOMEM;
    uint32_t *items = (uint32_t *)(ix->lists + nlists);
    for (size_t i = 0; i < nlists; i++) {
        ix->lists[i] = items;
        items += ix->lens[i];
        ix->lens[i] = 0;
    }
    f.lists = ix->lists;
    for (size_t i = 0; i < p->nrules; i++) {
        dx_rule_t *r = &p->rules[i];
        free(r->cdatasets);
        if (!(r->cdatasets = calloc(r->ndatasets ? r->ndatasets : 1, sizeof *r->cdatasets)))
            return DX_ERR_NOMEM;
        r->first_bits = 0;
        for (size_t k = 0; k < r->ndatasets; k++) {
            if (!dx_cglob_compile(r->datasets[k], &r->cdatasets[k]))
                return DX_ERR_INVALID;
            r->first_bits |= dx_cglob_bits(&r->cdatasets[k]);
        }
        f.rule = (uint32_t)i;
        s_each_slot(p, r, s_add, &f);
    }
    return 0;
}
