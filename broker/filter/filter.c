/* filter: strict streaming CSV and JSON Lines field filters: the API, the
 * content types, and the checks of names both formats share.
 *
 * Input accumulates in `pending` until it holds at least one whole row;
 * whole rows are checked, filtered and written, and their bytes consumed
 * (filter_csv.c, filter_jsonl.c). Every check that decides how a row
 * splits runs before any byte of that row is written. */
#include "filter.h"
#include "err.h"
#include "filter_rows.h"
#include "media.h"
#include "policy.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

int filter_fail(dx_filter_t *f, const char *fmt, ...)
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

long filter_listed(const dx_filter_t *f, const uint8_t *name, size_t len)
{
    for (size_t i = 0; i < f->nfields; i++)
        if (strlen(f->fields[i]) == len && memcmp(f->fields[i], name, len) == 0)
            return (long)i;
    return -1;
}

bool filter_kept(const dx_filter_t *f, const uint8_t *name, size_t len)
{
    bool listed = filter_listed(f, name, len) >= 0;
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

int filter_check_name(dx_filter_t *f, const uint8_t *name, size_t len, size_t index, const char *what)
{
    for (size_t i = 0; i < f->npassed; i++)
        if (f->passed[i].len == len && memcmp(f->passed[i].name, name, len) == 0)
            return 0;
    const char *why = s_not_plain(name, len, f->format == DX_FORMAT_CSV);
    if (why)
        return filter_fail(f, "%s %zu %s %s: not a plain name", what, index + 1,
                      f->format == DX_FORMAT_CSV ? "of the header" : "of the object", why);
    if (f->mode == DX_FIELDS_EXCLUDE && filter_listed(f, name, len) < 0) {
        char folded[DX_FILTER_MAX_NAME + 1];
        s_fold(name, len, folded, sizeof folded);
        for (size_t i = 0; i < f->nfields; i++)
            if (folded[0] && strcmp(folded, f->folded[i]) == 0)
                return filter_fail(f, "%s %zu is spelled like '%s', which the rule excludes, but not "
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

/* What some reader would split a row on: C1 controls (NEL among them),
 * U+2028 and U+2029. */
static bool s_breaks_lines(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
}

/* Refuses those, and bytes that are not UTF-8. */
int filter_check_text(dx_filter_t *f, const uint8_t *d, size_t len)
{
    uint32_t cp;
    if (dx_utf8_find(d, len, s_breaks_lines, &cp) == len)
        return 0;
    if (cp == UINT32_MAX)
        return filter_fail(f, "not UTF-8");
    return filter_fail(f, "a C1 control or a line or paragraph separator (U+%04X)", (unsigned)cp);
}

static int s_span_cmp(const void *a, const void *b, void *data)
{
    const span_t *x = a, *y = b;
    const uint8_t *d = data;
    size_t lx = x->end - x->start, ly = y->end - y->start, n = lx < ly ? lx : ly;
    int c = memcmp(d + x->start, d + y->start, n);
    return c ? c : (lx > ly) - (lx < ly);
}

bool filter_duplicates(span_t *spans, size_t n, const uint8_t *d)
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

static int s_run(dx_filter_t *f, bool at_end, dx_buf_t *out)
{
    int rv = f->format == DX_FORMAT_CSV ? filter_csv_rows(f, at_end, out) : filter_jsonl_rows(f, at_end, out);
    if (rv == 0 && f->pending.len > DX_FILTER_MAX_ROW)
        rv = filter_fail(f, "row longer than %d bytes", DX_FILTER_MAX_ROW);
    if (rv != 0 && !f->failed)
        filter_fail(f, "%s", dx_strerror(rv));
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
            return filter_fail(f, "row longer than %d bytes", DX_FILTER_MAX_ROW);
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
