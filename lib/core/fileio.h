/* fileio: small whole-file reads and durable writes. */
#ifndef DX_FILEIO_H
#define DX_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/* Reads a regular file of at most max bytes into a NUL-terminated buffer
 * the caller frees. DX_ERR_TOO_BIG past max, DX_ERR_NOT_FOUND, DX_ERR_IO. */
int dx_read_small_file(const char *path, size_t max, char **data, size_t *len);

/* Writes path so that a crash leaves the old file or the whole new one: a
 * hidden temporary file beside it (.NAME.tmp-PID), fsync, rename, fsync of
 * the directory.
 * DX_ERR_FULL when the disk is full, DX_ERR_IO otherwise (errno kept). */
int dx_write_atomic(const char *path, const void *data, size_t len, mode_t mode);
/* fsync of the directory that holds path (a rename or unlink in it). */
int dx_fsync_parent(const char *path);
/* mkdir -p, each new directory with mode. */
int dx_mkdirs(const char *path, mode_t mode);

#endif
