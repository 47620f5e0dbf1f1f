/* ytree: a YAML file as a small bounded tree of scalars, sequences and
 * mappings, with the line and column of every node for error messages.
 *
 * Built from libyaml's event API so that limits are enforced while parsing:
 * file size, nesting depth, node count and scalar length. Anchors and
 * aliases are refused (no "billion laughs"); one document per file. */
#ifndef DX_YTREE_H
#define DX_YTREE_H

#include "err.h"

#include <stdbool.h>
#include <stddef.h>

#define YT_MAX_FILE (1024 * 1024)
#define YT_MAX_DEPTH 32
#define YT_MAX_NODES 500000
#define YT_MAX_SCALAR 4096

typedef enum { YT_SCALAR, YT_SEQ, YT_MAP } yt_kind_t;

typedef struct yt_node {
    yt_kind_t kind;
    int line, col;            /* 1-based */
    char *value;              /* scalars: NUL-terminated text */
    bool plain;               /* scalars: unquoted (so "null" may mean null) */
    struct yt_node **items;   /* seq: items; map: key, value, key, value... */
    size_t n;                 /* seq: items; map: pairs */
    size_t nitems;            /* entries in items (a map has 2 * n) */
} yt_node_t;

typedef struct {
    int line, col;            /* 1-based */
    char msg[256];
} yt_error_t;

/* Parses path; *root is NULL for an empty file. On error, err says where
 * and what. */
int yt_parse_file(const char *path, yt_node_t **root, yt_error_t *err);
int yt_parse_buffer(const char *data, size_t len, yt_node_t **root, yt_error_t *err);
void yt_free(yt_node_t **root_p);

/* The value for key in a mapping, or NULL. */
const yt_node_t *yt_map_get(const yt_node_t *map, const char *key);
const char *yt_kind_name(yt_kind_t kind);

#endif
