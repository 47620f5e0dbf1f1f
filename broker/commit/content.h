/* content: datasets at rest, sealed chunk by chunk under a key of their
 * own (encryption at rest; DESIGN §9).
 *
 * Each version gets a random 256-bit content key when its first chunk is
 * stored; the key lives in the vault (lib/store/vault.h), wrapped under the
 * master key, and its slot is in the catalog entry. A chunk is stored as
 * nonce (12, random) || AES-256-GCM ciphertext || tag (16), with the AAD
 * "dx-chunk-v1" || blob u64 BE || index u32 BE || chunk count u32 BE: a
 * chunk moved to another position, another version or another length of
 * content fails to open, and so does a version missing its last chunk.
 * Memory stays one chunk per transfer, as before.
 *
 * Versions stored before encryption at rest (key slot 0) are read as they
 * are. */
#ifndef DX_BROKER_CONTENT_H
#define DX_BROKER_CONTENT_H

#include "crypto.h"
#include "dx.pb-c.h"
#include "store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONTENT_OVERHEAD (DX_AEAD_NONCE_LEN + DX_AEAD_TAG_LEN)
#define CONTENT_BUF (DX_CHUNK_SIZE + CONTENT_OVERHEAD) /* content_get's buffer */

struct broker;

typedef struct {
    uint8_t key[DX_AEAD_KEY_LEN];
    uint32_t slot;               /* 0: none (content in the clear) */
} content_key_t;

/* A new key for blob and its keyslots row in t; when the request is
 * undone, the slot is wiped. */
int content_key_new(struct broker *b, store_txn_t *t, uint64_t blob, content_key_t *ck);
/* The key of a stored version: DX_ERR_NOT_FOUND when it was destroyed,
 * DX_ERR_INTEGRITY when its slot does not open (damage or tampering). */
int content_key_open(struct broker *b, const Dx__CatalogEntry *e, content_key_t *ck);
void content_key_wipe(content_key_t *ck);

/* Stores chunk index of count, sealed under ck (in the clear when ck has
 * no slot: never for new content). */
int content_put(store_txn_t *t, const content_key_t *ck, uint64_t blob, uint32_t index,
                uint32_t count, const void *data, size_t len);
/* Reads chunk index of count into buf (CONTENT_BUF bytes) and opens it;
 * *data points at the plaintext (in buf, or in the map for content in the
 * clear: content_release). DX_ERR_INTEGRITY when the stored chunk does not
 * open; with the pool, DX_ERR_UNAVAILABLE when Ceph does not answer in
 * time (t is unused: the pool is read on the calling thread). */
int content_get(struct broker *b, store_txn_t *t, const content_key_t *ck, uint64_t blob,
                uint32_t index, uint32_t count, uint8_t *buf, const uint8_t **data, size_t *len);
/* After content_get: gives the map's pages back when data was in it. */
void content_release(struct broker *b, const uint8_t *buf, const uint8_t *data, size_t len);

/* content-store rados: a chunk sealed into a new buffer (*out, freed by
 * the caller or passed to content_write), and written as its own object,
 * created exclusively; arg comes back with the result (commit/objects.h). */
int content_seal(const content_key_t *ck, uint64_t blob, uint32_t index, uint32_t count,
                 const void *data, size_t len, uint8_t **out, size_t *out_len);
int content_write(struct broker *b, uint64_t blob, uint32_t index, uint8_t *sealed, size_t len,
                  void *arg);
/* A blob's chunks go with the transaction t: LMDB's rows at once; the
 * pool's objects are put in the trash (store.h), which the writer empties
 * once t committed (commit/objects.h): after the key slot is wiped. */
int content_drop(struct broker *b, store_txn_t *t, uint64_t blob, uint32_t chunks);
/* "content store unavailable: why; ..." for a reply. */
void content_unavailable(struct broker *b, char out[DX_ERRMSG]);

/* After the commit that removed their keyslots rows: overwrites each slot
 * with zeros and syncs (a crash before that: zeroed at the next start). */
int content_keys_destroy_after(struct broker *b, const uint32_t *slots, size_t n);

#endif
