/* audit_service: the auditor's requests. Query filters records on the
 * broker; read hands out raw records so the auditor checks the chain and
 * the signed head itself, trusting nothing the broker says about them.
 * Both read a committed snapshot and page their answers (bounded bytes and
 * bounded scanning per request). Only members with the role auditor. */
#include "audit_view.h"
#include "broker.h"
#include "log.h"
#include "names.h"
#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_BYTES (512 * 1024)
#define SCAN_MAX 200000     /* records looked at per request */

typedef struct {
    const Dx__AuditQuery *q;   /* NULL: every record (verify) */
    uint64_t want;
    ProtobufCBinaryData *records;
    size_t n;
    size_t bytes;
    uint64_t scanned;
    uint64_t last_seq;
    bool more;
} page_t;

static int s_page_each(void *arg, uint64_t seq, store_val_t val)
{
    page_t *p = arg;
    if (p->n >= p->want || p->bytes + val.len > PAGE_BYTES || p->scanned >= SCAN_MAX) {
        p->more = true;
        return 1;
    }
    p->scanned++;
    p->last_seq = seq;
    if (p->q) {
        Dx__AuditRecord *r = NULL;
        char err[DX_ERRMSG];
        if (wire_audit_decode(val.data, val.len, &r, err) != 0)
            return 0; /* verify names it; a query skips it */
        bool match = dx_audit_matches(p->q, r);
        wire_free(&r);
        if (!match)
            return 0;
    }
    uint8_t *copy = malloc(val.len);
    if (!copy)
        return DX_ERR_NOMEM;
    memcpy(copy, val.data, val.len);
    p->records[p->n].data = copy;
    p->records[p->n].len = val.len;
    p->n++;
    p->bytes += val.len;
    return 0;
}

static int s_auditor(broker_t *b, request_t *rq, const char *action, const char *detail)
{
    if (rq->member->roles & DX_ROLE_AUDITOR)
        return 0;
    char reason[200];
    snprintf(reason, sizeof reason, "member '%s' does not have the role auditor", rq->member_id);
    audit_fields_t f = { .event = "audit", .action = action, .dataset = detail,
                         .rule_id = "default-deny", .reason = reason };
    int rv = broker_refuse(b, rq, &f, DX__ERROR_CODE__ERR_DENIED);
    return rv ? rv : 1;
}

/* Answers with one page of records and the signed head. */
static int s_page(broker_t *b, request_t *rq, const Dx__AuditQuery *q, uint64_t after,
                  uint64_t want, const audit_fields_t *record_it)
{
    page_t p = { .q = q, .want = want };
    store_txn_t *t = NULL;
    store_val_t hv;
    Dx__Signed *head = NULL;
    int rv;
    if (!(p.records = calloc(DX_MAX_QUERY_PAGE, sizeof *p.records)))
        return DX_ERR_NOMEM;
    if (p.want == 0 || p.want > DX_MAX_QUERY_PAGE)
        p.want = DX_MAX_QUERY_PAGE;
    if ((rv = store_begin(b->store, NULL, false, &t)) != 0)
        goto out;
    rv = store_audit_each(t, after, s_page_each, &p);
    if (rv < 0)
        goto out;
    rv = store_meta_get(t, "head", &hv);
    if (rv == 0) {
        char err[DX_ERRMSG];
        if (wire_signed_decode(hv.data, hv.len, &head, err) != 0)
            rv = DX_ERR_STORAGE;
    }
    if (rv != 0 && rv != DX_ERR_NOT_FOUND)
        goto out;
    if (record_it && (rv = broker_audit(b, rq, record_it, NULL)) != 0)
        goto out;
    Dx__Reply reply = DX__REPLY__INIT;
    Dx__AuditRecords recs = DX__AUDIT_RECORDS__INIT;
    recs.records = p.records;
    recs.n_records = p.n;
    recs.next_after = p.more ? p.last_seq : 0;
    recs.head = head;
    reply.body_case = DX__REPLY__BODY_AUDIT;
    reply.audit = &recs;
    rv = record_it ? broker_reply_later(b, rq, &reply, NULL, 0) : (broker_reply(b, rq, &reply), 0);
out:
    store_abort(&t);
    for (size_t i = 0; i < p.n; i++)
        free(p.records[i].data);
    free(p.records);
    wire_free(&head);
    return rv;
}

int audit_query(broker_t *b, request_t *rq)
{
    const Dx__AuditQuery *q = rq->req->audit_query;
    int rv = s_auditor(b, rq, "query", q->dataset);
    if (rv != 0)
        return rv < 0 ? rv : 0;
    char reason[300];
    snprintf(reason, sizeof reason, "query member=%s dataset=%s action=%s decision=%s",
             q->member[0] ? q->member : "*", q->dataset[0] ? q->dataset : "*",
             q->action[0] ? q->action : "*", q->decision[0] ? q->decision : "*");
    audit_fields_t f = { .event = "audit", .action = "query", .allow = true,
                         .rule_id = "role-auditor", .reason = reason };
    /* The first page of a query is the decision; later pages continue it. */
    return s_page(b, rq, q, q->after_seq, q->limit, q->after_seq == 0 ? &f : NULL);
}

int audit_read(broker_t *b, request_t *rq)
{
    const Dx__AuditRead *r = rq->req->audit_read;
    int rv = s_auditor(b, rq, "verify", "");
    if (rv != 0)
        return rv < 0 ? rv : 0;
    audit_fields_t f = { .event = "audit", .action = "verify", .allow = true,
                         .rule_id = "role-auditor", .reason = "records read for verification" };
    return s_page(b, rq, NULL, r->after_seq, DX_MAX_QUERY_PAGE, r->after_seq == 0 ? &f : NULL);
}
