/* journal_trim: the group's members' reports, the journal's parts, and
 * their removal once every standby and a backup have them (journal.h). */
#include "crypto.h"
#include "encode.h"
#include "journal.h"
#include "journal_int.h"
#include "pool_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEMBERS "dx.members"

static void s_member_id(const char *endpoint, char id[17])
{
    uint8_t h[DX_SHA256_LEN];
    dx_sha256(endpoint, strlen(endpoint), h);
    dx_hex_encode(h, 8, id);
}

int journal_report(journal_t *j, const char *endpoint, uint64_t position, uint64_t backup,
                   int64_t now_ms)
{
    char id[17], text[320];
    s_member_id(endpoint, id);
    int n = snprintf(text, sizeof text, "%" PRIu64 " %" PRIu64 " %" PRId64 " %s", position, backup,
                     now_ms, endpoint);
    if (n < 0 || (size_t)n >= sizeof text)
        return DX_ERR_TOO_BIG;
    return pool_rados_err(dx_rados.rados_setxattr(journal_io(j), MEMBERS, id, text, (size_t)n));
}

int journal_members(journal_t *j, journal_member_t *out, size_t cap, size_t *n)
{
    rados_xattrs_iter_t it;
    *n = 0;
    int r = dx_rados.rados_getxattrs(journal_io(j), MEMBERS, &it);
    if (r == -ENOENT)
        return 0;
    if (r < 0)
        return pool_rados_err(r);
    for (;;) {
        const char *name, *val;
        size_t len;
        if ((r = dx_rados.rados_getxattrs_next(it, &name, &val, &len)) < 0 || !name)
            break;
        char text[320];
        journal_member_t m = { 0 };
        if (*n == cap || strlen(name) != 16 || len >= sizeof text)
            continue;
        memcpy(text, val, len);
        text[len] = '\0';
        int used = 0;
        if (sscanf(text, "%" SCNu64 " %" SCNu64 " %" SCNd64 " %n", &m.position, &m.backup, &m.at_ms,
                   &used) != 3 || used == 0)
            continue; /* not a report: ignored, never trusted */
        memcpy(m.id, name, 17);
        snprintf(m.endpoint, sizeof m.endpoint, "%s", text + used);
        out[(*n)++] = m;
    }
    dx_rados.rados_getxattrs_end(it);
    return r < 0 ? pool_rados_err(r) : 0;
}

int journal_trim_point(journal_t *j, int64_t now_ms, uint64_t backup, uint64_t *keep_after,
                       char why[DX_ERRMSG])
{
    journal_member_t m[JOURNAL_MEMBERS_MAX];
    size_t n = 0;
    int rv = journal_members(j, m, JOURNAL_MEMBERS_MAX, &n);
    if (rv != 0)
        return rv;
    uint64_t newest_backup = backup, slowest = UINT64_MAX;
    const char *slow = "";
    size_t live = 0;
    for (size_t i = 0; i < n; i++) {
        if (now_ms - m[i].at_ms > JOURNAL_MEMBER_LIVE_MS)
            continue;
        live++;
        if (m[i].backup > newest_backup)
            newest_backup = m[i].backup;
        if (m[i].position < slowest) {
            slowest = m[i].position;
            slow = m[i].endpoint;
        }
    }
    *keep_after = newest_backup < slowest ? newest_backup : slowest;
    if (live == 0)
        *keep_after = 0;
    if (*keep_after == 0)
        snprintf(why, DX_ERRMSG, "%s", live == 0 ? "no member of the group has reported"
                 : "no backup of a member's store is known (dx-admin backup --data DIR --out DIR "
                   "on a member's data directory records one)");
    else if (*keep_after == newest_backup)
        snprintf(why, DX_ERRMSG, "up to entry %" PRIu64 ", the newest backup", *keep_after);
    else
        snprintf(why, DX_ERRMSG, "up to entry %" PRIu64 ", where the slowest member (%.200s) is",
                 *keep_after, slow);
    return 0;
}

