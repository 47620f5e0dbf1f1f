/* dx-admin: the data office's tool.
 *
 *   dx-admin keygen ID --out DIR
 *   dx-admin policy check DIR
 *   dx-admin policy explain DIR --member M --action A --dataset NAME
 *            [--purpose P] [--at TIME] [--classification C]
 *   dx-admin policy test DIR
 *   dx-admin reload [--broker E --broker-pub F --key K | --config FILE]
 */
#include "cli.h"
#include "dxtime.h"
#include "encode.h"
#include "err.h"
#include "fileio.h"
#include "keys.h"
#include "master_key.h"
#include "policy.h"
#include "store.h"
#include "vault.h"
#include "transfer.h"
#include "policy_check.h"
#include "policy_load.h"
#include "policy_test.h"
#include "utf8.h"
#include "version.h"
#include "wire.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *s_prog = "dx-admin";

static int s_usage(FILE *out, int status)
{
    fprintf(out,
            "usage: dx-admin keygen ID --out DIR\n"
            "       dx-admin policy check DIR [--broker-pub FILE]\n"
            "                (with the broker's public key, or $DX_BROKER_PUB: also warns when a\n"
            "                member has the broker's own keys)\n"
            "       dx-admin policy test DIR        (runs DIR/tests/*.yaml)\n"
            "       dx-admin reload [--broker E] [--broker-pub F] [--key K] [--config FILE]\n"
            "                (asks the broker to reload its policy set; role admin)\n"
            "       dx-admin policy explain DIR --member M --action read|list|publish\n"
            "                --dataset NAME [--purpose P] [--at TIME] [--classification C]\n"
            "       dx-admin status [--format text|json] [--broker E] [--broker-pub F] [--key K]\n"
            "                (the broker's health; role admin; exit 0 when healthy)\n"
            "       dx-admin backup --data DIR --out DIR2\n"
            "                (a consistent, compacted copy of a store, also of a running broker's;\n"
            "                DIR2/dx-backup.info names the master key it needs)\n"
            "       dx-admin backup check DIR --master-key FILE | --broker-key FILE\n"
            "                (whether DIR would restore: every content key opens under the\n"
            "                current master key or one kept by a rotation)\n"
            "       dx-admin erase NAME@VERSION | NAME --all-versions --reason TEXT [--broker E]\n"
            "                [--broker-pub F] [--key K]\n"
            "                (destroys a version's content, or every version's; the catalog entry\n"
            "                and the audit log keep its hashes; subscribers are told through the\n"
            "                feed and remove their copies; role admin)\n"
            "       dx-admin master-key new FILE\n"
            "                (a new random master key for dx-broker --master-key, mode 0600)\n"
            "       dx-admin master-key rotate [--broker E] [--broker-pub F] [--key K]\n"
            "                (the broker rewraps every content key under a new master key and\n"
            "                replaces its --master-key file, keeping the old key as FILE.<id>\n"
            "                for earlier backups; role admin)\n"
            "       dx-admin master-key retire FILE ID [--data DIR]\n"
            "                (deletes the kept key FILE.ID: backups sealed under it no longer\n"
            "                restore; refused for the current key or the one DIR needs)\n"
            "       dx-admin --version\n");
    return status;
}

#define BACKUP_INFO "dx-backup.info"

static int s_backup(int argc, char **argv)
{
    static const struct option opts[] = { { "data", required_argument, NULL, 'd' },
                                          { "out", required_argument, NULL, 'o' },
                                          { NULL, 0, NULL, 0 } };
    const char *data = NULL, *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            data = optarg;
        else if (c == 'o')
            out = optarg;
        else
            return s_usage(stderr, 2);
    }
    if (optind != argc || !data || !out)
        return s_usage(stderr, 2);
    char err[DX_ERRMSG];
    uint64_t bytes = 0;
    int rv = store_backup(data, out, &bytes, err);
    if (rv != 0) {
        fprintf(stderr, "%s: %s\n", s_prog, err);
        return dx_exit_code(rv);
    }
    /* what a restore of it will need, written beside it and said now */
    uint8_t id[DX_MASTER_ID_LEN];
    char idtext[64] = "none (no content keys)", info[512], t[DX_TIME_TEXT], path[4200];
    if (vault_file_id(out, id, err) == 0)
        dx_master_id_text(id, idtext);
    dx_time_format(dx_now_ms(), t);
    int n = snprintf(info, sizeof info, "taken: %s\nfrom: %s\nmaster_key_id: %s\n", t, data, idtext);
    snprintf(path, sizeof path, "%s/%s", out, BACKUP_INFO);
    if (dx_write_atomic(path, info, (size_t)n, 0600) != 0) {
        fprintf(stderr, "%s: cannot write %s: %s\n", s_prog, path, strerror(errno));
        return 1;
    }
    printf("backed up %s into %s: %llu bytes, as of one commit; its content keys need master key %s "
           "(noted in %s); check it with\n"
           "  dx-admin backup check %s --master-key FILE   (or --broker-key FILE)\n"
           "  dx-audit --db %s --broker-pub BROKER.pub verify\n", data, out,
           (unsigned long long)bytes, idtext, BACKUP_INFO, out, out);
    return 0;
}

