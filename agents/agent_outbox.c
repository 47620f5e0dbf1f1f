/* agent_outbox: files dropped into an outbox become published versions.
 *
 * A file is complete when it appears under its final name (written
 * elsewhere and renamed in; dotfiles, *.tmp and directories are ignored).
 * Its way through DIR, each step a rename or an fsynced write:
 *
 *   DIR/F                  dropped
 *   DIR/.pending/F         claimed (rename): nobody else takes it
 *   DIR/.pending/F.manifest  the signed manifest, saved before it is sent,
 *                          so that a retry sends the same one and the broker
 *                          answers with its first receipt
 *   DIR/sent/N.receipt     the broker's receipt (N is F, or F.2, F.3... when
 *                          an F was sent before)
 *   DIR/sent/N             the file, moved beside it; the manifest goes last
 *   DIR/failed/F, F.error  a refusal (denied, integrity, malformed): final
 *
 * A crash between any two steps is finished on restart: a pending file
 * with its manifest is sent again (same receipt: nothing published twice);
 * a receipt already written is recognised by its bytes; a manifest whose
 * file is already in sent/ is removed. A saved manifest the broker calls a
 * replay (too old, never committed) is signed afresh; a transfer the
 * broker no longer knows (it restarted, or the transfer timed out there)
 * is started again.
 *
 * Whoever may drop files into DIR may also plant links, hard links and
 * FIFOs, swap names and race renames. So the agent holds DIR and its three
 * working directories open and works only relative to them (fileio.h's *_at
 * functions): a working directory that is a link or not the agent's own is
 * refused for the whole outbox; a dropped entry is taken only when it is a
 * regular file with one link, and is opened without following a link and
 * checked again once open. What it refuses stays where it is, with one
 * line in the log; nothing outside DIR is ever read, moved or written. */
#include "agent.h"
#include "dxtime.h"
#include "encode.h"
#include "fileio.h"
#include "log.h"
#include "media.h"
#include "signed.h"
#include "transfer.h"
#include "witness.h"
#include "wire.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NAME_MAX_LEN 255
#define RECEIPT_TEXT_MAX 8192

bool agent_retry_later(int rv)
{
    switch (rv) {
    case DX_ERR_UNREACHABLE:
    case DX_ERR_TIMEOUT:
    case DX_ERR_HANDSHAKE:
    case DX_ERR_NOT_ADMITTED:           /* a revocation may be lifted: nothing is moved */
    case DX_ERR_BUSY:
    case DX_ERR_STORAGE:
    case DX_ERR_FULL:
    case DX_ERR_IO:
    case DX_ERR_NOMEM:
    case DX_ERR_INTERNAL:
    case DX_ERR_TRANSFER_GONE:          /* started again from the beginning */
        return true;
    default:
        return false;
    }
}

bool agent_say_once(agent_link_t *l, dev_t dev, ino_t ino)
{
    unsigned n = l->nsaid < AGENT_SAID_MAX ? l->nsaid : AGENT_SAID_MAX;
    for (unsigned i = 0; i < n; i++)
        if (l->said[i].dev == dev && l->said[i].ino == ino)
            return false;
    unsigned at = l->nsaid++ % AGENT_SAID_MAX;
    l->said[at].dev = dev;
    l->said[at].ino = ino;
    return true;
}

typedef struct {
    agent_link_t *l;
    const agent_outbox_t *o;
    int dir, pending, sent, failed;      /* held open for the run */
} outbox_t;

static bool s_ignored(const char *name)
{
    size_t n = strlen(name);
    return name[0] == '.' || (n >= 4 && strcmp(name + n - 4, ".tmp") == 0) || n > NAME_MAX_LEN - 16;
}

/* name + suffix, as one name in a directory. */
static void s_name(char out[NAME_MAX_LEN + 1], const char *name, const char *suffix)
{
    snprintf(out, NAME_MAX_LEN + 1, "%s%s", name, suffix);
}

