/* deliveries: what each member was sent, its signed delivery receipts, and
 * publishers asking who received their data.
 *
 * A fetch writes a delivery row under (version, member, hash of what was
 * sent): the content's hash when whole (at the start, it is known), the
 * view's when filtered (at the end, once it is). A consumer's receipt must
 * verify with its registered sign_key, name itself, name a row that
 * exists, and say what that row says was sent: the same purpose, and a
 * filtered view or the content as it was. Evidence says what happened: a
 * receipt for anything else is refused and recorded, in words that do not
 * tell a never-fetched version from one that does not exist.
 * A view that stopped is a row too, with why (refused), for the publisher
 * to see and fix its data; no receipt can name it.
 * Only a version's publisher may ask who received it; anyone else gets the
 * answer a name that does not exist gets. Asking about every version of a
 * name walks its delivery rows, so it is open only to a member the policy
 * lets publish that name now (anyone else is answered at once, as for a
 * name with nothing of theirs: no walk, whatever the store holds; one that
 * may no longer publish asks version by version), and a request looks at
 * no more than DELIVERIES_LOOK_MAX rows, going on with a sealed cursor. */
#include "deliveries.h"
#include "broker.h"
#include "staged.h"
#include "reader.h"
#include "cursor.h"
#include "log.h"
#include "signed.h"
#include "wire.h"
#include "batch.h"
#include "record.h"
#include "reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DELIVERIES_MAX 1000       /* rows in one reply */
#define DELIVERIES_LOOK_MAX 4096  /* rows looked at per request */

/* A cursor's position: the last row looked at. */
typedef struct {
    uint64_t version;
    char member[DX_ID_MAX + 1];
    uint8_t sha[DX_SHA256_LEN];
} row_pos_t;

static int s_load(store_txn_t *t, const char *name, uint64_t version, const char *member,
                  const uint8_t sha[32], Dx__Delivery **out)
{
    store_val_t v;
    char err[DX_ERRMSG];
    *out = NULL;
    int rv = store_delivery_get(t, name, version, member, sha, &v);
    if (rv != 0)
        return rv;
    if (wire_delivery_decode(v.data, v.len, out, err) != 0) {
        dx_error("delivery-row-corrupt",
                 "delivery row of %s@%llu to %s is corrupt: %s", name, (unsigned long long)version,
                 member, err);
        return DX_ERR_STORAGE;
    }
    return 0;
}

static int s_store(store_txn_t *t, const Dx__Delivery *d)
{
    uint8_t *data = NULL;
    size_t len = 0;
    int rv = wire_pack(&d->base, &data, &len);
    if (rv == 0)
        rv = store_delivery_put(t, d->dataset, d->version, d->member, d->sha256.data, data, len);
    free(data);
    return rv;
}

/* Writes the row of (version, member, sha): fetched once more, its
 * receipt (if any) kept; refused, for a view that stopped. */
static int s_sent_row(broker_t *b, const request_t *rq, const char *name, uint64_t version,
                      const uint8_t sha[DX_SHA256_LEN], const char *purpose, bool filtered,
                      uint64_t read_seq, const char *refused)
{
    store_txn_t *t;
    Dx__Delivery *old = NULL, d = DX__DELIVERY__INIT;
    int rv = batch_txn(b->batch, &t);
    if (rv != 0)
        return rv;
    rv = s_load(t, name, version, rq->member_id, sha, &old);
    if (rv != 0 && rv != DX_ERR_NOT_FOUND)
        return rv;
    if (old) /* fetched again: the receipt, if any, stays */
        d = *old;
    d.dataset = (char *)name;
    d.version = version;
    d.member = (char *)rq->member_id;
    d.purpose = (char *)purpose;
    d.sha256.data = (uint8_t *)sha;
    d.sha256.len = DX_SHA256_LEN;
    d.filtered = filtered;
    d.fetched_ms = rq->now_ms;
    d.read_seq = read_seq;
    d.fetches++;
    if (refused)
        d.refused = (char *)refused;
    rv = s_store(t, &d);
    wire_free(&old);
    return rv;
}

/* A row a reader made, for the writer: it names the read record the
 * writer appended just before it (staged_seq). */
typedef struct {
    char name[DX_NAME_MAX + 1];
    uint64_t version;
    uint8_t sha[DX_SHA256_LEN];
    char purpose[DX_PURPOSE_MAX + 1];
    bool filtered;
    char *refused;               /* owned, or NULL */
} staged_row_t;

static void s_row_drop(broker_t *b, void *arg)
{
    (void)b;
    staged_row_t *r = arg;
    free(r->refused);
    free(r);
}