/* Whether a backup would restore with the keys on this machine: the master
 * key it needs (the current one, or one kept by a rotation) opens every
 * content key in it. The audit log's own check is dx-audit verify. */
static int s_backup_check(int argc, char **argv)
{
    static const struct option opts[] = { { "master-key", required_argument, NULL, 'm' },
                                          { "broker-key", required_argument, NULL, 'k' },
                                          { NULL, 0, NULL, 0 } };
    const char *master_path = NULL, *key_path = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'm')
            master_path = optarg;
        else if (c == 'k')
            key_path = optarg;
        else
            return s_usage(stderr, 2);
    }
    if (optind + 1 != argc || !!master_path == !!key_path) {
        fprintf(stderr, "%s: backup check DIR needs --master-key FILE (the broker's --master-key) "
                "or --broker-key FILE (a broker without one)\n", s_prog);
        return 2;
    }
    const char *dir = argv[optind];
    char err[DX_ERRMSG], want[DX_MASTER_ID_TEXT], id[DX_MASTER_ID_TEXT];
    uint8_t master[DX_MASTER_KEY_LEN], fid[DX_MASTER_ID_LEN], kid[DX_MASTER_ID_LEN];
    store_t *st = NULL;
    vault_t *v = NULL;
    uint32_t opened = 0;
    int rv = store_open(dir, 0, true, &st, err);
    if (rv != 0) {
        fprintf(stderr, "%s: %s is not a store that opens: %s\n", s_prog, dir, err);
        return 1;
    }
    store_close(&st);
    rv = vault_file_id(dir, fid, err);
    if (rv == DX_ERR_NOT_FOUND) {
        printf("%s: a store without content keys (nothing encrypted at rest): it restores with any "
               "master key\n", dir);
        return 0;
    }
    if (rv != 0 || (rv = dx_master_key_from_files(master_path, key_path, master, err)) != 0) {
        fprintf(stderr, "%s: %s\n", s_prog, err);
        return 1;
    }
    dx_master_id_text(fid, want);
    dx_master_key_id(master, kid);
    dx_master_id_text(kid, id);
    rv = vault_open(dir, master, master_path, true, NULL, &v, err);
    dx_wipe(master, sizeof master);
    if (rv == 0)
        rv = vault_check(v, &opened, err);
    if (rv != 0) {
        fprintf(stderr, "%s: %s would not restore: %s\n", s_prog, dir, err);
        vault_close(&v);
        return rv == DX_ERR_PERM ? 4 : 1;
    }
    printf("%s restores: its %u content keys open under master key %s (%s%s)\n", dir, opened, want,
           vault_kept(v) ? "the kept key " : "the current key ",
           vault_kept(v) ? vault_kept(v) : master_path ? master_path : key_path);
    vault_close(&v);
    return 0;
}

