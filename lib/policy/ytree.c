/* ytree: libyaml events into a bounded tree. */
#include "ytree.h"
#include "fileio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct {
    yt_error_t *err;
    size_t nodes;
    yt_node_t *stack[YT_MAX_DEPTH + 1];
    int depth;
} builder_t;

static void s_fail(builder_t *b, int line, int col, const char *msg)
{
    b->err->line = line;
    b->err->col = col;
    snprintf(b->err->msg, sizeof b->err->msg, "%s", msg);
}

static void s_free_node(yt_node_t *node)
{
    if (!node)
        return;
    for (size_t i = 0; i < node->nitems; i++)
        s_free_node(node->items[i]);
    free(node->items);
    free(node->value);
    free(node);
}

void yt_free(yt_node_t **root_p)
{
    if (!root_p)
        return;
    s_free_node(*root_p);
    *root_p = NULL;
}

static int s_add_child(yt_node_t *parent, yt_node_t *child)
{
    /* capacity doubles at every power of two, so n appends cost O(n) */
    size_t k = parent->nitems;
    if (k == 0 || (k >= 4 && (k & (k - 1)) == 0)) {
        yt_node_t **items = realloc(parent->items, (k ? 2 * k : 4) * sizeof *items);
        if (!items)
            return DX_ERR_NOMEM;
        parent->items = items;
    }
    parent->items[parent->nitems++] = child;
    parent->n = parent->kind == YT_MAP ? parent->nitems / 2 : parent->nitems;
    return 0;
}

static yt_node_t *s_new_node(builder_t *b, yt_kind_t kind, const yaml_mark_t *mark)
{
    if (++b->nodes > YT_MAX_NODES) {
        s_fail(b, (int)mark->line + 1, (int)mark->column + 1, "too many YAML nodes");
        return NULL;
    }
    yt_node_t *node = calloc(1, sizeof *node);
    if (!node) {
        s_fail(b, (int)mark->line + 1, (int)mark->column + 1, "out of memory");
        return NULL;
    }
    node->kind = kind;
    node->line = (int)mark->line + 1;
    node->col = (int)mark->column + 1;
    return node;
}

/* Attaches node to the current container, or makes it the root. */
static int s_attach(builder_t *b, yt_node_t *node, yt_node_t **root)
{
    if (b->depth == 0) {
        *root = node;
        return 0;
    }
    if (s_add_child(b->stack[b->depth - 1], node) != 0) {
        s_fail(b, node->line, node->col, "out of memory");
        s_free_node(node);
        return DX_ERR_NOMEM;
    }
    return 0;
}

