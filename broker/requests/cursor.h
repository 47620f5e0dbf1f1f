/* cursor: continuation tokens a member can neither read nor forge.
 *
 * A scan that stops at its bound (list, deliveries) while it is among
 * entries the member may not see must still say where the next page
 * starts, without saying what is there. The position is sealed with
 * AES-256-GCM under a key the broker derives from its own key, bound to
 * the member and to the kind of request, and padded to one fixed length:
 * every token looks the same and says nothing; one made for another
 * member, another request, or altered, does not open. Tokens survive a
 * restart (the key is derived, not drawn). */
#ifndef DX_BROKER_CURSOR_H
#define DX_BROKER_CURSOR_H

#include "crypto.h"

#include <stddef.h>
#include <stdint.h>

#define CURSOR_POS_MAX 256                               /* position bytes */
#define CURSOR_LEN (DX_AEAD_NONCE_LEN + 2 + CURSOR_POS_MAX + DX_AEAD_TAG_LEN)

typedef enum { CURSOR_LIST = 'L', CURSOR_DELIVERIES = 'D' } cursor_kind_t;

/* The cursor key from the broker's Ed25519 secret. */
int cursor_key(const uint8_t sign_secret[DX_ED25519_LEN], uint8_t key[DX_AEAD_KEY_LEN]);
/* Seals len (<= CURSOR_POS_MAX) bytes of position into out[CURSOR_LEN]. */
int cursor_seal(const uint8_t key[DX_AEAD_KEY_LEN], cursor_kind_t kind, const char *member,
                const void *pos, size_t len, uint8_t out[CURSOR_LEN]);
/* Opens a token: the position into pos[CURSOR_POS_MAX], its length in
 * *len; DX_ERR_INVALID for anything this broker did not seal for this
 * member and kind. */
int cursor_open(const uint8_t key[DX_AEAD_KEY_LEN], cursor_kind_t kind, const char *member,
                const uint8_t *token, size_t token_len, uint8_t pos[CURSOR_POS_MAX], size_t *len);

#endif
