/* filter: strict streaming CSV and JSON Lines field filters.
 *
 * Input accumulates in `pending` until it holds at least one whole row;
 * whole rows are checked, filtered and written, and their bytes consumed.
 * Every check that decides how a row splits runs before any byte of that
 * row is written. */
#include "filter.h"
#include "err.h"
#include "media.h"
#include "policy.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    size_t start, end;         /* raw bytes of a field, or of a key (quotes excluded) */
} span_t;

struct dx_filter {
    int format;
    int mode;
    char **fields;
    size_t nfields;
    char **folded;             /* fields[i] without case, spaces and punctuation */
    dx_buf_t pending;
    uint64_t line;             /* physical lines consumed so far */
    bool header_done;          /* CSV: header seen */
    bool bom_checked;          /* CSV: the first three bytes seen */
    bool *keep;                /* CSV: per column */
    span_t *spans;             /* CSV: the fields of the current row; JSON: keys */
    size_t columns;
    /* names that passed s_check_name, which depends on nothing but their
     * bytes: JSON Lines repeat the same keys on every line */
    struct {
        uint8_t name[48];
        size_t len;
    } passed[32];
    size_t npassed, next_passed;
    char error[DX_FILTER_WHY + 40];
    uint64_t error_line;
    bool failed;
};

/* ---- content types ---- */

int dx_format_of(const char *content_type, char why[DX_FILTER_WHY])
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
    dx_media_t m;
    char full[2 * DX_MEDIA_TOKEN + 1];
    int format = DX_FORMAT_NONE;
    if (!content_type || dx_media_parse(content_type, &m) != 0) {
        snprintf(why, DX_FILTER_WHY, "it is not a media type");
        return DX_FORMAT_NONE;
    }
    snprintf(full, sizeof full, "%s/%s", m.type, m.subtype);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(types[i].type, full) == 0)
            format = types[i].format;
    if (format == DX_FORMAT_NONE) {
        snprintf(why, DX_FILTER_WHY, "only CSV and JSON Lines can be filtered");
        return DX_FORMAT_NONE;
    }
    for (size_t i = 0; i < m.nparams; i++) {
        const char *name = m.params[i].name, *value = m.params[i].value;
        bool ok = (strcmp(name, "charset") == 0 &&
                   (strcasecmp(value, "utf-8") == 0 || strcasecmp(value, "us-ascii") == 0)) ||
                  (format == DX_FORMAT_CSV && strcmp(name, "header") == 0 &&
                   strcasecmp(value, "present") == 0);
        if (!ok) {
            snprintf(why, DX_FILTER_WHY, "the filter does not implement the parameter %.60s=%.60s",
                     name, value);
            return DX_FORMAT_NONE;
        }
    }
    why[0] = '\0';
    return format;
}

/* ---- names ---- */

/* A name without case, spaces and ASCII punctuation: "National-ID" and
 * "national_id" fold alike. Non-ASCII characters are kept as they are. */
static size_t s_fold(const uint8_t *name, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < cap; i++) {
        uint8_t c = name[i];
        if (c >= 'A' && c <= 'Z')
            out[n++] = (char)(c - 'A' + 'a');
        else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80)
            out[n++] = (char)c;
    }
    out[n] = '\0';
    return n;
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
    f->folded = calloc(nfields ? nfields : 1, sizeof *f->folded);
    f->spans = calloc(DX_FILTER_MAX_COLUMNS, sizeof *f->spans);
    if (!f->fields || !f->folded || !f->spans) {
        dx_filter_destroy(&f);
        return DX_ERR_NOMEM;
    }
    for (size_t i = 0; i < nfields; i++) {
        size_t len = strlen(fields[i]);
        if (!(f->fields[i] = strdup(fields[i])) || !(f->folded[i] = malloc(len + 1))) {
            free(f->fields[i]);
            dx_filter_destroy(&f);
            return DX_ERR_NOMEM;
        }
        s_fold((const uint8_t *)fields[i], len, f->folded[i], len + 1);
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
    for (size_t i = 0; i < f->nfields; i++) {
        free(f->fields[i]);
        free(f->folded[i]);
    }
    free(f->fields);
    free(f->folded);
    free(f->keep);
    free(f->spans);
    dx_buf_free(&f->pending);
    free(f);
    *f_p = NULL;
}

const char *dx_filter_error(const dx_filter_t *f) { return f->error; }
uint64_t dx_filter_error_line(const dx_filter_t *f) { return f->error_line; }

