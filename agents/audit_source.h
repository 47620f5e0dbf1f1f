/* audit_source: where dx-audit reads the log from, behind one interface:
 * the broker (--broker, as an auditor) or a data directory (--db,
 * read-only, one snapshot for the whole command). Whatever the source,
 * every head is checked against the broker's public key before use. */
#ifndef DX_AUDIT_SOURCE_H
#define DX_AUDIT_SOURCE_H

#include "checkpoint.h"
#include "cli.h"
#include "dx.pb-c.h"
#include "merkle.h"
#include "store.h"

typedef struct {
    dx_client_t *client;
    store_t *store;
    store_txn_t *txn;
    dx_pubkeys_t broker;
    dx_keypair_t me;
} source_t;

typedef struct {
    char text[DX_CHECKPOINT_MAX + 1];
    size_t len;
    dx_checkpoint_t cp;
} head_t;

/* One page of records, with proofs when asked, and the head they are read
 * under. */
typedef struct {
    ProtobufCBinaryData *records;
    ProtobufCBinaryData *proofs;     /* NULL unless asked */
    size_t n;
    uint64_t next_after;
    head_t head;
    Dx__Reply *reply;                /* online: owns the records */
    void *owned;                     /* offline: allocations to free */
} page_t;

int source_open(source_t *src, const dx_cli_conn_t *conn, const char *db, char err[DX_ERRMSG]);
void source_close(source_t *src);

/* Checks text as a checkpoint signed by the broker, into h. */
int source_head_parse(const source_t *src, const uint8_t *text, size_t len, head_t *h,
                      char err[DX_ERRMSG]);
int source_head(source_t *src, head_t *h, char err[DX_ERRMSG]);
/* Calls fn for each stored head with size > after, in order (fn may return
 * DX_STOP). */
typedef int (*source_head_fn)(void *arg, const head_t *h);
int source_heads(source_t *src, uint64_t after, source_head_fn fn, void *arg, char err[DX_ERRMSG]);

/* Calls fn for each head with size > after that a time-stamp token covers,
 * in order, with the token (fn may return DX_STOP). */
typedef int (*source_stamp_fn)(void *arg, const head_t *h, const uint8_t *token, size_t len);
int source_stamps(source_t *src, uint64_t after, source_stamp_fn fn, void *arg, char err[DX_ERRMSG]);

/* Records matching q (NULL: all) after `after`; want 0: a full page. */
int source_page(source_t *src, const Dx__AuditQuery *q, uint64_t after, uint64_t want,
                bool proofs, page_t *p, char err[DX_ERRMSG]);
void source_page_free(page_t *p);

/* The files of the policy set with that hash, as the broker kept them
 * (policy.h: archive), copied into *archive (freed by the caller). */
int source_policy(source_t *src, const uint8_t sha[DX_SHA256_LEN], uint8_t **archive, size_t *len,
                  char err[DX_ERRMSG]);

/* Records first..last with their inclusion proofs in the tree of size
 * records (0: the current head), read under that head. */
int source_proofs(source_t *src, uint64_t first, uint64_t last, uint64_t size, page_t *p,
                  char err[DX_ERRMSG]);

/* A consistency proof from old to size records (0: the current head):
 * the new head, the stored old one if there is one (old->len 0 if not). */
int source_consistency(source_t *src, uint64_t old, uint64_t size, head_t *old_head,
                       head_t *new_head, dx_hash_t proof[DX_PROOF_MAX], size_t *n,
                       char err[DX_ERRMSG]);

#endif
