/* audit_export: a self-contained, checkable extract of the audit log.
 *
 *   dx-audit-export 1
 *   range SINCE_MS UNTIL_MS              (0: unbounded)
 *   checkpoint BASE64                    (the signed head everything is proven in)
 *   before SEQ RECORD PROOF              (the record just before the range, if any)
 *   record SEQ RECORD PROOF              (each record in the range, in order)
 *   after SEQ RECORD PROOF               (the record just after the range, if any)
 *   end COUNT
 *
 * RECORD is the base64 of the stored record bytes; PROOF the base64 of its
 * inclusion proof's hashes. Records are contiguous, and the records just
 * outside the range show that none was left out at either end: the file
 * proves what happened in the range, all of it, with only broker.pub. */
#include "audit_cmds.h"
#include "dxtime.h"
#include "encode.h"
#include "fileio.h"
#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT_MAX_FILE (1024LL * 1024 * 1024)

static int s_result(int rv, const char *err)
{
    if (rv == DX_ERR_INTEGRITY)
        fprintf(stderr, "%s: VERIFICATION FAILED: %s\n", audit_prog, err);
    else if (rv != 0)
        fprintf(stderr, "%s: %s\n", audit_prog, err);
    return dx_exit_code(rv);
}

static int s_b64_line(FILE *out, const char *tag, uint64_t seq, const ProtobufCBinaryData *rec,
                      const ProtobufCBinaryData *proof)
{
    char *a = malloc(DX_BASE64_LEN(rec->len) + 1), *b = malloc(DX_BASE64_LEN(proof->len) + 1);
    if (!a || !b) {
        free(a);
        free(b);
        return DX_ERR_NOMEM;
    }
    dx_base64_encode(rec->data, rec->len, a);
    dx_base64_encode(proof->data, proof->len, b);
    fprintf(out, "%s %llu %s %s\n", tag, (unsigned long long)seq, a, b);
    free(a);
    free(b);
    return 0;
}

typedef struct {
    uint64_t first, last;    /* the range's seqs; first > last when empty */
    uint64_t n;
} range_t;

static int s_range_seq(void *arg, uint64_t seq, store_val_t v)
{
    (void)v;
    range_t *r = arg;
    if (r->n++ == 0)
        r->first = seq;
    r->last = seq;
    return 0;
}

int audit_export_cmd(source_t *src, const audit_opts_t *o)
{
    char err[DX_ERRMSG];
    Dx__AuditQuery q = DX__AUDIT_QUERY__INIT;
    page_t p;
    head_t head;
    int rv;
    q.since_ms = o->q.since_ms;
    q.until_ms = o->q.until_ms;
    memset(&p, 0, sizeof p);
    if ((rv = source_head(src, &head, err)) != 0)
        return s_result(rv, err);
    /* The range in seqs: record times never decrease, so it is one run. */
    range_t range = { 1, 0, 0 };
    uint64_t after = 0;
    do {
        if ((rv = source_page(src, &q, after, 0, false, &p, err)) != 0)
            return s_result(rv, err);
        for (size_t i = 0; i < p.n; i++) {
            Dx__AuditRecord *r = NULL;
            if (wire_audit_decode(p.records[i].data, p.records[i].len, &r, err) == 0 && r->seq <= head.cp.size)
                s_range_seq(&range, r->seq, (store_val_t){ NULL, 0 });
            wire_free(&r);
        }
        after = p.next_after;
        source_page_free(&p);
    } while (after);
    uint64_t lo = range.n ? range.first : 1, hi = range.n ? range.last : 0;
    uint64_t from = lo > 1 ? lo - 1 : 1, to = hi < head.cp.size ? hi + 1 : hi;
    if (!range.n) {
        fprintf(stderr, "%s: no records in that range\n", audit_prog);
        return 1;
    }
    char cp64[DX_BASE64_LEN(DX_CHECKPOINT_MAX) + 1];
    dx_base64_encode((const uint8_t *)head.text, head.len, cp64);
    printf("dx-audit-export 1\nrange %lld %lld\ncheckpoint %s\n", (long long)q.since_ms,
           (long long)q.until_ms, cp64);
    uint64_t count = 0;
    for (uint64_t a = from; a <= to && rv == 0; a += DX_MAX_QUERY_PAGE) {
        uint64_t b = a + DX_MAX_QUERY_PAGE - 1 < to ? a + DX_MAX_QUERY_PAGE - 1 : to;
        if ((rv = source_proofs(src, a, b, head.cp.size, &p, err)) != 0)
            break;
        for (size_t i = 0; i < p.n && rv == 0; i++) {
            uint64_t seq = a + i;
            const char *tag = seq < lo ? "before" : seq > hi ? "after" : "record";
            rv = s_b64_line(stdout, tag, seq, &p.records[i], &p.proofs[i]);
            count += seq >= lo && seq <= hi;
        }
        source_page_free(&p);
    }
    if (rv != 0)
        return s_result(rv, err);
    printf("end %llu\n", (unsigned long long)count);
    fprintf(stderr, "%s: exported %llu records (seq %llu..%llu) with proofs in the log of %llu records\n",
            audit_prog, (unsigned long long)count, (unsigned long long)lo, (unsigned long long)hi,
            (unsigned long long)head.cp.size);
    return fflush(stdout) == 0 ? 0 : 1;
}