/* Records the first error, at the line the current row starts on. */
__attribute__((format(printf, 2, 3)))
static int s_fail(dx_filter_t *f, const char *fmt, ...)
{
    if (f->failed)
        return DX_ERR_INVALID;
    char msg[DX_FILTER_WHY];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    f->error_line = f->line + 1;
    snprintf(f->error, sizeof f->error, "line %llu: %s", (unsigned long long)f->error_line, msg);
    f->failed = true;
    return DX_ERR_INVALID;
}

/* The index of the listed field with exactly this name, or -1. */
static long s_listed(const dx_filter_t *f, const uint8_t *name, size_t len)
{
    for (size_t i = 0; i < f->nfields; i++)
        if (strlen(f->fields[i]) == len && memcmp(f->fields[i], name, len) == 0)
            return (long)i;
    return -1;
}

static bool s_kept(const dx_filter_t *f, const uint8_t *name, size_t len)
{
    bool listed = s_listed(f, name, len) >= 0;
    return f->mode == DX_FIELDS_INCLUDE ? listed : !listed;
}

/* Why name is not a plain name (filter.h), or NULL when it is one. */
static const char *s_not_plain(const uint8_t *name, size_t len, bool csv)
{
    if (len == 0)
        return "is empty";
    if (len > DX_FILTER_MAX_NAME)
        return "is too long";
    if (name[0] == ' ' || name[len - 1] == ' ')
        return "begins or ends with a space";
    for (size_t i = 0; i < len;) {
        uint32_t cp = name[i];
        size_t k = 1;
        if (cp >= 0x80 && (k = dx_utf8_next(name + i, len - i, &cp)) == 0)
            return "is not UTF-8";
        if (dx_unicode_hidden(cp) || (cp != ' ' && dx_unicode_space(cp)))
            return "holds a control, invisible or space character";
        if (csv && (cp == '"' || cp == ',' || cp == ';' || cp == '|'))
            return "holds a quote or a character other readers take for a separator";
        i += k;
    }
    return NULL;
}

/* Checks one name of a header or object: plain, and under exclude not a
 * different spelling of an excluded name. what is "column" or "key". */
static int s_check_name(dx_filter_t *f, const uint8_t *name, size_t len, size_t index, const char *what)
{
    for (size_t i = 0; i < f->npassed; i++)
        if (f->passed[i].len == len && memcmp(f->passed[i].name, name, len) == 0)
            return 0;
    const char *why = s_not_plain(name, len, f->format == DX_FORMAT_CSV);
    if (why)
        return s_fail(f, "%s %zu %s %s: not a plain name", what, index + 1,
                      f->format == DX_FORMAT_CSV ? "of the header" : "of the object", why);
    if (f->mode == DX_FIELDS_EXCLUDE && s_listed(f, name, len) < 0) {
        char folded[DX_FILTER_MAX_NAME + 1];
        s_fold(name, len, folded, sizeof folded);
        for (size_t i = 0; i < f->nfields; i++)
            if (folded[0] && strcmp(folded, f->folded[i]) == 0)
                return s_fail(f, "%s %zu is spelled like '%s', which the rule excludes, but not "
                              "exactly: refused rather than guessed", what, index + 1, f->fields[i]);
    }
    if (len <= sizeof f->passed[0].name) {
        size_t slot = f->next_passed++ % (sizeof f->passed / sizeof f->passed[0]);
        memcpy(f->passed[slot].name, name, len);
        f->passed[slot].len = len;
        if (f->npassed <= slot)
            f->npassed = slot + 1;
    }
    return 0;
}

/* Refuses the characters some reader would split a row on, and bytes that
 * are not UTF-8: C1 controls (NEL among them), U+2028 and U+2029. */
