#include "glob.h"
#include "test.h"

static bool s_overlap(const char *a, const char *b)
{
    dx_cglob_t ga, gb;
    dx_cglob_compile(a, &ga);
    dx_cglob_compile(b, &gb);
    return dx_cglob_overlap(&ga, &gb) && dx_cglob_overlap(&gb, &ga);
}

static bool s_covers(const char *outer, const char *inner)
{
    dx_cglob_t go, gi;
    dx_cglob_compile(outer, &go);
    dx_cglob_compile(inner, &gi);
    return dx_cglob_covers(&go, &gi);
}

TEST(compiled_matching_agrees)
{
    static const char *globs[] = { "a/**", "a/*", "a/b*", "**", "**/z", "a/**/z", "*/b/*", "a/b/c" };
    static const char *names[] = { "a", "a/b", "a/bc", "a/b/c", "a/x/y/z", "z", "q/b/r", "a/c" };
    for (size_t g = 0; g < sizeof globs / sizeof *globs; g++) {
        dx_cglob_t cg;
        CHECK(dx_cglob_compile(globs[g], &cg));
        for (size_t n = 0; n < sizeof names / sizeof *names; n++) {
            dx_name_t nm;
            CHECK(dx_name_split(names[n], &nm));
            CHECK_EQ(dx_cglob_match(&cg, &nm), dx_glob_match(globs[g], names[n]));
        }
    }
    dx_cglob_t cg;
    CHECK(!dx_cglob_compile("a/***", &cg));
}

TEST(overlap)
{
    CHECK(s_overlap("health/**", "health/shared/*"));
    CHECK(s_overlap("health/**", "**/x"));
    CHECK(s_overlap("*/reports", "tax/*"));
    CHECK(s_overlap("a*", "*b"));
    CHECK(s_overlap("h*th/x", "health/*"));
    CHECK(!s_overlap("health/**", "tax/**"));
    CHECK(!s_overlap("health/*", "health/a/b"));
    CHECK(!s_overlap("a*", "b*"));
    CHECK(!s_overlap("a/b", "a/c"));
    CHECK(s_overlap("**", "anything/at/all"));
}

TEST(covers)
{
    CHECK(s_covers("health/**", "health/vaccination/*"));
    CHECK(s_covers("health/**", "health/**"));
    CHECK(s_covers("**", "a/**/b"));
    CHECK(s_covers("health/*", "health/vacc*"));
    CHECK(s_covers("health/vacc*", "health/vaccination"));
    CHECK(!s_covers("health/vaccination/*", "health/**"));
    CHECK(!s_covers("health/*", "health/**"));
    CHECK(!s_covers("health/vacc*", "health/*"));
    CHECK(!s_covers("tax/**", "health/x"));
}

int main(void)
{
    RUN(compiled_matching_agrees);
    RUN(overlap);
    RUN(covers);
    return TEST_EXIT();
}