static int s_row_commit(broker_t *b, request_t *rq, void *arg)
{
    staged_row_t *r = arg;
    int rv = s_sent_row(b, rq, r->name, r->version, r->sha, r->purpose, r->filtered,
                        staged_seq(rq), r->refused);
    s_row_drop(b, r);
    return rv;
}

static int s_row(broker_t *b, const request_t *rq, const char *name, uint64_t version,
                 const uint8_t sha[DX_SHA256_LEN], const char *purpose, bool filtered,
                 uint64_t read_seq, const char *refused)
{
    if (!rq->reader)
        return s_sent_row(b, rq, name, version, sha, purpose, filtered, read_seq, refused);
    staged_row_t *r = calloc(1, sizeof *r);
    if (!r || (refused && !(r->refused = strdup(refused)))) {
        free(r);
        return DX_ERR_NOMEM;
    }
    snprintf(r->name, sizeof r->name, "%s", name);
    r->version = version;
    memcpy(r->sha, sha, DX_SHA256_LEN);
    snprintf(r->purpose, sizeof r->purpose, "%s", purpose ? purpose : "");
    r->filtered = filtered;
    return staged_add((request_t *)rq, s_row_commit, s_row_drop, r);
}

int deliveries_sent(broker_t *b, const request_t *rq, const char *name, uint64_t version,
                         const uint8_t sha[DX_SHA256_LEN], const char *purpose, bool filtered,
                         uint64_t read_seq)
{
    return s_row(b, rq, name, version, sha, purpose, filtered, read_seq, NULL);
}

int deliveries_refused(broker_t *b, const request_t *rq, const char *name, uint64_t version,
                            const char *purpose, const char *reason, uint64_t read_seq)
{
    static const uint8_t none[DX_SHA256_LEN];
    return s_row(b, rq, name, version, none, purpose, true, read_seq, reason);
}

/* The refusal of a receipt, recorded; the same words whether the version
 * exists or not. */
static int s_refuse(broker_t *b, request_t *rq, audit_fields_t *f, Dx__ErrorCode code,
                    const char *reason)
{
    f->reason = reason;
    return record_refusal(b, rq, f, code);
}

