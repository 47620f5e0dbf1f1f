/* buf: bounded growable byte buffer. */
#include "buf.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

void dx_buf_init(dx_buf_t *b, size_t limit)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->limit = limit;
}

int dx_buf_reserve(dx_buf_t *b, size_t extra)
{
    if (extra > b->limit || b->len > b->limit - extra)
        return DX_ERR_TOO_BIG;
    size_t need = b->len + extra;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > b->limit / 2 ? b->limit : cap * 2;
    uint8_t *data = realloc(b->data, cap);
    if (!data)
        return DX_ERR_NOMEM;
    b->data = data;
    b->cap = cap;
    return 0;
}

int dx_buf_append(dx_buf_t *b, const void *data, size_t len)
{
    int rv;
    if (len == 0)
        return 0;
    if ((rv = dx_buf_reserve(b, len)) != 0)
        return rv;
    memcpy(b->data + b->len, data, len);
    b->len += len;
    return 0;
}

void dx_buf_consume(dx_buf_t *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}

void dx_buf_clear(dx_buf_t *b) { b->len = 0; }

void dx_buf_free(dx_buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}