/* The manifest file: a packed Signed (body: the manifest, signature). */
static int s_save_manifest(int dir, const char *name, const uint8_t *m, size_t mlen,
                           const uint8_t sig[DX_SIG_LEN])
{
    Dx__Signed s = DX__SIGNED__INIT;
    uint8_t *data = NULL;
    size_t len = 0;
    s.body.data = (uint8_t *)m;
    s.body.len = mlen;
    s.signature.data = (uint8_t *)sig;
    s.signature.len = DX_SIG_LEN;
    int rv = wire_pack(&s.base, &data, &len);
    if (rv == 0)
        rv = dx_write_atomic_at(dir, name, data, len, 0600);
    free(data);
    return rv;
}

static int s_load_manifest(int dir, const char *name, Dx__Signed **out)
{
    char *data = NULL, err[DX_ERRMSG];
    size_t len = 0;
    int rv = dx_read_small_file_at(dir, name, 16384, &data, &len);
    if (rv != 0)
        return rv;
    rv = wire_signed_decode((const uint8_t *)data, len, out, err);
    free(data);
    return rv != 0 ? DX_ERR_INVALID : 0;
}

/* Hashes the claimed file, names its version and signs a manifest. */
static int s_sign_new(outbox_t *ob, const char *file, int fd, const char *manifest, char err[DX_ERRMSG])
{
    char name[DX_NAME_MAX + 1];
    uint8_t sha[DX_SHA256_LEN], sig[DX_SIG_LEN], *m_bytes = NULL;
    size_t mlen = 0;
    uint64_t size = 0;
    int rv;
    if (agent_dataset_name(ob->o, file, dx_now_ms(), name) != 0) {
        snprintf(err, DX_ERRMSG, "the dataset name made from '%s' with '%s' is not valid", file,
                 ob->o->dataset);
        return DX_ERR_INVALID;
    }
    if ((rv = dx_hash_fd(fd, sha, &size, err)) != 0)
        return rv;
    dx_manifest_opts_t mo = { .dataset = name, .publisher = ob->l->me->pub.id,
                              .content_type = ob->o->content_type[0] ? ob->o->content_type
                                                                     : dx_media_guess(file),
                              .classification = ob->o->classification, .sha256 = sha, .size = size };
    if ((rv = dx_manifest_build(&mo, &m_bytes, &mlen, err)) != 0)
        return rv;
    if ((rv = dx_signer_sign(agent_signer(ob->l), DX_CTX_MANIFEST, m_bytes, mlen, sig)) != 0)
        snprintf(err, DX_ERRMSG, "cannot sign the manifest");
    if (rv == 0 && (rv = s_save_manifest(ob->pending, manifest, m_bytes, mlen, sig)) != 0)
        snprintf(err, DX_ERRMSG, "cannot save .pending/%s: %s", manifest, strerror(errno));
    free(m_bytes);
    return rv;
}

static int s_receipt_text(const dx_receipt_t *r, const Dx__Manifest *m, const uint8_t msha[32],
                          const char *file, char *out, size_t cap, size_t *len)
{
    char sha[65], mhex[65], t[DX_TIME_TEXT], b64[(DX_HEAD_MAX + 2) / 3 * 4 + 1], name[NAME_MAX_LEN + 1];
    snprintf(name, sizeof name, "%s", file);
    for (char *p = name; *p; p++) /* a file name cannot add lines to the receipt */
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    dx_hex_encode(m->sha256.data, DX_SHA256_LEN, sha);
    dx_hex_encode(msha, DX_SHA256_LEN, mhex);
    dx_time_format(r->time_ms, t);
    dx_base64_encode(r->signed_receipt, r->signed_len, b64);
    int n = snprintf(out, cap,
                     "file: %s\ndataset: %s\nversion: %llu\nsize: %llu\nsha256: %s\n"
                     "manifest_sha256: %s\npublished: %s\naudit_seq: %llu\nsigned_receipt: %s\n",
                     name, r->dataset, (unsigned long long)r->version, (unsigned long long)m->size,
                     sha, mhex, t, (unsigned long long)r->audit_seq, b64);
    if (n < 0 || (size_t)n >= cap)
        return DX_ERR_TOO_BIG;
    *len = (size_t)n;
    return 0;
}

