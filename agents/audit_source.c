/* audit_source: online and offline reads of the audit log. */
#include "audit_source.h"
#include "audit_log.h"
#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int source_open(source_t *src, const dx_cli_conn_t *conn, const char *db, char err[DX_ERRMSG])
{
    int rv;
    memset(src, 0, sizeof *src);
    if (!db)
        return dx_cli_connect(conn, &src->me, &src->broker, &src->client, err);
    if (!conn->broker_pub[0]) {
        snprintf(err, DX_ERRMSG, "--db needs --broker-pub (or DX_BROKER_PUB) to check the broker's "
                                 "signatures");
        return DX_ERR_USAGE;
    }
    if ((rv = dx_keys_read_public(conn->broker_pub, &src->broker, err)) != 0 ||
        (rv = store_open(db, 0, true, &src->store, err)) != 0)
        return rv;
    /* One read snapshot for the whole command: records and heads agree
     * even while the broker appends. */
    if ((rv = store_begin(src->store, NULL, false, &src->txn)) != 0)
        snprintf(err, DX_ERRMSG, "cannot read %s: %s", db, store_last_error(src->store));
    return rv;
}

void source_close(source_t *src)
{
    store_abort(&src->txn);
    store_close(&src->store);
    dx_client_destroy(&src->client);
    dx_keypair_wipe(&src->me);
}

int source_head_parse(const source_t *src, const uint8_t *text, size_t len, head_t *h,
                      char err[DX_ERRMSG])
{
    if (len == 0 || len > DX_CHECKPOINT_MAX) {
        snprintf(err, DX_ERRMSG, "no signed head of the audit log");
        return DX_ERR_INTEGRITY;
    }
    memcpy(h->text, text, len);
    h->text[len] = '\0';
    h->len = len;
    return dx_checkpoint_open(h->text, len, src->broker.sign, &h->cp, err);
}

static int s_call(source_t *src, Dx__Request *req, Dx__Reply__BodyCase want, Dx__Reply **reply,
                  char err[DX_ERRMSG])
{
    int rv = dx_client_call(src->client, req, reply, err);
    if (rv == 0 && (*reply)->body_case != want) {
        wire_reply_free(reply);
        snprintf(err, DX_ERRMSG, "unexpected reply from the broker");
        rv = DX_ERR_PROTOCOL;
    }
    return rv;
}

int source_head(source_t *src, head_t *h, char err[DX_ERRMSG])
{
    if (src->client) {
        Dx__Request req = DX__REQUEST__INIT;
        Dx__AuditHeadsRequest hr = DX__AUDIT_HEADS_REQUEST__INIT;
        Dx__Reply *reply = NULL;
        hr.after_size = UINT64_MAX;
        req.body_case = DX__REQUEST__BODY_AUDIT_HEADS;
        req.audit_heads = &hr;
        int rv = s_call(src, &req, DX__REPLY__BODY_AUDIT_HEADS, &reply, err);
        if (rv == 0)
            rv = source_head_parse(src, reply->audit_heads->current.data,
                                   reply->audit_heads->current.len, h, err);
        wire_reply_free(&reply);
        return rv;
    }
    store_val_t v;
    int rv = dx_log_head(src->txn, &v);
    if (rv == DX_ERR_NOT_FOUND) {
        snprintf(err, DX_ERRMSG, "the data directory has no signed head of the audit log");
        return DX_ERR_INTEGRITY;
    }
    return rv ? rv : source_head_parse(src, v.data, v.len, h, err);
}

/* The stored heads, or the stamped ones with their tokens: one walk for
 * both, a page at a time online. */
typedef struct {
    const source_t *src;
    source_head_fn head_fn;      /* the heads, */
    source_stamp_fn stamp_fn;    /* or the stamped heads (then set) */
    void *arg;
    char *err;
    uint64_t last;
} walk_t;

static int s_give(walk_t *w, const head_t *h, const uint8_t *token, size_t len)
{
    w->last = h->cp.size;
    return w->stamp_fn ? w->stamp_fn(w->arg, h, token, len) : w->head_fn(w->arg, h);
}

/* A head as the store keeps it (offline): signed, and of its key's size. */
static int s_stored(walk_t *w, uint64_t size, store_val_t hv, const uint8_t *token, size_t len)
{
    head_t head;
    int rv = source_head_parse(w->src, hv.data, hv.len, &head, w->err);
    if (rv != 0)
        return rv;
    if (head.cp.size != size) {
        snprintf(w->err, DX_ERRMSG, "the head stored under size %llu says %llu",
                 (unsigned long long)size, (unsigned long long)head.cp.size);
        return DX_ERR_INTEGRITY;
    }
    return s_give(w, &head, token, len);
}

