/* fileio: bounded whole-file reads. */
#include "fileio.h"
#include "err.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int dx_read_small_file(const char *path, size_t max, char **data, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    *data = NULL;
    *len = 0;
    if (fd < 0)
        return errno == ENOENT ? DX_ERR_NOT_FOUND : DX_ERR_IO;
    struct stat st;
    int rv = DX_ERR_IO;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        goto out;
    rv = DX_ERR_TOO_BIG;
    if ((size_t)st.st_size > max)
        goto out;
    rv = DX_ERR_NOMEM;
    if (!(*data = malloc((size_t)st.st_size + 1)))
        goto out;
    size_t got = 0;
    for (;;) {
        /* read one byte past the size seen, to notice a file that grew */
        ssize_t n = read(fd, *data + got, (size_t)st.st_size + 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rv = DX_ERR_IO;
            goto out;
        }
        if (n == 0)
            break;
        got += (size_t)n;
        if (got > (size_t)st.st_size) {
            rv = DX_ERR_TOO_BIG;
            goto out;
        }
    }
    (*data)[got] = '\0';
    *len = got;
    rv = 0;
out:
    close(fd);
    if (rv != 0) {
        free(*data);
        *data = NULL;
    }
    return rv;
}

int dx_fsync_parent(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 1;
    if (n >= sizeof dir)
        return DX_ERR_INVALID;
    if (slash && n == 0)
        n = 1; /* "/file" */
    memcpy(dir, slash ? path : ".", n);
    dir[n] = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return DX_ERR_IO;
    int rv = fsync(fd) == 0 ? 0 : DX_ERR_IO;
    close(fd);
    return rv;
}

int dx_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
    /* a hidden name beside it (.NAME.tmp-PID): whoever scans the directory
     * (an outbox, an inbox) skips it, also when a crash leaves it behind */
    char tmp[4200];
    const char *slash = strrchr(path, '/');
    int dirlen = slash ? (int)(slash - path + 1) : 0;
    if (snprintf(tmp, sizeof tmp, "%.*s.%s.tmp-%ld", dirlen, path, path + dirlen, (long)getpid()) >=
        (int)sizeof tmp)
        return DX_ERR_INVALID;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0)
        return errno == ENOSPC ? DX_ERR_FULL : DX_ERR_IO;
    const char *p = data;
    size_t left = len;
    int rv = 0;
    while (left && rv == 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            rv = DX_ERR_IO;
        else
            p += n, left -= (size_t)n;
    }
    if (rv == 0 && fsync(fd) != 0)
        rv = DX_ERR_IO;
    int saved = errno;
    if (close(fd) != 0 && rv == 0)
        rv = DX_ERR_IO, saved = errno;
    if (rv == 0 && rename(tmp, path) != 0)
        rv = DX_ERR_IO, saved = errno;
    if (rv == 0 && dx_fsync_parent(path) != 0)
        rv = DX_ERR_IO, saved = errno;
    if (rv != 0) {
        unlink(tmp);
        errno = saved;
        if (saved == ENOSPC || saved == EDQUOT)
            rv = DX_ERR_FULL;
    }
    return rv;
}

int dx_mkdirs(const char *path, mode_t mode)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return DX_ERR_INVALID;
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, mode) != 0 && errno != EEXIST)
                return errno == ENOSPC ? DX_ERR_FULL : DX_ERR_IO;
            *p = c;
            if (c == '\0')
                break;
        }
    }
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : DX_ERR_IO;
}
