#include "log.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

TEST(one_line_per_event)
{
    char path[] = "/tmp/dx-test-log-XXXXXX", line[2048];
    int fd = mkstemp(path);
    int saved = dup(2);
    dup2(fd, 2);
    dx_log_set_level(DX_LOG_INFO);
    dx_info("said", "member=%s said %s", "evil\nforged line", "x\x1b[31m");
    dx_log_kv(DX_LOG_INFO, "refused", DX_KV("member", "evil\nforged line"));
    dx_debug("hidden", "not shown at info");
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    FILE *f = fopen(path, "r");
    int lines = 0;
    while (fgets(line, sizeof line, f)) {
        lines++;
        if (lines == 1)
            CHECK(strstr(line, " info  said: member=evil?forged line said x?[31m") != NULL);
        else
            CHECK(strstr(line, " info  refused member=\"evil\\x0aforged line\"") != NULL);
    }
    fclose(f);
    close(fd);
    unlink(path);
    CHECK_EQ(lines, 2);
}

TEST(fields_cannot_be_forged)
{
    /* a content type made to look like fields */
    const char *hostile = "x=\"1 member=health event=erase dataset=secret/x";
    char out[2048];
    dx_kv_t kv[] = { DX_KV("member", "statistics"), DX_KV("reason", hostile), DX_KU("version", 3) };
    dx_log_text_line(out, sizeof out, "refused", kv, 3);
    CHECK_STR(out, "refused member=statistics reason=\"x=\\\"1 member=health event=erase "
                   "dataset=secret/x\" version=3");
    dx_log_json(out, sizeof out, "T", "info", "refused", kv, 3);
    CHECK_STR(out, "{\"time\":\"T\",\"level\":\"info\",\"event\":\"refused\",\"fields\":"
                   "{\"member\":\"statistics\",\"reason\":\"x=\\\"1 member=health event=erase "
                   "dataset=secret/x\",\"version\":\"3\"}}");
    /* a key that is not the program's kind of constant is never written */
    dx_kv_t bad[] = { DX_KV("Member", "x"), DX_KV("a b", "y"), DX_KV("ok", "") };
    dx_log_text_line(out, sizeof out, "e", bad, 3);
    CHECK_STR(out, "e ok=\"\"");
}

TEST(a_sentence_is_an_event_with_a_msg_field)
{
    char path[] = "/tmp/dx-test-log-XXXXXX", line[2048];
    int fd = mkstemp(path);
    int saved = dup(2);
    dup2(fd, 2);
    dx_log_set_level(DX_LOG_INFO);
    dx_log_set_format(DX_LOG_JSON);
    dx_warn("inbox-skipped", "inbox %s: \"%s\" skipped", "/x", "a\nb");
    dx_log_set_format(DX_LOG_TEXT);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    FILE *f = fopen(path, "r");
    CHECK(fgets(line, sizeof line, f) != NULL);
    CHECK(strstr(line, "\"level\":\"warn\",\"event\":\"inbox-skipped\",\"fields\":{\"msg\":"
                       "\"inbox /x: \\\"a\\u000ab\\\" skipped\"}}") != NULL);
    fclose(f);
    close(fd);
    unlink(path);
}

TEST(json_lines)
{
    char out[2048];
    dx_kv_t kv[] = { DX_KV("member", "health"), DX_KV("dataset", "a/b"), DX_KU("version", 1) };
    dx_log_json(out, sizeof out, "T", "info", "published", kv, 3);
    CHECK_STR(out, "{\"time\":\"T\",\"level\":\"info\",\"event\":\"published\",\"fields\":"
                   "{\"member\":\"health\",\"dataset\":\"a/b\",\"version\":\"1\"}}");
    /* quotes, control bytes and bytes that are not UTF-8 are escaped */
    dx_kv_t esc[] = { DX_KV("reason", "no rule \"q\"\n\x01 \xff\xc3\xa9") };
    dx_log_json(out, sizeof out, "T", "warn", "refused", esc, 1);
    CHECK_STR(out, "{\"time\":\"T\",\"level\":\"warn\",\"event\":\"refused\",\"fields\":"
                   "{\"reason\":\"no rule \\\"q\\\"\\u000a\\u0001 \\\\xff\xc3\xa9\"}}");
    /* free text is its own event: nothing in it becomes a field */
    dx_log_json(out, sizeof out, "T", "info", "stopping member=x", NULL, 0);
    CHECK_STR(out, "{\"time\":\"T\",\"level\":\"info\",\"event\":\"stopping member=x\",\"fields\":{}}");
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    dx_kv_t large[] = { DX_KV("v", big) };
    size_t n = dx_log_json(out, 200, "T", "info", "e", large, 1); /* bounded */
    CHECK(n < 200 && strlen(out) == n);
    n = dx_log_text_line(out, 200, "e", large, 1);
    CHECK(n < 200 && strlen(out) == n);
}

int main(void)
{
    RUN(one_line_per_event);
    RUN(fields_cannot_be_forged);
    RUN(json_lines);
    RUN(a_sentence_is_an_event_with_a_msg_field);
    return TEST_EXIT();
}
