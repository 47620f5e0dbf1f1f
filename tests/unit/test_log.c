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
    dx_info("member=%s said %s", "evil\nforged line", "x\x1b[31m");
    dx_debug("not shown at info");
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    FILE *f = fopen(path, "r");
    int lines = 0;
    while (fgets(line, sizeof line, f)) {
        lines++;
        CHECK(strstr(line, " info  member=evil?forged line said x?[31m") != NULL);
    }
    fclose(f);
    close(fd);
    unlink(path);
    CHECK_EQ(lines, 1);
}

TEST(json_lines)
{
    char out[2048];
    dx_log_json(out, sizeof out, "T", "info", "published member=health dataset=a/b version=1");
    CHECK_STR(out, "{\"time\":\"T\",\"level\":\"info\",\"event\":\"published\",\"fields\":"
                   "{\"member\":\"health\",\"dataset\":\"a/b\",\"version\":\"1\"}}");
    /* a value with spaces runs to the next key; quotes, control bytes and
     * bytes that are not UTF-8 are escaped */
    dx_log_json(out, sizeof out, "T", "warn", "refused member=x reason=no rule \"q\"\n\x01 \xff\xc3\xa9 rule=r");
    CHECK_STR(out, "{\"time\":\"T\",\"level\":\"warn\",\"event\":\"refused\",\"fields\":"
                   "{\"member\":\"x\",\"reason\":\"no rule \\\"q\\\"\\u000a\\u0001 \\\\xff\xc3\xa9\","
                   "\"rule\":\"r\"}}");
    dx_log_json(out, sizeof out, "T", "info", "stopping");
    CHECK_STR(out, "{\"time\":\"T\",\"level\":\"info\",\"event\":\"stopping\",\"fields\":{}}");
    dx_log_json(out, sizeof out, "T", "info", "a=1 b=2");
    CHECK_STR(out, "{\"time\":\"T\",\"level\":\"info\",\"event\":\"\",\"fields\":{\"a\":\"1\",\"b\":\"2\"}}");
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    size_t n = dx_log_json(out, 200, "T", "info", big); /* bounded */
    CHECK(n < 200 && strlen(out) == n);
}

int main(void)
{
    RUN(one_line_per_event);
    RUN(json_lines);
    return TEST_EXIT();
}
