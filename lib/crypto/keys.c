/* keys: generation, text forms and files of member keys. */
#include "keys.h"
#include "pkcs11.h"
#include "encode.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

int dx_sign_key_parse(const char *text, uint8_t out[DX_ED25519_LEN])
{
    if (strncmp(text, "ed25519:", 8) != 0)
        return DX_ERR_INVALID;
    return dx_base64_decode(text + 8, out, DX_ED25519_LEN);
}

int dx_curve_key_parse(const char *text, uint8_t out[32])
{
    if (strncmp(text, "curve:", 6) != 0)
        return DX_ERR_INVALID;
    return dx_z85_decode32(text + 6, out);
}

void dx_sign_key_format(const uint8_t key[DX_ED25519_LEN], char out[DX_SIGN_TEXT])
{
    memcpy(out, "ed25519:", 8);
    dx_base64_encode(key, DX_ED25519_LEN, out + 8);
}

void dx_curve_key_format(const uint8_t key[32], char out[DX_CURVE_TEXT])
{
    memcpy(out, "curve:", 6);
    if (dx_z85_encode32(key, out + 6) != 0)
        out[6] = '\0';
}

int dx_keypair_generate(const char *id, dx_keypair_t *out)
{
    int rv;
    char pub_z85[41], sec_z85[41];
    memset(out, 0, sizeof *out);
    if (!dx_id_valid(id))
        return DX_ERR_INVALID;
    snprintf(out->pub.id, sizeof out->pub.id, "%s", id);
    if ((rv = dx_ed25519_keygen(out->sign_secret, out->pub.sign)) != 0)
        goto out;
    rv = DX_ERR_CRYPTO;
    if (zmq_curve_keypair(pub_z85, sec_z85) != 0)
        goto out;
    if (!zmq_z85_decode(out->pub.curve, pub_z85) || !zmq_z85_decode(out->curve_secret, sec_z85))
        goto out;
    rv = 0;
out:
    dx_wipe(sec_z85, sizeof sec_z85);
    if (rv != 0)
        dx_keypair_wipe(out);
    return rv;
}

void dx_keypair_wipe(dx_keypair_t *k) { dx_wipe(k, sizeof *k); }

int dx_keyfile_write(const char *path, mode_t mode, const char *text, char err[DX_ERRMSG])
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) {
        snprintf(err, DX_ERRMSG, "cannot create %s: %s", path, strerror(errno));
        return errno == EEXIST ? DX_ERR_EXISTS : DX_ERR_IO;
    }
    size_t len = strlen(text);
    int rv = 0;
    if (fchmod(fd, mode) != 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) != 0) {
        snprintf(err, DX_ERRMSG, "cannot write %s: %s", path, strerror(errno));
        rv = DX_ERR_IO;
    }
    if (close(fd) != 0 && rv == 0) {
        snprintf(err, DX_ERRMSG, "cannot write %s: %s", path, strerror(errno));
        rv = DX_ERR_IO;
    }
    if (rv != 0)
        unlink(path);
    return rv;
}

int dx_keys_write(const char *dir, const dx_keypair_t *k, char err[DX_ERRMSG])
{
    char key_path[4096], pub_path[4096], text[2048];
    char sign[DX_SIGN_TEXT], curve[DX_CURVE_TEXT], sign_s[512], curve_s[DX_CURVE_TEXT];
    int rv;
    int n1 = snprintf(key_path, sizeof key_path, "%s/%s.key", dir, k->pub.id);
    int n2 = snprintf(pub_path, sizeof pub_path, "%s/%s.pub", dir, k->pub.id);
    if (n1 < 0 || n2 < 0 || (size_t)n1 >= sizeof key_path || (size_t)n2 >= sizeof pub_path) {
        snprintf(err, DX_ERRMSG, "output directory path too long");
        return DX_ERR_INVALID;
    }
    if (access(key_path, F_OK) == 0 || access(pub_path, F_OK) == 0) {
        snprintf(err, DX_ERRMSG, "%s or %s already exists; refusing to overwrite a key",
                 key_path, pub_path);
        return DX_ERR_EXISTS;
    }
    dx_sign_key_format(k->pub.sign, sign);
    dx_curve_key_format(k->pub.curve, curve);
    if (k->sign_uri[0])
        snprintf(sign_s, sizeof sign_s, "%s", k->sign_uri);
    else
        dx_sign_key_format(k->sign_secret, sign_s);
    dx_curve_key_format(k->curve_secret, curve_s);
    snprintf(text, sizeof text,
             "# dx secret key of member %s. Keep it secret: mode 0600, never copied to\n"
             "# another member, never logged. Its public half is %s.pub.\n"
             "id: %s\nsign_key: \"%s\"\ntransport_key: \"%s\"\n"
             "sign_secret: \"%s\"\ntransport_secret: \"%s\"\n",
             k->pub.id, k->pub.id, k->pub.id, sign, curve, sign_s, curve_s);
    rv = dx_keyfile_write(key_path, 0600, text, err);
    dx_wipe(text, sizeof text);
    dx_wipe(sign_s, sizeof sign_s);
    dx_wipe(curve_s, sizeof curve_s);
    if (rv != 0)
        return rv;
    snprintf(text, sizeof text,
             "# dx public keys of member %s\nid: %s\nsign_key: \"%s\"\ntransport_key: \"%s\"\n",
             k->pub.id, k->pub.id, sign, curve);
    if ((rv = dx_keyfile_write(pub_path, 0644, text, err)) != 0)
        unlink(key_path);
    return rv;
}

