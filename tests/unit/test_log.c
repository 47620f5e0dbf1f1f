#include "log.h"
#include "test.h"

#include <stdlib.h>
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

int main(void)
{
    RUN(one_line_per_event);
    return TEST_EXIT();
}
