/* cli: connection settings from flags, environment and config file. */
#include "pkcs11.h"
#include "cli.h"
#include "ytree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int dx_cli_timeout(const char *text, int *ms)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || v <= 0)
        return DX_ERR_USAGE;
    if (strcmp(end, "ms") == 0)
        v /= 1000.0;
    else if (strcmp(end, "s") != 0 && *end != '\0')
        return DX_ERR_USAGE;
    if (v > 86400)
        return DX_ERR_USAGE;
    *ms = (int)(v * 1000.0);
    if (*ms < 1)
        *ms = 1;
    return 0;
}

static void s_env(char *field, size_t cap, const char *name)
{
    const char *v = getenv(name);
    if (!field[0] && v && v[0])
        snprintf(field, cap, "%s", v);
}

static int s_config(dx_cli_conn_t *c, char err[DX_ERRMSG])
{
    yt_node_t *root = NULL;
    yt_error_t ye;
    if (yt_parse_file(c->config, &root, &ye) != 0) {
        snprintf(err, DX_ERRMSG, "%s:%d:%d: %s", c->config, ye.line, ye.col, ye.msg);
        return DX_ERR_USAGE;
    }
    int rv = 0;
    if (root && root->kind != YT_MAP) {
        snprintf(err, DX_ERRMSG, "%s:%d:%d: expected broker:, broker_pub:, key:, timeout:",
                 c->config, root->line, root->col);
        rv = DX_ERR_USAGE;
    }
    for (size_t i = 0; rv == 0 && root && i < root->n; i++) {
        const yt_node_t *k = root->items[2 * i], *v = root->items[2 * i + 1];
        bool service = c->agent_sections && k->kind == YT_SCALAR;
        if (service && (strcmp(k->value, "outboxes") == 0 || strcmp(k->value, "subscriptions") == 0))
            continue; /* the agent service's: agents/agent_config.c checks them */
        static const char *const known[] = { "broker", "broker_pub", "key", "timeout",
                                             "pkcs11-module", "pkcs11-pin-file", "next_key", "state",
                                             "log_format", "log_level" };
        size_t j = 0, nknown = service ? 10u : 7u;
        while (k->kind == YT_SCALAR && j < nknown && strcmp(k->value, known[j]) != 0)
            j++;
        if (k->kind == YT_SCALAR && j == nknown) {
            snprintf(err, DX_ERRMSG, "%s:%d:%d: unknown key '%.40s'", c->config, k->line, k->col,
                     k->value);
            rv = DX_ERR_USAGE;
        } else if (k->kind == YT_SCALAR && strcmp(k->value, "broker") == 0 && v->kind == YT_SEQ) {
            /* a broker group's endpoints, as a list */
            char list[sizeof c->broker] = "";
            size_t used = 0;
            for (size_t e = 0; rv == 0 && e < v->n; e++) {
                const yt_node_t *item = v->items[e];
                int n = item->kind == YT_SCALAR
                            ? snprintf(list + used, sizeof list - used, "%s%s", e ? "," : "", item->value)
                            : -1;
                if (n < 0 || (size_t)n >= sizeof list - used) {
                    snprintf(err, DX_ERRMSG, "%s:%d:%d: broker: a list of endpoints (at most %zu "
                             "bytes in all)", c->config, item->line, item->col, sizeof list - 1);
                    rv = DX_ERR_USAGE;
                } else
                    used += (size_t)n;
            }
            if (rv == 0 && !c->broker[0])
                snprintf(c->broker, sizeof c->broker, "%s", list);
        } else if (k->kind != YT_SCALAR || v->kind != YT_SCALAR) {
            snprintf(err, DX_ERRMSG, "%s:%d:%d: expected 'name: value'", c->config, k->line, k->col);
            rv = DX_ERR_USAGE;
        } else if (strcmp(k->value, "broker") == 0) {
            if (!c->broker[0])
                snprintf(c->broker, sizeof c->broker, "%s", v->value);
        } else if (strcmp(k->value, "broker_pub") == 0) {
            if (!c->broker_pub[0])
                snprintf(c->broker_pub, sizeof c->broker_pub, "%s", v->value);
        } else if (strcmp(k->value, "key") == 0) {
            if (!c->key[0])
                snprintf(c->key, sizeof c->key, "%s", v->value);
        } else if (strcmp(k->value, "next_key") == 0) {
            if (!c->next_key[0])
                snprintf(c->next_key, sizeof c->next_key, "%s", v->value);
        } else if (strcmp(k->value, "pkcs11-module") == 0) {
            if (!c->pkcs11_module[0])
                snprintf(c->pkcs11_module, sizeof c->pkcs11_module, "%s", v->value);
        } else if (strcmp(k->value, "pkcs11-pin-file") == 0) {
            if (!c->pkcs11_pin_file[0])
                snprintf(c->pkcs11_pin_file, sizeof c->pkcs11_pin_file, "%s", v->value);
        } else if (service && strcmp(k->value, "state") == 0) {
            snprintf(c->state, sizeof c->state, "%s", v->value);
        } else if (service && strcmp(k->value, "log_format") == 0) {
            if (strcmp(v->value, "text") != 0 && strcmp(v->value, "json") != 0) {
                snprintf(err, DX_ERRMSG, "%s:%d:%d: log_format: text or json", c->config, v->line,
                         v->col);
                rv = DX_ERR_USAGE;
            }
            snprintf(c->log_format, sizeof c->log_format, "%s", v->value);
        } else if (service && strcmp(k->value, "log_level") == 0) {
            if (strcmp(v->value, "debug") && strcmp(v->value, "info") && strcmp(v->value, "warn") &&
                strcmp(v->value, "error")) {
                snprintf(err, DX_ERRMSG, "%s:%d:%d: log_level: debug, info, warn or error", c->config,
                         v->line, v->col);
                rv = DX_ERR_USAGE;
            }
            snprintf(c->log_level, sizeof c->log_level, "%s", v->value);
        } else if (strcmp(k->value, "timeout") == 0) {
            int ms;
            if (dx_cli_timeout(v->value, &ms) != 0) {
                snprintf(err, DX_ERRMSG, "%s:%d:%d: timeout: expected seconds", c->config,
                         v->line, v->col);
                rv = DX_ERR_USAGE;
            } else if (!c->timeout_ms) {
                c->timeout_ms = ms;
            }
        }
    }
    yt_free(&root);
    return rv;
}

