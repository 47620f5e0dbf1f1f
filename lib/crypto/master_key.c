/* master_key: reading, writing and deriving the master key. */
#include "master_key.h"
#include "crypto.h"
#include "encode.h"
#include "fileio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PREFIX "master_key: \"aes256:"

int dx_master_key_read(const char *path, uint8_t key[DX_MASTER_KEY_LEN], char err[DX_ERRMSG])
{
    char buf[DX_KEYFILE_MAX + 1];
    int rv = dx_keyfile_read(path, true, buf, err);
    if (rv != 0) {
        if (rv == DX_ERR_NOT_FOUND || rv == DX_ERR_IO) /* say which key it is */
            snprintf(err, DX_ERRMSG, "cannot read the master key %s: %s", path,
                     rv == DX_ERR_NOT_FOUND ? "no such file (make one with: dx-admin master-key new FILE)"
                                            : "unreadable");
        goto out;
    }
    char *v = buf;
    while (*v == '#') { /* comment lines */
        char *nl = strchr(v, '\n');
        v = nl ? nl + 1 : v + strlen(v);
    }
    size_t plen = strlen(PREFIX);
    char *end = strncmp(v, PREFIX, plen) == 0 ? strchr(v + plen, '"') : NULL;
    rv = DX_ERR_INVALID;
    if (end && (end[1] == '\n' || end[1] == '\0') && (end[1] == '\0' || end[2] == '\0')) {
        *end = '\0';
        if (strlen(v + plen) == 44 && dx_base64_decode(v + plen, key, DX_MASTER_KEY_LEN) == 0)
            rv = 0;
    }
    if (rv != 0)
        snprintf(err, DX_ERRMSG, "%s is not a dx master key file (one line: master_key: "
                 "\"aes256:BASE64\")", path);
out:
    dx_wipe(buf, sizeof buf);
    return rv;
}

int dx_master_key_write(const char *path, const uint8_t key[DX_MASTER_KEY_LEN], bool replace,
                        char err[DX_ERRMSG])
{
    char b64[64], text[160];
    dx_base64_encode(key, DX_MASTER_KEY_LEN, b64);
    int n = snprintf(text, sizeof text,
                     "# dx master key: keep it apart from the data directory and its backups\n"
                     PREFIX "%s\"\n", b64);
    int rv;
    if (!replace) {
        rv = dx_keyfile_write(path, 0600, text, err);
        if (rv == 0 && (rv = dx_fsync_parent(path)) != 0)
            snprintf(err, DX_ERRMSG, "cannot write %s: directory not synced", path);
    } else if ((rv = dx_write_atomic(path, text, (size_t)n, 0600)) != 0) {
        snprintf(err, DX_ERRMSG, "cannot write %s: %s", path, dx_strerror(rv));
    }
    dx_wipe(b64, sizeof b64);
    dx_wipe(text, sizeof text);
    return rv;
}

int dx_master_key_derive(const dx_keypair_t *broker, uint8_t key[DX_MASTER_KEY_LEN])
{
    uint8_t ikm[64];
    memcpy(ikm, broker->sign_secret, 32);
    memcpy(ikm + 32, broker->curve_secret, 32);
    int rv = dx_hkdf_sha256(ikm, sizeof ikm, "dx-master-key-v1", broker->pub.id, key,
                            DX_MASTER_KEY_LEN);
    dx_wipe(ikm, sizeof ikm);
    return rv;
}

static int s_load_bytes(const char *path, const dx_keypair_t *broker, uint8_t key[DX_MASTER_KEY_LEN],
                       char err[DX_ERRMSG])
{
    if (path)
        return dx_master_key_read(path, key, err);
    if (broker->sign_uri[0]) {
        /* nothing secret of the signing key is here to derive it from */
        snprintf(err, DX_ERRMSG, "a broker whose signing key is in a token needs --master-key "
                 "(make one with dx-admin master-key new FILE, or new URI for the token)");
        return DX_ERR_USAGE;
    }
    int rv = dx_master_key_derive(broker, key);
    if (rv != 0)
        snprintf(err, DX_ERRMSG, "cannot derive the master key from the broker key of %s", broker->pub.id);
    return rv;
}

