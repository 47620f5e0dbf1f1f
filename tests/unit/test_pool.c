/* pool: the names of chunk objects, and settings refused before any
 * connection (the cluster itself is integration/rados_*'s, on a real one). */
#include "pool.h"
#include "test.h"

#include <stdio.h>
#include <string.h>

TEST(chunk_names_round_trip)
{
    char name[POOL_NAME_MAX];
    uint64_t blob = 0;
    uint32_t index = 0;
    pool_chunk_name(0x0000000138ea8a46ull, 7, name);
    CHECK_STR(name, "dx.0000000138ea8a46.00000007");
    CHECK(pool_chunk_parse(name, &blob, &index));
    CHECK(blob == 0x0000000138ea8a46ull && index == 7);
    pool_chunk_name(UINT64_MAX, UINT32_MAX, name);
    CHECK(pool_chunk_parse(name, &blob, &index));
    CHECK(blob == UINT64_MAX && index == UINT32_MAX);
}

/* what the offline check must not take for a chunk */
TEST(other_names_are_not_chunks)
{
    static const char *const names[] = {
        "dx.health", "dx-probe.1.2", "ready", "raw.12.3", "",
        "dx.0000000138ea8a46.0000000",     /* short */
        "dx.0000000138ea8a46.000000077",   /* long */
        "dx.0000000138EA8A46.00000007",    /* upper case: never written */
        "dx.0000000138ea8a46_00000007",
        "xx.0000000138ea8a46.00000007",
        "dx.0000000138ea8a4g.00000007",
    };
    uint64_t blob;
    uint32_t index;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        CHECK(!pool_chunk_parse(names[i], &blob, &index));
}

TEST(bad_settings_refused_before_connecting)
{
    pool_t *p = NULL;
    char err[DX_ERRMSG];
    pool_config_t c = { "/nonexistent/ceph.conf", "dx", "admin", 1 };
    CHECK_EQ(pool_open(&c, &p, err), DX_ERR_USAGE);
    CHECK(strstr(err, "rados-conf /nonexistent/ceph.conf") != NULL);
    CHECK(p == NULL);
    c = (pool_config_t){ "/dev/null", "dx", "client.admin", 1 };
    CHECK_EQ(pool_open(&c, &p, err), DX_ERR_USAGE);
    CHECK(strstr(err, "without \"client.\"") != NULL);
    c = (pool_config_t){ "/dev/null", "", "admin", 1 };
    CHECK_EQ(pool_open(&c, &p, err), DX_ERR_USAGE);
    CHECK(strstr(err, "needs rados-conf, rados-pool and rados-user") != NULL);
}

int main(void)
{
    RUN(chunk_names_round_trip);
    RUN(other_names_are_not_chunks);
    RUN(bad_settings_refused_before_connecting);
    return TEST_EXIT();
}
