/* report_svg: the charts of dx-audit report, written as inline SVG with a
 * title and a text alternative (role="img", aria-labelledby), and HTML
 * text escaped. Colours are Okabe and Ito's, told apart by most colour
 * blind readers; "(other)" is always grey. Each chart is drawn at its
 * natural size (the page's style shrinks it to fit a narrow screen). */
#ifndef DX_REPORT_SVG_H
#define DX_REPORT_SVG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* s with &, <, >, " and ' as entities. */
void html_text(FILE *f, const char *s);
/* A byte count as "1.5 MiB". */
void human_bytes(uint64_t n, char out[32]);

/* Horizontal bars, one per label, longest first as given. */
void svg_bars(FILE *f, const char *id, const char *title, const char *const *labels, const uint64_t *values,
              size_t n);
/* The palette's colour i; grey past its end. */
const char *svg_colour(size_t i);
/* Columns over time (buckets), each stacked by series drawn in colours;
 * values[b * ns + s]. */
void svg_columns(FILE *f, const char *id, const char *title, const char *const *buckets, size_t nb,
                 const char *const *series, const char *const *colours, size_t ns, const uint64_t *values);
/* A grid of rows by columns, each cell shaded by its value and showing it;
 * values[r * nc + c]. */
void svg_heatmap(FILE *f, const char *id, const char *title, const char *const *rows, size_t nr,
                 const char *const *cols, size_t nc, const uint64_t *values);

#endif