/* Deletes a kept master key: after it, no backup sealed under it restores. */
static int s_master_retire(int argc, char **argv)
{
    static const struct option opts[] = { { "data", required_argument, NULL, 'd' },
                                          { NULL, 0, NULL, 0 } };
    const char *data = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            data = optarg;
        else
            return s_usage(stderr, 2);
    }
    if (optind + 2 != argc)
        return s_usage(stderr, 2);
    const char *file = argv[optind], *idtext = argv[optind + 1];
    char err[DX_ERRMSG], path[DX_MASTER_PATH_MAX], cur[DX_MASTER_ID_TEXT];
    uint8_t id[DX_MASTER_ID_LEN], key[DX_MASTER_KEY_LEN], kid[DX_MASTER_ID_LEN];
    if (strlen(idtext) != 2 * DX_MASTER_ID_LEN || dx_hex_decode(idtext, id, sizeof id) != 0) {
        fprintf(stderr, "%s: '%s' is not a master key id (16 hex digits)\n", s_prog, idtext);
        return 2;
    }
    if (dx_master_key_read(file, key, err) != 0) {
        fprintf(stderr, "%s: %s\n", s_prog, err);
        return 1;
    }
    dx_master_key_id(key, kid);
    dx_wipe(key, sizeof key);
    dx_master_id_text(kid, cur);
    if (memcmp(kid, id, sizeof id) == 0) {
        fprintf(stderr, "%s: %s is the current key in %s, not a kept one: nothing retired\n", s_prog,
                idtext, file);
        return 1;
    }
    if (data && vault_file_id(data, kid, err) == 0 && memcmp(kid, id, sizeof id) == 0) {
        fprintf(stderr, "%s: the store in %s is sealed under %s: rotate first (dx-admin master-key "
                "rotate); nothing retired\n", s_prog, data, idtext);
        return 1;
    }
    int rv = dx_master_key_find_kept(file, id, key, path);
    dx_wipe(key, sizeof key);
    if (rv != 0) {
        fprintf(stderr, "%s: no kept key %s beside %s (%s)\n", s_prog, idtext, file,
                rv == DX_ERR_NOT_FOUND ? "not there" : "it holds another key");
        return 1;
    }
    if (unlink(path) != 0 || dx_fsync_parent(path) != 0) {
        fprintf(stderr, "%s: cannot remove %s: %s\n", s_prog, path, strerror(errno));
        return 1;
    }
    printf("retired master key %s (%s removed): backups sealed under it no longer restore; the "
           "current key is %s\n", idtext, path, cur);
    return 0;
}

static int s_keygen(int argc, char **argv)
{
    static const struct option opts[] = { { "out", required_argument, NULL, 'o' },
                                          { NULL, 0, NULL, 0 } };
    const char *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        if (c == 'o')
            out = optarg;
        else
            return s_usage(stderr, 2);
    }
    if (optind + 1 != argc || !out)
        return s_usage(stderr, 2);
    const char *id = argv[optind];
    if (!dx_id_valid(id)) {
        fprintf(stderr, "%s: '%s' is not a valid member id: ^[a-z][a-z0-9-]{0,31}$\n", s_prog, id);
        return 2;
    }
    if (mkdir(out, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: cannot create %s: %s\n", s_prog, out, strerror(errno));
        return 1;
    }
    dx_keypair_t k;
    char err[DX_ERRMSG];
    int rv = dx_keypair_generate(id, &k);
    if (rv != 0)
        return dx_cli_fail(s_prog, rv, "cannot generate keys");
    rv = dx_keys_write(out, &k, err);
    if (rv != 0) {
        dx_keypair_wipe(&k);
        return dx_cli_fail(s_prog, rv, err);
    }
    char sign[DX_SIGN_TEXT], curve[DX_CURVE_TEXT];
    dx_sign_key_format(k.pub.sign, sign);
    dx_curve_key_format(k.pub.curve, curve);
    dx_keypair_wipe(&k);
    printf("  - id: %s\n    sign_key: \"%s\"\n    transport_key: \"%s\"\n", id, sign, curve);
    fprintf(stderr, "%s: wrote %s/%s.key (secret, mode 0600) and %s/%s.pub\n", s_prog, out, id,
            out, id);
    return 0;
}

