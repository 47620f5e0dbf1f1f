/* fileio: small whole-file reads and durable writes. */
#ifndef DX_FILEIO_H
#define DX_FILEIO_H

#include <stddef.h>

/* Reads a regular file of at most max bytes into a NUL-terminated buffer
 * the caller frees. DX_ERR_TOO_BIG past max, DX_ERR_NOT_FOUND, DX_ERR_IO. */
int dx_read_small_file(const char *path, size_t max, char **data, size_t *len);

#endif
