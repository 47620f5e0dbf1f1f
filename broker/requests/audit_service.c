/* audit_service: the audit requests.
 *
 * Auditors (role auditor) query records, read them raw for verification and
 * get inclusion proofs; these are recorded like any other decision, and so
 * is every page: the paging cursor comes from the client, so a page is
 * recorded with the range of records it returned, whatever the cursor
 * says, and nothing leaves unrecorded. Tree heads and consistency
 * proofs reveal no record, so any member may ask for them, unrecorded:
 * agents use them to witness that the log only grows. Everything is read
 * from one committed snapshot, with the signed head of that snapshot, and
 * paged (bounded bytes and scanning per request). */
#include "audit_service.h"
#include "audit_log.h"
#include "broker.h"
#include "reader.h"
#include "dxtime.h"
#include "encode.h"
#include "log.h"
#include "wire.h"
#include "record.h"
#include "reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_BYTES (512 * 1024)
#define SCAN_MAX 20000      /* records looked at per request: a few ms of the writer */

typedef struct {
    ProtobufCBinaryData *records;
    ProtobufCBinaryData *proofs;
    size_t n, want, bytes;
    store_txn_t *t;
    uint64_t size;           /* the tree proofs are made in, 0: none */
    uint64_t first, last;    /* the seqs of the page's first and last records */
} page_t;

static void s_page_free(page_t *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->records[i].data);
        if (p->proofs)
            free(p->proofs[i].data);
    }
    free(p->records);
    free(p->proofs);
}

/* Appends one record (and its proof when asked); 1 when the page is full. */
static int s_take(void *arg, uint64_t seq, store_val_t val)
{
    page_t *p = arg;
    uint8_t *copy = malloc(val.len ? val.len : 1);
    if (!copy)
        return DX_ERR_NOMEM;
    memcpy(copy, val.data, val.len);
    p->records[p->n].data = copy;
    p->records[p->n].len = val.len;
    if (p->proofs) {
        dx_hash_t proof[DX_PROOF_MAX];
        size_t k = 0;
        int rv = seq <= p->size ? dx_log_inclusion(p->t, seq, p->size, proof, &k) : DX_ERR_INVALID;
        uint8_t *bytes = rv == 0 ? malloc(k * DX_HASH_LEN + 1) : NULL;
        if (!bytes) {
            free(copy);
            return rv ? rv : DX_ERR_NOMEM;
        }
        memcpy(bytes, proof, k * DX_HASH_LEN);
        p->proofs[p->n].data = bytes;
        p->proofs[p->n].len = k * DX_HASH_LEN;
    }
    if (p->n == 0)
        p->first = seq;
    p->last = seq;
    p->n++;
    p->bytes += val.len;
    return p->n >= p->want || p->bytes >= PAGE_BYTES ? DX_STOP : 0;
}

static int s_all(void *arg, uint64_t seq, store_val_t val)
{
    return s_take(arg, seq, val);
}

/* The current signed head of a read snapshot, and its size. */
static int s_head(store_txn_t *t, ProtobufCBinaryData *text, uint64_t *size, const broker_t *b)
{
    store_val_t v;
    dx_checkpoint_t cp;
    char err[DX_ERRMSG];
    int rv = dx_log_head(t, &v);
    if (rv != 0)
        return rv;
    if (dx_checkpoint_open((const char *)v.data, v.len, b->key.pub.sign, &cp, err) != 0) {
        dx_error("head-does-not-verify", "the stored head does not verify: %s", err);
        return DX_ERR_STORAGE;
    }
    text->data = (uint8_t *)v.data;
    text->len = v.len;
    *size = cp.size;
    return 0;
}

/* A page of records: a query (q) or everything in order (verify). Each
 * page is an audit record (f, with the range appended to what says). */
