/* journal: the group's journal segments and leader lease (see journal.h). */
#include "journal.h"
#include "journal_int.h"
#include "crypto.h"
#include "pool_int.h"
#include "store_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#define LOCK "leader"
#define WINDOW (4u << 20)   /* bytes read at once while catching up */
#define NAME_MAX_LEN JOURNAL_NAME_MAX
#define SIGN_CONTEXT "dx-journal-v1"

struct journal {
    pool_t *pool;
    rados_ioctx_t io;
    char cookie[64];
    dx_verifier_t *verifier;
    uint8_t *buf;           /* a read window, or one large entry */
    size_t cap;
};

void journal_pos_encode(const journal_pos_t *p, uint8_t out[JOURNAL_POS_LEN])
{
    store_be64(out, p->position);
    memcpy(out + 8, p->hash, 32);
    store_be64(out + 40, p->epoch);
    store_be32(out + 48, p->part);
    store_be64(out + 52, p->offset);
}

bool journal_pos_decode(const uint8_t *in, size_t len, journal_pos_t *p)
{
    if (len != JOURNAL_POS_LEN)
        return false;
    p->position = store_get64(in);
    memcpy(p->hash, in + 8, 32);
    p->epoch = store_get64(in + 40);
    p->part = store_get32(in + 48);
    p->offset = store_get64(in + 52);
    return true;
}

void journal_part_name(char out[NAME_MAX_LEN], uint64_t epoch, uint32_t part)
{
    snprintf(out, NAME_MAX_LEN, "dx.journal.%016" PRIx64 ".%08" PRIx32, epoch, part);
}

static void s_next_text(char out[21], uint64_t position)
{
    snprintf(out, 21, "%020" PRIu64, position);
}

int journal_open(pool_t *pool, const uint8_t pub[DX_ED25519_LEN], journal_t **out)
{
    journal_t *j = calloc(1, sizeof *j);
    uint8_t r[8];
    if (!j)
        return DX_ERR_NOMEM;
    if (dx_random(r, sizeof r) != 0 || (pub && dx_verifier_new(pub, &j->verifier) != 0)) {
        free(j);
        return DX_ERR_CRYPTO;
    }
    char host[32] = "";
    gethostname(host, sizeof host - 1);
    snprintf(j->cookie, sizeof j->cookie, "%.31s.%ld.%02x%02x%02x%02x", host, (long)getpid(), r[0],
             r[1], r[2], r[3]);
    j->pool = pool;
    j->io = pool_io(pool);
    *out = j;
    return 0;
}

rados_ioctx_t journal_io(journal_t *j) { return j->io; }

void journal_close(journal_t **j_p)
{
    if (!j_p || !*j_p)
        return;
    free((*j_p)->buf);
    dx_verifier_destroy(&(*j_p)->verifier);
    free(*j_p);
    *j_p = NULL;
}

int journal_lease(journal_t *j, int seconds, uint64_t epoch, const char *endpoint)
{
    struct timeval tv = { seconds, 0 };
    int r = dx_rados.rados_lock_exclusive(j->io, JOURNAL_LEADER, LOCK, j->cookie, "dx broker group", &tv,
                                          LIBRADOS_LOCK_FLAG_MAY_RENEW);
    if (r == -EBUSY || r == -EEXIST)
        return DX_ERR_BUSY;
    if (r < 0)
        return pool_rados_err(r);
    if (endpoint) {
        char text[300];
        int n = snprintf(text, sizeof text, "%" PRIu64 " %s", epoch, endpoint);
        rados_write_op_t w = dx_rados.rados_create_write_op();
        if (!w)
            return DX_ERR_NOMEM;
        dx_rados.rados_write_op_setxattr(w, "active", text, (size_t)n);
        r = dx_rados.rados_write_op_operate(w, j->io, JOURNAL_LEADER, NULL, 0);
        dx_rados.rados_release_write_op(w);
    }
    return pool_rados_err(r);
}

void journal_lease_release(journal_t *j)
{
    dx_rados.rados_unlock(j->io, JOURNAL_LEADER, LOCK, j->cookie);
}

