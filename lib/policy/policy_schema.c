/* policy_schema: one policy file's tree, checked against the schema of
 * DESIGN §5 and turned into members, namespaces and rules, each
 * remembering where it came from. Each section is a table of its keys
 * (name, required, reader); checking goes on after an error so that one
 * run reports every problem. */
#include "policy_schema.h"
#include "dxtime.h"
#include "keys.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void policy_schema_err(loader_t *L, const yt_node_t *at, const char *fmt, ...)
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
        policy_schema_err(L, n, "'%s' must be a single value, not %s", key, yt_kind_name(n->kind));
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
        policy_schema_err(L, n, "'%s' must be a list", key);
        return NULL;
    }
    char **list = calloc(k ? k : 1, sizeof *list);
    if (!list)
        return NULL;
    for (size_t i = 0; i < k; i++) {
        const yt_node_t *item = n->kind == YT_SEQ ? n->items[i] : n;
        if (item->kind != YT_SCALAR) {
            policy_schema_err(L, item, "items of '%s' must be single values", key);
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
        policy_schema_err(L, n, "'%s' is not an RFC 3339 time: '%.60s' (write 2027-12-31T23:59:59Z)", key, v);
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
        policy_schema_err(L, n, "'%s' must be true or false, not '%.40s'", key, v);
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
            policy_schema_err(L, k, "keys must be plain names");
            continue;
        }
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(*a, k->value) == 0;
        if (!ok)
            policy_schema_err(L, k, "unknown key '%.60s' in %s", k->value, what);
        for (size_t j = 0; j < i; j++) {
            const yt_node_t *prev = map->items[2 * j];
            if (prev->kind == YT_SCALAR && strcmp(prev->value, k->value) == 0)
                policy_schema_err(L, k, "duplicate key '%.60s'", k->value);
        }
    }
}

static where_t s_where(loader_t *L, const yt_node_t *n)
{
    where_t w = { L->file, n->line, n->col };
    return w;
}

/* ---- sections: each a table of its keys ---- */

/* One key of a section: its name, whether it must be there, and how its
 * value is read into the section's struct (false: reported, not taken). */
typedef struct {
    const char *name;
    bool required;
    bool (*read)(loader_t *L, const yt_node_t *v, void *obj);
} schema_key_t;

typedef struct {
    const char *what;            /* "a member": errors about the mapping */
    const char *noun;            /* "member": "member has no 'id'" */
    const char *shape;           /* the keys to show when it is not a mapping */
    const schema_key_t *keys;
    size_t nkeys;
} schema_t;

#define SCHEMA_KEYS_MAX 16

/* Reads n by the table into obj: unknown and repeated keys, missing
 * required ones and every bad value are reported; false if any was. */
static bool s_read_keys(loader_t *L, const yt_node_t *n, const schema_t *sc, void *obj)
{
    if (n->kind != YT_MAP) {
        policy_schema_err(L, n, "%s must be a mapping (%s)", sc->what, sc->shape);
        return false;
    }
    const char *names[SCHEMA_KEYS_MAX + 1];
    for (size_t i = 0; i < sc->nkeys; i++)
        names[i] = sc->keys[i].name;
    names[sc->nkeys] = NULL;
    s_known_keys(L, n, sc->what, names);
    bool ok = true;
    for (size_t i = 0; i < sc->nkeys; i++) {
        const yt_node_t *v = yt_map_get(n, sc->keys[i].name);
        if (!v) {
            if (sc->keys[i].required) {
                policy_schema_err(L, n, "%s has no '%s'", sc->noun, sc->keys[i].name);
                ok = false;
            }
            continue;
        }
        ok &= sc->keys[i].read(L, v, obj);
    }
    return ok;
}

/* Appends item to a growing array and its position to the parallel array
 * of where each came from. */
