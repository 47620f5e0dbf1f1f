/* policy_check: cross-file errors and warnings of a policy set. */
#include "policy_check.h"
#include "dxtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool s_in(char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

static int s_key_cmp(const void *a, const void *b)
{
    const dx_member_t *x = *(const dx_member_t *const *)a, *y = *(const dx_member_t *const *)b;
    int c = memcmp(x->sign_key, y->sign_key, 32);
    return c ? c : (x < y ? -1 : x > y);
}

/* Duplicates through the index's hash tables (the first entry wins there)
 * and a sort of the sign keys: linear-ish in the number of members. */
static void s_members(const dx_policy_t *p, const dx_policy_where_t *w, dx_diag_t *d)
{
    for (size_t i = 0; i < p->nmembers; i++) {
        const dx_member_t *m = &p->members[i];
        const dx_where_t *at = &w->members[i];
        const dx_member_t *first = dx_policy_member(p, m->id);
        const dx_member_t *key = dx_policy_member_by_transport(p, m->transport_key);
        if (first != m) {
            size_t j = (size_t)(first - p->members);
            dx_diag_add(d, true, at->file, at->line, at->col,
                        "duplicate member id '%s' (first at %s:%d)", m->id, w->members[j].file,
                        w->members[j].line);
        } else if (key != m) {
            dx_diag_add(d, true, at->file, at->line, at->col,
                        "member '%s' has the transport_key of '%s'", m->id, key->id);
        }
    }
    const dx_member_t **sorted = calloc(p->nmembers ? p->nmembers : 1, sizeof *sorted);
    if (!sorted)
        return;
    for (size_t i = 0; i < p->nmembers; i++)
        sorted[i] = &p->members[i];
    qsort(sorted, p->nmembers, sizeof *sorted, s_key_cmp);
    for (size_t i = 1; i < p->nmembers; i++) {
        const dx_member_t *a = sorted[i - 1], *b = sorted[i];
        if (memcmp(a->sign_key, b->sign_key, 32) == 0 && strcmp(a->id, b->id) != 0) {
            const dx_where_t *at = &w->members[b - p->members];
            dx_diag_add(d, true, at->file, at->line, at->col,
                        "member '%s' has the sign_key of '%s'", b->id, a->id);
        }
    }
    free(sorted);
}

#define HOUR_MS (3600LL * 1000)

/* Members' next keys: no other member's, and a window that makes sense. */
static void s_rotations(const dx_policy_t *p, const dx_policy_where_t *w, int64_t now, dx_diag_t *d)
{
    for (size_t i = 0; i < p->nmembers; i++) {
        const dx_member_t *m = &p->members[i];
        const dx_where_t *at = &w->members[i];
        if (!m->next.set)
            continue;
        const dx_member_t *key = dx_policy_member_by_transport(p, m->next.transport_key);
        if (key && key != m)
            dx_diag_add(d, true, at->file, at->line, at->col,
                        "member '%s': its next transport_key is the transport_key of '%s'", m->id, key->id);
        for (size_t j = 0; j < p->nmembers; j++) {
            const dx_member_t *o = &p->members[j];
            if (o != m && (dx_equal(o->sign_key, m->next.sign_key, 32) ||
                           (o->next.set && dx_equal(o->next.sign_key, m->next.sign_key, 32))))
                dx_diag_add(d, true, at->file, at->line, at->col,
                            "member '%s': its next sign_key is a sign_key of '%s'", m->id, o->id);
        }
        char until[DX_TIME_TEXT];
        dx_time_format(m->next.until, until);
        int64_t from = m->next.from == DX_NO_TIME ? now : m->next.from;
        if (m->next.until < now)
            dx_diag_add(d, false, at->file, at->line, at->col,
                        "member '%s': its key rotation ended at %s, and only its next keys are accepted: "
                        "make them its sign_key and transport_key, and remove next:", m->id, until);
        else if (m->next.until - from < HOUR_MS)
            dx_diag_add(d, false, at->file, at->line, at->col,
                        "member '%s': its old and next keys overlap for less than an hour (until %s): "
                        "an agent may not switch in time", m->id, until);
        else if (m->next.until - from > 90 * 24 * HOUR_MS)
            dx_diag_add(d, false, at->file, at->line, at->col,
                        "member '%s': its old key stays valid for over 90 days more (until %s): a "
                        "rotation is meant to retire it", m->id, until);
        if (m->not_after != DX_NO_TIME && m->not_after < m->next.until)
            dx_diag_add(d, false, at->file, at->line, at->col,
                        "member '%s': its not_after comes before its rotation's until: the member "
                        "expires before the rotation ends", m->id);
    }
}

