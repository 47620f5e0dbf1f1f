/* publish: signed manifests in, durable versions and signed receipts out.
 *
 * Order of checks (each refusal is an audit record): the signature over the
 * exact bytes received, with the sender's registered key; the manifest's
 * fields; publisher = sender; creation time within the skew window; the
 * nonce (a retry of the same manifest gets the first receipt, another
 * manifest with a used nonce is a replay); the policy; the size limit.
 * Signatures, manifests and hashes were checked on a job thread before the
 * request got here (publish_check.c); this file decides on what they found.
 * Content arrives inline (one chunk) or in chunks, hashed as they stream
 * and staged in the store; the last chunk's transaction makes content,
 * catalog entry, nonce and audit record visible together. */
#include "publish.h"
#include "publishing.h"
#include "broker.h"
#include "dxtime.h"
#include "log.h"
#include "signed.h"
#include "wire.h"
#include "filter.h"
#include "publish_check.h"
#include "batch.h"
#include "content.h"
#include "feed.h"
#include "objects.h"
#include "record.h"
#include "reply.h"
#include "sessions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t s_chunks(uint64_t size)
{
    return (uint32_t)((size + DX_CHUNK_SIZE - 1) / DX_CHUNK_SIZE);
}

/* The nonce record: manifest SHA-256, dataset name, NUL, version (BE). */
static int s_nonce_value(const uint8_t sha[32], const char *name, uint64_t version, uint8_t *out,
                         size_t *len)
{
    size_t n = strlen(name);
    memcpy(out, sha, 32);
    memcpy(out + 32, name, n + 1);
    for (int i = 0; i < 8; i++)
        out[33 + n + (size_t)i] = (uint8_t)(version >> (56 - 8 * i));
    *len = 41 + n;
    return 0;
}

/* A nonce seen before: the first receipt if this is the same manifest,
 * else a replay; either way rq is answered. A new nonce leaves it open. */
static int s_check_nonce(broker_t *b, request_t *rq, store_txn_t *t, const Dx__Manifest *m,
                         const uint8_t manifest_sha[32], audit_fields_t *f)
{
    store_val_t v;
    int rv = store_nonce_get(t, m->publisher, m->nonce.data, &v);
    if (rv == DX_ERR_NOT_FOUND)
        return 0;
    if (rv != 0)
        return rv;
    if (v.len < 42 || !dx_equal(v.data, manifest_sha, 32)) {
        f->rule_id = dx_pseudo_rule(DX_PSEUDO_REPLAY);
        f->reason = "this nonce was already used by another manifest: replay refused";
        return record_refusal(b, rq, f, DX__ERROR_CODE__ERR_REPLAY);
    }
    /* The same manifest retried after a lost reply: same receipt. */
    char name[DX_NAME_MAX + 1];
    size_t n = strnlen((const char *)v.data + 32, v.len - 32);
    if (n > DX_NAME_MAX || 32 + n + 9 != v.len)
        return DX_ERR_STORAGE;
    memcpy(name, v.data + 32, n + 1);
    uint64_t version = 0;
    for (int i = 0; i < 8; i++)
        version = version << 8 | v.data[33 + n + (size_t)i];
    store_val_t ev;
    Dx__CatalogEntry *e = NULL;
    char err[DX_ERRMSG];
    if ((rv = store_catalog_get(t, name, version, &ev)) != 0)
        return rv;
    if (wire_catalog_decode(ev.data, ev.len, &e, err) != 0) {
        dx_error("catalog-corrupt",
                 "catalog entry %s@%llu is corrupt: %s", name, (unsigned long long)version, err);
        return DX_ERR_STORAGE;
    }
    Dx__Reply reply = DX__REPLY__INIT;
    reply.body_case = DX__REPLY__BODY_RECEIPT;
    reply.receipt = e->receipt;
    /* after the commit: the first publish may be in this very group */
    rv = reply_witnessed(b, rq, &reply, NULL, 0);
    wire_free(&e);
    dx_log_kv(DX_LOG_INFO, "publish-retried", DX_KV("member", rq->member_id), DX_KV("dataset", name),
              DX_KU("version", version), DX_KV("answer", "its first receipt"));
    return rv;
}

