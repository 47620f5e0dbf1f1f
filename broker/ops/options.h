/* options: the broker's settings, one table from which the command line's
 * parsing, its bounds, its usage text and the keys of the config file
 * (--config FILE: one key per option, named as its flag) all come. */
#ifndef DX_BROKER_OPTIONS_H
#define DX_BROKER_OPTIONS_H

#include "err.h"
#include "master_key.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
    const char *listen;
    const char *data_dir;
    const char *policy_dir;
    const char *key_path;        /* a key file, or a pkcs11: URI (then transport_key_path) */
    const char *transport_key_path; /* with a token's key: the key file with the transport secret */
    const char *pkcs11_module, *pkcs11_pin_file;
    const char *master_key_path; /* NULL: derived from the broker key */
    int64_t retention_every_ms;  /* the retention sweep's period */
    uint64_t map_size;
    int64_t skew_ms;             /* manifest creation time window, each way */
    uint64_t max_dataset;        /* bytes */
    int64_t session_idle_ms;
    int64_t window;              /* chunks a publisher may have unacknowledged */
    int64_t fetch_window;        /* chunks a consumer may have asked for ahead */
    const char *origin;          /* the audit log's name in its checkpoints */
    int64_t workers;             /* threads for checks; -1: one per core */
    int64_t readers;             /* threads for reads; -1: one per core */
    int64_t member_transfers;    /* open transfers one member may hold */
    const char *content_store;   /* "lmdb" or "rados" */
    const char *rados_conf, *rados_pool, *rados_user;
    int64_t rados_timeout_ms;
    const char *journal;         /* "none" or "rados": a group of brokers (broker/group/) */
    int64_t lease_ms;            /* the leader lease */
    int64_t trim_every_ms;       /* how often the active trims the journal */
    const char *advertise;       /* the endpoint clients reach this broker at; NULL: the bound one */
    const char *tsa_url;         /* an RFC 3161 time-stamping authority (broker/ops/tsa.c); NULL: none */
    const char *tsa_ca;          /* its CA certificates (PEM) */
    const char *tsa_policy;      /* the policy OID its tokens must carry; NULL: any */
    int64_t tsa_every_ms;        /* at most one request this often */
    const char *log_level;
    const char *log_format;      /* "text" or "json" */
    const char *metrics_listen;  /* ADDR:PORT, or NULL: no metrics */
    const char *config_path;     /* --config FILE, or NULL */
    bool check_config;           /* --check-config: check, print, exit */
} broker_config_t;

/* Parses argv into cfg (defaults first). Returns 0; 1 for --help (usage
 * printed on stdout); DX_ERR_USAGE with err saying what is wrong. */
int broker_options_parse(int argc, char **argv, broker_config_t *cfg, char err[DX_ERRMSG]);
/* The defaults alone (tests, tools). */
void broker_options_defaults(broker_config_t *cfg);
void broker_options_usage(FILE *out);
/* The settings in effect, one per line, with where each came from. */
void broker_options_print(FILE *out, const broker_config_t *cfg);

/* Where the options say the master key is (a file, a token's key, or
 * derived from key); p11 receives the token's settings it points to. */
dx_master_loc_t broker_master_loc(const broker_config_t *cfg, const dx_keypair_t *key, dx_pkcs11_conf_t *p11);

#endif