void dx_master_key_id(const uint8_t key[DX_MASTER_KEY_LEN], uint8_t id[DX_MASTER_ID_LEN])
{
    static const char label[] = "dx-master-key-id-v1";
    uint8_t in[sizeof label - 1 + DX_MASTER_KEY_LEN], h[DX_SHA256_LEN];
    memcpy(in, label, sizeof label - 1);
    memcpy(in + sizeof label - 1, key, DX_MASTER_KEY_LEN);
    if (dx_sha256(in, sizeof in, h) != 0)
        memset(h, 0, sizeof h);
    memcpy(id, h, DX_MASTER_ID_LEN);
    dx_wipe(in, sizeof in);
}

void dx_master_id_text(const uint8_t id[DX_MASTER_ID_LEN], char out[DX_MASTER_ID_TEXT])
{
    dx_hex_encode(id, DX_MASTER_ID_LEN, out);
}

static void s_kept_path(const char *master_path, const uint8_t id[DX_MASTER_ID_LEN],
                             char out[DX_MASTER_PATH_MAX])
{
    char text[DX_MASTER_ID_TEXT];
    dx_master_id_text(id, text);
    snprintf(out, DX_MASTER_PATH_MAX, "%s.%s", master_path, text);
}

static int s_keep(const char *master_path, const uint8_t key[DX_MASTER_KEY_LEN],
                       char err[DX_ERRMSG])
{
    char path[DX_MASTER_PATH_MAX];
    uint8_t id[DX_MASTER_ID_LEN], have[DX_MASTER_KEY_LEN];
    dx_master_key_id(key, id);
    s_kept_path(master_path, id, path);
    if (access(path, F_OK) == 0) {
        /* kept before (a rotation that a crash interrupted): it must be this key */
        int rv = dx_master_key_read(path, have, err);
        bool same = rv == 0 && dx_equal(have, key, DX_MASTER_KEY_LEN);
        dx_wipe(have, sizeof have);
        if (rv == 0 && !same) {
            snprintf(err, DX_ERRMSG, "%s holds another key than its name says: move it away", path);
            rv = DX_ERR_INTEGRITY;
        }
        return rv;
    }
    return dx_master_key_write(path, key, false, err);
}

static int s_find_kept(const char *master_path, const uint8_t id[DX_MASTER_ID_LEN],
                            uint8_t key[DX_MASTER_KEY_LEN], char path[DX_MASTER_PATH_MAX])
{
    char err[DX_ERRMSG];
    uint8_t kid[DX_MASTER_ID_LEN];
    s_kept_path(master_path, id, path);
    if (access(path, F_OK) != 0)
        return DX_ERR_NOT_FOUND;
    int rv = dx_master_key_read(path, key, err);
    if (rv != 0)
        return rv;
    dx_master_key_id(key, kid);
    if (memcmp(kid, id, DX_MASTER_ID_LEN) != 0) {
        dx_wipe(key, DX_MASTER_KEY_LEN);
        return DX_ERR_INTEGRITY;
    }
    return 0;
}

/* The key objects. */

struct dx_master {
    uint8_t key[DX_MASTER_KEY_LEN];   /* a file's or derived key */
    dx_pkcs11_aes_t *aes;             /* or a token's */
    uint8_t id[DX_MASTER_ID_LEN];
    char name[DX_MASTER_PATH_MAX];
};

static const char s_id2[] = "dx-master-key-id-v2";

static bool s_token(const dx_master_loc_t *loc) { return dx_pkcs11_is_uri(loc->where); }