static int s_check(int argc, char **argv)
{
    static const struct option opts[] = { { "broker-pub", required_argument, NULL, 'b' },
                                          { NULL, 0, NULL, 0 } };
    const char *broker_pub = getenv("DX_BROKER_PUB");
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'b')
            broker_pub = optarg;
        else
            return s_usage(stderr, 2);
    }
    if (optind + 1 != argc)
        return s_usage(stderr, 2);
    const char *dir = argv[optind];
    dx_policy_t *p = NULL;
    dx_diag_t diag;
    dx_pubkeys_t broker;
    char err[DX_ERRMSG];
    if (broker_pub && broker_pub[0] && dx_keys_read_public(broker_pub, &broker, err) != 0) {
        fprintf(stderr, "%s: --broker-pub: %s\n", s_prog, err);
        return 2;
    }
    int rv = dx_policy_load(dir, &p, &diag);
    if (rv == 0 && broker_pub && broker_pub[0])
        dx_policy_check_broker(p, broker.sign, broker.curve, dir, &diag);
    for (size_t i = 0; i < diag.n; i++)
        fprintf(stderr, "%s\n", diag.lines[i]);
    if (rv != 0) {
        fprintf(stderr, "%s: %s: %zu error(s), %zu warning(s)\n", s_prog, dir, diag.errors,
                diag.warnings);
        dx_diag_free(&diag);
        return 1;
    }
    char hex[65];
    dx_hex_encode(p->sha256, DX_SHA256_LEN, hex);
    printf("%s: OK: %zu members, %zu namespaces, %zu rules, %zu warning(s); sha256 %s\n", dir,
           p->nmembers, p->nnamespaces, p->nrules, diag.warnings, hex);
    for (size_t i = 0; i < p->nnamespaces; i++)
        if (p->namespaces[i].retention[0])
            printf("retention: %s keeps versions %s, then the broker erases their content\n",
                   p->namespaces[i].match, p->namespaces[i].retention);
    dx_diag_free(&diag);
    dx_policy_free(&p);
    return 0;
}

static int s_test(int argc, char **argv)
{
    if (argc != 2)
        return s_usage(stderr, 2);
    dx_policy_t *p = NULL;
    dx_diag_t diag;
    if (dx_policy_load(argv[1], &p, &diag) != 0) {
        for (size_t i = 0; i < diag.n; i++)
            fprintf(stderr, "%s\n", diag.lines[i]);
        fprintf(stderr, "%s: %s does not load\n", s_prog, argv[1]);
        dx_diag_free(&diag);
        return 1;
    }
    dx_diag_free(&diag);
    int passed = 0, failed = 0;
    int rv = dx_policy_run_tests(p, argv[1], stdout, &passed, &failed, &diag);
    for (size_t i = 0; i < diag.n; i++)
        fprintf(stderr, "%s\n", diag.lines[i]);
    printf("%d passed, %d failed\n", passed, failed);
    dx_diag_free(&diag);
    dx_policy_free(&p);
    return rv == 0 && failed == 0 ? 0 : 1;
}

static void s_print_fields(const dx_decision_t *d)
{
    if (d->field_mode == DX_FIELDS_ALL) {
        printf("fields:   all\n");
        return;
    }
    printf("fields:   %s", d->field_mode == DX_FIELDS_INCLUDE ? "only" : "all except");
    for (size_t i = 0; i < d->nfields; i++)
        printf("%s%s", i ? ", " : " ", d->fields[i]);
    printf("\n");
}

typedef struct {
    const dx_decision_t *d;
    int shown;
} explain_t;

/* One line per rule that matched, or missed only on purpose, time or
 * classification. */
static void s_explain_rule(void *arg, const dx_rule_t *r, dx_rule_result_t res)
{
    explain_t *e = arg;
    if (res != DX_RULE_MATCH && res < DX_RULE_WRONG_PURPOSE)
        return;
    e->shown++;
    const char *note = e->d->rule == r ? "  <- decides" : res == DX_RULE_MATCH && r->allow ? "  (an earlier rule decides)" : "";
    printf("  %-5s %-28s %s:%d  %s%s\n", r->allow ? "allow" : "deny", r->id, r->file, r->line,
           dx_rule_result_text(res), note);
}

