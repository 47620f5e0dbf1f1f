/* vault: content key slots, wrapped under the master key (vault.h). */
#include "vault.h"
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "dx-content-keys"   /* with its NUL: 16 bytes */
#define SLOT_MAGIC "DXK1"
#define VAULT_MAX_SLOTS (1u << 26) /* 6 GiB of slots: far past any catalog */

enum { FREE = 0, LIVE = 1, MARKED = 2 };

struct vault {
    int fd;
    char path[4096];
    dx_master_t *master;     /* NULL only while vault_open recovers */
    dx_master_loc_t loc;
    char where[DX_MASTER_PATH_MAX];
    dx_pkcs11_conf_t p11;
    uint8_t id[DX_MASTER_ID_LEN];
    uint8_t *state;          /* per slot; [0] is the header */
    uint32_t nslots;         /* slots in the file, the header included */
    uint32_t cap;
    uint32_t hint;           /* no free slot below it */
    uint32_t live;
    bool dirty, readonly;
    char kept[DX_MASTER_PATH_MAX];  /* opened with a kept key (master_key.h) */
};

static void s_put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static void s_put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint64_t s_get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static bool s_empty(const uint8_t *p)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < VAULT_SLOT; i++)
        acc |= p[i];
    return acc == 0;
}

static void s_aad(uint32_t slot, uint64_t blob, uint8_t aad[29])
{
    memcpy(aad, "dx-content-key-v1", 17);
    s_put32(aad + 17, slot);
    s_put64(aad + 21, blob);
}

static void s_header(const uint8_t id[DX_MASTER_ID_LEN], uint8_t h[VAULT_SLOT])
{
    memset(h, 0, VAULT_SLOT);
    memcpy(h, MAGIC, sizeof MAGIC);
    s_put32(h + 16, 1);
    s_put32(h + 20, VAULT_SLOT);
    memcpy(h + 24, id, DX_MASTER_ID_LEN);
}

/* Seals key for (slot, blob) under master into a slot's bytes. */
static int s_seal(dx_master_t *master, uint32_t slot, uint64_t blob,
                  const uint8_t key[VAULT_KEY_LEN], uint8_t out[VAULT_SLOT])
{
    uint8_t aad[29];
    memset(out, 0, VAULT_SLOT);
    memcpy(out, SLOT_MAGIC, 4);
    s_put64(out + 8, blob);
    s_aad(slot, blob, aad);
    int rv = dx_random(out + 16, DX_AEAD_NONCE_LEN);
    if (rv == 0)
        rv = dx_master_seal(master, out + 16, aad, sizeof aad, key, VAULT_KEY_LEN, out + 28, out + 60);
    return rv;
}

static int s_unseal(dx_master_t *master, uint32_t slot, const uint8_t in[VAULT_SLOT],
                    uint64_t *blob, uint8_t key[VAULT_KEY_LEN])
{
    uint8_t aad[29];
    if (memcmp(in, SLOT_MAGIC, 4) != 0)
        return DX_ERR_INTEGRITY;
    *blob = s_get64(in + 8);
    s_aad(slot, *blob, aad);
    return dx_master_open(master, in + 16, aad, sizeof aad, in + 28, VAULT_KEY_LEN, in + 60, key);
}

static int s_pwrite(vault_t *v, uint32_t slot, const uint8_t *data)
{
    ssize_t n = pwrite(v->fd, data, VAULT_SLOT, (off_t)slot * VAULT_SLOT);
    if (n != VAULT_SLOT)
        return n < 0 && (errno == ENOSPC || errno == EDQUOT) ? DX_ERR_FULL : DX_ERR_IO;
    v->dirty = true;
    return 0;
}

static int s_grow(vault_t *v, uint32_t need)
{
    if (need <= v->cap)
        return 0;
    if (need > VAULT_MAX_SLOTS)
        return DX_ERR_FULL;
    uint32_t cap = v->cap ? v->cap : 1024;
    while (cap < need)
        cap *= 2;
    uint8_t *s = realloc(v->state, cap);
    if (!s)
        return DX_ERR_NOMEM;
    memset(s + v->cap, FREE, cap - v->cap);
    v->state = s;
    v->cap = cap;
    return 0;
}

