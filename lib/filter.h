/* filter: field views of CSV (RFC 4180, by header name) and JSON Lines (by
 * top-level key), produced while streaming.
 *
 * Invariants that keep a restricted field from leaking:
 *   - input is parsed strictly; a row that does not parse (stray quote,
 *     wrong field count, a line that is not one JSON object, a row over
 *     DX_FILTER_MAX_ROW bytes) stops the filter with an error, and nothing
 *     of that row has been written;
 *   - output holds only whole rows, and only the kept fields' bytes exactly
 *     as they were in the input (quoting and nested JSON values kept whole).
 * Memory is bounded by one row plus the caller's output buffer. */
#ifndef DX_FILTER_H
#define DX_FILTER_H

#include "buf.h"

#include <stddef.h>
#include <stdint.h>

#define DX_FILTER_MAX_ROW (4 * 1024 * 1024)
#define DX_FILTER_MAX_DEPTH 64

enum dx_format { DX_FORMAT_NONE = 0, DX_FORMAT_CSV = 1, DX_FORMAT_JSONL = 2 };

/* The format a content type can be filtered as, or DX_FORMAT_NONE:
 * text/csv; application/x-ndjson, application/jsonl, application/x-jsonlines,
 * application/json-lines (parameters after ';' ignored). */
int dx_format_of(const char *content_type);

typedef struct dx_filter dx_filter_t;

/* mode is DX_FIELDS_INCLUDE or DX_FIELDS_EXCLUDE (policy.h); fields are
 * copied. */
int dx_filter_new(int format, int mode, char *const *fields, size_t nfields, dx_filter_t **out);
/* Filters the next bytes of input, appending whole output rows to out. */
int dx_filter_push(dx_filter_t *f, const uint8_t *data, size_t len, dx_buf_t *out);
/* Ends the input: the last row may lack its newline. */
int dx_filter_finish(dx_filter_t *f, dx_buf_t *out);
/* After an error: "line 17: unterminated quoted field". */
const char *dx_filter_error(const dx_filter_t *f);
void dx_filter_destroy(dx_filter_t **f_p);

#endif