static int s_explain(int argc, char **argv)
{
    static const struct option opts[] = {
        { "member", required_argument, NULL, 'm' },   { "action", required_argument, NULL, 'a' },
        { "dataset", required_argument, NULL, 'd' },  { "purpose", required_argument, NULL, 'p' },
        { "at", required_argument, NULL, 't' },       { "classification", required_argument, NULL, 'c' },
        { NULL, 0, NULL, 0 },
    };
    dx_request_t req = { .now_ms = dx_now_ms() };
    const char *cls = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'm': req.member = optarg; break;
        case 'a':
            if (!(req.action = dx_action_parse(optarg))) {
                fprintf(stderr, "%s: --action: read, list or publish\n", s_prog);
                return 2;
            }
            break;
        case 'd': req.dataset = optarg; break;
        case 'p': req.purpose = optarg; break;
        case 't':
            if (dx_time_parse(optarg, &req.now_ms) != 0) {
                fprintf(stderr, "%s: --at: expected an RFC 3339 time like 2026-06-01T12:00:00Z\n", s_prog);
                return 2;
            }
            break;
        case 'c': cls = optarg; break;
        default: return s_usage(stderr, 2);
        }
    }
    if (optind + 1 != argc || !req.member || !req.action || !req.dataset)
        return s_usage(stderr, 2);
    if (!dx_dataset_name_valid(req.dataset)) {
        fprintf(stderr, "%s: '%s' is not a valid dataset name\n", s_prog, req.dataset);
        return 2;
    }
    dx_policy_t *p = NULL;
    dx_diag_t diag;
    if (dx_policy_load(argv[optind], &p, &diag) != 0) {
        for (size_t i = 0; i < diag.n; i++)
            fprintf(stderr, "%s\n", diag.lines[i]);
        fprintf(stderr, "%s: %s does not load\n", s_prog, argv[optind]);
        dx_diag_free(&diag);
        return 1;
    }
    dx_diag_free(&diag);
    const dx_namespace_t *ns = dx_policy_namespace(p, req.dataset);
    req.classification = ns ? ns->classification : DX_CLASS_INTERNAL;
    if (cls && !(req.classification = dx_class_parse(cls))) {
        fprintf(stderr, "%s: --classification: public, internal, restricted or secret\n", s_prog);
        dx_policy_free(&p);
        return 2;
    }
    dx_decision_t d;
    dx_policy_decide(p, &req, &d);
    char at[DX_TIME_TEXT];
    dx_time_format(req.now_ms, at);
    printf("decision: %s\nrule:     %s\nreason:   %s\n", d.allow ? "allow" : "deny", d.rule_id,
           d.reason);
    if (d.allow && req.action == DX_ACT_READ)
        s_print_fields(&d);
    if (req.action != DX_ACT_PUBLISH && dx_decision_publisher_may(&d))
        printf("but:      the publisher of a version may always list and read it (rule owner);\n"
               "          so may the owner of its namespace, unless a deny rule matches\n");
    printf("assumed:  classification %s%s, time %s\n", dx_class_name(req.classification),
           cls ? "" : ns ? " (the namespace's ceiling; --classification to change)" : " (default)",
           at);
    if (ns)
        printf("namespace: %s, owner %s, at most %s\nretention: %s%s\n", ns->match, ns->owner,
               dx_class_name(ns->classification), ns->retention[0] ? ns->retention : "none",
               ns->retention[0] ? " after publishing, then the broker erases the content"
                                : " (versions are kept until erased)");
    else
        printf("retention: none (no namespace governs %s)\n", req.dataset);
    explain_t e = { &d, 0 };
    printf("rules that match or nearly match:\n");
    dx_policy_explain(p, &req, s_explain_rule, &e);
    if (e.shown == 0)
        printf("  (none: no rule names %s for %s on %s)\n", req.member,
               dx_action_name(req.action), req.dataset);
    dx_policy_free(&p);
    return d.allow ? 0 : 3;
}

/* Connects with conn, sends req and takes a reply of the kind want. */
static int s_ask(dx_cli_conn_t *conn, Dx__Request *req, Dx__Reply__BodyCase want, Dx__Reply **reply)
{
    char err[DX_ERRMSG];
    dx_keypair_t me;
    dx_pubkeys_t broker;
    dx_client_t *client = NULL;
    *reply = NULL;
    int rv = dx_cli_open(conn, &me, &broker, &client, err);
    if (rv == 0)
        rv = dx_client_call(client, req, reply, err);
    dx_client_destroy(&client);
    dx_keypair_wipe(&me);
    if (rv == 0 && (*reply)->body_case != want) {
        rv = DX_ERR_PROTOCOL;
        snprintf(err, sizeof err, "unexpected reply from the broker");
    }
    if (rv != 0) {
        wire_reply_free(reply);
        return dx_cli_fail(s_prog, rv, err);
    }
    return 0;
}