/* Reads the whole file into the slot states; *id gets the header's id. */
static int s_load(vault_t *v, uint8_t id[DX_MASTER_ID_LEN], char err[DX_ERRMSG])
{
    struct stat st;
    uint8_t buf[VAULT_SLOT * 256];
    if (fstat(v->fd, &st) != 0 || st.st_size % VAULT_SLOT != 0 || st.st_size < VAULT_SLOT ||
        (uint64_t)st.st_size / VAULT_SLOT > VAULT_MAX_SLOTS) {
        snprintf(err, DX_ERRMSG, "%s is damaged (its size is not a whole number of key slots)", v->path);
        return DX_ERR_INTEGRITY;
    }
    uint32_t n = (uint32_t)(st.st_size / VAULT_SLOT);
    int rv = s_grow(v, n);
    if (rv != 0) {
        snprintf(err, DX_ERRMSG, "cannot load %s: %s", v->path, dx_strerror(rv));
        return rv;
    }
    for (uint32_t i = 0; i < n;) {
        uint32_t want = n - i < 256 ? n - i : 256;
        if (pread(v->fd, buf, (size_t)want * VAULT_SLOT, (off_t)i * VAULT_SLOT) !=
            (ssize_t)want * VAULT_SLOT) {
            snprintf(err, DX_ERRMSG, "cannot read %s: %s", v->path, strerror(errno));
            return DX_ERR_IO;
        }
        for (uint32_t j = 0; j < want; j++, i++) {
            const uint8_t *p = buf + (size_t)j * VAULT_SLOT;
            if (i == 0) {
                uint8_t h[VAULT_SLOT];
                s_header(p + 24, h);
                if (memcmp(p, h, VAULT_SLOT) != 0) {
                    snprintf(err, DX_ERRMSG, "%s is not a dx content key file, or is damaged", v->path);
                    return DX_ERR_INTEGRITY;
                }
                memcpy(id, p + 24, DX_MASTER_ID_LEN);
            } else if (!s_empty(p)) {
                v->state[i] = LIVE;
                v->live++;
            }
        }
    }
    v->nslots = n;
    v->hint = 1;
    return 0;
}

static int s_create(const char *path, const uint8_t id[DX_MASTER_ID_LEN], char err[DX_ERRMSG])
{
    uint8_t h[VAULT_SLOT];
    s_header(id, h);
    int rv = dx_write_atomic(path, h, sizeof h, 0600);
    if (rv != 0)
        snprintf(err, DX_ERRMSG, "cannot create %s: %s", path, dx_strerror(rv));
    return rv;
}

/* A rotation a crash interrupted: finished when the content keys are
 * already under the next key, undone otherwise. Read-only, nothing on disk
 * changes: the next key is taken as it is, and the broker's next start
 * finishes the rotation (so --check-config does not stop that start).
 * cur_err: why the current key did not load (v->master NULL). */
static int s_recover(vault_t *v, const uint8_t file_id[DX_MASTER_ID_LEN], bool readonly,
                     const char *cur_err, char err[DX_ERRMSG])
{
    char tmp[4200], kerr[DX_ERRMSG], want[DX_MASTER_ID_TEXT], have[DX_MASTER_ID_TEXT];
    char kept[DX_MASTER_PATH_MAX];
    dx_master_t *m = NULL;
    snprintf(tmp, sizeof tmp, "%s.new", v->path);
    if (!readonly && unlink(tmp) == 0)
        dx_fsync_parent(tmp);
    if (v->master && memcmp(file_id, v->id, DX_MASTER_ID_LEN) == 0)
        return readonly ? 0 : dx_master_drop_new(&v->loc);
    if (dx_master_load(&v->loc, DX_MASTER_NEW, NULL, &m, kerr) == 0) {
        uint8_t nid[DX_MASTER_ID_LEN];
        dx_master_get_id(m, nid);
        if (memcmp(nid, file_id, DX_MASTER_ID_LEN) == 0) {
            int rv = readonly ? 0 : dx_master_promote(&v->loc, v->master, m, kerr);
            if (rv != 0) {
                snprintf(err, DX_ERRMSG, "cannot finish the master key's rotation: %s", kerr);
                dx_master_free(&m);
                return rv;
            }
            dx_master_free(&v->master);
            v->master = m;
            memcpy(v->id, nid, sizeof nid);
            return 0;
        }
        dx_master_free(&m);
    }
    if (!v->master) {
        snprintf(err, DX_ERRMSG, "%s", cur_err);
        return DX_ERR_NOT_FOUND;
    }
    /* a store from before a rotation (a restored backup): its kept key */
    if (dx_master_load(&v->loc, DX_MASTER_KEPT, file_id, &m, kerr) == 0) {
        dx_master_free(&v->master);
        v->master = m;
        memcpy(v->id, file_id, DX_MASTER_ID_LEN);
        snprintf(v->kept, sizeof v->kept, "%s", dx_master_name(m));
        return 0;
    }
    dx_master_id_text(file_id, want);
    dx_master_id_text(v->id, have);
    dx_master_kept_name(&v->loc, file_id, kept);
    snprintf(err, DX_ERRMSG, "wrong master key: %s was sealed under master key %s, this is %s %s%s%s%s",
             v->path, want, have, v->loc.where ? "from " : "(", dx_master_name(v->master),
             v->loc.where ? ", and there is no kept key " : ")", v->loc.where ? kept : "");
    return DX_ERR_PERM;
}

