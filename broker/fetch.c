/* fetch: policy-checked reads, streamed in chunks under credit.
 *
 * The decision is made once, when the fetch begins, and kept in the
 * session: the transfer finishes under the rule it started with. When that
 * rule restricts fields, the bytes pass through the filter (lib/filter.h)
 * and only the view leaves, signed by the broker with the source hash as
 * provenance; a dataset that cannot be filtered is refused rather than sent
 * whole. Each FetchMore from the consumer is one chunk of credit. */
#include "broker.h"
#include "log.h"
#include "signed.h"
#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void s_fetch_after(broker_t *b, uint64_t session, int status)
{
    if (status != 0)
        sessions_remove(b->sessions, session);
}

static int s_copy_fields(session_t *s, const dx_decision_t *d)
{
    s->field_mode = d->field_mode;
    if (d->nfields == 0)
        return 0;
    if (!(s->fields = calloc(d->nfields, sizeof *s->fields)))
        return DX_ERR_NOMEM;
    for (size_t i = 0; i < d->nfields; i++) {
        if (!(s->fields[i] = strdup(d->fields[i])))
            return DX_ERR_NOMEM;
        s->nfields++;
    }
    return 0;
}

static void s_fields_text(const dx_decision_t *d, char *out, size_t cap)
{
    size_t n = (size_t)snprintf(out, cap, "; fields %s:", d->field_mode == DX_FIELDS_INCLUDE
                                                             ? "included" : "excluded");
    for (size_t i = 0; i < d->nfields && n < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? ", " : " ", d->fields[i]);
}

int fetch_begin(broker_t *b, request_t *rq)
{
    const Dx__FetchBegin *fb = rq->req->fetch_begin;
    audit_fields_t f = { .event = "read", .action = "read", .dataset = fb->dataset,
                         .version = fb->version, .purpose = fb->purpose };
    Dx__CatalogEntry *e = NULL;
    session_t *s = NULL;
    dx_decision_t d;
    char reason[600];
    uint64_t latest;
    int rv = catalog_decide(b, rq, DX_ACT_READ, &f, &d, &e, &latest);
    if (rv != 0)
        return rv < 0 ? rv : 0;
    int format = dx_format_of(e->content_type);
    if (d.field_mode != DX_FIELDS_ALL && format == DX_FORMAT_NONE) {
        snprintf(reason, sizeof reason,
                 "rule '%s' restricts fields, but content type '%s' cannot be filtered: the "
                 "unfiltered bytes are not released", d.rule_id, e->content_type);
        f.reason = reason;
        rv = broker_refuse(b, rq, &f, DX__ERROR_CODE__ERR_DENIED);
        goto out;
    }
    rv = DX_ERR_NOMEM;
    if (!(s = session_new(SESSION_FETCH, rq->member_id, rq->now_ms)))
        goto out;
    snprintf(s->rule_id, sizeof s->rule_id, "%s", d.rule_id);
    snprintf(s->purpose, sizeof s->purpose, "%s", fb->purpose);
    if ((rv = s_copy_fields(s, &d)) != 0)
        goto out;
    if (d.field_mode != DX_FIELDS_ALL) {
        if ((rv = dx_filter_new(format, d.field_mode, s->fields, s->nfields, &s->filter)) != 0 ||
            (rv = dx_sha256_new(&s->view_hash)) != 0)
            goto out;
        char fields[300];
        s_fields_text(&d, fields, sizeof fields);
        snprintf(reason, sizeof reason, "%s%s", d.reason, fields);
        f.reason = reason;
    }
    s->entry = e;
    e = NULL;
    session_t *added = s;
    rv = broker_add_session(b, rq, s);
    s = NULL;
    if (rv != 0) {
        rv = rv < 0 ? rv : 0;
        goto out;
    }
    f.allow = true;
    if ((rv = broker_audit(b, rq, &f, NULL)) != 0) {
        sessions_remove(b->sessions, added->id);
        goto out;
    }
    Dx__Reply reply = DX__REPLY__INIT;
    Dx__FetchReady ready = DX__FETCH_READY__INIT;
    uint64_t blob = added->entry->blob;
    added->entry->blob = 0; /* storage detail: not for the consumer */
    ready.session = added->id;
    ready.entry = added->entry;
    ready.filtered = added->filter != NULL;
    ready.field_mode = (char *)(added->field_mode == DX_FIELDS_INCLUDE ? "include"
                                : added->field_mode == DX_FIELDS_EXCLUDE ? "exclude" : "");
    ready.fields = added->fields;
    ready.n_fields = added->nfields;
    ready.rule_id = added->rule_id;
    ready.window = (uint32_t)b->cfg.fetch_window;
    reply.body_case = DX__REPLY__BODY_FETCH_READY;
    reply.fetch_ready = &ready;
    rv = broker_reply_witnessed(b, rq, &reply, s_fetch_after, added->id);
    added->entry->blob = blob;
    if (rv != 0)
        sessions_remove(b->sessions, added->id);
    else
        dx_info("read member=%s dataset=%s version=%llu purpose=%s rule=%s%s", rq->member_id,
                fb->dataset, (unsigned long long)f.version, fb->purpose, d.rule_id,
                ready.filtered ? " filtered" : "");
out:
    session_free(s);
    wire_free(&e);
    return rv;
}

