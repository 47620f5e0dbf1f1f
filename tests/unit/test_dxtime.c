#include "dxtime.h"
#include "err.h"
#include "test.h"

TEST(parse_rfc3339)
{
    int64_t ms;
    CHECK_EQ(dx_time_parse("1970-01-01T00:00:00Z", &ms), 0);
    CHECK_EQ(ms, 0);
    CHECK_EQ(dx_time_parse("2026-01-01T00:00:00Z", &ms), 0);
    CHECK_EQ(ms, 1767225600000LL);
    CHECK_EQ(dx_time_parse("2026-01-01T01:00:00+01:00", &ms), 0);
    CHECK_EQ(ms, 1767225600000LL);
    CHECK_EQ(dx_time_parse("2026-01-01T00:00:00.250Z", &ms), 0);
    CHECK_EQ(ms, 1767225600250LL);
    CHECK_EQ(dx_time_parse("2026-01-01", &ms), 0);
    CHECK_EQ(ms, 1767225600000LL);
    CHECK_EQ(dx_time_parse("2024-02-29T00:00:00Z", &ms), 0);
}

TEST(parse_rejects)
{
    int64_t ms;
    CHECK(dx_time_parse("2025-02-29T00:00:00Z", &ms) != 0);
    CHECK(dx_time_parse("2026-13-01T00:00:00Z", &ms) != 0);
    CHECK(dx_time_parse("2026-01-01T24:00:00Z", &ms) != 0);
    CHECK(dx_time_parse("2026-01-01T00:00:00", &ms) != 0);     /* no zone */
    CHECK(dx_time_parse("2026-01-01T00:00:00Zjunk", &ms) != 0);
    CHECK(dx_time_parse("yesterday", &ms) != 0);
    CHECK(dx_time_parse("", &ms) != 0);
}

TEST(format_round_trip)
{
    char text[DX_TIME_TEXT];
    int64_t ms;
    dx_time_format(1767225600250LL, text);
    CHECK_STR(text, "2026-01-01T00:00:00.250Z");
    CHECK_EQ(dx_time_parse(text, &ms), 0);
    CHECK_EQ(ms, 1767225600250LL);
}

TEST(durations)
{
    int64_t ms = 0;
    CHECK(dx_duration_parse("365d", &ms) == 0 && ms == 365LL * 86400 * 1000);
    CHECK(dx_duration_parse("90s", &ms) == 0 && ms == 90000);
    CHECK(dx_duration_parse("15m", &ms) == 0 && ms == 900000);
    CHECK(dx_duration_parse("36h", &ms) == 0 && ms == 36LL * 3600 * 1000);
    CHECK(dx_duration_parse("36500d", &ms) == 0 && ms == DX_DURATION_MAX_MS);
    const char *bad[] = { "", "d", "365", "0d", "01d", "-1d", "+1d", "1y", "1w", "1.5d", " 1d",
                          "1d ", "1 d", "36501d", "99999999999d", "1D" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(dx_duration_parse(bad[i], &ms) != 0);
}

int main(void)
{
    RUN(parse_rfc3339);
    RUN(parse_rejects);
    RUN(format_round_trip);
    RUN(durations);
    return TEST_EXIT();
}