int vault_open(const char *dir, const dx_master_loc_t *loc, bool readonly, bool *created, vault_t **out,
               char err[DX_ERRMSG])
{
    vault_t *v = calloc(1, sizeof *v);
    uint8_t file_id[DX_MASTER_ID_LEN];
    char cur_err[DX_ERRMSG];
    int rv = DX_ERR_NOMEM;
    *out = NULL;
    if (created)
        *created = false;
    if (!v) {
        snprintf(err, DX_ERRMSG, "out of memory");
        return rv;
    }
    v->fd = -1;
    v->readonly = readonly;
    v->loc = *loc;
    if (loc->where) {
        snprintf(v->where, sizeof v->where, "%s", loc->where);
        v->loc.where = v->where;
    }
    if (loc->p11) {
        v->p11 = *loc->p11;
        v->loc.p11 = &v->p11;
    }
    if ((size_t)snprintf(v->path, sizeof v->path, "%s/%s", dir, VAULT_FILE) >= sizeof v->path) {
        snprintf(err, DX_ERRMSG, "data directory path too long");
        rv = DX_ERR_INVALID;
        goto fail;
    }
    /* without a current key, only a rotation cut short may go on (a token
     * between its two relabels) */
    if ((rv = dx_master_load(&v->loc, DX_MASTER_CURRENT, NULL, &v->master, cur_err)) == 0)
        dx_master_get_id(v->master, v->id);
    else if (rv != DX_ERR_NOT_FOUND || !loc->where || access(v->path, F_OK) != 0) {
        snprintf(err, DX_ERRMSG, "%s", cur_err);
        goto fail;
    }
    if (!readonly && access(v->path, F_OK) != 0 && errno == ENOENT) {
        if ((rv = s_create(v->path, v->id, err)) != 0)
            goto fail;
        if (created)
            *created = true;
    }
    if ((v->fd = open(v->path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOFOLLOW)) < 0) {
        snprintf(err, DX_ERRMSG, "cannot open %s: %s", v->path, strerror(errno));
        rv = errno == ENOENT ? DX_ERR_NOT_FOUND : DX_ERR_IO;
        goto fail;
    }
    /* one writer: a move or a second broker on the same directory would
     * replace the file under the other's open descriptor */
    if (!readonly && flock(v->fd, LOCK_EX | LOCK_NB) != 0) {
        snprintf(err, DX_ERRMSG, "%s is in use by a running broker (or dx-admin): stop it first", v->path);
        rv = DX_ERR_BUSY;
        goto fail;
    }
    if ((rv = s_load(v, file_id, err)) != 0)
        goto fail;
    if ((rv = s_recover(v, file_id, readonly, cur_err, err)) != 0)
        goto fail;
    *out = v;
    return 0;
fail:
    vault_close(&v);
    return rv;
}

void vault_close(vault_t **v_p)
{
    vault_t *v = *v_p;
    if (!v)
        return;
    if (v->fd >= 0)
        close(v->fd);
    dx_master_free(&v->master);
    free(v->state);
    free(v);
    *v_p = NULL;
}

int vault_mark(vault_t *v, uint32_t slot)
{
    if (slot == 0 || slot >= v->nslots || v->state[slot] == FREE)
        return DX_ERR_NOT_FOUND;
    v->state[slot] = MARKED;
    return 0;
}

