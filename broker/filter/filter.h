/* filter: field views of CSV (RFC 4180, by header name) and JSON Lines (by
 * top-level key), produced while streaming.
 *
 * The filter fails closed: it passes a row on only when every mainstream
 * reader (Python's csv and json modules, spreadsheet imports, pandas) would
 * split it into the same fields under the same names. So the input must be
 * UTF-8, and is refused at the first
 *   - NUL byte, carriage return not followed by a line feed, C1 control,
 *     U+2028 or U+2029 (readers that split lines on them exist);
 *   - CSV: control character (TAB included) in an unquoted field, other
 *     control than TAB and newline in a quoted one, stray quote, a row whose
 *     field count differs from the header's;
 *   - CSV header that is not a list of plain names (below), or that names a
 *     column twice;
 *   - JSON Lines: line that is not exactly one JSON object (RFC 8259, no
 *     extensions), object nested deeper than DX_FILTER_MAX_DEPTH, top-level
 *     key written with an escape, not a plain name, or present twice;
 *   - row longer than DX_FILTER_MAX_ROW bytes.
 * A plain name is 1..DX_FILTER_MAX_NAME bytes, without leading or trailing
 * space, controls, invisible characters (zero-width, bidirectional marks,
 * byte-order mark, soft hyphen) or Unicode spaces other than U+0020, and,
 * in a CSV header, without any of  " , ; | (another reader might take them
 * for separators).
 *
 * include and exclude differ in what a mistake costs: with include, a
 * column spelled differently is simply not delivered; with exclude, it
 * would be. So an exclude list is also held against the names:
 *   - a name that equals an excluded one once case, spaces and punctuation
 *     are ignored ("National ID" for national_id) stops the view;
 *   - CSV: every excluded column must be in the header (its absence means
 *     the data does not look as the rule expects); an include list must
 *     find at least one column.
 *
 * Output holds only whole rows, and only the kept fields' bytes exactly as
 * they were in the input (quoting and nested JSON values kept whole). A
 * refusal's message (dx_filter_error) names the line and the rule that was
 * broken, never the bytes of the input. Memory is bounded by one row plus
 * the caller's output buffer. */
#ifndef DX_FILTER_H
#define DX_FILTER_H

#include "buf.h"

#include <stddef.h>
#include <stdint.h>

#define DX_FILTER_MAX_ROW (4 * 1024 * 1024)
#define DX_FILTER_MAX_DEPTH 64
#define DX_FILTER_MAX_NAME 1024
#define DX_FILTER_MAX_COLUMNS 4096
#define DX_FILTER_WHY 200

enum dx_format { DX_FORMAT_NONE = 0, DX_FORMAT_CSV = 1, DX_FORMAT_JSONL = 2 };

/* The format a content type can be filtered as: text/csv or
 * application/csv, with no parameters but charset=utf-8 (or us-ascii) and
 * header=present; application/x-ndjson, application/ndjson,
 * application/jsonl, application/x-jsonlines or application/json-lines,
 * with no parameter but charset=utf-8. Anything else (header=absent, another
 * charset, a parameter this filter does not implement) is DX_FORMAT_NONE,
 * with the reason in why. */
int dx_format_of(const char *content_type, char why[DX_FILTER_WHY]);

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
/* After an error: the line (1-based) it was found on. */
uint64_t dx_filter_error_line(const dx_filter_t *f);
void dx_filter_destroy(dx_filter_t **f_p);

#endif
