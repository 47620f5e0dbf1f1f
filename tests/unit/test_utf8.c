#include "test.h"
#include "utf8.h"

#include <stdint.h>

#define VALID(lit) dx_utf8_valid((const uint8_t *)(lit), sizeof(lit) - 1)

/* What Python's and Go's strict decoders accept, and nothing else. */
TEST(strict_validity)
{
    CHECK(VALID(""));
    CHECK(VALID("plain ascii"));
    CHECK(VALID("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));   /* é € 😀 */
    CHECK(VALID("\xF4\x8F\xBF\xBF"));                       /* U+10FFFF */
    CHECK(VALID("\xEF\xBB\xBF"));                           /* a BOM is a character */
    CHECK(!VALID("\xFF"));
    CHECK(!VALID("\x80"));                                 /* continuation first */
    CHECK(!VALID("\xC0\xAF"));                             /* overlong '/' */
    CHECK(!VALID("\xC1\xBF"));
    CHECK(!VALID("\xE0\x80\xAF"));                         /* overlong, 3 bytes */
    CHECK(!VALID("\xF0\x80\x80\xAF"));                     /* overlong, 4 bytes */
    CHECK(!VALID("\xED\xA0\x80"));                         /* U+D800 */
    CHECK(!VALID("\xED\xBF\xBF"));                         /* U+DFFF */
    CHECK(!VALID("\xF4\x90\x80\x80"));                     /* above U+10FFFF */
    CHECK(!VALID("\xF5\x80\x80\x80"));
    CHECK(!VALID("\xC3"));                                 /* truncated */
    CHECK(!VALID("\xE2\x82"));
    CHECK(!VALID("\xE2\x28\xA1"));                         /* bad continuation */
    CHECK(dx_utf8_string((const uint8_t *)"ok", 2));
    CHECK(!dx_utf8_string((const uint8_t *)"a\0b", 3));
}

TEST(every_code_point_round_trips)
{
    /* each encodable scalar value decodes to itself in the right length */
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp += cp < 0x800 ? 1 : 97) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        uint8_t b[4];
        size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        if (n == 1) {
            b[0] = (uint8_t)cp;
        } else if (n == 2) {
            b[0] = (uint8_t)(0xC0 | cp >> 6), b[1] = (uint8_t)(0x80 | (cp & 0x3F));
        } else if (n == 3) {
            b[0] = (uint8_t)(0xE0 | cp >> 12), b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
            b[2] = (uint8_t)(0x80 | (cp & 0x3F));
        } else {
            b[0] = (uint8_t)(0xF0 | cp >> 18), b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
            b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F)), b[3] = (uint8_t)(0x80 | (cp & 0x3F));
        }
        uint32_t got = 0;
        CHECK_EQ(dx_utf8_next(b, n, &got), n);
        CHECK_EQ(got, cp);
        CHECK_EQ(dx_utf8_next(b, n - 1, &got), 0u); /* one byte short */
    }
}

TEST(classes)
{
    CHECK(dx_unicode_space(' ') && dx_unicode_space('\t') && dx_unicode_space(0xA0) &&
          dx_unicode_space(0x3000) && dx_unicode_space(0x2028) && dx_unicode_space(0x85));
    CHECK(!dx_unicode_space('a') && !dx_unicode_space(0x200B) && !dx_unicode_space('+'));
    CHECK(dx_unicode_hidden(0) && dx_unicode_hidden(0x1F) && dx_unicode_hidden(0x7F) &&
          dx_unicode_hidden(0x9F) && dx_unicode_hidden(0x200B) && dx_unicode_hidden(0x202E) &&
          dx_unicode_hidden(0xFEFF) && dx_unicode_hidden(0xAD));
    CHECK(!dx_unicode_hidden(' ') && !dx_unicode_hidden('a') && !dx_unicode_hidden(0xE9) &&
          !dx_unicode_hidden(0x4E00));
}

TEST(printable)
{
    char out[64];
    dx_utf8_printable("ok \xC3\xA9", NULL, out, sizeof out);
    CHECK_STR(out, "ok \xC3\xA9");
    dx_utf8_printable("a\nb\x01\xFF\\\xE2\x80\x8B", NULL, out, sizeof out);
    CHECK_STR(out, "a\\x0Ab\\x01\\xFF\\\\\\u{200B}");
    dx_utf8_printable("a\nb", "\n", out, sizeof out);
    CHECK_STR(out, "a\nb");
    /* cut at a whole escape, always terminated */
    dx_utf8_printable("\x01\x01\x01", NULL, out, 6);
    CHECK_STR(out, "\\x01");
}

int main(void)
{
    RUN(strict_validity);
    RUN(every_code_point_round_trips);
    RUN(classes);
    RUN(printable);
    return TEST_EXIT();
}
