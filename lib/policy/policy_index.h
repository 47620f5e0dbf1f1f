/* policy_index: the compiled form of a policy set (internal to policy.c).
 *
 * Invariants: every candidate list holds rule indices in ascending (file)
 * order; list (m, action, effect) holds exactly the rules that name member
 * m (or "*" for m = the wildcard slot) and include the action. */
#ifndef DX_POLICY_INDEX_H
#define DX_POLICY_INDEX_H

#include "policy.h"

#include <stdint.h>

typedef struct {
    const uint32_t *items;
    uint32_t n;
} dx_rule_list_t;

/* The member's index in p->members, or -1. */
int32_t dx_index_member(const dx_policy_t *p, const char *id);
int32_t dx_index_member_by_key(const dx_policy_t *p, const uint8_t key[32]);
/* Rules naming member m (-1: rules for "*") for one action and effect. */
dx_rule_list_t dx_index_rules(const dx_policy_t *p, int32_t m, unsigned action, bool allow);
void dx_index_free(struct dx_policy_index *ix);

#endif