typedef struct {
    const uint8_t *manifest;
    size_t manifest_len;
    const uint8_t *signature;
    const uint8_t *signer_key;   /* the publisher's key that signed (one of two in a rotation) */
    const uint8_t *manifest_sha;
    const Dx__Manifest *m;
    uint64_t blob;
    bool staged;
    const char *rule_id;
    const char *reason;
    content_key_t *key;          /* the staged chunks' key; NULL: none yet */
} commit_t;

/* Makes a publish visible: last chunk, catalog entry, nonce, audit record,
 * receipt, in the current request's transaction; *made says it was. When
 * the nonce turns out to be used, rq is answered without it. */
static int s_commit(broker_t *b, request_t *rq, const commit_t *c, const uint8_t *last,
                    size_t last_len, reply_after_fn after, uint64_t session, bool *made)
{
    const Dx__Manifest *m = c->m;
    audit_fields_t f = { .event = DX_EV_PUBLISH, .action = "publish", .dataset = m->dataset,
                         .sha256 = m->sha256.data, .manifest_sha256 = c->manifest_sha,
                         .signer_key = c->signer_key };
    store_txn_t *t;
    int rv;
    if ((rv = batch_txn(b->batch, &t)) != 0)
        return rv;
    /* Checked again inside the transaction: it is the authority. */
    if ((rv = s_check_nonce(b, rq, t, m, c->manifest_sha, &f)) != 0 || rq->answer != RQ_OPEN)
        return rv;
    uint64_t version = 0, seq = 0;
    rv = store_catalog_latest(t, m->dataset, &version);
    if (rv != 0 && rv != DX_ERR_NOT_FOUND)
        return rv;
    version++;
    uint32_t chunks = s_chunks(m->size);
    uint8_t *entry = NULL, nonce_val[64 + DX_NAME_MAX];
    size_t entry_len = 0, nonce_len = 0;
    Dx__Signed signed_receipt = DX__SIGNED__INIT;
    content_key_t fresh = { 0 }, *key = c->key && c->key->slot ? c->key : &fresh;
    if (last && m->size > 0) {
        if (key == &fresh && (rv = content_key_new(b, t, c->blob, &fresh)) != 0)
            goto out;
        rv = content_put(t, key, c->blob, chunks - 1, chunks, last, last_len);
        if (rv != 0)
            goto out;
    }
    f.version = version;
    f.allow = true;
    f.bytes = m->size;
    f.rule_id = c->rule_id;
    f.reason = c->reason;
    if ((rv = record_audit(b, rq, &f, &seq)) != 0)
        goto out;

    Dx__Receipt receipt = DX__RECEIPT__INIT;
    receipt.dataset = m->dataset;
    receipt.version = version;
    receipt.sha256 = m->sha256;
    receipt.size = m->size;
    receipt.audit_seq = seq;
    receipt.time_ms = rq->now_ms;
    receipt.publisher = m->publisher;
    receipt.manifest_sha256.data = (uint8_t *)c->manifest_sha;
    receipt.manifest_sha256.len = DX_SHA256_LEN;
    receipt.signer_key.data = (uint8_t *)c->signer_key;
    receipt.signer_key.len = DX_ED25519_LEN;
    if ((rv = dx_signed_make(&receipt.base, DX_CTX_RECEIPT, b->signer, &signed_receipt)) != 0)
        goto out;

    Dx__CatalogEntry e = DX__CATALOG_ENTRY__INIT;
    e.dataset = m->dataset;
    e.version = version;
    e.manifest.data = (uint8_t *)c->manifest;
    e.manifest.len = c->manifest_len;
    e.manifest_sig.data = (uint8_t *)c->signature;
    e.manifest_sig.len = DX_SIG_LEN;
    e.publisher_key.data = (uint8_t *)c->signer_key;
    e.publisher_key.len = DX_ED25519_LEN;
    e.receipt = &signed_receipt;
    e.blob = c->blob;
    e.chunks = chunks;
    e.publisher = m->publisher;
    e.sha256 = m->sha256;
    e.size = m->size;
    e.content_type = m->content_type;
    e.classification = m->classification;
    e.published_ms = rq->now_ms;
    e.key_slot = key->slot;
    if ((rv = wire_pack(&e.base, &entry, &entry_len)) != 0)
        goto out;
    s_nonce_value(c->manifest_sha, m->dataset, version, nonce_val, &nonce_len);
    if ((rv = store_catalog_put(t, m->dataset, version, entry, entry_len)) != 0 ||
        (rv = store_nonce_put(t, m->publisher, m->nonce.data, nonce_val, nonce_len)) != 0 ||
        (rv = feed_committed(b, seq, m->dataset, version, m->classification, false)) != 0)
        goto out;
    if (c->staged && (rv = store_staging_delete(t, c->blob)) != 0)
        goto out;
    Dx__Reply reply = DX__REPLY__INIT;
    reply.body_case = DX__REPLY__BODY_RECEIPT;
    reply.receipt = &signed_receipt;
    if ((rv = reply_witnessed(b, rq, &reply, after, session)) != 0)
        goto out;
    if (made)
        *made = true;
    dx_log_kv(DX_LOG_INFO, "published", DX_KV("member", rq->member_id), DX_KV("dataset", m->dataset),
              DX_KU("version", version), DX_KU("size", m->size), DX_KU("seq", seq));
out:
    free(entry);
    dx_signed_clear(&signed_receipt);
    content_key_wipe(&fresh);
    return rv;
}

