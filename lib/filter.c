/* filter: strict streaming CSV and JSON Lines field filters.
 *
 * Input accumulates in `pending` until it holds at least one whole row;
 * whole rows are parsed, filtered and written, and the bytes consumed. */
#include "filter.h"
#include "err.h"
#include "policy.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_COLUMNS 4096
#define MAX_KEY 1024

typedef struct {
    size_t start, end;         /* raw bytes of a field or value */
} span_t;

struct dx_filter {
    int format;
    int mode;
    char **fields;
    size_t nfields;
    dx_buf_t pending;
    uint64_t line;             /* rows consumed so far */
    bool header_done;          /* CSV: header seen */
    bool bom_checked;          /* CSV: the first three bytes seen */
    bool *keep;                /* CSV: per column */
    span_t *spans;             /* CSV: the fields of the current row */
    size_t columns;
    char error[200];
    bool failed;
};

int dx_format_of(const char *content_type)
{
    static const struct { const char *type; int format; } types[] = {
        { "text/csv", DX_FORMAT_CSV },
        { "application/csv", DX_FORMAT_CSV },
        { "application/x-ndjson", DX_FORMAT_JSONL },
        { "application/ndjson", DX_FORMAT_JSONL },
        { "application/jsonl", DX_FORMAT_JSONL },
        { "application/x-jsonlines", DX_FORMAT_JSONL },
        { "application/json-lines", DX_FORMAT_JSONL },
    };
    if (!content_type)
        return DX_FORMAT_NONE;
    size_t n = strcspn(content_type, ";");
    while (n > 0 && content_type[n - 1] == ' ')
        n--;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strlen(types[i].type) == n && strncasecmp(types[i].type, content_type, n) == 0)
            return types[i].format;
    return DX_FORMAT_NONE;
}

int dx_filter_new(int format, int mode, char *const *fields, size_t nfields, dx_filter_t **out)
{
    if ((format != DX_FORMAT_CSV && format != DX_FORMAT_JSONL) ||
        (mode != DX_FIELDS_INCLUDE && mode != DX_FIELDS_EXCLUDE))
        return DX_ERR_INVALID;
    dx_filter_t *f = calloc(1, sizeof *f);
    if (!f)
        return DX_ERR_NOMEM;
    f->format = format;
    f->mode = mode;
    f->fields = calloc(nfields ? nfields : 1, sizeof *f->fields);
    if (format == DX_FORMAT_CSV)
        f->spans = calloc(MAX_COLUMNS, sizeof *f->spans);
    if (!f->fields || (format == DX_FORMAT_CSV && !f->spans)) {
        dx_filter_destroy(&f);
        return DX_ERR_NOMEM;
    }
    for (size_t i = 0; i < nfields; i++) {
        if (!(f->fields[i] = strdup(fields[i]))) {
            dx_filter_destroy(&f);
            return DX_ERR_NOMEM;
        }
        f->nfields++;
    }
    dx_buf_init(&f->pending, DX_FILTER_MAX_ROW + 1);
    *out = f;
    return 0;
}

void dx_filter_destroy(dx_filter_t **f_p)
{
    if (!f_p || !*f_p)
        return;
    dx_filter_t *f = *f_p;
    for (size_t i = 0; i < f->nfields; i++)
        free(f->fields[i]);
    free(f->fields);
    free(f->keep);
    free(f->spans);
    dx_buf_free(&f->pending);
    free(f);
    *f_p = NULL;
}

const char *dx_filter_error(const dx_filter_t *f) { return f->error; }

__attribute__((format(printf, 2, 3)))
static int s_fail(dx_filter_t *f, const char *fmt, ...)
{
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(f->error, sizeof f->error, "line %llu: %s", (unsigned long long)f->line + 1, msg);
    f->failed = true;
    return DX_ERR_INVALID;
}

