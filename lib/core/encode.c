/* encode: strict text encodings for keys, hashes and signatures. */
#include "encode.h"
#include "err.h"

#include <string.h>
#include <zmq.h>

static const char s_hex[] = "0123456789abcdef";

void dx_hex_encode(const uint8_t *data, size_t len, char *out)
{
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = s_hex[data[i] >> 4];
        out[2 * i + 1] = s_hex[data[i] & 15];
    }
    out[2 * len] = '\0';
}

static int s_hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int dx_hex_decode(const char *text, uint8_t *out, size_t out_len)
{
    if (strlen(text) != 2 * out_len)
        return DX_ERR_INVALID;
    for (size_t i = 0; i < out_len; i++) {
        int hi = s_hex_value(text[2 * i]), lo = s_hex_value(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return DX_ERR_INVALID;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

static const char s_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void dx_base64_encode(const uint8_t *data, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16;
        if (i + 1 < len) v |= (uint32_t)data[i + 1] << 8;
        if (i + 2 < len) v |= data[i + 2];
        out[o++] = s_b64[(v >> 18) & 63];
        out[o++] = s_b64[(v >> 12) & 63];
        out[o++] = i + 1 < len ? s_b64[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < len ? s_b64[v & 63] : '=';
    }
    out[o] = '\0';
}

static int s_b64_value(char c)
{
    const char *p = c ? strchr(s_b64, c) : NULL;
    return p ? (int)(p - s_b64) : -1;
}

int dx_base64_decode(const char *text, uint8_t *out, size_t out_len)
{
    size_t len = strlen(text);
    if (len != DX_BASE64_LEN(out_len))
        return DX_ERR_INVALID;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        int pad = 0;
        for (int j = 0; j < 4; j++) {
            if (text[i + j] == '=' && i + 4 == len && j >= 2) {
                v[j] = 0;
                pad++;
            } else if (pad) {
                return DX_ERR_INVALID; /* data after padding */
            } else if ((v[j] = s_b64_value(text[i + j])) < 0) {
                return DX_ERR_INVALID;
            }
        }
        uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        uint8_t bytes[3] = { (uint8_t)(w >> 16), (uint8_t)(w >> 8), (uint8_t)w };
        size_t n = 3 - (size_t)pad;
        /* Canonical form only: the bits the padding hides must be zero. */
        if ((pad == 1 && bytes[2]) || (pad == 2 && (bytes[1] || bytes[2])))
            return DX_ERR_INVALID;
        if (o + n > out_len)
            return DX_ERR_INVALID;
        memcpy(out + o, bytes, n);
        o += n;
    }
    return o == out_len ? 0 : DX_ERR_INVALID;
}

int dx_z85_encode32(const uint8_t key[32], char out[41])
{
    return zmq_z85_encode(out, key, 32) ? 0 : DX_ERR_INVALID;
}

int dx_z85_decode32(const char *text, uint8_t key[32])
{
    static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz"
                                   "ABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
    if (strlen(text) != 40 || strspn(text, alphabet) != 40)
        return DX_ERR_INVALID;
    if (!zmq_z85_decode(key, text))
        return DX_ERR_INVALID;
    /* Z85 has more than one text for some values; accept only the one we
     * would write. */
    char again[41];
    if (dx_z85_encode32(key, again) != 0 || strcmp(again, text) != 0)
        return DX_ERR_INVALID;
    return 0;
}
