/* report_html: the page of dx-audit report (report.h). Everything on it
 * comes from the counts of report_stats.c; every chart is followed by its
 * table; names from the log are escaped. */
#include "report_int.h"
#include "report_svg.h"
#include "dxtime.h"
#include "version.h"

#include <stdlib.h>
#include <string.h>

#define TOP_SERIES 6             /* members drawn apart in the columns; the rest are "(other)" */
#define TOP_BARS 15
#define MAX_DAYS 62              /* beyond this, columns are months */
#define MAX_MATRIX 12            /* publishers and consumers in the heat map */
#define TABLE_ROWS 200

static const char s_style[] =
    ":root{--ink:#1b1b1f;--muted:#5b5b66;--line:#d9d9e0;--accent:#0072B2}"
    "*{box-sizing:border-box}"
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif;color:var(--ink);"
    "margin:0 auto;padding:1.5rem 1rem 3rem;max-width:1180px;background:#fff}"
    "h1{font-size:1.7rem;margin:.2rem 0}h2{font-size:1.25rem;margin:2.2rem 0 .6rem;padding-top:.6rem;"
    "border-top:2px solid var(--line)}h3{font-size:1rem;margin:1.2rem 0 .4rem}"
    ".range{font-size:1.05rem;margin:.2rem 0}.proof,.note{color:var(--muted);font-size:.9rem}"
    ".cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:.7rem;margin:1rem 0}"
    ".cards div{border:1px solid var(--line);border-radius:8px;padding:.6rem .8rem}"
    ".cards dt{color:var(--muted);font-size:.85rem}.cards dd{margin:0;font-size:1.6rem;font-weight:600}"
    ".pair{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:1.2rem;align-items:start}"
    "@media (max-width:800px){.pair{grid-template-columns:1fr}}"
    "figure{margin:0}figcaption{color:var(--muted);font-size:.85rem}"
    ".chart{max-width:100%;height:auto;display:block}figcaption.title{color:var(--ink);font-weight:600;font-size:.92rem;margin:.4rem 0}.chart text{font-size:12px;fill:var(--ink)}"
    ".chart .val{font-size:11px;fill:var(--muted)}.chart .cellval{font-size:15px;font-weight:600}.chart .inv{fill:#fff}.chart .axis{stroke:#888}"
    ".scroll{overflow-x:auto;max-height:32rem;overflow-y:auto}"
    "table{border-collapse:collapse;width:100%;font-size:.88rem}"
    "th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    "caption{text-align:left;font-weight:600;padding:.3rem 0}"
    ".empty{padding:1rem;border:1px dashed var(--line);border-radius:8px;color:var(--muted)}"
    "footer{margin-top:3rem;color:var(--muted);font-size:.85rem}code{word-break:break-all}"
    "@media print{body{max-width:none;padding:0}.scroll{max-height:none;overflow:visible}"
    "section,figure,table{break-inside:avoid}h2{break-after:avoid}}";

static void s_time(FILE *f, int64_t ms)
{
    char t[DX_TIME_TEXT];
    dx_time_format(ms, t);
    fputs(t, f);
}

static void s_range(FILE *f, const report_t *r)
{
    if (r->since_ms) {
        s_time(f, r->since_ms);
    } else {
        fputs("the first record", f);
        if (r->records) {
            fputs(" (", f);
            s_time(f, r->first_ms);
            fputs(")", f);
        }
    }
    fputs(" to ", f);
    if (r->until_ms) {
        s_time(f, r->until_ms);
    } else {
        fputs("the head", f);
        if (r->records) {
            fputs(" (", f);
            s_time(f, r->last_ms);
            fputs(")", f);
        }
    }
}

static void s_card(FILE *f, const char *id, const char *label, uint64_t n, const char *text)
{
    fprintf(f, "<div><dt>%s</dt><dd id=\"%s\" data-n=\"%llu\">", label, id, (unsigned long long)n);
    if (text)
        fputs(text, f);
    else
        fprintf(f, "%llu", (unsigned long long)n);
    fputs("</dd></div>", f);
}

