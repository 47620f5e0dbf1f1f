/* filter_csv: RFC 4180 CSV rows, strictly (filter.h says what is refused).
 * The first non-blank record is the header; blank lines carry no fields
 * and pass nothing, as csv.DictReader skips them. */
#include "err.h"
#include "filter_rows.h"
#include "policy.h"
#include "filter.h"

#include <stdlib.h>
#include <string.h>

/* Parses one record at d[0..len). Returns 1 and sets *used when a whole
 * record is there, 0 when more input is needed, or an error. Fields go to
 * spans (raw bytes, quotes included); *eol is the terminator's length,
 * *lines the newlines inside quoted fields. */
static int s_csv_record(dx_filter_t *f, const uint8_t *d, size_t len, bool at_end, span_t *spans,
                        size_t *nspans, size_t *used, size_t *eol, size_t *lines)
{
    size_t pos = 0;
    *nspans = 0;
    *lines = 0;
    for (;;) {
        if (*nspans == DX_FILTER_MAX_COLUMNS)
            return filter_fail(f, "more than %d fields", DX_FILTER_MAX_COLUMNS);
        span_t *s = &spans[(*nspans)++];
        s->start = pos;
        if (pos < len && d[pos] == '"') {
            pos++;
            for (;;) {
                if (pos >= len)
                    return at_end ? filter_fail(f, "unterminated quoted field") : 0;
                uint8_t c = d[pos];
                if (c == '"') {
                    if (pos + 1 >= len && !at_end)
                        return 0; /* "" or the closing quote: need the next byte */
                    if (pos + 1 < len && d[pos + 1] == '"') {
                        pos += 2;
                        continue;
                    }
                    pos++;
                    break;
                }
                if (c == '\r') {
                    if (pos + 1 >= len && !at_end)
                        return 0;
                    if (pos + 1 >= len || d[pos + 1] != '\n')
                        return filter_fail(f, "a carriage return not followed by a line feed");
                    pos += 2;
                    (*lines)++;
                    continue;
                }
                if (c == '\n')
                    (*lines)++;
                else if ((c < 0x20 && c != '\t') || c == 0x7f)
                    return filter_fail(f, "a control character (0x%02X) in a quoted field", c);
                pos++;
            }
        } else {
            while (pos < len && d[pos] != ',' && d[pos] != '\n' && d[pos] != '\r') {
                uint8_t c = d[pos];
                if (c == '"')
                    return filter_fail(f, "quote inside an unquoted field");
                if (c < 0x20 || c == 0x7f)
                    return filter_fail(f, "a control character (0x%02X) in an unquoted field", c);
                pos++;
            }
        }
        s->end = pos;
        if (pos >= len) {
            if (!at_end)
                return 0;
            *used = pos;
            *eol = 0;
            return 1;
        }
        switch (d[pos]) {
        case ',':
            pos++;
            continue;
        case '\n':
            *used = pos + 1;
            *eol = 1;
            return 1;
        case '\r':
            if (pos + 1 >= len && !at_end)
                return 0;
            if (pos + 1 >= len || d[pos + 1] != '\n')
                return filter_fail(f, "a carriage return not followed by a line feed");
            *used = pos + 2;
            *eol = 2;
            return 1;
        default:
            return filter_fail(f, "stray character after a closing quote");
        }
    }
}

/* The header name of a raw field: unquoted, "" unescaped, into out. */
static size_t s_csv_unquote(const uint8_t *d, span_t s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    if (s.end > s.start && d[s.start] == '"') {
        for (size_t i = s.start + 1; i + 1 < s.end && n < cap; i++) {
            out[n++] = d[i];
            if (d[i] == '"')
                i++;
        }
    } else {
        for (size_t i = s.start; i < s.end && n < cap; i++)
            out[n++] = d[i];
    }
    return n;
}

