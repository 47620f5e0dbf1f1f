/* agents/report_*: the counters in bounded memory, the counts of records
 * by range, and a page with no script and every name escaped. */
#include "report.h"
#include "report_svg.h"
#include "report_tally.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

TEST(a_tally_is_bounded_and_keeps_its_counts)
{
    tally_t *t = tally_new(100);
    char name[32];
    CHECK(t != NULL);
    for (int i = 0; i < 1000; i++) {
        snprintf(name, sizeof name, "m%d", i % 300);
        CHECK(tally_add(t, name, 10, i) != NULL);
    }
    /* 100 names of their own, the other 200 as "(other)" */
    CHECK_EQ(tally_size(t), 101u);
    CHECK(tally_overflowed(t));
    CHECK_EQ(tally_total(t), 1000u);
    tally_entry_t *o = tally_get(t, TALLY_OTHER);
    CHECK(o && o->count == 1000u - tally_get(t, "m0")->count * 100);
    CHECK_EQ(tally_get(t, "m0")->bytes, 40u);
    size_t n = 0;
    tally_entry_t **v = tally_sorted(t, &n);
    CHECK(v && n == 101 && strcmp(v[0]->name, TALLY_OTHER) == 0);
    for (size_t i = 1; i < n; i++)
        CHECK(v[i - 1]->count >= v[i]->count);
    free(v);
    tally_free(&t);
}

TEST(removals_leave_no_trace_and_no_endless_probe)
{
    tally_t *t = tally_new(1000000);
    char name[32];
    /* many adds and removes: tombstones are dropped when the table is
     * rebuilt, so a lookup always ends */
    for (int round = 0; round < 50; round++) {
        for (int i = 0; i < 500; i++) {
            snprintf(name, sizeof name, "r%d-%d", round, i);
            CHECK(tally_add(t, name, 0, 0) != NULL);
        }
        for (int i = 0; i < 500; i++) {
            snprintf(name, sizeof name, "r%d-%d", round, i);
            tally_sub(t, name);
        }
    }
    CHECK_EQ(tally_size(t), 0u);
    CHECK_EQ(tally_total(t), 0u);
    CHECK(tally_get(t, "r3-7") == NULL);
    tally_entry_t *e = tally_add(t, "x", 0, 0);
    CHECK(e && tally_set_value(e, "health") == 0 && strcmp(e->value, "health") == 0);
    tally_add(t, "x", 0, 0);
    tally_sub(t, "x");
    CHECK_EQ(tally_get(t, "x")->count, 1u);
    tally_free(&t);
}

static Dx__AuditRecord s_rec(int64_t t, const char *event, const char *member, const char *dataset,
                             const char *decision)
{
    Dx__AuditRecord r = DX__AUDIT_RECORD__INIT;
    r.time_ms = t;
    r.event = (char *)event;
    r.member = (char *)member;
    r.action = (char *)event;
    r.dataset = (char *)dataset;
    r.version = 1;
    r.purpose = "statistics";
    r.decision = (char *)decision;
    r.rule_id = "r1";
    r.reason = "<b>why</b>";
    return r;
}

static char *s_page(const report_t *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    report_head_t h = { "dx/<test>", 9, 1767225600000LL, "AAAA", "/tmp/<db>" };
    if (!f || report_write_html(r, &h, f) != 0) {
        if (f)
            fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    return buf;
}

TEST(the_range_counts_and_the_page)
{
    const int64_t day = 86400000LL, t0 = 1767225600000LL; /* 2026-01-01 */
    report_t *r = report_new(t0 + day, t0 + 3 * day);
    CHECK(r != NULL);
    /* before the range: a publish the later reads need (who published) */
    Dx__AuditRecord recs[] = {
        s_rec(t0, "publish", "health", "health/a", "allow"),
        s_rec(t0 + day, "read", "statistics", "health/a", "allow"),
        s_rec(t0 + day + 1, "read", "education", "health/a", "deny"),
        s_rec(t0 + 2 * day, "read", "<script>x</script>", "health/a", "allow"),
        s_rec(t0 + 2 * day + 5, "delivery", "statistics", "health/a", "ok"),
        s_rec(t0 + 3 * day, "read", "statistics", "health/a", "allow"), /* after it */
    };
    recs[1].bytes = 100;
    for (size_t i = 0; i < sizeof recs / sizeof recs[0]; i++)
        CHECK_EQ(report_add(r, &recs[i]), 0);
    CHECK_EQ(report_records(r), 4u);
    char *page = s_page(r);
    CHECK(page != NULL);
    if (page) {
        CHECK(strstr(page, "id=\"n-exchanges\" data-n=\"2\""));
        CHECK(strstr(page, "id=\"n-refusals\" data-n=\"1\""));
        CHECK(strstr(page, "id=\"n-publishes\" data-n=\"0\""));
        /* the receipt settled statistics' read; the other consumer has none */
        CHECK(strstr(page, "id=\"n-unreceipted\" data-n=\"1\""));
        CHECK(strstr(page, "<td>health</td><td>statistics</td><td class=\"n\" data-n=\"1\">1</td><td class=\"n\" data-n=\"100\">"));
        /* nothing from the log is markup */
        CHECK(strstr(page, "<script") == NULL);
        CHECK(strstr(page, "&lt;script&gt;x&lt;/script&gt;"));
        CHECK(strstr(page, "dx/&lt;test&gt;"));
        CHECK(strstr(page, "Content-Security-Policy"));
        CHECK(strstr(page, "http://") == NULL || strstr(page, "http://www.w3.org/2000/svg"));
        CHECK(strstr(page, "2026-01-02") && strstr(page, "2026-01-03"));
    }
    free(page);
    report_free(&r);
    /* an empty range says so */
    r = report_new(t0 + 10 * day, 0);
    CHECK_EQ(report_add(r, &recs[0]), 0);
    page = s_page(r);
    CHECK(page && strstr(page, "id=\"empty\"") && !strstr(page, "<svg"));
    free(page);
    report_free(&r);
}

TEST(html_text_escapes)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    html_text(f, "<a href='x'>\"&\"</a>");
    fclose(f);
    CHECK_STR(buf, "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;");
    free(buf);
    char h[32];
    human_bytes(1536, h);
    CHECK_STR(h, "1.5 KiB");
    human_bytes(12, h);
    CHECK_STR(h, "12 B");
}

int main(void)
{
    RUN(a_tally_is_bounded_and_keeps_its_counts);
    RUN(removals_leave_no_trace_and_no_endless_probe);
    RUN(the_range_counts_and_the_page);
    RUN(html_text_escapes);
    return TEST_EXIT();
}