/* Whether name in dir holds exactly text. */
static bool s_same(int dir, const char *name, const char *text, size_t len)
{
    char *data = NULL;
    size_t got = 0;
    bool same = dx_read_small_file_at(dir, name, RECEIPT_TEXT_MAX, &data, &got) == 0 && got == len &&
                memcmp(data, text, len) == 0;
    free(data);
    return same;
}

/* Where in dir a file F goes: F, else F.2, F.3, ... the first whose
 * receipt is this one (a crash after writing it) or that is free. */
static int s_place(int dir, const char *file, const char *text, size_t len,
                   char base[NAME_MAX_LEN + 1], bool *written)
{
    char receipt[NAME_MAX_LEN + 1];
    for (int i = 1; i < 100000; i++) {
        if (i == 1)
            snprintf(base, NAME_MAX_LEN + 1, "%s", file);
        else
            snprintf(base, NAME_MAX_LEN + 1, "%s.%d", file, i);
        s_name(receipt, base, ".receipt");
        *written = text && s_same(dir, receipt, text, len);
        if (*written || (!dx_exists_at(dir, base) && !dx_exists_at(dir, receipt)))
            return 0;
    }
    return DX_ERR_FULL;
}

/* The receipt beside the file in sent/, then the manifest goes. */
static int s_finish(outbox_t *ob, const char *file, const char *manifest, const dx_receipt_t *r,
                    const Dx__Signed *ms)
{
    Dx__Manifest *m = NULL;
    char err[DX_ERRMSG], base[NAME_MAX_LEN + 1], receipt[NAME_MAX_LEN + 1], *text = malloc(RECEIPT_TEXT_MAX);
    uint8_t msha[DX_SHA256_LEN];
    size_t len = 0;
    bool written = false;
    int rv = text ? 0 : DX_ERR_NOMEM;
    if (rv == 0 && (wire_manifest_decode(ms->body.data, ms->body.len, &m, err) != 0 ||
                    dx_sha256(ms->body.data, ms->body.len, msha) != 0))
        rv = DX_ERR_INVALID;
    if (rv == 0)
        rv = s_receipt_text(r, m, msha, file, text, RECEIPT_TEXT_MAX, &len);
    if (rv == 0)
        rv = s_place(ob->sent, file, text, len, base, &written);
    s_name(receipt, base, ".receipt");
    if (rv == 0 && !written)
        rv = dx_write_atomic_at(ob->sent, receipt, text, len, 0640);
    if (rv == 0 && renameat(ob->pending, file, ob->sent, base) != 0 && errno == ENOENT) {
        /* taken away while it was being published: the receipt stays */
        dx_warn("outbox-removed-while-publishing",
                "outbox %s: %s was removed while it was being published; it was published as "
                "%s@%llu, the receipt is sent/%s", ob->o->dir, file, r->dataset,
                (unsigned long long)r->version, receipt);
        unlinkat(ob->pending, manifest, 0);
        wire_free(&m);
        free(text);
        return 0;
    }
    if (rv == 0 && (dx_exists_at(ob->pending, file) || fsync(ob->sent) != 0))
        rv = errno == ENOSPC ? DX_ERR_FULL : DX_ERR_IO;
    if (rv == 0 && (unlinkat(ob->pending, manifest, 0) != 0 || fsync(ob->pending) != 0))
        rv = DX_ERR_IO;
    if (rv == 0)
        dx_info("outbox-published",
                "outbox %s: %s published as %s@%llu (audit record %llu) -> sent/%s", ob->o->dir,
                file, r->dataset, (unsigned long long)r->version, (unsigned long long)r->audit_seq,
                base);
    else
        dx_error("outbox-not-moved",
                 "outbox %s: %s was published as %s@%llu but cannot be moved to sent/: %s (it "
                 "stays pending; the next try gets the same receipt)", ob->o->dir, file,
                 r->dataset, (unsigned long long)r->version, strerror(errno));
    wire_free(&m);
    free(text);
    return rv;
}

