/* audit: appends records to the broker's audit log and signs its heads.
 *
 * In the transaction of each record it also writes the record's leaf and
 * every tree node the leaf completes (RFC 9162, stored by level and index)
 * and the record's index entries (member, dataset path). Record times never
 * decrease: a record is stamped no earlier than the one before it, so a
 * time range is a range of sequence numbers.
 *
 * At every commit the broker signs a checkpoint of the tree (the "current
 * head", kept in meta); about once a second while records arrive, and at
 * stop, the head also goes into the history of heads. The in-memory tip
 * (size, chain hash, tree frontier, last time) moves with each append;
 * audit_state()/audit_restore() let the group-commit batch put it back when
 * a transaction is undone. */
#ifndef DX_BROKER_AUDIT_H
#define DX_BROKER_AUDIT_H

#include "checkpoint.h"
#include "crypto.h"
#include "dx.pb-c.h"
#include "merkle.h"
#include "store.h"

#include <stdbool.h>

#define AUDIT_HISTORY_MS 1000   /* a head goes into the history this often */

typedef struct audit audit_t;

typedef struct {
    uint64_t size;
    dx_hash_t hash;                /* the last record's leaf hash: the chain */
    dx_frontier_t tree;
    int64_t last_time;
} audit_state_t;

/* Reads the tip and checks it against the last signed head, so that a log
 * altered while the broker was stopped is never extended and re-signed:
 * DX_ERR_INTEGRITY with err saying what does not match. signer (borrowed,
 * must outlive the object) signs heads named origin. */
int audit_open(store_t *s, const dx_signer_t *signer, const char *origin, audit_t **out,
               char err[DX_ERRMSG]);
void audit_destroy(audit_t **a_p);

/* Stamps r (seq, time, prev_hash), stores it with its tree nodes and index
 * entries in t, and returns its seq. */
int audit_append(audit_t *a, store_txn_t *t, Dx__AuditRecord *r, uint64_t *seq_out);
/* Signs the tip as the current head if it moved, and adds it to the history
 * when due (or when audit_want_history asked). */
int audit_sign_head(audit_t *a, store_txn_t *t, int64_t now_ms);
void audit_want_history(audit_t *a);
/* After the commit that audit_sign_head's writes were part of. */
void audit_committed(audit_t *a, bool ok);
/* The current signed head of what is committed ("" before the first). */
const char *audit_head(const audit_t *a, size_t *len);

audit_state_t audit_state(const audit_t *a);
void audit_restore(audit_t *a, const audit_state_t *st);

#endif
