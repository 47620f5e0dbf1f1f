/* encode: hex, base64 (RFC 4648, padded, strict) and Z85 text forms of
 * binary values. Decoders refuse anything that is not the canonical form,
 * so one key has exactly one text. */
#ifndef DX_ENCODE_H
#define DX_ENCODE_H

#include <stddef.h>
#include <stdint.h>

/* out must hold 2 * len + 1 bytes. */
void dx_hex_encode(const uint8_t *data, size_t len, char *out);
/* Decodes exactly out_len bytes from 2 * out_len hex digits. */
int dx_hex_decode(const char *text, uint8_t *out, size_t out_len);

#define DX_BASE64_LEN(n) (((n) + 2) / 3 * 4)
/* out must hold DX_BASE64_LEN(len) + 1 bytes. */
void dx_base64_encode(const uint8_t *data, size_t len, char *out);
/* Decodes text into exactly out_len bytes; DX_ERR_INVALID otherwise. */
int dx_base64_decode(const char *text, uint8_t *out, size_t out_len);

/* Z85 of a 32-byte key: 40 characters; out must hold 41 bytes. */
int dx_z85_encode32(const uint8_t key[32], char out[41]);
int dx_z85_decode32(const char *text, uint8_t key[32]);

#endif