static int s_csv_header(dx_filter_t *f, const uint8_t *d, span_t *sp, size_t n)
{
    /* names are unquoted into one scratch row so that duplicates can be
     * found by sorting spans over it */
    uint8_t *names = malloc(n * (DX_FILTER_MAX_NAME + 1));
    span_t *ns = calloc(n, sizeof *ns);
    bool *found = calloc(f->nfields ? f->nfields : 1, sizeof *found);
    size_t at = 0, kept = 0;
    int rv = DX_ERR_NOMEM;
    free(f->keep);
    if (!names || !ns || !found || !(f->keep = calloc(n, sizeof *f->keep)))
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (sp[i].end - sp[i].start > DX_FILTER_MAX_NAME + 2) {
            rv = filter_fail(f, "column %zu of the header is too long for a name", i + 1);
            goto out;
        }
        size_t k = s_csv_unquote(d, sp[i], names + at, DX_FILTER_MAX_NAME + 1);
        if ((rv = filter_check_name(f, names + at, k, i, "column")) != 0)
            goto out;
        long listed = filter_listed(f, names + at, k);
        if (listed >= 0)
            found[listed] = true;
        f->keep[i] = filter_kept(f, names + at, k);
        kept += f->keep[i];
        ns[i].start = at;
        ns[i].end = at + k;
        at += k;
    }
    if (filter_duplicates(ns, n, names)) {
        rv = filter_fail(f, "the header names a column twice");
        goto out;
    }
    for (size_t i = 0; f->mode == DX_FIELDS_EXCLUDE && i < f->nfields; i++) {
        if (!found[i]) {
            rv = filter_fail(f, "the header has no column '%s', which the rule excludes: the data "
                        "does not look as the rule expects", f->fields[i]);
            goto out;
        }
    }
    if (kept == 0) {
        rv = filter_fail(f, f->mode == DX_FIELDS_INCLUDE
                           ? "the header has none of the columns the rule includes"
                           : "the rule excludes every column of the header");
        goto out;
    }
    f->columns = n;
    f->header_done = true;
    rv = 0;
out:
    free(names);
    free(ns);
    free(found);
    return rv;
}

int filter_csv_rows(dx_filter_t *f, bool at_end, dx_buf_t *out)
{
    span_t *sp = f->spans;
    size_t off = 0;
    int rv = 0;
    if (!f->bom_checked) {
        /* A byte-order mark is looked for once, however the start of the
         * file was split: else a second mark would be taken for a first. */
        size_t n = f->pending.len < 3 ? f->pending.len : 3;
        bool prefix = n > 0 && memcmp(f->pending.data, "\xEF\xBB\xBF", n) == 0;
        if ((n == 0 || (prefix && n < 3)) && !at_end)
            return 0;
        f->bom_checked = true;
        if (prefix && n == 3) {
            if ((rv = dx_buf_append(out, f->pending.data, 3)) != 0)
                return rv;
            off = 3;
        }
    }
    while (off < f->pending.len) {
        const uint8_t *d = f->pending.data + off;
        size_t len = f->pending.len - off, used = 0, eol = 0, n = 0, lines = 0;
        int r = s_csv_record(f, d, len, at_end, sp, &n, &used, &eol, &lines);
        if (r < 0) {
            rv = r;
            break;
        }
        if (r == 0)
            break;
        if ((rv = filter_check_text(f, d, used)) != 0)
            break;
        bool empty = n == 1 && sp[0].end == sp[0].start;
        if (empty) {
            /* blank lines carry no fields (csv.DictReader skips them too) */
        } else if (!f->header_done) {
            if ((rv = s_csv_header(f, d, sp, n)) != 0)
                break;
        } else if (n != f->columns) {
            rv = filter_fail(f, "%zu fields where the header has %zu", n, f->columns);
            break;
        }
        if (!empty) {
            bool first = true;
            size_t row = out->len;
            for (size_t i = 0; i < n && rv == 0; i++) {
                if (!f->keep[i])
                    continue;
                if (!first)
                    rv = dx_buf_append(out, ",", 1);
                if (rv == 0)
                    rv = dx_buf_append(out, d + sp[i].start, sp[i].end - sp[i].start);
                first = false;
            }
            /* one kept field, empty: written as "" so that readers do not
             * take the row for a blank line and drop it */
            if (rv == 0 && out->len == row)
                rv = dx_buf_append(out, "\"\"", 2);
            if (rv == 0 && eol > 0)
                rv = dx_buf_append(out, eol == 2 ? "\r\n" : "\n", eol);
            if (rv != 0)
                break;
        }
        off += used;
        f->line += lines + (eol > 0);
    }
    dx_buf_consume(&f->pending, off);
    return rv;
}
