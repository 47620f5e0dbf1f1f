#include "buf.h"
#include "err.h"
#include "test.h"

TEST(bounded_growth)
{
    dx_buf_t b;
    dx_buf_init(&b, 10);
    CHECK_EQ(dx_buf_append(&b, "hello", 5), 0);
    CHECK_EQ(dx_buf_append(&b, "world", 5), 0);
    CHECK_EQ(dx_buf_append(&b, "!", 1), DX_ERR_TOO_BIG);
    CHECK_EQ(b.len, 10u);
    CHECK(memcmp(b.data, "helloworld", 10) == 0);
    dx_buf_consume(&b, 5);
    CHECK(b.len == 5 && memcmp(b.data, "world", 5) == 0);
    dx_buf_consume(&b, 99);
    CHECK_EQ(b.len, 0u);
    dx_buf_free(&b);
    CHECK(b.data == NULL);
}

int main(void)
{
    RUN(bounded_growth);
    return TEST_EXIT();
}
