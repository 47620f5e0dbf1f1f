/* fileio: bounded whole-file reads, durable writes, and the link-refusing
 * directory-relative forms of both (fileio.h). */
#include "fileio.h"
#include "err.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads all of fd (a regular file of at most max bytes); closes fd. */
static int s_read_fd(int fd, size_t max, char **data, size_t *len)
{
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

int dx_read_small_file(const char *path, size_t max, char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? DX_ERR_NOT_FOUND : DX_ERR_IO;
    return s_read_fd(fd, max, data, len);
}

int dx_file_open_at(int dirfd, const char *name, int *fd)
{
    struct stat before, st;
    *fd = -1;
    /* looked at before it is opened: a device or a FIFO is never opened */
    if (fstatat(dirfd, name, &before, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT ? DX_ERR_NOT_FOUND : DX_ERR_IO;
    if (!S_ISREG(before.st_mode) || before.st_nlink != 1)
        return DX_ERR_INVALID;
    int f = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (f < 0)
        return errno == ENOENT ? DX_ERR_NOT_FOUND : errno == ELOOP ? DX_ERR_INVALID : DX_ERR_IO;
    /* and checked again once open: the name may have been swapped between */
    if (fstat(f, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
        st.st_ino != before.st_ino || st.st_dev != before.st_dev) {
        close(f);
        return DX_ERR_INVALID;
    }
    *fd = f;
    return 0;
}

int dx_read_small_file_at(int dirfd, const char *name, size_t max, char **data, size_t *len)
{
    int fd, rv;
    *data = NULL;
    *len = 0;
    if ((rv = dx_file_open_at(dirfd, name, &fd)) != 0)
        return rv;
    return s_read_fd(fd, max, data, len);
}

bool dx_exists_at(int dirfd, const char *name)
{
    struct stat st;
    return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
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

static int s_full_or_io(int e)
{
    return e == ENOSPC || e == EDQUOT ? DX_ERR_FULL : DX_ERR_IO;
}

/* Creates name in dirfd exclusively, never through a link; a stale file of
 * that name (a killed process's) is removed first. */
static int s_create_at(int dirfd, const char *name, mode_t mode)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd >= 0 || errno != EEXIST || unlinkat(dirfd, name, 0) != 0)
            return fd;
    }
    return -1;
}

static int s_write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return DX_ERR_IO;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int dx_write_atomic_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode)
{
    /* a hidden name beside it (.NAME.tmp-PID): whoever scans the directory
     * (an outbox, an inbox) skips it, also when a crash leaves it behind */
    char tmp[512];
    if (strchr(name, '/') ||
        snprintf(tmp, sizeof tmp, ".%s.tmp-%ld", name, (long)getpid()) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return DX_ERR_INVALID;
    }
    int fd = s_create_at(dirfd, tmp, mode);
    if (fd < 0)
        return s_full_or_io(errno);
    int rv = s_write_all(fd, data, len);
    if (rv == 0 && fsync(fd) != 0)
        rv = DX_ERR_IO;
    int saved = errno;
    if (close(fd) != 0 && rv == 0)
        rv = DX_ERR_IO, saved = errno;
    if (rv == 0 && renameat(dirfd, tmp, dirfd, name) != 0)
        rv = DX_ERR_IO, saved = errno;
    if (rv == 0 && fsync(dirfd) != 0)
        rv = DX_ERR_IO, saved = errno;
    if (rv != 0) {
        unlinkat(dirfd, tmp, 0);
        errno = saved;
        rv = s_full_or_io(saved);
    }
    return rv;
}

int dx_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
    char dir[4096];
    const char *slash = strrchr(path, '/'), *name = slash ? slash + 1 : path;
    int n = !slash ? snprintf(dir, sizeof dir, ".")
            : slash == path ? snprintf(dir, sizeof dir, "/")
                            : snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    if (n < 0 || (size_t)n >= sizeof dir || !name[0]) {
        errno = ENAMETOOLONG;
        return DX_ERR_INVALID;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return s_full_or_io(errno);
    int rv = dx_write_atomic_at(dfd, name, data, len, mode);
    int saved = errno;
    close(dfd);
    errno = saved;
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

int dx_dir_open(const char *path, mode_t mode, int *fd)
{
    int rv = dx_mkdirs(path, mode);
    *fd = -1;
    if (rv != 0)
        return rv;
    if ((*fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return DX_ERR_IO;
    return 0;
}

int dx_subdir_open(int dirfd, const char *name, mode_t mode, int *fd)
{
    struct stat st;
    *fd = -1;
    if (mkdirat(dirfd, name, mode) != 0 && errno != EEXIST)
        return s_full_or_io(errno);
    int d = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (d < 0)
        return errno == ELOOP || errno == ENOTDIR ? DX_ERR_INVALID : DX_ERR_IO;
    if (fstat(d, &st) != 0 || st.st_uid != geteuid()) {
        close(d);
        return DX_ERR_INVALID;
    }
    *fd = d;
    return 0;
}

int dx_temp_create_at(int dirfd, const char *prefix, mode_t mode, char *name, size_t cap, int *fd)
{
    for (int attempt = 0; attempt < 16; attempt++) {
        uint32_t r = 0;
        if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
            r = (uint32_t)attempt * 2654435761u;
        if (snprintf(name, cap, ".%s.tmp-%ld-%08x", prefix, (long)getpid(), r) >= (int)cap)
            return DX_ERR_INVALID;
        *fd = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (*fd >= 0)
            return 0;
        if (errno != EEXIST)
            return s_full_or_io(errno);
    }
    return DX_ERR_IO;
}

/* The process id in a hidden temporary name (".X.tmp-PID" or
 * ".X.tmp-PID-HEX"), or 0 when name is not one. */
static long s_temp_pid(const char *name)
{
    const char *t = name[0] == '.' ? strstr(name, ".tmp-") : NULL, *p;
    if (!t)
        return 0;
    while ((p = strstr(t + 1, ".tmp-")) != NULL) /* the last one */
        t = p;
    char *end;
    long pid = strtol(t + 5, &end, 10);
    if (end == t + 5 || pid <= 0)
        return 0;
    if (*end == '-' && end[1] && strspn(end + 1, "0123456789abcdef") == strlen(end + 1))
        return pid;
    return *end == '\0' ? pid : 0;
}

size_t dx_remove_stale_temps(int dirfd)
{
    int dup_fd = dup(dirfd);
    DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
    size_t removed = 0;
    struct dirent *e;
    if (!d) {
        if (dup_fd >= 0)
            close(dup_fd);
        return 0;
    }
    rewinddir(d);
    while ((e = readdir(d)) != NULL) {
        long pid = s_temp_pid(e->d_name);
        if (pid == 0 || (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
            continue; /* not a temporary file, or its writer is alive */
        if (unlinkat(dirfd, e->d_name, 0) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}
