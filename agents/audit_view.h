/* audit_view: how dx-audit prints audit records (which records a query
 * selects is audit_log's dx_audit_matches, shared with the broker).
 *
 * --format json prints one object per line with these keys, always present:
 *   seq, time (RFC 3339), event, member, action, dataset, version, sha256
 *   (hex or ""), purpose, decision, rule, reason, policy_sha256 (hex or "")
 * and, with --with-proofs, tree_size and proof (the inclusion proof's
 * hashes in hex, deepest first, RFC 9162).
 * --format csv prints the same columns with a header row (RFC 4180). */
#ifndef DX_AUDIT_VIEW_H
#define DX_AUDIT_VIEW_H

#include "dx.pb-c.h"
#include "audit_log.h"
#include "merkle.h"

#include <stdbool.h>
#include <stdio.h>

enum dx_audit_format { DX_AUDIT_TABLE = 0, DX_AUDIT_JSON = 1, DX_AUDIT_CSV = 2 };

int dx_audit_format_parse(const char *text);   /* -1 if unknown */
void dx_audit_print_header(FILE *out, int format);
typedef struct {
    const dx_hash_t *hashes;
    size_t n;
    uint64_t tree_size;
    const uint8_t *leaf;         /* the record's stored bytes: its leaf is SHA-256(0x00 || leaf) */
    size_t leaf_len;
    const char *head;            /* the signed head (a signed note) it was checked against */
} dx_audit_proof_t;

/* proof: NULL, or the record's inclusion proof (JSON shows it, with the
 * leaf's bytes in base64 and the signed head). */
void dx_audit_print(FILE *out, int format, const Dx__AuditRecord *r, const dx_audit_proof_t *proof);

#endif
