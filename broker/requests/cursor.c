/* cursor: sealed continuation tokens (cursor.h). */
#include "cursor.h"
#include "err.h"

#include <string.h>

/* what the seal binds besides the position: the kind and the member */
static size_t s_aad(cursor_kind_t kind, const char *member, uint8_t out[64])
{
    size_t n = strnlen(member, 62);
    out[0] = (uint8_t)kind;
    memcpy(out + 1, member, n);
    return n + 1;
}

int cursor_key(const uint8_t sign_secret[DX_ED25519_LEN], uint8_t key[DX_AEAD_KEY_LEN])
{
    return dx_hkdf_sha256(sign_secret, DX_ED25519_LEN, "dx-cursor-v1", "continuation tokens", key,
                          DX_AEAD_KEY_LEN);
}

int cursor_seal(const uint8_t key[DX_AEAD_KEY_LEN], cursor_kind_t kind, const char *member,
                const void *pos, size_t len, uint8_t out[CURSOR_LEN])
{
    uint8_t plain[2 + CURSOR_POS_MAX] = { 0 }, aad[64];
    if (len > CURSOR_POS_MAX)
        return DX_ERR_TOO_BIG;
    plain[0] = (uint8_t)(len >> 8);
    plain[1] = (uint8_t)len;
    memcpy(plain + 2, pos, len);
    int rv = dx_random(out, DX_AEAD_NONCE_LEN);
    if (rv == 0)
        rv = dx_aead_seal(key, out, aad, s_aad(kind, member, aad), plain, sizeof plain,
                          out + DX_AEAD_NONCE_LEN, out + DX_AEAD_NONCE_LEN + sizeof plain);
    dx_wipe(plain, sizeof plain);
    return rv;
}

int cursor_open(const uint8_t key[DX_AEAD_KEY_LEN], cursor_kind_t kind, const char *member,
                const uint8_t *token, size_t token_len, uint8_t pos[CURSOR_POS_MAX], size_t *len)
{
    uint8_t plain[2 + CURSOR_POS_MAX], aad[64];
    if (token_len != CURSOR_LEN)
        return DX_ERR_INVALID;
    if (dx_aead_open(key, token, aad, s_aad(kind, member, aad), token + DX_AEAD_NONCE_LEN,
                     sizeof plain, token + DX_AEAD_NONCE_LEN + sizeof plain, plain) != 0)
        return DX_ERR_INVALID;
    size_t n = (size_t)plain[0] << 8 | plain[1];
    if (n > CURSOR_POS_MAX)
        return DX_ERR_INVALID;
    memcpy(pos, plain + 2, n);
    *len = n;
    dx_wipe(plain, sizeof plain);
    return 0;
}