/* A refusal: the file and a line saying why go to failed/. */
static int s_fail(outbox_t *ob, const char *file, const char *manifest, int why, const char *msg)
{
    char base[NAME_MAX_LEN + 1], error[NAME_MAX_LEN + 1], line[DX_ERRMSG + 64];
    bool unused;
    int rv = s_place(ob->failed, file, NULL, 0, base, &unused);
    s_name(error, base, ".error");
    int n = snprintf(line, sizeof line, "%s (%s)\n", msg, dx_strerror(why));
    if (rv == 0)
        rv = dx_write_atomic_at(ob->failed, error, line, (size_t)n, 0640);
    /* a rename moves a link itself, never what it points to */
    if (rv == 0 && dx_exists_at(ob->pending, file) &&
        (renameat(ob->pending, file, ob->failed, base) != 0 || fsync(ob->failed) != 0))
        rv = DX_ERR_IO;
    if (rv == 0 && dx_exists_at(ob->pending, manifest) && unlinkat(ob->pending, manifest, 0) != 0)
        rv = DX_ERR_IO;
    dx_warn("outbox-refused",
            "outbox %s: %s refused, moved to failed/%s: %s", ob->o->dir, file, base, msg);
    return rv;
}

/* A manifest left without its file: the file is in sent/ (a crash after
 * moving it), or someone took it away. */
static void s_orphan(outbox_t *ob, const char *file, const char *manifest)
{
    dx_warn("outbox-removed-before-publishing",
            "outbox %s: %s was removed before it was published; its manifest is dropped",
            ob->o->dir, file);
    unlinkat(ob->pending, manifest, 0);
}

/* A publish refused as denied: for this file, or because the member itself
 * is not admitted now (revoked, expired keys)? A request that needs no
 * right tells: the feed past its end. */
static bool s_member_refused(agent_link_t *l, char err[DX_ERRMSG])
{
    Dx__Request req = DX__REQUEST__INIT;
    Dx__FeedRequest fr = DX__FEED_REQUEST__INIT;
    Dx__Reply *reply = NULL;
    char why[DX_ERRMSG];
    fr.after = UINT64_MAX;
    req.body_case = DX__REQUEST__BODY_FEED;
    req.feed = &fr;
    int rv = dx_client_call(l->c, &req, &reply, why);
    wire_reply_free(&reply);
    if (rv == 0)
        return false;
    snprintf(err, DX_ERRMSG, "%s", why);
    return true;
}