static int s_stored_head(void *arg, uint64_t size, store_val_t val)
{
    return s_stored(arg, size, val, NULL, 0);
}

static int s_stored_stamp(void *arg, uint64_t size, store_val_t val)
{
    walk_t *w = arg;
    store_val_t hv;
    int rv = store_head_get(w->src->txn, size, &hv);
    if (rv == DX_ERR_NOT_FOUND) {
        snprintf(w->err, DX_ERRMSG, "a time-stamp token is kept for a head of %llu records, but "
                 "no such head is", (unsigned long long)size);
        return DX_ERR_INTEGRITY;
    }
    return rv ? rv : s_stored(w, size, hv, val.data, val.len);
}

static int s_walk(source_t *src, walk_t *w, uint64_t after, char err[DX_ERRMSG])
{
    bool stamped = w->stamp_fn != NULL;
    int rv;
    w->src = src;
    w->err = err;
    w->last = after;
    if (!src->client) {
        rv = stamped ? store_stamps_each(src->txn, after, s_stored_stamp, w)
                     : store_heads_each(src->txn, after, s_stored_head, w);
        return rv == DX_STOP ? 0 : rv;
    }
    for (;;) {
        Dx__Request req = DX__REQUEST__INIT;
        Dx__AuditHeadsRequest hr = DX__AUDIT_HEADS_REQUEST__INIT;
        Dx__Reply *reply = NULL;
        hr.after_size = w->last;
        hr.stamped = stamped;
        req.body_case = DX__REQUEST__BODY_AUDIT_HEADS;
        req.audit_heads = &hr;
        rv = s_call(src, &req, DX__REPLY__BODY_AUDIT_HEADS, &reply, err);
        size_t n = rv == 0 ? reply->audit_heads->n_checkpoints : 0;
        if (rv == 0 && stamped && reply->audit_heads->n_stamps != n) {
            snprintf(err, DX_ERRMSG, "the broker listed stamped heads without their tokens");
            rv = DX_ERR_PROTOCOL;
        }
        for (size_t i = 0; rv == 0 && i < n; i++) {
            head_t head;
            ProtobufCBinaryData *c = &reply->audit_heads->checkpoints[i];
            if ((rv = source_head_parse(src, c->data, c->len, &head, err)) == 0 &&
                head.cp.size <= w->last) {
                snprintf(err, DX_ERRMSG, "the broker listed its heads out of order");
                rv = DX_ERR_INTEGRITY;
            }
            if (rv == 0)
                rv = s_give(w, &head, stamped ? reply->audit_heads->stamps[i].data : NULL,
                            stamped ? reply->audit_heads->stamps[i].len : 0);
        }
        wire_reply_free(&reply);
        if (rv == DX_STOP)
            return 0; /* the caller has what it wanted */
        /* heads come in pages of DX_MAX_QUERY_PAGE; stamped ones in pages
         * bounded by bytes, ended by an empty one */
        if (rv != 0 || n == 0 || (!stamped && n < DX_MAX_QUERY_PAGE))
            return rv;
    }
}

int source_heads(source_t *src, uint64_t after, source_head_fn fn, void *arg, char err[DX_ERRMSG])
{
    walk_t w = { .head_fn = fn, .arg = arg };
    return s_walk(src, &w, after, err);
}

int source_stamps(source_t *src, uint64_t after, source_stamp_fn fn, void *arg, char err[DX_ERRMSG])
{
    walk_t w = { .stamp_fn = fn, .arg = arg };
    return s_walk(src, &w, after, err);
}

/* ---- records ---- */

typedef struct {
    page_t *p;
    size_t cap;
    store_txn_t *t;
} collect_t;

static int s_collect(void *arg, uint64_t seq, store_val_t val)
{
    collect_t *c = arg;
    page_t *p = c->p;
    p->records[p->n].data = (uint8_t *)val.data;
    p->records[p->n].len = val.len;
    if (p->proofs) {
        dx_hash_t proof[DX_PROOF_MAX];
        size_t k = 0;
        uint8_t *bytes;
        int rv = dx_log_inclusion(c->t, seq, p->head.cp.size, proof, &k);
        if (rv != 0 || !(bytes = malloc(k * DX_HASH_LEN + 1)))
            return rv ? rv : DX_ERR_NOMEM;
        memcpy(bytes, proof, k * DX_HASH_LEN);
        p->proofs[p->n].data = bytes;
        p->proofs[p->n].len = k * DX_HASH_LEN;
    }
    p->n++;
    return p->n >= c->cap ? DX_STOP : 0;
}