int journal_active(journal_t *j, char endpoint[256], uint64_t *epoch)
{
    char text[300];
    endpoint[0] = '\0';
    *epoch = 0;
    int r = dx_rados.rados_getxattr(j->io, JOURNAL_LEADER, "active", text, sizeof text - 1);
    if (r == -ENOENT || r == -ENODATA)
        return 0;
    if (r < 0)
        return pool_rados_err(r);
    text[r] = '\0';
    char *sp = strchr(text, ' ');
    if (!sp)
        return 0;
    *sp = '\0';
    *epoch = strtoull(text, NULL, 10);
    snprintf(endpoint, 256, "%s", sp + 1);
    return 0;
}

int journal_part_state(journal_t *j, const char *oid, char *state)
{
    char v[4];
    int r = dx_rados.rados_getxattr(j->io, oid, "sealed", v, sizeof v);
    if (r == -ENOENT) {
        *state = 0;
        return 0;
    }
    if (r < 0)
        return pool_rados_err(r);
    *state = r == 1 ? v[0] : '?';
    return 0;
}

static int s_need(journal_t *j, size_t len)
{
    if (len <= j->cap)
        return 0;
    uint8_t *b = realloc(j->buf, len);
    if (!b)
        return DX_ERR_NOMEM;
    j->buf = b;
    j->cap = len;
    return 0;
}

/* Reads [off, off + len) of oid into j->buf; *got: the bytes there. */
static int s_read(journal_t *j, const char *oid, uint64_t off, size_t len, size_t *got)
{
    int rv = s_need(j, len);
    if (rv != 0)
        return rv;
    *got = 0;
    while (*got < len) {
        size_t want = len - *got > WINDOW ? WINDOW : len - *got;
        int r = dx_rados.rados_read(j->io, oid, (char *)j->buf + *got, want, off + *got);
        if (r < 0)
            return pool_rados_err(r);
        *got += (size_t)r;
        if ((size_t)r < want)
            break;
    }
    return 0;
}

/* Checks the entry at p (n bytes there) as the one after pos; *len: its
 * whole length, 0 when more bytes are needed. */
static int s_check_entry(journal_t *j, const uint8_t *p, size_t n, const journal_pos_t *pos,
                         size_t *len, char err[DX_ERRMSG])
{
    *len = 0;
    if (n < JOURNAL_HEAD)
        return 0;
    uint32_t plen = store_get32(p + 4);
    if (memcmp(p, "DXJ1", 4) != 0 || plen > (64u << 20)) {
        snprintf(err, DX_ERRMSG, "the journal holds no entry where entry %" PRIu64 " should be "
                 "(epoch %" PRIu64 " part %" PRIu32 " offset %" PRIu64 ")", pos->position + 1,
                 pos->epoch, pos->part, pos->offset);
        return DX_ERR_INTEGRITY;
    }
    if (n < (size_t)plen + JOURNAL_OVERHEAD)
        return 0;
    uint8_t hash[32];
    dx_sha256(p, JOURNAL_HEAD + plen, hash);
    const char *bad =
        memcmp(hash, p + JOURNAL_HEAD + plen, 32) != 0 ? "its hash does not match its bytes"
        : !j->verifier ||
                dx_verifier_verify(j->verifier, SIGN_CONTEXT, hash, 32, p + JOURNAL_HEAD + plen + 32) != 0
            ? "it is not signed by the broker key"
        : store_get64(p + 8) != pos->position + 1 ? "it has another position"
        : memcmp(p + 24, pos->hash, 32) != 0 ? "it does not follow the entry before it"
                                             : NULL;
    if (bad) {
        snprintf(err, DX_ERRMSG, "journal entry %" PRIu64 " (epoch %" PRIu64 " part %" PRIu32
                 " offset %" PRIu64 ") was changed: %s", pos->position + 1, pos->epoch, pos->part,
                 pos->offset, bad);
        return DX_ERR_INTEGRITY;
    }
    *len = (size_t)plen + JOURNAL_OVERHEAD;
    return 0;
}

