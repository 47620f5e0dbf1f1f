#include "names.h"
#include "test.h"

TEST(ids)
{
    CHECK(dx_id_valid("health"));
    CHECK(dx_id_valid("a"));
    CHECK(dx_id_valid("stats-office-2"));
    CHECK(!dx_id_valid(""));
    CHECK(!dx_id_valid("Health"));
    CHECK(!dx_id_valid("1health"));
    CHECK(!dx_id_valid("health_x"));
    CHECK(!dx_id_valid("health@north"));
    CHECK(dx_id_valid("abcdefghijabcdefghijabcdefghijab"));   /* 32 */
    CHECK(!dx_id_valid("abcdefghijabcdefghijabcdefghijabc")); /* 33 */
}

TEST(dataset_names)
{
    CHECK(dx_dataset_name_valid("health/vaccination/2026-q3"));
    CHECK(dx_dataset_name_valid("a"));
    CHECK(dx_dataset_name_valid("a.b_c-d/e"));
    CHECK(!dx_dataset_name_valid(""));
    CHECK(!dx_dataset_name_valid("/a"));
    CHECK(!dx_dataset_name_valid("a/"));
    CHECK(!dx_dataset_name_valid("a//b"));
    CHECK(!dx_dataset_name_valid("a/../b"));
    CHECK(!dx_dataset_name_valid("a/.hidden"));
    CHECK(!dx_dataset_name_valid("A/b"));
    CHECK(!dx_dataset_name_valid("a b"));
    CHECK(!dx_dataset_name_valid("a/*"));
    CHECK(!dx_dataset_name_valid("a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q")); /* 17 segments */
    char long_name[DX_NAME_MAX + 2];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    CHECK(!dx_dataset_name_valid(long_name));
}

TEST(globs)
{
    CHECK(dx_glob_valid("health/**"));
    CHECK(dx_glob_valid("health/vaccination/*"));
    CHECK(dx_glob_valid("*/reports/q*"));
    CHECK(dx_glob_valid("**"));
    CHECK(!dx_glob_valid("health/***"));
    CHECK(!dx_glob_valid("health/a**"));
    CHECK(!dx_glob_valid("health//x"));
    CHECK(!dx_glob_valid("health/[x]"));
}

TEST(glob_matching)
{
    CHECK(dx_glob_match("health/**", "health/vaccination/2026"));
    CHECK(dx_glob_match("health/**", "health/x"));
    CHECK(dx_glob_match("health/**", "health"));
    CHECK(!dx_glob_match("health/**", "healthy/x"));
    CHECK(dx_glob_match("health/vaccination/*", "health/vaccination/2026-q3"));
    CHECK(!dx_glob_match("health/vaccination/*", "health/vaccination/2026/q3"));
    CHECK(!dx_glob_match("health/vaccination/*", "health/vaccination"));
    CHECK(dx_glob_match("*/reports/q*", "tax/reports/q1"));
    CHECK(!dx_glob_match("*/reports/q*", "tax/reports/annual"));
    CHECK(dx_glob_match("**/secret", "a/b/c/secret"));
    CHECK(dx_glob_match("**/secret", "secret"));
    CHECK(dx_glob_match("a/**/z", "a/z"));
    CHECK(dx_glob_match("a/**/z", "a/b/c/z"));
    CHECK(!dx_glob_match("a/**/z", "a/b/c/y"));
    CHECK(dx_glob_match("**", "anything/at/all"));
    CHECK(dx_glob_match("h*h", "hh"));
    CHECK(dx_glob_match("h*h", "hxxxh"));
    CHECK(!dx_glob_match("h*h", "hxxx"));
    /* Many "**" stay fast: the matcher is a table, not backtracking. */
    CHECK(!dx_glob_match("**/**/**/**/**/**/**/**/x", "a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/y"));
}

TEST(tokens)
{
    CHECK(dx_token_valid("statistics"));
    CHECK(dx_token_valid("stats-reads-vaccination"));
    CHECK(!dx_token_valid(""));
    CHECK(!dx_token_valid("-x"));
    CHECK(!dx_token_valid("has space"));
}

int main(void)
{
    RUN(ids);
    RUN(dataset_names);
    RUN(globs);
    RUN(glob_matching);
    RUN(tokens);
    return TEST_EXIT();
}