static int s_new(dx_master_t **out, char err[DX_ERRMSG])
{
    if (!(*out = calloc(1, sizeof **out))) {
        snprintf(err, DX_ERRMSG, "out of memory for the master key");
        return DX_ERR_NOMEM;
    }
    return 0;
}

static int s_from_bytes(const uint8_t key[DX_MASTER_KEY_LEN], const char *name, dx_master_t **out,
                        char err[DX_ERRMSG])
{
    int rv = s_new(out, err);
    if (rv == 0) {
        memcpy((*out)->key, key, DX_MASTER_KEY_LEN);
        dx_master_key_id(key, (*out)->id);
        snprintf((*out)->name, sizeof (*out)->name, "%s", name);
    }
    return rv;
}

/* A token key's id: a check value, the key cannot be hashed. */
static int s_from_token(dx_pkcs11_aes_t *aes, dx_master_t **out, char err[DX_ERRMSG])
{
    uint8_t nonce[DX_AEAD_NONCE_LEN] = { 0 }, zero[16] = { 0 }, in[sizeof s_id2 - 1 + 32], h[DX_SHA256_LEN];
    int rv = dx_pkcs11_aes_gcm(aes, true, nonce, s_id2, sizeof s_id2 - 1, zero, sizeof zero,
                               in + sizeof s_id2 - 1, in + sizeof s_id2 - 1 + 16);
    memcpy(in, s_id2, sizeof s_id2 - 1);
    if (rv == 0)
        rv = dx_sha256(in, sizeof in, h);
    if (rv != 0) {
        snprintf(err, DX_ERRMSG, "%s does not encrypt with AES-GCM: %s", dx_pkcs11_aes_name(aes), dx_strerror(rv));
        dx_pkcs11_aes_free(&aes);
        return rv;
    }
    if ((rv = s_new(out, err)) != 0) {
        dx_pkcs11_aes_free(&aes);
        return rv;
    }
    (*out)->aes = aes;
    memcpy((*out)->id, h, DX_MASTER_ID_LEN);
    snprintf((*out)->name, sizeof (*out)->name, "%s", dx_pkcs11_aes_name(aes));
    return 0;
}

static const char *s_suffix(dx_master_which_t which, const uint8_t id[DX_MASTER_ID_LEN],
                            char buf[DX_MASTER_ID_TEXT])
{
    if (which == DX_MASTER_NEW)
        return "new";
    if (which == DX_MASTER_KEPT) {
        dx_master_id_text(id, buf);
        return buf;
    }
    return NULL;
}

int dx_master_load(const dx_master_loc_t *loc, dx_master_which_t which, const uint8_t id[DX_MASTER_ID_LEN],
                   dx_master_t **out, char err[DX_ERRMSG])
{
    uint8_t key[DX_MASTER_KEY_LEN];
    char path[DX_MASTER_PATH_MAX], idtext[DX_MASTER_ID_TEXT];
    int rv;
    *out = NULL;
    if (s_token(loc)) {
        dx_pkcs11_aes_t *aes = NULL;
        if ((rv = dx_pkcs11_aes_open(loc->p11, loc->where, s_suffix(which, id, idtext), &aes, err)) != 0)
            return rv;
        if ((rv = s_from_token(aes, out, err)) == 0 && which == DX_MASTER_KEPT &&
            memcmp((*out)->id, id, DX_MASTER_ID_LEN) != 0) {
            snprintf(err, DX_ERRMSG, "%s is not the key its label names", (*out)->name);
            dx_master_free(out);
            rv = DX_ERR_INTEGRITY;
        }
        return rv;
    }
    if (!loc->where) {
        if (which != DX_MASTER_CURRENT)
            return DX_ERR_NOT_FOUND;
        if (loc->key)
            return s_from_bytes(loc->key, "given", out, err);
        if (!loc->broker)
            return DX_ERR_INVALID;
        if ((rv = s_load_bytes(NULL, loc->broker, key, err)) == 0)
            rv = s_from_bytes(key, "derived from the broker key", out, err);
        dx_wipe(key, sizeof key);
        return rv;
    }
    if (which == DX_MASTER_KEPT) {
        rv = s_find_kept(loc->where, id, key, path);
    } else {
        snprintf(path, sizeof path, "%s%s", loc->where, which == DX_MASTER_NEW ? ".new" : "");
        rv = which == DX_MASTER_NEW && access(path, F_OK) != 0 ? DX_ERR_NOT_FOUND
                                                                : dx_master_key_read(path, key, err);
    }
    if (rv == 0)
        rv = s_from_bytes(key, path, out, err);
    dx_wipe(key, sizeof key);
    return rv;
}