int dx_cli_resolve(dx_cli_conn_t *c, char err[DX_ERRMSG])
{
    s_env(c->broker, sizeof c->broker, "DX_BROKER");
    s_env(c->broker_pub, sizeof c->broker_pub, "DX_BROKER_PUB");
    s_env(c->key, sizeof c->key, "DX_KEY");
    const char *t = getenv("DX_TIMEOUT");
    if (!c->timeout_ms && t && t[0] && dx_cli_timeout(t, &c->timeout_ms) != 0) {
        snprintf(err, DX_ERRMSG, "DX_TIMEOUT: expected seconds, like 10");
        return DX_ERR_USAGE;
    }
    if (c->config) {
        int rv = s_config(c, err);
        if (rv != 0)
            return rv;
    }
    if (!c->timeout_ms)
        c->timeout_ms = DX_DEFAULT_TIMEOUT_MS;
    return 0;
}

int dx_cli_connect(const dx_cli_conn_t *c, dx_keypair_t *me, dx_pubkeys_t *broker,
                   dx_client_t **out, char err[DX_ERRMSG])
{
    int rv;
    if (!c->broker[0] || !c->broker_pub[0] || !c->key[0]) {
        snprintf(err, DX_ERRMSG, "missing %s: give --%s, set %s or use --config",
                 !c->broker[0] ? "the broker endpoint" : !c->broker_pub[0]
                                                        ? "the broker's public key file"
                                                        : "your key file",
                 !c->broker[0] ? "broker" : !c->broker_pub[0] ? "broker-pub" : "key",
                 !c->broker[0] ? "DX_BROKER" : !c->broker_pub[0] ? "DX_BROKER_PUB" : "DX_KEY");
        return DX_ERR_USAGE;
    }
    if ((rv = dx_keys_read_public(c->broker_pub, broker, err)) != 0)
        return rv;
    if ((rv = dx_keys_read_secret(c->key, me, err)) != 0)
        return rv;
    if (!c->next_key[0])
        return dx_client_new(c->broker, me, broker, c->timeout_ms, out, err);
    /* a rotation: the next key first, the current one if the broker does
     * not take the next yet; the commands then sign with the one it took */
    dx_keypair_t next;
    if ((rv = dx_keys_read_secret(c->next_key, &next, err)) != 0)
        return rv;
    if (strcmp(next.pub.id, me->pub.id) != 0) {
        snprintf(err, DX_ERRMSG, "--next-key %s is member %s's, not %s's", c->next_key, next.pub.id, me->pub.id);
        dx_keypair_wipe(&next);
        return DX_ERR_USAGE;
    }
    rv = dx_client_new(c->broker, &next, broker, c->timeout_ms, out, err);
    if (rv == 0) {
        dx_client_set_fallback(*out, me);
        if ((rv = dx_client_handshake(*out, err)) == 0)
            *me = *dx_client_key(*out);
        else
            dx_client_destroy(out);
    }
    dx_keypair_wipe(&next);
    return rv;
}

