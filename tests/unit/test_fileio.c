#include "err.h"
#include "fileio.h"
#include "test.h"

#include <stdlib.h>
#include <unistd.h>

TEST(bounded_reads)
{
    char path[] = "/tmp/dx-test-fileio-XXXXXX";
    int fd = mkstemp(path);
    CHECK(write(fd, "hello", 5) == 5);
    close(fd);
    char *data = NULL;
    size_t len = 0;
    CHECK_EQ(dx_read_small_file(path, 5, &data, &len), 0);
    CHECK(len == 5 && strcmp(data, "hello") == 0);
    free(data);
    CHECK_EQ(dx_read_small_file(path, 4, &data, &len), DX_ERR_TOO_BIG);
    CHECK(data == NULL);
    unlink(path);
    CHECK_EQ(dx_read_small_file(path, 4, &data, &len), DX_ERR_NOT_FOUND);
    CHECK_EQ(dx_read_small_file("/tmp", 4, &data, &len), DX_ERR_IO);
}

int main(void)
{
    RUN(bounded_reads);
    return TEST_EXIT();
}
