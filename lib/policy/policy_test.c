/* policy_test: expectation files checked against dx_policy_decide. */
#include "policy_test.h"
#include "dxtime.h"
#include "err.h"
#include "ytree.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const dx_policy_t *p;
    FILE *out;
    dx_diag_t *diag;
    const char *file;
    int passed, failed;
} runner_t;

static const char *s_str(runner_t *R, const yt_node_t *t, const char *key, bool required)
{
    const yt_node_t *v = yt_map_get(t, key);
    if (!v) {
        if (required)
            dx_diag_add(R->diag, true, R->file, t->line, t->col, "test has no '%s'", key);
        return NULL;
    }
    if (v->kind != YT_SCALAR) {
        dx_diag_add(R->diag, true, R->file, v->line, v->col, "'%s' must be a single value", key);
        return NULL;
    }
    return v->value;
}

static int s_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Does the decision's field restriction equal the expected one? */
static bool s_fields_equal(runner_t *R, const yt_node_t *want, const dx_decision_t *d, char *got,
                           size_t cap)
{
    size_t n = (size_t)snprintf(got, cap, "%s", d->field_mode == DX_FIELDS_ALL ? "all"
                                               : d->field_mode == DX_FIELDS_INCLUDE ? "include"
                                                                                    : "exclude");
    for (size_t i = 0; i < d->nfields && n < cap; i++)
        n += (size_t)snprintf(got + n, cap - n, "%s%s", i ? "," : " ", d->fields[i]);
    if (want->kind == YT_SCALAR)
        return strcmp(want->value, "all") == 0 && d->field_mode == DX_FIELDS_ALL;
    const yt_node_t *inc = yt_map_get(want, "include"), *exc = yt_map_get(want, "exclude");
    const yt_node_t *list = inc ? inc : exc;
    if (want->kind != YT_MAP || !list || list->kind != YT_SEQ || (inc && exc)) {
        dx_diag_add(R->diag, true, R->file, want->line, want->col,
                    "fields: expected all, include: [...] or exclude: [...]");
        return false;
    }
    if (d->field_mode != (inc ? DX_FIELDS_INCLUDE : DX_FIELDS_EXCLUDE) || list->n != d->nfields)
        return false;
    const char **a = calloc(list->n + 1, sizeof *a), **b = calloc(list->n + 1, sizeof *b);
    bool same = a && b;
    for (size_t i = 0; same && i < list->n; i++) {
        same = list->items[i]->kind == YT_SCALAR;
        a[i] = same ? list->items[i]->value : "";
        b[i] = d->fields[i];
    }
    if (same) {
        qsort(a, list->n, sizeof *a, s_cmp);
        qsort(b, list->n, sizeof *b, s_cmp);
        for (size_t i = 0; same && i < list->n; i++)
            same = strcmp(a[i], b[i]) == 0;
    }
    free(a);
    free(b);
    return same;
}

