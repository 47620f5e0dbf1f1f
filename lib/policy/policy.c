/* policy: pure evaluation of a loaded policy set. */
#include "policy.h"
#include "err.h"
#include "events.h"
#include "dxtime.h"
#include "policy_index.h"

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
    if (!p || !id || !p->index)
        return NULL;
    int32_t m = dx_index_member(p, id);
    return m < 0 ? NULL : &p->members[m];
}

const dx_member_t *dx_policy_member_by_transport(const dx_policy_t *p, const uint8_t key[32])
{
    if (!p || !p->index)
        return NULL;
    int32_t m = dx_index_member_by_key(p, key);
    return m < 0 ? NULL : &p->members[m];
}

bool dx_member_current(const dx_member_t *m, int64_t now_ms)
{
    return m && !m->revoked && (m->not_after == DX_NO_TIME || now_ms <= m->not_after);
}

static bool s_current_keys_ok(const dx_member_t *m, int64_t now_ms)
{
    return !m->next.set || now_ms <= m->next.until;
}

static bool s_next_keys_ok(const dx_member_t *m, int64_t now_ms)
{
    return m->next.set && (m->next.from == DX_NO_TIME || now_ms >= m->next.from);
}

bool dx_member_transport_ok(const dx_member_t *m, const uint8_t key[32], int64_t now_ms)
{
    return (s_current_keys_ok(m, now_ms) && dx_equal(key, m->transport_key, 32)) ||
           (s_next_keys_ok(m, now_ms) && dx_equal(key, m->next.transport_key, 32));
}

