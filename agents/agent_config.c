/* agent_config: the service's sections, checked key by key. */
#include "agent_config.h"
#include "media.h"
#include "policy.h"
#include "ytree.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

typedef struct {
    const char *path;
    char *err;
} ctx_t;

__attribute__((format(printf, 3, 4)))
static int s_fail(ctx_t *x, const yt_node_t *at, const char *fmt, ...)
{
    char msg[DX_ERRMSG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(x->err, DX_ERRMSG, "%s:%d:%d: %s", x->path, at ? at->line : 1, at ? at->col : 1, msg);
    return DX_ERR_USAGE;
}

static int s_text(ctx_t *x, const yt_node_t *k, const yt_node_t *v, char *out, size_t cap)
{
    if (v->kind != YT_SCALAR || !v->value[0])
        return s_fail(x, v, "%s: expected a value", k->value);
    if (strlen(v->value) >= cap)
        return s_fail(x, v, "%s: longer than %zu characters", k->value, cap - 1);
    snprintf(out, cap, "%s", v->value);
    return 0;
}

/* The template is valid when filling it in gives a valid name. */
static bool s_template_valid(const char *t)
{
    agent_outbox_t o = { .classification = 0 };
    char name[DX_NAME_MAX + 1];
    snprintf(o.dataset, sizeof o.dataset, "%s", t);
    return agent_dataset_name(&o, "file.csv", 0, name) == 0;
}

static int s_outbox(ctx_t *x, const yt_node_t *m, agent_outbox_t *o)
{
    int rv;
    if (m->kind != YT_MAP)
        return s_fail(x, m, "outboxes: each entry is a mapping with dir:, dataset:, ...");
    o->classification = DX_CLASS_INTERNAL;
    for (size_t i = 0; i < m->n; i++) {
        const yt_node_t *k = m->items[2 * i], *v = m->items[2 * i + 1];
        char cls[32];
        dx_media_t media;
        if (k->kind != YT_SCALAR)
            return s_fail(x, k, "expected a key");
        if (strcmp(k->value, "dir") == 0) {
            if ((rv = s_text(x, k, v, o->dir, sizeof o->dir)) != 0)
                return rv;
        } else if (strcmp(k->value, "dataset") == 0) {
            if ((rv = s_text(x, k, v, o->dataset, sizeof o->dataset)) != 0)
                return rv;
            if (!s_template_valid(o->dataset))
                return s_fail(x, v, "dataset: '%s' does not make a valid dataset name (segments "
                              "of [a-z0-9._-] joined by '/'; {date} and {file} are filled in)",
                              o->dataset);
        } else if (strcmp(k->value, "classification") == 0) {
            if ((rv = s_text(x, k, v, cls, sizeof cls)) != 0)
                return rv;
            if (!(o->classification = dx_class_parse(cls)))
                return s_fail(x, v, "classification: public, internal, restricted or secret");
        } else if (strcmp(k->value, "content_type") == 0) {
            if ((rv = s_text(x, k, v, o->content_type, sizeof o->content_type)) != 0)
                return rv;
            if (dx_media_parse(o->content_type, &media) != 0)
                return s_fail(x, v, "content_type: a media type, like text/csv");
        } else {
            return s_fail(x, k, "unknown key '%.40s' in an outbox (dir, dataset, classification, "
                          "content_type)", k->value);
        }
    }
    if (!o->dir[0] || !o->dataset[0])
        return s_fail(x, m, "an outbox needs dir: and dataset:");
    return 0;
}

static int s_sub(ctx_t *x, const yt_node_t *m, agent_sub_t *s, size_t *patterns_total)
{
    int rv;
    if (m->kind != YT_MAP)
        return s_fail(x, m, "subscriptions: each entry is a mapping with datasets:, purpose:, inbox:");
    for (size_t i = 0; i < m->n; i++) {
        const yt_node_t *k = m->items[2 * i], *v = m->items[2 * i + 1];
        if (k->kind != YT_SCALAR)
            return s_fail(x, k, "expected a key");
        if (strcmp(k->value, "datasets") == 0) {
            const yt_node_t *const *items = v->kind == YT_SEQ ? (const yt_node_t *const *)v->items : &v;
            size_t n = v->kind == YT_SEQ ? v->n : 1;
            if (n == 0)
                return s_fail(x, v, "datasets: at least one pattern");
            for (size_t j = 0; j < n; j++) {
                const yt_node_t *p = items[j];
                if (p->kind != YT_SCALAR || !dx_glob_valid(p->value) || strlen(p->value) > DX_NAME_MAX)
                    return s_fail(x, p, "datasets: '%s' is not a pattern (like health/**)",
                                  p->kind == YT_SCALAR ? p->value : "");
                if (s->npatterns == AGENT_PATTERNS_MAX || ++*patterns_total > AGENT_PATTERNS_MAX)
                    return s_fail(x, p, "datasets: at most %d patterns in all subscriptions",
                                  AGENT_PATTERNS_MAX);
                snprintf(s->patterns[s->npatterns++], sizeof s->patterns[0], "%s", p->value);
            }
        } else if (strcmp(k->value, "purpose") == 0) {
            if ((rv = s_text(x, k, v, s->purpose, sizeof s->purpose)) != 0)
                return rv;
            if (!dx_token_valid(s->purpose))
                return s_fail(x, v, "purpose: a word of [a-z0-9._-], like statistics");
        } else if (strcmp(k->value, "inbox") == 0) {
            if ((rv = s_text(x, k, v, s->inbox, sizeof s->inbox)) != 0)
                return rv;
        } else {
            return s_fail(x, k, "unknown key '%.40s' in a subscription (datasets, purpose, inbox)",
                          k->value);
        }
    }
    if (!s->npatterns || !s->purpose[0] || !s->inbox[0])
        return s_fail(x, m, "a subscription needs datasets:, purpose: and inbox:");
    return 0;
}

static int s_sections(ctx_t *x, const yt_node_t *root, agent_config_t *cfg)
{
    size_t patterns = 0;
    int rv;
    for (size_t i = 0; i < root->n; i++) {
        const yt_node_t *k = root->items[2 * i], *v = root->items[2 * i + 1];
        bool outboxes = strcmp(k->value, "outboxes") == 0;
        if (!outboxes && strcmp(k->value, "subscriptions") != 0)
            continue; /* cli.c's keys, checked there */
        if (v->kind != YT_SEQ)
            return s_fail(x, v, "%s: expected a list of entries (- ...)", k->value);
        size_t max = outboxes ? AGENT_OUTBOXES_MAX : AGENT_SUBS_MAX;
        if (v->n > max)
            return s_fail(x, v, "%s: at most %zu", k->value, max);
        for (size_t j = 0; j < v->n; j++) {
            rv = outboxes ? s_outbox(x, v->items[j], &cfg->outboxes[cfg->noutboxes++])
                          : s_sub(x, v->items[j], &cfg->subs[cfg->nsubs++], &patterns);
            if (rv != 0)
                return rv;
        }
    }
    return 0;
}

int agent_config_load(const char *path, agent_config_t *cfg, char err[DX_ERRMSG])
{
    yt_node_t *root = NULL;
    yt_error_t ye;
    ctx_t x = { path, err };
    memset(cfg, 0, sizeof *cfg);
    if (yt_parse_file(path, &root, &ye) != 0) {
        snprintf(err, DX_ERRMSG, "%s:%d:%d: %s", path, ye.line, ye.col, ye.msg);
        return DX_ERR_USAGE;
    }
    int rv = root && root->kind == YT_MAP ? s_sections(&x, root, cfg)
                                          : s_fail(&x, root, "expected a mapping of settings");
    if (rv == 0 && cfg->noutboxes == 0 && cfg->nsubs == 0)
        rv = s_fail(&x, root, "nothing to run: no outboxes: and no subscriptions:");
    yt_free(&root);
    return rv;
}

/* Appends text to out at *n; false when it does not fit. */
static bool s_put(char *out, size_t *n, const char *text, size_t len)
{
    if (*n + len > DX_NAME_MAX)
        return false;
    memcpy(out + *n, text, len);
    *n += len;
    return true;
}

int agent_dataset_name(const agent_outbox_t *o, const char *file, int64_t now_ms,
                       char out[DX_NAME_MAX + 1])
{
    char date[16], stem[DX_NAME_MAX + 1];
    time_t t = (time_t)(now_ms / 1000);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(date, sizeof date, "%Y-%m-%d", &tm) == 0)
        return DX_ERR_INVALID;
    snprintf(stem, sizeof stem, "%s", file);
    char *dot = strrchr(stem, '.');
    if (dot && dot != stem)
        *dot = '\0';
    for (char *p = stem; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    size_t n = 0;
    for (const char *p = o->dataset; *p;) {
        if (strncmp(p, "{date}", 6) == 0) {
            if (!s_put(out, &n, date, strlen(date)))
                return DX_ERR_INVALID;
            p += 6;
        } else if (strncmp(p, "{file}", 6) == 0) {
            if (!s_put(out, &n, stem, strlen(stem)))
                return DX_ERR_INVALID;
            p += 6;
        } else if (!s_put(out, &n, p++, 1)) {
            return DX_ERR_INVALID;
        }
    }
    out[n] = '\0';
    return dx_dataset_name_valid(out) ? 0 : DX_ERR_INVALID;
}
