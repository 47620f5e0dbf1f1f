/* options: the table and the one parser that reads it. */
#include "options.h"
#include "log.h"
#include "ytree.h"

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
    OPT_TEXT,        /* a string, kept as given */
    OPT_SIZE,        /* bytes, with K, M, G or T */
    OPT_SECONDS,     /* whole seconds, kept in milliseconds */
    OPT_COUNT,       /* a whole number */
    OPT_LEVEL,       /* a log level */
    OPT_LOG_FORMAT,  /* text or json */
    OPT_STORE,       /* lmdb or rados */
    OPT_JOURNAL,     /* none or rados */
} opt_type_t;

typedef struct {
    const char *name;
    opt_type_t type;
    size_t offset;           /* in broker_config_t */
    uint64_t min, max;       /* for numbers */
    const char *def;         /* parsed like the command line; NULL: none */
    bool required;
    const char *arg;         /* the placeholder in usage */
    const char *help;
} option_t;

#define AT(field) offsetof(broker_config_t, field)

static const option_t s_options[] = {
    { "listen", OPT_TEXT, AT(listen), 0, 0, NULL, true, "ENDPOINT",
      "ZeroMQ endpoint to bind, e.g. tcp://0.0.0.0:7700\n"
      "(tcp://127.0.0.1:* picks a free port; the log says which)" },
    { "data", OPT_TEXT, AT(data_dir), 0, 0, NULL, true, "DIR",
      "LMDB data directory (created if missing)" },
    { "policies", OPT_TEXT, AT(policy_dir), 0, 0, NULL, true, "DIR",
      "directory of *.yaml policy files" },
    { "key", OPT_TEXT, AT(key_path), 0, 0, NULL, true, "FILE",
      "the broker's secret key file (mode 0600), or a pkcs11: URI naming\n"
      "its signing key in a token (then --transport-key)" },
    { "transport-key", OPT_TEXT, AT(transport_key_path), 0, 0, NULL, false, "FILE",
      "with --key pkcs11:...: the key file with the transport (CURVE)\n"
      "secret (dx-admin keygen makes it, given a pkcs11: URI)" },
    { "pkcs11-module", OPT_TEXT, AT(pkcs11_module), 0, 0, NULL, false, "FILE",
      "the PKCS#11 library of the token holding a key named by a pkcs11: URI" },
    { "pkcs11-pin-file", OPT_TEXT, AT(pkcs11_pin_file), 0, 0, NULL, false, "FILE",
      "the file holding the token's user PIN (mode 0600)" },
    { "master-key", OPT_TEXT, AT(master_key_path), 0, 0, NULL, false, "FILE",
      "the master key wrapping every content key: a file (mode 0600;\n"
      "make one with dx-admin master-key new FILE) or a token's AES key\n"
      "(a pkcs11: URI, object=LABEL; dx-admin master-key new URI);\n"
      "default: derived from --key" },
    { "retention-every", OPT_SECONDS, AT(retention_every_ms), 1, 86400, "60", false, "S",
      "how often versions past their namespace's retention are erased" },
    { "map-size", OPT_SIZE, AT(map_size), 1 << 20, UINT64_MAX, "64G", false, "BYTES",
      "LMDB map size, the most the store can hold" },
    { "max-dataset", OPT_SIZE, AT(max_dataset), 1, UINT64_MAX, "16G", false, "BYTES",
      "largest dataset accepted" },
    { "skew", OPT_SECONDS, AT(skew_ms), 1, 86400, "300", false, "SECONDS",
      "manifest creation time window each way" },
    { "session-timeout", OPT_SECONDS, AT(session_idle_ms), 1, 86400, "60", false, "S",
      "idle transfer timeout" },
    { "log-level", OPT_LEVEL, AT(log_level), 0, 0, NULL, false, "LEVEL",
      "debug, info, warn or error (default info, or $DX_LOG_LEVEL)" },
    { "log-format", OPT_LOG_FORMAT, AT(log_format), 0, 0, "text", false, "FORMAT",
      "text, or json: one JSON object per line (time, level, event,\n"
      "fields)" },
    { "origin", OPT_TEXT, AT(origin), 0, 0, NULL, false, "NAME",
      "the audit log's name in its signed heads (default dx/ID,\n"
      "ID being the broker key's id)" },
    { "metrics-listen", OPT_TEXT, AT(metrics_listen), 0, 0, NULL, false, "ADDR:PORT",
      "serve Prometheus metrics over HTTP at /metrics, e.g.\n"
      "127.0.0.1:9477 (default: off)" },
    { "workers", OPT_COUNT, AT(workers), 0, 64, NULL, false, "N",
      "threads checking publishes' signatures and hashes (default:\n"
      "one per core; 0: on the intake thread)" },
    { "readers", OPT_COUNT, AT(readers), 1, 64, NULL, false, "N",
      "threads that read the store for fetches, lists, deliveries\n"
      "and audit queries, beside the writer (default: one per core)" },
    { "content-store", OPT_STORE, AT(content_store), 0, 0, "lmdb", false, "STORE",
      "where datasets' sealed chunks live: lmdb (in --data) or rados\n"
      "(a Ceph pool, one object per chunk; catalog, keys and log stay\n"
      "in --data)" },
    { "rados-conf", OPT_TEXT, AT(rados_conf), 0, 0, NULL, false, "FILE",
      "content-store rados: the cluster's ceph.conf (monitors, and\n"
      "where the user's keyring is)" },
    { "rados-pool", OPT_TEXT, AT(rados_pool), 0, 0, NULL, false, "POOL",
      "content-store rados: the pool holding the chunks" },
    { "rados-user", OPT_TEXT, AT(rados_user), 0, 0, NULL, false, "ID",
      "content-store rados: the Ceph client id, without \"client.\"\n"
      "(the id Ceph's own tools take)" },
    { "rados-timeout", OPT_SECONDS, AT(rados_timeout_ms), 1, 3600, "10", false, "S",
      "content-store rados: how long an operation may wait for the\n"
      "cluster before it fails with \"content store unavailable\"" },
    { "journal", OPT_JOURNAL, AT(journal), 0, 0, "none", false, "JOURNAL",
      "rados: this broker is one of its exchange's group (same keys,\n"
      "origin and pool): the lease holder is active, the others are\n"
      "standbys applying its journal (needs content-store rados)" },
    { "lease", OPT_SECONDS, AT(lease_ms), 2, 300, "10", false, "S",
      "journal rados: the leader lease; a standby takes over this\n"
      "long after the active stops renewing it" },
    { "trim-every", OPT_SECONDS, AT(trim_every_ms), 1, 86400, "60", false, "S",
      "journal rados: how often the active removes the journal's parts\n"
      "every member has applied and the newest backup covers" },
    { "advertise", OPT_TEXT, AT(advertise), 0, 0, NULL, false, "ENDPOINT",
      "journal rados: the endpoint clients reach this broker at, which\n"
      "standbys name (default: the one it listens on)" },
    { "tsa-url", OPT_TEXT, AT(tsa_url), 0, 0, NULL, false, "URL",
      "an RFC 3161 time-stamping authority: the newest signed head is\n"
      "stamped by it, kept beside the head, and checked by dx-audit verify" },
    { "tsa-ca", OPT_TEXT, AT(tsa_ca), 0, 0, NULL, false, "FILE",
      "the authority's CA certificates (PEM); required with --tsa-url" },
    { "tsa-policy", OPT_TEXT, AT(tsa_policy), 0, 0, NULL, false, "OID",
      "the policy the authority's tokens must be under (default: any)" },
    { "tsa-every", OPT_SECONDS, AT(tsa_every_ms), 1, 86400, "60", false, "S",
      "at most one time-stamp request this often, for the newest head" },
    { "member-transfers", OPT_COUNT, AT(member_transfers), 1, 256, "32", false, "N",
      "transfers one member may have open at once (at most 256 are\n"
      "open in all)" },
};