/* Whether a field (or key) with this decoded name is kept. */
static bool s_kept(const dx_filter_t *f, const char *name, size_t len)
{
    bool listed = false;
    for (size_t i = 0; i < f->nfields && !listed; i++)
        listed = strlen(f->fields[i]) == len && memcmp(f->fields[i], name, len) == 0;
    return f->mode == DX_FIELDS_INCLUDE ? listed : !listed;
}

/* ---- CSV ---- */

/* Parses one record at d[0..len). Returns 1 and sets *used when a whole
 * record is there, 0 when more input is needed, or an error. Fields go to
 * spans (raw bytes, quotes included); *eol is the terminator's length. */
static int s_csv_record(dx_filter_t *f, const uint8_t *d, size_t len, bool at_end, span_t *spans,
                        size_t *nspans, size_t *used, size_t *eol)
{
    size_t pos = 0;
    *nspans = 0;
    for (;;) {
        if (*nspans == MAX_COLUMNS)
            return s_fail(f, "more than %d fields", MAX_COLUMNS);
        span_t *s = &spans[(*nspans)++];
        s->start = pos;
        if (pos < len && d[pos] == '"') {
            pos++;
            for (;;) {
                if (pos >= len)
                    return at_end ? s_fail(f, "unterminated quoted field") : 0;
                if (d[pos] == '"') {
                    if (pos + 1 >= len && !at_end)
                        return 0; /* "" or the closing quote: need the next byte */
                    if (pos + 1 < len && d[pos + 1] == '"') {
                        pos += 2;
                        continue;
                    }
                    pos++;
                    break;
                }
                pos++;
            }
            s->end = pos;
            if (pos < len && d[pos] == '\r') {
                if (pos + 1 >= len && !at_end)
                    return 0;
                if (pos + 1 < len && d[pos + 1] == '\n') {
                    *used = pos + 2;
                    *eol = 2;
                    return 1;
                }
                return s_fail(f, "stray character after a closing quote");
            }
            if (pos < len && d[pos] != ',' && d[pos] != '\n')
                return s_fail(f, "stray character after a closing quote");
        } else {
            while (pos < len && d[pos] != ',' && d[pos] != '\n') {
                if (d[pos] == '"')
                    return s_fail(f, "quote inside an unquoted field");
                pos++;
            }
            s->end = pos;
            if (pos < len && d[pos] == '\n' && pos > s->start && d[pos - 1] == '\r') {
                s->end = pos - 1;
                *used = pos + 1;
                *eol = 2;
                return 1;
            }
        }
        if (pos >= len) {
            if (!at_end)
                return 0;
            *used = pos;
            *eol = 0;
            return 1;
        }
        if (d[pos] == '\n') {
            *used = pos + 1;
            *eol = 1;
            return 1;
        }
        pos++; /* ',' */
    }
}

/* The header name of a raw field: unquoted, "" unescaped. */
static size_t s_csv_unquote(const uint8_t *d, span_t s, char *out, size_t cap)
{
    size_t n = 0;
    if (s.end > s.start && d[s.start] == '"') {
        for (size_t i = s.start + 1; i + 1 < s.end && n < cap; i++) {
            out[n++] = (char)d[i];
            if (d[i] == '"')
                i++;
        }
    } else {
        for (size_t i = s.start; i < s.end && n < cap; i++)
            out[n++] = (char)d[i];
    }
    return n;
}

