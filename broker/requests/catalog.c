/* catalog: list and info, showing only what the member may list.
 *
 * list scans only the name ranges the member's allow rules could cover
 * (dx_policy_prefixes), a page at a time from a cursor, and still decides
 * every name it shows: its cost follows the names its rules could cover,
 * not the size of the catalog, and a member with no list rule costs one
 * lookup. A request looks at no more than LIST_LOOK_MAX names (a deny or a
 * classification inside those ranges is scanned past, so the ranges may
 * hold many the member does not see). The cursor is the last name of a
 * full page, never a name the member was not shown; a scan that stops at
 * its bound first answers with a sealed cursor (cursor.h) instead. */
#include "catalog.h"
#include "broker.h"
#include "reader.h"
#include "cursor.h"
#include "log.h"
#include "wire.h"
#include "record.h"
#include "reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_MAX 1000         /* entries per page */
#define LIST_LOOK_MAX 4096    /* names looked at per request */

/* The hash and size of a version (and who erased it, and why) go only to
 * its publisher: to anyone else
 * a hash is a way to confirm guesses about content it may not see (a
 * member that may only list, or only read a filtered view). */
static void s_info_from_entry(const Dx__CatalogEntry *e, uint64_t versions, const char *member,
                              Dx__DatasetInfo *info, Dx__Erasure *erased)
{
    dx__dataset_info__init(info);
    if (e->erased) {
        dx__erasure__init(erased);
        erased->time_ms = e->erased->time_ms;
        if (strcmp(e->publisher, member) == 0) {
            erased->by = e->erased->by;
            erased->reason = e->erased->reason;
        }
        info->erased = erased;
    }
    info->dataset = e->dataset;
    info->version = e->version;
    info->versions = versions;
    info->publisher = e->publisher;
    if (strcmp(e->publisher, member) == 0) {
        info->sha256 = e->sha256;
        info->size = e->size;
    }
    info->content_type = e->content_type;
    info->classification = e->classification;
    info->published_ms = e->published_ms;
}

typedef struct {
    broker_t *b;
    request_t *rq;
    const char *pattern;
    Dx__CatalogEntry **entries;
    size_t n, limit;
    size_t looked;           /* names decided on */
    bool more;               /* stopped before the end: a full page */
    bool stopped;            /* stopped at LIST_LOOK_MAX */
    char last[DX_NAME_MAX + 1]; /* the last name looked at */
} list_t;

static int s_list_each(void *arg, const char *name, uint64_t version, store_val_t val)
{
    list_t *l = arg;
    Dx__CatalogEntry *e = NULL;
    char err[DX_ERRMSG];
    if (l->n == l->limit) {
        l->more = true;
        return DX_STOP;
    }
    if (l->looked == LIST_LOOK_MAX) {
        l->stopped = true;
        return DX_STOP;
    }
    l->looked++;
    snprintf(l->last, sizeof l->last, "%s", name);
    if (l->pattern[0] && !dx_glob_match(l->pattern, name))
        return 0;
    if (wire_catalog_decode(val.data, val.len, &e, err) != 0) {
        dx_error("catalog-corrupt",
                 "catalog entry %s@%llu is corrupt: %s", name, (unsigned long long)version, err);
        return 0;
    }
    dx_decision_t d;
    dx_request_t req = { .member = l->rq->member_id, .action = DX_ACT_LIST, .dataset = name,
                         .classification = (dx_class_t)e->classification, .now_ms = l->rq->now_ms };
    dx_policy_decide(l->rq->policy, &req, &d);
    if (!d.allow && !(dx_decision_publisher_may(&d) && strcmp(e->publisher, l->rq->member_id) == 0)) {
        wire_free(&e);
        return 0;
    }
    l->entries[l->n++] = e;
    return 0;
}

/* The ranges to scan: the member's prefixes, narrowed by the pattern's. */
static size_t s_ranges(const request_t *rq, const char *pattern,
                       char ranges[][DX_NAME_MAX + 1])
{
    size_t n = dx_policy_prefixes(rq->policy, rq->member_id, DX_ACT_LIST, ranges, DX_PREFIXES_MAX);
    size_t plen = strcspn(pattern, "*"), keep = 0;
    for (size_t i = 0; i < n; i++) {
        size_t rlen = strlen(ranges[i]);
        if (strncmp(ranges[i], pattern, rlen < plen ? rlen : plen) != 0)
            continue; /* disjoint */
        if (plen > rlen) {
            memcpy(ranges[keep], pattern, plen);
            ranges[keep][plen] = '\0';
        } else if (keep != i) {
            memcpy(ranges[keep], ranges[i], sizeof ranges[0]);
        }
        keep++;
    }
    return keep;
}

