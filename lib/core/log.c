/* log: one-line, level-tagged, control-character-free debug log on stderr. */
#include "log.h"
#include "dxtime.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int s_level = -1;

void dx_log_set_level(enum dx_log_level level) { s_level = (int)level; }

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
    for (char *p = text; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    char stamp[DX_TIME_TEXT];
    dx_time_format(dx_now_ms(), stamp);
    fprintf(stderr, "%s %s %s%s\n", stamp, names[level], text,
            (size_t)n >= sizeof text ? "..." : "");
}