int delivery_receipt(broker_t *b, request_t *rq)
{
    const Dx__Signed *sr = rq->req->delivery_receipt;
    audit_fields_t f = { .event = DX_EV_DELIVERY, .action = "receive",
                         .rule_id = dx_pseudo_rule(DX_PSEUDO_INTEGRITY) };
    Dx__DeliveryReceipt *r = NULL;
    Dx__Delivery *d = NULL;
    char err[DX_ERRMSG], reason[DX_NAME_MAX + 200];
    store_txn_t *t;
    uint64_t seq = 0;
    int rv;
    /* either of the member's keys in force (two during a rotation); the
     * record names the one that signed */
    const uint8_t *keys[2];
    size_t nkeys = dx_member_sign_keys(rq->member, rq->now_ms, keys), k = 0;
    while (k < nkeys && dx_signed_verify(sr, DX_CTX_DELIVERY, keys[k]) != 0)
        k++;
    if (k == nkeys)
        return s_refuse(b, rq, &f, DX__ERROR_CODE__ERR_INTEGRITY,
                        "the delivery receipt's signature does not verify with the sender's "
                        "registered sign_key");
    f.signer_key = keys[k];
    if (wire_delivery_receipt_decode(sr->body.data, sr->body.len, &r, err) != 0) {
        f.rule_id = dx_pseudo_rule(DX_PSEUDO_PROTOCOL);
        return s_refuse(b, rq, &f, DX__ERROR_CODE__ERR_BAD_REQUEST, err);
    }
    f.dataset = r->dataset;
    f.version = r->version;
    f.purpose = r->purpose;
    f.sha256 = r->sha256.data;
    if (strcmp(r->member, rq->member_id) != 0) {
        snprintf(reason, sizeof reason, "the delivery receipt names member '%s' but was sent by '%s'",
                 r->member, rq->member_id);
        rv = s_refuse(b, rq, &f, DX__ERROR_CODE__ERR_INTEGRITY, reason);
        goto out;
    }
    if ((rv = batch_txn(b->batch, &t)) != 0)
        goto out;
    rv = s_load(t, r->dataset, r->version, rq->member_id, r->sha256.data, &d);
    if (rv == 0 && d->refused[0]) { /* a view that was never sent: nothing to sign for */
        wire_free(&d);
        rv = DX_ERR_NOT_FOUND;
    }
    if (rv == DX_ERR_NOT_FOUND) {
        snprintf(reason, sizeof reason, "no delivery of %s@%llu with that hash was sent to %s",
                 r->dataset, (unsigned long long)r->version, rq->member_id);
        rv = s_refuse(b, rq, &f, DX__ERROR_CODE__ERR_NOT_FOUND, reason);
        goto out;
    }
    if (rv != 0)
        goto out;
    if (strcmp(r->purpose, d->purpose) != 0 || r->filtered != d->filtered) {
        snprintf(reason, sizeof reason, "the delivery receipt says %s for purpose '%.64s', but %s "
                 "was sent %s for purpose '%s'", r->filtered ? "a filtered view" : "the content",
                 r->purpose, rq->member_id, d->filtered ? "a filtered view" : "the content", d->purpose);
        rv = s_refuse(b, rq, &f, DX__ERROR_CODE__ERR_INTEGRITY, reason);
        goto out;
    }
    if (d->receipt && d->receipt->body.len == sr->body.len &&
        memcmp(d->receipt->body.data, sr->body.data, sr->body.len) == 0) {
        seq = d->receipt_seq; /* the same receipt again: acknowledged once */
    } else {
        if (d->filtered) {
            f.view_sha256 = f.sha256;
            f.sha256 = NULL;
        }
        f.allow = true;
        f.decision = "ok";
        f.rule_id = dx_pseudo_rule(DX_PSEUDO_NONE);
        snprintf(reason, sizeof reason, "delivery receipt signed by %s: %s received", rq->member_id,
                 d->filtered ? "the filtered view" : "the content");
        f.reason = reason;
        if ((rv = record_audit(b, rq, &f, &seq)) != 0)
            goto out;
        Dx__Signed *earlier = d->receipt; /* a receipt signed before for it: replaced */
        d->receipt = (Dx__Signed *)sr;
        d->receipt_ms = rq->now_ms;
        d->receipt_seq = seq;
        rv = s_store(t, d);
        d->receipt = earlier; /* the new one is borrowed from the request; d frees the old */
        if (rv != 0)
            goto out;
        dx_log_kv(DX_LOG_INFO, "delivered", DX_KV("member", rq->member_id), DX_KV("dataset", r->dataset),
                  DX_KU("version", r->version), DX_KU("seq", seq));
    }
    Dx__Reply reply = DX__REPLY__INIT;
    Dx__DeliveryAck ack = DX__DELIVERY_ACK__INIT;
    ack.audit_seq = seq;
    reply.body_case = DX__REPLY__BODY_DELIVERY_ACK;
    reply.delivery_ack = &ack;
    rv = reply_later(b, rq, &reply, NULL, 0);
out:
    wire_free(&d);
    wire_free(&r);
    return rv;
}

typedef struct {
    store_txn_t *t;
    const char *member;
    Dx__Delivery **rows;
    size_t n, limit;
    size_t looked;
    bool stopped;             /* at DELIVERIES_LOOK_MAX */
    row_pos_t last;           /* the last row looked at */
    bool more;
    uint64_t version;         /* the last version looked up, and whether */
    bool mine;                /* the member published it */
} collect_t;

static int s_published_by(store_txn_t *t, const char *name, uint64_t version, const char *member,
                          bool *mine)
{
    store_val_t v;
    Dx__CatalogEntry *e = NULL;
    char err[DX_ERRMSG];
    *mine = false;
    int rv = store_catalog_get(t, name, version, &v);
    if (rv == DX_ERR_NOT_FOUND)
        return 0;
    if (rv != 0)
        return rv;
    if (wire_catalog_decode(v.data, v.len, &e, err) != 0)
        return DX_ERR_STORAGE;
    *mine = strcmp(e->publisher, member) == 0;
    wire_free(&e);
    return 0;
}

static int s_collect(void *arg, store_val_t val)
{
    collect_t *c = arg;
    Dx__Delivery *d = NULL;
    char err[DX_ERRMSG];
    if (c->looked == DELIVERIES_LOOK_MAX) {
        c->stopped = c->more = true;
        return DX_STOP;
    }
    if (wire_delivery_decode(val.data, val.len, &d, err) != 0)
        return DX_ERR_STORAGE;
    c->looked++;
    c->last.version = d->version;
    snprintf(c->last.member, sizeof c->last.member, "%s", d->member);
    if (d->sha256.len == DX_SHA256_LEN)
        memcpy(c->last.sha, d->sha256.data, DX_SHA256_LEN);
    if (d->version != c->version) {
        c->version = d->version;
        int rv = s_published_by(c->t, d->dataset, d->version, c->member, &c->mine);
        if (rv != 0) {
            wire_free(&d);
            return rv;
        }
    }
    if (!c->mine) {
        wire_free(&d);
        return 0;
    }
    if (c->n == c->limit) {
        c->more = true;
        wire_free(&d);
        return DX_STOP;
    }
    c->rows[c->n++] = d;
    return 0;
}