static int s_csv_rows(dx_filter_t *f, bool at_end, dx_buf_t *out)
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
        size_t len = f->pending.len - off, used = 0, eol = 0, n = 0;
        int r = s_csv_record(f, d, len, at_end, sp, &n, &used, &eol);
        if (r < 0) {
            rv = r;
            break;
        }
        if (r == 0)
            break;
        bool empty = n == 1 && sp[0].end == sp[0].start;
        if (empty) {
            /* blank lines carry no fields: pass nothing */
        } else if (!f->header_done) {
            free(f->keep);
            if (!(f->keep = calloc(n, sizeof *f->keep))) {
                rv = DX_ERR_NOMEM;
                break;
            }
            char name[MAX_KEY];
            for (size_t i = 0; i < n; i++) {
                size_t k = s_csv_unquote(d, sp[i], name, sizeof name);
                f->keep[i] = s_kept(f, name, k);
            }
            f->columns = n;
            f->header_done = true;
        } else if (n != f->columns) {
            rv = s_fail(f, "%zu fields where the header has %zu", n, f->columns);
            break;
        }
        if (!empty) {
            bool first = true;
            for (size_t i = 0; i < n && rv == 0; i++) {
                if (!f->keep[i])
                    continue;
                if (!first)
                    rv = dx_buf_append(out, ",", 1);
                if (rv == 0)
                    rv = dx_buf_append(out, d + sp[i].start, sp[i].end - sp[i].start);
                first = false;
            }
            if (rv == 0 && eol > 0)
                rv = dx_buf_append(out, eol == 2 ? "\r\n" : "\n", eol);
            if (rv != 0)
                break;
        }
        off += used;
        f->line++;
    }
    dx_buf_consume(&f->pending, off);
    return rv;
}

/* ---- JSON Lines ---- */

static size_t s_ws(const uint8_t *d, size_t pos, size_t len)
{
    while (pos < len && (d[pos] == ' ' || d[pos] == '\t' || d[pos] == '\r'))
        pos++;
    return pos;
}

static int s_hex4(const uint8_t *d, size_t pos, size_t len, unsigned *v)
{
    *v = 0;
    if (pos + 4 > len)
        return -1;
    for (int i = 0; i < 4; i++) {
        uint8_t c = d[pos + (size_t)i];
        unsigned x = c >= '0' && c <= '9' ? c - '0' + 0u : c >= 'a' && c <= 'f' ? c - 'a' + 10u
                     : c >= 'A' && c <= 'F' ? c - 'A' + 10u : 16u;
        if (x > 15)
            return -1;
        *v = *v << 4 | x;
    }
    return 0;
}

/* Scans a JSON string at d[pos] == '"'; decodes it into key (if non-NULL).
 * Returns the position after the closing quote, or 0 on error. */