int vault_reap(vault_t *v, uint64_t *reaped)
{
    static const uint8_t zero[VAULT_SLOT];
    *reaped = 0;
    for (uint32_t i = 1; i < v->nslots; i++) {
        if (v->state[i] == LIVE) {
            int rv = s_pwrite(v, i, zero);
            if (rv != 0)
                return rv;
            v->state[i] = FREE;
            v->live--;
            (*reaped)++;
        }
        if (v->state[i] == MARKED)
            v->state[i] = LIVE;
    }
    return vault_sync(v);
}

int vault_create(vault_t *v, uint64_t blob, uint32_t *slot, uint8_t key[VAULT_KEY_LEN])
{
    uint8_t bytes[VAULT_SLOT];
    uint32_t i = v->hint ? v->hint : 1;
    int rv;
    if (v->readonly)
        return DX_ERR_INVALID;
    while (i < v->nslots && v->state[i] != FREE)
        i++;
    if ((rv = s_grow(v, i + 1)) != 0 || (rv = dx_random(key, VAULT_KEY_LEN)) != 0 ||
        (rv = s_seal(v->master, i, blob, key, bytes)) != 0 || (rv = s_pwrite(v, i, bytes)) != 0) {
        dx_wipe(key, VAULT_KEY_LEN);
        return rv;
    }
    v->state[i] = LIVE;
    v->live++;
    if (i >= v->nslots)
        v->nslots = i + 1;
    v->hint = i + 1;
    *slot = i;
    return 0;
}

int vault_slot_read(vault_t *v, uint32_t slot, uint8_t out[VAULT_SLOT])
{
    if (slot == 0 || slot >= v->nslots)
        return DX_ERR_INVALID;
    return pread(v->fd, out, VAULT_SLOT, (off_t)slot * VAULT_SLOT) == VAULT_SLOT ? 0 : DX_ERR_IO;
}

int vault_slot_write(vault_t *v, uint32_t slot, const uint8_t bytes[VAULT_SLOT])
{
    uint8_t key[VAULT_KEY_LEN];
    uint64_t blob;
    int rv;
    if (v->readonly || slot == 0 || slot > (1u << 30))
        return DX_ERR_INVALID;
    if ((rv = s_unseal(v->master, slot, bytes, &blob, key)) != 0)
        return DX_ERR_INTEGRITY; /* not sealed under this master key for this slot */
    dx_wipe(key, sizeof key);
    if ((rv = s_grow(v, slot + 1)) != 0 || (rv = s_pwrite(v, slot, bytes)) != 0)
        return rv;
    if (v->state[slot] == FREE)
        v->live++;
    v->state[slot] = LIVE;
    if (slot >= v->nslots)
        v->nslots = slot + 1;
    return 0;
}

int vault_sync(vault_t *v)
{
    if (!v->dirty)
        return 0;
    if (fdatasync(v->fd) != 0)
        return DX_ERR_IO;
    v->dirty = false;
    return 0;
}

int vault_key(vault_t *v, uint32_t slot, uint64_t blob, uint8_t key[VAULT_KEY_LEN])
{
    uint8_t bytes[VAULT_SLOT];
    uint64_t owner = 0;
    if (slot == 0)
        return DX_ERR_INVALID;
    ssize_t n = pread(v->fd, bytes, sizeof bytes, (off_t)slot * VAULT_SLOT);
    if (n == 0 || (n == VAULT_SLOT && s_empty(bytes)))
        return DX_ERR_NOT_FOUND;
    if (n != VAULT_SLOT)
        return DX_ERR_IO;
    int rv = s_unseal(v->master, slot, bytes, &owner, key);
    if (rv == 0 && owner != blob) {
        dx_wipe(key, VAULT_KEY_LEN);
        rv = DX_ERR_INTEGRITY;
    }
    return rv;
}

int vault_wipe(vault_t *v, uint32_t slot)
{
    static const uint8_t zero[VAULT_SLOT];
    if (slot == 0 || slot >= v->nslots)
        return DX_ERR_INVALID;
    int rv = s_pwrite(v, slot, zero);
    if (rv != 0)
        return rv;
    if (v->state[slot] != FREE)
        v->live--;
    v->state[slot] = FREE;
    if (slot < v->hint)
        v->hint = slot;
    return 0;
}