/* A transfer that ends answers the chunks it held: written, but not
 * acknowledged (one before them was not), and the last one waiting. */
static void s_release_held(broker_t *b, session_t *s)
{
    for (size_t i = 0; i < SESSION_HOLD; i++) {
        if (!s->held[i])
            continue;
        reply_error(b, s->held[i], DX__ERROR_CODE__ERR_TRANSFER_GONE, NULL,
                    "the transfer ended before this chunk was acknowledged: start the publish again");
        objects_finish(b, s->held[i]);
        s->held[i] = NULL;
    }
    if (s->final) { /* it comes back, and finds the transfer over */
        objects_resume(b, s->final, s->write_rv ? s->write_rv : DX_ERR_TRANSFER_GONE);
        s->final = NULL;
    }
}

/* Ends a transfer; its staged chunks go unless they were committed. */
static void s_end(broker_t *b, session_t *s, bool discard)
{
    s_release_held(b, s);
    if (discard && s->staged)
        publish_discard(b, s->blob);
    publish_lanes_forget(b->lanes, s->id);
    sessions_remove(b->sessions, s->id);
}

/* Why content that claims a format was refused: the reader's line, and
 * what to do. */
static void s_format_reason(const char *content_type, const char *why, char out[DX_ERRMSG])
{
    snprintf(out, DX_ERRMSG, "the content is declared %s, but the broker's strict reader stops at "
             "%s: no consumer could be given a field view of it; fix the file (UTF-8, one "
             "header row, comma-separated for CSV) or publish it as application/octet-stream",
             content_type, why);
}

/* A streamed transfer's content key and staging row. */
static int s_stage(broker_t *b, request_t *rq, session_t *s)
{
    store_txn_t *t;
    int rv;
    if ((rv = batch_txn(b->batch, &t)) != 0 || (rv = content_key_new(b, t, s->blob, &s->key)) != 0 ||
        (rv = store_staging_put(t, s->blob, rq->now_ms, s->key.slot, s_chunks(s->m->size))) != 0)
        return rv;
    s->staged = true;
    return 0;
}

static void s_chunk_after(broker_t *b, uint64_t session, int status);

/* Inline content for the pool, first pass: its key and staging row are
 * written, the chunk sealed; once they commit, the object is written
 * (objects.h) and the request comes back to commit the version. */