enum { F_ID = 1, F_SIGN = 2, F_CURVE = 4, F_SIGN_S = 8, F_CURVE_S = 16 };

/* Parses "name: value" lines; value may be double-quoted. */
static int s_parse(const char *path, char *text, dx_keypair_t *out, int *seen, char err[DX_ERRMSG])
{
    int line = 0;
    for (char *l = text, *next; l; l = next) {
        next = strchr(l, '\n');
        if (next)
            *next++ = '\0';
        line++;
        size_t n = strlen(l);
        if (n && l[n - 1] == '\r')
            l[--n] = '\0';
        while (*l == ' ' || *l == '\t')
            l++;
        if (*l == '\0' || *l == '#')
            continue;
        char *colon = strchr(l, ':');
        if (!colon) {
            snprintf(err, DX_ERRMSG, "%s: line %d: expected 'name: value'", path, line);
            return DX_ERR_INVALID;
        }
        *colon = '\0';
        char *v = colon + 1;
        while (*v == ' ')
            v++;
        size_t vn = strlen(v);
        while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
            v[--vn] = '\0';
        if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"') {
            v[vn - 1] = '\0';
            v++;
        }
        int flag, rv = 0;
        if (strcmp(l, "id") == 0) {
            flag = F_ID;
            if (!dx_id_valid(v))
                rv = DX_ERR_INVALID;
            else
                snprintf(out->pub.id, sizeof out->pub.id, "%s", v);
        } else if (strcmp(l, "sign_key") == 0) {
            flag = F_SIGN;
            rv = dx_sign_key_parse(v, out->pub.sign);
        } else if (strcmp(l, "transport_key") == 0) {
            flag = F_CURVE;
            rv = dx_curve_key_parse(v, out->pub.curve);
        } else if (strcmp(l, "sign_secret") == 0) {
            flag = F_SIGN_S;
            if (dx_pkcs11_is_uri(v)) {
                if (strlen(v) >= sizeof out->sign_uri)
                    rv = DX_ERR_INVALID;
                else
                    snprintf(out->sign_uri, sizeof out->sign_uri, "%s", v);
            } else {
                rv = dx_sign_key_parse(v, out->sign_secret);
            }
        } else if (strcmp(l, "transport_secret") == 0) {
            flag = F_CURVE_S;
            rv = dx_curve_key_parse(v, out->curve_secret);
        } else {
            snprintf(err, DX_ERRMSG, "%s: line %d: unknown field '%.40s'", path, line, l);
            return DX_ERR_INVALID;
        }
        if (*seen & flag) {
            snprintf(err, DX_ERRMSG, "%s: line %d: duplicate field '%s'", path, line, l);
            return DX_ERR_INVALID;
        }
        if (rv != 0) {
            snprintf(err, DX_ERRMSG, "%s: line %d: malformed value of '%s'", path, line, l);
            return DX_ERR_INVALID;
        }
        *seen |= flag;
    }
    return 0;
}

/* Reads a whole small key file; secret files must be private. */
int dx_keyfile_read(const char *path, bool secret, char buf[DX_KEYFILE_MAX + 1], char err[DX_ERRMSG])
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, DX_ERRMSG, "cannot open key file %s: %s", path,
                 errno == ELOOP ? "it is a symbolic link" : strerror(errno));
        return errno == ENOENT ? DX_ERR_NOT_FOUND : DX_ERR_IO;
    }
    struct stat st;
    int rv = 0;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, DX_ERRMSG, "key file %s is not a regular file", path);
        rv = DX_ERR_INVALID;
        goto out;
    }
    if (secret && (st.st_mode & 077)) {
        snprintf(err, DX_ERRMSG,
                 "key file %s is readable by group or others (mode %04o); run: chmod 600 %s",
                 path, (unsigned)(st.st_mode & 07777), path);
        rv = DX_ERR_PERM;
        goto out;
    }
    if (st.st_size > DX_KEYFILE_MAX) {
        snprintf(err, DX_ERRMSG, "key file %s is larger than %d bytes", path, DX_KEYFILE_MAX);
        rv = DX_ERR_TOO_BIG;
        goto out;
    }
    ssize_t n = read(fd, buf, DX_KEYFILE_MAX + 1);
    if (n < 0 || n > DX_KEYFILE_MAX) {
        snprintf(err, DX_ERRMSG, "cannot read key file %s", path);
        rv = DX_ERR_IO;
        goto out;
    }
    buf[n] = '\0';
    if (memchr(buf, '\0', (size_t)n)) {
        snprintf(err, DX_ERRMSG, "key file %s is not text", path);
        rv = DX_ERR_INVALID;
    }
