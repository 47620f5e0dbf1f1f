/* agent_inbox: a subscription's versions, fetched into its inbox.
 *
 * The cursor (STATE/cursors/<hash of the subscription>) is the feed's: an
 * audit log sequence number, saved (fsynced) after every version that is
 * in place, so an agent that was stopped catches up on every version it
 * missed, in order, and one killed mid-way fetches at most the version it
 * was on again. A version is fetched into INBOX/.dx-partial/ (what a
 * killed agent left there is removed at the next run), verified as `fetch`
 * does (publisher's signature and hash, or the broker's signed view),
 * fsynced and renamed to INBOX/NAME@VERSION (a directory per name
 * segment), after a hidden note (.NAME@VERSION.fetched) of whether it is
 * a filtered view; then the delivery receipt is signed and sent, and
 * NAME@VERSION.receipt written (the note goes). A version whose file is there already is
 * not fetched again; its receipt is sent if it was not. A version the
 * member may list but not read (or not whole, in a format that cannot be
 * filtered) is skipped with a line saying why.
 *
 * Others may write into an inbox (the department's programs take files out
 * of it): every step goes relative to directories held open, no link is
 * followed, a name segment's directory must be the agent's own, and a
 * NAME@VERSION that is not a regular file with one link is left alone and
 * the version skipped, with a line. */
#include "agent.h"
#include "delivery.h"
#include "dxtime.h"
#include "encode.h"
#include "fileio.h"
#include "log.h"
#include "transfer.h"
#include "witness.h"
#include "wire.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FEED_PAGE 100

/* The directories one run works in, held open. */
typedef struct {
    agent_link_t *l;
    const agent_sub_t *s;
    int inbox, stage, cursors;
    bool recheck;               /* after dx-agent resync: compare what is held */
    size_t same, replaced;      /* what the re-check found */
} run_dirs_t;

static void s_cursor_name(const agent_sub_t *s, char out[32])
{
    dx_sha256_t *h = NULL;
    uint8_t sha[DX_SHA256_LEN] = { 0 };
    if (dx_sha256_new(&h) == 0) {
        dx_sha256_update(h, s->purpose, strlen(s->purpose) + 1);
        dx_sha256_update(h, s->inbox, strlen(s->inbox) + 1);
        for (size_t i = 0; i < s->npatterns; i++)
            dx_sha256_update(h, s->patterns[i], strlen(s->patterns[i]) + 1);
        dx_sha256_final(h, sha);
    }
    dx_sha256_destroy(&h);
    dx_hex_encode(sha, 8, out);
}

static uint64_t s_cursor_read(int dir, const char *name)
{
    char *data = NULL;
    size_t len = 0;
    uint64_t v = 0;
    if (dx_read_small_file_at(dir, name, 64, &data, &len) == 0)
        v = strtoull(data, NULL, 10);
    free(data);
    return v;
}

static int s_cursor_save(int dir, const char *name, uint64_t seq)
{
    char text[32];
    int n = snprintf(text, sizeof text, "%" PRIu64 "\n", seq);
    return dx_write_atomic_at(dir, name, text, (size_t)n, 0600);
}

/* The directory that holds NAME@VERSION (one per name segment, each the
 * agent's own), opened into *fd; its last segment goes into leaf. */
static int s_target_dir(const run_dirs_t *r, const char *name, int *fd, char leaf[DX_NAME_MAX + 1])
{
    char seg[DX_NAME_MAX + 1];
    int dir = dup(r->inbox), rv = dir >= 0 ? 0 : DX_ERR_IO;
    const char *p = name, *slash;
    while (rv == 0 && (slash = strchr(p, '/')) != NULL) {
        int next = -1;
        snprintf(seg, sizeof seg, "%.*s", (int)(slash - p), p);
        rv = dx_subdir_open(dir, seg, 0750, &next);
        close(dir);
        dir = next;
        p = slash + 1;
    }
    if (rv != 0) {
        if (dir >= 0)
            close(dir);
        return rv;
    }
    snprintf(leaf, DX_NAME_MAX + 1, "%s", p);
    *fd = dir;
    return 0;
}

