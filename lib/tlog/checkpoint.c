/* checkpoint: C2SP signed-note checkpoints, strictly parsed. */
#include "checkpoint.h"
#include "dxtime.h"
#include "encode.h"
#include "utf8.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char s_dash[] = "\xE2\x80\x94 "; /* U+2014 EM DASH and a space */

/* signed-note: a key name is "non-empty, well-formed UTF-8 containing
 * neither Unicode spaces nor plus (U+002B)", and a note holds no ASCII
 * control character but newline. The origin is both. */
bool dx_origin_valid(const char *origin)
{
    const uint8_t *p = (const uint8_t *)origin;
    size_t n = strlen(origin);
    if (n == 0 || n > DX_ORIGIN_MAX)
        return false;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = dx_utf8_next(p + i, n - i, &cp);
        if (k == 0 || cp < 0x20 || cp == '+' || dx_unicode_space(cp))
            return false;
        i += k;
    }
    return true;
}

/* A note's bytes: UTF-8, and no control character other than newline. */
static bool s_note_text_valid(const char *note, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)note[i] < 0x20 && note[i] != '\n')
            return false;
    return dx_utf8_valid((const uint8_t *)note, len);
}

static void s_key_id(const char *name, const uint8_t pub[DX_ED25519_LEN], uint8_t id[4])
{
    uint8_t buf[DX_ORIGIN_MAX + 2 + DX_ED25519_LEN], hash[DX_SHA256_LEN];
    size_t n = strlen(name);
    memcpy(buf, name, n);
    buf[n] = '\n';
    buf[n + 1] = 0x01; /* Ed25519 */
    memcpy(buf + n + 2, pub, DX_ED25519_LEN);
    if (dx_sha256(buf, n + 2 + DX_ED25519_LEN, hash) != 0)
        memset(hash, 0, sizeof hash);
    memcpy(id, hash, 4);
}

void dx_checkpoint_vkey(const char *name, const uint8_t pub[DX_ED25519_LEN], char out[256])
{
    uint8_t id[4], key[1 + DX_ED25519_LEN];
    char hex[9], b64[DX_BASE64_LEN(1 + DX_ED25519_LEN) + 1];
    s_key_id(name, pub, id);
    dx_hex_encode(id, 4, hex);
    key[0] = 0x01;
    memcpy(key + 1, pub, DX_ED25519_LEN);
    dx_base64_encode(key, sizeof key, b64);
    snprintf(out, 256, "%s+%s+%s", name, hex, b64);
}

static int s_body(const dx_checkpoint_t *c, char *out, size_t cap)
{
    char root[DX_BASE64_LEN(DX_HASH_LEN) + 1], leaf[DX_BASE64_LEN(DX_HASH_LEN) + 1] = "";
    char t[DX_TIME_TEXT];
    dx_base64_encode(c->root, DX_HASH_LEN, root);
    if (c->has_leaf)
        dx_base64_encode(c->leaf, DX_HASH_LEN, leaf);
    dx_time_format(c->time_ms, t);
    int n = snprintf(out, cap, "%s\n%llu\n%s\ntime %s\n%s%s%s", c->origin,
                     (unsigned long long)c->size, root, t, c->has_leaf ? "leaf " : "", leaf,
                     c->has_leaf ? "\n" : "");
    return n < 0 || (size_t)n >= cap ? -1 : n;
}

int dx_note_sign(const char *name, const dx_signer_t *signer, const char *text, size_t text_len,
                 char *out, size_t cap, size_t *len)
{
    uint8_t sig[4 + DX_SIG_LEN];
    char b64[DX_BASE64_LEN(sizeof sig) + 1];
    int rv;
    if (!dx_origin_valid(name) || text_len == 0 || text[text_len - 1] != '\n' || text_len >= cap)
        return DX_ERR_INVALID;
    if ((rv = dx_signer_sign(signer, NULL, text, text_len, sig + 4)) != 0)
        return rv;
    s_key_id(name, dx_signer_public(signer), sig);
    dx_base64_encode(sig, sizeof sig, b64);
    memmove(out, text, text_len);
    int n = snprintf(out + text_len, cap - text_len, "\n%s%s %s\n", s_dash, name, b64);
    if (n < 0 || (size_t)n >= cap - text_len)
        return DX_ERR_TOO_BIG;
    *len = text_len + (size_t)n;
    return 0;
}

