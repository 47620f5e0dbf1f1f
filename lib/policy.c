/* policy: pure evaluation of a loaded policy set. */
#include "policy.h"
#include "dxtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *dx_class_name(dx_class_t c)
{
    switch (c) {
    case DX_CLASS_PUBLIC: return "public";
    case DX_CLASS_INTERNAL: return "internal";
    case DX_CLASS_RESTRICTED: return "restricted";
    case DX_CLASS_SECRET: return "secret";
    default: return "unspecified";
    }
}

dx_class_t dx_class_parse(const char *text)
{
    for (int c = DX_CLASS_PUBLIC; c <= DX_CLASS_SECRET; c++)
        if (strcmp(text, dx_class_name((dx_class_t)c)) == 0)
            return (dx_class_t)c;
    return DX_CLASS_NONE;
}

const char *dx_action_name(unsigned action)
{
    switch (action) {
    case DX_ACT_READ: return "read";
    case DX_ACT_LIST: return "list";
    case DX_ACT_PUBLISH: return "publish";
    default: return "unknown";
    }
}

unsigned dx_action_parse(const char *text)
{
    if (strcmp(text, "read") == 0) return DX_ACT_READ;
    if (strcmp(text, "list") == 0) return DX_ACT_LIST;
    if (strcmp(text, "publish") == 0) return DX_ACT_PUBLISH;
    return 0;
}

unsigned dx_role_parse(const char *text)
{
    if (strcmp(text, "publisher") == 0) return DX_ROLE_PUBLISHER;
    if (strcmp(text, "consumer") == 0) return DX_ROLE_CONSUMER;
    if (strcmp(text, "auditor") == 0) return DX_ROLE_AUDITOR;
    if (strcmp(text, "admin") == 0) return DX_ROLE_ADMIN;
    return 0;
}

const dx_member_t *dx_policy_member(const dx_policy_t *p, const char *id)
{
    for (size_t i = 0; p && id && i < p->nmembers; i++)
        if (strcmp(p->members[i].id, id) == 0)
            return &p->members[i];
    return NULL;
}

const dx_member_t *dx_policy_member_by_transport(const dx_policy_t *p, const uint8_t key[32])
{
    for (size_t i = 0; p && i < p->nmembers; i++)
        if (memcmp(p->members[i].transport_key, key, 32) == 0)
            return &p->members[i];
    return NULL;
}

bool dx_member_current(const dx_member_t *m, int64_t now_ms)
{
    return m && !m->revoked && (m->not_after == DX_NO_TIME || now_ms <= m->not_after);
}

// Specificity of a glob: its literal characters, so "health/vaccination/*"
// governs before "health/**".
static size_t s_specificity(const char *glob)
{
    size_t n = 0;
    for (; *glob; glob++)
        if (*glob != '*')
            n++;
    return n;
}

const dx_namespace_t *dx_policy_namespace(const dx_policy_t *p, const char *dataset)
{
    const dx_namespace_t *best = NULL;
    size_t best_score = 0;
    for (size_t i = 0; i < p->nnamespaces; i++) {
        const dx_namespace_t *ns = &p->namespaces[i];
        if (!dx_glob_match(ns->match, dataset))
            continue;
        size_t score = s_specificity(ns->match);
        if (!best || score > best_score) {
            best = ns;
            best_score = score;
        }
    }
    return best;
}

