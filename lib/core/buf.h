/* buf: a growable byte buffer with a hard cap.
 *
 * Invariant: len <= cap <= limit; data is NULL only while cap == 0.
 * Appending past limit fails with DX_ERR_TOO_BIG and leaves the buffer as it
 * was, so a hostile peer cannot make it grow without bound. */
#ifndef DX_BUF_H
#define DX_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t limit;
} dx_buf_t;

/* A buffer that may hold up to limit bytes. No allocation yet. */
void dx_buf_init(dx_buf_t *b, size_t limit);
int dx_buf_append(dx_buf_t *b, const void *data, size_t len);
int dx_buf_reserve(dx_buf_t *b, size_t extra);
/* Drops the first n bytes, keeping the rest. */
void dx_buf_consume(dx_buf_t *b, size_t n);
void dx_buf_clear(dx_buf_t *b);
void dx_buf_free(dx_buf_t *b);

#endif