int deliveries_query(broker_t *b, request_t *rq)
{
    const Dx__DeliveriesRequest *q = rq->req->deliveries;
    audit_fields_t f = { .event = DX_EV_DELIVERIES, .action = "list", .dataset = q->dataset,
                         .version = q->version, .rule_id = dx_pseudo_rule(DX_PSEUDO_OWNER) };
    collect_t c = { .member = rq->member_id,
                    .limit = q->limit && q->limit < DELIVERIES_MAX ? q->limit : DELIVERIES_MAX };
    char reason[DX_NAME_MAX + 200];
    int rv;
    if ((rv = reader_txn(rq, b->batch, &c.t)) != 0)
        return rv;
    bool mine = false, paged = q->after_member[0] && q->after_sha256.len == DX_SHA256_LEN;
    row_pos_t from = { .version = q->after_version };
    if (q->version && (rv = s_published_by(c.t, q->dataset, q->version, rq->member_id, &mine)) != 0)
        return rv;
    if (!q->version) { /* the walk is for those who may publish the name */
        dx_decision_t d;
        dx_request_t pr = { .member = rq->member_id, .action = DX_ACT_PUBLISH, .dataset = q->dataset,
                            .classification = DX_CLASS_PUBLIC, .now_ms = rq->now_ms };
        dx_policy_decide(rq->policy, &pr, &d);
        mine = d.allow;
    }
    if (!mine) {
        f.reason = "not a version the member published, or no such version";
        if ((rv = record_audit(b, rq, &f, NULL)) != 0)
            return rv;
        if (!q->version) /* as a name with no version of theirs: an empty last page */
            goto answer;
        return reply_error_later(b, rq, DX__ERROR_CODE__ERR_NOT_FOUND, NULL,
                                  "no dataset %s@%llu that %s published", q->dataset,
                                  (unsigned long long)q->version, rq->member_id);
    }
    if (!(c.rows = calloc(DELIVERIES_MAX, sizeof *c.rows)))
        return DX_ERR_NOMEM;
    if (paged) {
        snprintf(from.member, sizeof from.member, "%s", q->after_member);
        memcpy(from.sha, q->after_sha256.data, DX_SHA256_LEN);
    }
    if (q->cursor.len) {
        uint8_t pos[CURSOR_POS_MAX];
        size_t len = 0;
        if (cursor_open(b->cursor_key, CURSOR_DELIVERIES, rq->member_id, q->cursor.data, q->cursor.len,
                        pos, &len) != 0 || len != sizeof from) {
            reply_error(b, rq, DX__ERROR_CODE__ERR_BAD_REQUEST, NULL,
                         "deliveries: not a cursor this broker gave you; start from the beginning");
            rv = 0;
            goto out;
        }
        memcpy(&from, pos, sizeof from);
        from.member[DX_ID_MAX] = '\0';
        paged = true;
    }
    rv = store_deliveries_after(c.t, q->dataset, q->version, from.version, paged ? from.member : NULL,
                                paged ? from.sha : NULL, s_collect, &c);
    if (rv < 0)
        goto out;
    rv = 0;
answer:;
    uint8_t token[CURSOR_LEN];
    if (c.stopped &&
        (rv = cursor_seal(b->cursor_key, CURSOR_DELIVERIES, rq->member_id, &c.last, sizeof c.last,
                          token)) != 0)
        goto out;
    snprintf(reason, sizeof reason, "%zu deliveries of versions %s published%s%s", c.n,
             rq->member_id, paged ? ", a page after the first" : "",
             c.stopped ? "; the scan stopped at its bound, a cursor goes on"
             : c.more ? "; more to read" : "");
    f.allow = true;
    f.reason = reason;
    if ((rv = record_audit(b, rq, &f, NULL)) != 0)
        goto out;
    Dx__Reply reply = DX__REPLY__INIT;
    Dx__Deliveries list = DX__DELIVERIES__INIT;
    list.deliveries = c.rows;
    list.n_deliveries = c.n;
    list.more = c.more;
    if (c.stopped) {
        list.cursor.data = token;
        list.cursor.len = sizeof token;
    }
    reply.body_case = DX__REPLY__BODY_DELIVERIES;
    reply.deliveries = &list;
    rv = reply_later(b, rq, &reply, NULL, 0);
out:
    for (size_t i = 0; i < c.n; i++)
        wire_free(&c.rows[i]);
    free(c.rows);
    return rv;
}
