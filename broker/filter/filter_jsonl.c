/* filter_jsonl: JSON Lines rows, strictly: each line one RFC 8259 object,
 * no extensions, its top-level keys spelled plainly and once. */
#include "err.h"
#include "filter_rows.h"
#include "filter.h"

#include <string.h>

/* JSON whitespace within a line: a carriage return is only allowed as the
 * line's end, which the caller strips. */
static size_t s_ws(const uint8_t *d, size_t pos, size_t len)
{
    while (pos < len && (d[pos] == ' ' || d[pos] == '\t'))
        pos++;
    return pos;
}

static bool s_hex4(const uint8_t *d, size_t pos, size_t len, unsigned *v)
{
    *v = 0;
    if (pos + 4 > len)
        return false;
    for (int i = 0; i < 4; i++) {
        uint8_t c = d[pos + (size_t)i];
        unsigned x = c >= '0' && c <= '9' ? c - '0' + 0u : c >= 'a' && c <= 'f' ? c - 'a' + 10u
                     : c >= 'A' && c <= 'F' ? c - 'A' + 10u : 16u;
        if (x > 15)
            return false;
        *v = *v << 4 | x;
    }
    return true;
}

/* Scans a JSON string at d[pos] == '"'. Returns the position after the
 * closing quote, or 0 on error; *escaped says whether it used escapes.
 * Lone surrogates are refused. */
static size_t s_json_string(const uint8_t *d, size_t pos, size_t len, bool *escaped)
{
    *escaped = false;
    pos++;
    while (pos < len) {
        uint8_t c = d[pos];
        if (c == '"')
            return pos + 1;
        if (c < 0x20)
            return 0;
        if (c != '\\') {
            pos++;
            continue;
        }
        *escaped = true;
        if (++pos >= len)
            return 0;
        unsigned cp;
        switch (d[pos]) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
            pos++;
            break;
        case 'u':
            if (!s_hex4(d, pos + 1, len, &cp))
                return 0;
            pos += 5;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo;
                if (pos + 1 >= len || d[pos] != '\\' || d[pos + 1] != 'u' ||
                    !s_hex4(d, pos + 2, len, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                    return 0;
                pos += 6;
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return 0;
            }
            break;
        default:
            return 0;
        }
    }
    return 0;
}

static size_t s_json_number(const uint8_t *d, size_t pos, size_t len)
{
    size_t p = pos;
    if (p < len && d[p] == '-')
        p++;
    if (p < len && d[p] == '0') {
        p++;
    } else if (p < len && d[p] >= '1' && d[p] <= '9') {
        while (p < len && d[p] >= '0' && d[p] <= '9')
            p++;
    } else {
        return 0;
    }
    if (p < len && d[p] == '.') {
        size_t q = ++p;
        while (p < len && d[p] >= '0' && d[p] <= '9')
            p++;
        if (p == q)
            return 0;
    }
    if (p < len && (d[p] == 'e' || d[p] == 'E')) {
        p++;
        if (p < len && (d[p] == '+' || d[p] == '-'))
            p++;
        size_t q = p;
        while (p < len && d[p] >= '0' && d[p] <= '9')
            p++;
        if (p == q)
            return 0;
    }
    return p;
}

/* A member name inside a nested object, then ':'. */
static size_t s_json_member(const uint8_t *d, size_t pos, size_t len)
{
    bool esc;
    if (pos >= len || d[pos] != '"' || !(pos = s_json_string(d, pos, len, &esc)))
        return 0;
    pos = s_ws(d, pos, len);
    if (pos >= len || d[pos] != ':')
        return 0;
    return pos + 1;
}

/* Scans any JSON value at pos, iteratively with a bounded stack. Returns the
 * position after it, or 0 on error. */
static size_t s_json_value(const uint8_t *d, size_t pos, size_t len)
{
    char stack[DX_FILTER_MAX_DEPTH];
    int depth = 0;
    bool need_value = true;   /* a value is expected next */
    bool esc;
    for (;;) {
        pos = s_ws(d, pos, len);
        if (pos >= len)
            return 0;
        if (need_value) {
            uint8_t c = d[pos];
            if (c == '{' || c == '[') {
                if (depth == DX_FILTER_MAX_DEPTH)
                    return 0;
                stack[depth++] = (char)c;
                pos = s_ws(d, pos + 1, len);
                if (pos < len && d[pos] == (c == '{' ? '}' : ']')) {
                    depth--;
                    pos++;
                    need_value = false;
                } else if (c == '{' && !(pos = s_json_member(d, pos, len))) {
                    return 0;
                }
                if (need_value)
                    continue;
            } else if (c == '"') {
                if (!(pos = s_json_string(d, pos, len, &esc)))
                    return 0;
            } else if (c == 't' && len - pos >= 4 && memcmp(d + pos, "true", 4) == 0) {
                pos += 4;
            } else if (c == 'f' && len - pos >= 5 && memcmp(d + pos, "false", 5) == 0) {
                pos += 5;
            } else if (c == 'n' && len - pos >= 4 && memcmp(d + pos, "null", 4) == 0) {
                pos += 4;
            } else if (!(pos = s_json_number(d, pos, len))) {
                return 0;
            }
            need_value = false;
        }
        if (depth == 0)
            return pos;
        pos = s_ws(d, pos, len);
        if (pos >= len)
            return 0;
        char top = stack[depth - 1];
        if (d[pos] == (top == '{' ? '}' : ']')) {
            depth--;
            pos++;
            continue;
        }
        if (d[pos] != ',')
            return 0;
        pos = s_ws(d, pos + 1, len);
        if (top == '{' && !(pos = s_json_member(d, pos, len)))
            return 0;
        need_value = true;
    }
}

