/* dxtime: clocks and a strict RFC 3339 parser (no locale, no strptime). */
#include "dxtime.h"
#include "err.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t dx_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t dx_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t dx_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Reads exactly n digits at *p into *value. */
static int s_digits(const char **p, int n, int *value)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return DX_ERR_INVALID;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *value = v;
    return 0;
}

static int s_expect(const char **p, char c)
{
    if (**p != c)
        return DX_ERR_INVALID;
    (*p)++;
    return 0;
}

static int s_days_in_month(int year, int month)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

int dx_time_parse(const char *text, int64_t *ms_out)
{
    const char *p = text;
    int year, month, day, hour = 0, minute = 0, second = 0, millis = 0;
    int offset_min = 0;
    if (!text || strlen(text) > 40)
        return DX_ERR_INVALID;
    if (s_digits(&p, 4, &year) || s_expect(&p, '-') || s_digits(&p, 2, &month) ||
        s_expect(&p, '-') || s_digits(&p, 2, &day))
        return DX_ERR_INVALID;
    if (month < 1 || month > 12 || day < 1 || day > s_days_in_month(year, month))
        return DX_ERR_INVALID;
    if (*p != '\0') {
        if (*p != 'T' && *p != 't' && *p != ' ')
            return DX_ERR_INVALID;
        p++;
        if (s_digits(&p, 2, &hour) || s_expect(&p, ':') || s_digits(&p, 2, &minute) ||
            s_expect(&p, ':') || s_digits(&p, 2, &second))
            return DX_ERR_INVALID;
        if (hour > 23 || minute > 59 || second > 60)
            return DX_ERR_INVALID;
        if (second == 60)
            second = 59; /* a leap second is held at the end of its minute */
        if (*p == '.') {
            p++;
            int n = 0, scale = 100;
            while (isdigit((unsigned char)*p)) {
                if (n < 3)
                    millis += (*p - '0') * scale;
                scale /= 10;
                n++;
                p++;
            }
            if (n == 0 || n > 9)
                return DX_ERR_INVALID;
        }
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p == '-' ? -1 : 1, oh, om;
            p++;
            if (s_digits(&p, 2, &oh) || s_expect(&p, ':') || s_digits(&p, 2, &om) ||
                oh > 23 || om > 59)
                return DX_ERR_INVALID;
            offset_min = sign * (oh * 60 + om);
        } else {
            return DX_ERR_INVALID;
        }
        if (*p != '\0')
            return DX_ERR_INVALID;
    }
    struct tm tm = { 0 };
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    time_t t = timegm(&tm);
    *ms_out = ((int64_t)t - (int64_t)offset_min * 60) * 1000 + millis;
    return 0;
}

void dx_time_format(int64_t ms, char out[DX_TIME_TEXT])
{
    time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    int frac = (int)(ms - (int64_t)t * 1000);
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(out, DX_TIME_TEXT, "invalid-time");
        return;
    }
    snprintf(out, DX_TIME_TEXT, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
             tm.tm_sec, frac);
}

void dx_time_stamp(int64_t ms, char out[DX_TIME_TEXT])
{
    char t[DX_TIME_TEXT];
    size_t n = 0;
    dx_time_format(ms, t);
    for (const char *p = t; *p && n + 1 < DX_TIME_TEXT; p++)
        if (*p != '-' && *p != ':' && *p != '.')
            out[n++] = *p;
    out[n] = '\0';
}

int dx_duration_parse(const char *text, int64_t *ms_out)
{
    static const struct { char unit; int64_t ms; } units[] = {
        { 's', 1000 }, { 'm', 60 * 1000 }, { 'h', 3600 * 1000 }, { 'd', 86400 * 1000 } };
    size_t n = strlen(text);
    if (n < 2 || n > 12 || text[0] < '1' || text[0] > '9')
        return DX_ERR_INVALID;
    int64_t v = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        if (text[i] < '0' || text[i] > '9')
            return DX_ERR_INVALID;
        v = v * 10 + (text[i] - '0');
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (text[n - 1] == units[i].unit) {
            if (v > DX_DURATION_MAX_MS / units[i].ms)
                return DX_ERR_INVALID;
            *ms_out = v * units[i].ms;
            return 0;
        }
    }
    return DX_ERR_INVALID;
}