out:
    close(fd);
    return rv;
}

int dx_keys_read_secret(const char *path, dx_keypair_t *out, char err[DX_ERRMSG])
{
    char buf[DX_KEYFILE_MAX + 1];
    int seen = 0, rv;
    uint8_t check[32];
    char z85_sec[41], z85_pub[41];
    memset(out, 0, sizeof *out);
    if ((rv = dx_keyfile_read(path, true, buf, err)) != 0)
        goto out;
    if ((rv = s_parse(path, buf, out, &seen, err)) != 0)
        goto out;
    if (seen != (F_ID | F_SIGN | F_CURVE | F_SIGN_S | F_CURVE_S)) {
        snprintf(err, DX_ERRMSG, "%s is not a dx secret key file (id, sign_key, transport_key, "
                 "sign_secret and transport_secret are needed)", path);
        rv = DX_ERR_INVALID;
        goto out;
    }
    /* A secret that does not match its public key means a damaged file
     * (a token's key is checked against it when it is opened). */
    rv = DX_ERR_INVALID;
    if (!out->sign_uri[0] && (dx_ed25519_public(out->sign_secret, check) != 0 ||
                              !dx_equal(check, out->pub.sign, 32))) {
        snprintf(err, DX_ERRMSG, "%s: sign_secret does not match sign_key", path);
        goto out;
    }
    if (!zmq_z85_encode(z85_sec, out->curve_secret, 32) ||
        zmq_curve_public(z85_pub, z85_sec) != 0 || !zmq_z85_decode(check, z85_pub) ||
        !dx_equal(check, out->pub.curve, 32)) {
        snprintf(err, DX_ERRMSG, "%s: transport_secret does not match transport_key", path);
        goto out;
    }
    rv = 0;
out:
    dx_wipe(buf, sizeof buf);
    dx_wipe(z85_sec, sizeof z85_sec);
    if (rv != 0)
        dx_keypair_wipe(out);
    return rv;
}

int dx_keys_read_public(const char *path, dx_pubkeys_t *out, char err[DX_ERRMSG])
{
    char buf[DX_KEYFILE_MAX + 1];
    dx_keypair_t k;
    int seen = 0, rv;
    memset(&k, 0, sizeof k);
    if ((rv = dx_keyfile_read(path, false, buf, err)) != 0)
        goto out;
    if ((rv = s_parse(path, buf, &k, &seen, err)) != 0)
        goto out;
    if ((seen & (F_ID | F_SIGN | F_CURVE)) != (F_ID | F_SIGN | F_CURVE)) {
        snprintf(err, DX_ERRMSG, "%s is not a dx public key file (id, sign_key and "
                 "transport_key are needed)", path);
        rv = DX_ERR_INVALID;
        goto out;
    }
    *out = k.pub;
out:
    dx_wipe(buf, sizeof buf);
    dx_keypair_wipe(&k);
    return rv;
}

int dx_keys_write_token(const char *dir, const char *id, const char *uri,
                        const uint8_t pub[DX_ED25519_LEN], char err[DX_ERRMSG])
{
    dx_keypair_t k;
    int rv = dx_keypair_generate(id, &k);
    if (rv != 0) {
        snprintf(err, DX_ERRMSG, "cannot make a transport key");
        return rv;
    }
    if (strlen(uri) >= sizeof k.sign_uri || strchr(uri, '"') || strchr(uri, '\n')) {
        dx_keypair_wipe(&k);
        snprintf(err, DX_ERRMSG, "the PKCS#11 URI is too long or has quotes or new lines");
        return DX_ERR_INVALID;
    }
    memcpy(k.pub.sign, pub, DX_ED25519_LEN);
    dx_wipe(k.sign_secret, sizeof k.sign_secret);
    snprintf(k.sign_uri, sizeof k.sign_uri, "%s", uri);
    rv = dx_keys_write(dir, &k, err);
    dx_keypair_wipe(&k);
    return rv;
}

int dx_keypair_signer(const dx_keypair_t *k, const struct dx_pkcs11_conf *conf, dx_signer_t **out,
                      char err[DX_ERRMSG])
{
    if (!k->sign_uri[0]) {
        int rv = dx_signer_new(k->sign_secret, out);
        if (rv != 0)
            snprintf(err, DX_ERRMSG, "cannot load the signing key");
        return rv;
    }
    int rv = dx_pkcs11_signer(conf, k->sign_uri, out, err);
    if (rv == 0 && !dx_equal(dx_signer_public(*out), k->pub.sign, DX_ED25519_LEN)) {
        snprintf(err, DX_ERRMSG, "the token's key %.200s is not the sign_key of member %s's key file",
                 k->sign_uri, k->pub.id);
        dx_signer_destroy(out);
        rv = DX_ERR_INVALID;
    }
    return rv;
}
