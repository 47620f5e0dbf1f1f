#include "err.h"
#include "media.h"
#include "test.h"

TEST(parses_and_normalises)
{
    dx_media_t m;
    CHECK_EQ(dx_media_parse("text/csv", &m), 0);
    CHECK_STR(m.type, "text");
    CHECK_STR(m.subtype, "csv");
    CHECK_EQ(m.nparams, 0u);
    CHECK_EQ(dx_media_parse("Text/CSV ; Charset=\"UTF-8\";header=present", &m), 0);
    CHECK_STR(m.subtype, "csv");
    CHECK_STR(dx_media_param(&m, "charset"), "UTF-8");
    CHECK_STR(dx_media_param(&m, "header"), "present");
    CHECK(dx_media_param(&m, "delimiter") == NULL);
    CHECK_EQ(dx_media_parse("application/vnd.example+json; q=\"a \\\"b\\\"\"", &m), 0);
    CHECK_STR(dx_media_param(&m, "q"), "a \"b\"");
}

TEST(refuses)
{
    dx_media_t m;
    const char *bad[] = { "", "text", "text/", "/csv", "text/csv;", "text/csv; x", "text/csv; x=",
                          "text/csv; x=\"open", "text /csv", "text/csv\n", "text/csv\x01",
                          "text/csv\xC3\xA9", "text/csv; a=1; a=2", "text/csv; x=\"\xC3\xA9\"",
                          "text/csv;;a=1", "text/csv\t; a=1", "t\xFF/csv",
                          "text/csv; a=1; b=2; c=3; d=4; e=5; f=6; g=7; h=8; i=9" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (dx_media_parse(bad[i], &m) == 0)
            printf("# accepted [%s]\n", bad[i]);
        CHECK(dx_media_parse(bad[i], &m) == DX_ERR_INVALID);
    }
    CHECK(dx_media_parse(NULL, &m) == DX_ERR_INVALID);
}

int main(void)
{
    RUN(parses_and_normalises);
    RUN(refuses);
    return TEST_EXIT();
}