int catalog_list(broker_t *b, request_t *rq)
{
    const Dx__ListRequest *lr = rq->req->list;
    list_t l = { .b = b, .rq = rq, .pattern = lr->pattern,
                 .limit = lr->limit && lr->limit < LIST_MAX ? lr->limit : LIST_MAX };
    Dx__DatasetInfo *infos = NULL, **ptrs = NULL;
    Dx__Erasure *erasures = NULL;
    char (*ranges)[DX_NAME_MAX + 1] = NULL;
    store_txn_t *t;
    char reason[DX_NAME_MAX * 2 + 200];
    int rv = DX_ERR_NOMEM;
    if (!(l.entries = calloc(l.limit, sizeof *l.entries)) ||
        !(ranges = calloc(DX_PREFIXES_MAX, sizeof *ranges)))
        goto out;
    size_t nranges = s_ranges(rq, lr->pattern, ranges);
    const char *after = lr->after;
    char from[DX_NAME_MAX + 1];
    if (lr->cursor.len) {
        uint8_t pos[CURSOR_POS_MAX];
        size_t len = 0;
        if (cursor_open(b->cursor_key, CURSOR_LIST, rq->member_id, lr->cursor.data, lr->cursor.len,
                        pos, &len) != 0 || len == 0 || len > DX_NAME_MAX) {
            reply_error(b, rq, DX__ERROR_CODE__ERR_BAD_REQUEST, NULL,
                         "list: not a cursor this broker gave you; start from the beginning");
            rv = 0;
            goto out;
        }
        memcpy(from, pos, len);
        from[len] = '\0';
        after = from;
    }
    if ((rv = reader_txn(rq, b->batch, &t)) != 0)
        goto out;
    for (size_t i = 0; i < nranges && !l.more && !l.stopped; i++) {
        rv = store_catalog_each_latest(t, ranges[i], after, s_list_each, &l);
        if (rv < 0)
            goto out;
    }
    rv = DX_ERR_NOMEM;
    if (!(infos = calloc(l.n ? l.n : 1, sizeof *infos)) || !(ptrs = calloc(l.n ? l.n : 1, sizeof *ptrs)) ||
        !(erasures = calloc(l.n ? l.n : 1, sizeof *erasures)))
        goto out;
    for (size_t i = 0; i < l.n; i++) {
        s_info_from_entry(l.entries[i], l.entries[i]->version, rq->member_id, &infos[i], &erasures[i]);
        ptrs[i] = &infos[i];
    }
    /* A full page continues after its last entry: the cursor is always a
     * name the member may list, never one it was not shown. */
    const char *next = l.more ? l.entries[l.n - 1]->dataset : "";
    uint8_t token[CURSOR_LEN];
    if (!l.more && l.stopped &&
        (rv = cursor_seal(b->cursor_key, CURSOR_LIST, rq->member_id, l.last, strlen(l.last), token)) != 0)
        goto out;
    snprintf(reason, sizeof reason, "%zu datasets%s%s visible to %s, page after '%s' (%zu names "
             "looked at%s%s%s)", l.n, lr->pattern[0] ? " matching " : "", lr->pattern, rq->member_id,
             lr->cursor.len ? "(a cursor)" : lr->after, l.looked, next[0] ? "; next page after " : "",
             next, !l.more && l.stopped ? "; the scan stopped at its bound, a cursor goes on" : "");
    audit_fields_t f = { .event = DX_EV_LIST, .action = "list",
                         .dataset = lr->pattern[0] ? lr->pattern : "**", .allow = true,
                         .rule_id = dx_pseudo_rule(DX_PSEUDO_PER_DATASET), .reason = reason };
    if ((rv = record_audit(b, rq, &f, NULL)) != 0)
        goto out;
    Dx__Reply reply = DX__REPLY__INIT;
    Dx__ListReply list = DX__LIST_REPLY__INIT;
    list.datasets = ptrs;
    list.n_datasets = l.n;
    list.next_after = (char *)next;
    if (!l.more && l.stopped) {
        list.cursor.data = token;
        list.cursor.len = sizeof token;
    }
    reply.body_case = DX__REPLY__BODY_LIST;
    reply.list = &list;
    rv = reply_later(b, rq, &reply, NULL, 0);
out:
    for (size_t i = 0; i < l.n; i++)
        wire_free(&l.entries[i]);
    free(l.entries);
    free(ranges);
    free(infos);
    free(erasures);
    free(ptrs);
    return rv;
}

