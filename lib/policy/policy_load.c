/* policy_load: YAML policy files, checked against the schema of DESIGN §5.
 *
 * Each file's tree is checked and turned into members, namespaces and
 * rules, remembering where each came from; then policy_check cross-checks
 * the merged set. Checking goes on after an error so that one run reports
 * every problem. */
#include "policy_load.h"
#include "dxtime.h"
#include "fileio.h"
#include "keys.h"
#include "policy_check.h"
#include "ytree.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef dx_where_t where_t;

typedef struct {
    dx_policy_t *p;
    dx_diag_t *diag;
    const char *file;       /* the file being read; lives in files[] */
    char **files;           /* every file name, for the where_t records */
    size_t nfiles;
    where_t *member_at;     /* parallel to p->members */
    where_t *ns_at;         /* parallel to p->namespaces */
    where_t *rule_member_at;   /* per rule: where its members list is */
    size_t cap_members, cap_ns, cap_rules;
    char **broken;          /* ids of members that did not load */
    size_t nbroken;
    dx_sha256_t *hash;      /* over every file's name and bytes */
} loader_t;

__attribute__((format(printf, 3, 4)))
static void s_err(loader_t *L, const yt_node_t *at, const char *fmt, ...)
{
    char msg[DX_ERRMSG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    dx_diag_add(L->diag, true, L->file, at ? at->line : 1, at ? at->col : 1, "%s", msg);
}

/* ---- typed readers of tree nodes ---- */

static const char *s_scalar(loader_t *L, const yt_node_t *n, const char *key)
{
    if (n->kind != YT_SCALAR) {
        s_err(L, n, "'%s' must be a single value, not %s", key, yt_kind_name(n->kind));
        return NULL;
    }
    return n->value;
}

/* A list of scalars; a single scalar counts as a list of one. */
static char **s_list(loader_t *L, const yt_node_t *n, const char *key, size_t *count)
{
    *count = 0;
    size_t k = n->kind == YT_SEQ ? n->n : 1;
    if (n->kind == YT_MAP) {
        s_err(L, n, "'%s' must be a list", key);
        return NULL;
    }
    char **list = calloc(k ? k : 1, sizeof *list);
    if (!list)
        return NULL;
    for (size_t i = 0; i < k; i++) {
        const yt_node_t *item = n->kind == YT_SEQ ? n->items[i] : n;
        if (item->kind != YT_SCALAR) {
            s_err(L, item, "items of '%s' must be single values", key);
            continue;
        }
        if ((list[*count] = strdup(item->value)) != NULL)
            (*count)++;
    }
    return list;
}

static bool s_time(loader_t *L, const yt_node_t *n, const char *key, int64_t *out)
{
    const char *v = s_scalar(L, n, key);
    if (!v)
        return false;
    if (dx_time_parse(v, out) != 0) {
        s_err(L, n, "'%s' is not an RFC 3339 time: '%.60s' (write 2027-12-31T23:59:59Z)", key, v);
        return false;
    }
    return true;
}

static bool s_bool(loader_t *L, const yt_node_t *n, const char *key, bool *out)
{
    const char *v = s_scalar(L, n, key);
    if (!v)
        return false;
    if (strcmp(v, "true") == 0) {
        *out = true;
    } else if (strcmp(v, "false") == 0) {
        *out = false;
    } else {
        s_err(L, n, "'%s' must be true or false, not '%.40s'", key, v);
        return false;
    }
    return true;
}

/* Checks that every key of map is one of allowed (a NULL-terminated list). */
static void s_known_keys(loader_t *L, const yt_node_t *map, const char *what,
                         const char *const *allowed)
{
    for (size_t i = 0; i < map->n; i++) {
        const yt_node_t *k = map->items[2 * i];
        if (k->kind != YT_SCALAR) {
            s_err(L, k, "keys must be plain names");
            continue;
        }
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(*a, k->value) == 0;
        if (!ok)
            s_err(L, k, "unknown key '%.60s' in %s", k->value, what);
        for (size_t j = 0; j < i; j++) {
            const yt_node_t *prev = map->items[2 * j];
            if (prev->kind == YT_SCALAR && strcmp(prev->value, k->value) == 0)
                s_err(L, k, "duplicate key '%.60s'", k->value);
        }
    }
}

static const yt_node_t *s_required(loader_t *L, const yt_node_t *map, const char *key,
                                   const char *what)
{
    const yt_node_t *v = yt_map_get(map, key);
    if (!v)
        s_err(L, map, "%s has no '%s'", what, key);
    return v;
}

static where_t s_where(loader_t *L, const yt_node_t *n)
{
    where_t w = { L->file, n->line, n->col };
    return w;
}

/* ---- sections ---- */

static void s_member(loader_t *L, const yt_node_t *n)
{
    static const char *const keys[] = { "id", "name", "roles", "sign_key", "transport_key",
                                        "not_after", "revoked", NULL };
    if (n->kind != YT_MAP) {
        s_err(L, n, "a member must be a mapping (id:, roles:, sign_key:, transport_key:)");
        return;
    }
    s_known_keys(L, n, "a member", keys);
    dx_member_t m = { .not_after = DX_NO_TIME };
    bool ok = true;
    const yt_node_t *v;
    const char *s;
    if ((v = s_required(L, n, "id", "member")) && (s = s_scalar(L, v, "id"))) {
        if (!dx_id_valid(s)) {
            s_err(L, v, "member id '%.40s' is not valid: ^[a-z][a-z0-9-]{0,31}$", s);
            ok = false;
        } else {
            snprintf(m.id, sizeof m.id, "%s", s);
        }
    } else {
        ok = false;
    }
    if ((v = yt_map_get(n, "name")) && (s = s_scalar(L, v, "name")))
        m.name = strdup(s);
    if ((v = yt_map_get(n, "roles"))) {
        size_t k = 0;
        char **roles = s_list(L, v, "roles", &k);
        for (size_t i = 0; i < k; i++) {
            unsigned r = dx_role_parse(roles[i]);
            if (!r) {
                s_err(L, v, "unknown role '%.40s' (publisher, consumer, auditor, admin)", roles[i]);
                ok = false;
            }
            m.roles |= r;
            free(roles[i]);
        }
        free(roles);
    }
    if ((v = s_required(L, n, "sign_key", "member")) && (s = s_scalar(L, v, "sign_key"))) {
        if (dx_sign_key_parse(s, m.sign_key) != 0) {
            s_err(L, v, "malformed sign_key: expected \"ed25519:\" and the base64 of 32 bytes");
            ok = false;
        }
    } else {
        ok = false;
    }
    if ((v = s_required(L, n, "transport_key", "member")) && (s = s_scalar(L, v, "transport_key"))) {
        if (dx_curve_key_parse(s, m.transport_key) != 0) {
            s_err(L, v, "malformed transport_key: expected \"curve:\" and 40 Z85 characters");
            ok = false;
        }
    } else {
        ok = false;
    }
    if ((v = yt_map_get(n, "not_after")) && !s_time(L, v, "not_after", &m.not_after))
        ok = false;
    if ((v = yt_map_get(n, "revoked")) && !s_bool(L, v, "revoked", &m.revoked))
        ok = false;
    if (!ok) {
        /* remember the id, so rules naming it are not also reported */
        char **b = m.id[0] ? realloc(L->broken, (L->nbroken + 1) * sizeof *b) : NULL;
        if (b) {
            L->broken = b;
            if ((b[L->nbroken] = strdup(m.id)) != NULL)
                L->nbroken++;
        }
        free(m.name);
        return;
    }
    dx_policy_t *p = L->p;
    if (p->nmembers == L->cap_members) {
        size_t cap = L->cap_members ? 2 * L->cap_members : 16;
        dx_member_t *mm = realloc(p->members, cap * sizeof *mm);
        where_t *ww = mm ? realloc(L->member_at, cap * sizeof *ww) : NULL;
        if (mm)
            p->members = mm;
        if (!mm || !ww) {
            free(m.name);
            s_err(L, n, "out of memory");
            return;
        }
        L->member_at = ww;
        L->cap_members = cap;
    }
    L->member_at[p->nmembers] = s_where(L, n);
    p->members[p->nmembers++] = m;
}

static void s_namespace(loader_t *L, const yt_node_t *n)
{
    static const char *const keys[] = { "match", "owner", "classification", NULL };
    if (n->kind != YT_MAP) {
        s_err(L, n, "a dataset namespace must be a mapping (match:, owner:, classification:)");
        return;
    }
    s_known_keys(L, n, "a dataset namespace", keys);
    dx_namespace_t ns = { .classification = DX_CLASS_INTERNAL };
    bool ok = true;
    const yt_node_t *v;
    const char *s;
    if ((v = s_required(L, n, "match", "dataset namespace")) && (s = s_scalar(L, v, "match"))) {
        if (!dx_glob_valid(s)) {
            s_err(L, v, "bad glob '%.60s': segments of [a-z0-9._-], '*' or '**'", s);
            ok = false;
        } else {
            ns.match = strdup(s);
        }
    } else {
        ok = false;
    }
    if ((v = s_required(L, n, "owner", "dataset namespace")) && (s = s_scalar(L, v, "owner"))) {
        if (!dx_id_valid(s)) {
            s_err(L, v, "owner '%.40s' is not a valid member id", s);
            ok = false;
        } else {
            snprintf(ns.owner, sizeof ns.owner, "%s", s);
        }
    } else {
        ok = false;
    }
    if ((v = yt_map_get(n, "classification")) && (s = s_scalar(L, v, "classification"))) {
        if (!(ns.classification = dx_class_parse(s))) {
            s_err(L, v, "unknown classification '%.40s' (public, internal, restricted, secret)", s);
            ok = false;
        }
    }
    if (!ok || !ns.match) {
        free(ns.match);
        return;
    }
    dx_policy_t *p = L->p;
    if (p->nnamespaces == L->cap_ns) {
        size_t cap = L->cap_ns ? 2 * L->cap_ns : 16;
        dx_namespace_t *nn = realloc(p->namespaces, cap * sizeof *nn);
        where_t *ww = nn ? realloc(L->ns_at, cap * sizeof *ww) : NULL;
        if (nn)
            p->namespaces = nn;
        if (!nn || !ww) {
            free(ns.match);
            s_err(L, n, "out of memory");
            return;
        }
        L->ns_at = ww;
        L->cap_ns = cap;
    }
    L->ns_at[p->nnamespaces] = s_where(L, n);
    p->namespaces[p->nnamespaces++] = ns;
}

static void s_free_strings(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

static void s_rule_free(dx_rule_t *r)
{
    free(r->id);
    free(r->file);
    s_free_strings(r->members, r->nmembers);
    s_free_strings(r->datasets, r->ndatasets);
    s_free_strings(r->purposes, r->npurposes);
    s_free_strings(r->fields, r->nfields);
}

static bool s_rule_fields(loader_t *L, const yt_node_t *v, dx_rule_t *r)
{
    static const char *const keys[] = { "include", "exclude", NULL };
    if (v->kind != YT_MAP) {
        s_err(L, v, "'fields' must be a mapping with 'include' or 'exclude'");
        return false;
    }
    s_known_keys(L, v, "fields", keys);
    const yt_node_t *inc = yt_map_get(v, "include"), *exc = yt_map_get(v, "exclude");
    if ((inc != NULL) == (exc != NULL)) {
        s_err(L, v, "'fields' needs exactly one of 'include' or 'exclude'");
        return false;
    }
    r->field_mode = inc ? DX_FIELDS_INCLUDE : DX_FIELDS_EXCLUDE;
    r->fields = s_list(L, inc ? inc : exc, inc ? "include" : "exclude", &r->nfields);
    if (r->nfields == 0) {
        s_err(L, inc ? inc : exc, "the field list is empty");
        return false;
    }
    for (size_t i = 0; i < r->nfields; i++) {
        if (strlen(r->fields[i]) == 0 || strlen(r->fields[i]) > 256) {
            s_err(L, inc ? inc : exc, "field names must be 1 to 256 bytes");
            return false;
        }
    }
    return true;
}

static void s_rule(loader_t *L, const yt_node_t *n)
{
    static const char *const keys[] = { "id", "effect", "actions", "members", "datasets",
                                        "purposes", "fields", "not_before", "not_after",
                                        "max_classification", NULL };
    if (n->kind != YT_MAP) {
        s_err(L, n, "a rule must be a mapping (id:, effect:, actions:, members:, datasets:)");
        return;
    }
    s_known_keys(L, n, "a rule", keys);
    dx_rule_t r = { .not_before = DX_NO_TIME, .not_after = DX_NO_TIME };
    where_t members_at = { NULL, n->line, n->col };
    bool ok = true;
    const yt_node_t *v;
    const char *s;
    r.file = strdup(L->file);
    r.line = n->line;
    r.col = n->col;
    if ((v = s_required(L, n, "id", "rule")) && (s = s_scalar(L, v, "id"))) {
        if (!dx_token_valid(s)) {
            s_err(L, v, "rule id '%.60s' is not valid: ^[a-z0-9][a-z0-9._-]{0,63}$", s);
            ok = false;
        } else {
            r.id = strdup(s);
        }
    } else {
        ok = false;
    }
    if ((v = s_required(L, n, "effect", "rule")) && (s = s_scalar(L, v, "effect"))) {
        if (strcmp(s, "allow") == 0) {
            r.allow = true;
        } else if (strcmp(s, "deny") != 0) {
            s_err(L, v, "effect must be allow or deny, not '%.40s'", s);
            ok = false;
        }
    } else {
        ok = false;
    }
    if ((v = s_required(L, n, "actions", "rule"))) {
        size_t k = 0;
        char **acts = s_list(L, v, "actions", &k);
        for (size_t i = 0; i < k; i++) {
            unsigned a = dx_action_parse(acts[i]);
            if (!a) {
                s_err(L, v, "unknown action '%.40s' (read, list, publish)", acts[i]);
                ok = false;
            }
            r.actions |= a;
        }
        s_free_strings(acts, k);
        if (k == 0) {
            s_err(L, v, "'actions' is empty");
            ok = false;
        }
    } else {
        ok = false;
    }
    if ((v = s_required(L, n, "members", "rule"))) {
        r.members = s_list(L, v, "members", &r.nmembers);
        members_at.line = v->line;
        members_at.col = v->col;
        for (size_t i = 0; i < r.nmembers; i++) {
            if (strcmp(r.members[i], "*") == 0) {
                r.any_member = true;
            } else if (!dx_id_valid(r.members[i])) {
                s_err(L, v, "'%.40s' is not a valid member id", r.members[i]);
                ok = false;
            }
        }
        if (r.nmembers == 0) {
            s_err(L, v, "'members' is empty");
            ok = false;
        }
    } else {
        ok = false;
    }
    if ((v = s_required(L, n, "datasets", "rule"))) {
        r.datasets = s_list(L, v, "datasets", &r.ndatasets);
        for (size_t i = 0; i < r.ndatasets; i++) {
            if (!dx_glob_valid(r.datasets[i])) {
                s_err(L, v, "bad glob '%.60s': segments of [a-z0-9._-], '*' or '**'",
                      r.datasets[i]);
                ok = false;
            }
        }
        if (r.ndatasets == 0) {
            s_err(L, v, "'datasets' is empty");
            ok = false;
        }
    } else {
        ok = false;
    }
    if ((v = yt_map_get(n, "purposes"))) {
        r.purposes = s_list(L, v, "purposes", &r.npurposes);
        for (size_t i = 0; i < r.npurposes; i++) {
            if (!dx_token_valid(r.purposes[i])) {
                s_err(L, v, "purpose '%.40s' is not valid: ^[a-z0-9][a-z0-9._-]{0,63}$",
                      r.purposes[i]);
                ok = false;
            }
        }
    }
    if ((v = yt_map_get(n, "fields")) && !s_rule_fields(L, v, &r))
        ok = false;
    if ((v = yt_map_get(n, "not_before")) && !s_time(L, v, "not_before", &r.not_before))
        ok = false;
    if ((v = yt_map_get(n, "not_after")) && !s_time(L, v, "not_after", &r.not_after))
        ok = false;
    if (r.not_before != DX_NO_TIME && r.not_after != DX_NO_TIME && r.not_before > r.not_after) {
        s_err(L, yt_map_get(n, "not_after"), "not_before is after not_after: the rule never applies");
        ok = false;
    }
    if ((v = yt_map_get(n, "max_classification")) && (s = s_scalar(L, v, "max_classification"))) {
        if (!(r.max_classification = dx_class_parse(s))) {
            s_err(L, v, "unknown classification '%.40s' (public, internal, restricted, secret)", s);
            ok = false;
        }
    }
    if (!ok || !r.id) {
        s_rule_free(&r);
        return;
    }
    dx_policy_t *p = L->p;
    if (p->nrules == L->cap_rules) {
        size_t cap = L->cap_rules ? 2 * L->cap_rules : 16;
        dx_rule_t *rr = realloc(p->rules, cap * sizeof *rr);
        where_t *ww = rr ? realloc(L->rule_member_at, cap * sizeof *ww) : NULL;
        if (rr)
            p->rules = rr;
        if (!rr || !ww) {
            s_rule_free(&r);
            s_err(L, n, "out of memory");
            return;
        }
        L->rule_member_at = ww;
        L->cap_rules = cap;
    }
    members_at.file = L->file;
    L->rule_member_at[p->nrules] = members_at;
    p->rules[p->nrules++] = r;
}

static void s_section(loader_t *L, const yt_node_t *root, const char *key,
                      void (*each)(loader_t *, const yt_node_t *))
{
    const yt_node_t *list = yt_map_get(root, key);
    if (!list)
        return;
    if (list->kind == YT_SCALAR && list->plain && list->value[0] == '\0')
        return; /* "rules:" with nothing under it */
    if (list->kind != YT_SEQ) {
        s_err(L, list, "'%s' must be a list", key);
        return;
    }
    for (size_t i = 0; i < list->n; i++)
        each(L, list->items[i]);
}

static void s_file(loader_t *L, const yt_node_t *root)
{
    static const char *const keys[] = { "version", "members", "datasets", "rules", NULL };
    if (!root)
        return; /* an empty file adds nothing */
    if (root->kind != YT_MAP) {
        s_err(L, root, "a policy file must be a mapping with version, members, datasets, rules");
        return;
    }
    s_known_keys(L, root, "a policy file", keys);
    const yt_node_t *v = yt_map_get(root, "version");
    if (!v)
        s_err(L, root, "missing 'version: 1'");
    else if (v->kind != YT_SCALAR || strcmp(v->value, "1") != 0)
        s_err(L, v, "unsupported version: this dx reads 'version: 1'");
    s_section(L, root, "members", s_member);
    s_section(L, root, "datasets", s_namespace);
    s_section(L, root, "rules", s_rule);
}

/* ---- files ---- */

static int s_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void s_hash_file(dx_sha256_t *h, const char *name, const char *data, size_t len)
{
    uint8_t n[8];
    for (int i = 0; i < 8; i++)
        n[i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
    dx_sha256_update(h, name, strlen(name) + 1);
    dx_sha256_update(h, n, sizeof n);
    dx_sha256_update(h, data, len);
}

#define s_err_file(diag, file, ...) dx_diag_add((diag), true, (file), 1, 1, __VA_ARGS__)

static int s_begin(loader_t *L, dx_diag_t *diag)
{
    memset(L, 0, sizeof *L);
    memset(diag, 0, sizeof *diag);
    L->diag = diag;
    if (!(L->p = calloc(1, sizeof *L->p)) || dx_sha256_new(&L->hash) != 0)
        return DX_ERR_NOMEM;
    return 0;
}

/* One file's bytes, under the path its errors will name. */
static void s_add(loader_t *L, const char *path, const char *name, const char *data, size_t len)
{
    yt_node_t *root = NULL;
    yt_error_t yerr;
    char **files = realloc(L->files, (L->nfiles + 1) * sizeof *files);
    if (!files || !(files[L->nfiles] = strdup(path))) {
        L->files = files ? files : L->files;
        s_err_file(L->diag, path, "out of memory");
        return;
    }
    L->files = files;
    L->file = files[L->nfiles++];
    s_hash_file(L->hash, name, data, len);
    if (yt_parse_buffer(data, len, &root, &yerr) != 0) {
        yt_node_t at = { .line = yerr.line, .col = yerr.col };
        s_err(L, &at, "%s", yerr.msg);
    } else {
        s_file(L, root);
    }
    yt_free(&root);
}

/* Cross-checks the merged set, and frees the loader. */
static int s_finish(loader_t *L, const char *label, dx_policy_t **out)
{
    dx_diag_t *diag = L->diag;
    int rv = DX_ERR_POLICY;
    L->file = label;
    if (L->p && L->hash) {
        if (dx_policy_compile(L->p) != 0) {
            s_err_file(diag, label, "out of memory while indexing the policy set");
        } else {
            dx_policy_where_t w = { L->member_at, L->ns_at, L->rule_member_at, L->broken, L->nbroken };
            dx_policy_check(L->p, &w, dx_now_ms(), diag);
        }
        if (dx_sha256_final(L->hash, L->p->sha256) != 0) {
            s_err_file(diag, label, "cannot hash the policy set");
        } else {
            memcpy(diag->sha256, L->p->sha256, sizeof diag->sha256);
            diag->hashed = true;
        }
        if (diag->errors == 0) {
            *out = L->p;
            L->p = NULL;
            rv = 0;
        }
    } else {
        rv = DX_ERR_NOMEM;
    }
    for (size_t i = 0; i < L->nfiles; i++)
        free(L->files[i]);
    free(L->files);
    for (size_t i = 0; i < L->nbroken; i++)
        free(L->broken[i]);
    free(L->broken);
    free(L->member_at);
    free(L->ns_at);
    free(L->rule_member_at);
    dx_policy_free(&L->p);
    dx_sha256_destroy(&L->hash);
    return rv;
}

int dx_policy_load_buffers(const dx_policy_file_t *files, size_t n, const char *label, dx_policy_t **out,
                           dx_diag_t *diag)
{
    loader_t L;
    *out = NULL;
    if (s_begin(&L, diag) == 0)
        for (size_t i = 0; i < n; i++)
            s_add(&L, files[i].name, files[i].name, files[i].data, files[i].len);
    return s_finish(&L, label, out);
}

int dx_policy_load(const char *dir, dx_policy_t **out, dx_diag_t *diag)
{
    loader_t L;
    char **names = NULL;
    size_t nnames = 0;
    *out = NULL;
    memset(diag, 0, sizeof *diag);
    DIR *d = opendir(dir);
    if (!d) {
        s_err_file(diag, dir, "cannot read policy directory: %s", strerror(errno));
        return DX_ERR_POLICY;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0 || e->d_name[0] == '.')
            continue;
        if (nnames == DX_POLICY_MAX_FILES) {
            s_err_file(diag, dir, "more than %d policy files", DX_POLICY_MAX_FILES);
            break;
        }
        char **nn = realloc(names, (nnames + 1) * sizeof *nn);
        if (!nn || !(nn[nnames] = strdup(e->d_name))) {
            names = nn ? nn : names;
            s_err_file(diag, dir, "out of memory");
            break;
        }
        names = nn;
        nnames++;
    }
    closedir(d);
    int rv = DX_ERR_POLICY;
    if (!diag->errors && nnames == 0)
        s_err_file(diag, dir, "no *.yaml policy files in the directory");
    if (diag->errors)
        goto out;
    qsort(names, nnames, sizeof *names, s_name_cmp);
    if (s_begin(&L, diag) == 0) {
        for (size_t i = 0; i < nnames; i++) {
            char path[4096], *data = NULL;
            size_t len = 0;
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            int r = dx_read_small_file(path, YT_MAX_FILE, &data, &len);
            if (r != 0) {
                s_err_file(diag, path, "cannot read the file: %s",
                           r == DX_ERR_TOO_BIG ? "larger than 1 MiB" : dx_strerror(r));
                continue;
            }
            s_add(&L, path, names[i], data, len);
            free(data);
        }
    }
    rv = s_finish(&L, dir, out);
out:
    for (size_t i = 0; i < nnames; i++)
        free(names[i]);
    free(names);
    return rv;
}
