/* log: the debug log. One event, one line on stderr:
 *   2026-11-28T10:52:36.123Z info  broker listening endpoint=tcp://...
 * Control characters in the formatted text are replaced, so peer-supplied
 * strings cannot forge lines. Never log payloads or secrets. The audit log
 * is a different thing (broker/audit.h). */
#ifndef DX_LOG_H
#define DX_LOG_H

enum dx_log_level { DX_LOG_DEBUG = 0, DX_LOG_INFO, DX_LOG_WARN, DX_LOG_ERROR };
enum dx_log_format { DX_LOG_TEXT = 0, DX_LOG_JSON };

/* Messages below level are dropped. Default: info, or $DX_LOG_LEVEL. */
void dx_log_set_level(enum dx_log_level level);
/* Text (the default), or one JSON object per line ($DX_LOG_FORMAT=json):
 *   {"time":"...","level":"info","event":"published","fields":{"member":"health",...}}
 * the event being the words before the first key=value. */
void dx_log_set_format(enum dx_log_format format);
/* The JSON line for one message (tests); returns its length. */
#include <stddef.h>
size_t dx_log_json(char *out, size_t cap, const char *stamp, const char *level, const char *text);
void dx_log(enum dx_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define dx_debug(...) dx_log(DX_LOG_DEBUG, __VA_ARGS__)
#define dx_info(...) dx_log(DX_LOG_INFO, __VA_ARGS__)
#define dx_warn(...) dx_log(DX_LOG_WARN, __VA_ARGS__)
#define dx_error(...) dx_log(DX_LOG_ERROR, __VA_ARGS__)

#endif
