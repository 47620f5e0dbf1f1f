#include "err.h"
#include "test.h"

TEST(exit_codes_follow_the_contract)
{
    CHECK_EQ(dx_exit_code(DX_OK), 0);
    CHECK_EQ(dx_exit_code(DX_ERR_IO), 1);
    CHECK_EQ(dx_exit_code(DX_ERR_USAGE), 2);
    CHECK_EQ(dx_exit_code(DX_ERR_DENIED), 3);
    CHECK_EQ(dx_exit_code(DX_ERR_INTEGRITY), 4);
    CHECK_EQ(dx_exit_code(DX_ERR_REPLAY), 4);
    CHECK_EQ(dx_exit_code(DX_ERR_UNREACHABLE), 5);
    CHECK_EQ(dx_exit_code(DX_ERR_TIMEOUT), 5);
    CHECK_EQ(dx_exit_code(DX_ERR_HANDSHAKE), 5);
    CHECK_EQ(dx_exit_code(DX_ERR_NOT_ADMITTED), 3); /* a revoked key is a refusal, not an outage */
}

TEST(every_code_has_a_name)
{
    for (int e = 0; e >= DX_ERR_NOT_ADMITTED; e--)
        CHECK(strcmp(dx_strerror(e), "unknown error") != 0);
    CHECK_STR(dx_strerror(-999), "unknown error");
}

int main(void)
{
    RUN(exit_codes_follow_the_contract);
    RUN(every_code_has_a_name);
    return TEST_EXIT();
}