static bool s_known(const dx_policy_t *p, const dx_policy_where_t *w, const char *id)
{
    return dx_policy_member(p, id) || s_in(w->broken, w->nbroken, id);
}

static void s_namespaces(const dx_policy_t *p, const dx_policy_where_t *w, dx_diag_t *d)
{
    for (size_t i = 0; i < p->nnamespaces; i++) {
        const dx_namespace_t *ns = &p->namespaces[i];
        const dx_where_t *at = &w->namespaces[i];
        if (!s_known(p, w, ns->owner))
            dx_diag_add(d, true, at->file, at->line, at->col,
                        "namespace %s: owner '%s' is not a member", ns->match, ns->owner);
        for (size_t j = 0; j < i; j++) {
            const dx_namespace_t *o = &p->namespaces[j];
            const dx_where_t *oat = &w->namespaces[j];
            if (strcmp(ns->match, o->match) == 0)
                dx_diag_add(d, true, at->file, at->line, at->col,
                            "namespace %s is declared twice (first at %s:%d)", ns->match,
                            oat->file, oat->line);
            else if (strcmp(ns->owner, o->owner) != 0 && dx_cglob_overlap(&ns->cmatch, &o->cmatch))
                dx_diag_add(d, true, at->file, at->line, at->col,
                            "namespace %s (owner %s) overlaps namespace %s (owner %s, at %s:%d): "
                            "a dataset in both would have two owners",
                            ns->match, ns->owner, o->match, o->owner, oat->file, oat->line);
        }
    }
}

/* Does deny rule d take away everything allow rule a could give? */
static bool s_shadows(const dx_rule_t *dn, const dx_rule_t *a)
{
    if ((a->actions & dn->actions) != a->actions)
        return false;
    if (!dn->any_member) {
        if (a->any_member)
            return false;
        for (size_t i = 0; i < a->nmembers; i++)
            if (!s_in(dn->members, dn->nmembers, a->members[i]))
                return false;
    }
    for (size_t i = 0; i < a->ndatasets; i++) {
        bool covered = false;
        for (size_t j = 0; j < dn->ndatasets && !covered; j++)
            covered = dx_cglob_covers(&dn->cdatasets[j], &a->cdatasets[i]);
        if (!covered)
            return false;
    }
    if (dn->npurposes > 0) {
        /* the deny covers only some purposes; it shadows reads only if the
         * allow is limited to those, and a list or publish never */
        if (a->actions != DX_ACT_READ || a->npurposes == 0)
            return false;
        for (size_t i = 0; i < a->npurposes; i++)
            if (!s_in(dn->purposes, dn->npurposes, a->purposes[i]))
                return false;
    }
    if (dn->not_before != DX_NO_TIME && (a->not_before == DX_NO_TIME || a->not_before < dn->not_before))
        return false;
    if (dn->not_after != DX_NO_TIME && (a->not_after == DX_NO_TIME || a->not_after > dn->not_after))
        return false;
    return true;
}

static int s_rule_cmp(const void *a, const void *b)
{
    const dx_rule_t *x = *(const dx_rule_t *const *)a, *y = *(const dx_rule_t *const *)b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x < y ? -1 : x > y);
}

static void s_duplicate_rules(const dx_policy_t *p, dx_diag_t *d)
{
    const dx_rule_t **sorted = calloc(p->nrules ? p->nrules : 1, sizeof *sorted);
    if (!sorted)
        return;
    for (size_t i = 0; i < p->nrules; i++)
        sorted[i] = &p->rules[i];
    qsort(sorted, p->nrules, sizeof *sorted, s_rule_cmp); /* ties stay in file order */
    const dx_rule_t *first = p->nrules ? sorted[0] : NULL;
    for (size_t i = 1; i < p->nrules; i++) {
        const dx_rule_t *r = sorted[i];
        if (strcmp(first->id, r->id) != 0) {
            first = r; /* a new run of equal ids starts */
            continue;
        }
        dx_diag_add(d, true, r->file, r->line, r->col, "duplicate rule id '%s' (first at %s:%d)",
                    r->id, first->file, first->line);
    }
    free(sorted);
}