/* A table of a tally's entries, most counted first; bytes too if asked. */
static void s_table(FILE *f, const char *id, const char *caption, const char *what, const char *count,
                    tally_entry_t **v, size_t n, bool bytes)
{
    fprintf(f, "<div class=\"scroll\"><table id=\"%s\"><caption>%s</caption><thead><tr><th>%s</th>"
               "<th class=\"n\">%s</th>%s</tr></thead><tbody>", id, caption, what, count,
            bytes ? "<th class=\"n\">bytes</th>" : "");
    for (size_t i = 0; i < n && i < TABLE_ROWS; i++) {
        fputs("<tr><td>", f);
        html_text(f, v[i]->name);
        fprintf(f, "</td><td class=\"n\" data-n=\"%llu\">%llu</td>", (unsigned long long)v[i]->count,
                (unsigned long long)v[i]->count);
        if (bytes) {
            char h[32];
            human_bytes(v[i]->bytes, h);
            fprintf(f, "<td class=\"n\" data-n=\"%llu\">%s</td>", (unsigned long long)v[i]->bytes, h);
        }
        fputs("</tr>", f);
    }
    fputs("</tbody></table>", f);
    if (n > TABLE_ROWS)
        fprintf(f, "<p class=\"note\">The first %d of %zu.</p>", TABLE_ROWS, n);
    fputs("</div>", f);
}

/* A tally as bars (the first TOP_BARS) beside its table. */
static int s_bars_and_table(FILE *f, const char *id, const char *title, const char *what, const char *count,
                            const tally_t *t, bool bytes)
{
    size_t n = 0;
    tally_entry_t **v = tally_sorted(t, &n);
    if (!v)
        return -1;
    if (n == 0) {
        fprintf(f, "<p class=\"empty\" id=\"%s\">None in this range.</p>", id);
        free(v);
        return 0;
    }
    size_t k = n < TOP_BARS ? n : TOP_BARS;
    const char **labels = calloc(k, sizeof *labels);
    uint64_t *values = calloc(k, sizeof *values);
    if (!labels || !values) {
        free(labels);
        free(values);
        free(v);
        return -1;
    }
    for (size_t i = 0; i < k; i++) {
        labels[i] = v[i]->name;
        values[i] = v[i]->count;
    }
    char tid[64];
    snprintf(tid, sizeof tid, "%s-table", id);
    fputs("<div class=\"pair\"><figure><figcaption class=\"title\">", f);
    html_text(f, title);
    fputs("</figcaption>", f);
    svg_bars(f, id, title, labels, values, k);
    if (n > k)
        fprintf(f, "<figcaption>The %zu largest of %zu; all are in the table.</figcaption>", k, n);
    fputs("</figure>", f);
    s_table(f, tid, title, what, count, v, n, bytes);
    fputs("</div>", f);
    if (tally_overflowed(t))
        fputs("<p class=\"note\">More names than the report keeps apart: the rest are counted as "
              "(other).</p>", f);
    free(labels);
    free(values);
    free(v);
    return 0;
}

/* The time buckets: days, or months over a long range. */
typedef struct {
    char (*label)[16];
    size_t n;
    size_t len;                  /* 10: days, 7: months */
} buckets_t;

static int s_buckets(const report_t *r, buckets_t *b)
{
    size_t n = 0;
    tally_entry_t **days = tally_by_name(r->days, &n);
    if (!days)
        return -1;
    b->len = n > MAX_DAYS ? 7 : 10;
    b->n = 0;
    if (!(b->label = calloc(n ? n : 1, sizeof *b->label))) {
        free(days);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(days[i]->name, TALLY_OTHER) == 0)
            continue;
        if (b->n && strncmp(b->label[b->n - 1], days[i]->name, b->len) == 0)
            continue;
        snprintf(b->label[b->n++], 16, "%.*s", (int)b->len, days[i]->name);
    }
    free(days);
    return 0;
}

