/* media: media types ("text/csv; charset=utf-8"), RFC 9110 section 8.3.1.
 *
 * Content types are signed by publishers, stored, and decide whether and
 * how a dataset can be filtered, so only the strict ASCII grammar is
 * accepted: type "/" subtype, then parameters name=value (a token or a
 * quoted string), at most DX_MEDIA_PARAMS, none named twice. Type, subtype
 * and parameter names are case-insensitive and come back lower-cased;
 * values come back unquoted, as they were. */
#ifndef DX_MEDIA_H
#define DX_MEDIA_H

#include <stddef.h>

#define DX_MEDIA_TOKEN 64
#define DX_MEDIA_VALUE 128
#define DX_MEDIA_PARAMS 8

typedef struct {
    char type[DX_MEDIA_TOKEN];
    char subtype[DX_MEDIA_TOKEN];
    size_t nparams;
    struct {
        char name[DX_MEDIA_TOKEN];
        char value[DX_MEDIA_VALUE];
    } params[DX_MEDIA_PARAMS];
} dx_media_t;

/* 0, or DX_ERR_INVALID when text is not a media type. */
int dx_media_parse(const char *text, dx_media_t *out);
/* The content type a file's extension suggests (.csv, .jsonl, .json, .txt;
 * else application/octet-stream). */
const char *dx_media_guess(const char *path);

/* The value of parameter name (lower-case), or NULL. */
const char *dx_media_param(const dx_media_t *m, const char *name);

#endif
