/* dxtime: wall-clock time in Unix milliseconds and RFC 3339 text. */
#ifndef DX_TIME_H
#define DX_TIME_H

#include <stdint.h>

#define DX_TIME_TEXT 64   /* "2026-11-28T10:52:36.123Z" and a NUL, with room */

int64_t dx_now_ms(void);
/* Monotonic milliseconds, for timeouts. */
int64_t dx_mono_ms(void);
int64_t dx_mono_us(void);

/* Parses RFC 3339 ("2026-01-01T00:00:00Z", with optional fraction and
 * "+hh:mm" offset) or a bare date ("2026-01-01", midnight UTC).
 * DX_ERR_INVALID on anything else, including out-of-range fields. */
int dx_time_parse(const char *text, int64_t *ms_out);

/* A period: whole seconds, minutes, hours or days ("90s", "15m", "36h",
 * "365d"), 1 second to 100 years. DX_ERR_INVALID on anything else (a bare
 * number, another unit, a sign, a leading zero, spaces). */
#define DX_DURATION_MAX_MS (36500LL * 86400 * 1000)
int dx_duration_parse(const char *text, int64_t *ms_out);

/* Writes ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" into out. */
void dx_time_format(int64_t ms, char out[DX_TIME_TEXT]);
/* The same time for a file name: 20261206T225012123Z (no ':' or '.'). */
void dx_time_stamp(int64_t ms, char out[DX_TIME_TEXT]);

#endif