static void s_time(int64_t ms, char out[DX_TIME_TEXT])
{
    if (ms > 0)
        dx_time_format(ms, out);
    else
        snprintf(out, DX_TIME_TEXT, "-");
}

static int s_status(int argc, char **argv)
{
    static const struct option opts[] = { DX_CLI_OPTIONS, { "format", required_argument, NULL, 'F' },
                                          { NULL, 0, NULL, 0 } };
    dx_cli_conn_t conn;
    const char *format = "text";
    memset(&conn, 0, sizeof conn);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'F' && (strcmp(optarg, "text") == 0 || strcmp(optarg, "json") == 0))
            format = optarg;
        else if (c == 'F' || dx_cli_option(&conn, c, optarg, s_prog) <= 0)
            return s_usage(stderr, 2);
    }
    if (optind != argc)
        return s_usage(stderr, 2);
    Dx__Request req = DX__REQUEST__INIT;
    Dx__StatusRequest sr = DX__STATUS_REQUEST__INIT;
    Dx__Reply *reply = NULL;
    req.body_case = DX__REQUEST__BODY_STATUS;
    req.status = &sr;
    int rv = s_ask(&conn, &req, DX__REPLY__BODY_STATUS, &reply);
    if (rv != 0)
        return rv;
    const Dx__BrokerStatus *st = reply->status;
    char hex[65] = "-", started[DX_TIME_TEXT], loaded[DX_TIME_TEXT], last[DX_TIME_TEXT];
    if (st->policy_sha256.len == DX_SHA256_LEN)
        dx_hex_encode(st->policy_sha256.data, DX_SHA256_LEN, hex);
    s_time(st->started_ms, started);
    s_time(st->policy_loaded_ms, loaded);
    s_time(st->audit_last_ms, last);
    double use = st->map_bytes ? (double)st->store_bytes / (double)st->map_bytes : 0;
    /* healthy: it answered, the store has room, and the policy files on
     * disk are the set in force (the last reload was not refused) */
    bool full = use >= 0.9, refused = st->reload_ms && !st->reload_ok;
    bool healthy = !full && !refused;
    char reload_at[DX_TIME_TEXT] = "-", rhex[65] = "-", why[512];
    if (st->reload_ms)
        s_time(st->reload_ms, reload_at);
    if (st->refused_policy_sha256.len == DX_SHA256_LEN)
        dx_hex_encode(st->refused_policy_sha256.data, DX_SHA256_LEN, rhex);
    snprintf(why, sizeof why, "%s%s%s", full ? "the store is over 90% of its map size" : "",
             full && refused ? "; " : "",
             refused ? "the last policy reload was refused: the files on disk are not in force" : "");
    long long uptime = (long long)((st->now_ms - st->started_ms) / 1000);
    if (strcmp(format, "json") == 0) {
        printf("{\"healthy\":%s,\"version\":", healthy ? "true" : "false");
        dx_json_string(stdout, st->version);
        printf(",\"started\":\"%s\",\"uptime_s\":%lld,\"endpoint\":", started, uptime);
        dx_json_string(stdout, st->endpoint);
        printf(",\"policy_sha256\":\"%s\",\"policy_loaded\":\"%s\",\"last_reload\":\"%s\","
               "\"last_reload_ok\":%s,\"last_reload_by\":", hex, loaded, reload_at,
               st->reload_ms ? (st->reload_ok ? "true" : "false") : "null");
        dx_json_string(stdout, st->reload_by);
        printf(",\"refused_policy_sha256\":\"%s\",\"refused_reason\":", refused ? rhex : "");
        dx_json_string(stdout, refused ? st->refused_reason : "");
        printf(",\"reloads_refused\":%llu,\"members\":%u,\"open_transfers\":%u,\"subscriptions\":%u,"
               "\"store_bytes\":%llu,\"map_bytes\":%llu,\"audit_size\":%llu,\"audit_last\":\"%s\","
               "\"last_commit_us\":%lld,\"commits\":%llu}\n",
               (unsigned long long)st->reloads_refused, st->members, st->open_transfers,
               st->subscriptions, (unsigned long long)st->store_bytes,
               (unsigned long long)st->map_bytes, (unsigned long long)st->audit_size, last,
               (long long)st->last_commit_us, (unsigned long long)st->commits);
    } else {
        printf("status:          %s%s\nversion:         %s\nstarted:         %s (up %lld s)\n"
               "endpoint:        %s\npolicy:          sha256 %s, loaded %s\n",
               healthy ? "healthy" : "unhealthy: ", healthy ? "" : why, st->version, started, uptime,
               st->endpoint, hex, loaded);
        if (!st->reload_ms)
            printf("last reload:     none since the start\n");
        else if (st->reload_ok)
            printf("last reload:     %s by %s: loaded\n", reload_at, st->reload_by);
        else
            printf("last reload:     %s by %s: REFUSED, the set above stays in force\n"
                   "refused set:     sha256 %s: %s\n"
                   "                 fix the files (dx-admin policy check DIR), then reload again\n",
                   reload_at, st->reload_by, rhex, st->refused_reason);
        printf("members:         %u\nopen transfers:  %u\nsubscriptions:   %u\n"
               "store:           %llu of %llu bytes (%.1f%%)\n"
               "audit log:       %llu records, the last at %s\nlast commit:     %.3f ms (fsync "
               "included), %llu commits since start\n",
               st->members, st->open_transfers, st->subscriptions, (unsigned long long)st->store_bytes,
               (unsigned long long)st->map_bytes, use * 100, (unsigned long long)st->audit_size,
               last, (double)st->last_commit_us / 1000.0, (unsigned long long)st->commits);
    }
    wire_reply_free(&reply);
    return healthy ? 0 : 1;
}

