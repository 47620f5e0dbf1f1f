/* catalog: list and info, showing only what the member may list. */
#include "broker.h"
#include "log.h"
#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_MAX 1000

static void s_info_from_entry(const Dx__CatalogEntry *e, uint64_t versions, Dx__DatasetInfo *info)
{
    dx__dataset_info__init(info);
    info->dataset = e->dataset;
    info->version = e->version;
    info->versions = versions;
    info->publisher = e->publisher;
    info->sha256 = e->sha256;
    info->size = e->size;
    info->content_type = e->content_type;
    info->classification = e->classification;
    info->published_ms = e->published_ms;
}

typedef struct {
    broker_t *b;
    request_t *rq;
    const char *pattern;
    Dx__CatalogEntry **entries;
    size_t n;
    size_t matching;
    int error;
} list_t;

static int s_list_each(void *arg, const char *name, uint64_t version, store_val_t val)
{
    list_t *l = arg;
    Dx__CatalogEntry *e = NULL;
    char err[DX_ERRMSG];
    if (l->pattern[0] && !dx_glob_match(l->pattern, name))
        return 0;
    l->matching++;
    if (wire_catalog_decode(val.data, val.len, &e, err) != 0) {
        dx_error("catalog entry %s@%llu is corrupt: %s", name, (unsigned long long)version, err);
        return 0;
    }
    dx_decision_t d;
    dx_request_t req = { .member = l->rq->member_id, .action = DX_ACT_LIST, .dataset = name,
                         .classification = (dx_class_t)e->classification, .now_ms = l->rq->now_ms };
    dx_policy_decide(l->b->policy, &req, &d);
    if (!d.allow || l->n == LIST_MAX) {
        wire_free(&e);
        return 0;
    }
    l->entries[l->n++] = e;
    return 0;
}

int catalog_list(broker_t *b, request_t *rq)
{
    list_t l = { .b = b, .rq = rq, .pattern = rq->req->list->pattern };
    Dx__DatasetInfo *infos = NULL, **ptrs = NULL;
    store_txn_t *t;
    char reason[200];
    int rv;
    if (!(l.entries = calloc(LIST_MAX, sizeof *l.entries)))
        return DX_ERR_NOMEM;
    if ((rv = batch_txn(b->batch, &t)) != 0 || (rv = store_catalog_each_latest(t, s_list_each, &l)) != 0)
        goto out;
    rv = DX_ERR_NOMEM;
    if (!(infos = calloc(l.n ? l.n : 1, sizeof *infos)) || !(ptrs = calloc(l.n ? l.n : 1, sizeof *ptrs)))
        goto out;
    for (size_t i = 0; i < l.n; i++) {
        s_info_from_entry(l.entries[i], l.entries[i]->version, &infos[i]);
        ptrs[i] = &infos[i];
    }
    snprintf(reason, sizeof reason, "%zu of %zu datasets%s%s are visible to %s", l.n, l.matching,
             l.pattern[0] ? " matching " : "", l.pattern, rq->member_id);
    audit_fields_t f = { .event = "list", .action = "list",
                         .dataset = l.pattern[0] ? l.pattern : "**", .allow = true,
                         .rule_id = "per-dataset", .reason = reason };
    if ((rv = broker_audit(b, rq, &f, NULL)) != 0)
        goto out;
    Dx__Reply reply = DX__REPLY__INIT;
    Dx__ListReply list = DX__LIST_REPLY__INIT;
    list.datasets = ptrs;
    list.n_datasets = l.n;
    reply.body_case = DX__REPLY__BODY_LIST;
    reply.list = &list;
    rv = broker_reply_later(b, rq, &reply, NULL, 0);
out:
    for (size_t i = 0; i < l.n; i++)
        wire_free(&l.entries[i]);
    free(l.entries);
    free(infos);
    free(ptrs);
    return rv;
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
    if ((rv = batch_txn(b->batch, &t)) != 0)
        return rv;
    rv = store_catalog_latest(t, f->dataset, latest);
    if (rv == 0 && version == 0)
        version = *latest;
    if (rv == 0)
        rv = store_catalog_get(t, f->dataset, version, &v);
    if (rv == 0 && wire_catalog_decode(v.data, v.len, e, err) != 0) {
        dx_error("catalog entry %s@%llu is corrupt: %s", f->dataset, (unsigned long long)version, err);
        rv = DX_ERR_STORAGE;
    }
    if (rv != 0 && rv != DX_ERR_NOT_FOUND)
        return rv;
    /* Decide before saying whether it exists, so that a member that may
     * not see a namespace cannot probe it. */
    dx_request_t req = { .member = rq->member_id, .action = action, .dataset = f->dataset,
                         .classification = *e ? (dx_class_t)(*e)->classification : DX_CLASS_PUBLIC,
                         .purpose = f->purpose, .now_ms = rq->now_ms };
    dx_policy_decide(b->policy, &req, d);
    f->rule_id = d->rule_id;
    f->reason = d->reason;
    if (!d->allow) {
        wire_free(e);
        rv = broker_refuse(b, rq, f, DX__ERROR_CODE__ERR_DENIED);
        return rv ? rv : 1;
    }
    if (!*e) {
        char reason[DX_NAME_MAX + 64];
        snprintf(reason, sizeof reason, "no dataset %s%s", f->dataset,
                 f->version ? " at that version" : "");
        f->reason = reason;
        rv = broker_refuse(b, rq, f, DX__ERROR_CODE__ERR_NOT_FOUND);
        f->reason = d->reason;
        return rv ? rv : 1;
    }
    f->version = (*e)->version;
    f->sha256 = (*e)->sha256.data;
    return 0;
}

int catalog_info(broker_t *b, request_t *rq)
{
    const Dx__InfoRequest *ir = rq->req->info;
    audit_fields_t f = { .event = "info", .action = "list", .dataset = ir->dataset,
                         .version = ir->version };
    Dx__CatalogEntry *e = NULL;
    dx_decision_t d;
    uint64_t latest = 0;
    int rv = catalog_decide(b, rq, DX_ACT_LIST, &f, &d, &e, &latest);
    if (rv != 0)
        return rv < 0 ? rv : 0;
    f.allow = true;
    if ((rv = broker_audit(b, rq, &f, NULL)) != 0)
        goto out;
    Dx__Reply reply = DX__REPLY__INIT;
    Dx__DatasetInfo info;
    s_info_from_entry(e, latest, &info);
    reply.body_case = DX__REPLY__BODY_INFO;
    reply.info = &info;
    rv = broker_reply_later(b, rq, &reply, NULL, 0);
out:
    wire_free(&e);
    return rv;
}
