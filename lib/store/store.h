/* store: dx's LMDB environment. The only module that calls LMDB.
 *
 * One environment under the data directory, with named databases:
 *
 *   meta     "magic" -> "dx-store", "schema" -> u32 BE, "boots" -> u64 BE
 *            (store_blob_next), "head" -> the
 *            current signed checkpoint (checkpoint.h). Changing any layout
 *            below needs STORE_SCHEMA_VERSION bumped.
 *   catalog  name '\0' version(u64 BE) -> CatalogEntry (protobuf)
 *   content  blob(u64 BE) index(u32 BE) -> chunk bytes (<= DX_CHUNK_SIZE);
 *            empty when the chunks are in a pool (pool.h)
 *   staging  blob(u64 BE) -> created ms (i64 BE) key slot (u32 BE): chunks
 *            of a publish not yet committed; removed in the transaction that
 *            commits the catalog entry, and collected at start after a crash
 *            (with their key slot's row)
 *   nonces   publisher '\0' nonce(16) -> manifest SHA-256(32) name '\0'
 *            version(u64 BE)
 *   audit    seq(u64 BE) -> AuditRecord (protobuf), never updated or deleted
 *   tree     level(u8) index(u64 BE) -> 32-byte hash of the perfect subtree of
 *            2^level records starting at record index << level (0-based):
 *            every complete node of the RFC 9162 tree, written with its record
 *   heads    size(u64 BE) -> a signed checkpoint of that size (the history,
 *            about one a second while records arrive)
 *   by_member member '\0' seq(u64 BE) -> "" : the records of a member
 *   by_path  key '\0' seq(u64 BE) -> "" : the records of a dataset, under
 *            its full name and under every prefix of whole segments ending
 *            in '/' ("health/", "health/vaccination/")
 *   feed, deliveries: see store_feed.c (schema 3; a schema-2 store is
 *            brought to 3 when first opened for writing)
 *   keyslots slot(u32 BE) -> blob(u64 BE): the content key slots in use
 *            (vault.h), written with the catalog entry or staging row that
 *            needs the key (schema 4; store_keys.c). Content chunks are then
 *            stored sealed: broker/commit/content.c
 *   policies sha256(32) -> a policy set's files as they were hashed
 *            (policy.h: archive): every set that was ever in force, for
 *            auditors (schema 5; store_keys.c)
 *   trash    blob(u64 BE) -> chunks (u32 BE): objects in a content pool to
 *            remove (schema 6; store_keys.c). Staging rows then also say
 *            how many chunks the blob will have (created, slot, chunks).
 *   stamps   size(u64 BE) -> an RFC 3161 TimeStampToken (DER) over the
 *            exact text of the head of that size in heads (schema 7;
 *            timestamp.h)
 *
 * Durability: every write transaction commits with LMDB's default fsync, so
 * a commit that returned 0 survives a crash. Callers batch work into one
 * transaction (group commit) and use nested transactions per request so one
 * failed request does not abort the others. A full map or disk is
 * DX_ERR_FULL, never a crash.
 *
 * Values returned by getters borrow LMDB's memory map: they are valid until
 * the transaction ends and must not be written. */
#ifndef DX_STORE_H
#define DX_STORE_H

#include "err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_SCHEMA_VERSION 7
#define STORE_DEFAULT_MAP_SIZE (64ULL << 30)

typedef struct store store_t;
typedef struct store_txn store_txn_t;

typedef struct {
    const uint8_t *data;
    size_t len;
} store_val_t;

/* Opens (creating if needed, unless readonly) the environment in dir. */
int store_open(const char *dir, uint64_t map_size, bool readonly, store_t **out,
               char err[DX_ERRMSG]);
void store_close(store_t **s_p);

/* A transaction; a write transaction may be nested in a write parent. */
int store_begin(store_t *s, store_txn_t *parent, bool write, store_txn_t **out);
int store_commit(store_txn_t **t_p);
void store_abort(store_txn_t **t_p);

int store_meta_get(store_txn_t *t, const char *key, store_val_t *out);
int store_meta_put(store_txn_t *t, const char *key, const void *data, size_t len);

