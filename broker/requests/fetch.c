/* fetch: policy-checked reads, streamed in chunks under credit.
 *
 * The decision is made once, when the fetch begins, and kept in the
 * session: the transfer finishes under the rule it started with. Each
 * FetchMore from the consumer is one message of credit.
 *
 * When the rule restricts fields, the bytes pass through the filter
 * (filter.h) and only the view leaves. Nothing about the unfiltered
 * bytes reaches the consumer: its catalog entry carries no hash, size,
 * manifest, receipt or chunk count, the view is re-chunked so that the
 * number of messages follows the view's size and not the source's, a
 * filter that stops tells the consumer the line but not why (the audit log
 * has why), and the broker's signed provenance names the source by the
 * SHA-256 of the publisher's signed manifest (which holds a random nonce),
 * not of the content. The delivered view's hash is an audit record, so an
 * auditor can tie view and source together. A dataset that cannot be
 * filtered is refused rather than sent whole.
 *
 * Threads: fetch_begin runs on the writer (the decision, the session, the
 * read's record and delivery row, committed before FetchReady leaves);
 * each FetchMore runs on a reader (fetch_read): the session claimed, its
 * next chunk read in the reader's own read transaction, opened, filtered
 * and sent by the reader. What a message must record first (the view's
 * last message, a transfer that stops) is staged for the writer, and its
 * reply comes back through the same reader, after the chunks it sent. */
#include "fetch.h"
#include "broker.h"
#include "dxtime.h"
#include "reader.h"
#include "staged.h"
#include "log.h"
#include "signed.h"
#include "wire.h"
#include "catalog.h"
#include "content.h"
#include "deliveries.h"
#include "filter.h"
#include "record.h"
#include "reply.h"
#include "sessions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void s_fetch_after(broker_t *b, uint64_t session, int status)
{
    if (status != 0)
        sessions_remove(b->sessions, session);
}

/* The last message of a view, or the error that stops a transfer, after
 * the commit: once it is sent, the reader that sends it ends the session
 * (RQ_SEND's ends); when it is not committed, the writer does. */
static void s_view_after(broker_t *b, uint64_t session, int status)
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

/* What a filtered consumer is told about the dataset: names, never bytes. */
static void s_view_entry(const Dx__CatalogEntry *e, Dx__CatalogEntry *out)
{
    dx__catalog_entry__init(out);
    out->dataset = e->dataset;
    out->version = e->version;
    out->publisher = e->publisher;
    out->content_type = e->content_type;
    out->classification = e->classification;
    out->published_ms = e->published_ms;
}