int journal_read(journal_t *j, journal_pos_t *pos, size_t max, journal_entry_fn fn, void *arg,
                 bool *more, char err[DX_ERRMSG])
{
    size_t done = 0;
    char oid[NAME_MAX_LEN];
    *more = false;
    if (pos->epoch == 0) { /* nothing read yet: the first epoch, if begun */
        pos->epoch = 1;
        pos->part = 0;
        pos->offset = 0;
    }
    for (;;) {
        journal_part_name(oid, pos->epoch, pos->part);
        char state;
        uint64_t size = 0;
        time_t mtime;
        int rv = journal_part_state(j, oid, &state);
        if (rv != 0)
            return rv;
        if (state == 0) { /* not begun yet, or removed by trimming */
            uint64_t fp, fe;
            uint32_t fpt;
            if ((rv = journal_floor(j, &fp, &fe, &fpt)) != 0)
                return rv;
            if (fp > pos->position) {
                snprintf(err, DX_ERRMSG, "the journal was trimmed past this store (it has entry "
                         "%" PRIu64 "; the journal now starts after entry %" PRIu64 "): start this "
                         "broker from a recent backup of a member's store (dx-admin backup), and it "
                         "replays the rest", pos->position, fp);
                return DX_ERR_NOT_FOUND;
            }
            if (fp == pos->position && fp > 0 && (fe != pos->epoch || fpt != pos->part)) {
                pos->epoch = fe, pos->part = fpt, pos->offset = 0;
                continue;
            }
            return 0;
        }
        int r = dx_rados.rados_stat(j->io, oid, &size, &mtime);
        if (r < 0)
            return pool_rados_err(r);
        while (pos->offset < size) {
            if (done == max) {
                *more = true;
                return 0;
            }
            size_t want = size - pos->offset > WINDOW ? WINDOW : (size_t)(size - pos->offset), got, len;
            if ((rv = s_read(j, oid, pos->offset, want, &got)) != 0)
                return rv;
            size_t at = 0;
            while (done < max && (rv = s_check_entry(j, j->buf + at, got - at, pos, &len, err)) == 0 && len) {
                const uint8_t *e = j->buf + at;
                uint32_t plen = store_get32(e + 4);
                if ((rv = fn(arg, pos->position + 1, store_get64(e + 16), e + JOURNAL_HEAD, plen)) != 0)
                    return rv;
                pos->position++;
                memcpy(pos->hash, e + JOURNAL_HEAD + plen, 32);
                pos->offset += len;
                at += len;
                done++;
            }
            if (rv != 0)
                return rv;
            if (at == 0 && done < max) { /* one entry larger than the window */
                if (got < JOURNAL_HEAD) {
                    snprintf(err, DX_ERRMSG, "journal part %s ends inside an entry", oid);
                    return DX_ERR_INTEGRITY;
                }
                size_t whole = (size_t)store_get32(j->buf + 4) + JOURNAL_OVERHEAD;
                if (whole <= got || pos->offset + whole > size) {
                    snprintf(err, DX_ERRMSG, "journal part %s ends inside an entry", oid);
                    return DX_ERR_INTEGRITY;
                }
                if ((rv = s_read(j, oid, pos->offset, whole, &got)) != 0)
                    return rv;
                if ((rv = s_check_entry(j, j->buf, got, pos, &len, err)) != 0)
                    return rv;
                if (!len) {
                    snprintf(err, DX_ERRMSG, "journal part %s ends inside an entry", oid);
                    return DX_ERR_INTEGRITY;
                }
                uint32_t plen = store_get32(j->buf + 4);
                if ((rv = fn(arg, pos->position + 1, store_get64(j->buf + 16), j->buf + JOURNAL_HEAD, plen)) != 0)
                    return rv;
                pos->position++;
                memcpy(pos->hash, j->buf + JOURNAL_HEAD + plen, 32);
                pos->offset += len;
                done++;
            }
        }
        if (state == '0')
            return 0; /* the live end */
        /* rolled: the next part; sealed: the next epoch's first */
        char next[NAME_MAX_LEN], next_state;
        uint64_t ne = state == 'r' ? pos->epoch : pos->epoch + 1;
        uint32_t np = state == 'r' ? pos->part + 1 : 0;
        journal_part_name(next, ne, np);
        if ((rv = journal_part_state(j, next, &next_state)) != 0)
            return rv;
        if (next_state == 0)
            return 0;
        pos->epoch = ne;
        pos->part = np;
        pos->offset = 0;
    }
}