/* Filters one JSON object line d[0..len) (no line end) into out. Nothing
 * is written unless the whole line passes. */
static int s_json_line(dx_filter_t *f, const uint8_t *d, size_t len, dx_buf_t *out)
{
    size_t pos = s_ws(d, 0, len), mark = out->len, nkeys = 0;
    span_t *keys = f->spans;
    int rv;
    if (pos == len)
        return 0; /* blank line */
    if (memchr(d, '\r', len))
        return filter_fail(f, "a carriage return not followed by a line feed");
    if ((rv = filter_check_text(f, d, len)) != 0)
        return rv;
    if (d[pos] != '{')
        return filter_fail(f, "not a JSON object");
    if ((rv = dx_buf_append(out, "{", 1)) != 0)
        return rv;
    pos = s_ws(d, pos + 1, len);
    bool first = true, closed = false;
    if (pos < len && d[pos] == '}') {
        pos++;
        closed = true;
    }
    while (!closed) {
        size_t kstart = pos, kend, vstart, vend;
        bool escaped;
        if (pos >= len || d[pos] != '"' || !(kend = s_json_string(d, pos, len, &escaped)))
            goto bad;
        if (escaped) {
            rv = filter_fail(f, "key %zu is written with escapes: readers may not agree on its name",
                        nkeys + 1);
            goto fail;
        }
        if (nkeys == DX_FILTER_MAX_COLUMNS) {
            rv = filter_fail(f, "more than %d keys", DX_FILTER_MAX_COLUMNS);
            goto fail;
        }
        const uint8_t *key = d + kstart + 1;
        size_t klen = kend - kstart - 2;
        if ((rv = filter_check_name(f, key, klen, nkeys, "key")) != 0)
            goto fail;
        keys[nkeys].start = kstart + 1;
        keys[nkeys].end = kend - 1;
        nkeys++;
        pos = s_ws(d, kend, len);
        if (pos >= len || d[pos] != ':')
            goto bad;
        vstart = s_ws(d, pos + 1, len);
        if (!(vend = s_json_value(d, vstart, len)))
            goto bad;
        if (filter_kept(f, key, klen)) {
            if ((!first && (rv = dx_buf_append(out, ",", 1)) != 0) ||
                (rv = dx_buf_append(out, d + kstart, kend - kstart)) != 0 ||
                (rv = dx_buf_append(out, ":", 1)) != 0 ||
                (rv = dx_buf_append(out, d + vstart, vend - vstart)) != 0)
                goto fail;
            first = false;
        }
        pos = s_ws(d, vend, len);
        if (pos < len && d[pos] == ',') {
            pos = s_ws(d, pos + 1, len);
            continue;
        }
        if (pos < len && d[pos] == '}') {
            pos++;
            closed = true;
            continue;
        }
        goto bad;
    }
    if (s_ws(d, pos, len) != len)
        goto bad;
    if (filter_duplicates(keys, nkeys, d)) {
        rv = filter_fail(f, "the object has a key twice");
        goto fail;
    }
    if ((rv = dx_buf_append(out, "}\n", 2)) != 0)
        goto fail;
    return 0;
bad:
    rv = filter_fail(f, "not a valid JSON object");
fail:
    out->len = mark; /* nothing of a bad row is written */
    return rv;
}

int filter_jsonl_rows(dx_filter_t *f, bool at_end, dx_buf_t *out)
{
    size_t off = 0;
    int rv = 0;
    while (off < f->pending.len) {
        const uint8_t *d = f->pending.data + off;
        size_t len = f->pending.len - off;
        const uint8_t *nl = memchr(d, '\n', len);
        size_t line_len = nl ? (size_t)(nl - d) : len;
        if (!nl && !at_end)
            break;
        size_t content = line_len;
        if (nl && content > 0 && d[content - 1] == '\r')
            content--; /* CRLF */
        if ((rv = s_json_line(f, d, content, out)) != 0)
            break;
        off += nl ? line_len + 1 : line_len;
        f->line++;
    }
    dx_buf_consume(&f->pending, off);
    return rv;
}