static int s_write_receipt(int dir, const char *target, const dx_fetch_result_t *res,
                           const char *purpose, uint64_t seq)
{
    char name[DX_NAME_MAX + 48], text[2048], hex[65], t[DX_TIME_TEXT];
    dx_hex_encode(res->sha256, DX_SHA256_LEN, hex);
    dx_time_format(dx_now_ms(), t);
    int n = snprintf(text, sizeof text,
                     "dataset: %s\nversion: %" PRIu64 "\npublisher: %s\nsize: %" PRIu64 "\nsha256: %s\n"
                     "filtered: %s\nrule: %s\nfields: %s\npurpose: %s\ndelivered: %s\n"
                     "delivery_audit_seq: %" PRIu64 "\n",
                     res->dataset, res->version, res->publisher, res->size, hex,
                     res->filtered ? "yes" : "no", res->rule_id, res->filtered ? res->fields : "all",
                     purpose, t, seq);
    snprintf(name, sizeof name, "%s.receipt", target);
    return dx_write_atomic_at(dir, name, text, (size_t)n, 0640);
}

/* The hidden note beside NAME@VERSION that says, until its receipt is
 * written, whether what was put there is a filtered view. */
static void s_note_name(const char *target, char out[DX_NAME_MAX + 48])
{
    snprintf(out, DX_NAME_MAX + 48, ".%s.fetched", target);
}

/* A file already in place without its receipt (the agent stopped between
 * the two): hash it, and sign for it as its note says it came. */
static int s_confirm(run_dirs_t *d, int dir, const char *target, const char *name,
                     uint64_t version)
{
    agent_link_t *l = d->l;
    const agent_sub_t *s = d->s;
    char err[DX_ERRMSG], note[DX_NAME_MAX + 48], *text = NULL;
    dx_fetch_result_t *res = calloc(1, sizeof *res);
    uint64_t seq = 0;
    size_t len = 0;
    int fd = -1;
    s_note_name(target, note);
    if (!res)
        return DX_ERR_NOMEM;
    if (dx_read_small_file_at(dir, note, 64, &text, &len) != 0) {
        dx_warn("inbox-no-note",
                "inbox %s: %s@%" PRIu64 " is there without a receipt or a note of how it was "
                "fetched: no delivery receipt is sent for it", s->inbox, name, version);
        free(res);
        return 0;
    }
    res->filtered = strcmp(text, "filtered: yes\n") == 0;
    free(text);
    int rv = dx_file_open_at(dir, target, &fd);
    if (rv == 0)
        rv = dx_hash_fd(fd, res->sha256, &res->size, err);
    if (fd >= 0)
        close(fd);
    if (rv == 0) {
        snprintf(res->dataset, sizeof res->dataset, "%s", name);
        res->version = version;
        rv = dx_delivery_send(l->c, l->me, agent_signer(l), name, version, res->sha256, res->filtered, s->purpose,
                              &seq, err);
        if (rv == 0 && (rv = s_write_receipt(dir, target, res, s->purpose, seq)) == 0)
            unlinkat(dir, note, 0);
        else if (rv != 0)
            dx_warn("inbox-receipt-refused",
                    "inbox %s: %s@%" PRIu64 ": delivery receipt not accepted: %s", s->inbox, name,
                    version, err);
    }
    free(res);
    return rv;
}

/* Copies all of from into to (a target directory on another file system
 * than the inbox, a mount point). */