static bool s_append(loader_t *L, const yt_node_t *n, void **arr, size_t *count, size_t *cap,
                     size_t size, where_t **at, const void *item, where_t w)
{
    if (*count == *cap) {
        size_t c = *cap ? 2 * *cap : 16;
        void *grown = realloc(*arr, c * size);
        where_t *ww = grown ? realloc(*at, c * sizeof *ww) : NULL;
        if (grown)
            *arr = grown;
        if (!grown || !ww) {
            policy_schema_err(L, n, "out of memory");
            return false;
        }
        *at = ww;
        *cap = c;
    }
    memcpy((char *)*arr + *count * size, item, size);
    (*at)[(*count)++] = w;
    return true;
}

/* A list of words, each naming a bit; none may be unknown. */
static bool s_bits(loader_t *L, const yt_node_t *v, const char *key, const char *one,
                   unsigned (*parse)(const char *), const char *choices, unsigned *out)
{
    size_t k = 0;
    bool ok = true;
    char **words = s_list(L, v, key, &k);
    for (size_t i = 0; i < k; i++) {
        unsigned bit = parse(words[i]);
        if (!bit) {
            policy_schema_err(L, v, "unknown %s '%.40s' (%s)", one, words[i], choices);
            ok = false;
        }
        *out |= bit;
        free(words[i]);
    }
    free(words);
    return ok;
}

/* A list of strings each of which valid() accepts; `empty` says whether
 * none at all is allowed. */
static bool s_names(loader_t *L, const yt_node_t *v, const char *key, bool (*valid)(const char *),
                    const char *bad, bool empty, char ***out, size_t *n)
{
    bool ok = true;
    *out = s_list(L, v, key, n);
    for (size_t i = 0; i < *n; i++) {
        if (!valid((*out)[i])) {
            policy_schema_err(L, v, bad, (*out)[i]);
            ok = false;
        }
    }
    if (*n == 0 && !empty) {
        policy_schema_err(L, v, "'%s' is empty", key);
        ok = false;
    }
    return ok;
}

static bool s_class(loader_t *L, const yt_node_t *v, const char *key, dx_class_t *out)
{
    const char *s = s_scalar(L, v, key);
    if (!s)
        return false;
    if (!(*out = dx_class_parse(s))) {
        policy_schema_err(L, v, "unknown classification '%.40s' (public, internal, restricted, secret)", s);
        return false;
    }
    return true;
}

/* -- members -- */

static bool s_m_id(loader_t *L, const yt_node_t *v, void *obj)
{
    dx_member_t *m = obj;
    const char *s = s_scalar(L, v, "id");
    if (s && !dx_id_valid(s))
        policy_schema_err(L, v, "member id '%.40s' is not valid: ^[a-z][a-z0-9-]{0,31}$", s);
    else if (s)
        snprintf(m->id, sizeof m->id, "%s", s);
    return s && m->id[0];
}

static bool s_m_name(loader_t *L, const yt_node_t *v, void *obj)
{
    dx_member_t *m = obj;
    const char *s = s_scalar(L, v, "name");
    return s && (m->name = strdup(s)) != NULL;
}

static bool s_m_roles(loader_t *L, const yt_node_t *v, void *obj)
{
    return s_bits(L, v, "roles", "role", dx_role_parse, "publisher, consumer, auditor, admin",
                  &((dx_member_t *)obj)->roles);
}

/* what: "" for a member's keys, "next " for its next ones */
static bool s_sign_key(loader_t *L, const yt_node_t *v, const char *what, uint8_t out[DX_ED25519_LEN])
{
    const char *s = s_scalar(L, v, "sign_key");
    if (s && dx_sign_key_parse(s, out) == 0)
        return true;
    if (s)
        policy_schema_err(L, v, "malformed %ssign_key: expected \"ed25519:\" and the base64 of 32 bytes", what);
    return false;
}

static bool s_transport_key(loader_t *L, const yt_node_t *v, const char *what, uint8_t out[32])
{
    const char *s = s_scalar(L, v, "transport_key");
    if (s && dx_curve_key_parse(s, out) == 0)
        return true;
    if (s)
        policy_schema_err(L, v, "malformed %stransport_key: expected \"curve:\" and 40 Z85 characters", what);
    return false;
}

