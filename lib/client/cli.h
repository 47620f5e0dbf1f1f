/* cli: what dx-agent and dx-audit share on the command line: where the
 * broker is and which keys to use, from flags, then the environment
 * (DX_BROKER, DX_BROKER_PUB, DX_KEY, DX_TIMEOUT), then a YAML config file
 * (--config FILE, keys: broker, broker_pub, key, timeout). */
#ifndef DX_CLI_H
#define DX_CLI_H

#include "client.h"
#include "err.h"
#include "keys.h"

#include <getopt.h>
#include <stdbool.h>

#define DX_PATH_MAX 4096
#define DX_DEFAULT_TIMEOUT_MS 10000

typedef struct {
    char broker[1024];          /* endpoints, separated by commas */
    char broker_pub[DX_PATH_MAX];
    char key[DX_PATH_MAX];
    int timeout_ms;              /* 0: not set */
    const char *config;          /* --config FILE, or NULL */
    char state[DX_PATH_MAX];     /* the config file's state: (dx-agent) */
    char log_format[8];          /* the config file's log_format: and log_level: (dx-agent run) */
    char log_level[8];
    bool agent_sections;         /* the file may hold state:, outboxes:, subscriptions: */
    char next_key[DX_PATH_MAX];  /* a key rotation: the member's next key file (--next-key, next_key:) */
    char pkcs11_module[DX_PATH_MAX];   /* a key file naming a token's key: its library, */
    char pkcs11_pin_file[DX_PATH_MAX]; /* and the file with its PIN */
} dx_cli_conn_t;

/* The connection options every client program takes: put DX_CLI_OPTIONS
 * in its getopt_long table and hand unknown codes to dx_cli_option(). The
 * codes are above 255 so they never clash with short options. */
enum { DX_OPT_BROKER = 0x1000, DX_OPT_BROKER_PUB, DX_OPT_KEY, DX_OPT_CONFIG, DX_OPT_TIMEOUT,
       DX_OPT_PKCS11_MODULE, DX_OPT_PKCS11_PIN_FILE, DX_OPT_NEXT_KEY };
#define DX_CLI_OPTIONS                                                   \
    { "broker", required_argument, NULL, DX_OPT_BROKER },               \
    { "broker-pub", required_argument, NULL, DX_OPT_BROKER_PUB },       \
    { "key", required_argument, NULL, DX_OPT_KEY },                     \
    { "config", required_argument, NULL, DX_OPT_CONFIG },               \
    { "timeout", required_argument, NULL, DX_OPT_TIMEOUT },             \
    { "pkcs11-module", required_argument, NULL, DX_OPT_PKCS11_MODULE }, \
    { "pkcs11-pin-file", required_argument, NULL, DX_OPT_PKCS11_PIN_FILE }, \
    { "next-key", required_argument, NULL, DX_OPT_NEXT_KEY }

/* Applies getopt code opt: 1 when it was a connection option, 0 when not,
 * DX_ERR_USAGE for a bad value (after printing "prog: ..." on stderr). */
int dx_cli_option(dx_cli_conn_t *c, int opt, const char *arg, const char *prog);

/* For programs whose only options are the connection's: parses argv into
 * *c and returns the index of the first operand, or -1 after a bad or
 * unknown option (reported on stderr by getopt or dx_cli_option). */
int dx_cli_parse(int argc, char **argv, const char *prog, dx_cli_conn_t *c);

/* Parses "10", "2.5" (seconds) or "500ms" into milliseconds. */
int dx_cli_timeout(const char *text, int *ms);
/* Fills what flags left empty from the environment and the config file. */
int dx_cli_resolve(dx_cli_conn_t *c, char err[DX_ERRMSG]);
/* Reads the keys and opens the connection. DX_ERR_USAGE when something
 * needed is missing. With a next key (a rotation), the connection tries it
 * first and falls back on the key; *me is then the one the broker admitted. */
int dx_cli_connect(const dx_cli_conn_t *c, dx_keypair_t *me, dx_pubkeys_t *broker,
                   dx_client_t **out, char err[DX_ERRMSG]);
/* A signer for me's signing key: the key file's, or its token's (with
 * pkcs11-module and pkcs11-pin-file). */
int dx_cli_signer(const dx_cli_conn_t *c, const dx_keypair_t *me, dx_signer_t **out, char err[DX_ERRMSG]);
/* dx_cli_resolve, then dx_cli_connect. */
int dx_cli_open(dx_cli_conn_t *c, dx_keypair_t *me, dx_pubkeys_t *broker, dx_client_t **out,
                char err[DX_ERRMSG]);
/* Prints "prog: message" on stderr and returns the exit status for rv. */
int dx_cli_fail(const char *prog, int rv, const char *msg);

#endif
