/* fuzz_filter: the CSV / JSON Lines field filter on hostile rows.
 *
 * Input: byte 0 picks the format (bit 0) and the mode (bit 1), byte 1 the
 * size of the pieces the content is pushed in; then a line of field names
 * separated by ','; the rest is the content. The same content pushed whole
 * and pushed in pieces must give the same bytes and the same outcome (the
 * broker filters what arrives chunk by chunk), every refusal must say
 * why, and every view delivered must be UTF-8 (the filter refuses input
 * that is not). */
#include "filter.h"
#include "policy.h"
#include "utf8.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 8

static int s_run(int format, int mode, char **fields, size_t nfields, const uint8_t *data, size_t len,
                 size_t piece, dx_buf_t *out)
{
    dx_filter_t *f = NULL;
    if (dx_filter_new(format, mode, fields, nfields, &f) != 0)
        abort();
    int rv = 0;
    for (size_t at = 0; rv == 0 && at < len; at += piece)
        rv = dx_filter_push(f, data + at, len - at < piece ? len - at : piece, out);
    if (rv == 0)
        rv = dx_filter_finish(f, out);
    if (rv != 0 && (!dx_filter_error(f) || !*dx_filter_error(f)))
        abort();   /* every refusal says why */
    dx_filter_destroy(&f);
    return rv;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int format = data[0] & 1 ? DX_FORMAT_JSONL : DX_FORMAT_CSV;
    int mode = data[0] & 2 ? DX_FIELDS_EXCLUDE : DX_FIELDS_INCLUDE;
    size_t piece = (size_t)data[1] + 1;
    data += 2, size -= 2;
    const uint8_t *nl = memchr(data, '\n', size);
    size_t flen = nl ? (size_t)(nl - data) : size;
    char *list = strndup((const char *)data, flen);
    if (!list)
        return 0;
    char *fields[MAX_FIELDS], *save = NULL;
    size_t nfields = 0;
    for (char *tok = strtok_r(list, ",", &save); tok && nfields < MAX_FIELDS; tok = strtok_r(NULL, ",", &save))
        fields[nfields++] = tok;
    const uint8_t *content = nl ? nl + 1 : data + size;
    size_t clen = (size_t)(data + size - content);

    dx_buf_t whole, pieces;
    dx_buf_init(&whole, 64u << 20);
    dx_buf_init(&pieces, 64u << 20);
    int a = s_run(format, mode, fields, nfields, content, clen, clen ? clen : 1, &whole);
    int b = s_run(format, mode, fields, nfields, content, clen, piece, &pieces);
    if ((a == 0) != (b == 0) ||
        (a == 0 && (whole.len != pieces.len || (whole.len && memcmp(whole.data, pieces.data, whole.len) != 0))))
        abort();
    if (a == 0 && !dx_utf8_valid(whole.data, whole.len))
        abort();
    dx_buf_free(&whole);
    dx_buf_free(&pieces);
    free(list);
    return 0;
}
