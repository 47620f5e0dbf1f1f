#include "audit_view.h"
#include "test.h"

#include <stdlib.h>

static Dx__AuditRecord s_record(void)
{
    Dx__AuditRecord r = DX__AUDIT_RECORD__INIT;
    r.seq = 7;
    r.time_ms = 1767225600000LL;
    r.event = "read";
    r.member = "statistics";
    r.action = "read";
    r.dataset = "health/vaccination/q3";
    r.version = 2;
    r.purpose = "statistics";
    r.decision = "deny";
    r.rule_id = "r1";
    r.reason = "a \"quoted\", comma\nand newline";
    return r;
}

TEST(matching)
{
    Dx__AuditRecord r = s_record();
    Dx__AuditQuery q = DX__AUDIT_QUERY__INIT;
    CHECK(dx_audit_matches(&q, &r));
    q.member = "statistics";
    q.dataset = "health/**";
    q.action = "read";
    q.decision = "deny";
    q.since_ms = r.time_ms;
    q.until_ms = r.time_ms;
    CHECK(dx_audit_matches(&q, &r));
    q.member = "health";
    CHECK(!dx_audit_matches(&q, &r));
    q.member = "";
    q.dataset = "tax/**";
    CHECK(!dx_audit_matches(&q, &r));
    q.dataset = "";
    q.since_ms = r.time_ms + 1;
    CHECK(!dx_audit_matches(&q, &r));
    q.since_ms = 0;
    q.decision = "allow";
    CHECK(!dx_audit_matches(&q, &r));
}

static char *s_print(int format, const Dx__AuditRecord *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    dx_audit_print(f, format, r, NULL);
    fclose(f);
    return buf;
}

TEST(json_and_csv_escaping)
{
    Dx__AuditRecord r = s_record();
    char *json = s_print(DX_AUDIT_JSON, &r);
    CHECK(strstr(json, "\"reason\":\"a \\\"quoted\\\", comma\\nand newline\"") != NULL);
    CHECK(strstr(json, "\"seq\":7,\"time\":\"2026-01-01T00:00:00.000Z\"") != NULL);
    CHECK(json[strlen(json) - 1] == '\n' && strchr(json, '\n') == json + strlen(json) - 1);
    free(json);
    char *csv = s_print(DX_AUDIT_CSV, &r);
    CHECK(strstr(csv, ",\"a \"\"quoted\"\", comma\nand newline\",") != NULL);
    free(csv);
    CHECK_EQ(dx_audit_format_parse("json"), DX_AUDIT_JSON);
    CHECK_EQ(dx_audit_format_parse("xml"), -1);
}

/* Issue 8, item 8: whatever a record holds, every format prints valid
 * UTF-8 and JSON that parses; controls and hidden characters are escaped. */
TEST(always_valid_utf8)
{
    Dx__AuditRecord r = s_record();
    r.reason = "bad \xFF byte, \x01 control, \xE2\x80\xA8 separator, \xE2\x80\x8B zero width";
    char *json = s_print(DX_AUDIT_JSON, &r);
    CHECK(strstr(json, "bad \\ufffd byte, \\u0001 control, \\u2028 separator") != NULL);
    CHECK(strchr(json, '\xFF') == NULL && strchr(json, '\x01') == NULL);
    free(json);
    for (int format = DX_AUDIT_TABLE; format <= DX_AUDIT_CSV; format++) {
        if (format == DX_AUDIT_JSON)
            continue;
        char *out = s_print(format, &r);
        CHECK(strstr(out, "bad \\xFF byte, \\x01 control, \\u{2028} separator, \\u{200B} zero") != NULL);
        free(out);
    }
}

int main(void)
{
    RUN(matching);
    RUN(json_and_csv_escaping);
    RUN(always_valid_utf8);
    return TEST_EXIT();
}