/* Signs the view's provenance once the last filtered byte is out. */
static int s_sign_view(broker_t *b, session_t *s, int64_t now_ms, Dx__Signed *out)
{
    uint8_t view_sha[DX_SHA256_LEN];
    int rv = dx_sha256_final(s->view_hash, view_sha);
    if (rv != 0)
        return rv;
    Dx__ViewManifest vm = DX__VIEW_MANIFEST__INIT;
    vm.dataset = s->entry->dataset;
    vm.version = s->entry->version;
    vm.source_sha256 = s->entry->sha256;
    vm.view_sha256.data = view_sha;
    vm.view_sha256.len = DX_SHA256_LEN;
    vm.view_size = s->view_size;
    vm.rule_id = s->rule_id;
    vm.field_mode = (char *)(s->field_mode == DX_FIELDS_INCLUDE ? "include" : "exclude");
    vm.fields = s->fields;
    vm.n_fields = s->nfields;
    vm.member = s->member;
    vm.purpose = s->purpose;
    vm.time_ms = now_ms;
    vm.content_type = s->entry->content_type;
    return dx_signed_make(&vm.base, DX_CTX_VIEW, b->signer, out);
}

/* A filter that stopped: the transfer ends and the audit log says why. */
static int s_filter_failed(broker_t *b, request_t *rq, session_t *s)
{
    char reason[300];
    snprintf(reason, sizeof reason, "the view stopped: the dataset does not parse (%s)",
             dx_filter_error(s->filter));
    audit_fields_t f = { .event = "read", .action = "read", .dataset = s->entry->dataset,
                         .version = s->entry->version, .sha256 = s->entry->sha256.data,
                         .purpose = s->purpose, .decision = "error", .rule_id = s->rule_id,
                         .reason = reason };
    int rv = broker_refuse(b, rq, &f, DX__ERROR_CODE__ERR_UNSUPPORTED);
    sessions_remove(b->sessions, s->id); /* f points into the session until here */
    return rv;
}

int fetch_more(broker_t *b, request_t *rq)
{
    session_t *s = sessions_get(b->sessions, rq->req->fetch_more->session, rq->member_id);
    if (!s || s->kind != SESSION_FETCH || s->finished) {
        broker_error(b, rq, DX__ERROR_CODE__ERR_BAD_REQUEST, NULL,
                     "no such fetch in progress (it may have timed out): start again");
        return 0;
    }
    s->last_active_ms = rq->now_ms;
    uint32_t chunks = s->entry->chunks, index = s->next_chunk;
    bool last = chunks == 0 || index + 1 >= chunks;
    store_txn_t *t = NULL;
    store_val_t v = { NULL, 0 };
    dx_buf_t out;
    Dx__Signed view = DX__SIGNED__INIT;
    bool have_view = false;
    int rv;
    dx_buf_init(&out, 2 * (size_t)DX_CHUNK_SIZE + DX_FILTER_MAX_ROW);
    if ((rv = store_begin(b->store, NULL, false, &t)) != 0)
        goto out;
    if (chunks > 0 && (rv = store_content_get(t, s->entry->blob, index, &v)) != 0) {
        dx_error("content of %s@%llu chunk %u missing: %s", s->entry->dataset,
                 (unsigned long long)s->entry->version, index, dx_strerror(rv));
        rv = DX_ERR_STORAGE;
        goto out;
    }
    Dx__Reply reply = DX__REPLY__INIT;
    Dx__FetchData data = DX__FETCH_DATA__INIT;
    data.session = s->id;
    data.index = index;
    data.last = last;
    if (s->filter) {
        if (dx_filter_push(s->filter, v.data, v.len, &out) != 0 ||
            (last && dx_filter_finish(s->filter, &out) != 0)) {
            store_abort(&t);
            dx_buf_free(&out);
            return s_filter_failed(b, rq, s);
        }
        if ((rv = dx_sha256_update(s->view_hash, out.data, out.len)) != 0)
            goto out;
        s->view_size += out.len;
        data.data.data = out.data;
        data.data.len = out.len;
        if (last) {
            if ((rv = s_sign_view(b, s, rq->now_ms, &view)) != 0)
                goto out;
            have_view = true;
            data.view = &view;
        }
    } else {
        data.data.data = (uint8_t *)v.data;
        data.data.len = v.len;
    }
    reply.body_case = DX__REPLY__BODY_FETCH_DATA;
    reply.fetch_data = &data;
    broker_reply(b, rq, &reply);
    store_release(b->store, v.data, v.len);
    s->next_chunk++;
    if (last) {
        s->finished = true;
        sessions_remove(b->sessions, s->id);
    }
out:
    store_abort(&t);
    dx_buf_free(&out);
    if (have_view)
        dx_signed_clear(&view);
    return rv;
}