int store_catalog_put(store_txn_t *t, const char *name, uint64_t version, const void *data, size_t len);
/* Overwrites an existing entry (an erasure marks it). */
int store_catalog_replace(store_txn_t *t, const char *name, uint64_t version, const void *data,
                          size_t len);
int store_catalog_get(store_txn_t *t, const char *name, uint64_t version, store_val_t *out);
/* The highest version of name; DX_ERR_NOT_FOUND if none. */
int store_catalog_latest(store_txn_t *t, const char *name, uint64_t *version);
/* Calls fn for the latest version of every dataset whose name starts with
 * prefix and sorts after `after` ("" for both: every dataset), in name
 * order, until fn returns non-zero (which is returned). The cost is two
 * seeks per name in the range, not a walk of every version. */
typedef int (*store_catalog_fn)(void *arg, const char *name, uint64_t version, store_val_t val);
int store_catalog_each_latest(store_txn_t *t, const char *prefix, const char *after,
                              store_catalog_fn fn, void *arg);

/* Every version of every dataset after (after_name, after_version) in key
 * order ("" and 0: from the start), until fn returns non-zero. */
int store_catalog_each(store_txn_t *t, const char *after_name, uint64_t after_version,
                       store_catalog_fn fn, void *arg);

int store_content_put(store_txn_t *t, uint64_t blob, uint32_t index, const void *data, size_t len);
int store_content_get(store_txn_t *t, uint64_t blob, uint32_t index, store_val_t *out);
/* Room for a chunk of len bytes, to be written before the transaction
 * does anything else (the content is sealed straight into the map). */
int store_content_reserve(store_txn_t *t, uint64_t blob, uint32_t index, size_t len, uint8_t **out);
int store_content_delete(store_txn_t *t, uint64_t blob);
/* The first blob id of this start, in a write transaction: each start
 * counts itself in meta "boots" and numbers its blobs from boots << 32 |
 * salt (31 random bits from the caller), or past the highest in use. So
 * no id is used twice by one store, even for objects a crash left in a
 * content pool that no row names, and a store restored from a backup
 * (its count behind) is unlikely to meet the ids its original used since
 * (a pool refuses to overwrite one: the publish fails, and is retried). */
int store_blob_next(store_txn_t *t, uint32_t salt, uint64_t *next);

int store_staging_put(store_txn_t *t, uint64_t blob, int64_t created_ms, uint32_t slot,
                      uint32_t chunks);
int store_staging_delete(store_txn_t *t, uint64_t blob);
/* Deletes a staged blob's chunks, its row and its key slot's row; *slot
 * says which slot that was (0: none, or not staged). trash: its chunks
 * are in a pool; the blob goes in the trash for their removal. */
int store_staging_drop(store_txn_t *t, uint64_t blob, bool trash, uint32_t *slot);
/* fn for each staged blob: its key slot and chunk count (0: a row of
 * schema 5 or older), until it returns non-zero. */
typedef int (*store_staging_fn)(void *arg, uint64_t blob, uint32_t slot, uint32_t chunks);
int store_staging_each(store_txn_t *t, store_staging_fn fn, void *arg);
/* store_staging_drop for every staged blob; *count says how many. */
int store_staging_collect(store_txn_t *t, bool trash, uint64_t *count);

/* The trash (schema 6): blobs whose chunks are objects in a content pool
 * (pool.h) that must go: of transfers that never committed, and of erased
 * versions. A row goes once every object of it is removed. */
int store_trash_put(store_txn_t *t, uint64_t blob, uint32_t chunks);
int store_trash_delete(store_txn_t *t, uint64_t blob);
typedef int (*store_trash_fn)(void *arg, uint64_t blob, uint32_t chunks);
/* fn for each row with blob > after, in order, until it returns non-zero. */
int store_trash_each(store_txn_t *t, uint64_t after, store_trash_fn fn, void *arg);

/* Content key slots in use (schema 4). */
int store_keyslot_put(store_txn_t *t, uint32_t slot, uint64_t blob);
int store_keyslot_delete(store_txn_t *t, uint32_t slot);
typedef int (*store_keyslot_fn)(void *arg, uint32_t slot, uint64_t blob);
int store_keyslots_each(store_txn_t *t, store_keyslot_fn fn, void *arg);

