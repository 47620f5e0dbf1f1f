/* audit: appends records to the broker's audit log and signs its head.
 *
 * The log is a hash chain (lib/audit_chain.h explains the links); this
 * module keeps the chain's tip in memory. The tip moves when a record is
 * appended inside a write transaction; audit_state()/audit_restore() let the
 * group-commit batch put it back when a transaction is aborted, so the tip
 * always matches what is (or will be) committed. */
#ifndef DX_BROKER_AUDIT_H
#define DX_BROKER_AUDIT_H

#include "crypto.h"
#include "dx.pb-c.h"
#include "store.h"

typedef struct audit audit_t;

typedef struct {
    uint64_t size;
    uint8_t hash[DX_SHA256_LEN];
} audit_state_t;

/* Reads the tip from the store and checks it against the last signed head,
 * so that a log altered while the broker was stopped is never extended and
 * re-signed: DX_ERR_INTEGRITY with err saying what does not match. secret
 * is the broker's signing key; it is borrowed and must outlive the audit
 * object. */
int audit_open(store_t *s, const uint8_t *secret, audit_t **out, char err[DX_ERRMSG]);
void audit_destroy(audit_t **a_p);

/* Sets r's seq and prev_hash, stores it in t, and returns its seq. */
int audit_append(audit_t *a, store_txn_t *t, Dx__AuditRecord *r, uint64_t *seq_out);
/* Signs the current tip as the log's head, if it moved, and stores it in t. */
int audit_sign_head(audit_t *a, store_txn_t *t, int64_t now_ms);

audit_state_t audit_state(const audit_t *a);
void audit_restore(audit_t *a, audit_state_t st);

#endif