/* The new file: every live key rewrapped under next, synced. */
static int s_rewrap(vault_t *v, dx_master_t *next, const char *tmp,
                    uint32_t *count, char err[DX_ERRMSG])
{
    uint8_t nid[DX_MASTER_ID_LEN], in[VAULT_SLOT], outb[VAULT_SLOT], key[VAULT_KEY_LEN];
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600), rv = 0;
    if (fd < 0) {
        snprintf(err, DX_ERRMSG, "cannot create %s: %s", tmp, strerror(errno));
        return DX_ERR_IO;
    }
    dx_master_get_id(next, nid);
    s_header(nid, outb);
    *count = 0;
    for (uint32_t i = 0; rv == 0 && i < v->nslots; i++) {
        if (i > 0) {
            memset(outb, 0, sizeof outb);
            if (v->state[i] != FREE) {
                uint64_t blob = 0;
                if (pread(v->fd, in, sizeof in, (off_t)i * VAULT_SLOT) != VAULT_SLOT)
                    rv = DX_ERR_IO;
                else if ((rv = s_unseal(v->master, i, in, &blob, key)) == 0 &&
                         (rv = s_seal(next, i, blob, key, outb)) == 0)
                    (*count)++;
                dx_wipe(key, sizeof key);
                if (rv != 0) {
                    snprintf(err, DX_ERRMSG, "content key slot %u does not open (%s): nothing "
                             "rotated", i, dx_strerror(rv));
                    break;
                }
            }
        }
        if (pwrite(fd, outb, sizeof outb, (off_t)i * VAULT_SLOT) != VAULT_SLOT) {
            snprintf(err, DX_ERRMSG, "cannot write %s: %s", tmp, strerror(errno));
            rv = errno == ENOSPC ? DX_ERR_FULL : DX_ERR_IO;
        }
    }
    if (rv == 0 && fsync(fd) != 0) {
        snprintf(err, DX_ERRMSG, "cannot sync %s: %s", tmp, strerror(errno));
        rv = DX_ERR_IO;
    }
    close(fd);
    return rv;
}

/* Steps 2 and 3 of a rotation or a move: every content key under next in
 * a new file, renamed over the old one, which this vault then uses. */