static int s_check_text(dx_filter_t *f, const uint8_t *d, size_t len)
{
    for (size_t i = 0; i < len;) {
        uint64_t w;
        if (len - i >= 8 && (memcpy(&w, d + i, 8), (w & 0x8080808080808080ull) == 0)) {
            i += 8; /* eight ASCII bytes: nothing to decode */
            continue;
        }
        if (d[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t k = dx_utf8_next(d + i, len - i, &cp);
        if (k == 0)
            return s_fail(f, "not UTF-8");
        if ((cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029)
            return s_fail(f, "a C1 control or a line or paragraph separator (U+%04X)", (unsigned)cp);
        i += k;
    }
    return 0;
}

static int s_span_cmp(const void *a, const void *b, void *data)
{
    const span_t *x = a, *y = b;
    const uint8_t *d = data;
    size_t lx = x->end - x->start, ly = y->end - y->start, n = lx < ly ? lx : ly;
    int c = memcmp(d + x->start, d + y->start, n);
    return c ? c : (lx > ly) - (lx < ly);
}

/* Whether two of the names (spans into d) are the same. Reorders spans. */
static bool s_duplicates(span_t *spans, size_t n, const uint8_t *d)
{
    if (n < 2)
        return false;
    if (n <= 16) { /* the usual row: pairwise is cheaper than sorting */
        for (size_t i = 1; i < n; i++)
            for (size_t j = 0; j < i; j++)
                if (s_span_cmp(&spans[i], &spans[j], (void *)d) == 0)
                    return true;
        return false;
    }
    qsort_r(spans, n, sizeof *spans, s_span_cmp, (void *)d);
    for (size_t i = 1; i < n; i++)
        if (s_span_cmp(&spans[i - 1], &spans[i], (void *)d) == 0)
            return true;
    return false;
}

/* ---- CSV ---- */

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
            return s_fail(f, "more than %d fields", DX_FILTER_MAX_COLUMNS);
        span_t *s = &spans[(*nspans)++];
        s->start = pos;
        if (pos < len && d[pos] == '"') {
            pos++;
            for (;;) {
                if (pos >= len)
                    return at_end ? s_fail(f, "unterminated quoted field") : 0;
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
                        return s_fail(f, "a carriage return not followed by a line feed");
                    pos += 2;
                    (*lines)++;
                    continue;
                }
                if (c == '\n')
                    (*lines)++;
                else if ((c < 0x20 && c != '\t') || c == 0x7f)
                    return s_fail(f, "a control character (0x%02X) in a quoted field", c);
                pos++;
            }
        } else {
            while (pos < len && d[pos] != ',' && d[pos] != '\n' && d[pos] != '\r') {
                uint8_t c = d[pos];
                if (c == '"')
                    return s_fail(f, "quote inside an unquoted field");
                if (c < 0x20 || c == 0x7f)
                    return s_fail(f, "a control character (0x%02X) in an unquoted field", c);
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
                return s_fail(f, "a carriage return not followed by a line feed");
            *used = pos + 2;
            *eol = 2;
            return 1;
        default:
            return s_fail(f, "stray character after a closing quote");
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
            rv = s_fail(f, "column %zu of the header is too long for a name", i + 1);
            goto out;
        }
        size_t k = s_csv_unquote(d, sp[i], names + at, DX_FILTER_MAX_NAME + 1);
        if ((rv = s_check_name(f, names + at, k, i, "column")) != 0)
            goto out;
        long listed = s_listed(f, names + at, k);
        if (listed >= 0)
            found[listed] = true;
        f->keep[i] = s_kept(f, names + at, k);
        kept += f->keep[i];
        ns[i].start = at;
        ns[i].end = at + k;
        at += k;
    }
    if (s_duplicates(ns, n, names)) {
        rv = s_fail(f, "the header names a column twice");
        goto out;
    }
    for (size_t i = 0; f->mode == DX_FIELDS_EXCLUDE && i < f->nfields; i++) {
        if (!found[i]) {
            rv = s_fail(f, "the header has no column '%s', which the rule excludes: the data "
                        "does not look as the rule expects", f->fields[i]);
            goto out;
        }
    }
    if (kept == 0) {
        rv = s_fail(f, f->mode == DX_FIELDS_INCLUDE
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
        size_t len = f->pending.len - off, used = 0, eol = 0, n = 0, lines = 0;
        int r = s_csv_record(f, d, len, at_end, sp, &n, &used, &eol, &lines);
        if (r < 0) {
            rv = r;
            break;
        }
        if (r == 0)
            break;
        if ((rv = s_check_text(f, d, used)) != 0)
            break;
        bool empty = n == 1 && sp[0].end == sp[0].start;
        if (empty) {
            /* blank lines carry no fields (csv.DictReader skips them too) */
        } else if (!f->header_done) {
            if ((rv = s_csv_header(f, d, sp, n)) != 0)
                break;
        } else if (n != f->columns) {
            rv = s_fail(f, "%zu fields where the header has %zu", n, f->columns);
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

/* ---- JSON Lines ---- */

/* JSON whitespace within a line: a carriage return is only allowed as the
 * line's end, which the caller strips. */
static size_t s_ws(const uint8_t *d, size_t pos, size_t len)
{
    while (pos < len && (d[pos] == ' ' || d[pos] == '\t'))
        pos++;
    return pos;
}

static bool s_hex4(const uint8_t *d, size_t pos, size_t len, unsigned *v)
{
    *v = 0;
    if (pos + 4 > len)
        return false;
    for (int i = 0; i < 4; i++) {
        uint8_t c = d[pos + (size_t)i];
        unsigned x = c >= '0' && c <= '9' ? c - '0' + 0u : c >= 'a' && c <= 'f' ? c - 'a' + 10u
                     : c >= 'A' && c <= 'F' ? c - 'A' + 10u : 16u;
        if (x > 15)
            return false;
        *v = *v << 4 | x;
    }
    return true;
}

/* Scans a JSON string at d[pos] == '"'. Returns the position after the
 * closing quote, or 0 on error; *escaped says whether it used escapes.
 * Lone surrogates are refused. */
static size_t s_json_string(const uint8_t *d, size_t pos, size_t len, bool *escaped)
{
    *escaped = false;
    pos++;
    while (pos < len) {
        uint8_t c = d[pos];
        if (c == '"')
            return pos + 1;
        if (c < 0x20)
            return 0;
        if (c != '\\') {
            pos++;
            continue;
        }
        *escaped = true;
        if (++pos >= len)
            return 0;
        unsigned cp;
        switch (d[pos]) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
            pos++;
            break;
        case 'u':
            if (!s_hex4(d, pos + 1, len, &cp))
                return 0;
            pos += 5;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo;
                if (pos + 1 >= len || d[pos] != '\\' || d[pos + 1] != 'u' ||
                    !s_hex4(d, pos + 2, len, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                    return 0;
                pos += 6;
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return 0;
            }
            break;
        default:
            return 0;
        }
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

/* A member name inside a nested object, then ':'. */
static size_t s_json_member(const uint8_t *d, size_t pos, size_t len)
{
    bool esc;
    if (pos >= len || d[pos] != '"' || !(pos = s_json_string(d, pos, len, &esc)))
        return 0;
    pos = s_ws(d, pos, len);
    if (pos >= len || d[pos] != ':')
        return 0;
    return pos + 1;
}

/* Scans any JSON value at pos, iteratively with a bounded stack. Returns the
 * position after it, or 0 on error. */
static size_t s_json_value(const uint8_t *d, size_t pos, size_t len)
{
    char stack[DX_FILTER_MAX_DEPTH];
    int depth = 0;
    bool need_value = true;   /* a value is expected next */
    bool esc;
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
                } else if (c == '{' && !(pos = s_json_member(d, pos, len))) {
                    return 0;
                }
                if (need_value)
                    continue;
            } else if (c == '"') {
                if (!(pos = s_json_string(d, pos, len, &esc)))
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
        if (top == '{' && !(pos = s_json_member(d, pos, len)))
            return 0;
        need_value = true;
    }
}

/* Filters one JSON object line d[0..len) (no line end) into out. Nothing
 * is written unless the whole line passes. */
static int s_json_line(dx_filter_t *f, const uint8_t *d, size_t len, dx_buf_t *out)
{
    size_t pos = s_ws(d, 0, len), mark = out->len, nkeys = 0;
    span_t *keys = f->spans;
    int rv;
    if (pos == len)
        return 0; /* blank line */
    if (memchr(d, '\r', len))
        return s_fail(f, "a carriage return not followed by a line feed");
    if ((rv = s_check_text(f, d, len)) != 0)
        return rv;
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
        size_t kstart = pos, kend, vstart, vend;
        bool escaped;
        if (pos >= len || d[pos] != '"' || !(kend = s_json_string(d, pos, len, &escaped)))
            goto bad;
        if (escaped) {
            rv = s_fail(f, "key %zu is written with escapes: readers may not agree on its name",
                        nkeys + 1);
            goto fail;
        }
        if (nkeys == DX_FILTER_MAX_COLUMNS) {
            rv = s_fail(f, "more than %d keys", DX_FILTER_MAX_COLUMNS);
            goto fail;
        }
        const uint8_t *key = d + kstart + 1;
        size_t klen = kend - kstart - 2;
        if ((rv = s_check_name(f, key, klen, nkeys, "key")) != 0)
            goto fail;
        keys[nkeys].start = kstart + 1;
        keys[nkeys].end = kend - 1;
        nkeys++;
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
    if (s_duplicates(keys, nkeys, d)) {
        rv = s_fail(f, "the object has a key twice");
        goto fail;
    }
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
        size_t content = line_len;
        if (nl && content > 0 && d[content - 1] == '\r')
            content--; /* CRLF */
        if ((rv = s_json_line(f, d, content, out)) != 0)
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