static int s_build(builder_t *b, yaml_parser_t *parser, yt_node_t **root)
{
    int documents = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(parser, &ev)) {
            const char *problem = parser->problem ? parser->problem : "malformed YAML";
            if (parser->context) {
                char msg[256];
                snprintf(msg, sizeof msg, "%s %s", parser->problem ? parser->problem : "error",
                         parser->context);
                s_fail(b, (int)parser->problem_mark.line + 1, (int)parser->problem_mark.column + 1,
                       msg);
            } else {
                s_fail(b, (int)parser->problem_mark.line + 1, (int)parser->problem_mark.column + 1,
                       problem);
            }
            return DX_ERR_INVALID;
        }
        int rv = 0;
        const yaml_mark_t *mark = &ev.start_mark;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            yaml_event_delete(&ev);
            return 0;
        case YAML_DOCUMENT_START_EVENT:
            if (++documents > 1) {
                s_fail(b, (int)mark->line + 1, (int)mark->column + 1,
                       "only one YAML document per file");
                rv = DX_ERR_INVALID;
            }
            break;
        case YAML_ALIAS_EVENT:
            s_fail(b, (int)mark->line + 1, (int)mark->column + 1,
                   "YAML aliases are not supported");
            rv = DX_ERR_INVALID;
            break;
        case YAML_SCALAR_EVENT:
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            const yaml_char_t *anchor = ev.type == YAML_SCALAR_EVENT ? ev.data.scalar.anchor
                                        : ev.type == YAML_SEQUENCE_START_EVENT
                                            ? ev.data.sequence_start.anchor
                                            : ev.data.mapping_start.anchor;
            if (anchor) {
                s_fail(b, (int)mark->line + 1, (int)mark->column + 1,
                       "YAML anchors are not supported");
                rv = DX_ERR_INVALID;
                break;
            }
            yt_kind_t kind = ev.type == YAML_SCALAR_EVENT ? YT_SCALAR
                             : ev.type == YAML_SEQUENCE_START_EVENT ? YT_SEQ : YT_MAP;
            yt_node_t *node = s_new_node(b, kind, mark);
            if (!node) {
                rv = DX_ERR_TOO_BIG;
                break;
            }
            if (kind == YT_SCALAR) {
                if (ev.data.scalar.length > YT_MAX_SCALAR) {
                    s_fail(b, node->line, node->col, "value too long");
                    s_free_node(node);
                    rv = DX_ERR_TOO_BIG;
                    break;
                }
                node->value = malloc(ev.data.scalar.length + 1);
                if (!node->value) {
                    s_free_node(node);
                    rv = DX_ERR_NOMEM;
                    break;
                }
                memcpy(node->value, ev.data.scalar.value, ev.data.scalar.length);
                node->value[ev.data.scalar.length] = '\0';
                if (strlen(node->value) != ev.data.scalar.length) {
                    s_fail(b, node->line, node->col, "NUL byte in value");
                    s_free_node(node);
                    rv = DX_ERR_INVALID;
                    break;
                }
                node->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                rv = s_attach(b, node, root);
                break;
            }
            if (b->depth >= YT_MAX_DEPTH) {
                s_fail(b, node->line, node->col, "YAML nested too deeply");
                s_free_node(node);
                rv = DX_ERR_TOO_BIG;
                break;
            }
            if ((rv = s_attach(b, node, root)) == 0)
                b->stack[b->depth++] = node;
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (b->depth > 0)
                b->depth--;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (rv != 0)
            return rv;
    }
}

static int s_whole_file_error(yt_error_t *err, int rv, const char *fmt, const char *detail)
{
    err->line = 1;
    err->col = 1;
    snprintf(err->msg, sizeof err->msg, fmt, detail);
    return rv;
}

int yt_parse_buffer(const char *data, size_t len, yt_node_t **root, yt_error_t *err)
{
    builder_t b = { .err = err };
    yaml_parser_t parser;
    *root = NULL;
    if (len > YT_MAX_FILE)
        return s_whole_file_error(err, DX_ERR_TOO_BIG, "file larger than 1 MiB%s", "");
    if (!yaml_parser_initialize(&parser))
        return s_whole_file_error(err, DX_ERR_NOMEM, "out of memory%s", "");
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    int rv = s_build(&b, &parser, root);
    yaml_parser_delete(&parser);
    if (rv != 0)
        yt_free(root);
    return rv;
}

int yt_parse_file(const char *path, yt_node_t **root, yt_error_t *err)
{
    char *data = NULL;
    size_t len = 0;
    *root = NULL;
    int rv = dx_read_small_file(path, YT_MAX_FILE, &data, &len);
    if (rv == DX_ERR_TOO_BIG)
        return s_whole_file_error(err, rv, "file larger than 1 MiB%s", "");
    if (rv != 0)
        return s_whole_file_error(err, rv, "cannot read: %s", dx_strerror(rv));
    rv = yt_parse_buffer(data, len, root, err);
    free(data);
    return rv;
}

const yt_node_t *yt_map_get(const yt_node_t *map, const char *key)
{
    if (!map || map->kind != YT_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++) {
        const yt_node_t *k = map->items[2 * i];
        if (k->kind == YT_SCALAR && strcmp(k->value, key) == 0)
            return map->items[2 * i + 1];
    }
    return NULL;
}

const char *yt_kind_name(yt_kind_t kind)
{
    return kind == YT_SCALAR ? "a scalar" : kind == YT_SEQ ? "a list" : "a mapping";
}
