/* audit_log: the read side of the audit log (see audit_log.h). */
#include "audit_log.h"
#include "glob.h"
#include "err.h"
#include "wire.h"

#include <stdio.h>
#include <string.h>

int dx_log_path_keys(const char *dataset, char keys[DX_PATH_KEYS_MAX][DX_NAME_MAX + 2], size_t *n)
{
    *n = 0;
    if (!dx_dataset_name_valid(dataset))
        return DX_ERR_INVALID;
    for (const char *p = dataset; (p = strchr(p, '/')) != NULL; p++) {
        size_t len = (size_t)(p - dataset) + 1;
        memcpy(keys[*n], dataset, len);
        keys[(*n)++][len] = '\0';
    }
    snprintf(keys[(*n)++], DX_NAME_MAX + 2, "%s", dataset);
    return 0;
}

int dx_log_head(store_txn_t *t, store_val_t *text) { return store_meta_get(t, "head", text); }

bool dx_audit_matches(const Dx__AuditQuery *q, const Dx__AuditRecord *r)
{
    if (q->since_ms && r->time_ms < q->since_ms)
        return false;
    if (q->until_ms && r->time_ms > q->until_ms)
        return false;
    if (q->member[0] && strcmp(q->member, r->member) != 0)
        return false;
    if (q->action[0] && strcmp(q->action, r->action) != 0 && strcmp(q->action, r->event) != 0)
        return false;
    if (q->decision[0] && strcmp(q->decision, r->decision) != 0)
        return false;
    if (q->dataset[0] && (!dx_dataset_name_valid(r->dataset) || !dx_glob_match(q->dataset, r->dataset)))
        return false;
    if (q->purpose && q->purpose[0] && strcmp(q->purpose, r->purpose) != 0)
        return false;
    if (q->rule_id && q->rule_id[0] && strcmp(q->rule_id, r->rule_id) != 0)
        return false;
    if (q->version && q->version != r->version)
        return false;
    return true;
}

static int s_get(void *arg, unsigned level, uint64_t index, dx_hash_t out)
{
    int rv = store_tree_get(arg, level, index, out);
    return rv == DX_ERR_NOT_FOUND ? DX_ERR_STORAGE : rv; /* a missing node is damage */
}

int dx_log_root(store_txn_t *t, uint64_t size, dx_hash_t out)
{
    return dx_merkle_root(s_get, t, size, out);
}

int dx_log_frontier(store_txn_t *t, uint64_t size, dx_frontier_t *f)
{
    dx_frontier_init(f);
    for (unsigned level = 0; level < 64; level++) {
        if (!(size & (1ULL << level)))
            continue;
        /* the perfect subtree of this size that ends the others on its left */
        int rv = s_get(t, level, (size >> level) - 1, f->stack[level]);
        if (rv != 0)
            return rv;
    }
    f->size = size;
    return 0;
}

int dx_log_inclusion(store_txn_t *t, uint64_t seq, uint64_t size, dx_hash_t proof[DX_PROOF_MAX],
                     size_t *n)
{
    if (seq == 0 || seq > size)
        return DX_ERR_INVALID;
    return dx_merkle_inclusion(s_get, t, seq - 1, size, proof, n);
}

int dx_log_consistency(store_txn_t *t, uint64_t old, uint64_t size, dx_hash_t proof[DX_PROOF_MAX],
                       size_t *n)
{
    return dx_merkle_consistency(s_get, t, old, size, proof, n);
}

/* ---- queries ---- */

static int s_time_of(store_txn_t *t, uint64_t seq, int64_t *time_ms)
{
    store_val_t v;
    Dx__AuditRecord *r = NULL;
    char err[DX_ERRMSG];
    int rv = store_audit_get(t, seq, &v);
    if (rv == 0 && wire_audit_decode(v.data, v.len, &r, err) != 0)
        rv = DX_ERR_STORAGE;
    if (rv == 0)
        *time_ms = r->time_ms;
    wire_free(&r);
    return rv;
}

/* The first seq in [1, last] whose time is >= when (last + 1 if none):
 * record times never decrease, so this is a binary search. */