static bool s_m_sign_key(loader_t *L, const yt_node_t *v, void *obj)
{
    return s_sign_key(L, v, "", ((dx_member_t *)obj)->sign_key);
}

static bool s_m_transport_key(loader_t *L, const yt_node_t *v, void *obj)
{
    return s_transport_key(L, v, "", ((dx_member_t *)obj)->transport_key);
}

static bool s_m_not_after(loader_t *L, const yt_node_t *v, void *obj)
{
    return s_time(L, v, "not_after", &((dx_member_t *)obj)->not_after);
}

static bool s_m_revoked(loader_t *L, const yt_node_t *v, void *obj)
{
    return s_bool(L, v, "revoked", &((dx_member_t *)obj)->revoked);
}

static bool s_n_sign_key(loader_t *L, const yt_node_t *v, void *obj)
{
    return s_sign_key(L, v, "next ", ((dx_next_keys_t *)obj)->sign_key);
}

static bool s_n_transport_key(loader_t *L, const yt_node_t *v, void *obj)
{
    return s_transport_key(L, v, "next ", ((dx_next_keys_t *)obj)->transport_key);
}

static bool s_n_from(loader_t *L, const yt_node_t *v, void *obj)
{
    return s_time(L, v, "from", &((dx_next_keys_t *)obj)->from);
}

static bool s_n_until(loader_t *L, const yt_node_t *v, void *obj)
{
    return s_time(L, v, "until", &((dx_next_keys_t *)obj)->until);
}

static const schema_key_t s_next_keys[] = {
    { "sign_key", true, s_n_sign_key },
    { "transport_key", true, s_n_transport_key },
    { "from", false, s_n_from },
    { "until", true, s_n_until },
};

static const schema_t s_next_schema = { "next (a member's next keys)", "next",
                                        "sign_key:, transport_key:, until: and, optionally, from:",
                                        s_next_keys, sizeof s_next_keys / sizeof s_next_keys[0] };

/* next: the keys a member rotates to, and the overlap window */
static bool s_m_next(loader_t *L, const yt_node_t *v, void *obj)
{
    dx_member_t *m = obj;
    m->next.from = DX_NO_TIME;
    if (!s_read_keys(L, v, &s_next_schema, &m->next))
        return false;
    if (m->next.from != DX_NO_TIME && m->next.from > m->next.until) {
        policy_schema_err(L, yt_map_get(v, "from"), "from is after until: the member would have no key in between");
        return false;
    }
    if (dx_equal(m->next.sign_key, m->sign_key, 32) || dx_equal(m->next.transport_key, m->transport_key, 32)) {
        policy_schema_err(L, v, "next has a key the member already has: rotate both keys to new ones");
        return false;
    }
    m->next.set = true;
    return true;
}

static const schema_key_t s_member_keys[] = {
    { "id", true, s_m_id },
    { "name", false, s_m_name },
    { "roles", false, s_m_roles },
    { "sign_key", true, s_m_sign_key },
    { "transport_key", true, s_m_transport_key },
    { "not_after", false, s_m_not_after },
    { "revoked", false, s_m_revoked },
    { "next", false, s_m_next },
};

static const schema_t s_member_schema = { "a member", "member",
                                          "id:, roles:, sign_key:, transport_key:", s_member_keys,
                                          sizeof s_member_keys / sizeof s_member_keys[0] };