int dx_note_open(const char *note, size_t len, const char *name, const uint8_t pub[DX_ED25519_LEN],
                 size_t *text_len)
{
    /* the text ends at the last blank line; signature lines follow it */
    if (len < 2 || len > DX_CHECKPOINT_MAX || note[len - 1] != '\n' || !s_note_text_valid(note, len))
        return DX_ERR_INTEGRITY;
    size_t split = 0;
    for (size_t i = 0; i + 1 < len; i++)
        if (note[i] == '\n' && note[i + 1] == '\n')
            split = i + 1;
    if (split == 0)
        return DX_ERR_INTEGRITY;
    uint8_t id[4];
    s_key_id(name, pub, id);
    size_t dl = strlen(s_dash), nl = strlen(name);
    for (size_t at = split + 1; at < len;) {
        const char *line = note + at, *end = memchr(line, '\n', len - at);
        size_t ll = (size_t)(end - line);
        if (ll < dl || memcmp(line, s_dash, dl) != 0)
            return DX_ERR_INTEGRITY;
        if (ll > dl + nl + 1 && memcmp(line + dl, name, nl) == 0 && line[dl + nl] == ' ') {
            char b64[DX_BASE64_LEN(4 + DX_SIG_LEN) + 1];
            size_t bl = ll - dl - nl - 1;
            uint8_t sig[4 + DX_SIG_LEN];
            if (bl < sizeof b64) {
                memcpy(b64, line + dl + nl + 1, bl);
                b64[bl] = '\0';
                if (dx_base64_decode(b64, sig, sizeof sig) == 0 && memcmp(sig, id, 4) == 0 &&
                    dx_verify(pub, NULL, note, split, sig + 4) == 0) {
                    *text_len = split;
                    return 0;
                }
            }
        }
        at += ll + 1;
    }
    return DX_ERR_INTEGRITY;
}

int dx_checkpoint_sign(const dx_checkpoint_t *c, const dx_signer_t *signer,
                       char out[DX_CHECKPOINT_MAX + 1], size_t *len)
{
    char body[DX_CHECKPOINT_MAX + 1];
    int n = s_body(c, body, sizeof body);
    if (n < 0)
        return DX_ERR_TOO_BIG;
    int rv = dx_note_sign(c->origin, signer, body, (size_t)n, out, DX_CHECKPOINT_MAX, len);
    if (rv == 0)
        out[*len] = '\0';
    return rv;
}

#define FAIL(...)                                  \
    do {                                           \
        snprintf(err, DX_ERRMSG, __VA_ARGS__);     \
        return DX_ERR_INTEGRITY;                   \
    } while (0)

int dx_checkpoint_open(const char *text, size_t len, const uint8_t pub[DX_ED25519_LEN],
                       dx_checkpoint_t *out, char err[DX_ERRMSG])
{
    char buf[DX_CHECKPOINT_MAX + 1];
    size_t body_len;
    memset(out, 0, sizeof *out);
    if (len == 0 || len > DX_CHECKPOINT_MAX)
        FAIL("not a checkpoint: bad size");
    const char *nl = memchr(text, '\n', len);
    if (!nl || (size_t)(nl - text) > DX_ORIGIN_MAX)
        FAIL("not a checkpoint: no origin line");
    memcpy(out->origin, text, (size_t)(nl - text));
    out->origin[nl - text] = '\0';
    /* the origin names the key that must have signed it */
    if (!dx_origin_valid(out->origin) || dx_note_open(text, len, out->origin, pub, &body_len) != 0)
        FAIL("the checkpoint is not signed by the broker's key");
    memcpy(buf, text, body_len);
    buf[body_len] = '\0';
    char *save = NULL, *origin = strtok_r(buf, "\n", &save), *size = strtok_r(NULL, "\n", &save);
    char *root = strtok_r(NULL, "\n", &save);
    if (!origin || !size || !root)
        FAIL("the checkpoint's body is malformed");
    char *end;
    unsigned long long n = strtoull(size, &end, 10);
    if (*end || end == size || size[0] == '-' || (size[0] == '0' && size[1]))
        FAIL("the checkpoint's size is malformed");
    out->size = n;
    if (dx_base64_decode(root, out->root, DX_HASH_LEN) != 0)
        FAIL("the checkpoint's root hash is malformed");
    for (char *ext; (ext = strtok_r(NULL, "\n", &save)) != NULL;) {
        if (strncmp(ext, "time ", 5) == 0 && dx_time_parse(ext + 5, &out->time_ms) != 0)
            FAIL("the checkpoint's time is malformed");
        if (strncmp(ext, "leaf ", 5) == 0) {
            if (dx_base64_decode(ext + 5, out->leaf, DX_HASH_LEN) != 0)
                FAIL("the checkpoint's leaf hash is malformed");
            out->has_leaf = true;
        }
    }
    return 0;
}
