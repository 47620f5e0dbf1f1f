/* report_svg: bars, stacked columns and a heat map (report_svg.h). */
#include "report_svg.h"

#include <stdbool.h>
#include <string.h>

static const char *s_colours[] = { "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8C6D31" };
#define GREY "#999999"

const char *svg_colour(size_t i)
{
    return i < sizeof s_colours / sizeof s_colours[0] ? s_colours[i] : GREY;
}

void html_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

void human_bytes(uint64_t n, char out[32])
{
    static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
    double v = (double)n;
    size_t u = 0;
    while (v >= 1024 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(out, 32, "%llu B", (unsigned long long)n);
    else
        snprintf(out, 32, "%.1f %s", v, units[u]);
}

/* The opening tag, its title and the start of its description. */
static void s_open(FILE *f, const char *id, const char *title, int w, int h)
{
    fprintf(f, "<svg class=\"chart\" id=\"%s\" role=\"img\" aria-labelledby=\"%s-t %s-d\" viewBox=\"0 0 %d %d\" "
               "width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"%s-t\">", id, id, id,
            w, h, w, h, id);
    html_text(f, title);
    fprintf(f, "</title><desc id=\"%s-d\">", id);
}

/* A label cut to fit max characters. */
static void s_label(FILE *f, const char *s, size_t max)
{
    char buf[160];
    size_t n = strlen(s);
    if (n > max && max > 3 && max < sizeof buf) {
        memcpy(buf, s, max - 1);
        /* never cut inside a UTF-8 sequence */
        size_t cut = max - 1;
        while (cut > 0 && ((unsigned char)buf[cut] & 0xC0) == 0x80)
            cut--;
        memcpy(buf + cut, "\xe2\x80\xa6", 4);
        html_text(f, buf);
    } else {
        html_text(f, s);
    }
}

void svg_bars(FILE *f, const char *id, const char *title, const char *const *labels, const uint64_t *values,
              size_t n)
{
    const int row = 26, left = 170, width = 360, right = 60;
    uint64_t max = 1;
    for (size_t i = 0; i < n; i++)
        max = values[i] > max ? values[i] : max;
    int h = (int)n * row + 10;
    s_open(f, id, title, left + width + right, h);
    for (size_t i = 0; i < n; i++) {
        html_text(f, labels[i]);
        fprintf(f, ": %llu%s", (unsigned long long)values[i], i + 1 < n ? "; " : ".");
    }
    fputs("</desc>", f);
    for (size_t i = 0; i < n; i++) {
        int y = 5 + (int)i * row;
        int w = values[i] ? (int)((double)values[i] / (double)max * width) : 0;
        if (values[i] && w < 2)
            w = 2;
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"lbl\">", left - 8, y + 17);
        s_label(f, labels[i], 28);
        fprintf(f, "</text><rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>",
                left, y + 3, w, row - 8, strcmp(labels[i], "(other)") == 0 ? GREY : s_colours[0]);
        html_text(f, labels[i]);
        fprintf(f, ": %llu</title></rect><text x=\"%d\" y=\"%d\" class=\"val\">%llu</text>",
                (unsigned long long)values[i], left + w + 6, y + 17, (unsigned long long)values[i]);
    }
    fputs("</svg>\n", f);
}

