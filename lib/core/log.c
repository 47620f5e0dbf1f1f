/* log: one-line, level-tagged, control-character-free debug log on stderr,
 * as text or as one JSON object per line. */
#include "log.h"
#include "dxtime.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int s_level = -1;
static int s_format = -1;

void dx_log_set_level(enum dx_log_level level) { s_level = (int)level; }
void dx_log_set_format(enum dx_log_format format) { s_format = (int)format; }

static int s_effective_level(void)
{
    if (s_level >= 0)
        return s_level;
    const char *env = getenv("DX_LOG_LEVEL");
    if (env && strcmp(env, "debug") == 0) return DX_LOG_DEBUG;
    if (env && strcmp(env, "warn") == 0) return DX_LOG_WARN;
    if (env && strcmp(env, "error") == 0) return DX_LOG_ERROR;
    return DX_LOG_INFO;
}

static int s_effective_format(void)
{
    if (s_format >= 0)
        return s_format;
    const char *env = getenv("DX_LOG_FORMAT");
    return env && strcmp(env, "json") == 0 ? DX_LOG_JSON : DX_LOG_TEXT;
}

/* Appends text as the inside of a JSON string: quotes, backslashes and
 * control characters escaped, bytes that are not UTF-8 written as \xNN
 * (so the line stays valid JSON and shows what was there). */
static size_t s_json_text(char *out, size_t cap, size_t n, const char *text, size_t len)
{
    const uint8_t *p = (const uint8_t *)text;
    size_t i = 0;
    while (i < len && n + 12 < cap) {
        uint32_t cp;
        size_t k = dx_utf8_next(p + i, len - i, &cp);
        if (k == 0) {
            n += (size_t)snprintf(out + n, cap - n, "\\\\x%02x", p[i]);
            i++;
            continue;
        }
        if (k > 1) {
            memcpy(out + n, p + i, k);
            n += k;
        } else if (p[i] == '"' || p[i] == '\\') {
            out[n++] = '\\';
            out[n++] = (char)p[i];
        } else if (p[i] < 0x20 || p[i] == 0x7f) {
            n += (size_t)snprintf(out + n, cap - n, "\\u%04x", p[i]);
        } else {
            out[n++] = (char)p[i];
        }
        i += k;
    }
    out[n] = '\0';
    return n;
}

/* Appends formatted text at *n, never past cap - 1 (out stays terminated). */
__attribute__((format(printf, 4, 5)))
static void s_add(char *out, size_t cap, size_t *n, const char *fmt, ...)
{
    if (*n + 1 >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(out + *n, cap - *n, fmt, ap);
    va_end(ap);
    if (k > 0)
        *n = *n + (size_t)k < cap ? *n + (size_t)k : cap - 1;
}

/* A value as text: as it is when it is printable ASCII without a space, a
 * quote, '=' or a backslash; else quoted, with quotes and backslashes
 * escaped and other bytes as \xNN. Empty is "". */
static void s_text_value(char *out, size_t cap, size_t *n, const char *v)
{
    bool plain = v[0] != '\0';
    for (const char *p = v; *p && plain; p++)
        plain = *p > ' ' && *p < 0x7f && *p != '"' && *p != '=' && *p != '\\';
    if (plain) {
        s_add(out, cap, n, "%s", v);
        return;
    }
    s_add(out, cap, n, "\"");
    for (const unsigned char *p = (const unsigned char *)v; *p && *n + 8 < cap; p++) {
        if (*p == '"' || *p == '\\')
            s_add(out, cap, n, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f)
            s_add(out, cap, n, "\\x%02x", *p);
        else
            s_add(out, cap, n, "%c", *p);
    }
    s_add(out, cap, n, "\"");
}

static bool s_key_ok(const char *k)
{
    if (!k || *k < 'a' || *k > 'z')
        return false;
    for (; *k; k++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') || *k == '_'))
            return false;
    return true;
}

size_t dx_log_text_line(char *out, size_t cap, const char *event, const dx_kv_t *kv, size_t n)
{
    size_t len = 0;
    out[0] = '\0';
    s_text_value(out, cap, &len, event);
    for (size_t i = 0; i < n; i++) {
        if (!s_key_ok(kv[i].key))
            continue; /* a key is the program's constant; never anything else */
        s_add(out, cap, &len, " %s=", kv[i].key);
        if (kv[i].num)
            s_add(out, cap, &len, "%llu", (unsigned long long)kv[i].u);
        else
            s_text_value(out, cap, &len, kv[i].s ? kv[i].s : "");
    }
    return len;
}

size_t dx_log_json(char *out, size_t cap, const char *stamp, const char *level, const char *event,
                   const dx_kv_t *kv, size_t n)
{
    size_t len = 0;
    out[0] = '\0';
    s_add(out, cap, &len, "{\"time\":\"%s\",\"level\":\"%s\",\"event\":\"", stamp, level);
    len = s_json_text(out, cap, len, event, strlen(event));
    s_add(out, cap, &len, "\",\"fields\":{");
    for (size_t i = 0, shown = 0; i < n && len + 16 < cap; i++) {
        if (!s_key_ok(kv[i].key))
            continue;
        s_add(out, cap, &len, "%s\"%s\":\"", shown++ ? "," : "", kv[i].key);
        if (kv[i].num)
            s_add(out, cap, &len, "%llu", (unsigned long long)kv[i].u);
        else
            len = s_json_text(out, cap, len, kv[i].s ? kv[i].s : "", kv[i].s ? strlen(kv[i].s) : 0);
        s_add(out, cap, &len, "\"");
    }
    s_add(out, cap, &len, "}}");
    return len;
}

static const char *s_names[] = { "debug", "info ", "warn ", "error" };

/* One line on stderr: the event and its fields, in the format in force;
 * text, when set, is the event's sentence (dx_log). */
static void s_emit(enum dx_log_level level, const char *event, const dx_kv_t *kv, size_t n,
                   const char *text, bool cut)
{
    char stamp[DX_TIME_TEXT], line[8192];
    dx_time_format(dx_now_ms(), stamp);
    if (s_effective_format() == DX_LOG_JSON) {
        char lname[8];
        snprintf(lname, sizeof lname, "%s", s_names[level]);
        lname[strcspn(lname, " ")] = '\0';
        dx_log_json(line, sizeof line, stamp, lname, event, kv, n);
        fprintf(stderr, "%s\n", line);
        return;
    }
    if (!text) {
        dx_log_text_line(line, sizeof line, event, kv, n);
    } else { /* the sentence as it is, control characters replaced */
        snprintf(line, sizeof line, "%s: %s", event, text);
        for (char *p = line; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                *p = '?';
    }
    fprintf(stderr, "%s %s %s%s\n", stamp, s_names[level], line, cut ? "..." : "");
}

void dx_log_fields(enum dx_log_level level, const char *event, const dx_kv_t *kv, size_t n)
{
    if ((int)level < s_effective_level())
        return;
    s_emit(level, event, kv, n, NULL, false);
}

void dx_log(enum dx_log_level level, const char *event, const char *fmt, ...)
{
    if ((int)level < s_effective_level())
        return;
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    dx_kv_t msg = DX_KV("msg", text);
    s_emit(level, event, &msg, 1, text, (size_t)n >= sizeof text);
}
