/* options: one table gives the command line's defaults, bounds, errors and
 * usage. */
#include "options.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

static int s_parse(broker_config_t *cfg, char err[DX_ERRMSG], const char *extra1, const char *extra2)
{
    char *argv[16] = { "dx-broker", "--listen", "tcp://127.0.0.1:*", "--data", "/tmp/d",
                       "--policies", "/tmp/p", "--key", "/tmp/k" };
    int argc = 9;
    if (extra1)
        argv[argc++] = (char *)extra1;
    if (extra2)
        argv[argc++] = (char *)extra2;
    return broker_options_parse(argc, argv, cfg, err);
}

TEST(defaults_come_from_the_table)
{
    broker_config_t cfg;
    char err[DX_ERRMSG];
    CHECK_EQ(s_parse(&cfg, err, NULL, NULL), 0);
    CHECK_EQ(cfg.map_size, 64ULL << 30);
    CHECK_EQ(cfg.max_dataset, 16ULL << 30);
    CHECK_EQ(cfg.skew_ms, 300000);
    CHECK_EQ(cfg.session_idle_ms, 60000);
    CHECK_EQ(cfg.member_transfers, 32);
    CHECK_EQ(cfg.workers, -1);
    CHECK_STR(cfg.listen, "tcp://127.0.0.1:*");
    CHECK(cfg.origin == NULL);
}

TEST(values_and_bounds)
{
    broker_config_t cfg;
    char err[DX_ERRMSG];
    CHECK_EQ(s_parse(&cfg, err, "--map-size", "6M"), 0);
    CHECK_EQ(cfg.map_size, 6u << 20);
    CHECK_EQ(s_parse(&cfg, err, "--skew", "5"), 0);
    CHECK_EQ(cfg.skew_ms, 5000);
    CHECK_EQ(s_parse(&cfg, err, "--workers", "0"), 0);
    CHECK_EQ(cfg.workers, 0);
    CHECK_EQ(s_parse(&cfg, err, "--map-size", "512K"), DX_ERR_USAGE);
    CHECK(strstr(err, "--map-size") && strstr(err, "at least 1M"));
    CHECK_EQ(s_parse(&cfg, err, "--member-transfers", "0"), DX_ERR_USAGE);
    CHECK(strstr(err, "from 1 to 256"));
    CHECK_EQ(s_parse(&cfg, err, "--member-transfers", "300"), DX_ERR_USAGE);
    CHECK_EQ(s_parse(&cfg, err, "--workers", "many"), DX_ERR_USAGE);
    CHECK_EQ(s_parse(&cfg, err, "--skew", "5K"), DX_ERR_USAGE);
    CHECK_EQ(s_parse(&cfg, err, "--skew", "86401"), DX_ERR_USAGE);
    CHECK_EQ(s_parse(&cfg, err, "--log-level", "loud"), DX_ERR_USAGE);
    CHECK_EQ(s_parse(&cfg, err, "--max-dataset", "-1"), DX_ERR_USAGE);
    CHECK_EQ(s_parse(&cfg, err, "--no-such", "1"), DX_ERR_USAGE);
    CHECK_EQ(s_parse(&cfg, err, "stray", NULL), DX_ERR_USAGE);
    CHECK_EQ(s_parse(&cfg, err, "--help", NULL), 1);
}

TEST(required_options)
{
    broker_config_t cfg;
    char err[DX_ERRMSG];
    char *argv[] = { "dx-broker", "--listen", "tcp://127.0.0.1:*" };
    CHECK_EQ(broker_options_parse(3, argv, &cfg, err), DX_ERR_USAGE);
    CHECK(strstr(err, "required"));
}

TEST(usage_names_every_option)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    broker_options_usage(f);
    fclose(f);
    static const char *names[] = { "--listen", "--data", "--policies", "--key", "--map-size",
                                   "--max-dataset", "--skew", "--session-timeout", "--log-level",
                                   "--origin", "--workers", "--member-transfers" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        CHECK(strstr(text, names[i]) != NULL);
    CHECK(strstr(text, "(default 64G)") != NULL);
    free(text);
}

int main(void)
{
    RUN(defaults_come_from_the_table);
    RUN(values_and_bounds);
    RUN(required_options);
    RUN(usage_names_every_option);
    return TEST_EXIT();
}