int store_nonce_get(store_txn_t *t, const char *publisher, const uint8_t nonce[16], store_val_t *out);
int store_nonce_put(store_txn_t *t, const char *publisher, const uint8_t nonce[16],
                    const void *data, size_t len);

int store_audit_put(store_txn_t *t, uint64_t seq, const void *data, size_t len);
int store_audit_get(store_txn_t *t, uint64_t seq, store_val_t *out);
/* The last sequence number, 0 when the log is empty. */
int store_audit_last(store_txn_t *t, uint64_t *seq);
/* Calls fn for each record with seq > after, in order, until fn returns
 * non-zero (which is returned). */
typedef int (*store_audit_fn)(void *arg, uint64_t seq, store_val_t val);
int store_audit_each(store_txn_t *t, uint64_t after, store_audit_fn fn, void *arg);

int store_tree_put(store_txn_t *t, unsigned level, uint64_t index, const uint8_t hash[32]);
int store_tree_get(store_txn_t *t, unsigned level, uint64_t index, uint8_t out[32]);

int store_head_put(store_txn_t *t, uint64_t size, const void *text, size_t len);
/* The stored head of exactly this size; DX_ERR_NOT_FOUND if none. */
int store_head_get(store_txn_t *t, uint64_t size, store_val_t *out);
/* Calls fn for each stored head with size > after, in order. */
typedef int (*store_head_fn)(void *arg, uint64_t size, store_val_t val);
int store_heads_each(store_txn_t *t, uint64_t after, store_head_fn fn, void *arg);
/* The size of the newest stored head; 0 if none. */
int store_head_last(store_txn_t *t, uint64_t *size);
/* The time-stamp tokens over stored heads, by the head's size. */
int store_stamp_put(store_txn_t *t, uint64_t size, const void *token, size_t len);
int store_stamp_get(store_txn_t *t, uint64_t size, store_val_t *out);
/* The size of the newest stamped head; 0 if none. */
int store_stamp_last(store_txn_t *t, uint64_t *size);
/* Calls fn for each token over a head of size > after, in order. */
int store_stamps_each(store_txn_t *t, uint64_t after, store_head_fn fn, void *arg);

enum store_index { STORE_BY_MEMBER = 0, STORE_BY_PATH = 1 };
int store_index_put(store_txn_t *t, enum store_index which, const char *key, uint64_t seq);
/* Calls fn for each seq > after listed under key, in order, until fn
 * returns non-zero (which is returned). */
typedef int (*store_seq_fn)(void *arg, uint64_t seq);
int store_index_each(store_txn_t *t, enum store_index which, const char *key, uint64_t after,
                     store_seq_fn fn, void *arg);

/* Policy sets by their SHA-256 (kept once; a set already there stays). */
int store_policy_put(store_txn_t *t, const uint8_t sha[32], const void *archive, size_t len);
/* DX_ERR_NOT_FOUND when the store has none by that hash. */
int store_policy_get(store_txn_t *t, const uint8_t sha[32], store_val_t *out);

/* The feed: every committed version under its publish record's seq, and
 * every erasure under its erase record's (erased set). */
int store_feed_put(store_txn_t *t, uint64_t seq, const char *name, uint64_t version, bool erased);
typedef int (*store_feed_fn)(void *arg, uint64_t seq, const char *name, uint64_t version, bool erased);
/* fn for each entry with seq > after, in order, until it returns non-zero. */
int store_feed_each(store_txn_t *t, uint64_t after, store_feed_fn fn, void *arg);
/* The last feed seq, 0 when empty. */
int store_feed_last(store_txn_t *t, uint64_t *seq);

/* Deliveries: one value per (version, member, hash of what was sent). */
#define STORE_DELIVERY_KEY_MAX 320   /* name (<= 200) 9 + member (<= 32) 1 + 32 */
int store_delivery_put(store_txn_t *t, const char *name, uint64_t version, const char *member,
                       const uint8_t sha[32], const void *data, size_t len);