/* ---- verify --file ---- */

typedef struct {
    const dx_pubkeys_t *broker;
    head_t head;
    bool have_head;
    int64_t since, until;
    uint64_t expect;          /* the seq the next line must carry */
    uint64_t first, last, count;
    bool before, after, ended;
    char *err;
} checker_t;

static int s_bad(checker_t *c, int line, const char *what)
{
    snprintf(c->err, DX_ERRMSG, "line %d: %s", line, what);
    return DX_ERR_INTEGRITY;
}

static int s_decode64(const char *text, uint8_t **out, size_t *len)
{
    size_t n = strlen(text);
    if (n % 4)
        return DX_ERR_INVALID;
    size_t max = n / 4 * 3;
    *len = max - (n >= 1 && text[n - 1] == '=') - (n >= 2 && text[n - 2] == '=');
    if (!(*out = malloc(*len ? *len : 1)))
        return DX_ERR_NOMEM;
    if (dx_base64_decode(text, *out, *len) != 0) {
        free(*out);
        *out = NULL;
        return DX_ERR_INVALID;
    }
    return 0;
}

/* One "before|record|after SEQ RECORD PROOF" line. */
static int s_record_line(checker_t *c, int line, const char *tag, char *rest)
{
    char *save = NULL, *seq_s = strtok_r(rest, " ", &save), *rec_s = strtok_r(NULL, " ", &save);
    char *proof_s = strtok_r(NULL, " ", &save);
    uint8_t *rec = NULL, *proof = NULL;
    size_t rec_len = 0, proof_len = 0;
    Dx__AuditRecord *r = NULL;
    char why[DX_ERRMSG];
    int rv = DX_ERR_INTEGRITY;
    if (!c->have_head || c->ended)
        return s_bad(c, line, "a record outside the export's body");
    if (!seq_s || !rec_s || !proof_s || strtok_r(NULL, " ", &save))
        return s_bad(c, line, "expected: SEQ RECORD PROOF");
    uint64_t seq = strtoull(seq_s, NULL, 10);
    if (s_decode64(rec_s, &rec, &rec_len) != 0 || s_decode64(proof_s, &proof, &proof_len) != 0 ||
        proof_len % DX_HASH_LEN) {
        rv = s_bad(c, line, "malformed base64");
        goto out;
    }
    dx_hash_t leaf;
    dx_merkle_leaf(rec, rec_len, leaf);
    if (seq == 0 || dx_merkle_verify_inclusion(leaf, seq - 1, c->head.cp.size, (const dx_hash_t *)proof,
                                               proof_len / DX_HASH_LEN, c->head.cp.root) != 0) {
        snprintf(c->err, DX_ERRMSG, "line %d: record %llu is not in the signed log (its inclusion "
                 "proof fails)", line, (unsigned long long)seq);
        goto out;
    }
    if (wire_audit_decode(rec, rec_len, &r, why) != 0 || r->seq != seq) {
        rv = s_bad(c, line, "the record does not carry its sequence number");
        goto out;
    }
    bool is_before = strcmp(tag, "before") == 0, is_after = strcmp(tag, "after") == 0;
    if (c->expect && seq != c->expect) {
        snprintf(c->err, DX_ERRMSG, "line %d: record %llu where %llu was expected: records are missing",
                 line, (unsigned long long)seq, (unsigned long long)c->expect);
        goto out;
    }
    if (is_before) {
        if (c->before || c->count || (c->since && r->time_ms >= c->since)) {
            rv = s_bad(c, line, "the record before the range is not before it");
            goto out;
        }
        c->before = true;
    } else if (is_after) {
        if (c->after || !c->count || (c->until && r->time_ms <= c->until)) {
            rv = s_bad(c, line, "the record after the range is not after it");
            goto out;
        }
        c->after = true;
    } else {
        if (c->after || (c->since && r->time_ms < c->since) || (c->until && r->time_ms > c->until)) {
            rv = s_bad(c, line, "a record outside the exported range");
            goto out;
        }
        if (c->count++ == 0)
            c->first = seq;
        c->last = seq;
    }
    c->expect = seq + 1;
    rv = 0;
out:
    wire_free(&r);
    free(rec);
    free(proof);
    return rv;
}