static void s_member(loader_t *L, const yt_node_t *n)
{
    dx_member_t m = { .not_after = DX_NO_TIME };
    if (!s_read_keys(L, n, &s_member_schema, &m)) {
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
    if (!s_append(L, n, (void **)&L->p->members, &L->p->nmembers, &L->cap_members, sizeof m,
                  &L->member_at, &m, s_where(L, n)))
        free(m.name);
}

/* -- dataset namespaces -- */

static bool s_ns_match(loader_t *L, const yt_node_t *v, void *obj)
{
    dx_namespace_t *ns = obj;
    const char *s = s_scalar(L, v, "match");
    if (s && !dx_glob_valid(s))
        policy_schema_err(L, v, "bad glob '%.60s': segments of [a-z0-9._-], '*' or '**'", s);
    else if (s)
        ns->match = strdup(s);
    return ns->match != NULL;
}

static bool s_ns_owner(loader_t *L, const yt_node_t *v, void *obj)
{
    dx_namespace_t *ns = obj;
    const char *s = s_scalar(L, v, "owner");
    if (s && !dx_id_valid(s))
        policy_schema_err(L, v, "owner '%.40s' is not a valid member id", s);
    else if (s)
        snprintf(ns->owner, sizeof ns->owner, "%s", s);
    return ns->owner[0];
}

static bool s_ns_class(loader_t *L, const yt_node_t *v, void *obj)
{
    return s_class(L, v, "classification", &((dx_namespace_t *)obj)->classification);
}

/* retention: how long a version's content is kept after it is published;
 * the broker erases it then (the audit log is never touched). */
static bool s_ns_retention(loader_t *L, const yt_node_t *v, void *obj)
{
    dx_namespace_t *ns = obj;
    const char *s = s_scalar(L, v, "retention");
    if (!s)
        return false;
    if (dx_duration_parse(s, &ns->retention_ms) != 0) {
        policy_schema_err(L, v, "retention '%.40s' is not a period: a whole number of s, m, h or d "
                          "(\"365d\"), at most 100 years", s);
        return false;
    }
    snprintf(ns->retention, sizeof ns->retention, "%s", s);
    return true;
}

/* open: true publishes the namespace's public versions as open data. */
static bool s_ns_open(loader_t *L, const yt_node_t *v, void *obj)
{
    return s_bool(L, v, "open", &((dx_namespace_t *)obj)->open);
}

/* license: an http(s) URL, written as it is into the open data catalogue's
 * Turtle and JSON-LD: so no character that either would have to escape. */
static bool s_ns_license(loader_t *L, const yt_node_t *v, void *obj)
{
    dx_namespace_t *ns = obj;
    const char *s = s_scalar(L, v, "license");
    if (!s)
        return false;
    size_t n = strlen(s);
    if (!(strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0) || n <= 8 || n > 300 ||
        !dx_iri_safe(s)) {
        policy_schema_err(L, v, "license: an http(s) URL of at most 300 characters, without spaces, "
                          "quotes or <>, not '%.60s'", s);
        return false;
    }
    free(ns->license);
    ns->license = strdup(s);
    return ns->license != NULL;
}

static const schema_key_t s_namespace_keys[] = {
    { "match", true, s_ns_match },
    { "owner", true, s_ns_owner },
    { "classification", false, s_ns_class },
    { "retention", false, s_ns_retention },
    { "open", false, s_ns_open },
    { "license", false, s_ns_license },
};

static const schema_t s_namespace_schema = { "a dataset namespace", "dataset namespace",
                                             "match:, owner:, classification:, retention:, open:, license:",
                                             s_namespace_keys, sizeof s_namespace_keys / sizeof s_namespace_keys[0] };

static void s_namespace(loader_t *L, const yt_node_t *n)
{
    dx_namespace_t ns = { .classification = DX_CLASS_INTERNAL };
    bool ok = s_read_keys(L, n, &s_namespace_schema, &ns);
    /* only what is public may be opened to the world */
    if (ok && ns.open && ns.classification != DX_CLASS_PUBLIC) {
        policy_schema_err(L, n, "namespace %s is open (open data) but allows %s versions: an open "
                          "namespace must be classification: public", ns.match, dx_class_name(ns.classification));
        ok = false;
    }
    if (ok && ns.open && !ns.license) {
        policy_schema_err(L, n, "namespace %s is open (open data) but names no license: add license: URL",
                          ns.match);
        ok = false;
    }
    if (ok && !ns.open && ns.license) {
        policy_schema_err(L, n, "namespace %s names a license but is not open: add open: true, or drop "
                          "license:", ns.match);
        ok = false;
    }
    if (!ok || !s_append(L, n, (void **)&L->p->namespaces, &L->p->nnamespaces, &L->cap_ns, sizeof ns,
                         &L->ns_at, &ns, s_where(L, n))) {
        free(ns.match);
        free(ns.license);
    }
}

/* -- rules -- */

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
        policy_schema_err(L, v, "'fields' must be a mapping with 'include' or 'exclude'");
        return false;
    }
    s_known_keys(L, v, "fields", keys);
    const yt_node_t *inc = yt_map_get(v, "include"), *exc = yt_map_get(v, "exclude");
    if ((inc != NULL) == (exc != NULL)) {
        policy_schema_err(L, v, "'fields' needs exactly one of 'include' or 'exclude'");
        return false;
    }
    r->field_mode = inc ? DX_FIELDS_INCLUDE : DX_FIELDS_EXCLUDE;
    r->fields = s_list(L, inc ? inc : exc, inc ? "include" : "exclude", &r->nfields);
    if (r->nfields == 0) {
        policy_schema_err(L, inc ? inc : exc, "the field list is empty");
        return false;
    }
    for (size_t i = 0; i < r->nfields; i++) {
        if (strlen(r->fields[i]) == 0 || strlen(r->fields[i]) > 256) {
            policy_schema_err(L, inc ? inc : exc, "field names must be 1 to 256 bytes");
            return false;
        }
    }
    return true;
}

