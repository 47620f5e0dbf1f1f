/* test: a minimal unit-test harness. Each TEST prints one line,
 * "PASS name" or "FAIL name: file:line: expression", which tests/run.sh
 * counts; main() returns non-zero when any test failed. DX_TEST=name runs
 * only the cases whose name contains it:
 *   DX_TEST=forged build/tests/test_publish */
#ifndef DX_TEST_H
#define DX_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_failed_total;
static int t_failed_now;
static const char *t_name;

#define CHECK(expr)                                                              \
    do {                                                                         \
        if (!(expr)) {                                                           \
            if (!t_failed_now)                                                   \
                printf("FAIL %s: %s:%d: %s\n", t_name, __FILE__, __LINE__, #expr); \
            t_failed_now = 1;                                                    \
        }                                                                        \
    } while (0)

#define CHECK_EQ(a, b) CHECK((a) == (b))
#define CHECK_STR(a, b) CHECK(strcmp((a), (b)) == 0)

#define TEST(name) static void name(void)
#define RUN(name)                                   \
    do {                                            \
        const char *t_only = getenv("DX_TEST");     \
        if (t_only && !strstr(#name, t_only))       \
            break;                                  \
        t_name = #name;                             \
        t_failed_now = 0;                           \
        name();                                     \
        if (t_failed_now)                           \
            t_failed_total++;                       \
        else                                        \
            printf("PASS %s\n", #name);             \
    } while (0)

#define TEST_EXIT() (fflush(stdout), t_failed_total ? 1 : 0)

#endif