int audit_verify_file_cmd(const dx_pubkeys_t *broker, const audit_opts_t *o)
{
    char err[DX_ERRMSG] = "", *data = NULL;
    size_t len = 0;
    checker_t c = { .broker = broker, .err = err };
    source_t keyonly;
    memset(&keyonly, 0, sizeof keyonly);
    keyonly.broker = *broker;
    int rv = dx_read_small_file(o->file, (size_t)EXPORT_MAX_FILE, &data, &len);
    if (rv != 0) {
        snprintf(err, DX_ERRMSG, "cannot read %s: %s", o->file, dx_strerror(rv));
        return s_result(rv, err);
    }
    int line = 0;
    bool header = false;
    for (char *l = data, *next; l && *l && rv == 0; l = next) {
        next = strchr(l, '\n');
        if (next)
            *next++ = '\0';
        line++;
        char *sp = strchr(l, ' ');
        char *rest = sp ? sp + 1 : l + strlen(l);
        if (sp)
            *sp = '\0';
        if (!header) {
            header = strcmp(l, "dx-audit-export") == 0 && strcmp(rest, "1") == 0;
            rv = header ? 0 : s_bad(&c, line, "not a dx-audit export (version 1)");
        } else if (strcmp(l, "range") == 0) {
            long long a, b;
            if (sscanf(rest, "%lld %lld", &a, &b) != 2)
                rv = s_bad(&c, line, "malformed range");
            c.since = a;
            c.until = b;
        } else if (strcmp(l, "checkpoint") == 0) {
            uint8_t *text = NULL;
            size_t tl = 0;
            char why[DX_ERRMSG];
            if (s_decode64(rest, &text, &tl) != 0 ||
                source_head_parse(&keyonly, text, tl, &c.head, why) != 0) {
                snprintf(err, DX_ERRMSG, "line %d: the checkpoint is not signed by the broker", line);
                rv = DX_ERR_INTEGRITY;
            }
            free(text);
            c.have_head = rv == 0;
        } else if (strcmp(l, "before") == 0 || strcmp(l, "record") == 0 || strcmp(l, "after") == 0) {
            rv = s_record_line(&c, line, l, rest);
        } else if (strcmp(l, "end") == 0) {
            if (strtoull(rest, NULL, 10) != c.count)
                rv = s_bad(&c, line, "the record count does not match: records were removed or added");
            c.ended = true;
        } else {
            rv = s_bad(&c, line, "unknown line");
        }
    }
    free(data);
    if (rv == 0 && (!c.ended || !c.have_head))
        rv = s_bad(&c, line, "the export is truncated");
    /* complete at both ends: a record just outside, or the log's own end */
    if (rv == 0 && !c.before && c.first != 1)
        rv = s_bad(&c, line, "nothing shows that no record before the first is missing");
    if (rv == 0 && !c.after && c.last != c.head.cp.size)
        rv = s_bad(&c, line, "nothing shows that no record after the last is missing");
    if (rv != 0)
        return s_result(rv, err);
    char t[DX_TIME_TEXT];
    dx_time_format(c.head.cp.time_ms, t);
    printf("export verified: %llu records (seq %llu..%llu), complete for the range, each included in "
           "the log of %llu records signed by %s at %s\n", (unsigned long long)c.count,
           (unsigned long long)c.first, (unsigned long long)c.last, (unsigned long long)c.head.cp.size,
           c.head.cp.origin, t);
    return 0;
}