static int s_inline_stage(broker_t *b, request_t *rq, uint64_t blob, const Dx__Manifest *m)
{
    store_txn_t *t;
    content_key_t key;
    int rv;
    if ((rv = batch_txn(b->batch, &t)) != 0 || (rv = content_key_new(b, t, blob, &key)) != 0)
        return rv;
    const Dx__PublishBegin *pb = rq->req->publish_begin;
    if ((rv = store_staging_put(t, blob, rq->now_ms, key.slot, 1)) == 0 &&
        (rv = content_seal(&key, blob, 0, 1, pb->inline_data.data, pb->inline_data.len,
                           &rq->sealed, &rq->sealed_len)) == 0) {
        rq->sealed_slot = key.slot;
        rq->wrote_blob = blob;
        rv = objects_write_after_commit(b, rq, blob);
    }
    content_key_wipe(&key);
    (void)m;
    return rv;
}

int publish_begin(broker_t *b, request_t *rq)
{
    const Dx__PublishBegin *pb = rq->req->publish_begin;
    audit_fields_t f = { .event = DX_EV_PUBLISH, .action = "publish" };
    Dx__Manifest *m = NULL;
    session_t *s = NULL;
    char reason[DX_ERRMSG];
    uint8_t manifest_sha[DX_SHA256_LEN];
    bool inline_made = false;
    int rv;

    /* Verify first, then parse: nothing of an unsigned manifest is used.
     * A job thread did both; if the member's keys changed since (a reload,
     * a rotation's window opening or closing), they are done again here
     * against the keys in force now. */
    check_t *pp = &rq->check;
    const uint8_t *now_keys[2];
    uint8_t keys[2][DX_ED25519_LEN];
    size_t nkeys = dx_member_sign_keys(rq->member, rq->now_ms, now_keys);
    for (size_t i = 0; i < nkeys; i++)
        memcpy(keys[i], now_keys[i], DX_ED25519_LEN);
    if (!pp->ran || pp->nsign_keys != nkeys || memcmp(pp->sign_keys, keys, nkeys * DX_ED25519_LEN) != 0)
        publish_check_signed(rq, keys, nkeys);
    m = pp->manifest;
    pp->manifest = NULL; /* this function frees it */
    if (pp->verified != 0) {
        f.rule_id = dx_pseudo_rule(DX_PSEUDO_INTEGRITY);
        f.reason = "the manifest's signature does not verify with the sender's registered sign_key";
        rv = record_refusal(b, rq, &f, DX__ERROR_CODE__ERR_INTEGRITY);
        goto out;
    }
    if (pp->manifest_rv != 0) {
        f.rule_id = dx_pseudo_rule(DX_PSEUDO_PROTOCOL);
        f.reason = pp->manifest_err;
        rv = record_refusal(b, rq, &f, DX__ERROR_CODE__ERR_BAD_REQUEST);
        goto out;
    }
    f.dataset = m->dataset;
    f.sha256 = m->sha256.data;
    memcpy(manifest_sha, pp->manifest_sha, DX_SHA256_LEN);
    f.manifest_sha256 = manifest_sha;
    if (strcmp(m->publisher, rq->member_id) != 0) {
        snprintf(reason, sizeof reason, "the manifest names publisher '%s' but was sent by '%s'",
                 m->publisher, rq->member_id);
        f.rule_id = dx_pseudo_rule(DX_PSEUDO_INTEGRITY);
        f.reason = reason;
        rv = record_refusal(b, rq, &f, DX__ERROR_CODE__ERR_INTEGRITY);
        goto out;
    }
    /* A nonce first: the same manifest retried, at any age, gets its first
     * receipt (nonces are kept for ever); only a new one must be recent. */
    store_txn_t *t;
    if ((rv = batch_txn(b->batch, &t)) != 0)
        goto out;
    if ((rv = s_check_nonce(b, rq, t, m, manifest_sha, &f)) != 0 || rq->answer != RQ_OPEN)
        goto out;
    int64_t skew = m->created_ms - rq->now_ms;
    if (skew > b->cfg.skew_ms || -skew > b->cfg.skew_ms) {
        char when[DX_TIME_TEXT];
        dx_time_format(m->created_ms, when);
        snprintf(reason, sizeof reason,
                 "the manifest was created at %s, outside the broker's window of %lld s: a "
                 "replayed manifest, or a clock that is off", when, (long long)(b->cfg.skew_ms / 1000));
        f.rule_id = dx_pseudo_rule(DX_PSEUDO_REPLAY);
        f.reason = reason;
        rv = record_refusal(b, rq, &f, DX__ERROR_CODE__ERR_REPLAY);
        goto out;
    }
    session_t *old = sessions_find_nonce(b->sessions, m->publisher, m->nonce.data);
    if (old) {
        if (old->busy || !dx_equal(old->manifest_sha256, manifest_sha, 32)) {
            f.rule_id = dx_pseudo_rule(DX_PSEUDO_REPLAY);
            f.reason = "this nonce is in use by another manifest: replay refused";
            rv = record_refusal(b, rq, &f, DX__ERROR_CODE__ERR_REPLAY);
            goto out;
        }
        /* A retry of a transfer that stalled: start it over. */
        s_end(b, old, true);
    }

    dx_decision_t d;
    dx_request_t req = { .member = rq->member_id, .action = DX_ACT_PUBLISH, .dataset = m->dataset,
                         .classification = (dx_class_t)m->classification, .now_ms = rq->now_ms };
    dx_policy_decide(b->policy, &req, &d);
    f.rule_id = d.rule_id;
    f.reason = d.reason;
    if (!d.allow) {
        rv = record_refusal(b, rq, &f, DX__ERROR_CODE__ERR_DENIED);
        goto out;
    }
    if (m->size > b->cfg.max_dataset) {
        snprintf(reason, sizeof reason, "the dataset is %llu bytes; this broker takes at most %llu",
                 (unsigned long long)m->size, (unsigned long long)b->cfg.max_dataset);
        f.rule_id = dx_pseudo_rule(DX_PSEUDO_LIMIT);
        f.reason = reason;
        rv = record_refusal(b, rq, &f, DX__ERROR_CODE__ERR_BAD_REQUEST);
        goto out;
    }

    /* an inline publish back from the pool has its blob already */
    uint64_t blob = rq->resumed ? rq->wrote_blob : publishing_next_blob(b->publishing);
    commit_t c = { pb->manifest.data, pb->manifest.len, pb->signature.data, pp->sign_key, manifest_sha,
                   m, blob, false, d.rule_id, d.reason, NULL };
    if (pb->has_inline && b->pool && m->size > 0) {
        if (!pp->inline_matches || pp->format_rv != 0)
            goto refused_inline;
        if (!rq->resumed) {
            rv = s_inline_stage(b, rq, blob, m);
            if (rv == 0) {
                pp->manifest = m; /* the second pass reads it again */
                m = NULL;
            }
            goto out;
        }
        if (rq->pool_rv != 0) {
            content_unavailable(b, reason);
            f.rule_id = dx_pseudo_rule(DX_PSEUDO_STORE);
            f.reason = reason;
            rv = record_refusal(b, rq, &f, DX__ERROR_CODE__ERR_STORAGE);
            goto out;
        }
        content_key_t written = { .slot = rq->sealed_slot };
        c.staged = true;
        c.key = &written;
        rv = s_commit(b, rq, &c, NULL, 0, NULL, 0, &inline_made);
        goto out;
    }
refused_inline:
    if (pb->has_inline) {
        if (!pp->inline_matches) {
            f.rule_id = dx_pseudo_rule(DX_PSEUDO_INTEGRITY);
            f.reason = "the content does not match the manifest's size and sha256";
            rv = record_refusal(b, rq, &f, DX__ERROR_CODE__ERR_INTEGRITY);
            goto out;
        }
        if (pp->format_rv != 0) {
            s_format_reason(m->content_type, pp->format_why, reason);
            f.dataset = m->dataset;
            f.rule_id = dx_pseudo_rule(DX_PSEUDO_FORMAT);
            f.reason = reason;
            rv = record_refusal(b, rq, &f, DX__ERROR_CODE__ERR_BAD_REQUEST);
            goto out;
        }
        rv = s_commit(b, rq, &c, pb->inline_data.data, pb->inline_data.len, NULL, 0, NULL);
        goto out;
    }

    if (!(s = session_new(SESSION_PUBLISH, rq->member_id, rq->now_ms)) ||
        !(s->manifest = malloc(pb->manifest.len))) {
        rv = DX_ERR_NOMEM;
        goto out;
    }
    memcpy(s->manifest, pb->manifest.data, pb->manifest.len);
    s->manifest_len = pb->manifest.len;
    memcpy(s->signature, pb->signature.data, DX_SIG_LEN);
    memcpy(s->signer_key, c.signer_key, DX_ED25519_LEN);
    memcpy(s->manifest_sha256, manifest_sha, DX_SHA256_LEN);
    s->blob = c.blob;
    snprintf(s->rule_id, sizeof s->rule_id, "%s", d.rule_id);
    snprintf(s->reason, sizeof s->reason, "%s", d.reason);
    s->m = m;
    m = NULL;
    session_t *added = s;
    rv = record_add_session(b, rq, s);
    s = NULL; /* owned by the table, or freed */
    if (rv != 0 || rq->answer != RQ_OPEN)
        goto out;
    char why[DX_FILTER_WHY];
    int format = dx_format_of(added->m->content_type, why);
    if (format != DX_FORMAT_NONE && (rv = publish_lanes_expect(b->lanes, added->id, rq->member_id, format)) != 0)
        goto out;
    Dx__Reply reply = DX__REPLY__INIT;
    Dx__PublishReady ready = DX__PUBLISH_READY__INIT;
    ready.session = added->id;
    ready.chunk_size = DX_CHUNK_SIZE;
    ready.window = (uint32_t)b->cfg.window;
    reply.body_case = DX__REPLY__BODY_PUBLISH_READY;
    reply.publish_ready = &ready;
    if (b->pool) {
        /* The pool: the staging row that names the blob (the intent a
         * crash leaves for the collector) is durable before any object of
         * it is written, so the chunks may come once it commits. */
        if ((rv = s_stage(b, rq, added)) == 0)
            rv = reply_later(b, rq, &reply, s_chunk_after, added->id);
        goto out;
    }
    reply_now(b, rq, &reply);
out:
    /* an inline publish back from the pool and not made visible (refused
     * on this pass, or answered with its first receipt): its object goes */
    if (rq->resumed && rq->wrote_blob && !inline_made)
        publish_discard(b, rq->wrote_blob);
    session_free(s);
    wire_free(&m);
    return rv;
}