static void s_one(runner_t *R, const yt_node_t *t)
{
    static const char *const keys[] = { "name", "member", "action", "dataset", "purpose", "at",
                                        "classification", "expect", "rule", "fields", NULL };
    if (t->kind != YT_MAP) {
        dx_diag_add(R->diag, true, R->file, t->line, t->col, "a test must be a mapping");
        return;
    }
    for (size_t i = 0; i < t->n; i++) {
        const yt_node_t *k = t->items[2 * i];
        bool known = false;
        for (const char *const *a = keys; *a && !known; a++)
            known = k->kind == YT_SCALAR && strcmp(*a, k->value) == 0;
        if (!known) {
            dx_diag_add(R->diag, true, R->file, k->line, k->col, "unknown key in a test");
            return;
        }
    }
    size_t errors = R->diag->errors;
    const char *name = s_str(R, t, "name", true), *member = s_str(R, t, "member", true);
    const char *action = s_str(R, t, "action", true), *dataset = s_str(R, t, "dataset", true);
    const char *expect = s_str(R, t, "expect", true), *at = s_str(R, t, "at", false);
    const char *cls = s_str(R, t, "classification", false), *rule = s_str(R, t, "rule", false);
    dx_request_t req = { .member = member, .dataset = dataset, .purpose = s_str(R, t, "purpose", false),
                         .now_ms = dx_now_ms() };
    if (R->diag->errors != errors)
        return;
    if (!(req.action = dx_action_parse(action)))
        dx_diag_add(R->diag, true, R->file, t->line, t->col, "action: read, list or publish");
    if (!dx_dataset_name_valid(dataset))
        dx_diag_add(R->diag, true, R->file, t->line, t->col, "'%s' is not a dataset name", dataset);
    if (strcmp(expect, "allow") != 0 && strcmp(expect, "deny") != 0)
        dx_diag_add(R->diag, true, R->file, t->line, t->col, "expect: allow or deny");
    if (at && dx_time_parse(at, &req.now_ms) != 0)
        dx_diag_add(R->diag, true, R->file, t->line, t->col, "at: not an RFC 3339 time");
    const dx_namespace_t *ns = dx_dataset_name_valid(dataset) ? dx_policy_namespace(R->p, dataset) : NULL;
    req.classification = ns ? ns->classification : DX_CLASS_INTERNAL;
    if (cls && !(req.classification = dx_class_parse(cls)))
        dx_diag_add(R->diag, true, R->file, t->line, t->col, "unknown classification '%s'", cls);
    if (R->diag->errors != errors)
        return;
    dx_decision_t d;
    dx_policy_decide(R->p, &req, &d);
    char why[600] = "", got_fields[400] = "";
    bool want_allow = strcmp(expect, "allow") == 0;
    const yt_node_t *fields = yt_map_get(t, "fields");
    if (d.allow != want_allow)
        snprintf(why, sizeof why, "expected %s, got %s by %s: %s", expect, d.allow ? "allow" : "deny",
                 d.rule_id, d.reason);
    else if (rule && strcmp(rule, d.rule_id) != 0)
        snprintf(why, sizeof why, "expected rule %s, got %s: %s", rule, d.rule_id, d.reason);
    else if (fields && !s_fields_equal(R, fields, &d, got_fields, sizeof got_fields))
        snprintf(why, sizeof why, "the fields differ: got %s", got_fields);
    if (why[0]) {
        fprintf(R->out, "FAIL %s: %s:%d: %s\n", name, R->file, t->line, why);
        R->failed++;
    } else {
        fprintf(R->out, "PASS %s\n", name);
        R->passed++;
    }
}

static int s_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int dx_policy_run_tests(const dx_policy_t *p, const char *dir, FILE *out, int *passed,
                        int *failed, dx_diag_t *diag)
{
    runner_t R = { .p = p, .out = out, .diag = diag };
    char tdir[4096];
    snprintf(tdir, sizeof tdir, "%s/tests", dir);
    DIR *d = opendir(tdir);
    if (!d) {
        dx_diag_add(diag, true, tdir, 1, 1, "no tests directory (put expectation files in %s/*.yaml)",
                    tdir);
        return DX_ERR_NOT_FOUND;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 1000) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0 || e->d_name[0] == '.')
            continue;
        char **nn = realloc(names, (n + 1) * sizeof *nn);
        if (!nn)
            break;
        names = nn;
        if ((names[n] = strdup(e->d_name)) != NULL)
            n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, s_name_cmp);
    for (size_t i = 0; i < n; i++) {
        char path[4200];
        yt_node_t *root = NULL;
        yt_error_t ye;
        snprintf(path, sizeof path, "%s/%s", tdir, names[i]);
        R.file = path;
        if (yt_parse_file(path, &root, &ye) != 0) {
            dx_diag_add(diag, true, path, ye.line, ye.col, "%s", ye.msg);
        } else if (!root || root->kind != YT_MAP || !yt_map_get(root, "tests") ||
                   yt_map_get(root, "tests")->kind != YT_SEQ) {
            dx_diag_add(diag, true, path, 1, 1, "expected 'version: 1' and a 'tests:' list");
        } else {
            const yt_node_t *tests = yt_map_get(root, "tests");
            for (size_t k = 0; k < tests->n; k++)
                s_one(&R, tests->items[k]);
        }
        yt_free(&root);
        free(names[i]);
    }
    free(names);
    *passed = R.passed;
    *failed = R.failed;
    return diag->errors ? DX_ERR_INVALID : 0;
}
