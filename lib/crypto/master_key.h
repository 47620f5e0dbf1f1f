/* master_key: the key that wraps every content key of a data directory
 * (lib/store/vault.h), and its file.
 *
 * The file (mode 0600, refused otherwise) is one YAML line:
 *
 *   master_key: "aes256:<base64 of 32 random bytes>"
 *
 * Without a file, the broker derives its master key from its own key file:
 * HKDF-SHA256 with the 64 bytes sign_secret || transport_secret as input
 * key material, salt "dx-master-key-v1" and the broker's id as info. Both
 * ways the master key never enters the data directory: a copy of the data
 * directory alone reveals no content.
 *
 * A master key is named by its id, the first 8 bytes of
 * SHA-256("dx-master-key-id-v1" || key), printed as 16 hex digits: the id
 * is stored with the content keys, so a wrong key is told apart from
 * damage, and logs can name a key without revealing it. */
#ifndef DX_MASTER_KEY_H
#define DX_MASTER_KEY_H

#include "err.h"
#include "keys.h"

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
/* The broker's master key as it uses it: read from path, or (path NULL)
 * derived from the broker's key pair. */
int dx_master_key_load(const char *path, const dx_keypair_t *broker, uint8_t key[DX_MASTER_KEY_LEN],
                       char err[DX_ERRMSG]);
/* The same from files alone (tools): master_path, or the key file at
 * key_path when master_path is NULL. */
int dx_master_key_from_files(const char *master_path, const char *key_path,
                             uint8_t key[DX_MASTER_KEY_LEN], char err[DX_ERRMSG]);
/* Kept keys. A rotation never throws the old key away: it is kept beside
 * the key file as FILE.<id> (mode 0600), because every backup taken before
 * the rotation needs it, until the operator retires it (dx-admin
 * master-key retire). A data directory sealed under an older key is opened
 * with its kept key. */
void dx_master_key_kept_path(const char *master_path, const uint8_t id[DX_MASTER_ID_LEN],
                             char out[DX_MASTER_PATH_MAX]);
/* Writes key as its kept file (created; one already there must hold it). */
int dx_master_key_keep(const char *master_path, const uint8_t key[DX_MASTER_KEY_LEN],
                       char err[DX_ERRMSG]);
/* The kept key of id into key: DX_ERR_NOT_FOUND when there is none,
 * DX_ERR_INTEGRITY when the file holds another key. */
int dx_master_key_find_kept(const char *master_path, const uint8_t id[DX_MASTER_ID_LEN],
                            uint8_t key[DX_MASTER_KEY_LEN], char path[DX_MASTER_PATH_MAX]);
void dx_master_key_id(const uint8_t key[DX_MASTER_KEY_LEN], uint8_t id[DX_MASTER_ID_LEN]);
void dx_master_id_text(const uint8_t id[DX_MASTER_ID_LEN], char out[DX_MASTER_ID_TEXT]);

#endif