/* A rule as read, with where its members list is (policy_check reports
 * unknown members there). */
typedef struct {
    dx_rule_t r;
    where_t members_at;
} rule_in_t;

static bool s_valid_token(const char *s) { return dx_token_valid(s); }
static bool s_valid_glob(const char *s) { return dx_glob_valid(s); }
static bool s_valid_rule_member(const char *s) { return strcmp(s, "*") == 0 || dx_id_valid(s); }

static bool s_r_id(loader_t *L, const yt_node_t *v, void *obj)
{
    dx_rule_t *r = &((rule_in_t *)obj)->r;
    const char *s = s_scalar(L, v, "id");
    if (s && !dx_token_valid(s))
        policy_schema_err(L, v, "rule id '%.60s' is not valid: ^[a-z0-9][a-z0-9._-]{0,63}$", s);
    else if (s)
        r->id = strdup(s);
    return r->id != NULL;
}

static bool s_r_effect(loader_t *L, const yt_node_t *v, void *obj)
{
    const char *s = s_scalar(L, v, "effect");
    if (!s)
        return false;
    ((rule_in_t *)obj)->r.allow = strcmp(s, "allow") == 0;
    if (strcmp(s, "allow") != 0 && strcmp(s, "deny") != 0) {
        policy_schema_err(L, v, "effect must be allow or deny, not '%.40s'", s);
        return false;
    }
    return true;
}

static unsigned s_action_bit(const char *s) { return dx_action_parse(s); }

static bool s_r_actions(loader_t *L, const yt_node_t *v, void *obj)
{
    dx_rule_t *r = &((rule_in_t *)obj)->r;
    bool ok = s_bits(L, v, "actions", "action", s_action_bit, "read, list, publish", &r->actions);
    if (ok && r->actions == 0) {
        policy_schema_err(L, v, "'actions' is empty");
        ok = false;
    }
    return ok;
}

static bool s_r_members(loader_t *L, const yt_node_t *v, void *obj)
{
    rule_in_t *in = obj;
    in->members_at = (where_t){ L->file, v->line, v->col };
    bool ok = s_names(L, v, "members", s_valid_rule_member, "'%.40s' is not a valid member id", false,
                      &in->r.members, &in->r.nmembers);
    for (size_t i = 0; i < in->r.nmembers; i++)
        in->r.any_member |= strcmp(in->r.members[i], "*") == 0;
    return ok;
}

static bool s_r_datasets(loader_t *L, const yt_node_t *v, void *obj)
{
    dx_rule_t *r = &((rule_in_t *)obj)->r;
    return s_names(L, v, "datasets", s_valid_glob,
                   "bad glob '%.60s': segments of [a-z0-9._-], '*' or '**'", false, &r->datasets,
                   &r->ndatasets);
}

