/* admin_journal: dx-admin journal status | trim, a broker group's journal
 * in its pool (journal rados; lib/store/journal.h).
 *
 *   dx-admin journal status --rados-conf FILE --rados-pool P --rados-user U
 *   dx-admin journal trim   --rados-conf FILE --rados-pool P --rados-user U
 *                           [--backup DIR]
 *
 * status: the active broker and its epoch, every member's last report
 * (its position and its newest backup's), the parts from the floor on, and
 * how far trimming may go. trim: removes the parts every live member has
 * applied and the newest backup covers (a backup given with --backup
 * counts too), as the active does by itself every minute. */
#include "admin.h"
#include "dxtime.h"
#include "journal.h"
#include "pool.h"
#include "store.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PARTS_SHOWN 64

int admin_rados_option(int opt, const char *arg, pool_config_t *pc)
{
    switch (opt) {
    case 'c': pc->conf = arg; return 0;
    case 'p': pc->pool = arg; return 0;
    case 'u': pc->user = arg; return 0;
    case 't': pc->timeout_s = atoi(arg); return 0;
    default: return -1;
    }
}

/* The journal position of the store in dir (0: none), read-only. */
static int s_store_position(const char *dir, uint64_t *position, char err[DX_ERRMSG])
{
    store_t *s = NULL;
    store_txn_t *t = NULL;
    store_val_t v;
    journal_pos_t pos;
    *position = 0;
    int rv = store_open(dir, 0, true, &s, err);
    if (rv != 0)
        return rv;
    if ((rv = store_begin(s, NULL, false, &t)) == 0 && (rv = store_journal_position(t, &v)) == 0) {
        if (journal_pos_decode(v.data, v.len, &pos))
            *position = pos.position;
        else
            rv = DX_ERR_INTEGRITY;
    }
    if (rv == DX_ERR_NOT_FOUND) {
        snprintf(err, DX_ERRMSG, "%s is not the store of a broker group's member (no journal "
                 "position)", dir);
        rv = DX_ERR_USAGE;
    } else if (rv != 0)
        snprintf(err, DX_ERRMSG, "cannot read the store in %s: %s", dir, dx_strerror(rv));
    store_abort(&t);
    store_close(&s);
    return rv;
}

static int s_status(journal_t *j, pool_t *pool)
{
    char active[256], why[DX_ERRMSG], when[DX_TIME_TEXT];
    uint64_t epoch = 0, floor = 0, fe, keep = 0;
    uint32_t fp;
    journal_member_t m[JOURNAL_MEMBERS_MAX];
    journal_part_t parts[PARTS_SHOWN];
    size_t n = 0, np = 0;
    int rv;
    if ((rv = journal_active(j, active, &epoch)) != 0 || (rv = journal_members(j, m, JOURNAL_MEMBERS_MAX, &n)) != 0 ||
        (rv = journal_floor(j, &floor, &fe, &fp)) != 0 || (rv = journal_parts(j, parts, PARTS_SHOWN, &np)) != 0 ||
        (rv = journal_trim_point(j, dx_now_ms(), 0, &keep, why)) != 0) {
        fprintf(stderr, "%s: cannot read the journal in %s: %s\n", admin_prog, pool_describe(pool),
                dx_strerror(rv));
        return rv == DX_ERR_UNAVAILABLE ? 5 : 1;
    }
    printf("journal in %s\n", pool_describe(pool));
    printf("active:  %s (epoch %" PRIu64 ")\n", active[0] ? active : "none yet", epoch);
    for (size_t i = 0; i < n; i++) {
        dx_time_format(m[i].at_ms, when);
        printf("member:  %s at entry %" PRIu64 ", newest backup at entry %" PRIu64 ", reported %s%s\n",
               m[i].endpoint, m[i].position, m[i].backup, when,
               dx_now_ms() - m[i].at_ms > JOURNAL_MEMBER_LIVE_MS ? " (silent: not waited for)" : "");
    }
    printf("starts:  after entry %" PRIu64 "\n", floor);
    for (size_t i = 0; i < np; i++)
        printf("part:    epoch %" PRIu64 " part %" PRIu32 ": %s, up to entry %" PRIu64 ", %" PRIu64
               " bytes\n", parts[i].epoch, parts[i].part,
               parts[i].state == '0' ? "open" : parts[i].state == 'r' ? "rolled" : "sealed",
               parts[i].last, parts[i].bytes);
    printf("trim:    %s\n", why);
    return 0;
}

static int s_trim(journal_t *j, pool_t *pool, const char *backup)
{
    char err[DX_ERRMSG], why[DX_ERRMSG];
    uint64_t at = 0, keep = 0, parts = 0, bytes = 0;
    int rv;
    if (backup && (rv = s_store_position(backup, &at, err)) != 0) {
        fprintf(stderr, "%s: %s\n", admin_prog, err);
        return rv == DX_ERR_USAGE ? 2 : 1;
    }
    if ((rv = journal_trim_point(j, dx_now_ms(), at, &keep, why)) != 0 ||
        (keep && (rv = journal_trim(j, keep, &parts, &bytes)) != 0)) {
        fprintf(stderr, "%s: cannot trim the journal in %s: %s\n", admin_prog, pool_describe(pool),
                dx_strerror(rv));
        return rv == DX_ERR_UNAVAILABLE ? 5 : 1;
    }
    if (!keep)
        printf("nothing trimmed: %s\n", why);
    else
        printf("trimmed %" PRIu64 " part(s), %" PRIu64 " bytes: %s\n", parts, bytes, why);
    return 0;
}

int admin_journal(int argc, char **argv)
{
    static const struct option opts[] = { { "rados-conf", required_argument, NULL, 'c' },
                                          { "rados-pool", required_argument, NULL, 'p' },
                                          { "rados-user", required_argument, NULL, 'u' },
                                          { "timeout", required_argument, NULL, 't' },
                                          { "backup", required_argument, NULL, 'b' },
                                          { NULL, 0, NULL, 0 } };
    pool_config_t pc = { .timeout_s = 10 };
    const char *backup = NULL, *what = argc > 0 ? argv[0] : "";
    bool trim = strcmp(what, "trim") == 0;
    int opt;
    if (!trim && strcmp(what, "status") != 0)
        return admin_usage(stderr, 2);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (opt == 'b' && trim)
            backup = optarg;
        else if (admin_rados_option(opt, optarg, &pc) != 0)
            return admin_usage(stderr, 2);
    }
    if (optind != argc || !pc.conf || !pc.pool || !pc.user || pc.timeout_s <= 0)
        return admin_usage(stderr, 2);
    char err[DX_ERRMSG];
    pool_t *pool = NULL;
    journal_t *j = NULL;
    int rv = pool_open(&pc, &pool, err);
    if (rv != 0) {
        fprintf(stderr, "%s: %s\n", admin_prog, err);
        return rv == DX_ERR_USAGE ? 2 : 1;
    }
    if ((rv = journal_open(pool, NULL, &j)) != 0) {
        fprintf(stderr, "%s: %s\n", admin_prog, dx_strerror(rv));
        pool_close(&pool);
        return 1;
    }
    rv = trim ? s_trim(j, pool, backup) : s_status(j, pool);
    journal_close(&j);
    pool_close(&pool);
    return rv;
}
