/* media: a strict media type parser. */
#include "media.h"
#include "err.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

static bool s_tchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Copies the token at *p into out (lower-cased); false if empty or too long. */
static bool s_token(const char **p, char *out, size_t cap, bool lower)
{
    size_t n = 0;
    while (s_tchar(**p)) {
        if (n + 1 >= cap)
            return false;
        out[n++] = lower ? (char)tolower((unsigned char)**p) : **p;
        (*p)++;
    }
    out[n] = '\0';
    return n > 0;
}

static void s_ows(const char **p)
{
    while (**p == ' ')
        (*p)++;
}

/* A quoted string at *p == '"': printable ASCII, '\' escapes one. */
static bool s_quoted(const char **p, char *out, size_t cap)
{
    size_t n = 0;
    (*p)++;
    for (;;) {
        char c = **p;
        if (c == '"') {
            (*p)++;
            out[n] = '\0';
            return true;
        }
        if (c == '\\') {
            (*p)++;
            c = **p;
        }
        if (c < 0x20 || c > 0x7e || n + 1 >= cap)
            return false;
        out[n++] = c;
        (*p)++;
    }
}

int dx_media_parse(const char *text, dx_media_t *m)
{
    const char *p = text;
    memset(m, 0, sizeof *m);
    if (!text || !s_token(&p, m->type, sizeof m->type, true) || *p++ != '/' ||
        !s_token(&p, m->subtype, sizeof m->subtype, true))
        return DX_ERR_INVALID;
    for (;;) {
        s_ows(&p);
        if (*p == '\0')
            return 0;
        if (*p++ != ';' || m->nparams == DX_MEDIA_PARAMS)
            return DX_ERR_INVALID;
        s_ows(&p);
        char *name = m->params[m->nparams].name, *value = m->params[m->nparams].value;
        if (!s_token(&p, name, DX_MEDIA_TOKEN, true) || *p++ != '=')
            return DX_ERR_INVALID;
        if (*p == '"' ? !s_quoted(&p, value, DX_MEDIA_VALUE) : !s_token(&p, value, DX_MEDIA_VALUE, false))
            return DX_ERR_INVALID;
        if (dx_media_param(m, name))
            return DX_ERR_INVALID; /* named twice: which one holds? */
        m->nparams++;
    }
}

const char *dx_media_param(const dx_media_t *m, const char *name)
{
    for (size_t i = 0; i < m->nparams; i++)
        if (strcmp(m->params[i].name, name) == 0)
            return m->params[i].value;
    return NULL;
}

const char *dx_media_guess(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot)
        return "application/octet-stream";
    if (strcasecmp(dot, ".csv") == 0)
        return "text/csv";
    if (strcasecmp(dot, ".jsonl") == 0 || strcasecmp(dot, ".ndjson") == 0)
        return "application/x-ndjson";
    if (strcasecmp(dot, ".json") == 0)
        return "application/json";
    if (strcasecmp(dot, ".txt") == 0)
        return "text/plain";
    return "application/octet-stream";
}