/* Sets "sealed" from '0' to to, atomically; -ECANCELED when it was not '0'. */
static int s_seal_part(journal_t *j, const char *oid, const char *to)
{
    rados_write_op_t w = dx_rados.rados_create_write_op();
    if (!w)
        return -ENOMEM;
    dx_rados.rados_write_op_cmpxattr(w, "sealed", LIBRADOS_CMPXATTR_OP_EQ, "0", 1);
    dx_rados.rados_write_op_setxattr(w, "sealed", to, 1);
    int r = dx_rados.rados_write_op_operate(w, j->io, oid, NULL, 0);
    dx_rados.rados_release_write_op(w);
    return r;
}

/* Creates a part exclusively with "sealed" = state and "next" = next. */
static int s_create_part(journal_t *j, const char *oid, const char *state, uint64_t next)
{
    char text[21];
    s_next_text(text, next);
    rados_write_op_t w = dx_rados.rados_create_write_op();
    if (!w)
        return -ENOMEM;
    dx_rados.rados_write_op_create(w, LIBRADOS_CREATE_EXCLUSIVE, NULL);
    dx_rados.rados_write_op_setxattr(w, "sealed", state, 1);
    dx_rados.rados_write_op_setxattr(w, "next", text, 20);
    int r = dx_rados.rados_write_op_operate(w, j->io, oid, NULL, 0);
    dx_rados.rados_release_write_op(w);
    return r;
}

int journal_fence(journal_t *j, const journal_pos_t *pos, uint64_t *next)
{
    uint64_t epoch = pos->epoch ? pos->epoch : 1;
    uint32_t part = pos->epoch ? pos->part : 0;
    char oid[NAME_MAX_LEN];
    for (int guard = 0; guard < 1000000; guard++) {
        char state;
        journal_part_name(oid, epoch, part);
        int rv = journal_part_state(j, oid, &state);
        if (rv != 0)
            return rv;
        if (state == 0 && part == 0) {
            *next = epoch;
            return 0;
        }
        int r = 0;
        if (state == 0) /* a part its writer has yet to create: never will */
            r = s_create_part(j, oid, "1", 0);
        else if (state == '0')
            r = s_seal_part(j, oid, "1");
        else if (state == 'r') {
            part++;
            continue;
        } else if (state == '1') {
            epoch++;
            part = 0;
            continue;
        } else
            return DX_ERR_INTEGRITY;
        if (r < 0 && r != -EEXIST && r != -ECANCELED)
            return pool_rados_err(r);
        /* sealed now, or changed meanwhile: look again */
    }
    return DX_ERR_INTERNAL;
}

int journal_begin(journal_t *j, journal_pos_t *pos, uint64_t epoch)
{
    char oid[NAME_MAX_LEN];
    journal_part_name(oid, epoch, 0);
    int r = s_create_part(j, oid, "0", pos->position + 1);
    if (r == -EEXIST)
        return DX_ERR_EXISTS;
    if (r < 0)
        return pool_rados_err(r);
    pos->epoch = epoch;
    pos->part = 0;
    pos->offset = 0;
    return 0;
}

/* Why a guarded operation on oid was refused: sealed (fenced) or another
 * position (an append that was thought lost landed). */
static int s_refused(journal_t *j, const char *oid)
{
    char state;
    int rv = journal_part_state(j, oid, &state);
    if (rv != 0)
        return rv;
    return state == '0' ? DX_ERR_INTEGRITY : DX_ERR_FENCED;
}

/* The part is full: marks it rolled and creates the next one; a part
 * someone else created first means this broker was fenced. */
static int s_roll(journal_t *j, journal_pos_t *pos)
{
    char oid[NAME_MAX_LEN], text[21];
    journal_part_name(oid, pos->epoch, pos->part);
    s_next_text(text, pos->position + 1);
    rados_write_op_t w = dx_rados.rados_create_write_op();
    if (!w)
        return DX_ERR_NOMEM;
    dx_rados.rados_write_op_cmpxattr(w, "sealed", LIBRADOS_CMPXATTR_OP_EQ, "0", 1);
    dx_rados.rados_write_op_cmpxattr(w, "next", LIBRADOS_CMPXATTR_OP_EQ, text, 20);
    dx_rados.rados_write_op_setxattr(w, "sealed", "r", 1);
    int r = dx_rados.rados_write_op_operate(w, j->io, oid, NULL, 0);
    dx_rados.rados_release_write_op(w);
    if (r == -ECANCELED)
        return s_refused(j, oid);
    if (r < 0)
        return pool_rados_err(r);
    journal_part_name(oid, pos->epoch, pos->part + 1);
    r = s_create_part(j, oid, "0", pos->position + 1);
    if (r == -EEXIST)
        return DX_ERR_FENCED;
    if (r < 0)
        return pool_rados_err(r);
    pos->part++;
    pos->offset = 0;
    return 0;
}

