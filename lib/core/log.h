/* log: the debug log. One event, one line on stderr:
 *   2026-11-28T10:52:36.123Z info  published member=health dataset=a/b version=3
 * Fields come from the program as key/value pairs (dx_log_kv), never from
 * parsing formatted text: in text a value with a space, a quote, '=' or
 * anything unprintable is quoted and escaped, in JSON it is a string of its
 * own; so no input can add a field or change one, nor forge a line. An
 * event told in a sentence (dx_log) has it as its field msg, control
 * characters replaced in text. Never log payloads or secrets. The audit log is a different
 * thing (broker/commit/audit.h). */
#ifndef DX_LOG_H
#define DX_LOG_H

enum dx_log_level { DX_LOG_DEBUG = 0, DX_LOG_INFO, DX_LOG_WARN, DX_LOG_ERROR };
enum dx_log_format { DX_LOG_TEXT = 0, DX_LOG_JSON };

/* Messages below level are dropped. Default: info, or $DX_LOG_LEVEL. */
void dx_log_set_level(enum dx_log_level level);
/* Text (the default), or one JSON object per line ($DX_LOG_FORMAT=json):
 *   {"time":"...","level":"info","event":"published","fields":{"member":"health",...}} */
void dx_log_set_format(enum dx_log_format format);

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One field: a string, or a number (num set). */
typedef struct {
    const char *key;       /* [a-z][a-z0-9_]*, a constant of the program's */
    const char *s;
    uint64_t u;
    bool num;
} dx_kv_t;
#define DX_KV(k, v) ((dx_kv_t){ .key = (k), .s = (v) })
#define DX_KU(k, v) ((dx_kv_t){ .key = (k), .u = (uint64_t)(v), .num = true })

/* An event (a short constant identifier) and its fields. */
void dx_log_fields(enum dx_log_level level, const char *event, const dx_kv_t *kv, size_t n);
#define dx_log_kv(level, event, ...)                                                         \
    dx_log_fields(level, event, (const dx_kv_t[]){ __VA_ARGS__ },                            \
                  sizeof((const dx_kv_t[]){ __VA_ARGS__ }) / sizeof(dx_kv_t))
/* The text and JSON lines of one event (tests); each returns its length
 * and never writes past cap. */
size_t dx_log_text_line(char *out, size_t cap, const char *event, const dx_kv_t *kv, size_t n);
size_t dx_log_json(char *out, size_t cap, const char *stamp, const char *level, const char *event,
                   const dx_kv_t *kv, size_t n);
/* An event (a short constant identifier, as above) told in a sentence: the
 * sentence is its one field, msg. Text: "event: the sentence"; JSON:
 * {"event":"...","fields":{"msg":"the sentence"}}. Every line a program
 * writes has an event id to search and alert on. */
void dx_log(enum dx_log_level level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define dx_debug(event, ...) dx_log(DX_LOG_DEBUG, event, __VA_ARGS__)
#define dx_info(event, ...) dx_log(DX_LOG_INFO, event, __VA_ARGS__)
#define dx_warn(event, ...) dx_log(DX_LOG_WARN, event, __VA_ARGS__)
#define dx_error(event, ...) dx_log(DX_LOG_ERROR, event, __VA_ARGS__)

#endif