/* After a chunk's staging commit: a failed commit ends the transfer. */
static void s_chunk_after(broker_t *b, uint64_t session, int status)
{
    session_t *s = sessions_get(b->sessions, session, NULL);
    if (!s)
        return;
    if (status != 0)
        s_end(b, s, true);
}

/* After the final commit the session is done, whatever the outcome. */
static void s_final_after(broker_t *b, uint64_t session, int status)
{
    session_t *s = sessions_get(b->sessions, session, NULL);
    if (!s)
        return;
    s_end(b, s, status != 0);
}

/* Ends a transfer that went wrong: its staged chunks go, and the refusal
 * is recorded. */
static int s_abort(broker_t *b, request_t *rq, session_t *s, Dx__ErrorCode code,
                   dx_pseudo_t rule, const char *reason)
{
    audit_fields_t f = { .event = DX_EV_PUBLISH, .action = "publish", .dataset = s->m->dataset,
                         .sha256 = s->m->sha256.data, .rule_id = dx_pseudo_rule(rule),
                         .reason = reason };
    int rv = record_refusal(b, rq, &f, code);
    s_end(b, s, true); /* f points into the session until here */
    return rv;
}

/* The credit for a chunk stored. */
static void s_ack(broker_t *b, request_t *rq, const session_t *s, uint32_t index)
{
    Dx__Reply reply = DX__REPLY__INIT;
    Dx__ChunkAck ack = DX__CHUNK_ACK__INIT;
    ack.session = s->id;
    ack.index = index;
    reply.body_case = DX__REPLY__BODY_CHUNK_ACK;
    reply.chunk_ack = &ack;
    reply_now(b, rq, &reply);
}