int journal_append(journal_t *j, journal_pos_t *pos, const uint8_t *payload, size_t len,
                   const dx_signer_t *signer)
{
    char oid[NAME_MAX_LEN], now[21], then[21];
    int rv;
    if (len > (64u << 20))
        return DX_ERR_TOO_BIG;
    if (pos->offset >= JOURNAL_PART_MAX && (rv = s_roll(j, pos)) != 0)
        return rv;
    size_t total = len + JOURNAL_OVERHEAD;
    uint8_t *e = malloc(total);
    if (!e)
        return DX_ERR_NOMEM;
    memcpy(e, "DXJ1", 4);
    store_be32(e + 4, (uint32_t)len);
    store_be64(e + 8, pos->position + 1);
    store_be64(e + 16, pos->epoch);
    memcpy(e + 24, pos->hash, 32);
    memcpy(e + JOURNAL_HEAD, payload, len);
    dx_sha256(e, JOURNAL_HEAD + len, e + JOURNAL_HEAD + len);
    if ((rv = dx_signer_sign(signer, SIGN_CONTEXT, e + JOURNAL_HEAD + len, 32,
                             e + JOURNAL_HEAD + len + 32)) != 0) {
        free(e);
        return rv;
    }
    journal_part_name(oid, pos->epoch, pos->part);
    s_next_text(now, pos->position + 1);
    s_next_text(then, pos->position + 2);
    rados_write_op_t w = dx_rados.rados_create_write_op();
    if (!w) {
        free(e);
        return DX_ERR_NOMEM;
    }
    dx_rados.rados_write_op_cmpxattr(w, "sealed", LIBRADOS_CMPXATTR_OP_EQ, "0", 1);
    dx_rados.rados_write_op_cmpxattr(w, "next", LIBRADOS_CMPXATTR_OP_EQ, now, 20);
    dx_rados.rados_write_op_append(w, (const char *)e, total);
    dx_rados.rados_write_op_setxattr(w, "next", then, 20);
    int r = dx_rados.rados_write_op_operate(w, j->io, oid, NULL, 0);
    dx_rados.rados_release_write_op(w);
    if (r == 0) {
        pos->position++;
        memcpy(pos->hash, e + JOURNAL_HEAD + len, 32);
        pos->offset += total;
    }
    free(e);
    if (r == -ECANCELED)
        return s_refused(j, oid);
    return r < 0 ? pool_rados_err(r) : 0;
}

int journal_landed(journal_t *j, const journal_pos_t *pos, bool *landed)
{
    char oid[NAME_MAX_LEN], v[24], now[21];
    journal_part_name(oid, pos->epoch, pos->part);
    s_next_text(now, pos->position + 1);
    int r = dx_rados.rados_getxattr(j->io, oid, "next", v, sizeof v);
    if (r < 0)
        return pool_rados_err(r);
    *landed = !(r == 20 && memcmp(v, now, 20) == 0);
    return 0;
}

int journal_tail(journal_t *j, const journal_pos_t *pos, uint64_t *last)
{
    char oid[NAME_MAX_LEN], v[24];
    *last = pos->position;
    journal_part_name(oid, pos->epoch ? pos->epoch : 1, pos->epoch ? pos->part : 0);
    int r = dx_rados.rados_getxattr(j->io, oid, "next", v, sizeof v - 1);
    if (r == -ENOENT || r == -ENODATA)
        return 0;
    if (r < 0)
        return pool_rados_err(r);
    v[r] = '\0';
    uint64_t next = strtoull(v, NULL, 10);
    if (next > 0 && next - 1 > *last)
        *last = next - 1;
    return 0;
}