static int s_records(broker_t *b, request_t *rq, const Dx__AuditQuery *q, uint64_t after,
                     uint64_t want, bool with_proofs, audit_fields_t *f, const char *what)
{
    page_t p = { .want = want && want < DX_MAX_QUERY_PAGE ? want : DX_MAX_QUERY_PAGE };
    Dx__AuditQuery all = DX__AUDIT_QUERY__INIT;
    Dx__AuditRecords recs = DX__AUDIT_RECORDS__INIT;
    store_txn_t *t = NULL;
    uint64_t next = 0;
    char reason[600], range[120];
    int rv = DX_ERR_NOMEM;
    if (!(p.records = calloc(p.want, sizeof *p.records)) ||
        (with_proofs && !(p.proofs = calloc(p.want, sizeof *p.proofs))))
        goto out;
    if ((rv = store_begin(b->store, NULL, false, &t)) != 0 ||
        (rv = s_head(t, &recs.checkpoint, &p.size, b)) != 0)
        goto out;
    p.t = t;
    rv = dx_log_query(t, q ? q : &all, after, SCAN_MAX, s_all, &p, &next);
    if (rv != 0)
        goto out;
    if (p.n == 0)
        snprintf(range, sizeof range, "no records");
    else
        snprintf(range, sizeof range, "%zu record%s, seq %llu..%llu", p.n, p.n == 1 ? "" : "s",
                 (unsigned long long)p.first, (unsigned long long)p.last);
    snprintf(reason, sizeof reason, "%s; page after seq %llu: %s", what, (unsigned long long)after,
             range);
    f->reason = reason;
    if ((rv = record_audit(b, rq, f, NULL)) != 0)
        goto out;
    Dx__Reply reply = DX__REPLY__INIT;
    recs.records = p.records;
    recs.n_records = p.n;
    recs.proofs = p.proofs;
    recs.n_proofs = p.proofs ? p.n : 0;
    recs.next_after = next;
    reply.body_case = DX__REPLY__BODY_AUDIT;
    reply.audit = &recs;
    rv = reply_later(b, rq, &reply, NULL, 0);
out:
    store_abort(&t);
    s_page_free(&p);
    return rv;
}

int audit_query(broker_t *b, request_t *rq)
{
    const Dx__AuditQuery *q = rq->req->audit_query;
    char what[400];
    snprintf(what, sizeof what,
             "query member=%s dataset=%s action=%s decision=%s purpose=%s rule=%s%s",
             q->member[0] ? q->member : "*", q->dataset[0] ? q->dataset : "*",
             q->action[0] ? q->action : "*", q->decision[0] ? q->decision : "*",
             q->purpose[0] ? q->purpose : "*", q->rule_id[0] ? q->rule_id : "*",
             q->with_proofs ? " with proofs" : "");
    audit_fields_t f = { .event = DX_EV_AUDIT, .action = "query", .allow = true,
                         .rule_id = dx_pseudo_rule(DX_PSEUDO_ROLE_AUDITOR) };
    return s_records(b, rq, q, q->after_seq, q->limit, q->with_proofs, &f, what);
}

int audit_read(broker_t *b, request_t *rq)
{
    const Dx__AuditRead *r = rq->req->audit_read;
    audit_fields_t f = { .event = DX_EV_AUDIT, .action = "verify", .allow = true,
                         .rule_id = dx_pseudo_rule(DX_PSEUDO_ROLE_AUDITOR) };
    return s_records(b, rq, NULL, r->after_seq, DX_MAX_QUERY_PAGE, false, &f,
                     "records read for verification");
}

/* The signed head of exactly `size` records (0: the current one): the
 * current head, a stored one, or else one signed now for that size (every
 * node of the tree is kept, so any past size can be attested; its time is
 * when it was signed). buf holds a head signed here. */
static int s_head_of(broker_t *b, store_txn_t *t, uint64_t size, ProtobufCBinaryData *text,
                     uint64_t *got, char buf[DX_CHECKPOINT_MAX + 1])
{
    int rv = s_head(t, text, got, b);
    if (rv != 0 || size == 0 || size == *got)
        return rv;
    if (size > *got)
        return DX_ERR_NOT_FOUND;
    store_val_t v;
    if ((rv = store_head_get(t, size, &v)) == 0) {
        text->data = (uint8_t *)v.data;
        text->len = v.len;
        *got = size;
        return 0;
    }
    if (rv != DX_ERR_NOT_FOUND)
        return rv;
    dx_checkpoint_t cp = { .size = size, .time_ms = dx_now_ms() };
    dx_checkpoint_t cur;
    char err[DX_ERRMSG];
    size_t len = 0;
    if (dx_checkpoint_open((const char *)text->data, text->len, b->key.pub.sign, &cur, err) != 0)
        return DX_ERR_STORAGE;
    memcpy(cp.origin, cur.origin, sizeof cp.origin);
    cp.has_leaf = size > 0;
    if ((cp.has_leaf && (rv = store_tree_get(t, 0, size - 1, cp.leaf)) != 0) ||
        (rv = dx_log_root(t, size, cp.root)) != 0 ||
        (rv = dx_checkpoint_sign(&cp, b->signer, buf, &len)) != 0)
        return rv;
    text->data = (uint8_t *)buf;
    text->len = len;
    *got = size;
    return 0;
}