size_t dx_member_sign_keys(const dx_member_t *m, int64_t now_ms, const uint8_t *keys[2])
{
    size_t n = 0;
    if (s_current_keys_ok(m, now_ms))
        keys[n++] = m->sign_key;
    if (s_next_keys_ok(m, now_ms))
        keys[n++] = m->next.sign_key;
    return n;
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

static const dx_namespace_t *s_namespace(const dx_policy_t *p, const dx_name_t *name)
{
    const dx_namespace_t *best = NULL;
    size_t best_score = 0;
    uint64_t bits = dx_name_bits(name);
    for (size_t i = 0; i < p->nnamespaces; i++) {
        const dx_namespace_t *ns = &p->namespaces[i];
        if ((dx_cglob_bits(&ns->cmatch) & bits) != bits || !dx_cglob_match(&ns->cmatch, name))
            continue;
        size_t score = s_specificity(ns->match);
        if (!best || score > best_score) {
            best = ns;
            best_score = score;
        }
    }
    return best;
}

const dx_namespace_t *dx_policy_namespace(const dx_policy_t *p, const char *dataset)
{
    dx_name_t name;
    return dx_name_split(dataset, &name) ? s_namespace(p, &name) : NULL;
}

static bool s_in(char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

dx_class_t dx_rule_ceiling(const dx_policy_t *p, const dx_rule_t *r, const dx_request_t *req)
{
    dx_class_t ceiling = r->max_classification ? r->max_classification : DX_CLASS_INTERNAL;
    if (req->action == DX_ACT_PUBLISH) {
        const dx_namespace_t *ns = dx_policy_namespace(p, req->dataset);
        if (ns && ns->classification < ceiling)
            ceiling = ns->classification;
    }
    return ceiling;
}

/* The tests after member and action: what the index cannot answer. */
static dx_rule_result_t s_check_rest(const dx_rule_t *r, const dx_request_t *req,
                                     const dx_name_t *name, dx_class_t ceiling)
{
    bool dataset = false;
    for (size_t i = 0; i < r->ndatasets && !dataset; i++)
        dataset = dx_cglob_match(&r->cdatasets[i], name);
    if (!dataset)
        return DX_RULE_OTHER_DATASET;
    if (req->action == DX_ACT_READ && r->npurposes > 0 &&
        !(req->purpose && s_in(r->purposes, r->npurposes, req->purpose)))
        return DX_RULE_WRONG_PURPOSE;
    if (r->not_before != DX_NO_TIME && req->now_ms < r->not_before)
        return DX_RULE_NOT_YET;
    if (r->not_after != DX_NO_TIME && req->now_ms > r->not_after)
        return DX_RULE_EXPIRED;
    if (r->allow && req->classification > ceiling)
        return DX_RULE_CLASSIFICATION;
    return DX_RULE_MATCH;
}

dx_rule_result_t dx_rule_check(const dx_rule_t *r, const dx_request_t *req, const dx_name_t *name,
                               dx_class_t ceiling)
{
    if (!(r->actions & req->action))
        return DX_RULE_OTHER_ACTION;
    if (!r->any_member && !s_in(r->members, r->nmembers, req->member))
        return DX_RULE_OTHER_MEMBER;
    return s_check_rest(r, req, name, ceiling);
}

/* For rules from the index, which names member and action already; the
 * first-segment filter skips most rules for other datasets in one AND. */
static dx_rule_result_t s_check_candidate(const dx_rule_t *r, const dx_request_t *req,
                                          const dx_name_t *name, uint64_t name_bits,
                                          dx_class_t ceiling)
{
    if ((r->first_bits & name_bits) != name_bits)
        return DX_RULE_OTHER_DATASET;
    return s_check_rest(r, req, name, ceiling);
}

const char *dx_rule_result_text(dx_rule_result_t res)
{
    switch (res) {
    case DX_RULE_MATCH: return "matches";
    case DX_RULE_OTHER_ACTION: return "is for other actions";
    case DX_RULE_OTHER_MEMBER: return "names other members";
    case DX_RULE_OTHER_DATASET: return "covers other datasets";
    case DX_RULE_WRONG_PURPOSE: return "does not allow this purpose";
    case DX_RULE_NOT_YET: return "is not yet in force";
    case DX_RULE_EXPIRED: return "has expired";
    case DX_RULE_CLASSIFICATION: return "allows a lower classification";
    }
    return "?";
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

/* The next rule of two ascending lists, in file order. */
static const dx_rule_t *s_next(const dx_policy_t *p, dx_rule_list_t *a, dx_rule_list_t *b)
{
    const uint32_t *pick;
    if (a->n && (!b->n || a->items[0] < b->items[0])) {
        pick = a->items++;
        a->n--;
    } else if (b->n) {
        pick = b->items++;
        b->n--;
    } else {
        return NULL;
    }
    return &p->rules[*pick];
}

/* The reason of a default deny: the nearest miss among the rules that name
 * the member for the action and cover the dataset. */
static void s_near_miss(const dx_rule_t *r, dx_rule_result_t res, const dx_request_t *req,
                        dx_class_t ceiling, int *rank, char *miss, size_t cap)
{
    int this_rank = res == DX_RULE_WRONG_PURPOSE ? 3 : res == DX_RULE_CLASSIFICATION ? 1 : 2;
    if (res < DX_RULE_WRONG_PURPOSE || this_rank <= *rank)
        return;
    *rank = this_rank;
    if (res == DX_RULE_WRONG_PURPOSE)
        snprintf(miss, cap, "; rule '%s' does not allow the purpose '%s'", r->id,
                 req->purpose ? req->purpose : "");
    else if (res == DX_RULE_CLASSIFICATION)
        snprintf(miss, cap, "; rule '%s' allows at most %s, the dataset is %s", r->id,
                 dx_class_name(ceiling), dx_class_name(req->classification));
    else
        snprintf(miss, cap, "; rule '%s' %s", r->id,
                 res == DX_RULE_NOT_YET ? "is not yet in force" : "has expired");
}

void dx_policy_decide(const dx_policy_t *p, const dx_request_t *req, dx_decision_t *d)
{
    const char *act = dx_action_name(req->action);
    int32_t mi = p->index ? dx_index_member(p, req->member) : -1;
    const dx_member_t *m = mi >= 0 ? &p->members[mi] : NULL;
    dx_name_t name;
    memset(d, 0, sizeof *d);
    s_set(d, false, dx_pseudo_rule(DX_PSEUDO_DEFAULT_DENY), NULL);
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
    if (!dx_name_split(req->dataset, &name)) {
        snprintf(d->reason, sizeof d->reason, "'%s' is not a valid dataset name", req->dataset);
        return;
    }

    /* A matching deny wins whatever allows. */
    uint64_t bits = dx_name_bits(&name);
    dx_rule_list_t own = dx_index_rules(p, mi, req->action, false);
    dx_rule_list_t all = dx_index_rules(p, -1, req->action, false);
    for (const dx_rule_t *r; (r = s_next(p, &own, &all)) != NULL;) {
        if (s_check_candidate(r, req, &name, bits, DX_CLASS_SECRET) != DX_RULE_MATCH)
            continue;
        s_set(d, false, r->id, r);
        snprintf(d->reason, sizeof d->reason, "deny rule '%s' forbids %s to %s %s", r->id, m->id,
                 act, req->dataset);
        return;
    }

    /* The owner of a namespace may always list and read what is in it,
     * whole, for any purpose (a deny rule above still wins). */
    const dx_namespace_t *ns = s_namespace(p, &name);
    if (req->action != DX_ACT_PUBLISH && ns && strcmp(ns->owner, m->id) == 0) {
        s_set(d, true, dx_pseudo_rule(DX_PSEUDO_OWNER), NULL);
        snprintf(d->reason, sizeof d->reason, "%s owns namespace %s", m->id, ns->match);
        return;
    }
    if (req->action == DX_ACT_PUBLISH && ns && strcmp(ns->owner, m->id) == 0 &&
        (m->roles & DX_ROLE_PUBLISHER)) {
        if (req->classification > ns->classification) {
            snprintf(d->reason, sizeof d->reason,
                     "classification %s exceeds %s, the highest allowed in namespace %s",
                     dx_class_name(req->classification), dx_class_name(ns->classification),
                     ns->match);
            return;
        }
        s_set(d, true, dx_pseudo_rule(DX_PSEUDO_OWNER), NULL);
        snprintf(d->reason, sizeof d->reason, "%s owns namespace %s", m->id, ns->match);
        return;
    }

    char miss[200] = "";
    int rank = 0;
    own = dx_index_rules(p, mi, req->action, true);
    all = dx_index_rules(p, -1, req->action, true);
    for (const dx_rule_t *r; (r = s_next(p, &own, &all)) != NULL;) {
        dx_class_t ceiling = r->max_classification ? r->max_classification : DX_CLASS_INTERNAL;
        if (req->action == DX_ACT_PUBLISH && ns && ns->classification < ceiling)
            ceiling = ns->classification;
        dx_rule_result_t res = s_check_candidate(r, req, &name, bits, ceiling);
        if (res != DX_RULE_MATCH) {
            s_near_miss(r, res, req, ceiling, &rank, miss, sizeof miss);
            continue;
        }
        s_set(d, true, r->id, r);
        snprintf(d->reason, sizeof d->reason, "rule '%s' allows %s to %s %s", r->id, m->id, act,
                 req->dataset);
        return;
    }
    /* Open data: what the office opened is every member's to list and read,
     * whole, for any purpose, as it is the world's (a deny rule above still
     * wins; only public versions, whatever the namespace says). */
    if (req->action != DX_ACT_PUBLISH && ns && ns->open && req->classification == DX_CLASS_PUBLIC) {
        s_set(d, true, dx_pseudo_rule(DX_PSEUDO_OPEN_DATA), NULL);
        snprintf(d->reason, sizeof d->reason, "namespace %s is open data (licence %.200s)", ns->match,
                 ns->license ? ns->license : "");
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

static int s_cmp_prefix(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Adds the literal start of glob: up to the first wildcard, and back to
 * before the '/' ending it, so that "a/" followed by "**" also covers "a"
 * itself. False when there is no room. */
static bool s_add_prefix(const char *glob, char prefixes[][DX_NAME_MAX + 1], size_t *n, size_t max)
{
    size_t len = strcspn(glob, "*");
    if (len > DX_NAME_MAX)
        len = DX_NAME_MAX;
    if (len > 0 && glob[len - 1] == '/' && glob[len] == '*')
        len--;
    if (*n == max)
        return false;
    memcpy(prefixes[*n], glob, len);
    prefixes[(*n)++][len] = '\0';
    return true;
}

size_t dx_policy_prefixes(const dx_policy_t *p, const char *member, unsigned action,
                          char prefixes[][DX_NAME_MAX + 1], size_t max)
{
    int32_t mi = p->index ? dx_index_member(p, member) : -1;
    if (mi < 0 || max == 0)
        return 0;
    size_t n = 0;
    bool room = true;
    /* list and read: the namespaces it owns, and where it may publish (a
     * publisher may see its own versions) */
    for (int pass = 0; pass < (action == DX_ACT_PUBLISH ? 1 : 2) && room; pass++) {
        unsigned act = pass ? DX_ACT_PUBLISH : action;
        dx_rule_list_t own = dx_index_rules(p, mi, act, true);
        dx_rule_list_t all = dx_index_rules(p, -1, act, true);
        for (const dx_rule_t *r; room && (r = s_next(p, &own, &all)) != NULL;)
            for (size_t i = 0; room && i < r->ndatasets; i++)
                room = s_add_prefix(r->datasets[i], prefixes, &n, max);
    }
    for (size_t i = 0; room && i < p->nnamespaces; i++)
        if (strcmp(p->namespaces[i].owner, member) == 0 || (p->namespaces[i].open && action != DX_ACT_PUBLISH))
            room = s_add_prefix(p->namespaces[i].match, prefixes, &n, max);
    if (!room) {
        prefixes[0][0] = '\0';
        return 1;
    }
    qsort(prefixes, n, sizeof prefixes[0], s_cmp_prefix);
    /* sorted, a prefix of another comes right before the names it covers */
    size_t keep = 0;
    for (size_t i = 0; i < n; i++) {
        if (keep > 0 && strncmp(prefixes[i], prefixes[keep - 1], strlen(prefixes[keep - 1])) == 0)
            continue;
        if (keep != i)
            memcpy(prefixes[keep], prefixes[i], sizeof prefixes[0]);
        keep++;
    }
    return keep;
}

bool dx_decision_publisher_may(const dx_decision_t *d)
{
    return !d->allow && !d->rule; /* not a deny rule's refusal */
}

void dx_decision_publisher(dx_decision_t *d, const char *member, const char *dataset, uint64_t version)
{
    memset(d, 0, sizeof *d);
    s_set(d, true, dx_pseudo_rule(DX_PSEUDO_OWNER), NULL);
    snprintf(d->reason, sizeof d->reason, "%s published %s@%llu", member, dataset,
             (unsigned long long)version);
}

void dx_policy_explain(const dx_policy_t *p, const dx_request_t *req, dx_explain_fn fn, void *arg)
{
    dx_name_t name;
    if (!dx_name_split(req->dataset, &name))
        return;
    for (size_t i = 0; i < p->nrules; i++) {
        const dx_rule_t *r = &p->rules[i];
        fn(arg, r, dx_rule_check(r, req, &name, dx_rule_ceiling(p, r, req)));
    }
}

static void s_free_list(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

int dx_policy_archive_each(const uint8_t *archive, size_t len, dx_archive_fn fn, void *arg)
{
    size_t at = 0;
    while (at < len) {
        const uint8_t *nul = memchr(archive + at, 0, len - at);
        if (!nul || nul == archive + at || (size_t)(nul - archive) + 9 > len)
            return DX_ERR_INVALID;
        size_t name_end = (size_t)(nul - archive), n = 0;
        for (int i = 0; i < 8; i++)
            n = (n << 8) | archive[name_end + 1 + i];
        size_t data = name_end + 9;
        if (n > len - data)
            return DX_ERR_INVALID;
        int rv = fn(arg, (const char *)archive + at, archive + data, n);
        if (rv != 0)
            return rv;
        at = data + n;
    }
    return 0;
}

void dx_policy_free(dx_policy_t **p_p)
{
    if (!p_p || !*p_p)
        return;
    dx_policy_t *p = *p_p;
    free(p->archive);
    for (size_t i = 0; i < p->nmembers; i++)
        free(p->members[i].name);
    free(p->members);
    for (size_t i = 0; i < p->nnamespaces; i++) {
        free(p->namespaces[i].match);
        free(p->namespaces[i].license);
    }
    free(p->namespaces);
    for (size_t i = 0; i < p->nrules; i++) {
        dx_rule_t *r = &p->rules[i];
        free(r->id);
        free(r->file);
        s_free_list(r->members, r->nmembers);
        s_free_list(r->datasets, r->ndatasets);
        s_free_list(r->purposes, r->npurposes);
        s_free_list(r->fields, r->nfields);
        free(r->cdatasets);
    }
    free(p->rules);
    dx_index_free(p->index);
    free(p);
    *p_p = NULL;
}