#define NOPTIONS (sizeof s_options / sizeof s_options[0])

/* "64G", "512M", "1048576": a size in bytes. */
static int s_size(const char *text, uint64_t *out)
{
    char *end;
    if (text[0] < '0' || text[0] > '9')
        return DX_ERR_USAGE;
    unsigned long long v = strtoull(text, &end, 10);
    if (end == text)
        return DX_ERR_USAGE;
    int shift = 0;
    if (*end == 'K' || *end == 'k') shift = 10, end++;
    else if (*end == 'M' || *end == 'm') shift = 20, end++;
    else if (*end == 'G' || *end == 'g') shift = 30, end++;
    else if (*end == 'T' || *end == 't') shift = 40, end++;
    if (*end != '\0' || (shift && v > (UINT64_MAX >> shift)))
        return DX_ERR_USAGE;
    *out = (uint64_t)v << shift;
    return 0;
}

static int s_level(const char *text)
{
    static const struct { const char *name; int level; } levels[] = {
        { "debug", DX_LOG_DEBUG }, { "info", DX_LOG_INFO },
        { "warn", DX_LOG_WARN }, { "error", DX_LOG_ERROR },
    };
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
        if (strcmp(text, levels[i].name) == 0)
            return levels[i].level;
    return -1;
}

static const char *s_expected(const option_t *o, char *buf, size_t cap)
{
    switch (o->type) {
    case OPT_SIZE:
        if (o->min > 1)
            snprintf(buf, cap, "a size of at least %lluM, like %s",
                     (unsigned long long)(o->min >> 20), o->def);
        else
            snprintf(buf, cap, "a size, like %s", o->def);
        break;
    case OPT_SECONDS:
        snprintf(buf, cap, "seconds from %llu to %llu", (unsigned long long)o->min,
                 (unsigned long long)o->max);
        break;
    case OPT_COUNT:
        snprintf(buf, cap, "a number from %llu to %llu", (unsigned long long)o->min,
                 (unsigned long long)o->max);
        break;
    case OPT_LEVEL:
        snprintf(buf, cap, "debug, info, warn or error");
        break;
    case OPT_LOG_FORMAT:
        snprintf(buf, cap, "text or json");
        break;
    case OPT_STORE:
        snprintf(buf, cap, "lmdb or rados");
        break;
    case OPT_JOURNAL:
        snprintf(buf, cap, "none or rados");
        break;
    default:
        snprintf(buf, cap, "a value");
    }
    return buf;
}