static int s_replace(vault_t *v, dx_master_t *next, uint32_t *count, bool *renamed, char err[DX_ERRMSG])
{
    char tmp[4200];
    int rv, fd;
    *renamed = false;
    snprintf(tmp, sizeof tmp, "%s.new", v->path);
    if ((rv = s_rewrap(v, next, tmp, count, err)) == 0 && rename(tmp, v->path) != 0) {
        snprintf(err, DX_ERRMSG, "cannot replace %s: %s", v->path, strerror(errno));
        rv = DX_ERR_IO;
    }
    if (rv != 0) {
        unlink(tmp);
        return rv;
    }
    *renamed = true;
    dx_fsync_parent(v->path);
    if ((fd = open(v->path, O_RDWR | O_CLOEXEC | O_NOFOLLOW)) < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0) {
        /* the new file is on disk; a restart takes it up */
        snprintf(err, DX_ERRMSG, "cannot reopen %s: %s (restart the broker)", v->path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return DX_ERR_IO;
    }
    close(v->fd);
    v->fd = fd;
    return 0;
}

int vault_rotate(vault_t *v, uint32_t *count, char err[DX_ERRMSG])
{
    char kerr[DX_ERRMSG];
    dx_master_t *next = NULL;
    int rv;
    if (v->readonly)
        return DX_ERR_INVALID;
    if (!v->loc.where) {
        snprintf(err, DX_ERRMSG, "this broker derives its master key from its own key file (no "
                 "--master-key), so there is no key to replace");
        return DX_ERR_USAGE;
    }
    /* 1: the next key is durable (FILE.new, LABEL.new) before anything is
     * sealed under it; the current one stays where it is */
    if ((rv = dx_master_create(&v->loc, DX_MASTER_NEW, &next, err)) != 0)
        return rv;
    /* 2, 3: the content keys under it, in one rename */
    bool renamed;
    if ((rv = s_replace(v, next, count, &renamed, err)) != 0) {
        if (!renamed)
            dx_master_drop_new(&v->loc);
        dx_master_free(&next);
        return rv;
    }
    /* 4: the next key becomes the current one, the old ones kept; until
     * then vault_open finishes it */
    rv = dx_master_promote(&v->loc, v->master, next, kerr);
    dx_master_free(&v->master);
    v->master = next;
    dx_master_get_id(next, v->id);
    v->kept[0] = '\0';
    if (rv != 0) {
        snprintf(err, DX_ERRMSG, "%s (a restart finishes the rotation)", kerr);
        return rv;
    }
    return 0;
}

int vault_move(vault_t *v, const dx_master_loc_t *to, uint32_t *count, char err[DX_ERRMSG])
{
    dx_master_t *next = NULL;
    uint8_t nid[DX_MASTER_ID_LEN];
    char idtext[DX_MASTER_ID_TEXT];
    int rv;
    if (v->readonly || !to->where)
        return DX_ERR_INVALID;
    /* the target, made if it is not there yet (a move cut short made it
     * already: nothing is sealed under it but the file that was not renamed) */
    rv = dx_master_load(to, DX_MASTER_CURRENT, NULL, &next, err);
    if (rv == DX_ERR_NOT_FOUND)
        rv = dx_master_create(to, DX_MASTER_CURRENT, &next, err);
    if (rv != 0)
        return rv;
    dx_master_get_id(next, nid);
    if (memcmp(nid, v->id, sizeof nid) == 0) {
        dx_master_id_text(nid, idtext);
        snprintf(err, DX_ERRMSG, "%s is sealed under master key %s already (%s): nothing moved", v->path,
                 idtext, dx_master_name(next));
        dx_master_free(&next);
        return DX_ERR_EXISTS;
    }
    bool renamed;
    if ((rv = s_replace(v, next, count, &renamed, err)) != 0) {
        dx_master_free(&next);
        return rv;
    }
    dx_master_free(&v->master);
    v->master = next;
    memcpy(v->id, nid, sizeof nid);
    v->kept[0] = '\0';
    v->loc = *to;
    v->loc.where = to->where ? v->where : NULL;
    snprintf(v->where, sizeof v->where, "%s", to->where);
    if (to->p11) {
        v->p11 = *to->p11;
        v->loc.p11 = &v->p11;
    }
    return 0;
}

void vault_master_id(const vault_t *v, char out[DX_MASTER_ID_TEXT])
{
    dx_master_id_text(v->id, out);
}

uint32_t vault_count(const vault_t *v) { return v->live; }

const char *vault_kept(const vault_t *v) { return v->kept[0] ? v->kept : NULL; }

int vault_check(vault_t *v, uint32_t *opened, char err[DX_ERRMSG])
{
    uint8_t bytes[VAULT_SLOT], key[VAULT_KEY_LEN];
    *opened = 0;
    for (uint32_t i = 1; i < v->nslots; i++) {
        uint64_t blob = 0;
        if (v->state[i] == FREE)
            continue;
        if (pread(v->fd, bytes, sizeof bytes, (off_t)i * VAULT_SLOT) != VAULT_SLOT) {
            snprintf(err, DX_ERRMSG, "cannot read %s: %s", v->path, strerror(errno));
            return DX_ERR_IO;
        }
        int rv = s_unseal(v->master, i, bytes, &blob, key);
        dx_wipe(key, sizeof key);
        if (rv != 0) {
            snprintf(err, DX_ERRMSG, "content key slot %u of %s does not open: its content "
                     "cannot be read", i, v->path);
            return DX_ERR_INTEGRITY;
        }
        (*opened)++;
    }
    return 0;
}

int vault_file_id(const char *dir, uint8_t id[DX_MASTER_ID_LEN], char err[DX_ERRMSG])
{
    char path[4200];
    uint8_t p[VAULT_SLOT], h[VAULT_SLOT];
    snprintf(path, sizeof path, "%s/%s", dir, VAULT_FILE);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        snprintf(err, DX_ERRMSG, "cannot open %s: %s", path, strerror(errno));
        return errno == ENOENT ? DX_ERR_NOT_FOUND : DX_ERR_IO;
    }
    ssize_t n = pread(fd, p, sizeof p, 0);
    close(fd);
    if (n == VAULT_SLOT)
        s_header(p + 24, h);
    if (n != VAULT_SLOT || memcmp(p, h, VAULT_SLOT) != 0) {
        snprintf(err, DX_ERRMSG, "%s is not a dx content key file, or is damaged", path);
        return DX_ERR_INTEGRITY;
    }
    memcpy(id, p + 24, DX_MASTER_ID_LEN);
    return 0;
}

const char *vault_master_name(const vault_t *v) { return dx_master_name(v->master); }

bool vault_master_in_token(const vault_t *v) { return dx_master_in_token(v->master); }
