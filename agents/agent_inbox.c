/* agent_inbox: a subscription's versions, fetched into its inbox.
 *
 * The cursor (STATE/cursors/<hash of the subscription>) is the feed's: an
 * audit log sequence number, saved (fsynced) after every version that is
 * in place, so an agent that was stopped catches up on every version it
 * missed, in order, and one killed mid-way fetches at most the version it
 * was on again. A version is fetched into INBOX/.dx-partial-*, verified as
 * `fetch` does (publisher's signature and hash, or the broker's signed
 * view), fsynced and renamed to INBOX/NAME@VERSION (a directory per name
 * segment); then the delivery receipt is signed and sent, and
 * NAME@VERSION.receipt written. A version whose file is there already is
 * not fetched again; its receipt is sent if it was not. A version the
 * member may list but not read (or not whole, in a format that cannot be
 * filtered) is skipped with a line saying why. */
#include "agent.h"
#include "delivery.h"
#include "dxtime.h"
#include "encode.h"
#include "fileio.h"
#include "log.h"
#include "transfer.h"
#include "witness.h"
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FEED_PAGE 100

static void s_cursor_path(const agent_link_t *l, const agent_sub_t *s, char out[DX_PATH_MAX])
{
    dx_sha256_t *h = NULL;
    uint8_t sha[DX_SHA256_LEN] = { 0 };
    char hex[17];
    if (dx_sha256_new(&h) == 0) {
        dx_sha256_update(h, s->purpose, strlen(s->purpose) + 1);
        dx_sha256_update(h, s->inbox, strlen(s->inbox) + 1);
        for (size_t i = 0; i < s->npatterns; i++)
            dx_sha256_update(h, s->patterns[i], strlen(s->patterns[i]) + 1);
        dx_sha256_final(h, sha);
    }
    dx_sha256_destroy(&h);
    dx_hex_encode(sha, 8, hex);
    snprintf(out, DX_PATH_MAX, "%s/cursors/%s", l->state, hex);
}

static uint64_t s_cursor_read(const char *path)
{
    char *data = NULL;
    size_t len = 0;
    uint64_t v = 0;
    if (dx_read_small_file(path, 64, &data, &len) == 0)
        v = strtoull(data, NULL, 10);
    free(data);
    return v;
}

static int s_cursor_save(const char *path, uint64_t seq)
{
    char text[32];
    int n = snprintf(text, sizeof text, "%" PRIu64 "\n", seq);
    return dx_write_atomic(path, text, (size_t)n, 0600);
}