int dx_master_create(const dx_master_loc_t *loc, dx_master_which_t which, dx_master_t **out,
                     char err[DX_ERRMSG])
{
    uint8_t key[DX_MASTER_KEY_LEN];
    char path[DX_MASTER_PATH_MAX];
    int rv;
    *out = NULL;
    if (s_token(loc)) {
        dx_pkcs11_aes_t *aes = NULL;
        rv = dx_pkcs11_aes_generate(loc->p11, loc->where, which == DX_MASTER_NEW ? "new" : NULL,
                                    which == DX_MASTER_NEW, &aes, err);
        return rv == 0 ? s_from_token(aes, out, err) : rv;
    }
    if (!loc->where || which == DX_MASTER_KEPT) {
        snprintf(err, DX_ERRMSG, "a derived master key has no file to replace");
        return DX_ERR_USAGE;
    }
    snprintf(path, sizeof path, "%s%s", loc->where, which == DX_MASTER_NEW ? ".new" : "");
    if ((rv = dx_random(key, sizeof key)) == 0 &&
        (rv = dx_master_key_write(path, key, which == DX_MASTER_NEW, err)) == 0)
        rv = s_from_bytes(key, path, out, err);
    dx_wipe(key, sizeof key);
    return rv;
}

int dx_master_promote(const dx_master_loc_t *loc, const dx_master_t *in_use, dx_master_t *next,
                      char err[DX_ERRMSG])
{
    dx_master_t *cur = NULL;
    char cerr[DX_ERRMSG], idtext[DX_MASTER_ID_TEXT];
    int rv = 0;
    if (s_token(loc)) {
        /* the current key relabelled LABEL.<id> first: a crash between the
         * two relabels leaves no LABEL, and vault_open takes LABEL.new */
        if (dx_master_load(loc, DX_MASTER_CURRENT, NULL, &cur, cerr) == 0 &&
            memcmp(cur->id, next->id, DX_MASTER_ID_LEN) != 0) {
            dx_master_id_text(cur->id, idtext);
            rv = dx_pkcs11_aes_relabel(cur->aes, idtext, err);
        }
        dx_master_free(&cur);
        if (rv == 0 && (rv = dx_pkcs11_aes_relabel(next->aes, NULL, err)) == 0)
            snprintf(next->name, sizeof next->name, "%s", dx_pkcs11_aes_name(next->aes));
        return rv;
    }
    char newpath[DX_MASTER_PATH_MAX];
    if (in_use && !in_use->aes && (rv = s_keep(loc->where, in_use->key, err)) != 0)
        return rv;
    if (dx_master_load(loc, DX_MASTER_CURRENT, NULL, &cur, cerr) == 0) {
        rv = memcmp(cur->id, next->id, DX_MASTER_ID_LEN) != 0 ? s_keep(loc->where, cur->key, err) : 0;
        dx_master_free(&cur);
        if (rv != 0)
            return rv;
    }
    snprintf(newpath, sizeof newpath, "%s.new", loc->where);
    if (rename(newpath, loc->where) != 0 || dx_fsync_parent(loc->where) != 0) {
        snprintf(err, DX_ERRMSG, "cannot replace %s: %s", loc->where, strerror(errno));
        return DX_ERR_IO;
    }
    snprintf(next->name, sizeof next->name, "%s", loc->where);
    return 0;
}