/* Sends a claimed file (.pending/F). */
static int s_send(outbox_t *ob, const char *file)
{
    agent_link_t *l = ob->l;
    char manifest[NAME_MAX_LEN + 1], err[DX_ERRMSG] = "";
    Dx__Signed *ms = NULL;
    dx_receipt_t *r = NULL;
    struct stat st;
    int fd, rv;
    s_name(manifest, file, ".manifest");
    if ((rv = dx_file_open_at(ob->pending, file, &fd)) == DX_ERR_NOT_FOUND) {
        /* taken away while it was being published */
        if (dx_exists_at(ob->pending, manifest))
            s_orphan(ob, file, manifest);
        return 0;
    }
    if (rv == DX_ERR_INVALID)
        return s_fail(ob, file, manifest, rv, "not a regular file with a single link (a link, a "
                      "hard link, a directory or a device): not published");
    if (rv != 0 || fstat(fd, &st) != 0) {
        snprintf(err, sizeof err, "cannot open it: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return s_fail(ob, file, manifest, DX_ERR_IO, err);
    }
    if (!(r = calloc(1, sizeof *r))) {
        close(fd);
        return DX_ERR_NOMEM;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!dx_exists_at(ob->pending, manifest) && (rv = s_sign_new(ob, file, fd, manifest, err)) != 0)
            break;
        if ((rv = s_load_manifest(ob->pending, manifest, &ms)) != 0) {
            snprintf(err, sizeof err, "its saved manifest is unreadable; signing it again");
            unlinkat(ob->pending, manifest, 0);
            continue;
        }
        rv = dx_publish(l->c, l->broker, ms->body.data, ms->body.len, ms->signature.data, fd,
                        (uint64_t)st.st_size, r, err);
        if (rv != DX_ERR_REPLAY)
            break;
        /* a saved manifest that was never committed and is now too old */
        dx_info("outbox-manifest-renewed",
                "outbox %s: %s: %s; signing a fresh manifest", ob->o->dir, file, err);
        wire_free(&ms);
        unlinkat(ob->pending, manifest, 0);
    }
    close(fd);
    if (rv == DX_ERR_DENIED && s_member_refused(l, err)) {
        dx_warn("outbox-not-admitted",
                "outbox %s: %s is kept for later: the broker does not admit %s now (%s)", ob->o->dir,
                file, l->me->pub.id, err);
        rv = DX_ERR_HANDSHAKE;
    }
    if (rv == 0) {
        char werr[DX_ERRMSG];
        int w = dx_witness(l->c, l->broker, l->state, r->head, r->head_len, werr);
        if (w != 0 && agent_retry_later(w))
            dx_warn("outbox-head-unchecked",
                    "outbox %s: %s was published; its log head could not be checked now: %s",
                    ob->o->dir, file, werr);
        else if (w != 0)
            dx_error("outbox-log-not-witnessed",
                     "outbox %s: %s was published, but the broker's log: %s", ob->o->dir, file, werr);
        rv = s_finish(ob, file, manifest, r, ms);
    } else if (!agent_retry_later(rv)) {
        rv = s_fail(ob, file, manifest, rv, err[0] ? err : dx_strerror(rv));
    }
    wire_free(&ms);
    free(r);
    if (rv == DX_ERR_TRANSFER_GONE) /* kept pending: the same manifest goes again */
        dx_info("outbox-transfer-restarted",
                "outbox %s: %s: the broker no longer knows its transfer (it restarted, or the "
                "transfer timed out there): it is started again from the beginning", ob->o->dir, file);
    else if (rv != 0 && agent_retry_later(rv))
        dx_debug("outbox-kept", "outbox %s: %s kept for later: %s", ob->o->dir, file, err);
    return rv;
}

static int s_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Up to max entries of dir that are not ignored, sorted; *names freed by
 * the caller. What each entry is gets checked when it is taken. */
static int s_list(int dir, bool pending, size_t max, char ***names, size_t *n)
{
    int fd = dup(dir);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    *names = NULL;
    *n = 0;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return DX_ERR_IO;
    }
    rewinddir(d);
    char **v = calloc(max ? max : 1, sizeof *v);
    if (!v) {
        closedir(d);
        return DX_ERR_NOMEM;
    }
    struct dirent *e;
    while (*n < max && (e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (s_ignored(e->d_name))
            continue;
        if (pending && len > 9 && strcmp(e->d_name + len - 9, ".manifest") == 0)
            continue;
        if (e->d_type == DT_DIR)
            continue;
        if (!(v[*n] = strdup(e->d_name)))
            break;
        (*n)++;
    }
    closedir(d);
    qsort(v, *n, sizeof *v, s_cmp);
    *names = v;
    return 0;
}

static void s_free_list(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Manifests whose file is gone: a crash after the move to sent/. */
static void s_orphans(outbox_t *ob)
{
    int fd = dup(ob->pending);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    struct dirent *e;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return;
    }
    rewinddir(d);
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len <= 9 || strcmp(e->d_name + len - 9, ".manifest") != 0 || e->d_name[0] == '.')
            continue;
        char file[NAME_MAX_LEN + 1];
        snprintf(file, sizeof file, "%.*s", (int)(len - 9), e->d_name);
        if (!dx_exists_at(ob->pending, file))
            unlinkat(ob->pending, e->d_name, 0);
    }
    closedir(d);
}

