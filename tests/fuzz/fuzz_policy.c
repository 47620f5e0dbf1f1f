/* fuzz_policy: the policy loader on hostile YAML, and the loaded set's
 * index against a plain scan of its rules.
 *
 * Input: up to four policy files separated by a line "#--". A set that
 * loads is asked every (member, action, dataset, purpose) its own rules
 * suggest; the indexed decision must be exactly what checking every rule in
 * order gives: a deny that matches wins; else a publisher publishing into
 * its own namespace is allowed up to the namespace's classification; else
 * the first allow that matches decides. */
#include "glob.h"
#include "policy.h"
#include "policy_load.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILES 4
#define MAX_PROBES 16

static const char *const s_classes[] = { "public", "internal", "restricted", "secret" };

/* A dataset name a glob matches: '*' and '**' become one segment "x". */
static void s_name_for(const char *glob, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *c = glob; *c && n + 2 < cap; c++) {
        if (*c == '*') {
            while (c[1] == '*')
                c++;
            out[n++] = 'x';
        } else {
            out[n++] = *c;
        }
    }
    out[n] = '\0';
}

static void s_compare(const dx_policy_t *p, const dx_request_t *req)
{
    dx_decision_t d;
    dx_policy_decide(p, req, &d);
    const dx_member_t *m = dx_policy_member(p, req->member);
    dx_name_t name;
    if (!m || m->revoked || !dx_member_current(m, req->now_ms) || !dx_name_split(req->dataset, &name)) {
        if (d.allow)
            abort();
        return;
    }
    const dx_rule_t *deny = NULL, *allow = NULL;
    const dx_namespace_t *ns;
    for (size_t i = 0; i < p->nrules; i++) {
        const dx_rule_t *r = &p->rules[i];
        if (dx_rule_check(r, req, &name, dx_rule_ceiling(p, r, req)) != DX_RULE_MATCH)
            continue;
        if (!r->allow && !deny)
            deny = r;
        if (r->allow && !allow)
            allow = r;
    }
    if (deny) {
        if (d.allow || d.rule != deny)
            abort();
    } else if (req->action != DX_ACT_PUBLISH && (ns = dx_policy_namespace(p, req->dataset)) &&
               strcmp(ns->owner, m->id) == 0) {
        /* the owner lists and reads its own namespace whole, no rule */
        if (d.rule || !d.allow || d.field_mode != DX_FIELDS_ALL)
            abort();
    } else if (req->action == DX_ACT_PUBLISH && (ns = dx_policy_namespace(p, req->dataset)) &&
               strcmp(ns->owner, m->id) == 0 && (m->roles & DX_ROLE_PUBLISHER)) {
        /* a publisher's own namespace: its classification decides, no rule */
        if (d.rule || d.allow != (req->classification <= ns->classification))
            abort();
    } else if (d.allow != (allow != NULL) || d.rule != allow) {
        abort();
    }
}

static void s_probe(const dx_policy_t *p, int64_t now)
{
    const char *members[MAX_PROBES + 1], *datasets[MAX_PROBES + 1], *purposes[MAX_PROBES + 1];
    char names[MAX_PROBES][256];
    size_t nm = 0, nd = 0, np = 0;
    for (size_t i = 0; i < p->nmembers && nm < MAX_PROBES; i++)
        members[nm++] = p->members[i].id;
    members[nm++] = "stranger";
    for (size_t i = 0; i < p->nrules && nd < MAX_PROBES; i++) {
        const dx_rule_t *r = &p->rules[i];
        if (r->ndatasets)
            s_name_for(r->datasets[0], names[nd], sizeof names[nd]), datasets[nd] = names[nd], nd++;
        if (r->npurposes && np < MAX_PROBES)
            purposes[np++] = r->purposes[0];
    }
    datasets[nd++] = "a/b";
    purposes[np++] = "none-of-these";
    for (size_t mi = 0; mi < nm; mi++)
        for (unsigned act = DX_ACT_READ; act <= DX_ACT_PUBLISH; act <<= 1)
            for (size_t di = 0; di < nd; di++)
                for (size_t pi = 0; pi < np; pi++) {
                    dx_request_t req = { members[mi], act, datasets[di],
                                         dx_class_parse(s_classes[(mi + di + pi) % 4]), purposes[pi], now };
                    s_compare(p, &req);
                }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[MAX_FILES] = { "1.yaml", "2.yaml", "3.yaml", "4.yaml" };
    dx_policy_file_t files[MAX_FILES];
    size_t n = 0;
    const char *at = (const char *)data, *end = at + size;
    while (n < MAX_FILES) {
        const char *sep = n + 1 < MAX_FILES ? memmem(at, (size_t)(end - at), "\n#--\n", 5) : NULL;
        size_t len = sep ? (size_t)(sep - at) + 1 : (size_t)(end - at);
        files[n] = (dx_policy_file_t){ names[n], at, len };
        n++;
        if (!sep)
            break;
        at = sep + 5;
    }
    dx_policy_t *p = NULL;
    dx_diag_t diag;
    if (dx_policy_load_buffers(files, n, "fuzz", &p, &diag) == 0) {
        s_probe(p, 1767225600000);       /* 2026-01-01 */
        s_probe(p, 4102444800000);       /* 2100-01-01: past most not_after */
    }
    dx_diag_free(&diag);
    dx_policy_free(&p);
    return 0;
}