int store_delivery_get(store_txn_t *t, const char *name, uint64_t version, const char *member,
                       const uint8_t sha[32], store_val_t *out);
/* fn for each delivery of name@version (version 0: of every version), in
 * key order, until it returns non-zero. */
typedef int (*store_delivery_fn)(void *arg, store_val_t val);
int store_deliveries_each(store_txn_t *t, const char *name, uint64_t version,
                          store_delivery_fn fn, void *arg);
/* The same, starting after the row (after_version, after_member, after_sha)
 * (after_member NULL: from the start). */
int store_deliveries_after(store_txn_t *t, const char *name, uint64_t version, uint64_t after_version,
                           const char *after_member, const uint8_t after_sha[32],
                           store_delivery_fn fn, void *arg);

/* ---- The journal (store_journal.c; DESIGN §10) ----
 *
 * With a journal set, every put and delete of a write transaction is
 * captured, in order; a nested transaction's go to its parent when it
 * commits, and are dropped when it aborts. Before the top transaction
 * commits, fn gets them as one entry's operations: it must make them
 * durable elsewhere (a broker group's journal in RADOS) and may write the
 * position it reached with store_journal_mark; if it fails, nothing is
 * committed. Another store applies the same operations with
 * store_journal_apply and ends in the same state.
 *
 * Operations: kind (1 put, 2 delete, 3 note) u8, table u8, key length
 * u32 BE, value length u32 BE, key, value. A note is what the store does
 * not hold but the entry must carry (a content key slot, vault.h): table
 * is its kind, key its id. */
#define STORE_OP_PUT 1
#define STORE_OP_DEL 2
#define STORE_OP_NOTE 3
#define STORE_NOTE_KEYSLOT 1        /* key: slot u32 BE; value: the slot's bytes */
#define STORE_JOURNAL_ENTRY_MAX (64u << 20)

typedef int (*store_journal_fn)(void *arg, store_txn_t *t, const uint8_t *ops, size_t len);
/* Sets (fn NULL: clears) the journal; only while no write transaction is open. */
void store_journal_set(store_t *s, store_journal_fn fn, void *arg);
/* Adds a note to the transaction's capture (nothing without a journal). */
int store_journal_note(store_txn_t *t, uint8_t kind, uint32_t id, const void *data, size_t len);

typedef struct {
    uint8_t kind;             /* STORE_OP_* */
    uint8_t table;            /* a table's number, or a note's kind */
    const char *name;         /* the table's name ("" for a note) */
    const uint8_t *key, *val;
    size_t klen, vlen;
} store_op_t;
/* Checks every operation (a table this store has, lengths in bounds),
 * then calls fn (when not NULL) for each and applies it, uncaptured; fn
 * may refuse one (non-zero: returned, the caller aborts). Notes are only
 * given to fn. DX_ERR_INTEGRITY for malformed operations. */
typedef int (*store_op_fn)(void *arg, const store_op_t *op);
int store_journal_apply(store_txn_t *t, const uint8_t *ops, size_t len, store_op_fn fn, void *arg);
/* Walks the operations without applying them. */
int store_journal_each(const uint8_t *ops, size_t len, store_op_fn fn, void *arg);
/* meta "journal": where this store is in its group's journal (opaque to
 * the store), written uncaptured. */
int store_journal_mark(store_txn_t *t, const void *pos, size_t len);
int store_journal_position(store_txn_t *t, store_val_t *out);

/* The bytes the store's pages take (up to the last page used, freed pages
 * inside included) and the map size, the most it may take. */
int store_usage(store_t *s, uint64_t *used, uint64_t *map);

/* Copies the store in dir, as of one commit and compacted, into the new
 * or empty directory out (it may run beside a live broker); *bytes is the
 * copy's size. */
int store_backup(const char *dir, const char *out, uint64_t *bytes, char err[DX_ERRMSG]);

/* Tells the kernel this process no longer needs the pages under a value it
 * read, so streaming a large dataset does not grow resident memory. */
void store_release(store_t *s, const void *data, size_t len);

/* The last LMDB error text, for logs. */
const char *store_last_error(const store_t *s);

#endif