/* Where each option's value came from, for --check-config. */
static const char *s_source[sizeof s_options / sizeof s_options[0]];

/* Sets one option from text; the one path for defaults, the config file
 * and flags. where names the source in errors ("--name" or
 * "file:line:col: name"). */
static int s_set_at(const option_t *o, const char *text, broker_config_t *cfg, const char *where,
                    char err[DX_ERRMSG]);

static int s_set(const option_t *o, const char *text, broker_config_t *cfg, char err[DX_ERRMSG])
{
    char where[64];
    snprintf(where, sizeof where, "--%s", o->name);
    return s_set_at(o, text, cfg, where, err);
}

static int s_set_at(const option_t *o, const char *text, broker_config_t *cfg, const char *where,
                    char err[DX_ERRMSG])
{
    char *field = (char *)cfg + o->offset, expected[96];
    uint64_t n = 0;
    switch (o->type) {
    case OPT_TEXT:
        *(const char **)field = text;
        return 0;
    case OPT_LEVEL:
        if (s_level(text) < 0)
            break;
        *(const char **)field = text;
        return 0;
    case OPT_LOG_FORMAT:
        if (strcmp(text, "text") != 0 && strcmp(text, "json") != 0)
            break;
        *(const char **)field = text;
        return 0;
    case OPT_STORE:
        if (strcmp(text, "lmdb") != 0 && strcmp(text, "rados") != 0)
            break;
        *(const char **)field = text;
        return 0;
    case OPT_JOURNAL:
        if (strcmp(text, "none") != 0 && strcmp(text, "rados") != 0)
            break;
        *(const char **)field = text;
        return 0;
    case OPT_SIZE:
    case OPT_SECONDS:
    case OPT_COUNT:
        if (s_size(text, &n) != 0 || n < o->min || n > o->max ||
            (o->type != OPT_SIZE && strspn(text, "0123456789") != strlen(text)))
            break;
        if (o->type == OPT_SIZE)
            *(uint64_t *)field = n;
        else
            *(int64_t *)field = o->type == OPT_SECONDS ? (int64_t)n * 1000 : (int64_t)n;
        return 0;
    }
    snprintf(err, DX_ERRMSG, "%s: expected %s", where, s_expected(o, expected, sizeof expected));
    return DX_ERR_USAGE;
}

void broker_options_defaults(broker_config_t *cfg)
{
    char err[DX_ERRMSG];
    memset(cfg, 0, sizeof *cfg);
    cfg->window = 16;
    cfg->fetch_window = 8;
    cfg->workers = -1;
    cfg->readers = -1;
    for (size_t i = 0; i < NOPTIONS; i++) {
        s_source[i] = "default";
        if (s_options[i].def && s_set(&s_options[i], s_options[i].def, cfg, err) != 0)
            abort(); /* a default outside its own bounds: a bug in the table */
    }
}

/* The config file: one key per option, named as its flag. The tree is kept
 * for the process's life: text options point into it. */
static yt_node_t *s_tree;

