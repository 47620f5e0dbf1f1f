/* policy_check: the checks of a merged policy set that no single file can
 * make, and the warnings that help a data office see what a set means.
 *
 * Errors: duplicate member ids, keys shared by two members, namespace owners
 * that are not members, namespaces declared twice, overlapping namespaces
 * with different owners, duplicate rule ids, rules naming unknown members.
 * Warnings: rules that can never match (expired, or only for revoked or
 * expired members), rules shadowed entirely by a deny rule, fields or
 * purposes on rules they cannot apply to, reads allowed for any purpose. */
#ifndef DX_POLICY_CHECK_H
#define DX_POLICY_CHECK_H

#include "diag.h"
#include "policy.h"

typedef struct {
    const char *file;
    int line, col;
} dx_where_t;

typedef struct {
    const dx_where_t *members;       /* parallel to p->members */
    const dx_where_t *namespaces;    /* parallel to p->namespaces */
    const dx_where_t *rule_members;  /* per rule: its members list */
    char *const *broken;             /* ids of members that did not load */
    size_t nbroken;
} dx_policy_where_t;

/* p must be compiled (dx_policy_compile). now_ms dates the warnings. */
void dx_policy_check(const dx_policy_t *p, const dx_policy_where_t *w, int64_t now_ms, dx_diag_t *diag);

/* Warnings for members whose keys are the broker's own (lines pasted from
 * broker.pub): such a member could never connect, and its signatures would
 * be the broker's. label names the policy set in the messages. */
void dx_policy_check_broker(const dx_policy_t *p, const uint8_t sign[32], const uint8_t curve[32],
                            const char *label, dx_diag_t *diag);

#endif