/* A new entry of the outbox: claimed (moved into .pending) only when it is
 * a regular file with one link; anything else is said once and left. */
static bool s_claim(outbox_t *ob, const char *name)
{
    struct stat st;
    if (fstatat(ob->dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || dx_exists_at(ob->pending, name))
        return false; /* gone, or one of that name still pending */
    if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
        if (!S_ISDIR(st.st_mode) && agent_say_once(ob->l, st.st_dev, st.st_ino))
            dx_warn("outbox-entry-refused",
                    "outbox %s: %s is not a regular file with a single link (%s): left where it is, "
                    "not published", ob->o->dir, name, S_ISLNK(st.st_mode) ? "a symbolic link"
                    : S_ISREG(st.st_mode) ? "a hard link" : "a special file");
        return false;
    }
    /* A name swapped for a link between the look and the rename moves the
     * link itself; it is refused when opened (s_send). */
    return renameat(ob->dir, name, ob->pending, name) == 0;
}

static void s_close(outbox_t *ob)
{
    int *fds[] = { &ob->dir, &ob->pending, &ob->sent, &ob->failed };
    for (size_t i = 0; i < 4; i++)
        if (*fds[i] >= 0) {
            close(*fds[i]);
            *fds[i] = -1;
        }
}

/* DIR and its working directories, held open; one line when they are not
 * what they must be. */
static int s_open(outbox_t *ob)
{
    const char *names[] = { ".pending", "sent", "failed" };
    int *fds[] = { &ob->pending, &ob->sent, &ob->failed };
    int rv = dx_dir_open(ob->o->dir, 0750, &ob->dir);
    for (size_t i = 0; rv == 0 && i < 3; i++)
        if ((rv = dx_subdir_open(ob->dir, names[i], 0750, fds[i])) == DX_ERR_INVALID)
            dx_error("outbox-directory-unsafe",
                     "outbox %s: %s is a link, not a directory, or not this user's: the outbox is "
                     "not used until it is removed (the agent makes it again)", ob->o->dir, names[i]);
    if (rv != 0 && rv != DX_ERR_INVALID)
        dx_error("outbox-cannot-open",
                 "outbox %s: cannot open it or its directories: %s", ob->o->dir, strerror(errno));
    if (rv != 0)
        s_close(ob);
    return rv;
}

int agent_outbox_run(agent_link_t *l, const agent_outbox_t *o, size_t *published)
{
    outbox_t ob = { .l = l, .o = o, .dir = -1, .pending = -1, .sent = -1, .failed = -1 };
    char **names = NULL;
    size_t n = 0;
    int rv;
    *published = 0;
    if ((rv = s_open(&ob)) != 0)
        return rv == DX_ERR_INVALID ? 0 : DX_ERR_IO; /* refused: said; the others go on */
    dx_remove_stale_temps(ob.pending); /* a manifest being saved when the agent stopped */
    dx_remove_stale_temps(ob.sent);    /* a receipt being written */
    dx_remove_stale_temps(ob.failed);
    s_orphans(&ob);
    /* first what was claimed before, then what is new */
    for (int pass = 0; pass < 2; pass++) {
        if ((rv = s_list(pass == 0 ? ob.pending : ob.dir, pass == 0, AGENT_SCAN_MAX, &names, &n)) != 0) {
            dx_error("outbox-cannot-read",
                     "outbox %s: cannot read it: %s", o->dir, strerror(errno));
            goto out;
        }
        for (size_t i = 0; i < n && !*l->stop; i++) {
            if (pass == 1 && !s_claim(&ob, names[i]))
                continue;
            rv = s_send(&ob, names[i]);
            if (rv == 0)
                (*published)++;
            if (rv != 0 && agent_retry_later(rv)) {
                s_free_list(names, n);
                goto out;
            }
        }
        s_free_list(names, n);
    }
    rv = 0;
out:
    s_close(&ob);
    return rv;
}
