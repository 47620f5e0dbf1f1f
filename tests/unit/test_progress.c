#include "progress.h"
#include "test.h"

#include <string.h>

TEST(bar_with_total)
{
    char out[128];
    dx_progress_format(50u << 20, 100u << 20, 2000, out);
    CHECK_STR(out, "[##########..........]  50%  50.0 MiB / 100.0 MiB  25.0 MiB/s  0:02 left");
    dx_progress_format(100u << 20, 100u << 20, 4000, out);
    CHECK_STR(out, "[####################] 100%  100.0 MiB / 100.0 MiB  25.0 MiB/s");
    dx_progress_format(0, 100u << 20, 0, out); /* nothing yet: no time left guessed */
    CHECK_STR(out, "[....................]   0%  0 B / 100.0 MiB  0 B/s");
}

TEST(bar_without_total)
{
    char out[128];
    dx_progress_format(3u << 30, 0, 1000, out);
    CHECK_STR(out, "3.0 GiB  3.0 GiB/s");
}

int main(void)
{
    RUN(bar_with_total);
    RUN(bar_without_total);
    return TEST_EXIT();
}