static int s_config_file(const char *path, broker_config_t *cfg, char err[DX_ERRMSG])
{
    yt_error_t ye;
    yt_free(&s_tree);
    if (yt_parse_file(path, &s_tree, &ye) != 0) {
        snprintf(err, DX_ERRMSG, "%s:%d:%d: %s", path, ye.line, ye.col, ye.msg);
        return DX_ERR_USAGE;
    }
    if (s_tree && s_tree->kind != YT_MAP) {
        snprintf(err, DX_ERRMSG, "%s:%d:%d: expected settings, like 'listen: tcp://0.0.0.0:7700'",
                 path, s_tree->line, s_tree->col);
        return DX_ERR_USAGE;
    }
    for (size_t i = 0; s_tree && i < s_tree->n; i++) {
        const yt_node_t *k = s_tree->items[2 * i], *v = s_tree->items[2 * i + 1];
        size_t j = 0;
        while (j < NOPTIONS && (k->kind != YT_SCALAR || strcmp(k->value, s_options[j].name) != 0))
            j++;
        char where[DX_ERRMSG];
        snprintf(where, sizeof where, "%s:%d:%d: %s", path, v->line, v->col,
                 k->kind == YT_SCALAR ? k->value : "");
        if (j == NOPTIONS) {
            snprintf(err, DX_ERRMSG, "%s:%d:%d: unknown key '%.40s' (the keys are the flags' names: "
                     "dx-broker --help)", path, k->line, k->col, k->kind == YT_SCALAR ? k->value : "");
            return DX_ERR_USAGE;
        }
        if (v->kind != YT_SCALAR || !v->value[0]) {
            snprintf(err, DX_ERRMSG, "%s: expected a value", where);
            return DX_ERR_USAGE;
        }
        int rv = s_set_at(&s_options[j], v->value, cfg, where, err);
        if (rv != 0)
            return rv;
        s_source[j] = path;
    }
    return 0;
}

void broker_options_print(FILE *out, const broker_config_t *cfg)
{
    for (size_t i = 0; i < NOPTIONS; i++) {
        const option_t *o = &s_options[i];
        const char *field = (const char *)cfg + o->offset;
        char value[300];
        switch (o->type) {
        case OPT_TEXT:
        case OPT_LEVEL:
        case OPT_STORE:
        case OPT_JOURNAL:
        case OPT_LOG_FORMAT: {
            const char *t = *(const char *const *)field;
            snprintf(value, sizeof value, "%s", t ? t : "-");
            break;
        }
        case OPT_SIZE:
            snprintf(value, sizeof value, "%llu", (unsigned long long)*(const uint64_t *)field);
            break;
        case OPT_SECONDS:
            snprintf(value, sizeof value, "%lld", (long long)(*(const int64_t *)field / 1000));
            break;
        case OPT_COUNT:
            if (*(const int64_t *)field < 0)
                snprintf(value, sizeof value, "one per core");
            else
                snprintf(value, sizeof value, "%lld", (long long)*(const int64_t *)field);
            break;
        }
        fprintf(out, "%-18s %-40s (%s)\n", o->name, value, s_source[i] ? s_source[i] : "default");
    }
}

void broker_options_usage(FILE *out)
{
    fprintf(out, "usage: dx-broker");
    for (size_t i = 0; i < NOPTIONS; i++)
        if (s_options[i].required)
            fprintf(out, " --%s %s", s_options[i].name, s_options[i].arg);
    fprintf(out, " [options]\n\n");
    for (size_t i = 0; i < NOPTIONS; i++) {
        const option_t *o = &s_options[i];
        char head[64];
        snprintf(head, sizeof head, "--%s %s", o->name, o->arg);
        /* a head longer than its column gets a line of its own */
        fprintf(out, strlen(head) < 22 ? "  %-22s" : "  %s\n                        ", head);
        for (const char *line = o->help; *line;) {
            size_t n = strcspn(line, "\n");
            fprintf(out, "%s%.*s", line == o->help ? "" : "\n                        ", (int)n, line);
            line += n + (line[n] == '\n');
        }
        if (o->def)
            fprintf(out, " (default %s)", o->def);
        fprintf(out, "\n");
    }
    fprintf(out, "  %-22s%s\n", "--config FILE", "settings from a YAML file, one key per option above,\n"
            "                        named as its flag (map-size: 64G); flags override it");
    fprintf(out, "  %-22s%s\n", "--check-config", "check the settings, the key file and the policy set,\n"
            "                        print the settings in effect, and exit");
    fprintf(out, "  %-22s%s\n", "--version", "print the version and exit");
    fprintf(out, "\nSIGHUP reloads the policy set; SIGTERM stops the broker cleanly.\n");
}