static void s_rules(const dx_policy_t *p, const dx_policy_where_t *w, int64_t now, dx_diag_t *d)
{
    s_duplicate_rules(p, d);
    size_t ndeny = 0;
    const dx_rule_t **denies = calloc(p->nrules ? p->nrules : 1, sizeof *denies);
    for (size_t i = 0; denies && i < p->nrules; i++)
        if (!p->rules[i].allow)
            denies[ndeny++] = &p->rules[i];
    for (size_t i = 0; i < p->nrules; i++) {
        const dx_rule_t *r = &p->rules[i];
        const dx_where_t *mat = &w->rule_members[i];
        size_t current = 0;
        for (size_t k = 0; k < r->nmembers; k++) {
            if (strcmp(r->members[k], "*") == 0)
                continue;
            if (!s_known(p, w, r->members[k])) {
                dx_diag_add(d, true, mat->file, mat->line, mat->col,
                            "rule '%s' names unknown member '%s'", r->id, r->members[k]);
                current++; /* no second complaint below */
            } else if (dx_member_current(dx_policy_member(p, r->members[k]), now) ||
                       !dx_policy_member(p, r->members[k])) {
                current++;
            }
        }
        if (!r->any_member && current == 0)
            dx_diag_add(d, false, mat->file, mat->line, mat->col,
                        "rule '%s' names only revoked or expired members: it never matches", r->id);
        if (r->not_after != DX_NO_TIME && r->not_after < now) {
            char t[DX_TIME_TEXT];
            dx_time_format(r->not_after, t);
            dx_diag_add(d, false, r->file, r->line, r->col,
                        "rule '%s' expired at %s: it never matches", r->id, t);
        }
        if (r->nfields && (!r->allow || !(r->actions & DX_ACT_READ)))
            dx_diag_add(d, false, r->file, r->line, r->col,
                        "rule '%s': fields apply only to allow rules for read", r->id);
        if (r->npurposes && !(r->actions & DX_ACT_READ))
            dx_diag_add(d, false, r->file, r->line, r->col,
                        "rule '%s': purposes apply only to read", r->id);
        if (r->allow && (r->actions & DX_ACT_READ) && r->npurposes == 0)
            dx_diag_add(d, false, r->file, r->line, r->col,
                        "rule '%s' allows read for any purpose; list the purposes it is for", r->id);
        if (!r->allow)
            continue;
        for (size_t j = 0; j < ndeny; j++) {
            const dx_rule_t *dn = denies[j];
            if (s_shadows(dn, r)) {
                dx_diag_add(d, false, r->file, r->line, r->col,
                            "rule '%s' is shadowed by deny rule '%s' (%s:%d): it never allows "
                            "anything", r->id, dn->id, dn->file, dn->line);
                break;
            }
        }
    }
    free(denies);
}

void dx_policy_check(const dx_policy_t *p, const dx_policy_where_t *w, int64_t now_ms, dx_diag_t *diag)
{
    s_members(p, w, diag);
    s_rotations(p, w, now_ms, diag);
    s_namespaces(p, w, diag);
    s_rules(p, w, now_ms, diag);
}

void dx_policy_check_broker(const dx_policy_t *p, const uint8_t sign[32], const uint8_t curve[32],
                            const char *label, dx_diag_t *diag)
{
    for (size_t i = 0; i < p->nmembers; i++) {
        const dx_member_t *m = &p->members[i];
        bool s = memcmp(m->sign_key, sign, 32) == 0, t = memcmp(m->transport_key, curve, 32) == 0;
        if (s || t)
            dx_diag_add(diag, false, label, 1, 1,
                        "member '%s' has the broker's own %s: its lines were copied from the "
                        "broker's public key file; give it the member's own keys (dx-admin keygen %s)",
                        m->id, s && t ? "sign_key and transport_key" : s ? "sign_key" : "transport_key",
                        m->id);
    }
}