int dx_master_drop_new(const dx_master_loc_t *loc)
{
    char err[DX_ERRMSG], path[DX_MASTER_PATH_MAX];
    if (s_token(loc)) {
        dx_pkcs11_aes_t *aes = NULL;
        if (dx_pkcs11_aes_open(loc->p11, loc->where, "new", &aes, err) != 0)
            return 0;
        return dx_pkcs11_aes_destroy(&aes, err);
    }
    if (!loc->where)
        return 0;
    snprintf(path, sizeof path, "%s.new", loc->where);
    if (unlink(path) == 0)
        dx_fsync_parent(path);
    return 0;
}

int dx_master_retire(const dx_master_loc_t *loc, const uint8_t id[DX_MASTER_ID_LEN],
                     char name[DX_MASTER_PATH_MAX], char err[DX_ERRMSG])
{
    dx_master_t *m = NULL;
    dx_master_kept_name(loc, id, name);
    int rv = dx_master_load(loc, DX_MASTER_KEPT, id, &m, err);
    if (rv == DX_ERR_NOT_FOUND)
        snprintf(err, DX_ERRMSG, "there is no kept key %s", name);
    if (rv != 0)
        return rv;
    if (m->aes) {
        rv = dx_pkcs11_aes_destroy(&m->aes, err);
    } else if (unlink(name) != 0 || dx_fsync_parent(name) != 0) {
        snprintf(err, DX_ERRMSG, "cannot remove %s: %s", name, strerror(errno));
        rv = DX_ERR_IO;
    }
    dx_master_free(&m);
    return rv;
}

void dx_master_kept_name(const dx_master_loc_t *loc, const uint8_t id[DX_MASTER_ID_LEN],
                         char out[DX_MASTER_PATH_MAX])
{
    char idtext[DX_MASTER_ID_TEXT], label[300];
    dx_master_id_text(id, idtext);
    if (s_token(loc) && dx_pkcs11_aes_label(loc->where, idtext, label, sizeof label) == 0)
        snprintf(out, DX_MASTER_PATH_MAX, "the token's key %s", label);
    else if (loc->where)
        s_kept_path(loc->where, id, out);
    else
        snprintf(out, DX_MASTER_PATH_MAX, "(none: the key is derived)");
}

void dx_master_get_id(const dx_master_t *m, uint8_t id[DX_MASTER_ID_LEN])
{
    memcpy(id, m->id, DX_MASTER_ID_LEN);
}

const char *dx_master_name(const dx_master_t *m) { return m->name; }

bool dx_master_in_token(const dx_master_t *m) { return m->aes != NULL; }

int dx_master_seal(dx_master_t *m, const uint8_t nonce[DX_AEAD_NONCE_LEN], const void *aad,
                   size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
                   uint8_t tag[DX_AEAD_TAG_LEN])
{
    if (m->aes)
        return dx_pkcs11_aes_gcm(m->aes, true, nonce, aad, aad_len, in, len, out, tag);
    return dx_aead_seal(m->key, nonce, aad, aad_len, in, len, out, tag);
}

int dx_master_open(dx_master_t *m, const uint8_t nonce[DX_AEAD_NONCE_LEN], const void *aad,
                   size_t aad_len, const uint8_t *in, size_t len, const uint8_t tag[DX_AEAD_TAG_LEN],
                   uint8_t *out)
{
    if (m->aes)
        return dx_pkcs11_aes_gcm(m->aes, false, nonce, aad, aad_len, in, len, out, (uint8_t *)tag);
    return dx_aead_open(m->key, nonce, aad, aad_len, in, len, tag, out);
}

void dx_master_free(dx_master_t **m_p)
{
    dx_master_t *m = *m_p;
    if (!m)
        return;
    dx_pkcs11_aes_free(&m->aes);
    dx_wipe(m->key, sizeof m->key);
    free(m);
    *m_p = NULL;
}