/* The one answer for a name the member may not see or that is not there. */
static int s_not_visible(broker_t *b, request_t *rq, audit_fields_t *f, unsigned action,
                         uint64_t asked, const char *real_reason)
{
    char version[32] = "";
    if (asked)
        snprintf(version, sizeof version, "@%llu", (unsigned long long)asked);
    const char *reason = f->reason;
    f->reason = real_reason;
    int rv = record_audit(b, rq, f, NULL);
    f->reason = reason;
    if (rv != 0)
        return rv;
    dx_log_kv(DX_LOG_INFO, "refused", DX_KV("member", rq->member_id),
              DX_KV("request", dx_event_name(f->event)), DX_KV("dataset", f->dataset),
              DX_KU("version", asked), DX_KV("reason", real_reason));
    return reply_error_later(b, rq, DX__ERROR_CODE__ERR_NOT_FOUND, NULL,
                              "no dataset %s%s that %s may %s: it does not exist, or the policy "
                              "does not let you see it", f->dataset, version, rq->member_id,
                              action == DX_ACT_READ ? "read" : "list");
}

int catalog_decide(broker_t *b, request_t *rq, unsigned action, audit_fields_t *f,
                   dx_decision_t *d, Dx__CatalogEntry **e, uint64_t *latest)
{
    store_txn_t *t;
    store_val_t v;
    char err[DX_ERRMSG];
    uint64_t version = f->version;
    int rv;
    *e = NULL;
    /* First as if it existed at the lowest classification: this depends on
     * nothing stored, so its refusal may say why. */
    dx_request_t req = { .member = rq->member_id, .action = action, .dataset = f->dataset,
                         .classification = DX_CLASS_PUBLIC, .purpose = f->purpose,
                         .now_ms = rq->now_ms };
    dx_policy_decide(rq->policy, &req, d);
    f->rule_id = d->rule_id;
    f->reason = d->reason;
    /* Refused by no rule: its publisher may still see a version. Whether
     * the name exists is looked up either way, and anyone else gets this
     * refusal, the same for a name that exists and one that does not. */
    bool first_denied = !d->allow;
    if (first_denied && !dx_decision_publisher_may(d))
        return record_refusal(b, rq, f, DX__ERROR_CODE__ERR_DENIED);
    if ((rv = reader_txn(rq, b->batch, &t)) != 0)
        return rv;
    rv = store_catalog_latest(t, f->dataset, latest);
    if (rv == 0 && version == 0)
        version = *latest;
    if (rv == 0)
        rv = store_catalog_get(t, f->dataset, version, &v);
    if (rv == 0 && wire_catalog_decode(v.data, v.len, e, err) != 0) {
        dx_error("catalog-corrupt",
                 "catalog entry %s@%llu is corrupt: %s", f->dataset, (unsigned long long)version, err);
        rv = DX_ERR_STORAGE;
    }
    if (rv != 0 && rv != DX_ERR_NOT_FOUND)
        return rv;
    bool publisher = rv == 0 && strcmp((*e)->publisher, rq->member_id) == 0;
    if (first_denied && !publisher) {
        wire_free(e);
        return record_refusal(b, rq, f, DX__ERROR_CODE__ERR_DENIED);
    }
    if (rv == DX_ERR_NOT_FOUND)
        return s_not_visible(b, rq, f, action, f->version, f->version ? "no such version" : "no such dataset");
    /* Then with what is stored: a refusal now is answered like a name that
     * does not exist. */
    req.classification = (dx_class_t)(*e)->classification;
    dx_policy_decide(rq->policy, &req, d);
    if (!d->allow && publisher && dx_decision_publisher_may(d))
        dx_decision_publisher(d, rq->member_id, f->dataset, (*e)->version);
    f->rule_id = d->rule_id;
    f->reason = d->reason;
    if (!d->allow) {
        uint64_t asked = f->version;
        f->sha256 = (*e)->sha256.data;
        f->version = (*e)->version;
        rv = s_not_visible(b, rq, f, action, asked, d->reason);
        wire_free(e);
        return rv;
    }
    f->version = (*e)->version;
    f->sha256 = (*e)->sha256.data;
    return 0;
}

int catalog_info(broker_t *b, request_t *rq)
{
    const Dx__InfoRequest *ir = rq->req->info;
    audit_fields_t f = { .event = DX_EV_INFO, .action = "list", .dataset = ir->dataset,
                         .version = ir->version };
    Dx__CatalogEntry *e = NULL;
    dx_decision_t d;
    uint64_t latest = 0;
    int rv = catalog_decide(b, rq, DX_ACT_LIST, &f, &d, &e, &latest);
    if (rv != 0 || !e)
        return rv;
    f.allow = true;
    if ((rv = record_audit(b, rq, &f, NULL)) != 0)
        goto out;
    Dx__Reply reply = DX__REPLY__INIT;
    Dx__DatasetInfo info;
    Dx__Erasure erased;
    s_info_from_entry(e, latest, rq->member_id, &info, &erased);
    reply.body_case = DX__REPLY__BODY_INFO;
    reply.info = &info;
    rv = reply_later(b, rq, &reply, NULL, 0);
out:
    wire_free(&e);
    return rv;
}
