/* store_backup: a consistent, compacted copy of a live store.
 *
 * LMDB's copy runs inside one read transaction, so the copy is the store as
 * of one commit, whatever the broker writes meanwhile (it does not wait for
 * the broker, nor the broker for it); compaction leaves freed pages out, so
 * nothing erased before the copy began is in it.
 *
 * Both files are created by us, exclusively, never through a link, with
 * mode 0600 from their first byte (not narrowed afterwards: another local
 * user could read a copy while it is being written), and fsynced.
 *
 * The vault's file (content.keys) is copied after the store: a key created
 * meanwhile is one no copied entry needs (zeroed when the copy is opened), a
 * key destroyed meanwhile stays destroyed (that version cannot be read from
 * the copy, which is what its erasure asked for). */
#include "store_int.h"
#include "fileio.h"
#include "vault.h"

#include <fcntl.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int s_copy_keys(const char *dir, const char *out, uint64_t *bytes, char err[DX_ERRMSG])
{
    char from[4200], to[4200];
    uint8_t buf[64 * 1024];
    snprintf(from, sizeof from, "%s/%s", dir, VAULT_FILE);
    snprintf(to, sizeof to, "%s/%s", out, VAULT_FILE);
    int in = open(from, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (in < 0) {
        if (errno == ENOENT)
            return 0; /* a store from before encryption at rest, never opened since */
        snprintf(err, DX_ERRMSG, "cannot read %s: %s", from, strerror(errno));
        return DX_ERR_IO;
    }
    int fd = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600), rv = 0;
    ssize_t n = 0;
    if (fd < 0) {
        snprintf(err, DX_ERRMSG, "cannot create %s: %s", to, strerror(errno));
        close(in);
        return DX_ERR_IO;
    }
    while (rv == 0 && (n = read(in, buf, sizeof buf)) > 0) {
        if (write(fd, buf, (size_t)n) != n)
            rv = errno == ENOSPC ? DX_ERR_FULL : DX_ERR_IO;
        *bytes += (uint64_t)n;
    }
    if (rv == 0 && (n < 0 || fsync(fd) != 0))
        rv = DX_ERR_IO;
    close(in);
    if (close(fd) != 0 && rv == 0)
        rv = DX_ERR_IO;
    if (rv == 0)
        rv = dx_fsync_parent(to);
    if (rv != 0)
        snprintf(err, DX_ERRMSG, "cannot copy %s to %s: %s", from, to, strerror(errno));
    return rv;
}

int store_backup(const char *dir, const char *out, uint64_t *bytes, char err[DX_ERRMSG])
{
    store_t *s = NULL;
    char path[4200];
    struct stat st;
    snprintf(path, sizeof path, "%s/data.mdb", out);
    if (lstat(path, &st) == 0) {
        snprintf(err, DX_ERRMSG, "%s already holds a store: back up into a new directory", out);
        return DX_ERR_USAGE;
    }
    if (mkdir(out, 0700) != 0 && errno != EEXIST) {
        snprintf(err, DX_ERRMSG, "cannot create %s: %s", out, strerror(errno));
        return DX_ERR_IO;
    }
    int rv = store_open(dir, 0, true, &s, err);
    if (rv != 0)
        return rv;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, DX_ERRMSG, "cannot create %s: %s", path, strerror(errno));
        store_close(&s);
        return DX_ERR_IO;
    }
    int rc = mdb_env_copyfd2(s->env, fd, MDB_CP_COMPACT);
    store_close(&s);
    if (rc == 0 && (fsync(fd) != 0 || fstat(fd, &st) != 0))
        rc = errno;
    if (close(fd) != 0 && rc == 0)
        rc = errno;
    if (rc == 0 && dx_fsync_parent(path) != 0)
        rc = errno;
    if (rc != 0) {
        snprintf(err, DX_ERRMSG, "cannot copy %s to %s: %s", dir, out, mdb_strerror(rc));
        unlink(path);
        return rc == ENOSPC ? DX_ERR_FULL : DX_ERR_IO;
    }
    *bytes = (uint64_t)st.st_size;
    uint64_t kbytes = 0;
    if ((rv = s_copy_keys(dir, out, &kbytes, err)) != 0)
        return rv;
    *bytes += kbytes;
    return 0;
}