/* Makes a transfer whose chunks are all stored visible. */
static int s_commit_session(broker_t *b, request_t *rq, session_t *s, const uint8_t *last,
                            size_t last_len)
{
    s->busy = true; /* a retry of its manifest meanwhile is a replay */
    commit_t c = { s->manifest, s->manifest_len, s->signature, s->signer_key, s->manifest_sha256,
                   s->m, s->blob, s->staged, s->rule_id, s->reason, &s->key };
    bool made = false;
    int rv = s_commit(b, rq, &c, last, last_len, s_final_after, s->id, &made);
    if (rv != 0 || !made)
        s_end(b, s, true); /* failed, or answered without a commit: over */
    return rv;
}

/* The pool answered a chunk's write (objects.h): its credit, or the end of
 * the transfer; the last chunk commits once every write is answered. */
static int s_chunk_written(broker_t *b, request_t *rq)
{
    const Dx__PublishChunk *pc = rq->req->publish_chunk;
    session_t *s = sessions_get(b->sessions, pc->session, rq->member_id);
    char reason[DX_ERRMSG];
    if (!s || s->kind != SESSION_PUBLISH) {
        /* the transfer ended meanwhile (an earlier chunk failed, or it
         * timed out): it was recorded then */
        reply_error(b, rq, rq->pool_rv == DX_ERR_UNAVAILABLE ? DX__ERROR_CODE__ERR_STORAGE
                           : DX__ERROR_CODE__ERR_TRANSFER_GONE, NULL, "%s",
                    rq->pool_rv == DX_ERR_UNAVAILABLE ? (content_unavailable(b, reason), reason)
                    : "the transfer ended before this chunk was stored: start the publish again");
        return 0;
    }
    if (rq->wrote_blob) {
        s->writing--;
        rq->wrote_blob = 0;
    }
    if (rq->pool_rv != 0 && !s->write_rv)
        s->write_rv = rq->pool_rv;
    if (s->write_rv) {
        if (s->write_rv == DX_ERR_UNAVAILABLE)
            content_unavailable(b, reason);
        else
            snprintf(reason, sizeof reason, "the content store refused a chunk: %s",
                     dx_strerror(s->write_rv));
        return s_abort(b, rq, s, DX__ERROR_CODE__ERR_STORAGE, DX_PSEUDO_STORE, reason);
    }
    if (!pc->last) {
        /* acknowledged in order, as publishers expect, though Ceph may
         * answer out of order (a slow placement group) */
        if (pc->index != s->acked) {
            s->held[pc->index % SESSION_HOLD] = rq;
            objects_park(rq);
            return 0;
        }
        s_ack(b, rq, s, s->acked++);
        request_t *h;
        while ((h = s->held[s->acked % SESSION_HOLD]) != NULL) {
            s->held[s->acked % SESSION_HOLD] = NULL;
            s_ack(b, h, s, s->acked++);
            objects_finish(b, h);
        }
        if (s->writing == 0 && s->final) {
            objects_resume(b, s->final, 0);
            s->final = NULL;
        }
        return 0;
    }
    if (s->writing > 0) {
        s->final = rq; /* the last answer to come brings it back */
        objects_park(rq);
        return 0;
    }
    return s_commit_session(b, rq, s, NULL, 0);
}