int fetch_begin(broker_t *b, request_t *rq)
{
    const Dx__FetchBegin *fb = rq->req->fetch_begin;
    audit_fields_t f = { .event = DX_EV_READ, .action = "read", .dataset = fb->dataset,
                         .version = fb->version, .purpose = fb->purpose };
    Dx__CatalogEntry *e = NULL;
    session_t *s = NULL;
    dx_decision_t d;
    char reason[600], why[DX_FILTER_WHY];
    uint8_t manifest_sha[DX_SHA256_LEN];
    uint64_t latest;
    int rv = catalog_decide(b, rq, DX_ACT_READ, &f, &d, &e, &latest);
    if (rv != 0 || !e)
        return rv;
    if ((rv = dx_sha256(e->manifest.data, e->manifest.len, manifest_sha)) != 0)
        goto out;
    f.manifest_sha256 = manifest_sha;
    if (e->erased) {
        /* decided first, so only a member who may read it learns this */
        char when[DX_TIME_TEXT];
        dx_time_format(e->erased->time_ms, when);
        bool own = strcmp(e->publisher, rq->member_id) == 0; /* who and why: as info says */
        snprintf(reason, sizeof reason, "%s@%llu was erased at %s%s%s%s%s%s: its content is gone; "
                 "its catalog entry and audit records remain", e->dataset,
                 (unsigned long long)e->version, when, own ? " by " : "", own ? e->erased->by : "",
                 own ? " (" : "", own ? e->erased->reason : "", own ? ")" : "");
        f.reason = reason;
        f.rule_id = dx_pseudo_rule(DX_PSEUDO_ERASED);
        rv = record_refusal(b, rq, &f, DX__ERROR_CODE__ERR_ERASED);
        goto out;
    }
    int format = d.field_mode == DX_FIELDS_ALL ? DX_FORMAT_NONE : dx_format_of(e->content_type, why);
    if (d.field_mode != DX_FIELDS_ALL && format == DX_FORMAT_NONE) {
        snprintf(reason, sizeof reason,
                 "rule '%s' restricts fields, but content type '%s' cannot be filtered: the "
                 "unfiltered bytes are not released (%s)", d.rule_id, e->content_type, why);
        f.reason = reason;
        rv = record_refusal(b, rq, &f, DX__ERROR_CODE__ERR_DENIED);
        goto out;
    }
    rv = DX_ERR_NOMEM;
    if (!(s = session_new(SESSION_FETCH, rq->member_id, rq->now_ms)))
        goto out;
    snprintf(s->rule_id, sizeof s->rule_id, "%s", d.rule_id);
    snprintf(s->purpose, sizeof s->purpose, "%s", fb->purpose);
    memcpy(s->manifest_sha256, manifest_sha, DX_SHA256_LEN);
    if ((rv = s_copy_fields(s, &d)) != 0)
        goto out;
    if (d.field_mode != DX_FIELDS_ALL) {
        if ((rv = dx_filter_new(format, d.field_mode, s->fields, s->nfields, &s->filter)) != 0 ||
            (rv = dx_sha256_new(&s->view_hash)) != 0)
            goto out;
        /* a pushed chunk can add a chunk of output, plus a row carried over */
        dx_buf_init(&s->view_out, 3 * (size_t)DX_CHUNK_SIZE + DX_FILTER_MAX_ROW);
        char fields[300];
        s_fields_text(&d, fields, sizeof fields);
        snprintf(reason, sizeof reason, "%s%s", d.reason, fields);
        f.reason = reason;
    }
    if ((rv = content_key_open(b, e, &s->key)) != 0) {
        dx_error("content-key-damaged",
                 "the content key of %s@%llu does not open: %s (the data directory is damaged "
                 "or was tampered with)", e->dataset, (unsigned long long)e->version, dx_strerror(rv));
        snprintf(reason, sizeof reason, "the stored content key of this version %s: nothing released",
                 rv == DX_ERR_NOT_FOUND ? "is missing" : "fails its integrity check");
        f.reason = reason;
        f.rule_id = dx_pseudo_rule(DX_PSEUDO_INTEGRITY);
        f.decision = "error";
        rv = record_refusal(b, rq, &f, DX__ERROR_CODE__ERR_INTEGRITY);
        goto out;
    }
    s->entry = e;
    e = NULL;
    session_t *added = s;
    rv = record_add_session(b, rq, s);
    s = NULL;
    if (rv != 0 || rq->answer != RQ_OPEN)
        goto out;
    f.allow = true;
    f.filtered = added->filter != NULL;
    f.bytes = added->filter ? 0 : added->entry->size;
    uint64_t seq = 0;
    if ((rv = record_audit(b, rq, &f, &seq)) != 0 ||
        (!added->filter && (rv = deliveries_sent(b, rq, added->entry->dataset, added->entry->version,
                                                      added->entry->sha256.data, fb->purpose, false,
                                                      seq)) != 0)) {
        sessions_remove(b->sessions, added->id);
        goto out;
    }
    Dx__Reply reply = DX__REPLY__INIT;
    Dx__FetchReady ready = DX__FETCH_READY__INIT;
    Dx__CatalogEntry view_entry;
    uint64_t blob = added->entry->blob;
    uint32_t key_slot = added->entry->key_slot;
    added->entry->blob = 0; /* storage details: not for the consumer */
    added->entry->key_slot = 0;
    ready.session = added->id;
    ready.filtered = added->filter != NULL;
    if (ready.filtered) {
        s_view_entry(added->entry, &view_entry);
        ready.entry = &view_entry;
    } else {
        ready.entry = added->entry;
    }
    ready.field_mode = (char *)(added->field_mode == DX_FIELDS_INCLUDE ? "include"
                                : added->field_mode == DX_FIELDS_EXCLUDE ? "exclude" : "");
    ready.fields = added->fields;
    ready.n_fields = added->nfields;
    ready.rule_id = added->rule_id;
    ready.window = (uint32_t)b->cfg.fetch_window;
    reply.body_case = DX__REPLY__BODY_FETCH_READY;
    reply.fetch_ready = &ready;
    rv = reply_witnessed(b, rq, &reply, s_fetch_after, added->id);
    added->entry->blob = blob;
    added->entry->key_slot = key_slot;
    if (rv != 0)
        sessions_remove(b->sessions, added->id);
    else
        dx_log_kv(DX_LOG_INFO, "read", DX_KV("member", rq->member_id), DX_KV("dataset", fb->dataset),
                  DX_KU("version", f.version), DX_KV("purpose", fb->purpose), DX_KV("rule", d.rule_id),
                  DX_KV("view", ready.filtered ? "filtered" : "whole"));
out:
    session_free(s);
    wire_free(&e);
    return rv;
}