static int s_offline_alloc(page_t *p, size_t cap, bool proofs)
{
    p->records = calloc(cap, sizeof *p->records);
    p->proofs = proofs ? calloc(cap, sizeof *p->proofs) : NULL;
    p->owned = p->records;
    return !p->records || (proofs && !p->proofs) ? DX_ERR_NOMEM : 0;
}

int source_page(source_t *src, const Dx__AuditQuery *q, uint64_t after, uint64_t want,
                bool proofs, page_t *p, char err[DX_ERRMSG])
{
    int rv;
    memset(p, 0, sizeof *p);
    if (src->client) {
        Dx__Request req = DX__REQUEST__INIT;
        Dx__AuditQuery qq;
        Dx__AuditRead rd = DX__AUDIT_READ__INIT;
        if (q) {
            qq = *q;
            qq.after_seq = after;
            qq.limit = want;
            qq.with_proofs = proofs;
            req.body_case = DX__REQUEST__BODY_AUDIT_QUERY;
            req.audit_query = &qq;
        } else {
            rd.after_seq = after;
            req.body_case = DX__REQUEST__BODY_AUDIT_READ;
            req.audit_read = &rd;
        }
        if ((rv = s_call(src, &req, DX__REPLY__BODY_AUDIT, &p->reply, err)) != 0)
            return rv;
        const Dx__AuditRecords *r = p->reply->audit;
        if (proofs && r->n_proofs != r->n_records) {
            snprintf(err, DX_ERRMSG, "the broker sent records without their proofs");
            return DX_ERR_PROTOCOL;
        }
        p->records = r->records;
        p->proofs = proofs ? r->proofs : NULL;
        p->n = r->n_records;
        p->next_after = r->next_after;
        return source_head_parse(src, r->checkpoint.data, r->checkpoint.len, &p->head, err);
    }
    if ((rv = s_offline_alloc(p, want && want < DX_MAX_QUERY_PAGE ? want : DX_MAX_QUERY_PAGE, proofs)) != 0 ||
        (rv = source_head(src, &p->head, err)) != 0)
        return rv;
    Dx__AuditQuery all = DX__AUDIT_QUERY__INIT;
    collect_t c = { p, want && want < DX_MAX_QUERY_PAGE ? want : DX_MAX_QUERY_PAGE, src->txn };
    rv = dx_log_query(src->txn, q ? q : &all, after, UINT64_MAX, s_collect, &c, &p->next_after);
    if (rv != 0)
        snprintf(err, DX_ERRMSG, "cannot read the audit log: %s", dx_strerror(rv));
    return rv;
}

void source_page_free(page_t *p)
{
    if (p->reply) {
        wire_reply_free(&p->reply); /* owns records and proofs */
    } else {
        for (size_t i = 0; p->proofs && i < p->n; i++)
            free(p->proofs[i].data);
        free(p->proofs);
        free(p->owned);
    }
    memset(p, 0, sizeof *p);
}

int source_proofs(source_t *src, uint64_t first, uint64_t last, uint64_t size, page_t *p,
                  char err[DX_ERRMSG])
{
    int rv;
    memset(p, 0, sizeof *p);
    if (src->client) {
        Dx__Request req = DX__REQUEST__INIT;
        Dx__AuditProofRequest pr = DX__AUDIT_PROOF_REQUEST__INIT;
        pr.first = first;
        pr.last = last;
        pr.size = size;
        req.body_case = DX__REQUEST__BODY_AUDIT_PROOF;
        req.audit_proof = &pr;
        if ((rv = s_call(src, &req, DX__REPLY__BODY_AUDIT_PROOFS, &p->reply, err)) != 0)
            return rv;
        const Dx__AuditProofs *r = p->reply->audit_proofs;
        p->records = r->records;
        p->proofs = r->proofs;
        p->n = r->n_records;
        if (p->n != last - first + 1) {
            snprintf(err, DX_ERRMSG, "the broker sent %zu records for %llu..%llu", p->n,
                     (unsigned long long)first, (unsigned long long)last);
            return DX_ERR_PROTOCOL;
        }
        return source_head_parse(src, r->checkpoint.data, r->checkpoint.len, &p->head, err);
    }
    if ((rv = s_offline_alloc(p, (size_t)(last - first + 1), true)) != 0)
        return rv;
    if (size) {
        store_val_t v;
        if ((rv = store_head_get(src->txn, size, &v)) != 0) {
            snprintf(err, DX_ERRMSG, "no signed head of %llu records is stored", (unsigned long long)size);
            return rv;
        }
        rv = source_head_parse(src, v.data, v.len, &p->head, err);
    } else {
        rv = source_head(src, &p->head, err);
    }
    if (rv != 0)
        return rv;
    if (last > p->head.cp.size) {
        snprintf(err, DX_ERRMSG, "records %llu..%llu are not all in the signed head of %llu records",
                 (unsigned long long)first, (unsigned long long)last,
                 (unsigned long long)p->head.cp.size);
        return DX_ERR_NOT_FOUND;
    }
    collect_t c = { p, (size_t)(last - first + 1), src->txn };
    for (uint64_t seq = first; rv == 0 && seq <= last; seq++) {
        store_val_t v;
        if ((rv = store_audit_get(src->txn, seq, &v)) == 0 && (rv = s_collect(&c, seq, v)) == DX_STOP)
            rv = 0; /* the range is the page's */
    }
    if (rv != 0)
        snprintf(err, DX_ERRMSG, "cannot prove records %llu..%llu: %s", (unsigned long long)first,
                 (unsigned long long)last, dx_strerror(rv));
    return rv;
}