int broker_options_parse(int argc, char **argv, broker_config_t *cfg, char err[DX_ERRMSG])
{
    struct option longs[NOPTIONS + 4];
    for (size_t i = 0; i < NOPTIONS; i++)
        longs[i] = (struct option){ s_options[i].name, required_argument, NULL, (int)i + 256 };
    longs[NOPTIONS] = (struct option){ "help", no_argument, NULL, 'h' };
    longs[NOPTIONS + 1] = (struct option){ "config", required_argument, NULL, 'c' };
    longs[NOPTIONS + 2] = (struct option){ "check-config", no_argument, NULL, 'C' };
    longs[NOPTIONS + 3] = (struct option){ NULL, 0, NULL, 0 };
    broker_options_defaults(cfg);
    opterr = 0;
    int c, rv;
    /* First the file (where --config is among the flags does not matter),
     * then the flags over it. */
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        if (c == 'h')
            return 1;
        if (c == 'c')
            cfg->config_path = optarg;
        if (c == 'C')
            cfg->check_config = true;
    }
    if (cfg->config_path && (rv = s_config_file(cfg->config_path, cfg, err)) != 0)
        return rv;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        if (c == 'c' || c == 'C')
            continue;
        if (c < 256 || c >= 256 + (int)NOPTIONS) {
            snprintf(err, DX_ERRMSG, "unknown or incomplete option '%s' (dx-broker --help)",
                     argv[optind - 1]);
            return DX_ERR_USAGE;
        }
        if ((rv = s_set(&s_options[c - 256], optarg, cfg, err)) != 0)
            return rv;
        s_source[c - 256] = "flag";
    }
    if (optind != argc) {
        snprintf(err, DX_ERRMSG, "unexpected argument '%s' (dx-broker --help)", argv[optind]);
        return DX_ERR_USAGE;
    }
    for (size_t i = 0; i < NOPTIONS; i++)
        if (s_options[i].required && !*(const char **)((char *)cfg + s_options[i].offset)) {
            snprintf(err, DX_ERRMSG, "--listen, --data, --policies and --key are required, as "
                     "flags or in the --config file (dx-broker --help)");
            return DX_ERR_USAGE;
        }
    if (strcmp(cfg->content_store, "rados") == 0 &&
        (!cfg->rados_conf || !cfg->rados_pool || !cfg->rados_user)) {
        snprintf(err, DX_ERRMSG, "content-store rados needs --rados-conf, --rados-pool and "
                 "--rados-user, as flags or in the --config file (dx-broker --help)");
        return DX_ERR_USAGE;
    }
    if (strcmp(cfg->journal, "rados") == 0 && strcmp(cfg->content_store, "rados") != 0) {
        snprintf(err, DX_ERRMSG, "journal rados needs content-store rados: the group shares its "
                 "pool (dx-broker --help)");
        return DX_ERR_USAGE;
    }
    if (strncmp(cfg->key_path, "pkcs11:", 7) == 0 && !cfg->transport_key_path) {
        snprintf(err, DX_ERRMSG, "--key pkcs11:... needs --transport-key FILE: the transport (CURVE) "
                 "secret stays in a key file (dx-broker --help)");
        return DX_ERR_USAGE;
    }
    if (cfg->tsa_url && !cfg->tsa_ca) {
        snprintf(err, DX_ERRMSG, "--tsa-url needs --tsa-ca, the authority's CA certificates, to "
                 "check its tokens (dx-broker --help)");
        return DX_ERR_USAGE;
    }
    if (cfg->tsa_url && strncmp(cfg->tsa_url, "http://", 7) != 0 && strncmp(cfg->tsa_url, "https://", 8) != 0) {
        snprintf(err, DX_ERRMSG, "--tsa-url: expected an http:// or https:// URL");
        return DX_ERR_USAGE;
    }
    if (cfg->log_level)
        dx_log_set_level((enum dx_log_level)s_level(cfg->log_level));
    dx_log_set_format(strcmp(cfg->log_format, "json") == 0 ? DX_LOG_JSON : DX_LOG_TEXT);
    return 0;
}

dx_master_loc_t broker_master_loc(const broker_config_t *cfg, const dx_keypair_t *key, dx_pkcs11_conf_t *p11)
{
    *p11 = (dx_pkcs11_conf_t){ cfg->pkcs11_module, cfg->pkcs11_pin_file };
    return (dx_master_loc_t){ cfg->master_key_path, p11, key, NULL };
}