void svg_columns(FILE *f, const char *id, const char *title, const char *const *buckets, size_t nb,
                 const char *const *series, const char *const *colours, size_t ns, const uint64_t *values)
{
    const int left = 50, top = 10, plot_h = 200, bottom = 60, legend = 24 * (int)((ns + 2) / 3);
    int col = nb > 0 ? 560 / (int)nb : 560;
    if (col > 60)
        col = 60;
    if (col < 4)
        col = 4;
    int w = left + col * (int)nb + 20, h = top + plot_h + bottom + legend;
    if (w < 600)
        w = 600;
    uint64_t max = 1;
    for (size_t b = 0; b < nb; b++) {
        uint64_t sum = 0;
        for (size_t s = 0; s < ns; s++)
            sum += values[b * ns + s];
        max = sum > max ? sum : max;
    }
    s_open(f, id, title, w, h);
    for (size_t b = 0; b < nb; b++) {
        uint64_t sum = 0;
        for (size_t s = 0; s < ns; s++)
            sum += values[b * ns + s];
        html_text(f, buckets[b]);
        fprintf(f, ": %llu", (unsigned long long)sum);
        bool first = true;
        for (size_t s = 0; s < ns; s++)
            if (values[b * ns + s]) {
                fputs(first ? " (" : ", ", f);
                html_text(f, series[s]);
                fprintf(f, " %llu", (unsigned long long)values[b * ns + s]);
                first = false;
            }
        fputs(first ? "" : ")", f);
        fputs(b + 1 < nb ? "; " : ".", f);
    }
    fputs("</desc>", f);
    /* the axis: 0 and the largest column */
    fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", left, top + plot_h, w - 10,
            top + plot_h);
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"val\">0</text>", left - 6, top + plot_h);
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"val\">%llu</text>", left - 6, top + 10,
            (unsigned long long)max);
    size_t every = nb > 14 ? (nb + 13) / 14 : 1;
    for (size_t b = 0; b < nb; b++) {
        int x = left + (int)b * col + 1;
        double y = top + plot_h;
        for (size_t s = 0; s < ns; s++) {
            uint64_t v = values[b * ns + s];
            if (!v)
                continue;
            double hh = (double)v / (double)max * plot_h;
            if (hh < 1)
                hh = 1;
            y -= hh;
            fprintf(f, "<rect class=\"bar\" x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"><title>",
                    x, y, col - 2 > 1 ? col - 2 : 1, hh, colours[s]);
            html_text(f, buckets[b]);
            fputs(", ", f);
            html_text(f, series[s]);
            fprintf(f, ": %llu</title></rect>", (unsigned long long)v);
        }
        if (b % every == 0) {
            fprintf(f, "<text class=\"lbl\" transform=\"translate(%d,%d) rotate(-45)\" text-anchor=\"end\">",
                    x + col / 2, top + plot_h + 14);
            html_text(f, buckets[b]);
            fputs("</text>", f);
        }
    }
    for (size_t s = 0; s < ns; s++) {
        int lx = left + (int)(s % 3) * 180, ly = top + plot_h + bottom + (int)(s / 3) * 24;
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\"/><text x=\"%d\" y=\"%d\" class=\"lbl\">",
                lx, ly, colours[s], lx + 20, ly + 12);
        s_label(f, series[s], 22);
        fputs("</text>", f);
    }
    fputs("</svg>\n", f);
}

/* sqrt on [0, 1], without libm */
static double s_sqrt(double x)
{
    double r = x > 0 ? (x + 1) / 2 : 0;
    for (int i = 0; i < 30 && r > 0; i++)
        r = (r + x / r) / 2;
    return r;
}

void svg_heatmap(FILE *f, const char *id, const char *title, const char *const *rows, size_t nr,
                 const char *const *cols, size_t nc, const uint64_t *values)
{
    const int left = 150, top = 100, cell = 96;
    int w = left + cell * (int)nc + 10, h = top + cell * (int)nr / 2 + 10;
    if (w < 420)
        w = 420;
    uint64_t max = 1;
    for (size_t i = 0; i < nr * nc; i++)
        max = values[i] > max ? values[i] : max;
    s_open(f, id, title, w, h);
    for (size_t r = 0; r < nr; r++)
        for (size_t c = 0; c < nc; c++)
            if (values[r * nc + c]) {
                html_text(f, rows[r]);
                fputs(" to ", f);
                html_text(f, cols[c]);
                fprintf(f, ": %llu; ", (unsigned long long)values[r * nc + c]);
            }
    fputs("</desc>", f);
    for (size_t c = 0; c < nc; c++) {
        fprintf(f, "<text class=\"lbl\" transform=\"translate(%d,%d) rotate(-45)\">", left + (int)c * cell + cell / 2,
                top - 8);
        s_label(f, cols[c], 18);
        fputs("</text>", f);
    }
    for (size_t r = 0; r < nr; r++) {
        int y = top + (int)r * cell / 2;
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"lbl\">", left - 8, y + cell / 4 + 5);
        s_label(f, rows[r], 24);
        fputs("</text>", f);
        for (size_t c = 0; c < nc; c++) {
            uint64_t v = values[r * nc + c];
            /* from white to the first colour, by the square root (a few large
             * flows would hide the rest) */
            double k = v ? 0.15 + 0.85 * s_sqrt((double)v / (double)max) : 0;
            int red = (int)(255 - k * (255 - 0x00)), green = (int)(255 - k * (255 - 0x72)),
                blue = (int)(255 - k * (255 - 0xB2));
            fprintf(f, "<rect class=\"cell\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#%02x%02x%02x\" "
                       "stroke=\"#c8c8d0\"><title>",
                    left + (int)c * cell, y, cell - 2, cell / 2 - 2, red, green, blue);
            html_text(f, rows[r]);
            fputs(" to ", f);
            html_text(f, cols[c]);
            fprintf(f, ": %llu</title></rect><text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"%s\">%llu</text>",
                    (unsigned long long)v, left + (int)c * cell + cell / 2 - 1, y + cell / 4 + 5,
                    k > 0.55 ? "cellval inv" : "cellval", (unsigned long long)v);
        }
    }
    fputs("</svg>\n", f);
}