/* Signs the view's provenance once the last filtered byte is out. */
static int s_sign_view(broker_t *b, session_t *s, int64_t now_ms, const uint8_t view_sha[DX_SHA256_LEN],
                       Dx__Signed *out)
{
    Dx__ViewManifest vm = DX__VIEW_MANIFEST__INIT;
    vm.dataset = s->entry->dataset;
    vm.version = s->entry->version;
    vm.source_manifest_sha256.data = s->manifest_sha256;
    vm.source_manifest_sha256.len = DX_SHA256_LEN;
    vm.view_sha256.data = (uint8_t *)view_sha;
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

/* A transfer that cannot go on: recorded (decision error, under rule),
 * the consumer told msg with code, and the session ends once that left;
 * credit still arriving meanwhile is dropped. */
static int s_stop(broker_t *b, request_t *rq, session_t *s, Dx__ErrorCode code, const char *rule,
                  const char *reason, char *msg, bool view_refused)
{
    uint64_t seq = 0;
    audit_fields_t f = { .event = DX_EV_READ, .action = "read", .dataset = s->entry->dataset,
                         .version = s->entry->version, .sha256 = s->entry->sha256.data,
                         .manifest_sha256 = s->manifest_sha256, .purpose = s->purpose,
                         .decision = "error", .rule_id = rule, .reason = reason };
    Dx__Reply reply = DX__REPLY__INIT;
    Dx__Error error = DX__ERROR__INIT;
    error.code = code;
    error.message = msg;
    error.rule_id = (char *)rule;
    reply.error = &error;
    s->finished = true;
    int rv = record_audit(b, rq, &f, &seq);
    /* the publisher sees the refused view and why (dx-agent deliveries) */
    if (rv == 0 && view_refused)
        rv = deliveries_refused(b, rq, s->entry->dataset, s->entry->version, s->purpose,
                                     reason, seq);
    if (rv == 0)
        rv = reply_later(b, rq, &reply, s_view_after, s->id);
    return rv;
}

/* A filter that stopped: the transfer ends and the audit log says why. The
 * consumer learns the line, not what was wrong with it: the reason may
 * describe the removed fields. */
static int s_filter_failed(broker_t *b, request_t *rq, session_t *s)
{
    char reason[400], msg[300];
    snprintf(reason, sizeof reason, "the view stopped: the dataset cannot be read unambiguously (%s)",
             dx_filter_error(s->filter));
    snprintf(msg, sizeof msg, "the view stopped at line %llu: the dataset cannot be filtered "
             "exactly, so nothing more of it is released (its publisher sees why in dx-agent "
             "deliveries, and can fix the data)", (unsigned long long)dx_filter_error_line(s->filter));
    dx_log_kv(DX_LOG_INFO, "refused", DX_KV("member", rq->member_id), DX_KV("request", "read"),
              DX_KV("dataset", s->entry->dataset), DX_KU("version", s->entry->version),
              DX_KV("rule", s->rule_id), DX_KV("reason", reason));
    return s_stop(b, rq, s, DX__ERROR_CODE__ERR_UNSUPPORTED, s->rule_id, reason, msg, true);
}

/* Whether the version a transfer sends was erased since it began (its
 * chunks are then gone, and that is no damage). */
static bool s_erased_since(store_txn_t *t, const session_t *s)
{
    store_val_t v;
    Dx__CatalogEntry *e = NULL;
    char err[DX_ERRMSG];
    bool erased = store_catalog_get(t, s->entry->dataset, s->entry->version, &v) == 0 &&
                  wire_catalog_decode(v.data, v.len, &e, err) == 0 && e->erased;
    wire_free(&e);
    return erased;
}

/* A stored chunk, opened: DX_ERR_INTEGRITY when it fails its check (the
 * data directory was damaged or tampered with), DX_ERR_STORAGE when it is
 * missing, DX_ERR_NOT_FOUND when the version was erased meanwhile. */
static int s_chunk(broker_t *b, store_txn_t *t, session_t *s, uint32_t index, uint8_t *plain,
                   const uint8_t **data, size_t *len)
{
    /* A pool's objects outlive an erasure's commit by a step of the trash:
     * the catalog, not their presence, says a version is gone. */
    if (b->pool && s_erased_since(t, s))
        return DX_ERR_NOT_FOUND;
    int rv = content_get(b, t, &s->key, s->entry->blob, index, s->entry->chunks, plain, data, len);
    if (rv == DX_ERR_NOT_FOUND && s_erased_since(t, s))
        return rv;
    if (rv != 0 && rv != DX_ERR_UNAVAILABLE)
        dx_error("content-damaged", "content of %s@%llu chunk %u %s: %s", s->entry->dataset,
                 (unsigned long long)s->entry->version, index,
                 rv == DX_ERR_INTEGRITY ? "fails its integrity check (damaged or tampered with)"
                 : rv == DX_ERR_NOT_FOUND ? "is missing" : "cannot be read", dx_strerror(rv));
    /* a sealed version missing a chunk was tampered with, like a changed one */
    if (rv == DX_ERR_NOT_FOUND && s->key.slot)
        rv = DX_ERR_INTEGRITY;
    return rv == DX_ERR_INTEGRITY || rv == DX_ERR_UNAVAILABLE ? rv : rv ? DX_ERR_STORAGE : 0;
}

/* A stored chunk that does not open: the transfer ends with an integrity
 * error (the consumer exits 4). */
static int s_damaged(broker_t *b, request_t *rq, session_t *s, uint32_t index)
{
    char reason[200], msg[300];
    snprintf(reason, sizeof reason, "stored chunk %u of this version fails its integrity check: "
             "the transfer stopped, nothing more released", index);
    snprintf(msg, sizeof msg, "the broker's stored copy of %s@%llu is damaged (chunk %u fails its "
             "integrity check): nothing more is sent; tell the broker's operator",
             s->entry->dataset, (unsigned long long)s->entry->version, index);
    return s_stop(b, rq, s, DX__ERROR_CODE__ERR_INTEGRITY, dx_pseudo_rule(DX_PSEUDO_INTEGRITY),
                  reason, msg, false);
}

/* The version was erased while it was being sent: the consumer is told so,
 * and the log says how far it got, not that anything was damaged. */
static int s_erased(broker_t *b, request_t *rq, session_t *s, uint32_t index)
{
    char reason[200], msg[DX_NAME_MAX + 200];
    snprintf(reason, sizeof reason, "the version was erased while it was being sent: the transfer "
             "stopped before stored chunk %u", index);
    snprintf(msg, sizeof msg, "%s@%llu was erased while it was being sent: nothing more of it is "
             "sent, and what arrived is incomplete", s->entry->dataset,
             (unsigned long long)s->entry->version);
    dx_log_kv(DX_LOG_INFO, "read-stopped", DX_KV("member", rq->member_id),
              DX_KV("dataset", s->entry->dataset), DX_KU("version", s->entry->version),
              DX_KV("reason", "erased while it was being sent"));
    return s_stop(b, rq, s, DX__ERROR_CODE__ERR_ERASED, dx_pseudo_rule(DX_PSEUDO_ERASED), reason,
                  msg, false);
}

/* Stored chunks one turn of a reader reads for a view: a view that keeps
 * little of its source (a few columns of wide rows) needs many chunks for
 * one message, and a turn is bounded; the request goes on in a later turn
 * of the same lane, after the requests it holds meanwhile. */
#define VIEW_TURN_CHUNKS 8

/* Reads stored chunks through the filter until a message's worth of view
 * is ready, the content ends, or the turn's chunks are read (*more).
 * *stopped says the filter refused the data. */
static int s_fill_view(broker_t *b, session_t *s, uint8_t *plain, bool *stopped, bool *more)
{
    uint32_t chunks = s->entry->chunks, read = 0;
    store_txn_t *t = NULL;
    int rv = 0;
    *more = false;
    while (rv == 0 && s->view_out.len < DX_CHUNK_SIZE && !s->source_done) {
        if (read == VIEW_TURN_CHUNKS) {
            *more = true;
            break;
        }
        read++;
        if (s->next_chunk < chunks) {
            const uint8_t *data;
            size_t len;
            if (!t && (rv = store_begin(b->store, NULL, false, &t)) != 0)
                break;
            if ((rv = s_chunk(b, t, s, s->next_chunk, plain, &data, &len)) != 0)
                break;
            rv = dx_filter_push(s->filter, data, len, &s->view_out);
            content_release(b, plain, data, len);
            s->next_chunk++;
        }
        if (rv == 0 && s->next_chunk >= chunks && (rv = dx_filter_finish(s->filter, &s->view_out)) == 0)
            s->source_done = true;
    }
    store_abort(&t);
    *stopped = rv == DX_ERR_INVALID;
    return *stopped ? 0 : rv;
}

/* The next message of a filtered view. */
static int s_more_view(broker_t *b, request_t *rq, session_t *s)
{
    bool stopped = false, more = false;
    int rv = s_fill_view(b, s, rq->reader->plain, &stopped, &more);
    if (rv == DX_ERR_INTEGRITY)
        return s_damaged(b, rq, s, s->next_chunk);
    if (rv == DX_ERR_NOT_FOUND)
        return s_erased(b, rq, s, s->next_chunk);
    if (rv != 0 || stopped)
        return rv ? rv : s_filter_failed(b, rq, s);
    if (more) {
        rq->again = true; /* its message in a later turn: the number of messages follows the view */
        return 0;
    }
    size_t n = s->view_out.len < DX_CHUNK_SIZE ? s->view_out.len : DX_CHUNK_SIZE;
    bool last = s->source_done && n == s->view_out.len;
    Dx__Reply reply = DX__REPLY__INIT;
    Dx__FetchData data = DX__FETCH_DATA__INIT;
    Dx__Signed view = DX__SIGNED__INIT;
    bool have_view = false;
    if ((rv = dx_sha256_update(s->view_hash, s->view_out.data, n)) != 0)
        return rv;
    s->view_size += n;
    data.session = s->id;
    data.index = s->next_message;
    data.last = last;
    data.data.data = s->view_out.data;
    data.data.len = n;
    reply.body_case = DX__REPLY__BODY_FETCH_DATA;
    reply.fetch_data = &data;
    if (!last) {
        reply_now(b, rq, &reply);
        dx_buf_consume(&s->view_out, n);
        s->next_message++;
        return 0;
    }
    /* The last message carries the signed provenance and leaves once the
     * view's hash is in the audit log. */
    uint8_t view_sha[DX_SHA256_LEN];
    char reason[200];
    if ((rv = dx_sha256_final(s->view_hash, view_sha)) != 0 ||
        (rv = s_sign_view(b, s, rq->now_ms, view_sha, &view)) != 0)
        goto out;
    have_view = true;
    data.view = &view;
    snprintf(reason, sizeof reason, "filtered view delivered: %llu bytes",
             (unsigned long long)s->view_size);
    audit_fields_t f = { .event = DX_EV_READ, .action = "read", .dataset = s->entry->dataset,
                         .version = s->entry->version, .sha256 = s->entry->sha256.data,
                         .manifest_sha256 = s->manifest_sha256, .view_sha256 = view_sha,
                         .purpose = s->purpose, .decision = "ok", .rule_id = s->rule_id,
                         .reason = reason, .bytes = s->view_size, .filtered = true };
    s->finished = true;
    uint64_t seq = 0;
    if ((rv = record_audit(b, rq, &f, &seq)) == 0 &&
        (rv = deliveries_sent(b, rq, s->entry->dataset, s->entry->version, view_sha, s->purpose,
                                   true, seq)) == 0)
        rv = reply_later(b, rq, &reply, s_view_after, s->id);
out:
    if (have_view)
        dx_signed_clear(&view);
    return rv;
}

/* The next chunk of the content, as stored. */
static int s_more_whole(broker_t *b, request_t *rq, session_t *s)
{
    uint8_t *plain = rq->reader->plain;
    uint32_t chunks = s->entry->chunks, index = s->next_chunk;
    bool last = chunks == 0 || index + 1 >= chunks;
    store_txn_t *t = NULL;
    const uint8_t *chunk = NULL;
    size_t len = 0;
    int rv;
    if ((rv = store_begin(b->store, NULL, false, &t)) != 0)
        return rv;
    if (chunks > 0 && (rv = s_chunk(b, t, s, index, plain, &chunk, &len)) != 0) {
        store_abort(&t);
        return rv == DX_ERR_INTEGRITY ? s_damaged(b, rq, s, index)
               : rv == DX_ERR_NOT_FOUND ? s_erased(b, rq, s, index) : rv;
    }
    Dx__Reply reply = DX__REPLY__INIT;
    Dx__FetchData data = DX__FETCH_DATA__INIT;
    data.session = s->id;
    data.index = index;
    data.last = last;
    data.data.data = (uint8_t *)chunk;
    data.data.len = len;
    reply.body_case = DX__REPLY__BODY_FETCH_DATA;
    reply.fetch_data = &data;
    reply_now(b, rq, &reply);
    content_release(b, plain, chunk, len);
    store_abort(&t);
    s->next_chunk++;
    s->finished = last;
    return 0;
}

int fetch_read(broker_t *b, request_t *rq)
{
    uint64_t id = rq->req->fetch_more->session;
    session_t *s = NULL;
    claim_t c = sessions_claim(b->sessions, id, rq->member_id, &s);
    if (c == CLAIM_BUSY) {
        reply_none(b, rq); /* credit past a view's end (its length was not known) */
        return 0;
    }
    if (c == CLAIM_NONE && reader_has_ended(rq->reader, id, rq->member_id)) {
        reply_none(b, rq); /* the same, once the session is gone */
        return 0;
    }
    if (c == CLAIM_NONE)
        return 0; /* not the member's: the writer answers, and records a probe */
    s->last_active_ms = rq->now_ms;
    int rv = s->filter ? s_more_view(b, rq, s) : s_more_whole(b, rq, s);
    if (!s->finished)
        sessions_unclaim(b->sessions, s);
    else if (rv != 0 || !staged_any(rq)) { /* else its last message, sent back here, ends it */
        sessions_remove(b->sessions, id);
        reader_ended(rq->reader, id, rq->member_id);
    }
    return rv;
}

int fetch_more(broker_t *b, request_t *rq)
{
    uint64_t id = rq->req->fetch_more->session;
    if (sessions_has(b->sessions, id, rq->member_id, SESSION_FETCH))
        return 0; /* its own, ended meanwhile: credit past the end, dropped */
    return record_no_transfer(b, rq, id, DX_EV_READ);
}
