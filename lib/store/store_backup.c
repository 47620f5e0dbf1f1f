/* store_backup: a consistent, compacted copy of a live store.
 *
 * LMDB's copy runs inside one read transaction, so the copy is the store as
 * of one commit, whatever the broker writes meanwhile (it does not wait for
 * the broker, nor the broker for it); compaction leaves freed pages out. */
#include "store_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    int rc = mdb_env_copy2(s->env, out, MDB_CP_COMPACT);
    store_close(&s);
    if (rc != 0) {
        snprintf(err, DX_ERRMSG, "cannot copy %s to %s: %s", dir, out, mdb_strerror(rc));
        unlink(path);
        return rc == ENOSPC ? DX_ERR_FULL : DX_ERR_IO;
    }
    if (stat(path, &st) != 0 || chmod(path, 0600) != 0) {
        snprintf(err, DX_ERRMSG, "cannot read back %s: %s", path, strerror(errno));
        return DX_ERR_IO;
    }
    *bytes = (uint64_t)st.st_size;
    return 0;
}