static int s_first_at(store_txn_t *t, uint64_t last, int64_t when, uint64_t *out)
{
    uint64_t lo = 1, hi = last + 1;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        int64_t tm;
        int rv = s_time_of(t, mid, &tm);
        if (rv != 0)
            return rv;
        if (tm >= when)
            hi = mid;
        else
            lo = mid + 1;
    }
    *out = lo;
    return 0;
}

typedef struct {
    store_txn_t *t;
    const Dx__AuditQuery *q;
    uint64_t hi;               /* last seq in range */
    uint64_t scanned, max_scan;
    uint64_t last_seq;         /* last candidate looked at */
    dx_log_record_fn fn;
    void *arg;
    bool stopped, done;
} scan_t;

static int s_candidate(scan_t *s, uint64_t seq, store_val_t v)
{
    if (seq > s->hi) {
        s->done = true;
        return DX_STOP;
    }
    if (s->scanned >= s->max_scan)
        return DX_STOP;
    s->scanned++;
    s->last_seq = seq;
    Dx__AuditRecord *r = NULL;
    char err[DX_ERRMSG];
    if (wire_audit_decode(v.data, v.len, &r, err) != 0)
        return 0; /* verify names it; a query passes over it */
    bool match = dx_audit_matches(s->q, r);
    wire_free(&r);
    int rv = match ? s->fn(s->arg, seq, v) : 0;
    if (rv != 0)
        s->stopped = true;
    return rv; /* DX_STOP, or the caller's error */
}

static int s_from_log(void *arg, uint64_t seq, store_val_t v) { return s_candidate(arg, seq, v); }

static int s_from_index(void *arg, uint64_t seq)
{
    scan_t *s = arg;
    store_val_t v;
    if (seq > s->hi) {
        s->done = true;
        return DX_STOP;
    }
    int rv = store_audit_get(s->t, seq, &v);
    if (rv == DX_ERR_NOT_FOUND)
        return 0; /* an index entry without its record: verify reports the loss */
    return rv ? rv : s_candidate(s, seq, v);
}

// The path index key for a dataset pattern: its leading whole literal
// segments ("health/vaccination/" for "health/vaccination/*"), the name
// itself for a pattern without wildcards; false when it starts wild.
static bool s_path_key(const char *glob, char key[DX_NAME_MAX + 2])
{
    if (!strchr(glob, '*')) {
        snprintf(key, DX_NAME_MAX + 2, "%s", glob);
        return true;
    }
    size_t len = 0;
    for (const char *p = glob; (p = strchr(p, '/')) != NULL; p++) {
        if (memchr(glob + len, '*', (size_t)(p - glob) - len))
            break;
        len = (size_t)(p - glob) + 1;
    }
    if (len == 0)
        return false;
    memcpy(key, glob, len);
    key[len] = '\0';
    return true;
}

int dx_log_query(store_txn_t *t, const Dx__AuditQuery *q, uint64_t after, uint64_t max_scan,
                 dx_log_record_fn fn, void *arg, uint64_t *next_after)
{
    uint64_t last = 0, lo = 1;
    int rv;
    *next_after = 0;
    if ((rv = store_audit_last(t, &last)) != 0)
        return rv;
    scan_t s = { .t = t, .q = q, .hi = last, .max_scan = max_scan, .fn = fn, .arg = arg };
    if (q->since_ms && (rv = s_first_at(t, last, q->since_ms, &lo)) != 0)
        return rv;
    if (q->until_ms) {
        uint64_t past;
        if ((rv = s_first_at(t, last, q->until_ms + 1, &past)) != 0)
            return rv;
        s.hi = past - 1;
    }
    uint64_t from = after + 1 > lo ? after : lo - 1;
    char key[DX_NAME_MAX + 2];
    if (q->member[0])
        rv = store_index_each(t, STORE_BY_MEMBER, q->member, from, s_from_index, &s);
    else if (q->dataset[0] && s_path_key(q->dataset, key))
        rv = store_index_each(t, STORE_BY_PATH, key, from, s_from_index, &s);
    else
        rv = store_audit_each(t, from, s_from_log, &s);
    if (rv < 0)
        return rv;
    /* stopped by the caller or by the scan bound: go on from here */
    if ((s.stopped || s.scanned >= max_scan) && !s.done)
        *next_after = s.last_seq;
    return 0;
}
