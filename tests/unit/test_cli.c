#include "cli.h"
#include "client.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>
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
    const char *text = "broker: tcp://from-config:1\nbroker_pub: config.pub\nkey: config.key\ntimeout: 3\n"
                       "pkcs11-module: /usr/lib/softhsm/libsofthsm2.so\npkcs11-pin-file: /etc/dx/pin\n";
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
    CHECK_STR(c.pkcs11_module, "/usr/lib/softhsm/libsofthsm2.so");
    CHECK_STR(c.pkcs11_pin_file, "/etc/dx/pin");
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

/* A broker group's endpoints: a YAML list becomes the comma-separated
 * form; the client refuses lists it cannot use before connecting. */
TEST(broker_lists)
{
    char path[] = "/tmp/dx-test-cli-XXXXXX", err[DX_ERRMSG];
    int fd = mkstemp(path);
    const char *text = "broker:\n  - tcp://a:7700\n  - tcp://b:7700\nbroker_pub: p\nkey: k\n";
    CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    unsetenv("DX_BROKER");
    dx_cli_conn_t c;
    memset(&c, 0, sizeof c);
    c.config = path;
    CHECK_EQ(dx_cli_resolve(&c, err), 0);
    CHECK_STR(c.broker, "tcp://a:7700,tcp://b:7700");
    FILE *f = fopen(path, "w");
    fputs("broker:\n  - [tcp://a:7700]\n", f);
    fclose(f);
    memset(&c, 0, sizeof c);
    c.config = path;
    CHECK_EQ(dx_cli_resolve(&c, err), DX_ERR_USAGE);
    CHECK(strstr(err, "broker: a list of endpoints") != NULL);
    unlink(path);

    dx_keypair_t me;
    dx_pubkeys_t broker;
    dx_client_t *client = NULL;
    memset(&me, 0, sizeof me);
    memset(&broker, 0, sizeof broker);
    static const char *const bad[] = {
        "tcp://127.0.0.1:1,,tcp://127.0.0.1:2", "tcp://127.0.0.1:1,", " , ",
        "tcp://127.0.0.1:1,tcp://127.0.0.1:2,tcp://127.0.0.1:3,tcp://127.0.0.1:4,tcp://127.0.0.1:5,"
        "tcp://127.0.0.1:6,tcp://127.0.0.1:7,tcp://127.0.0.1:8,tcp://127.0.0.1:9",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_EQ(dx_client_new(bad[i], &me, &broker, 1000, &client, err), DX_ERR_USAGE);
        CHECK(client == NULL);
    }
    CHECK_EQ(dx_client_new(" tcp://127.0.0.1:1 , tcp://127.0.0.1:2", &me, &broker, 1000, &client, err), 0);
    dx_client_destroy(&client);
}

int main(void)
{
    RUN(timeouts);
    RUN(broker_lists);
    RUN(precedence_flags_env_config);
    RUN(missing_settings_are_usage_errors);
    return TEST_EXIT();
}
