/* master_key: reading, writing and deriving the master key. */
#include "master_key.h"
#include "crypto.h"
#include "encode.h"
#include "fileio.h"

#include <stdio.h>
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

int dx_master_key_load(const char *path, const dx_keypair_t *broker, uint8_t key[DX_MASTER_KEY_LEN],
                       char err[DX_ERRMSG])
{
    if (path)
        return dx_master_key_read(path, key, err);
    if (broker->sign_uri[0]) {
        /* nothing secret of the signing key is here to derive it from */
        snprintf(err, DX_ERRMSG, "a broker whose signing key is in a token needs --master-key "
                 "(make one with dx-admin master-key new FILE)");
        return DX_ERR_USAGE;
    }
    int rv = dx_master_key_derive(broker, key);
    if (rv != 0)
        snprintf(err, DX_ERRMSG, "cannot derive the master key from the broker key of %s", broker->pub.id);
    return rv;
}

int dx_master_key_from_files(const char *master_path, const char *key_path,
                             uint8_t key[DX_MASTER_KEY_LEN], char err[DX_ERRMSG])
{
    if (master_path)
        return dx_master_key_read(master_path, key, err);
    dx_keypair_t k;
    int rv = dx_keys_read_secret(key_path, &k, err);
    if (rv == 0)
        rv = dx_master_key_load(NULL, &k, key, err);
    dx_keypair_wipe(&k);
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

void dx_master_key_kept_path(const char *master_path, const uint8_t id[DX_MASTER_ID_LEN],
                             char out[DX_MASTER_PATH_MAX])
{
    char text[DX_MASTER_ID_TEXT];
    dx_master_id_text(id, text);
    snprintf(out, DX_MASTER_PATH_MAX, "%s.%s", master_path, text);
}

int dx_master_key_keep(const char *master_path, const uint8_t key[DX_MASTER_KEY_LEN],
                       char err[DX_ERRMSG])
{
    char path[DX_MASTER_PATH_MAX];
    uint8_t id[DX_MASTER_ID_LEN], have[DX_MASTER_KEY_LEN];
    dx_master_key_id(key, id);
    dx_master_key_kept_path(master_path, id, path);
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

int dx_master_key_find_kept(const char *master_path, const uint8_t id[DX_MASTER_ID_LEN],
                            uint8_t key[DX_MASTER_KEY_LEN], char path[DX_MASTER_PATH_MAX])
{
    char err[DX_ERRMSG];
    uint8_t kid[DX_MASTER_ID_LEN];
    dx_master_key_kept_path(master_path, id, path);
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
