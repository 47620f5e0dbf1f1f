/* vault: the content keys of a data directory, one fixed slot each in
 * DIR/content.keys, wrapped under the master key (master_key.h).
 *
 * Why not in LMDB: LMDB copies a page on every write and keeps freed pages,
 * so a key deleted from a database may survive in data.mdb for as long as
 * its page is not reused. Here a destroyed key is overwritten in place with
 * zeros and synced, so after an erase no copy of it is left in any file
 * (and content sealed under it is noise, wherever LMDB left its pages).
 *
 * Layout, 96-byte slots; slot 0 is the header:
 *   header  "dx-content-keys\0" (16), version u32 BE = 1, slot size u32 BE,
 *           the master key's id (8), zeros
 *   slot i  "DXK1", 4 zero bytes, blob u64 BE, nonce (12), the content key
 *           sealed with AES-256-GCM under the master key (32), tag (16),
 *           zeros; the AAD is "dx-content-key-v1", slot u32 BE, blob u64 BE,
 *           so a slot copied over another, or given to another blob, fails
 *   an empty slot is all zeros
 *
 * The store's keyslots table says which slots are in use (slot -> blob);
 * a slot written for a publish that never committed is zeroed at the next
 * open (vault_reap). Slots are created, read and destroyed on one thread
 * (the broker's writer); a vault opened for writing holds an exclusive
 * flock on the file, so no second writer opens it. */
#ifndef DX_VAULT_H
#define DX_VAULT_H

#include "crypto.h"
#include "err.h"
#include "master_key.h"

#include <stdbool.h>
#include <stdint.h>

#define VAULT_FILE "content.keys"
#define VAULT_SLOT 96
#define VAULT_KEY_LEN DX_AEAD_KEY_LEN

typedef struct vault vault_t;

/* Opens DIR/content.keys under the master key at loc (created empty when
 * missing, unless readonly; *created says so): a rotation that a crash
 * interrupted is finished or undone here (read-only, its next key is used
 * and nothing changes). A file sealed under another master key, with no
 * kept key for it, is DX_ERR_PERM with a one-line err. */
int vault_open(const char *dir, const dx_master_loc_t *loc, bool readonly, bool *created, vault_t **out,
               char err[DX_ERRMSG]);
void vault_close(vault_t **v_p);

/* At open, before anything is created: slot is in use (the store says so).
 * DX_ERR_NOT_FOUND when the file holds no key there. */
int vault_mark(vault_t *v, uint32_t slot);
/* Zeros every key that was not marked (publishes a crash interrupted). */
int vault_reap(vault_t *v, uint64_t *reaped);

/* A new random content key for blob in a free slot, written but not yet
 * synced: vault_sync before the commit that refers to it. */
int vault_create(vault_t *v, uint64_t blob, uint32_t *slot, uint8_t key[VAULT_KEY_LEN]);
int vault_sync(vault_t *v);
/* A slot's sealed bytes, as written (a broker group's journal carries
 * them); and such bytes written into the same slot of another copy of the
 * vault, under the same master key (DX_ERR_INTEGRITY when they do not open
 * there), not yet synced. */
int vault_slot_read(vault_t *v, uint32_t slot, uint8_t out[VAULT_SLOT]);
int vault_slot_write(vault_t *v, uint32_t slot, const uint8_t bytes[VAULT_SLOT]);
/* The key in slot, checked to be blob's: DX_ERR_NOT_FOUND when the slot is
 * empty (destroyed), DX_ERR_INTEGRITY when it does not open. */
int vault_key(vault_t *v, uint32_t slot, uint64_t blob, uint8_t key[VAULT_KEY_LEN]);
/* Overwrites slot with zeros and frees it; durable after vault_sync. */
int vault_wipe(vault_t *v, uint32_t slot);

/* Rewraps every key under a new master key that becomes the current one,
 * crash-safe: the next key (FILE.new, or LABEL.new on the token), then a
 * new content.keys beside the old one, renamed over it, then the next key
 * promoted, the old ones kept (a crash anywhere leaves the old pair or the
 * new one, which vault_open finishes). */
int vault_rotate(vault_t *v, uint32_t *count, char err[DX_ERRMSG]);
/* Rewraps every key under the current master key at to (a file or a
 * token's key, made when missing), for a store that moves from one to the
 * other with its broker stopped: one rename, so a crash leaves the store
 * under the old key or the new one. The old key stays where it is (backups
 * made before need it). DX_ERR_EXISTS when the store is under it already. */
int vault_move(vault_t *v, const dx_master_loc_t *to, uint32_t *count, char err[DX_ERRMSG]);

void vault_master_id(const vault_t *v, char out[DX_MASTER_ID_TEXT]);
/* Where the key in use is: its file, "token T, key LABEL", or derived. */
const char *vault_master_name(const vault_t *v);
bool vault_master_in_token(const vault_t *v);
/* Keys in use. */
uint32_t vault_count(const vault_t *v);

/* The kept key's name when the store was opened with one (master_key.h:
 * a store from before the last rotation), else NULL. */
const char *vault_kept(const vault_t *v);
/* Opens every live content key (a backup's check): DX_ERR_INTEGRITY with
 * the first slot that does not. */
int vault_check(vault_t *v, uint32_t *opened, char err[DX_ERRMSG]);
/* The id of the master key DIR/content.keys is sealed under, without it. */
int vault_file_id(const char *dir, uint8_t id[DX_MASTER_ID_LEN], char err[DX_ERRMSG]);

#endif
