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

/* Whether p opens with a key: [a-z][a-z0-9_]* then '='. */
static bool s_key_at(const char *p)
{
    const char *e = p;
    if (*e < 'a' || *e > 'z')
        return false;
    while ((*e >= 'a' && *e <= 'z') || (*e >= '0' && *e <= '9') || *e == '_')
        e++;
    return *e == '=';
}

/* The space before the next " key=" at or after from, or NULL. */
static const char *s_next_key(const char *from)
{
    for (const char *p = from; (p = strchr(p, ' ')) != NULL; p++)
        if (s_key_at(p + 1))
            return p;
    return NULL;
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

/* {"time":...,"level":...,"event":...,"fields":{...}}: the event is the
 * text before the first key=value, the fields each key=value after it (a
 * value runs to the next " key="). A line longer than cap is cut short
 * (and then not valid JSON; cap is four times the longest message). */
size_t dx_log_json(char *out, size_t cap, const char *stamp, const char *level, const char *text)
{
    const char *fields, *sp = NULL;
    size_t elen, n = 0;
    if (s_key_at(text)) {
        fields = text, elen = 0;
    } else {
        sp = s_next_key(text);
        fields = sp ? sp + 1 : NULL;
        elen = sp ? (size_t)(sp - text) : strlen(text);
    }
    out[0] = '\0';
    s_add(out, cap, &n, "{\"time\":\"%s\",\"level\":\"%s\",\"event\":\"", stamp, level);
    n = s_json_text(out, cap, n, text, elen);
    s_add(out, cap, &n, "\",\"fields\":{");
    for (const char *key = fields; key && n + 16 < cap;) {
        const char *eq = strchr(key, '=');
        const char *next = s_next_key(eq);
        const char *end = next ? next : eq + strlen(eq);
        s_add(out, cap, &n, "%s\"", key == fields ? "" : ",");
        n = s_json_text(out, cap, n, key, (size_t)(eq - key));
        s_add(out, cap, &n, "\":\"");
        n = s_json_text(out, cap, n, eq + 1, (size_t)(end - eq - 1));
        s_add(out, cap, &n, "\"");
        key = next ? next + 1 : NULL;
    }
    s_add(out, cap, &n, "}}");
    return n;
}

void dx_log(enum dx_log_level level, const char *fmt, ...)
{
    static const char *names[] = { "debug", "info ", "warn ", "error" };
    if ((int)level < s_effective_level())
        return;
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (s_effective_format() == DX_LOG_JSON) {
        char stamp[DX_TIME_TEXT], line[4 * sizeof text + 256], lname[8];
        dx_time_format(dx_now_ms(), stamp);
        snprintf(lname, sizeof lname, "%s", names[level]);
        lname[strcspn(lname, " ")] = '\0';
        dx_log_json(line, sizeof line, stamp, lname, text);
        fprintf(stderr, "%s\n", line);
        return;
    }
    for (char *p = text; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    char stamp[DX_TIME_TEXT];
    dx_time_format(dx_now_ms(), stamp);
    fprintf(stderr, "%s %s %s%s\n", stamp, names[level], text,
            (size_t)n >= sizeof text ? "..." : "");
}