static int s_reload(int argc, char **argv)
{
    dx_cli_conn_t conn;
    int first = dx_cli_parse(argc, argv, s_prog, &conn);
    if (first < 0)
        return 2;
    if (first != argc)
        return s_usage(stderr, 2);
    Dx__Request req = DX__REQUEST__INIT;
    Dx__ReloadRequest rr = DX__RELOAD_REQUEST__INIT;
    Dx__Reply *reply = NULL;
    req.body_case = DX__REQUEST__BODY_RELOAD;
    req.reload = &rr;
    int rv = s_ask(&conn, &req, DX__REPLY__BODY_RELOAD, &reply);
    if (rv != 0)
        return rv;
    const Dx__ReloadResult *r = reply->reload;
    for (size_t i = 0; i < r->n_problems; i++)
        fprintf(stderr, "%s\n", r->problems[i]);
    char hex[65];
    dx_hex_encode(r->policy_sha256.data, DX_SHA256_LEN, hex);
    int status = r->loaded ? 0 : 1;
    if (r->loaded)
        printf("%s; sha256 %s\n", r->summary, hex);
    else
        fprintf(stderr, "%s: %s (the broker keeps the set with sha256 %s)\n", s_prog, r->summary, hex);
    wire_reply_free(&reply);
    return status;
}

static int s_erase(int argc, char **argv)
{
    static const struct option opts[] = { DX_CLI_OPTIONS, { "reason", required_argument, NULL, 'R' },
                                          { "all-versions", no_argument, NULL, 'A' },
                                          { NULL, 0, NULL, 0 } };
    dx_cli_conn_t conn;
    const char *why = NULL;
    char name[DX_NAME_MAX + 1];
    uint64_t version = 0;
    bool all = false;
    memset(&conn, 0, sizeof conn);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'R')
            why = optarg;
        else if (c == 'A')
            all = true;
        else if (dx_cli_option(&conn, c, optarg, s_prog) <= 0)
            return s_usage(stderr, 2);
    }
    if (optind + 1 != argc || !why)
        return s_usage(stderr, 2);
    if (dx_parse_ref(argv[optind], name, &version) != 0) {
        fprintf(stderr, "%s: '%s' is not NAME or NAME@VERSION\n", s_prog, argv[optind]);
        return 2;
    }
    /* destroying more than one version is never a default */
    if (version == 0 && !all) {
        fprintf(stderr, "%s: erase %s would destroy every version of it: name one (%s@VERSION), or "
                "add --all-versions\n", s_prog, name, name);
        return 2;
    }
    if (version != 0 && all) {
        fprintf(stderr, "%s: --all-versions with %s@%llu: name a version or ask for all, not both\n",
                s_prog, name, (unsigned long long)version);
        return 2;
    }
    Dx__Request req = DX__REQUEST__INIT;
    Dx__EraseRequest er = DX__ERASE_REQUEST__INIT;
    er.dataset = name;
    er.version = version;
    er.reason = (char *)why;
    req.body_case = DX__REQUEST__BODY_ERASE;
    req.erase = &er;
    /* every version: the broker erases a step of them per request (each
     * committed on its own), and says where the next one starts */
    do {
        Dx__Reply *reply = NULL;
        int rv = s_ask(&conn, &req, DX__REPLY__BODY_ERASED, &reply);
        if (rv != 0)
            return rv;
        for (size_t i = 0; i < reply->erased->n_versions; i++)
            printf("erased %s@%llu (audit record %llu)\n", name,
                   (unsigned long long)reply->erased->versions[i],
                   (unsigned long long)reply->erased->audit_seqs[i]);
        fflush(stdout);
        er.after_version = reply->erased->next_after;
        wire_reply_free(&reply);
    } while (er.after_version != 0);
    return 0;
}