static bool s_r_purposes(loader_t *L, const yt_node_t *v, void *obj)
{
    dx_rule_t *r = &((rule_in_t *)obj)->r;
    return s_names(L, v, "purposes", s_valid_token,
                   "purpose '%.40s' is not valid: ^[a-z0-9][a-z0-9._-]{0,63}$", true, &r->purposes,
                   &r->npurposes);
}

static bool s_r_fields(loader_t *L, const yt_node_t *v, void *obj)
{
    return s_rule_fields(L, v, &((rule_in_t *)obj)->r);
}

static bool s_r_not_before(loader_t *L, const yt_node_t *v, void *obj)
{
    return s_time(L, v, "not_before", &((rule_in_t *)obj)->r.not_before);
}

static bool s_r_not_after(loader_t *L, const yt_node_t *v, void *obj)
{
    return s_time(L, v, "not_after", &((rule_in_t *)obj)->r.not_after);
}

static bool s_r_class(loader_t *L, const yt_node_t *v, void *obj)
{
    return s_class(L, v, "max_classification", &((rule_in_t *)obj)->r.max_classification);
}

static const schema_key_t s_rule_keys[] = {
    { "id", true, s_r_id },
    { "effect", true, s_r_effect },
    { "actions", true, s_r_actions },
    { "members", true, s_r_members },
    { "datasets", true, s_r_datasets },
    { "purposes", false, s_r_purposes },
    { "fields", false, s_r_fields },
    { "not_before", false, s_r_not_before },
    { "not_after", false, s_r_not_after },
    { "max_classification", false, s_r_class },
};

static const schema_t s_rule_schema = { "a rule", "rule",
                                        "id:, effect:, actions:, members:, datasets:", s_rule_keys,
                                        sizeof s_rule_keys / sizeof s_rule_keys[0] };

static void s_rule(loader_t *L, const yt_node_t *n)
{
    rule_in_t in = { .r = { .not_before = DX_NO_TIME, .not_after = DX_NO_TIME },
                     .members_at = { NULL, n->line, n->col } };
    dx_rule_t *r = &in.r;
    r->file = strdup(L->file);
    r->line = n->line;
    r->col = n->col;
    bool ok = s_read_keys(L, n, &s_rule_schema, &in);
    if (r->not_before != DX_NO_TIME && r->not_after != DX_NO_TIME && r->not_before > r->not_after) {
        policy_schema_err(L, yt_map_get(n, "not_after"),
                          "not_before is after not_after: the rule never applies");
        ok = false;
    }
    in.members_at.file = L->file;
    if (!ok || !r->id ||
        !s_append(L, n, (void **)&L->p->rules, &L->p->nrules, &L->cap_rules, sizeof *r,
                  &L->rule_member_at, r, in.members_at))
        s_rule_free(r);
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
        policy_schema_err(L, list, "'%s' must be a list", key);
        return;
    }
    for (size_t i = 0; i < list->n; i++)
        each(L, list->items[i]);
}

void policy_schema_file(loader_t *L, const yt_node_t *root)
{
    static const char *const keys[] = { "version", "members", "datasets", "rules", NULL };
    if (!root)
        return; /* an empty file adds nothing */
    if (root->kind != YT_MAP) {
        policy_schema_err(L, root, "a policy file must be a mapping with version, members, datasets, rules");
        return;
    }
    s_known_keys(L, root, "a policy file", keys);
    const yt_node_t *v = yt_map_get(root, "version");
    if (!v)
        policy_schema_err(L, root, "missing 'version: 1'");
    else if (v->kind != YT_SCALAR || strcmp(v->value, "1") != 0)
        policy_schema_err(L, v, "unsupported version: this dx reads 'version: 1'");
    s_section(L, root, "members", s_member);
    s_section(L, root, "datasets", s_namespace);
    s_section(L, root, "rules", s_rule);
}

