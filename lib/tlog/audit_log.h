/* audit_log: reading the audit log out of the store, for the broker and for
 * offline dx-audit alike: the current signed head, the history of heads,
 * roots and proofs from the stored tree, and queries that use the indexes.
 *
 * Query plan: a time range becomes a range of sequence numbers (record
 * times never decrease, see broker/commit/audit.c), then the records come from the
 * member index if a member is given, else from the path index if the
 * dataset pattern starts with whole literal segments, else from the log in
 * order; every candidate is then tested against the whole query, so the
 * index only ever narrows what is read. */
#ifndef DX_AUDIT_LOG_H
#define DX_AUDIT_LOG_H

#include "dx.pb-c.h"
#include "merkle.h"
#include "names.h"
#include "store.h"

#define DX_PATH_KEYS_MAX DX_SEGMENTS_MAX

/* Whether record r is one that query q selects (the broker's queries and
 * offline dx-audit use this one test). */
bool dx_audit_matches(const Dx__AuditQuery *q, const Dx__AuditRecord *r);

/* The index keys of a dataset name: every prefix of whole segments with a
 * trailing '/', then the name itself. */
int dx_log_path_keys(const char *dataset, char keys[DX_PATH_KEYS_MAX][DX_NAME_MAX + 2], size_t *n);

int dx_log_head(store_txn_t *t, store_val_t *text);
int dx_log_root(store_txn_t *t, uint64_t size, dx_hash_t out);
int dx_log_frontier(store_txn_t *t, uint64_t size, dx_frontier_t *f);
/* Proof that record seq (1-based) is in the tree of size records. */
int dx_log_inclusion(store_txn_t *t, uint64_t seq, uint64_t size, dx_hash_t proof[DX_PROOF_MAX],
                     size_t *n);
int dx_log_consistency(store_txn_t *t, uint64_t old, uint64_t size, dx_hash_t proof[DX_PROOF_MAX],
                       size_t *n);

/* Calls fn for each record matching q with seq > after, in seq order; fn
 * returns DX_STOP to stop after that record, or an error to fail with. At most max_scan candidates
 * are read. *next_after: where to go on (0 when the log is exhausted). */
typedef int (*dx_log_record_fn)(void *arg, uint64_t seq, store_val_t rec);
int dx_log_query(store_txn_t *t, const Dx__AuditQuery *q, uint64_t after, uint64_t max_scan,
                 dx_log_record_fn fn, void *arg, uint64_t *next_after);

#endif