int journal_floor(journal_t *j, uint64_t *position, uint64_t *epoch, uint32_t *part)
{
    char text[80];
    *position = 0, *epoch = 1, *part = 0;
    int r = dx_rados.rados_getxattr(journal_io(j), JOURNAL_LEADER, "floor", text, sizeof text - 1);
    if (r == -ENOENT || r == -ENODATA)
        return 0;
    if (r < 0)
        return pool_rados_err(r);
    text[r] = '\0';
    uint64_t e = 0, p = 0;
    uint32_t pt = 0;
    if (sscanf(text, "%" SCNu64 " %" SCNu32 " %" SCNu64, &e, &pt, &p) != 3 || e == 0)
        return DX_ERR_INTEGRITY;
    *position = p, *epoch = e, *part = pt;
    return 0;
}

/* A part's state, last entry and size; false when it does not exist. */
static int s_part(journal_t *j, uint64_t epoch, uint32_t part, journal_part_t *out, bool *exists)
{
    char oid[JOURNAL_NAME_MAX], v[24];
    uint64_t size = 0;
    time_t mtime = 0;
    journal_part_name(oid, epoch, part);
    int rv = journal_part_state(j, oid, &out->state);
    *exists = rv == 0 && out->state != 0;
    if (rv != 0 || !*exists)
        return rv;
    int r = dx_rados.rados_stat(journal_io(j), oid, &size, &mtime);
    if (r < 0)
        return pool_rados_err(r);
    r = dx_rados.rados_getxattr(journal_io(j), oid, "next", v, sizeof v - 1);
    if (r < 0)
        return pool_rados_err(r);
    v[r] = '\0';
    uint64_t next = strtoull(v, NULL, 10);
    out->epoch = epoch;
    out->part = part;
    out->last = next ? next - 1 : 0;
    out->bytes = size;
    out->mtime = (int64_t)mtime;
    return 0;
}

int journal_parts(journal_t *j, journal_part_t *out, size_t cap, size_t *n)
{
    uint64_t position, epoch;
    uint32_t part;
    bool exists;
    *n = 0;
    int rv = journal_floor(j, &position, &epoch, &part);
    while (rv == 0 && *n < cap) {
        journal_part_t p = { 0 };
        if ((rv = s_part(j, epoch, part, &p, &exists)) != 0 || !exists)
            break;
        out[(*n)++] = p;
        if (p.state == 'r')
            part++;
        else if (p.state == '1')
            epoch++, part = 0;
        else
            break;
    }
    return rv;
}

int journal_trim(journal_t *j, uint64_t keep_after, uint64_t *parts, uint64_t *bytes)
{
    uint64_t position, epoch;
    uint32_t part;
    bool exists;
    *parts = *bytes = 0;
    int rv = journal_floor(j, &position, &epoch, &part);
    while (rv == 0) {
        journal_part_t p = { 0 };
        if ((rv = s_part(j, epoch, part, &p, &exists)) != 0 || !exists || p.state == '0' ||
            p.last > keep_after)
            break;
        /* the floor moves first: a reader never takes a part that is
         * gone for one that is not there yet */
        char text[80], oid[JOURNAL_NAME_MAX];
        uint64_t ne = p.state == 'r' ? epoch : epoch + 1;
        uint32_t np = p.state == 'r' ? part + 1 : 0;
        uint64_t floor = p.last > position ? p.last : position;
        int len = snprintf(text, sizeof text, "%" PRIu64 " %" PRIu32 " %" PRIu64, ne, np, floor);
        int r = dx_rados.rados_setxattr(journal_io(j), JOURNAL_LEADER, "floor", text, (size_t)len);
        if (r < 0)
            return pool_rados_err(r);
        journal_part_name(oid, epoch, part);
        r = dx_rados.rados_remove(journal_io(j), oid);
        if (r < 0 && r != -ENOENT)
            return pool_rados_err(r);
        (*parts)++;
        *bytes += p.bytes;
        epoch = ne, part = np, position = floor;
    }
    return rv;
}