int audit_proof(broker_t *b, request_t *rq)
{
    const Dx__AuditProofRequest *pr = rq->req->audit_proof;
    char detail[64];
    int rv = 0;
    snprintf(detail, sizeof detail, "%llu..%llu", (unsigned long long)pr->first,
             (unsigned long long)pr->last);
    page_t p = { .want = (size_t)(pr->last - pr->first + 1) };
    store_txn_t *t = NULL;
    char signed_now[DX_CHECKPOINT_MAX + 1];
    Dx__AuditProofs res = DX__AUDIT_PROOFS__INIT;
    rv = DX_ERR_NOMEM;
    if (!(p.records = calloc(p.want, sizeof *p.records)) || !(p.proofs = calloc(p.want, sizeof *p.proofs)))
        goto out;
    if ((rv = store_begin(b->store, NULL, false, &t)) != 0)
        goto out;
    rv = s_head_of(b, t, pr->size, &res.checkpoint, &p.size, signed_now);
    if (rv == DX_ERR_NOT_FOUND || (rv == 0 && pr->last > p.size)) {
        reply_error(b, rq, DX__ERROR_CODE__ERR_NOT_FOUND, NULL,
                     rv ? "no signed head of %llu records is stored"
                        : "records %llu..%llu are not all in the signed head", (unsigned long long)pr->size,
                     (unsigned long long)pr->last);
        rv = 0;
        goto out;
    }
    p.t = t;
    for (uint64_t seq = pr->first; rv == 0 && seq <= pr->last; seq++) {
        store_val_t v;
        if ((rv = store_audit_get(t, seq, &v)) == 0 && (rv = s_take(&p, seq, v)) == DX_STOP)
            rv = 0; /* a full page: the range is bounded before */
    }
    if (rv != 0)
        goto out;
    char reason[128];
    snprintf(reason, sizeof reason, "inclusion proofs of records %s in the tree of %llu", detail,
             (unsigned long long)p.size);
    audit_fields_t f = { .event = DX_EV_AUDIT, .action = "prove", .allow = true,
                         .rule_id = dx_pseudo_rule(DX_PSEUDO_ROLE_AUDITOR), .reason = reason };
    if ((rv = record_audit(b, rq, &f, NULL)) != 0)
        goto out;
    Dx__Reply reply = DX__REPLY__INIT;
    res.records = p.records;
    res.n_records = p.n;
    res.proofs = p.proofs;
    res.n_proofs = p.n;
    reply.body_case = DX__REPLY__BODY_AUDIT_PROOFS;
    reply.audit_proofs = &res;
    rv = reply_later(b, rq, &reply, NULL, 0);
out:
    store_abort(&t);
    s_page_free(&p);
    return rv;
}

int audit_consistency(broker_t *b, request_t *rq)
{
    const Dx__AuditConsistencyRequest *cr = rq->req->audit_consistency;
    Dx__AuditConsistency res = DX__AUDIT_CONSISTENCY__INIT;
    store_txn_t *t = NULL;
    uint64_t size = 0, old_size;
    char signed_new[DX_CHECKPOINT_MAX + 1], signed_old[DX_CHECKPOINT_MAX + 1];
    dx_hash_t proof[DX_PROOF_MAX];
    size_t n = 0;
    int rv = store_begin(b->store, NULL, false, &t);
    if (rv != 0)
        return rv;
    rv = s_head_of(b, t, cr->new_size, &res.new_checkpoint, &size, signed_new);
    if (rv == DX_ERR_NOT_FOUND || (rv == 0 && cr->old_size > size)) {
        reply_error(b, rq, DX__ERROR_CODE__ERR_NOT_FOUND, NULL,
                     "no signed head of %llu records, or it is older than %llu records",
                     (unsigned long long)cr->new_size, (unsigned long long)cr->old_size);
        rv = 0;
        goto out;
    }
    if (rv == 0 && cr->old_size > 0 &&
        s_head_of(b, t, cr->old_size, &res.old_checkpoint, &old_size, signed_old) != 0)
        res.old_checkpoint.len = 0;
    if (rv == 0)
        rv = dx_log_consistency(t, cr->old_size, size, proof, &n);
    if (rv != 0)
        goto out;
    Dx__Reply reply = DX__REPLY__INIT;
    res.proof.data = (uint8_t *)proof;
    res.proof.len = n * DX_HASH_LEN;
    reply.body_case = DX__REPLY__BODY_AUDIT_CONSISTENCY;
    reply.audit_consistency = &res;
    reply_now(b, rq, &reply);
out:
    store_abort(&t);
    return rv;
}

typedef struct {
    ProtobufCBinaryData *items, *stamps;
    size_t n, bytes;
    store_txn_t *t;
} heads_t;

