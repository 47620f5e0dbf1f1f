/* audit_report: dx-audit report --out FILE.html [--since T] [--until T].
 * The log is verified whole (audit_verify_walk), its records counted as
 * they are chained (report.h); the page is written only once every record
 * and head checked, into FILE.html.tmp renamed over FILE.html, so a log
 * that does not verify leaves no page (and exit 4). */
#include "audit_cmds.h"
#include "encode.h"
#include "fileio.h"
#include "report.h"
#include "wire.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int s_count(void *arg, const uint8_t *rec, size_t len, char err[DX_ERRMSG])
{
    Dx__AuditRecord *r = NULL;
    int rv = wire_audit_decode(rec, len, &r, err);
    if (rv != 0)
        return rv; /* chained and hashed, yet not a record: the log is damaged */
    if (report_add(arg, r) != 0) {
        snprintf(err, DX_ERRMSG, "out of memory counting the records");
        rv = DX_ERR_NOMEM;
    }
    wire_free(&r);
    return rv;
}

int audit_report_cmd(source_t *src, const audit_opts_t *o)
{
    char err[DX_ERRMSG] = "", tmp[DX_PATH_MAX + 8], root[DX_BASE64_LEN(DX_HASH_LEN) + 1];
    head_t current;
    verify_walk_t w = { .on_record = s_count };
    FILE *f = NULL;
    int rv;
    if (!o->out) {
        fprintf(stderr, "%s: report needs --out FILE.html\n", audit_prog);
        return 2;
    }
    if (o->q.until_ms && o->q.since_ms >= o->q.until_ms) {
        fprintf(stderr, "%s: report: --since must come before --until\n", audit_prog);
        return 2;
    }
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", o->out) >= sizeof tmp)
        return audit_fail(DX_ERR_INVALID, "--out: path too long");
    report_t *r = report_new(o->q.since_ms, o->q.until_ms);
    if (!r)
        return audit_fail(DX_ERR_NOMEM, "out of memory");
    w.arg = r;
    if ((rv = source_head(src, &current, err)) != 0 || (rv = audit_verify_walk(src, &current, &w, err)) != 0)
        goto out;
    dx_base64_encode(current.cp.root, DX_HASH_LEN, root);
    report_head_t head = { current.cp.origin, current.cp.size, current.cp.time_ms, root, o->source_name };
    if (!(f = fopen(tmp, "w"))) {
        snprintf(err, DX_ERRMSG, "cannot write %s: %s", tmp, strerror(errno));
        rv = DX_ERR_IO;
        goto out;
    }
    if (report_write_html(r, &head, f) != 0 || fflush(f) != 0 || fsync(fileno(f)) != 0) {
        snprintf(err, DX_ERRMSG, "cannot write %s: %s", tmp, errno ? strerror(errno) : "out of memory");
        rv = DX_ERR_IO;
    }
    if (fclose(f) != 0 && rv == 0) {
        snprintf(err, DX_ERRMSG, "cannot write %s: %s", tmp, strerror(errno));
        rv = DX_ERR_IO;
    }
    f = NULL;
    if (rv == 0 && rename(tmp, o->out) != 0) {
        snprintf(err, DX_ERRMSG, "cannot rename %s to %s: %s", tmp, o->out, strerror(errno));
        rv = DX_ERR_IO;
    }
    if (rv != 0) {
        unlink(tmp);
        goto out;
    }
    printf("wrote %s: %llu records in the range, of a log of %llu records verified against its %llu "
           "signed heads\n", o->out, (unsigned long long)report_records(r), (unsigned long long)w.chain.size,
           (unsigned long long)w.checked);
out:
    report_free(&r);
    return audit_result(rv, err);
}
