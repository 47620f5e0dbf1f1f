#include "cli.h"
#include "test.h"

#include <stdlib.h>
#include <unistd.h>

TEST(timeouts)
{
    int ms = 0;
    CHECK_EQ(dx_cli_timeout("10", &ms), 0);
    CHECK_EQ(ms, 10000);
    CHECK_EQ(dx_cli_timeout("2.5", &ms), 0);
    CHECK_EQ(ms, 2500);
    CHECK_EQ(dx_cli_timeout("500ms", &ms), 0);
    CHECK_EQ(ms, 500);
    CHECK(dx_cli_timeout("0", &ms) != 0);
    CHECK(dx_cli_timeout("-1", &ms) != 0);
    CHECK(dx_cli_timeout("ten", &ms) != 0);
    CHECK(dx_cli_timeout("10h", &ms) != 0);
}

TEST(precedence_flags_env_config)
{
    char path[] = "/tmp/dx-test-cli-XXXXXX", err[DX_ERRMSG];
    int fd = mkstemp(path);
    const char *text = "broker: tcp://from-config:1\nbroker_pub: config.pub\nkey: config.key\ntimeout: 3\n";
    CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    setenv("DX_BROKER_PUB", "env.pub", 1);
    unsetenv("DX_BROKER");
    unsetenv("DX_KEY");
    unsetenv("DX_TIMEOUT");
    dx_cli_conn_t c;
    memset(&c, 0, sizeof c);
    snprintf(c.key, sizeof c.key, "flag.key");
    c.config = path;
    CHECK_EQ(dx_cli_resolve(&c, err), 0);
    CHECK_STR(c.key, "flag.key");
    CHECK_STR(c.broker_pub, "env.pub");
    CHECK_STR(c.broker, "tcp://from-config:1");
    CHECK_EQ(c.timeout_ms, 3000);
    FILE *f = fopen(path, "w");
    fputs("brokr: x\n", f);
    fclose(f);
    memset(&c, 0, sizeof c);
    c.config = path;
    CHECK_EQ(dx_cli_resolve(&c, err), DX_ERR_USAGE);
    CHECK(strstr(err, ":1:1: unknown key 'brokr'") != NULL);
    unlink(path);
    unsetenv("DX_BROKER_PUB");
}

TEST(missing_settings_are_usage_errors)
{
    dx_cli_conn_t c;
    dx_keypair_t me;
    dx_pubkeys_t broker;
    dx_client_t *client = NULL;
    char err[DX_ERRMSG];
    memset(&c, 0, sizeof c);
    CHECK_EQ(dx_cli_connect(&c, &me, &broker, &client, err), DX_ERR_USAGE);
    CHECK(strstr(err, "DX_BROKER") != NULL);
}

int main(void)
{
    RUN(timeouts);
    RUN(precedence_flags_env_config);
    RUN(missing_settings_are_usage_errors);
    return TEST_EXIT();
}
