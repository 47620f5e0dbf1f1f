/* master_key: the key that wraps every content key of a data directory
 * (lib/store/vault.h): a file, a token's key, or derived.
 *
 * The file (mode 0600, refused otherwise) is one YAML line:
 *
 *   master_key: "aes256:<base64 of 32 random bytes>"
 *
 * In a PKCS#11 token (master-key: "pkcs11:token=dx;object=master"), it is
 * an AES-256 key made on the token, sensitive and not extractable, used
 * there for AES-GCM: its bytes never reach this process.
 *
 * Without either, the broker derives its master key from its own key file:
 * HKDF-SHA256 with the 64 bytes sign_secret || transport_secret as input
 * key material, salt "dx-master-key-v1" and the broker's id as info. Every
 * way the master key never enters the data directory: a copy of the data
 * directory alone reveals no content.
 *
 * A master key is named by its id, 8 bytes printed as 16 hex digits: for
 * bytes, the start of SHA-256("dx-master-key-id-v1" || key); for a token's
 * key, which cannot be hashed, the start of SHA-256("dx-master-key-id-v2"
 * || AES-GCM of 16 zero bytes under it, nonce 0, AAD "dx-master-key-id-v2"),
 * a check value. The id is stored with the content keys, so a wrong key is
 * told apart from damage, and logs can name a key without revealing it.
 *
 * Rotation (vault_rotate) makes the next key beside the current one (FILE.new,
 * or the label LABEL.new) and, once every content key is under it, promotes
 * it. The old key is never thrown away: it is kept as FILE.<id> (or
 * relabelled LABEL.<id> on the token), because every backup taken before
 * the rotation needs it, until the operator retires it (dx-admin
 * master-key retire). A data directory sealed under an older key is opened
 * with its kept key. */
#ifndef DX_MASTER_KEY_H
#define DX_MASTER_KEY_H

#include "err.h"
#include "keys.h"
#include "pkcs11.h"

#include <stdbool.h>
#include <stdint.h>

#define DX_MASTER_KEY_LEN 32
#define DX_MASTER_ID_LEN 8
#define DX_MASTER_ID_TEXT 17
#define DX_MASTER_PATH_MAX 4200  /* a key file's path and a kept key's suffix */

int dx_master_key_read(const char *path, uint8_t key[DX_MASTER_KEY_LEN], char err[DX_ERRMSG]);
/* A new random key into path: created (never overwriting) unless replace,
 * which writes it atomically (a crash leaves the old file or the new). */
int dx_master_key_write(const char *path, const uint8_t key[DX_MASTER_KEY_LEN], bool replace,
                        char err[DX_ERRMSG]);
int dx_master_key_derive(const dx_keypair_t *broker, uint8_t key[DX_MASTER_KEY_LEN]);

/* Where a broker's master keys are. */
typedef struct {
    const char *where;              /* a key file or a pkcs11: URI; NULL: one of the two below */
    const dx_pkcs11_conf_t *p11;    /* for a URI */
    const dx_keypair_t *broker;     /* where NULL: the key derived from it... */
    const uint8_t *key;             /* ...or, without a broker, this one (tools, tests) */
} dx_master_loc_t;

typedef enum { DX_MASTER_CURRENT, DX_MASTER_NEW, DX_MASTER_KEPT } dx_master_which_t;

/* One master key, ready to seal and open. */
typedef struct dx_master dx_master_t;

/* The current key, the next one of an unfinished rotation, or the kept key
 * of id. DX_ERR_NOT_FOUND when there is none (a derived key has neither a
 * next nor kept ones); DX_ERR_INTEGRITY when a kept key is not id's. */
int dx_master_load(const dx_master_loc_t *loc, dx_master_which_t which, const uint8_t id[DX_MASTER_ID_LEN],
                   dx_master_t **out, char err[DX_ERRMSG]);
/* A new random key: the current one (never replacing one: dx-admin
 * master-key new) or the next one (a leftover next one replaced). */
int dx_master_create(const dx_master_loc_t *loc, dx_master_which_t which, dx_master_t **out,
                     char err[DX_ERRMSG]);
/* next becomes the current key; the current one and in_use (a kept key the
 * store was opened with, or NULL) are kept first. */
int dx_master_promote(const dx_master_loc_t *loc, const dx_master_t *in_use, dx_master_t *next,
                      char err[DX_ERRMSG]);
/* Removes a next key a rotation left behind (none: 0). */
int dx_master_drop_new(const dx_master_loc_t *loc);
/* Deletes the kept key of id; name gets what was deleted. */
int dx_master_retire(const dx_master_loc_t *loc, const uint8_t id[DX_MASTER_ID_LEN],
                     char name[DX_MASTER_PATH_MAX], char err[DX_ERRMSG]);
/* How the kept key of id would be named, for messages. */
void dx_master_kept_name(const dx_master_loc_t *loc, const uint8_t id[DX_MASTER_ID_LEN],
                         char out[DX_MASTER_PATH_MAX]);

void dx_master_get_id(const dx_master_t *m, uint8_t id[DX_MASTER_ID_LEN]);
/* The file, "token T, key LABEL", or "derived from the broker key". */
const char *dx_master_name(const dx_master_t *m);
bool dx_master_in_token(const dx_master_t *m);
/* AES-256-GCM under the key; opening fails with DX_ERR_INTEGRITY. */
int dx_master_seal(dx_master_t *m, const uint8_t nonce[DX_AEAD_NONCE_LEN], const void *aad,
                   size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
                   uint8_t tag[DX_AEAD_TAG_LEN]);
int dx_master_open(dx_master_t *m, const uint8_t nonce[DX_AEAD_NONCE_LEN], const void *aad,
                   size_t aad_len, const uint8_t *in, size_t len, const uint8_t tag[DX_AEAD_TAG_LEN],
                   uint8_t *out);
void dx_master_free(dx_master_t **m);

void dx_master_key_id(const uint8_t key[DX_MASTER_KEY_LEN], uint8_t id[DX_MASTER_ID_LEN]);
void dx_master_id_text(const uint8_t id[DX_MASTER_ID_LEN], char out[DX_MASTER_ID_TEXT]);

#endif
