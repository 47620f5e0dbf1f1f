/* filter_rows: what the filter's parts share (filter.c for the names
 * and the API, filter_csv.c and filter_jsonl.c for the two formats). Not
 * for use outside the filter.
 *
 * A row parser consumes whole rows from f->pending, checks each before any
 * byte of it is written, appends the kept fields to out, and returns 0 or
 * the error filter_fail() recorded. */
#ifndef DX_FILTER_ROWS_H
#define DX_FILTER_ROWS_H

#include "filter.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* Records the first error, at the line the current row starts on; returns
 * DX_ERR_INVALID. Messages name rules and positions, never input bytes. */
int filter_fail(dx_filter_t *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The index of the listed field with exactly this name, or -1. */
long filter_listed(const dx_filter_t *f, const uint8_t *name, size_t len);
/* Whether the field or key with this name is in the view. */
bool filter_kept(const dx_filter_t *f, const uint8_t *name, size_t len);
/* A name of a header ("column") or an object ("key"): plain, and under
 * exclude not a near spelling of an excluded name (filter.h). */
int filter_check_name(dx_filter_t *f, const uint8_t *name, size_t len, size_t index, const char *what);
/* A row's bytes: UTF-8 without C1 controls, U+2028 or U+2029. */
int filter_check_text(dx_filter_t *f, const uint8_t *d, size_t len);
/* Whether two of the names (spans into d) are the same. Reorders spans. */
bool filter_duplicates(span_t *spans, size_t n, const uint8_t *d);

int filter_csv_rows(dx_filter_t *f, bool at_end, dx_buf_t *out);
int filter_jsonl_rows(dx_filter_t *f, bool at_end, dx_buf_t *out);

#endif