static int s_master_new(int argc, char **argv)
{
    if (argc != 2)
        return s_usage(stderr, 2);
    uint8_t key[DX_MASTER_KEY_LEN], id[DX_MASTER_ID_LEN];
    char err[DX_ERRMSG], text[DX_MASTER_ID_TEXT];
    int rv = dx_random(key, sizeof key);
    if (rv == 0)
        rv = dx_master_key_write(argv[1], key, false, err);
    else
        snprintf(err, sizeof err, "no randomness");
    dx_master_key_id(key, id);
    dx_wipe(key, sizeof key);
    if (rv != 0) {
        fprintf(stderr, "%s: %s\n", s_prog, err);
        return rv == DX_ERR_EXISTS ? 1 : dx_exit_code(rv);
    }
    dx_master_id_text(id, text);
    printf("wrote %s (master key %s, mode 0600): keep it apart from the data directory and "
           "its backups\n", argv[1], text);
    return 0;
}

static int s_master_rotate(int argc, char **argv)
{
    dx_cli_conn_t conn;
    int first = dx_cli_parse(argc, argv, s_prog, &conn);
    if (first < 0)
        return 2;
    if (first != argc)
        return s_usage(stderr, 2);
    Dx__Request req = DX__REQUEST__INIT;
    Dx__RotateMasterKeyRequest rr = DX__ROTATE_MASTER_KEY_REQUEST__INIT;
    Dx__Reply *reply = NULL;
    req.body_case = DX__REQUEST__BODY_ROTATE_MASTER_KEY;
    req.rotate_master_key = &rr;
    int rv = s_ask(&conn, &req, DX__REPLY__BODY_MASTER_KEY_ROTATED, &reply);
    if (rv != 0)
        return rv;
    printf("master key rotated: %s -> %s, %u content keys rewrapped\n",
           reply->master_key_rotated->old_id, reply->master_key_rotated->new_id,
           reply->master_key_rotated->keys);
    wire_reply_free(&reply);
    return 0;
}

/* The commands: the words that name one, and its handler, which gets the
 * arguments from its last word on. */
static const struct {
    const char *word1, *word2;
    int (*fn)(int argc, char **argv);
} s_commands[] = {
    { "keygen", NULL, s_keygen },
    { "backup", "check", s_backup_check },
    { "backup", NULL, s_backup },
    { "status", NULL, s_status },
    { "reload", NULL, s_reload },
    { "erase", NULL, s_erase },
    { "master-key", "new", s_master_new },
    { "master-key", "rotate", s_master_rotate },
    { "master-key", "retire", s_master_retire },
    { "policy", "check", s_check },
    { "policy", "explain", s_explain },
    { "policy", "test", s_test },
};

int main(int argc, char **argv)
{
    if (dx_version_asked(argc, argv, "dx-admin"))
        return 0;
    if (argc < 2)
        return s_usage(stderr, 2);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return s_usage(stdout, 0);
    for (size_t i = 0; i < sizeof s_commands / sizeof s_commands[0]; i++) {
        if (strcmp(argv[1], s_commands[i].word1) != 0)
            continue;
        if (!s_commands[i].word2)
            return s_commands[i].fn(argc - 1, argv + 1);
        if (argc >= 3 && strcmp(argv[2], s_commands[i].word2) == 0)
            return s_commands[i].fn(argc - 2, argv + 2);
    }
    return s_usage(stderr, 2);
}