static size_t s_json_string(const uint8_t *d, size_t pos, size_t len, char *key, size_t *klen)
{
    size_t n = 0;
    pos++;
    while (pos < len) {
        uint8_t c = d[pos];
        if (c == '"') {
            if (klen)
                *klen = n;
            return pos + 1;
        }
        if (c < 0x20)
            return 0;
        if (c != '\\') {
            if (key && n < MAX_KEY)
                key[n] = (char)c;
            n++;
            pos++;
            continue;
        }
        if (++pos >= len)
            return 0;
        unsigned cp;
        switch (d[pos]) {
        case '"': cp = '"'; break;
        case '\\': cp = '\\'; break;
        case '/': cp = '/'; break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u':
            if (s_hex4(d, pos + 1, len, &cp) != 0)
                return 0;
            pos += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo;
                if (pos + 2 >= len || d[pos + 1] != '\\' || d[pos + 2] != 'u' ||
                    s_hex4(d, pos + 3, len, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF)
                    return 0;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                pos += 6;
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return 0;
            }
            break;
        default:
            return 0;
        }
        pos++;
        /* UTF-8 of cp */
        uint8_t u[4];
        size_t un;
        if (cp < 0x80) {
            u[0] = (uint8_t)cp;
            un = 1;
        } else if (cp < 0x800) {
            u[0] = (uint8_t)(0xC0 | cp >> 6);
            u[1] = (uint8_t)(0x80 | (cp & 0x3F));
            un = 2;
        } else if (cp < 0x10000) {
            u[0] = (uint8_t)(0xE0 | cp >> 12);
            u[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
            u[2] = (uint8_t)(0x80 | (cp & 0x3F));
            un = 3;
        } else {
            u[0] = (uint8_t)(0xF0 | cp >> 18);
            u[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
            u[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
            u[3] = (uint8_t)(0x80 | (cp & 0x3F));
            un = 4;
        }
        for (size_t i = 0; i < un; i++, n++)
            if (key && n < MAX_KEY)
                key[n] = (char)u[i];
    }
    return 0;
}

static size_t s_json_number(const uint8_t *d, size_t pos, size_t len)
{
    size_t p = pos;
    if (p < len && d[p] == '-')
        p++;
    if (p < len && d[p] == '0') {
        p++;
    } else if (p < len && d[p] >= '1' && d[p] <= '9') {
        while (p < len && d[p] >= '0' && d[p] <= '9')
            p++;
    } else {
        return 0;
    }
    if (p < len && d[p] == '.') {
        size_t q = ++p;
        while (p < len && d[p] >= '0' && d[p] <= '9')
            p++;
        if (p == q)
            return 0;
    }
    if (p < len && (d[p] == 'e' || d[p] == 'E')) {
        p++;
        if (p < len && (d[p] == '+' || d[p] == '-'))
            p++;
        size_t q = p;
        while (p < len && d[p] >= '0' && d[p] <= '9')
            p++;
        if (p == q)
            return 0;
    }
    return p;
}

/* Scans any JSON value at pos, iteratively with a bounded stack. Returns the
 * position after it, or 0 on error. */
static size_t s_json_value(const uint8_t *d, size_t pos, size_t len)
{
    char stack[DX_FILTER_MAX_DEPTH];
    int depth = 0;
    bool need_value = true;   /* a value is expected next */
    for (;;) {
        pos = s_ws(d, pos, len);
        if (pos >= len)
            return 0;
        if (need_value) {
            uint8_t c = d[pos];
            if (c == '{' || c == '[') {
                if (depth == DX_FILTER_MAX_DEPTH)
                    return 0;
                stack[depth++] = (char)c;
                pos = s_ws(d, pos + 1, len);
                if (pos < len && d[pos] == (c == '{' ? '}' : ']')) {
                    depth--;
                    pos++;
                    need_value = false;
                } else if (c == '{') {
                    if (pos >= len || d[pos] != '"' || !(pos = s_json_string(d, pos, len, NULL, NULL)))
                        return 0;
                    pos = s_ws(d, pos, len);
                    if (pos >= len || d[pos] != ':')
                        return 0;
                    pos++;
                }
                if (need_value)
                    continue;
            } else if (c == '"') {
                if (!(pos = s_json_string(d, pos, len, NULL, NULL)))
                    return 0;
            } else if (c == 't' && len - pos >= 4 && memcmp(d + pos, "true", 4) == 0) {
                pos += 4;
            } else if (c == 'f' && len - pos >= 5 && memcmp(d + pos, "false", 5) == 0) {
                pos += 5;
            } else if (c == 'n' && len - pos >= 4 && memcmp(d + pos, "null", 4) == 0) {
                pos += 4;
            } else if (!(pos = s_json_number(d, pos, len))) {
                return 0;
            }
            need_value = false;
        }
        if (depth == 0)
            return pos;
        pos = s_ws(d, pos, len);
        if (pos >= len)
            return 0;
        char top = stack[depth - 1];
        if (d[pos] == (top == '{' ? '}' : ']')) {
            depth--;
            pos++;
            continue;
        }
        if (d[pos] != ',')
            return 0;
        pos = s_ws(d, pos + 1, len);
        if (top == '{') {
            if (pos >= len || d[pos] != '"' || !(pos = s_json_string(d, pos, len, NULL, NULL)))
                return 0;
            pos = s_ws(d, pos, len);
            if (pos >= len || d[pos] != ':')
                return 0;
            pos++;
        }
        need_value = true;
    }
}

/* Filters one JSON object line d[0..len) (no newline) into out. */
static int s_json_line(dx_filter_t *f, const uint8_t *d, size_t len, dx_buf_t *out)
{
    char key[MAX_KEY];
    size_t pos = s_ws(d, 0, len), mark = out->len;
    int rv;
    if (pos == len)
        return 0; /* blank line */
    if (d[pos] != '{')
        return s_fail(f, "not a JSON object");
    if ((rv = dx_buf_append(out, "{", 1)) != 0)
        return rv;
    pos = s_ws(d, pos + 1, len);
    bool first = true, closed = false;
    if (pos < len && d[pos] == '}') {
        pos++;
        closed = true;
    }
    while (!closed) {
        size_t klen = 0, kstart = pos, kend, vstart, vend;
        if (pos >= len || d[pos] != '"' || !(kend = s_json_string(d, pos, len, key, &klen)))
            goto bad;
        if (klen > MAX_KEY)
            goto bad;
        pos = s_ws(d, kend, len);
        if (pos >= len || d[pos] != ':')
            goto bad;
        vstart = s_ws(d, pos + 1, len);
        if (!(vend = s_json_value(d, vstart, len)))
            goto bad;
        if (s_kept(f, key, klen)) {
            if ((!first && (rv = dx_buf_append(out, ",", 1)) != 0) ||
                (rv = dx_buf_append(out, d + kstart, kend - kstart)) != 0 ||
                (rv = dx_buf_append(out, ":", 1)) != 0 ||
                (rv = dx_buf_append(out, d + vstart, vend - vstart)) != 0)
                goto fail;
            first = false;
        }
        pos = s_ws(d, vend, len);
        if (pos < len && d[pos] == ',') {
            pos = s_ws(d, pos + 1, len);
            continue;
        }
        if (pos < len && d[pos] == '}') {
            pos++;
            closed = true;
            continue;
        }
        goto bad;
    }
    if (s_ws(d, pos, len) != len)
        goto bad;
    if ((rv = dx_buf_append(out, "}\n", 2)) != 0)
        goto fail;
    return 0;
bad:
    rv = s_fail(f, "not a valid JSON object");
fail:
    out->len = mark; /* nothing of a bad row is written */
    return rv;
}

static int s_jsonl_rows(dx_filter_t *f, bool at_end, dx_buf_t *out)
{
    size_t off = 0;
    int rv = 0;
    while (off < f->pending.len) {
        const uint8_t *d = f->pending.data + off;
        size_t len = f->pending.len - off;
        const uint8_t *nl = memchr(d, '\n', len);
        size_t line_len = nl ? (size_t)(nl - d) : len;
        if (!nl && !at_end)
            break;
        if ((rv = s_json_line(f, d, line_len, out)) != 0)
            break;
        off += nl ? line_len + 1 : line_len;
        f->line++;
    }
    dx_buf_consume(&f->pending, off);
    return rv;
}

static int s_run(dx_filter_t *f, bool at_end, dx_buf_t *out)
{
    int rv = f->format == DX_FORMAT_CSV ? s_csv_rows(f, at_end, out) : s_jsonl_rows(f, at_end, out);
    if (rv == 0 && f->pending.len > DX_FILTER_MAX_ROW)
        rv = s_fail(f, "row longer than %d bytes", DX_FILTER_MAX_ROW);
    if (rv != 0 && !f->failed)
        s_fail(f, "%s", dx_strerror(rv));
    return rv;
}

int dx_filter_push(dx_filter_t *f, const uint8_t *data, size_t len, dx_buf_t *out)
{
    if (f->failed)
        return DX_ERR_INVALID;
    /* Feed in slices so that pending never holds more than a row plus a
     * slice, whatever the caller's chunk size. */
    while (len > 0) {
        size_t slice = len < 65536 ? len : 65536;
        int rv = dx_buf_append(&f->pending, data, slice);
        if (rv == DX_ERR_TOO_BIG)
            return s_fail(f, "row longer than %d bytes", DX_FILTER_MAX_ROW);
        if (rv != 0 || (rv = s_run(f, false, out)) != 0)
            return rv;
        data += slice;
        len -= slice;
    }
    return 0;
}

int dx_filter_finish(dx_filter_t *f, dx_buf_t *out)
{
    if (f->failed)
        return DX_ERR_INVALID;
    return s_run(f, true, out);
}
