/* progress: the bar, drawn over itself with a carriage return. */
#include "progress.h"
#include "dxtime.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MIN_BYTES (4u << 20)     /* smaller transfers end before a bar helps */

static bool s_enabled;

void dx_progress_enable(void) { s_enabled = isatty(STDERR_FILENO) == 1; }

static void s_size(double bytes, char *out, size_t cap)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    int u = 0;
    while (bytes >= 1024 && u < 4)
        bytes /= 1024, u++;
    snprintf(out, cap, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
}

void dx_progress_format(uint64_t done, uint64_t total, int64_t elapsed_ms, char out[128])
{
    char d[24], t[24], r[24], left[32] = "";
    double secs = elapsed_ms > 0 ? (double)elapsed_ms / 1000.0 : 0.001;
    double rate = (double)done / secs;
    s_size((double)done, d, sizeof d);
    s_size(rate, r, sizeof r);
    if (!total) {
        snprintf(out, 128, "%s  %s/s", d, r);
        return;
    }
    s_size((double)total, t, sizeof t);
    int pct = (int)(done >= total ? 100 : done * 100 / total);
    char bar[21];
    for (int i = 0; i < 20; i++)
        bar[i] = i < pct / 5 ? '#' : '.';
    bar[20] = '\0';
    if (rate > 0 && done < total) {
        long s = (long)((double)(total - done) / rate + 0.5);
        snprintf(left, sizeof left, "  %ld:%02ld left", s / 60, s % 60);
    }
    snprintf(out, 128, "[%s] %3d%%  %s / %s  %s/s%s", bar, pct, d, t, r, left);
}

void dx_progress_begin(dx_progress_t *p, const char *label, uint64_t total)
{
    memset(p, 0, sizeof *p);
    p->on = s_enabled && (total == 0 || total >= MIN_BYTES);
    p->label = label;
    p->total = total;
    p->start_ms = p->shown_ms = dx_mono_ms();
}

static void s_draw(dx_progress_t *p, uint64_t done, int64_t now)
{
    char text[128];
    dx_progress_format(done, p->total, now - p->start_ms, text);
    fprintf(stderr, "\r%s %s\033[K", p->label, text);
    fflush(stderr);
    p->shown_ms = now;
}

void dx_progress_update(dx_progress_t *p, uint64_t done)
{
    int64_t now;
    if (!p->on || (now = dx_mono_ms()) - p->shown_ms < 100)
        return;
    if (!p->total && done < MIN_BYTES)
        return;
    s_draw(p, done, now);
}

void dx_progress_end(dx_progress_t *p, uint64_t done)
{
    if (!p->on || (!p->total && done < MIN_BYTES))
        return;
    s_draw(p, done, dx_mono_ms());
    fputc('\n', stderr);
}