static int s_collect_head(void *arg, uint64_t size, store_val_t val)
{
    (void)size;
    heads_t *h = arg;
    if (h->n == DX_MAX_QUERY_PAGE)
        return DX_STOP;
    h->items[h->n].data = (uint8_t *)val.data;
    h->items[h->n].len = val.len;
    h->n++;
    return 0;
}

/* A token and the head it is over (kept together: a token is only stored
 * for a stored head). */
static int s_collect_stamp(void *arg, uint64_t size, store_val_t val)
{
    heads_t *h = arg;
    store_val_t head;
    /* tokens carry their authority's certificates: a page stays well
     * under a frame */
    if (h->n == DX_MAX_QUERY_PAGE || h->bytes > DX_MAX_FRAME / 2)
        return DX_STOP;
    int rv = store_head_get(h->t, size, &head);
    if (rv != 0)
        return rv == DX_ERR_NOT_FOUND ? DX_ERR_STORAGE : rv;
    h->stamps[h->n].data = (uint8_t *)val.data;
    h->stamps[h->n].len = val.len;
    h->bytes += val.len + head.len;
    return s_collect_head(arg, size, head);
}

int audit_heads(broker_t *b, request_t *rq)
{
    Dx__AuditHeads res = DX__AUDIT_HEADS__INIT;
    const Dx__AuditHeadsRequest *q = rq->req->audit_heads;
    heads_t h = { calloc(DX_MAX_QUERY_PAGE, sizeof *h.items),
                  q->stamped ? calloc(DX_MAX_QUERY_PAGE, sizeof *h.stamps) : NULL, 0, 0, NULL };
    store_txn_t *t = NULL;
    uint64_t size;
    int rv = h.items && (h.stamps || !q->stamped) ? store_begin(b->store, NULL, false, &t) : DX_ERR_NOMEM;
    h.t = t;
    if (rv == 0 && (rv = s_head(t, &res.current, &size, b)) == 0)
        rv = q->stamped ? store_stamps_each(t, q->after_size, s_collect_stamp, &h)
                        : store_heads_each(t, q->after_size, s_collect_head, &h);
    if (rv >= 0) {
        Dx__Reply reply = DX__REPLY__INIT;
        res.checkpoints = h.items;
        res.n_checkpoints = h.n;
        res.stamps = h.stamps;
        res.n_stamps = q->stamped ? h.n : 0;
        reply.body_case = DX__REPLY__BODY_AUDIT_HEADS;
        reply.audit_heads = &res;
        reply_now(b, rq, &reply);
        rv = 0;
    }
    store_abort(&t);
    free(h.items);
    free(h.stamps);
    return rv;
}

int audit_policy(broker_t *b, request_t *rq)
{
    const ProtobufCBinaryData *sha = &rq->req->audit_policy->sha256;
    audit_fields_t f = { .event = DX_EV_AUDIT, .action = "policy", .allow = true,
                         .rule_id = dx_pseudo_rule(DX_PSEUDO_ROLE_AUDITOR) };
    char reason[128], hex[65] = "";
    store_txn_t *t = NULL;
    store_val_t v = { 0 };
    if (sha->len != DX_SHA256_LEN) {
        f.allow = false;
        f.rule_id = dx_pseudo_rule(DX_PSEUDO_PROTOCOL);
        f.reason = "a policy set is named by its SHA-256 (32 bytes)";
        return record_refusal(b, rq, &f, DX__ERROR_CODE__ERR_BAD_REQUEST);
    }
    dx_hex_encode(sha->data, DX_SHA256_LEN, hex);
    int rv = reader_txn(rq, b->batch, &t);
    if (rv == 0)
        rv = store_policy_get(t, sha->data, &v);
    if (rv == DX_ERR_NOT_FOUND) {
        f.allow = false;
        snprintf(reason, sizeof reason, "no policy set %.16s... was ever in force here", hex);
        f.reason = reason;
        return record_refusal(b, rq, &f, DX__ERROR_CODE__ERR_NOT_FOUND);
    }
    if (rv != 0)
        return rv;
    f.sha256 = sha->data;
    snprintf(reason, sizeof reason, "the policy set %.16s... read", hex);
    f.reason = reason;
    if ((rv = record_audit(b, rq, &f, NULL)) != 0)
        return rv;
    Dx__Reply reply = DX__REPLY__INIT;
    Dx__AuditPolicy res = DX__AUDIT_POLICY__INIT;
    res.archive.data = (uint8_t *)v.data;
    res.archive.len = v.len;
    reply.body_case = DX__REPLY__BODY_AUDIT_POLICY;
    reply.audit_policy = &res;
    return reply_later(b, rq, &reply, NULL, 0);
}