int source_consistency(source_t *src, uint64_t old, uint64_t size, head_t *old_head,
                       head_t *new_head, dx_hash_t proof[DX_PROOF_MAX], size_t *n,
                       char err[DX_ERRMSG])
{
    int rv;
    old_head->len = 0;
    if (src->client) {
        Dx__Request req = DX__REQUEST__INIT;
        Dx__AuditConsistencyRequest cr = DX__AUDIT_CONSISTENCY_REQUEST__INIT;
        Dx__Reply *reply = NULL;
        cr.old_size = old;
        cr.new_size = size;
        req.body_case = DX__REQUEST__BODY_AUDIT_CONSISTENCY;
        req.audit_consistency = &cr;
        if ((rv = s_call(src, &req, DX__REPLY__BODY_AUDIT_CONSISTENCY, &reply, err)) != 0)
            return rv;
        const Dx__AuditConsistency *r = reply->audit_consistency;
        rv = source_head_parse(src, r->new_checkpoint.data, r->new_checkpoint.len, new_head, err);
        if (rv == 0 && r->old_checkpoint.len)
            rv = source_head_parse(src, r->old_checkpoint.data, r->old_checkpoint.len, old_head, err);
        *n = r->proof.len / DX_HASH_LEN;
        if (rv == 0)
            memcpy(proof, r->proof.data, r->proof.len);
        wire_reply_free(&reply);
        return rv;
    }
    store_val_t v;
    if (size) {
        if ((rv = store_head_get(src->txn, size, &v)) == 0)
            rv = source_head_parse(src, v.data, v.len, new_head, err);
        else
            snprintf(err, DX_ERRMSG, "no signed head of %llu records is stored", (unsigned long long)size);
    } else {
        rv = source_head(src, new_head, err);
    }
    if (rv != 0)
        return rv;
    if (old > 0 && store_head_get(src->txn, old, &v) == 0 &&
        source_head_parse(src, v.data, v.len, old_head, err) != 0)
        return DX_ERR_INTEGRITY;
    if (old > new_head->cp.size) {
        snprintf(err, DX_ERRMSG, "the log has %llu records, fewer than %llu",
                 (unsigned long long)new_head->cp.size, (unsigned long long)old);
        return DX_ERR_INTEGRITY;
    }
    return dx_log_consistency(src->txn, old, new_head->cp.size, proof, n);
}

int source_policy(source_t *src, const uint8_t sha[DX_SHA256_LEN], uint8_t **archive, size_t *len,
                  char err[DX_ERRMSG])
{
    const uint8_t *data = NULL;
    Dx__Reply *reply = NULL;
    store_val_t v;
    int rv;
    *archive = NULL;
    if (src->client) {
        Dx__Request req = DX__REQUEST__INIT;
        Dx__AuditPolicyRequest pr = DX__AUDIT_POLICY_REQUEST__INIT;
        pr.sha256.data = (uint8_t *)sha;
        pr.sha256.len = DX_SHA256_LEN;
        req.body_case = DX__REQUEST__BODY_AUDIT_POLICY;
        req.audit_policy = &pr;
        if ((rv = s_call(src, &req, DX__REPLY__BODY_AUDIT_POLICY, &reply, err)) != 0)
            return rv;
        data = reply->audit_policy->archive.data;
        *len = reply->audit_policy->archive.len;
    } else {
        if ((rv = store_policy_get(src->txn, sha, &v)) != 0) {
            snprintf(err, DX_ERRMSG, "no policy set with that SHA-256 was ever in force in this store%s",
                     rv == DX_ERR_NOT_FOUND ? " (or it is older than dx kept them)" : "");
            return rv;
        }
        data = v.data;
        *len = v.len;
    }
    if (!(*archive = malloc(*len ? *len : 1)))
        rv = DX_ERR_NOMEM;
    else
        memcpy(*archive, data, *len);
    wire_reply_free(&reply);
    return rv;
}