/* INBOX/NAME@VERSION, making the directories of NAME's segments. */
static int s_target(const agent_sub_t *s, const char *name, uint64_t version, char out[DX_PATH_MAX])
{
    snprintf(out, DX_PATH_MAX, "%s/%s@%" PRIu64, s->inbox, name, version);
    char dir[DX_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", out);
    *strrchr(dir, '/') = '\0';
    return dx_mkdirs(dir, 0750);
}

static int s_write_receipt(const char *target, const dx_fetch_result_t *res, const char *purpose,
                           uint64_t seq)
{
    char path[DX_PATH_MAX + 16], text[2048], hex[65], t[DX_TIME_TEXT];
    dx_hex_encode(res->sha256, DX_SHA256_LEN, hex);
    dx_time_format(dx_now_ms(), t);
    int n = snprintf(text, sizeof text,
                     "dataset: %s\nversion: %" PRIu64 "\npublisher: %s\nsize: %" PRIu64 "\nsha256: %s\n"
                     "filtered: %s\nrule: %s\nfields: %s\npurpose: %s\ndelivered: %s\n"
                     "delivery_audit_seq: %" PRIu64 "\n",
                     res->dataset, res->version, res->publisher, res->size, hex,
                     res->filtered ? "yes" : "no", res->rule_id, res->filtered ? res->fields : "all",
                     purpose, t, seq);
    snprintf(path, sizeof path, "%s.receipt", target);
    return dx_write_atomic(path, text, (size_t)n, 0640);
}

/* A file already in place without its receipt: hash it, say so. */
static int s_confirm(agent_link_t *l, const agent_sub_t *s, const char *target, const char *name,
                     uint64_t version)
{
    char err[DX_ERRMSG];
    dx_fetch_result_t *res = calloc(1, sizeof *res);
    uint64_t seq = 0;
    int fd = open(target, O_RDONLY | O_CLOEXEC);
    int rv = !res ? DX_ERR_NOMEM : fd < 0 ? DX_ERR_IO : dx_hash_fd(fd, res->sha256, &res->size, err);
    if (fd >= 0)
        close(fd);
    if (rv == 0) {
        snprintf(res->dataset, sizeof res->dataset, "%s", name);
        res->version = version;
        rv = dx_delivery_send(l->c, l->me, name, version, res->sha256, s->purpose, &seq, err);
        if (rv == 0)
            rv = s_write_receipt(target, res, s->purpose, seq);
        else
            dx_warn("inbox %s: %s@%" PRIu64 ": delivery receipt not accepted: %s", s->inbox, name,
                    version, err);
    }
    free(res);
    return rv;
}

/* One version into the inbox. 0 when it is done or skipped for good. */
static int s_deliver(agent_link_t *l, const agent_sub_t *s, const char *name, uint64_t version)
{
    char target[DX_PATH_MAX], receipt[DX_PATH_MAX + 16], tmp[DX_PATH_MAX], err[DX_ERRMSG] = "";
    struct stat st;
    int rv;
    if ((rv = s_target(s, name, version, target)) != 0) {
        dx_error("inbox %s: cannot create the directory for %s: %s", s->inbox, name, strerror(errno));
        return rv;
    }
    snprintf(receipt, sizeof receipt, "%s.receipt", target);
    if (stat(target, &st) == 0)
        return stat(receipt, &st) == 0 ? 0 : s_confirm(l, s, target, name, version);
    /* beside the target: the rename stays on one file system */
    snprintf(tmp, sizeof tmp, "%s", target);
    snprintf(strrchr(tmp, '/'), sizeof tmp - (size_t)(strrchr(tmp, '/') - tmp), "/.dx-partial-XXXXXX");
    int fd = mkstemp(tmp);
    if (fd < 0) {
        dx_error("inbox %s: cannot write in it: %s", s->inbox, strerror(errno));
        return errno == ENOSPC ? DX_ERR_FULL : DX_ERR_IO;
    }
    dx_fetch_result_t *res = calloc(1, sizeof *res);
    uint64_t seq = 0;
    rv = res ? dx_fetch(l->c, l->broker, name, version, s->purpose, fd, res, err) : DX_ERR_NOMEM;
    if (rv == 0 && (rv = dx_witness(l->c, l->broker, l->state, res->head, res->head_len, err)) != 0)
        dx_error("inbox %s: %s@%" PRIu64 ": %s", s->inbox, name, version, err);
    if (rv == 0 && fsync(fd) != 0) {
        rv = errno == ENOSPC ? DX_ERR_FULL : DX_ERR_IO;
        snprintf(err, sizeof err, "cannot write it: %s", strerror(errno));
    }
    if (close(fd) != 0 && rv == 0) {
        rv = errno == ENOSPC ? DX_ERR_FULL : DX_ERR_IO;
        snprintf(err, sizeof err, "cannot write it: %s", strerror(errno));
    }
    if (rv == 0 && (rename(tmp, target) != 0 || dx_fsync_parent(target) != 0)) {
        rv = DX_ERR_IO;
        snprintf(err, sizeof err, "cannot move it into place: %s", strerror(errno));
    }
    if (rv != 0) {
        unlink(tmp);
        if (rv == DX_ERR_DENIED || rv == DX_ERR_NOT_FOUND) {
            dx_warn("inbox %s: %s@%" PRIu64 " skipped: %s", s->inbox, name, version, err);
            rv = 0;
        } else if (rv == DX_ERR_INTEGRITY) {
            dx_error("inbox %s: %s@%" PRIu64 " refused, nothing written: %s", s->inbox, name,
                     version, err);
            rv = 0;
        } else if (!agent_retry_later(rv)) {
            dx_warn("inbox %s: %s@%" PRIu64 " skipped: %s", s->inbox, name, version, err);
            rv = 0;
        } else {
            dx_warn("inbox %s: %s@%" PRIu64 " not delivered yet: %s", s->inbox, name, version, err);
        }
        free(res);
        return rv;
    }
    if ((rv = dx_delivery_send(l->c, l->me, name, version, res->sha256, s->purpose, &seq, err)) != 0)
        dx_warn("inbox %s: %s@%" PRIu64 " is in place, but its delivery receipt was not accepted: %s",
                s->inbox, name, version, err);
    else if ((rv = s_write_receipt(target, res, s->purpose, seq)) != 0)
        dx_error("inbox %s: cannot write the receipt of %s@%" PRIu64 ": %s", s->inbox, name, version,
                 strerror(errno));
    else
        dx_info("inbox %s: %s@%" PRIu64 " delivered (%s%" PRIu64 " bytes, delivery receipt in audit "
                "record %" PRIu64 ")", s->inbox, name, version, res->filtered ? "filtered view, " : "",
                res->size, seq);
    free(res);
    /* a receipt the broker refuses (not retriable) does not hold the feed up */
    return rv != 0 && agent_retry_later(rv) ? rv : 0;
}

int agent_inbox_run(agent_link_t *l, const agent_sub_t *s, int pages, size_t *delivered, bool *more)
{
    char cursor_path[DX_PATH_MAX], dir[DX_PATH_MAX + 16], err[DX_ERRMSG];
    snprintf(dir, sizeof dir, "%s/cursors", l->state);
    *delivered = 0;
    *more = false;
    if (dx_mkdirs(dir, 0700) != 0 || dx_mkdirs(s->inbox, 0750) != 0) {
        dx_error("inbox %s: cannot create it or the state directory: %s", s->inbox, strerror(errno));
        return DX_ERR_IO;
    }
    s_cursor_path(l, s, cursor_path);
    uint64_t cursor = s_cursor_read(cursor_path);
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
        int rv = dx_client_call(l->c, &req, &reply, err);
        if (rv == 0 && reply->body_case != DX__REPLY__BODY_FEED)
            rv = DX_ERR_PROTOCOL;
        if (rv != 0) {
            dx_warn("inbox %s: cannot read the feed: %s", s->inbox, err);
            wire_reply_free(&reply);
            return agent_retry_later(rv) ? rv : DX_ERR_PROTOCOL;
        }
        const Dx__FeedReply *f = reply->feed;
        for (size_t i = 0; i < f->n_entries && !*l->stop; i++) {
            const Dx__FeedEntry *e = f->entries[i];
            if (e->seq <= cursor)
                continue; /* not past the cursor: a broker bug, never twice */
            if ((rv = s_deliver(l, s, e->dataset, e->version)) != 0) {
                wire_reply_free(&reply);
                return rv;
            }
            (*delivered)++;
            cursor = e->seq;
            if ((rv = s_cursor_save(cursor_path, cursor)) != 0) {
                dx_error("inbox %s: cannot save the cursor in %s: %s", s->inbox, cursor_path,
                         strerror(errno));
                wire_reply_free(&reply);
                return rv;
            }
        }
        bool all = !*l->stop;
        if (all && f->next_after > cursor) {
            cursor = f->next_after;
            s_cursor_save(cursor_path, cursor);
        }
        *more = f->more;
        wire_reply_free(&reply);
        if (!*more)
            break;
    }
    return 0;
}