int publish_chunk(broker_t *b, request_t *rq)
{
    if (rq->resumed)
        return s_chunk_written(b, rq);
    const Dx__PublishChunk *pc = rq->req->publish_chunk;
    session_t *s = sessions_get(b->sessions, pc->session, rq->member_id);
    char reason[DX_ERRMSG];
    int rv;
    if (!s || s->kind != SESSION_PUBLISH || s->busy)
        return record_no_transfer(b, rq, pc->session, DX_EV_PUBLISH);
    s->last_active_ms = rq->now_ms;
    uint32_t chunks = s_chunks(s->m->size);
    bool last = pc->index + 1 == chunks || (chunks == 0 && pc->index == 0);
    if (pc->index != s->next_index || pc->last != last) {
        snprintf(reason, sizeof reason, "chunk %u arrived where chunk %u was expected", pc->index,
                 s->next_index);
        return s_abort(b, rq, s, DX__ERROR_CODE__ERR_BAD_REQUEST, DX_PSEUDO_PROTOCOL, reason);
    }
    if ((!last && pc->data.len != DX_CHUNK_SIZE) ||
        (last && s->received + pc->data.len != s->m->size))
        return s_abort(b, rq, s, DX__ERROR_CODE__ERR_INTEGRITY, DX_PSEUDO_INTEGRITY,
                       "the content's size does not match the manifest");
    if (rq->check.ran && rq->check.format_rv != 0) {
        s_format_reason(s->m->content_type, rq->check.format_why, reason);
        return s_abort(b, rq, s, DX__ERROR_CODE__ERR_BAD_REQUEST, DX_PSEUDO_FORMAT, reason);
    }
    if (!rq->check.ran || rq->check.hash_rv != 0) {
        /* the chunks were hashed in order on the transfer's lane: a hash
         * that is not there was idle past the timeout, or evicted */
        return s_abort(b, rq, s, DX__ERROR_CODE__ERR_BUSY, DX_PSEUDO_PROTOCOL,
                       "the broker lost this transfer's running hash (idle too long, or too many "
                       "transfers at once): start the publish again");
    }
    if (b->pool && s->m->size > 0 && pc->index >= s->acked + SESSION_HOLD)
        return s_abort(b, rq, s, DX__ERROR_CODE__ERR_BAD_REQUEST, DX_PSEUDO_PROTOCOL,
                       "more chunks unacknowledged than the transfer's window");
    s->received += pc->data.len;
    s->next_index++;
    if (b->pool && s->m->size > 0) {
        if (last && !dx_equal(rq->check.digest, s->m->sha256.data, DX_SHA256_LEN))
            return s_abort(b, rq, s, DX__ERROR_CODE__ERR_INTEGRITY, DX_PSEUDO_INTEGRITY,
                           "the content does not match the manifest's sha256");
        uint8_t *sealed;
        size_t sealed_len;
        if ((rv = content_seal(&s->key, s->blob, pc->index, chunks, pc->data.data, pc->data.len,
                               &sealed, &sealed_len)) != 0 ||
            (rv = objects_write(b, rq, s->blob, pc->index, sealed, sealed_len)) != 0) {
            if (rv == DX_ERR_UNAVAILABLE)
                content_unavailable(b, reason);
            else
                snprintf(reason, sizeof reason, "the chunk could not be written: %s", dx_strerror(rv));
            return s_abort(b, rq, s, DX__ERROR_CODE__ERR_STORAGE, DX_PSEUDO_STORE, reason);
        }
        s->writing++;
        if (last)
            s->busy = true; /* no chunk after it; a retry of its manifest is a replay */
        return 0;
    }

    store_txn_t *t;
    if ((rv = batch_txn(b->batch, &t)) != 0)
        return rv;
    if (!last) {
        if (!s->staged && (rv = s_stage(b, rq, s)) != 0)
            return rv;
        if ((rv = content_put(t, &s->key, s->blob, pc->index, s_chunks(s->m->size), pc->data.data,
                              pc->data.len)) != 0)
            return rv;
        /* A chunk's ack is credit, not a receipt: it leaves now, so that
         * the publisher's window does not wait on the disk. Only the
         * receipt says the publish is durable, and the final commit can
         * only succeed if every group before it did: a group that fails
         * ends the transfers that staged chunks in it (s_chunk_after). */
        if ((rv = reply_after_commit(b, rq, s_chunk_after, s->id)) != 0)
            return rv;
        s_ack(b, rq, s, pc->index);
        return 0;
    }
    /* The last chunk: its digest came with it. */
    if (!dx_equal(rq->check.digest, s->m->sha256.data, DX_SHA256_LEN))
        return s_abort(b, rq, s, DX__ERROR_CODE__ERR_INTEGRITY, DX_PSEUDO_INTEGRITY,
                       "the content does not match the manifest's sha256");
    return s_commit_session(b, rq, s, pc->data.data, pc->data.len);
}

void publish_expired(broker_t *b, session_t *s)
{
    s_release_held(b, s);
    publish_lanes_forget(b->lanes, s->id);
    dx_log_kv(DX_LOG_INFO, "publish-timed-out", DX_KV("member", s->member),
              DX_KV("dataset", s->m ? s->m->dataset : ""), DX_KU("received", s->received));
    if (s->staged)
        publish_discard(b, s->blob);
}
