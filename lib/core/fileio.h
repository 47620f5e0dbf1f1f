/* fileio: small whole-file reads and durable writes.
 *
 * The *_at functions are for directories that others may write into (an
 * outbox, an inbox) and for the agent's own state: every name is one path
 * component below an open directory, no link is followed, and what is not
 * what it should be (a link, a directory, a file with other hard links, a
 * directory someone else owns) is refused with DX_ERR_INVALID and left
 * where it is. A directory held open stays the same directory whatever is
 * renamed around it, so a swapped name cannot send a read or a write
 * elsewhere. */
#ifndef DX_FILEIO_H
#define DX_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Reads a regular file of at most max bytes into a NUL-terminated buffer
 * the caller frees. DX_ERR_TOO_BIG past max, DX_ERR_NOT_FOUND, DX_ERR_IO. */
int dx_read_small_file(const char *path, size_t max, char **data, size_t *len);

/* Writes path so that a crash leaves the old file or the whole new one: a
 * hidden temporary file beside it (.NAME.tmp-PID), created with mode,
 * fsync, rename, fsync of the directory.
 * DX_ERR_FULL when the disk is full, DX_ERR_IO otherwise (errno kept). */
int dx_write_atomic(const char *path, const void *data, size_t len, mode_t mode);
/* fsync of the directory that holds path (a rename or unlink in it). */
int dx_fsync_parent(const char *path);
/* mkdir -p, each new directory with mode. */
int dx_mkdirs(const char *path, mode_t mode);

/* Opens the directory at path (configured by an operator: a link there is
 * theirs), creating it and its parents with mode when missing. */
int dx_dir_open(const char *path, mode_t mode, int *fd);
/* Opens the directory `name` in dirfd, creating it with mode when missing;
 * DX_ERR_INVALID when name is a link, not a directory, or not owned by
 * this user (someone else could change what is in it). */
int dx_subdir_open(int dirfd, const char *name, mode_t mode, int *fd);
/* Opens `name` in dirfd for reading: DX_ERR_INVALID unless it is a regular
 * file with exactly one link, reached without following one;
 * DX_ERR_NOT_FOUND when there is nothing of that name. */
int dx_file_open_at(int dirfd, const char *name, int *fd);
/* dx_read_small_file, with dx_file_open_at's checks. */
int dx_read_small_file_at(int dirfd, const char *name, size_t max, char **data, size_t *len);
/* dx_write_atomic into dirfd: the temporary file is created exclusively
 * (never through a link) and renamed over name, which a rename replaces
 * whatever it was. */
int dx_write_atomic_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode);
/* Whether dirfd has an entry `name` (of any kind; links are not followed). */
bool dx_exists_at(int dirfd, const char *name);
/* Creates a new empty file ".PREFIX-PID-RANDOM" in dirfd with mode, for
 * writing; its name goes into name (of cap bytes). */
int dx_temp_create_at(int dirfd, const char *prefix, mode_t mode, char *name, size_t cap, int *fd);
/* Removes what a killed process left in dirfd: hidden temporary files
 * (".NAME.tmp-PID", ".PREFIX-PID-RANDOM") whose process is gone. Returns
 * how many. */
size_t dx_remove_stale_temps(int dirfd);

#endif