static long s_bucket(const buckets_t *b, const char *day)
{
    size_t lo = 0, hi = b->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strncmp(b->label[mid], day, b->len);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* The members whose colour is their own on every chart: the busiest
 * (publishes and exchanges together); the others are grey. */
#define COLOURED 7
static const char *s_coloured[COLOURED];

static int s_pick_colours(const report_t *r)
{
    tally_t *all = tally_new(200000);
    size_t n = 0;
    tally_entry_t **v = NULL;
    const tally_t *from[2] = { r->publishers, r->consumers };
    int rv = -1;
    memset(s_coloured, 0, sizeof s_coloured);
    if (!all)
        return -1;
    for (size_t k = 0; k < 2; k++) {
        size_t m = 0;
        tally_entry_t **e = tally_by_name(from[k], &m);
        if (!e)
            goto out;
        for (size_t i = 0; i < m; i++)
            if (strcmp(e[i]->name, TALLY_OTHER) != 0 && !tally_add_n(all, e[i]->name, e[i]->count, 0, 0)) {
                free(e);
                goto out;
            }
        free(e);
    }
    if (!(v = tally_sorted(all, &n)))
        goto out;
    /* the names stay alive in r's tallies: point at those */
    for (size_t i = 0; i < n && i < COLOURED; i++) {
        tally_entry_t *e = tally_get(r->publishers, v[i]->name);
        if (!e)
            e = tally_get(r->consumers, v[i]->name);
        s_coloured[i] = e ? e->name : NULL;
    }
    rv = 0;
out:
    free(v);
    tally_free(&all);
    return rv;
}

static const char *s_member_colour(const char *name)
{
    for (size_t i = 0; i < COLOURED; i++)
        if (s_coloured[i] && strcmp(s_coloured[i], name) == 0)
            return svg_colour(i);
    return svg_colour(COLOURED + 1);
}

/* Columns of a "DAY\x1fMEMBER" tally, stacked by the top members of by. */
static int s_columns(FILE *f, const char *id, const char *title, const buckets_t *b, const tally_t *per_day,
                     const tally_t *by, uint64_t **totals_out)
{
    size_t nm = 0;
    tally_entry_t **members = tally_sorted(by, &nm);
    if (!members)
        return -1;
    size_t ns = nm > TOP_SERIES ? TOP_SERIES + 1 : nm;
    const char **series = calloc(ns ? ns : 1, sizeof *series);
    uint64_t *values = calloc(b->n * (ns ? ns : 1) + 1, sizeof *values);
    uint64_t *totals = calloc(b->n + 1, sizeof *totals);
    size_t n = 0;
    tally_entry_t **cells = tally_by_name(per_day, &n);
    int rv = -1;
    if (!series || !values || !totals || !cells)
        goto out;
    for (size_t i = 0; i < ns; i++)
        series[i] = i < TOP_SERIES || nm <= TOP_SERIES ? members[i]->name : TALLY_OTHER;
    for (size_t i = 0; i < n; i++) {
        const char *sep = strchr(cells[i]->name, '\x1f');
        long at = sep ? s_bucket(b, cells[i]->name) : -1;
        if (at < 0)
            continue; /* "(other)": past the day-by-member cap */
        size_t s = ns - 1;
        for (size_t j = 0; j < ns; j++)
            if (strcmp(series[j], sep + 1) == 0) {
                s = j;
                break;
            }
        values[(size_t)at * ns + s] += cells[i]->count;
        totals[at] += cells[i]->count;
    }
    const char **labels = calloc(b->n ? b->n : 1, sizeof *labels);
    const char **colours = calloc(ns ? ns : 1, sizeof *colours);
    if (!labels || !colours) {
        free(labels);
        free(colours);
        goto out;
    }
    for (size_t i = 0; i < b->n; i++)
        labels[i] = b->label[i];
    for (size_t i = 0; i < ns; i++)
        colours[i] = s_member_colour(series[i]);
    fputs("<figcaption class=\"title\">", f);
    html_text(f, title);
    fputs("</figcaption>", f);
    svg_columns(f, id, title, labels, b->n, series, colours, ns, values);
    free(labels);
    free(colours);
    *totals_out = totals;
    totals = NULL;
    rv = 0;
out:
    free(members);
    free(series);
    free(values);
    free(totals);
    free(cells);
    return rv;
}

static int s_per_time(FILE *f, const report_t *r)
{
    buckets_t b = { 0 };
    uint64_t *pub = NULL, *recv = NULL, *refused = NULL;
    int rv = -1;
    fputs("<section id=\"per-day\"><h2>Exchanges over time</h2>", f);
    if (s_buckets(r, &b) != 0)
        return -1;
    const char *unit = b.len == 7 ? "month" : "day";
    fprintf(f, "<p class=\"note\">An exchange is a version the broker released to a consumer (a whole "
               "fetch or a filtered view). Per %s, by department.</p><div class=\"pair\"><figure>", unit);
    char title[120];
    snprintf(title, sizeof title, "Exchanges per %s, by receiving department", unit);
    if (s_columns(f, "chart-received", title, &b, r->day_recv, r->consumers, &recv) != 0)
        goto out;
    snprintf(title, sizeof title, "Exchanges per %s, by publishing department (whose data)", unit);
    uint64_t *src = NULL;
    if (s_columns(f, "chart-sources", title, &b, r->day_source, r->sources, &src) != 0)
        goto out;
    free(src);
    snprintf(title, sizeof title, "Versions published per %s, by publishing department", unit);
    if (s_columns(f, "chart-published", title, &b, r->day_pub, r->publishers, &pub) != 0)
        goto out;
    /* refusals per bucket, from their own tally */
    if (!(refused = calloc(b.n + 1, sizeof *refused)))
        goto out;
    size_t n = 0;
    tally_entry_t **rd = tally_by_name(r->refused_day, &n);
    if (!rd)
        goto out;
    for (size_t i = 0; i < n; i++) {
        long at = s_bucket(&b, rd[i]->name);
        if (at >= 0)
            refused[at] += rd[i]->count;
    }
    free(rd);
    fprintf(f, "</figure><div class=\"scroll\"><table id=\"per-day-table\"><caption>Per %s</caption><thead><tr>"
               "<th>%s</th><th class=\"n\">exchanges</th><th class=\"n\">published</th><th class=\"n\">refused"
               "</th></tr></thead><tbody>", unit, unit);
    for (size_t i = 0; i < b.n; i++)
        fprintf(f, "<tr><td>%s</td><td class=\"n\" data-n=\"%llu\">%llu</td><td class=\"n\" data-n=\"%llu\">%llu"
                   "</td><td class=\"n\" data-n=\"%llu\">%llu</td></tr>", b.label[i], (unsigned long long)recv[i],
                (unsigned long long)recv[i], (unsigned long long)pub[i], (unsigned long long)pub[i],
                (unsigned long long)refused[i], (unsigned long long)refused[i]);
    fputs("</tbody></table></div></div></section>\n", f);
    rv = 0;
out:
    free(b.label);
    free(pub);
    free(recv);
    free(refused);
    return rv;
}

/* Who shares with whom: the heat map of the busiest, and every pair in the table. */
static int s_matrix(FILE *f, const report_t *r)
{
    size_t np = 0, nc = 0, n = 0;
    tally_entry_t **pubs = NULL, **cons = NULL, **pairs = tally_sorted(r->matrix, &n);
    const char **rows = NULL, **cols = NULL;
    uint64_t *values = NULL;
    int rv = -1;
    fputs("<section id=\"matrix\"><h2>Who shares with whom</h2>", f);
    if (!pairs)
        return -1;
    if (n == 0) {
        fputs("<p class=\"empty\">No exchange in this range.</p></section>", f);
        free(pairs);
        return 0;
    }
    /* the publishers and consumers of the pairs, busiest first */
    tally_t *tp = tally_new(MAX_MATRIX * 4), *tc = tally_new(MAX_MATRIX * 4);
    if (!tp || !tc)
        goto out;
    for (size_t i = 0; i < n; i++) {
        char a[700];
        snprintf(a, sizeof a, "%s", pairs[i]->name);
        char *sep = strchr(a, '\x1f');
        if (!sep)
            continue;
        *sep = '\0';
        if (!tally_add_n(tp, a, pairs[i]->count, 0, 0) || !tally_add_n(tc, sep + 1, pairs[i]->count, 0, 0))
            goto out;
    }
    if (!(pubs = tally_sorted(tp, &np)) || !(cons = tally_sorted(tc, &nc)))
        goto out;
    size_t rn = np < MAX_MATRIX ? np : MAX_MATRIX, cn = nc < MAX_MATRIX ? nc : MAX_MATRIX;
    if (!(rows = calloc(rn + 1, sizeof *rows)) || !(cols = calloc(cn + 1, sizeof *cols)) ||
        !(values = calloc(rn * cn + 1, sizeof *values)))
        goto out;
    for (size_t i = 0; i < rn; i++)
        rows[i] = pubs[i]->name;
    for (size_t i = 0; i < cn; i++)
        cols[i] = cons[i]->name;
    for (size_t i = 0; i < n; i++) {
        const char *sep = strchr(pairs[i]->name, '\x1f');
        if (!sep)
            continue;
        for (size_t a = 0; a < rn; a++)
            if (strlen(rows[a]) == (size_t)(sep - pairs[i]->name) &&
                strncmp(rows[a], pairs[i]->name, (size_t)(sep - pairs[i]->name)) == 0)
                for (size_t c = 0; c < cn; c++)
                    if (strcmp(cols[c], sep + 1) == 0)
                        values[a * cn + c] += pairs[i]->count;
    }
    fputs("<p class=\"note\">Rows publish, columns receive; each cell counts the exchanges.</p>"
          "<div class=\"pair\"><figure><figcaption class=\"title\">Exchanges, publisher by consumer</figcaption>", f);
    svg_heatmap(f, "chart-matrix", "Exchanges from each publishing department (rows) to each receiving "
                "department (columns)", rows, rn, cols, cn, values);
    if (np > rn || nc > cn)
        fprintf(f, "<figcaption>The %zu busiest publishers and %zu busiest consumers; every pair is in the "
                   "table.</figcaption>", rn, cn);
    fputs("</figure><div class=\"scroll\"><table id=\"matrix-table\"><caption>Publisher to consumer"
          "</caption><thead><tr><th>publisher</th><th>consumer</th><th class=\"n\">exchanges</th>"
          "<th class=\"n\">bytes</th></tr></thead><tbody>", f);
    for (size_t i = 0; i < n && i < TABLE_ROWS; i++) {
        const char *sep = strchr(pairs[i]->name, '\x1f');
        char h[32];
        human_bytes(pairs[i]->bytes, h);
        fputs("<tr><td>", f);
        if (sep) {
            char a[700];
            snprintf(a, sizeof a, "%.*s", (int)(sep - pairs[i]->name), pairs[i]->name);
            html_text(f, a);
            fputs("</td><td>", f);
            html_text(f, sep + 1);
        } else {
            html_text(f, pairs[i]->name);
            fputs("</td><td>", f);
        }
        fprintf(f, "</td><td class=\"n\" data-n=\"%llu\">%llu</td><td class=\"n\" data-n=\"%llu\">%s</td></tr>",
                (unsigned long long)pairs[i]->count, (unsigned long long)pairs[i]->count,
                (unsigned long long)pairs[i]->bytes, h);
    }
    fputs("</tbody></table></div></div></section>\n", f);
    rv = 0;
out:
    tally_free(&tp);
    tally_free(&tc);
    free(pairs);
    free(pubs);
    free(cons);
    free(rows);
    free(cols);
    free(values);
    return rv;
}

static void s_rows(FILE *f, const char *id, const char *caption, const char *who, const char *what,
                   const char *rule, const char *why, const report_list_t *l)
{
    fprintf(f, "<h3>%s</h3>", caption);
    if (l->total == 0) {
        fprintf(f, "<p class=\"empty\" id=\"%s\" data-n=\"0\">None in this range.</p>", id);
        return;
    }
    fprintf(f, "<div class=\"scroll\"><table id=\"%s\" data-n=\"%llu\"><thead><tr><th>when</th><th>%s</th>"
               "<th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>", id, (unsigned long long)l->total, who,
            what, rule, why);
    for (size_t i = 0; i < l->n; i++) {
        fputs("<tr><td>", f);
        s_time(f, l->rows[i].time_ms);
        const char *cols[4] = { l->rows[i].who, l->rows[i].what, l->rows[i].rule, l->rows[i].why };
        for (size_t c = 0; c < 4; c++) {
            fputs("</td><td>", f);
            html_text(f, cols[c]);
        }
        fputs("</td></tr>", f);
    }
    fputs("</tbody></table></div>", f);
    if (l->total > l->n)
        fprintf(f, "<p class=\"note\">The first %zu of %llu (dx-audit query lists them all).</p>", l->n,
                (unsigned long long)l->total);
}

static int s_unreceipted(FILE *f, const report_t *r)
{
    size_t n = 0;
    tally_entry_t **v = tally_sorted(r->unreceipted, &n);
    if (!v)
        return -1;
    uint64_t total = tally_total(r->unreceipted);
    fprintf(f, "<section id=\"receipts\"><h2>Deliveries without a signed receipt</h2><p class=\"note\">"
               "Versions released to a consumer whose agent has not yet signed a delivery receipt for "
               "them (dx-agent deliveries shows the publisher the receipts it has): the ones to chase. "
               "<strong id=\"n-unreceipted\" data-n=\"%llu\">%llu</strong> in this range.</p>",
            (unsigned long long)total, (unsigned long long)total);
    if (n) {
        fputs("<div class=\"scroll\"><table id=\"receipts-table\"><thead><tr><th>consumer</th><th>version"
              "</th><th class=\"n\">releases</th><th>last released</th></tr></thead><tbody>", f);
        for (size_t i = 0; i < n && i < TABLE_ROWS; i++) {
            const char *sep = strchr(v[i]->name, '\x1f');
            char who[700];
            snprintf(who, sizeof who, "%.*s", sep ? (int)(sep - v[i]->name) : (int)strlen(v[i]->name), v[i]->name);
            fputs("<tr><td>", f);
            html_text(f, who);
            fputs("</td><td>", f);
            html_text(f, sep ? sep + 1 : "");
            fprintf(f, "</td><td class=\"n\" data-n=\"%llu\">%llu</td><td>", (unsigned long long)v[i]->count,
                    (unsigned long long)v[i]->count);
            s_time(f, v[i]->last_ms);
            fputs("</td></tr>", f);
        }
        fputs("</tbody></table></div>", f);
        if (n > TABLE_ROWS)
            fprintf(f, "<p class=\"note\">The first %d of %zu.</p>", TABLE_ROWS, n);
    }
    fputs("</section>\n", f);
    free(v);
    return 0;
}

static int s_views(FILE *f, const report_t *r)
{
    const char *labels[2] = { "filtered views", "whole versions" };
    uint64_t values[2] = { r->views, r->wholes };
    char vb[32], wb[32];
    human_bytes(r->view_bytes, vb);
    human_bytes(r->whole_bytes, wb);
    fputs("<section id=\"views\"><h2>Filtered views and whole fetches</h2><div class=\"pair\"><figure>"
          "<figcaption class=\"title\">Exchanges as filtered views and as whole versions</figcaption>", f);
    svg_bars(f, "chart-views", "Exchanges as filtered views and as whole versions", labels, values, 2);
    fprintf(f, "</figure><div class=\"scroll\"><table id=\"views-table\"><thead><tr><th>kind</th><th class=\"n\">"
               "exchanges</th><th class=\"n\">bytes</th></tr></thead><tbody>"
               "<tr><td>filtered views</td><td class=\"n\" data-n=\"%llu\">%llu</td><td class=\"n\" data-n=\"%llu\">%s"
               "</td></tr><tr><td>whole versions</td><td class=\"n\" data-n=\"%llu\">%llu</td><td class=\"n\" "
               "data-n=\"%llu\">%s</td></tr></tbody></table></div></div>",
            (unsigned long long)r->views, (unsigned long long)r->views, (unsigned long long)r->view_bytes, vb,
            (unsigned long long)r->wholes, (unsigned long long)r->wholes, (unsigned long long)r->whole_bytes, wb);
    if (r->unsized)
        fprintf(f, "<p class=\"note\">%llu exchanges were recorded before the log counted bytes: their size "
                   "is not in these totals.</p>", (unsigned long long)r->unsized);
    fputs("</section>\n", f);
    return 0;
}

int report_write_html(const report_t *r, const report_head_t *head, FILE *f)
{
    char bytes[32];
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
          "<title>Data exchange report: ", f);
    s_range(f, r);
    fprintf(f, "</title><style>%s</style></head><body>\n<header><h1>Data exchange report</h1><p class=\"range\">",
            s_style);
    html_text(f, head->origin);
    fputs(", ", f);
    s_range(f, r);
    fprintf(f, "</p><p class=\"proof\" id=\"proof\" data-records=\"%llu\" data-head-size=\"%llu\">Computed from "
               "<strong>%llu</strong> records in this range, each one verified: the whole log (",
            (unsigned long long)r->records, (unsigned long long)head->size, (unsigned long long)r->records);
    fprintf(f, "%llu records, from ", (unsigned long long)head->size);
    html_text(f, head->source);
    fputs(") was recomputed and matches the broker's signed head of ", f);
    s_time(f, head->time_ms);
    fputs(", root <code>", f);
    html_text(f, head->root_b64);
    fputs("</code>. Anyone can check the same with <code>dx-audit verify</code>.</p></header>\n", f);
    if (r->records == 0) {
        fputs("<section id=\"summary\"><p class=\"empty\" id=\"empty\">No records in this range: nothing was "
              "exchanged, published or refused between these times.</p></section>", f);
    } else {
        human_bytes(r->exchange_bytes, bytes);
        if (s_pick_colours(r) != 0)
            return -1;
        fputs("<section id=\"summary\"><h2>In short</h2><dl class=\"cards\">", f);
        s_card(f, "n-exchanges", "exchanges", r->exchanges, NULL);
        s_card(f, "n-bytes", "bytes released", r->exchange_bytes, bytes);
        s_card(f, "n-publishes", "versions published", r->publishes, NULL);
        s_card(f, "n-refusals", "requests refused", r->refusals, NULL);
        s_card(f, "n-consumers", "receiving departments", tally_size(r->consumers), NULL);
        s_card(f, "n-publishers", "publishing departments", tally_size(r->publishers), NULL);
        fputs("</dl></section>\n", f);
        if (s_per_time(f, r) != 0 || s_matrix(f, r) != 0)
            return -1;
        fputs("<section id=\"refusals\"><h2>Refusals</h2><p class=\"note\">Requests the broker refused: by "
              "reason, by member, by rule. Errors (a transfer that failed) are not refusals.</p>", f);
        if (s_bars_and_table(f, "chart-refused-reason", "Refusals by reason", "reason", "refusals",
                             r->refused_reason, false) != 0)
            return -1;
        if (s_bars_and_table(f, "chart-refused-member", "Refusals by member", "member", "refusals",
                             r->refused_member, false) != 0)
            return -1;
        if (s_bars_and_table(f, "chart-refused-rule", "Refusals by rule", "rule", "refusals", r->refused_rule,
                             false) != 0)
            return -1;
        buckets_t b = { 0 };
        uint64_t *per = NULL;
        int crv = s_buckets(r, &b);
        if (crv == 0) {
            char title[120];
            snprintf(title, sizeof title, "Refusals per %s, by member", b.len == 7 ? "month" : "day");
            fputs("<figure>", f);
            crv = s_columns(f, "chart-refused-time", title, &b, r->day_refused, r->refused_member, &per);
            fputs("<figcaption>Per day in the table of Exchanges over time.</figcaption></figure>", f);
        }
        free(b.label);
        free(per);
        if (crv != 0)
            return -1;
        fputs("</section>\n<section id=\"purposes\"><h2>Purposes of reads</h2>", f);
        if (s_bars_and_table(f, "chart-purposes", "Exchanges by declared purpose", "purpose", "exchanges",
                             r->purposes, false) != 0)
            return -1;
        fputs("</section>\n<section id=\"datasets\"><h2>The busiest datasets</h2>", f);
        if (s_bars_and_table(f, "chart-datasets", "Exchanges by dataset", "dataset", "exchanges", r->datasets,
                             true) != 0)
            return -1;
        fputs("</section>\n", f);
        if (s_views(f, r) != 0 || s_unreceipted(f, r) != 0)
            return -1;
        fputs("<section id=\"changes\"><h2>Erasures, retention, policies and keys</h2>", f);
        s_rows(f, "erasures-table", "Erasures", "by", "version", "rule", "reason", &r->erasures);
        s_rows(f, "sweeps-table", "Retention sweeps", "by", "version", "rule", "reason", &r->sweeps);
        s_rows(f, "reloads-table", "Policy loads and reloads", "by", "policy set SHA-256", "result", "summary",
               &r->reloads);
        s_rows(f, "keys-table", "Key changes", "member", "key", "rule", "what", &r->keys);
        fputs("</section>\n", f);
    }
    fprintf(f, "<footer>Made by dx-audit report (dx %s) at ", dx_version());
    s_time(f, dx_now_ms());
    fputs(" from the audit log alone. Every number here can be recounted with <code>dx-audit query</code> "
          "over the same range.</footer>\n</body></html>\n", f);
    return ferror(f) ? -1 : 0;
}
