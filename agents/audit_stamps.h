/* audit_stamps: RFC 3161 time-stamp tokens over the broker's heads, as an
 * auditor checks them: in verify (every token, and which records a token
 * covers), beside head, prove and consistency (the token that covers a
 * head), and in the timestamps command (listed, or written out for
 * openssl ts -verify). */
#ifndef DX_AUDIT_STAMPS_H
#define DX_AUDIT_STAMPS_H

#include "audit_chain.h"
#include "audit_cmds.h"
#include "timestamp.h"

#include <stdio.h>

/* --tsa-ca and --tsa-policy; *trust NULL without --tsa-ca. */
int stamps_trust(const audit_opts_t *o, dx_tsa_trust_t **trust, char err[DX_ERRMSG]);

/* verify: the tokens taken in order as the records go by. */
/* stamp_iter_t: audit_cmds.h */
int stamp_iter_new(source_t *src, const dx_tsa_trust_t *trust, stamp_iter_t **out);
/* Checks the tokens over a head of chain->size (call after each record):
 * the head must be the chain's, the token over its exact text. */
int stamp_iter_at(stamp_iter_t *it, dx_chain_t *chain, char err[DX_ERRMSG]);
/* One line: which records a token covers, and which only the broker's clock. */
void stamp_iter_report(const stamp_iter_t *it, uint64_t size, FILE *out);
void stamp_iter_free(stamp_iter_t **it_p);

/* One line on out: the token that covers record `from` (the first stamped
 * head of at least that size, shown of one log with the head h by a
 * consistency proof), or that none does yet. A token that does not check
 * is DX_ERR_INTEGRITY. */
int stamps_covering(source_t *src, const dx_tsa_trust_t *trust, const head_t *h, uint64_t from,
                    FILE *out, char err[DX_ERRMSG]);

/* timestamps [--out DIR] */
int audit_timestamps_cmd(source_t *src, const audit_opts_t *o);

#endif