static int s_copy(int from, int to)
{
    char buf[64 * 1024];
    off_t off = 0;
    for (;;) {
        ssize_t n = pread(from, buf, sizeof buf, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return DX_ERR_IO;
        if (n == 0)
            return fsync(to) == 0 ? 0 : errno == ENOSPC ? DX_ERR_FULL : DX_ERR_IO;
        for (ssize_t w = 0; w < n;) {
            ssize_t k = write(to, buf + w, (size_t)(n - w));
            if (k < 0 && errno == EINTR)
                continue;
            if (k < 0)
                return errno == ENOSPC || errno == EDQUOT ? DX_ERR_FULL : DX_ERR_IO;
            w += k;
        }
        off += n;
    }
}

/* Moves the staged file into place as dir/target: a rename, or across file
 * systems a copy beside the target renamed over it. A rename replaces
 * whatever took the name meanwhile, a link included, and never follows it. */
static int s_put_in_place(int stage, const char *tmp, int staged_fd, int dir, const char *target,
                          char err[DX_ERRMSG])
{
    char tmp2[64];
    int fd = -1, rv = 0;
    if (renameat(stage, tmp, dir, target) == 0)
        goto synced;
    if (errno != EXDEV) {
        snprintf(err, DX_ERRMSG, "cannot move it into place: %s", strerror(errno));
        return DX_ERR_IO;
    }
    if ((rv = dx_temp_create_at(dir, "fetch", 0600, tmp2, sizeof tmp2, &fd)) == 0 &&
        (rv = s_copy(staged_fd, fd)) == 0 && renameat(dir, tmp2, dir, target) != 0)
        rv = DX_ERR_IO;
    if (fd >= 0 && close(fd) != 0 && rv == 0)
        rv = DX_ERR_IO;
    if (rv != 0) {
        snprintf(err, DX_ERRMSG, "cannot write it into place: %s", strerror(errno));
        if (fd >= 0)
            unlinkat(dir, tmp2, 0);
        return rv;
    }
    unlinkat(stage, tmp, 0);
synced:
    if (fsync(dir) != 0) {
        snprintf(err, DX_ERRMSG, "cannot move it into place: %s", strerror(errno));
        return DX_ERR_IO;
    }
    return 0;
}

/* A re-check (after a restore): the file held as target is compared with
 * what the broker sent now. The same bytes: *same, nothing moves. Others:
 * the held file and its receipt are renamed TARGET.replaced-TIME(.receipt),
 * never overwritten, and the new one takes the name. */
static int s_set_aside(run_dirs_t *d, int dir, const char *target, const char *name,
                       uint64_t version, const dx_fetch_result_t *res, bool *same,
                       char err[DX_ERRMSG])
{
    uint8_t sha[DX_SHA256_LEN];
    uint64_t size = 0;
    char aside[DX_NAME_MAX + 96], stamp[DX_TIME_TEXT], from[DX_NAME_MAX + 48], to[DX_NAME_MAX + 112];
    int fd = -1;
    int rv = dx_file_open_at(dir, target, &fd);
    if (rv == 0)
        rv = dx_hash_fd(fd, sha, &size, err);
    if (fd >= 0)
        close(fd);
    if (rv != 0)
        return rv;
    *same = size == res->size && dx_equal(sha, res->sha256, DX_SHA256_LEN);
    if (*same) {
        d->same++;
        return 0;
    }
    dx_time_stamp(dx_now_ms(), stamp);
    snprintf(aside, sizeof aside, "%s.replaced-%s", target, stamp);
    if (renameat(dir, target, dir, aside) != 0) {
        snprintf(err, DX_ERRMSG, "cannot set the held file aside: %s", strerror(errno));
        return DX_ERR_IO;
    }
    snprintf(from, sizeof from, "%s.receipt", target);
    snprintf(to, sizeof to, "%s.receipt", aside);
    if (renameat(dir, from, dir, to) != 0 && errno != ENOENT) {
        snprintf(err, DX_ERRMSG, "cannot set the held receipt aside: %s", strerror(errno));
        return DX_ERR_IO;
    }
    d->replaced++;
    dx_warn("inbox-replaced",
            "inbox %s: %s@%" PRIu64 " from the broker differs from the file held (the broker was "
            "restored and numbered a new version the same): the held file is kept as %s, the "
            "broker's takes its name", d->s->inbox, name, version, aside);
    return 0;
}

/* One version into the inbox. 0 when it is done or skipped for good. */
static int s_deliver(run_dirs_t *d, const char *name, uint64_t version)
{
    agent_link_t *l = d->l;
    const agent_sub_t *s = d->s;
    char leaf[DX_NAME_MAX + 1], target[DX_NAME_MAX + 32], receipt[DX_NAME_MAX + 48],
         tmp[64], err[DX_ERRMSG] = "";
    struct stat st;
    int dir = -1, fd = -1, rv;
    if (!dx_dataset_name_valid(name)) {
        dx_warn("inbox-bad-name",
                "inbox %s: the feed named '%s', which is not a dataset name: skipped", s->inbox, name);
        return 0;
    }
    if ((rv = s_target_dir(d, name, &dir, leaf)) != 0) {
        if (rv == DX_ERR_INVALID) {
            dx_error("inbox-directory-unsafe",
                     "inbox %s: a directory on the way to %s is a link, not a directory, or not "
                     "this user's: %s@%" PRIu64 " skipped, nothing written", s->inbox, name, name,
                     version);
            return 0;
        }
        dx_error("inbox-cannot-create",
                 "inbox %s: cannot create the directory for %s: %s", s->inbox, name, strerror(errno));
        return rv;
    }
    snprintf(target, sizeof target, "%s@%" PRIu64, leaf, version);
    snprintf(receipt, sizeof receipt, "%s.receipt", target);
    bool held = false;
    if (fstatat(dir, target, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
            if (agent_say_once(l, st.st_dev, st.st_ino))
                dx_error("inbox-entry-refused",
                         "inbox %s: %s@%" PRIu64 " is there but is not a regular file with a single "
                         "link: left as it is, the version is not delivered", s->inbox, name, version);
            close(dir);
            return 0;
        }
        if (!d->recheck) {
            rv = dx_exists_at(dir, receipt) ? 0 : s_confirm(d, dir, target, name, version);
            close(dir);
            return rv;
        }
        held = true; /* fetched again and compared */
    }
    if ((rv = dx_temp_create_at(d->stage, "fetch", 0600, tmp, sizeof tmp, &fd)) != 0) {
        dx_error("inbox-cannot-write",
                 "inbox %s: cannot write in it: %s", s->inbox, strerror(errno));
        close(dir);
        return rv;
    }
    dx_fetch_result_t *res = calloc(1, sizeof *res);
    uint64_t seq = 0;
    rv = res ? dx_fetch(l->c, l->broker, name, version, s->purpose, fd, res, err) : DX_ERR_NOMEM;
    if (rv == 0 && (rv = dx_witness(l->c, l->broker, l->state, res->head, res->head_len, err)) != 0)
        dx_error("inbox-not-witnessed",
                 "inbox %s: %s@%" PRIu64 ": %s", s->inbox, name, version, err);
    if (rv == 0 && fsync(fd) != 0) {
        rv = errno == ENOSPC ? DX_ERR_FULL : DX_ERR_IO;
        snprintf(err, sizeof err, "cannot write it: %s", strerror(errno));
    }
    bool same = false;
    if (rv == 0 && held && (rv = s_set_aside(d, dir, target, name, version, res, &same, err)) == 0 &&
        same)
        unlinkat(d->stage, tmp, 0);
    char note[DX_NAME_MAX + 48];
    s_note_name(target, note);
    if (rv == 0 && !same && (rv = dx_write_atomic_at(dir, note, res->filtered ? "filtered: yes\n"
                                                                      : "filtered: no\n",
                                            res->filtered ? 14 : 13, 0600)) != 0)
        snprintf(err, sizeof err, "cannot write in it: %s", strerror(errno));
    if (rv == 0 && !same)
        rv = s_put_in_place(d->stage, tmp, fd, dir, target, err);
    if (close(fd) != 0 && rv == 0) {
        rv = errno == ENOSPC ? DX_ERR_FULL : DX_ERR_IO;
        snprintf(err, sizeof err, "cannot write it: %s", strerror(errno));
    }
    if (rv != 0) {
        unlinkat(d->stage, tmp, 0);
        close(dir);
        if (rv == DX_ERR_DENIED || rv == DX_ERR_NOT_FOUND) {
            dx_warn("inbox-skipped",
                    "inbox %s: %s@%" PRIu64 " skipped: %s", s->inbox, name, version, err);
            rv = 0;
        } else if (rv == DX_ERR_INTEGRITY) {
            dx_error("inbox-refused",
                     "inbox %s: %s@%" PRIu64 " refused, nothing written: %s", s->inbox, name,
                     version, err);
            rv = 0;
        } else if (!agent_retry_later(rv)) {
            dx_warn("inbox-skipped",
                    "inbox %s: %s@%" PRIu64 " skipped: %s", s->inbox, name, version, err);
            rv = 0;
        } else {
            dx_warn("inbox-not-yet",
                    "inbox %s: %s@%" PRIu64 " not delivered yet: %s", s->inbox, name, version, err);
        }
        free(res);
        return rv;
    }
    if ((rv = dx_delivery_send(l->c, l->me, agent_signer(l), name, version, res->sha256, res->filtered, s->purpose,
                               &seq, err)) != 0)
        dx_warn("inbox-receipt-refused",
                "inbox %s: %s@%" PRIu64 " is in place, but its delivery receipt was not accepted: %s",
                s->inbox, name, version, err);
    else if ((rv = s_write_receipt(dir, target, res, s->purpose, seq)) != 0)
        dx_error("inbox-receipt-not-written",
                 "inbox %s: cannot write the receipt of %s@%" PRIu64 ": %s", s->inbox, name, version,
                 strerror(errno));
    else if (same) {
        dx_info("inbox-rechecked",
                "inbox %s: %s@%" PRIu64 " re-checked: the broker's bytes are the ones held (delivery "
                "receipt in audit record %" PRIu64 ")", s->inbox, name, version, seq);
    } else {
        unlinkat(dir, note, 0);
        dx_info("inbox-delivered",
                "inbox %s: %s@%" PRIu64 " delivered (%s%" PRIu64 " bytes, delivery receipt in audit "
                "record %" PRIu64 ")", s->inbox, name, version, res->filtered ? "filtered view, " : "",
                res->size, seq);
    }
    close(dir);
    free(res);
    /* a receipt the broker refuses (not retriable) does not hold the feed up */
    return rv != 0 && agent_retry_later(rv) ? rv : 0;
}

/* An erasure from the feed: the content held as NAME@VERSION is removed
 * (the data office destroyed it at the broker: a court order, a retention
 * period, a mistake), and NAME@VERSION.erased says when and why; the
 * receipt stays, as evidence of what was delivered. */
static int s_erase_held(run_dirs_t *d, const Dx__FeedEntry *e)
{
    const agent_sub_t *s = d->s;
    char leaf[DX_NAME_MAX + 1], target[DX_NAME_MAX + 32], tomb[DX_NAME_MAX + 48], note[DX_NAME_MAX + 48],
         when[DX_TIME_TEXT], text[1024];
    struct stat st;
    int dir = -1, rv;
    if (!dx_dataset_name_valid(e->dataset))
        return 0;
    if ((rv = s_target_dir(d, e->dataset, &dir, leaf)) != 0) {
        dx_error("inbox-erased-unsafe",
                 "inbox %s: %s@%" PRIu64 " was erased, but the directory that would hold it cannot "
                 "be opened safely: check it by hand", s->inbox, e->dataset, e->version);
        return rv == DX_ERR_INVALID ? 0 : rv;
    }
    snprintf(target, sizeof target, "%s@%" PRIu64, leaf, e->version);
    snprintf(tomb, sizeof tomb, "%s.erased", target);
    s_note_name(target, note);
    dx_time_format(e->erased_ms, when);
    if (fstatat(dir, target, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        dx_log_kv(DX_LOG_INFO, "inbox-erased-unheld", DX_KV("inbox", s->inbox),
                  DX_KV("dataset", e->dataset), DX_KU("version", e->version), DX_KV("erased", when),
                  DX_KV("reason", e->erased_reason));
        close(dir);
        return 0;
    }
    if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
        dx_error("inbox-erased-unsafe",
                 "inbox %s: %s@%" PRIu64 " was erased, but what is there is not a regular file with "
                 "a single link: left as it is; remove it by hand", s->inbox, e->dataset, e->version);
        close(dir);
        return 0;
    }
    int n = snprintf(text, sizeof text, "dataset: %s\nversion: %" PRIu64 "\nerased: %s\nreason: %s\n"
                     "erase_audit_seq: %" PRIu64 "\nremoved_from_inbox: yes\n", e->dataset, e->version,
                     when, e->erased_reason[0] ? e->erased_reason : "(told to its publisher only)",
                     e->seq);
    if ((rv = dx_write_atomic_at(dir, tomb, text, (size_t)n < sizeof text ? (size_t)n : sizeof text - 1,
                                 0640)) != 0 ||
        (unlinkat(dir, target, 0) != 0 && errno != ENOENT) || fsync(dir) != 0) {
        dx_error("inbox-erased-not-removed",
                 "inbox %s: %s@%" PRIu64 " was erased, but it cannot be removed: %s", s->inbox,
                 e->dataset, e->version, strerror(errno));
        close(dir);
        return rv ? rv : DX_ERR_IO;
    }
    unlinkat(dir, note, 0);
    dx_log_kv(DX_LOG_WARN, "inbox-erased", DX_KV("inbox", s->inbox), DX_KV("dataset", e->dataset),
              DX_KU("version", e->version), DX_KV("erased", when), DX_KV("reason", e->erased_reason),
              DX_KV("file", "removed; NAME@VERSION.erased says why"));
    close(dir);
    return 0;
}

static void s_close_dirs(run_dirs_t *d)
{
    int *fds[] = { &d->inbox, &d->stage, &d->cursors };
    for (size_t i = 0; i < 3; i++)
        if (*fds[i] >= 0) {
            close(*fds[i]);
            *fds[i] = -1;
        }
}

static int s_open_dirs(run_dirs_t *d)
{
    int state = -1;
    int rv = dx_dir_open(d->l->state, 0700, &state);
    if (rv == 0 && (rv = dx_subdir_open(state, "cursors", 0700, &d->cursors)) == DX_ERR_INVALID)
        dx_error("state-unusable",
                 "state %s: cursors is a link, not a directory, or not this user's", d->l->state);
    if (state >= 0)
        close(state);
    if (rv == 0 && (rv = dx_dir_open(d->s->inbox, 0750, &d->inbox)) == 0 &&
        (rv = dx_subdir_open(d->inbox, ".dx-partial", 0700, &d->stage)) == DX_ERR_INVALID)
        dx_error("inbox-unusable",
                 "inbox %s: .dx-partial is a link, not a directory, or not this user's: nothing is "
                 "delivered until it is removed", d->s->inbox);
    if (rv != 0 && rv != DX_ERR_INVALID)
        dx_error("inbox-cannot-create",
                 "inbox %s: cannot create it or the state directory: %s", d->s->inbox, strerror(errno));
    if (rv != 0)
        s_close_dirs(d);
    return rv == DX_ERR_INVALID ? DX_ERR_IO : rv;
}

int agent_inbox_run(agent_link_t *l, const agent_sub_t *s, int pages, size_t *delivered, bool *more)
{
    run_dirs_t d = { .l = l, .s = s, .inbox = -1, .stage = -1, .cursors = -1 };
    char cursor_name[32], err[DX_ERRMSG];
    int rv;
    *delivered = 0;
    *more = false;
    if ((rv = s_open_dirs(&d)) != 0)
        return rv;
    dx_remove_stale_temps(d.stage);   /* a fetch a killed agent did not finish */
    dx_remove_stale_temps(d.cursors); /* a cursor being saved when it was killed */
    s_cursor_name(s, cursor_name);
    uint64_t cursor = s_cursor_read(d.cursors, cursor_name);
    char mark[48];
    snprintf(mark, sizeof mark, "%s.recheck", cursor_name);
    d.recheck = dx_exists_at(d.cursors, mark);
    char *patterns[AGENT_PATTERNS_MAX];
    for (size_t i = 0; i < s->npatterns; i++)
        patterns[i] = (char *)s->patterns[i];
    for (int page = 0; page < pages && !*l->stop; page++) {
        Dx__Request req = DX__REQUEST__INIT;
        Dx__FeedRequest fr = DX__FEED_REQUEST__INIT;
        Dx__Reply *reply = NULL;
        fr.after = cursor;
        fr.patterns = patterns;
        fr.n_patterns = s->npatterns;
        fr.limit = FEED_PAGE;
        req.body_case = DX__REQUEST__BODY_FEED;
        req.feed = &fr;
        rv = dx_client_call(l->c, &req, &reply, err);
        if (rv == 0 && reply->body_case != DX__REPLY__BODY_FEED)
            rv = DX_ERR_PROTOCOL;
        if (rv != 0) {
            dx_warn("inbox-feed-unreadable", "inbox %s: cannot read the feed: %s", s->inbox, err);
            wire_reply_free(&reply);
            rv = agent_retry_later(rv) ? rv : DX_ERR_PROTOCOL;
            goto out;
        }
        const Dx__FeedReply *f = reply->feed;
        for (size_t i = 0; i < f->n_entries && !*l->stop; i++) {
            const Dx__FeedEntry *e = f->entries[i];
            if (e->seq <= cursor)
                continue; /* not past the cursor: a broker bug, never twice */
            if ((rv = e->erased ? s_erase_held(&d, e) : s_deliver(&d, e->dataset, e->version)) != 0) {
                wire_reply_free(&reply);
                goto out;
            }
            (*delivered)++;
            cursor = e->seq;
            if ((rv = s_cursor_save(d.cursors, cursor_name, cursor)) != 0) {
                dx_error("inbox-cursor-not-saved",
                         "inbox %s: cannot save the cursor in %s/cursors/%s: %s", s->inbox, l->state,
                         cursor_name, strerror(errno));
                wire_reply_free(&reply);
                goto out;
            }
        }
        bool all = !*l->stop;
        if (all && f->next_after > cursor) {
            cursor = f->next_after;
            s_cursor_save(d.cursors, cursor_name, cursor);
        }
        *more = f->more;
        wire_reply_free(&reply);
        if (!*more)
            break;
    }
    if (d.recheck && !*more && !*l->stop) {
        unlinkat(d.cursors, mark, 0);
        dx_info("inbox-recheck-done",
                "inbox %s: re-checked against the broker's log after the resync: %zu versions "
                "held were the same, %zu replaced (the old files kept beside them)", s->inbox,
                d.same, d.replaced);
    }
    rv = 0;
out:
    s_close_dirs(&d);
    return rv;
}

int agent_inbox_recheck_all(const char *state, size_t *n, char err[DX_ERRMSG])
{
    int st = -1, cursors = -1;
    *n = 0;
    int rv = dx_dir_open(state, 0700, &st);
    if (rv == 0)
        rv = dx_subdir_open(st, "cursors", 0700, &cursors);
    if (st >= 0)
        close(st);
    if (rv != 0) {
        snprintf(err, DX_ERRMSG, "cannot open %s/cursors: %s", state,
                 rv == DX_ERR_INVALID ? "a link, not a directory, or not this user's" : strerror(errno));
        return DX_ERR_IO;
    }
    int fd = dup(cursors);
    DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
    if (!dir) {
        if (fd >= 0)
            close(fd);
        close(cursors);
        snprintf(err, DX_ERRMSG, "cannot read %s/cursors: %s", state, strerror(errno));
        return DX_ERR_IO;
    }
    struct dirent *e;
    while (rv == 0 && (e = readdir(dir)) != NULL) {
        char mark[300];
        if (e->d_name[0] == '.' || strchr(e->d_name, '.'))
            continue; /* a temp, or a mark */
        snprintf(mark, sizeof mark, "%s.recheck", e->d_name);
        /* the mark first: a cursor at 0 without it would keep what is held unchecked */
        if ((rv = dx_write_atomic_at(cursors, mark, "recheck\n", 8, 0600)) == 0 &&
            (rv = s_cursor_save(cursors, e->d_name, 0)) == 0)
            (*n)++;
        else
            snprintf(err, DX_ERRMSG, "cannot reset %s/cursors/%s: %s", state, e->d_name, strerror(errno));
    }
    closedir(dir);
    close(cursors);
    return rv;
}
