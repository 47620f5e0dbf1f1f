/* opendata: the open versions, a page at a time (opendata.h). The content
 * itself is fetched as any read, allowed by the pseudo-rule open-data. */
#include "opendata.h"
#include "log.h"
#include "reader.h"
#include "record.h"
#include "reply.h"
#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_MAX 100          /* versions per page */
#define LOOK_MAX 4096         /* names looked at per page */

typedef struct {
    const dx_policy_t *policy;
    Dx__CatalogEntry **entries;
    const dx_namespace_t **ns;
    size_t n, looked;
    bool more;
    char last[DX_NAME_MAX + 1];
} scan_t;

static int s_each(void *arg, const char *name, uint64_t version, store_val_t val)
{
    scan_t *s = arg;
    char err[DX_ERRMSG];
    if (s->n == PAGE_MAX || s->looked == LOOK_MAX) {
        s->more = true;
        return DX_STOP;
    }
    s->looked++;
    snprintf(s->last, sizeof s->last, "%s", name);
    const dx_namespace_t *ns = dx_policy_namespace(s->policy, name);
    if (!ns || !ns->open)
        return 0;
    Dx__CatalogEntry *e = NULL;
    if (wire_catalog_decode(val.data, val.len, &e, err) != 0) {
        dx_error("catalog-corrupt", "catalog entry %s@%llu is corrupt: %s", name, (unsigned long long)version,
                 err);
        return 0;
    }
    /* the newest version or none: an older one would be out of date */
    if (e->erased || e->classification != DX__CLASSIFICATION__PUBLIC || !e->receipt) {
        wire_free(&e);
        return 0;
    }
    s->ns[s->n] = ns;
    s->entries[s->n++] = e;
    return 0;
}

int opendata_index(broker_t *b, request_t *rq)
{
    const char *after = rq->req->open_data->after;
    scan_t s = { .policy = rq->policy };
    Dx__OpenVersion *versions = NULL, **ptrs = NULL;
    store_txn_t *t;
    char reason[DX_NAME_MAX * 2 + 200];
    int rv = DX_ERR_NOMEM;
    if (!(s.entries = calloc(PAGE_MAX, sizeof *s.entries)) || !(s.ns = calloc(PAGE_MAX, sizeof *s.ns)) ||
        !(versions = calloc(PAGE_MAX, sizeof *versions)) || !(ptrs = calloc(PAGE_MAX, sizeof *ptrs)))
        goto out;
    if ((rv = reader_txn(rq, b->batch, &t)) != 0)
        goto out;
    if ((rv = store_catalog_each_latest(t, "", after, s_each, &s)) < 0)
        goto out;
    for (size_t i = 0; i < s.n; i++) {
        const Dx__CatalogEntry *e = s.entries[i];
        Dx__OpenVersion *v = &versions[i];
        dx__open_version__init(v);
        v->dataset = e->dataset;
        v->version = e->version;
        v->publisher = e->publisher;
        v->sha256 = e->sha256;
        v->size = e->size;
        v->content_type = e->content_type;
        v->published_ms = e->published_ms;
        v->manifest = e->manifest;
        v->manifest_sig = e->manifest_sig;
        v->publisher_key = e->publisher_key;
        v->receipt = e->receipt;
        v->license = s.ns[i]->license ? s.ns[i]->license : "";
        v->namespace_ = s.ns[i]->match;
        ptrs[i] = v;
    }
    const char *next = s.more ? s.last : "";
    snprintf(reason, sizeof reason, "%zu open versions listed for open data, page after '%s' (%zu names "
             "looked at%s%s)", s.n, after, s.looked, next[0] ? "; next page after " : "", next);
    audit_fields_t f = { .event = DX_EV_OPENDATA, .action = "export", .dataset = "**", .allow = true,
                         .rule_id = dx_pseudo_rule(DX_PSEUDO_ROLE_ADMIN), .reason = reason };
    if ((rv = record_audit(b, rq, &f, NULL)) != 0)
        goto out;
    Dx__Reply reply = DX__REPLY__INIT;
    Dx__OpenData od = DX__OPEN_DATA__INIT;
    od.versions = ptrs;
    od.n_versions = s.n;
    od.next_after = (char *)next;
    reply.body_case = DX__REPLY__BODY_OPEN_DATA;
    reply.open_data = &od;
    rv = reply_later(b, rq, &reply, NULL, 0);
out:
    for (size_t i = 0; i < s.n; i++)
        wire_free(&s.entries[i]);
    free(s.entries);
    free(s.ns);
    free(versions);
    free(ptrs);
    return rv;
}