int dx_cli_signer(const dx_cli_conn_t *c, const dx_keypair_t *me, dx_signer_t **out, char err[DX_ERRMSG])
{
    dx_pkcs11_conf_t p11 = { c->pkcs11_module[0] ? c->pkcs11_module : NULL,
                             c->pkcs11_pin_file[0] ? c->pkcs11_pin_file : NULL };
    return dx_keypair_signer(me, &p11, out, err);
}

int dx_cli_open(dx_cli_conn_t *c, dx_keypair_t *me, dx_pubkeys_t *broker, dx_client_t **out,
                char err[DX_ERRMSG])
{
    int rv = dx_cli_resolve(c, err);
    return rv != 0 ? rv : dx_cli_connect(c, me, broker, out, err);
}

int dx_cli_fail(const char *prog, int rv, const char *msg)
{
    fprintf(stderr, "%s: %s\n", prog, msg && msg[0] ? msg : dx_strerror(rv));
    return dx_exit_code(rv);
}

int dx_cli_parse(int argc, char **argv, const char *prog, dx_cli_conn_t *c)
{
    static const struct option opts[] = { DX_CLI_OPTIONS, { NULL, 0, NULL, 0 } };
    memset(c, 0, sizeof *c);
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1)
        if (dx_cli_option(c, opt, optarg, prog) <= 0)
            return -1;
    return optind;
}

int dx_cli_option(dx_cli_conn_t *c, int opt, const char *arg, const char *prog)
{
    switch (opt) {
    case DX_OPT_BROKER: snprintf(c->broker, sizeof c->broker, "%s", arg); return 1;
    case DX_OPT_BROKER_PUB: snprintf(c->broker_pub, sizeof c->broker_pub, "%s", arg); return 1;
    case DX_OPT_KEY: snprintf(c->key, sizeof c->key, "%s", arg); return 1;
    case DX_OPT_CONFIG: c->config = arg; return 1;
    case DX_OPT_NEXT_KEY: snprintf(c->next_key, sizeof c->next_key, "%s", arg); return 1;
    case DX_OPT_PKCS11_MODULE: snprintf(c->pkcs11_module, sizeof c->pkcs11_module, "%s", arg); return 1;
    case DX_OPT_PKCS11_PIN_FILE: snprintf(c->pkcs11_pin_file, sizeof c->pkcs11_pin_file, "%s", arg); return 1;
    case DX_OPT_TIMEOUT:
        if (dx_cli_timeout(arg, &c->timeout_ms) != 0) {
            fprintf(stderr, "%s: --timeout: expected seconds, like 10\n", prog);
            return DX_ERR_USAGE;
        }
        return 1;
    default:
        return 0;
    }
}