static bool s_in(char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

static bool s_rule_member(const dx_rule_t *r, const char *member)
{
    return r->any_member || s_in(r->members, r->nmembers, member);
}

static bool s_rule_dataset(const dx_rule_t *r, const char *dataset)
{
    for (size_t i = 0; i < r->ndatasets; i++)
        if (dx_glob_match(r->datasets[i], dataset))
            return true;
    return false;
}

static bool s_rule_purpose(const dx_rule_t *r, unsigned action, const char *purpose)
{
    if (action != DX_ACT_READ || r->npurposes == 0)
        return true;
    return purpose && s_in(r->purposes, r->npurposes, purpose);
}

static bool s_rule_time(const dx_rule_t *r, int64_t now)
{
    return (r->not_before == DX_NO_TIME || now >= r->not_before) &&
           (r->not_after == DX_NO_TIME || now <= r->not_after);
}

static dx_class_t s_rule_max(const dx_rule_t *r)
{
    return r->max_classification ? r->max_classification : DX_CLASS_INTERNAL;
}

static void s_set(dx_decision_t *d, bool allow, const char *rule_id, const dx_rule_t *rule)
{
    d->allow = allow;
    snprintf(d->rule_id, sizeof d->rule_id, "%s", rule_id);
    d->rule = rule;
    d->field_mode = DX_FIELDS_ALL;
    d->fields = NULL;
    d->nfields = 0;
    if (allow && rule) {
        d->field_mode = rule->field_mode;
        d->fields = rule->fields;
        d->nfields = rule->nfields;
    }
}

void dx_policy_decide(const dx_policy_t *p, const dx_request_t *req, dx_decision_t *d)
{
    const char *act = dx_action_name(req->action);
    const dx_member_t *m = dx_policy_member(p, req->member);
    memset(d, 0, sizeof *d);
    s_set(d, false, "default-deny", NULL);
    if (!m) {
        snprintf(d->reason, sizeof d->reason, "'%s' is not a member", req->member);
        return;
    }
    if (m->revoked) {
        snprintf(d->reason, sizeof d->reason, "member '%s' is revoked", m->id);
        return;
    }
    if (!dx_member_current(m, req->now_ms)) {
        char t[DX_TIME_TEXT];
        dx_time_format(m->not_after, t);
        snprintf(d->reason, sizeof d->reason, "the keys of member '%s' expired at %s", m->id, t);
        return;
    }

    /* A matching deny wins whatever allows. Classification does not limit
     * a deny. */
    for (size_t i = 0; i < p->nrules; i++) {
        const dx_rule_t *r = &p->rules[i];
        if (r->allow || !(r->actions & req->action) || !s_rule_member(r, m->id) ||
            !s_rule_dataset(r, req->dataset) || !s_rule_purpose(r, req->action, req->purpose) ||
            !s_rule_time(r, req->now_ms))
            continue;
        s_set(d, false, r->id, r);
        snprintf(d->reason, sizeof d->reason, "deny rule '%s' forbids %s to %s %s", r->id, m->id,
                 act, req->dataset);
        return;
    }

    const dx_namespace_t *ns = dx_policy_namespace(p, req->dataset);
    if (req->action == DX_ACT_PUBLISH && ns && strcmp(ns->owner, m->id) == 0 &&
        (m->roles & DX_ROLE_PUBLISHER)) {
        if (req->classification > ns->classification) {
            snprintf(d->reason, sizeof d->reason,
                     "classification %s exceeds %s, the highest allowed in namespace %s",
                     dx_class_name(req->classification), dx_class_name(ns->classification),
                     ns->match);
            return;
        }
        s_set(d, true, "owner", NULL);
        snprintf(d->reason, sizeof d->reason, "%s owns namespace %s", m->id, ns->match);
        return;
    }

    /* The nearest miss becomes the reason of a default deny. */
    char miss[256] = "";
    int miss_rank = 0;
    for (size_t i = 0; i < p->nrules; i++) {
        const dx_rule_t *r = &p->rules[i];
        if (!r->allow || !(r->actions & req->action) || !s_rule_member(r, m->id) ||
            !s_rule_dataset(r, req->dataset))
            continue;
        if (!s_rule_purpose(r, req->action, req->purpose)) {
            if (miss_rank < 3) {
                miss_rank = 3;
                snprintf(miss, sizeof miss, "; rule '%s' does not allow the purpose '%s'", r->id,
                         req->purpose ? req->purpose : "");
            }
            continue;
        }
        if (!s_rule_time(r, req->now_ms)) {
            if (miss_rank < 2) {
                miss_rank = 2;
                snprintf(miss, sizeof miss, "; rule '%s' is %s", r->id,
                         r->not_before != DX_NO_TIME && req->now_ms < r->not_before
                             ? "not yet in force" : "expired");
            }
            continue;
        }
        dx_class_t ceiling = s_rule_max(r);
        if (req->action == DX_ACT_PUBLISH && ns && ns->classification < ceiling)
            ceiling = ns->classification;
        if (req->classification > ceiling) {
            if (miss_rank < 1) {
                miss_rank = 1;
                snprintf(miss, sizeof miss, "; rule '%s' allows at most %s, the dataset is %s",
                         r->id, dx_class_name(ceiling), dx_class_name(req->classification));
            }
            continue;
        }
        s_set(d, true, r->id, r);
        snprintf(d->reason, sizeof d->reason, "rule '%s' allows %s to %s %s", r->id, m->id, act,
                 req->dataset);
        return;
    }
    if (req->action == DX_ACT_PUBLISH && ns && strcmp(ns->owner, m->id) == 0)
        snprintf(d->reason, sizeof d->reason, "%s owns %s but lacks the role publisher", m->id,
                 ns->match);
    else if (req->action == DX_ACT_PUBLISH && ns)
        snprintf(d->reason, sizeof d->reason, "namespace %s belongs to %s, not %s%s", ns->match,
                 ns->owner, m->id, miss);
    else
        snprintf(d->reason, sizeof d->reason, "no rule allows %s to %s %s%s", m->id, act,
                 req->dataset, miss);
}

static void s_free_list(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

void dx_policy_free(dx_policy_t **p_p)
{
    if (!p_p || !*p_p)
        return;
    dx_policy_t *p = *p_p;
    for (size_t i = 0; i < p->nmembers; i++)
        free(p->members[i].name);
    free(p->members);
    for (size_t i = 0; i < p->nnamespaces; i++)
        free(p->namespaces[i].match);
    free(p->namespaces);
    for (size_t i = 0; i < p->nrules; i++) {
        dx_rule_t *r = &p->rules[i];
        free(r->id);
        free(r->file);
        s_free_list(r->members, r->nmembers);
        s_free_list(r->datasets, r->ndatasets);
        s_free_list(r->purposes, r->npurposes);
        s_free_list(r->fields, r->nfields);
    }
    free(p->rules);
    free(p);
    *p_p = NULL;
}
