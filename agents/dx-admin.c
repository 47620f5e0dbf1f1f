/* dx-admin: the data office's tool.
 *
 *   dx-admin keygen ID --out DIR
 *   dx-admin policy check DIR
 *   dx-admin policy explain DIR --member M --action A --dataset NAME
 *            [--purpose P] [--at TIME] [--classification C]
 *   dx-admin policy test DIR
 *   dx-admin reload [--broker E --broker-pub F --key K | --config FILE]
 *   dx-admin status | erase | master-key rotate   (the broker's, role admin)
 *   dx-admin backup | backup check | master-key new | retire | move
 *            (files alone: admin_keys.c)
 */
#include "admin.h"
#include "cli.h"
#include "dxtime.h"
#include "encode.h"
#include "err.h"
#include "fileio.h"
#include "keys.h"
#include "policy.h"
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

const char *admin_prog = "dx-admin";

int admin_usage(FILE *out, int status)
{
    fprintf(out,
            "usage: dx-admin keygen ID --out DIR\n"
            "       dx-admin keygen ID --out DIR --next --until TIME [--from TIME]\n"
            "                (a member's next key for a rotation, in another DIR than its key;\n"
            "                prints the policy's next: entry; the agent takes it as next_key:)\n"
            "       dx-admin keygen ID --out DIR --pkcs11 URI --pkcs11-module LIB --pkcs11-pin-file F\n"
            "                (the signing key made on a PKCS#11 token, where it stays: not\n"
            "                extractable; DIR/ID.key names it and holds the transport secret)\n"
            "       dx-admin pkcs11 key URI --pkcs11-module LIB --pkcs11-pin-file F\n"
            "                (a token's signing key: its public key in the ed25519: form, and\n"
            "                whether it can leave the token)\n"
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
            "       dx-admin backup check DIR --master-key FILE|URI | --broker-key FILE\n"
            "                [--pkcs11-module LIB --pkcs11-pin-file F]\n"
            "                (whether DIR would restore: every content key opens under the\n"
            "                current master key or one kept by a rotation)\n"
            "       dx-admin content check --data DIR --rados-conf FILE --rados-pool P\n"
            "                --rados-user U [--timeout S] [--all]\n"
            "                (content-store rados: whether the store's catalog and key slots and\n"
            "                the pool agree; exit 4 when they do not; --all: every disagreement)\n"
            "       dx-admin journal status --rados-conf FILE --rados-pool P --rados-user U\n"
            "                (journal rados: the active broker, every member's position and newest\n"
            "                backup, the journal's parts and how far trimming may go)\n"
            "       dx-admin journal trim --rados-conf FILE --rados-pool P --rados-user U\n"
            "                [--backup DIR]\n"
            "                (removes the parts every live member has applied and the newest\n"
            "                backup covers; DIR: a backup of a member's store to count too)\n"
            "       dx-admin erase NAME@VERSION | NAME --all-versions --reason TEXT [--broker E]\n"
            "                [--broker-pub F] [--key K]\n"
            "                (destroys a version's content, or every version's; the catalog entry\n"
            "                and the audit log keep its hashes; subscribers are told through the\n"
            "                feed and remove their copies; role admin)\n"
            "       dx-admin master-key new FILE | URI [--pkcs11-module LIB --pkcs11-pin-file F]\n"
            "                (a new random master key for dx-broker --master-key, mode 0600; or\n"
            "                an AES-256 key made on a token, object=LABEL, never leaving it)\n"
            "       dx-admin master-key rotate [--broker E] [--broker-pub F] [--key K]\n"
            "                (the broker rewraps every content key under a new master key and\n"
            "                makes it the one --master-key names, keeping the old key as\n"
            "                FILE.<id> (LABEL.<id> on a token) for earlier backups; role admin)\n"
            "       dx-admin master-key retire FILE|URI ID [--data DIR] [--pkcs11-module LIB\n"
            "                --pkcs11-pin-file F]\n"
            "                (deletes the kept key FILE.ID or LABEL.ID: backups sealed under it no\n"
            "                longer restore; refused for the current key or the one DIR needs)\n"
            "       dx-admin master-key move --data DIR --to FILE|URI (--master-key FILE|URI |\n"
            "                --broker-key FILE) [--pkcs11-module LIB --pkcs11-pin-file F]\n"
            "                (the broker stopped: every content key rewrapped under the master key\n"
            "                at FILE or URI, made there when missing; the old key stays)\n"
            "       dx-admin opendata export --out DIR --base-url URL [--title T] [--description D]\n"
            "                [--publisher NAME] [--broker E] [--broker-pub F] [--key K]\n"
            "                (role admin: the newest public version of every dataset in an open\n"
            "                namespace, with its signed manifest and receipt, and a DCAT-AP 3\n"
            "                catalogue (catalog.ttl, catalog.jsonld) for a web server to publish;\n"
            "                only what changed is fetched again)\n"
            "       dx-admin --version\n");
    return status;
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
            return admin_usage(stderr, 2);
    }
    if (optind + 1 != argc)
        return admin_usage(stderr, 2);
    const char *dir = argv[optind];
    dx_policy_t *p = NULL;
    dx_diag_t diag;
    dx_pubkeys_t broker;
    char err[DX_ERRMSG];
    if (broker_pub && broker_pub[0] && dx_keys_read_public(broker_pub, &broker, err) != 0) {
        fprintf(stderr, "%s: --broker-pub: %s\n", admin_prog, err);
        return 2;
    }
    int rv = dx_policy_load(dir, &p, &diag);
    if (rv == 0 && broker_pub && broker_pub[0])
        dx_policy_check_broker(p, broker.sign, broker.curve, dir, &diag);
    for (size_t i = 0; i < diag.n; i++)
        fprintf(stderr, "%s\n", diag.lines[i]);
    if (rv != 0) {
        fprintf(stderr, "%s: %s: %zu error(s), %zu warning(s)\n", admin_prog, dir, diag.errors,
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
        return admin_usage(stderr, 2);
    dx_policy_t *p = NULL;
    dx_diag_t diag;
    if (dx_policy_load(argv[1], &p, &diag) != 0) {
        for (size_t i = 0; i < diag.n; i++)
            fprintf(stderr, "%s\n", diag.lines[i]);
        fprintf(stderr, "%s: %s does not load\n", admin_prog, argv[1]);
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
                fprintf(stderr, "%s: --action: read, list or publish\n", admin_prog);
                return 2;
            }
            break;
        case 'd': req.dataset = optarg; break;
        case 'p': req.purpose = optarg; break;
        case 't':
            if (dx_time_parse(optarg, &req.now_ms) != 0) {
                fprintf(stderr, "%s: --at: expected an RFC 3339 time like 2026-06-01T12:00:00Z\n", admin_prog);
                return 2;
            }
            break;
        case 'c': cls = optarg; break;
        default: return admin_usage(stderr, 2);
        }
    }
    if (optind + 1 != argc || !req.member || !req.action || !req.dataset)
        return admin_usage(stderr, 2);
    if (!dx_dataset_name_valid(req.dataset)) {
        fprintf(stderr, "%s: '%s' is not a valid dataset name\n", admin_prog, req.dataset);
        return 2;
    }
    dx_policy_t *p = NULL;
    dx_diag_t diag;
    if (dx_policy_load(argv[optind], &p, &diag) != 0) {
        for (size_t i = 0; i < diag.n; i++)
            fprintf(stderr, "%s\n", diag.lines[i]);
        fprintf(stderr, "%s: %s does not load\n", admin_prog, argv[optind]);
        dx_diag_free(&diag);
        return 1;
    }
    dx_diag_free(&diag);
    const dx_namespace_t *ns = dx_policy_namespace(p, req.dataset);
    req.classification = ns ? ns->classification : DX_CLASS_INTERNAL;
    if (cls && !(req.classification = dx_class_parse(cls))) {
        fprintf(stderr, "%s: --classification: public, internal, restricted or secret\n", admin_prog);
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
        return dx_cli_fail(admin_prog, rv, err);
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
        else if (c == 'F' || dx_cli_option(&conn, c, optarg, admin_prog) <= 0)
            return admin_usage(stderr, 2);
    }
    if (optind != argc)
        return admin_usage(stderr, 2);
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
    bool full = use >= 0.9, refused = st->reload_ms && !st->reload_ok, away = st->content_down_ms != 0;
    bool healthy = !full && !refused && !away && !(strcmp(st->role, "standby") == 0 && st->journal_lag_ms > 60000);
    char down_at[DX_TIME_TEXT] = "-";
    if (away)
        s_time(st->content_down_ms, down_at);
    char reload_at[DX_TIME_TEXT] = "-", rhex[65] = "-", why[512];
    if (st->reload_ms)
        s_time(st->reload_ms, reload_at);
    if (st->refused_policy_sha256.len == DX_SHA256_LEN)
        dx_hex_encode(st->refused_policy_sha256.data, DX_SHA256_LEN, rhex);
    snprintf(why, sizeof why, "%s%s%s%s%s", full ? "the store is over 90% of its map size" : "",
             full && refused ? "; " : "",
             refused ? "the last policy reload was refused: the files on disk are not in force" : "",
             (full || refused) && away ? "; " : "",
             away ? "the content store does not answer: publishes and fetches fail" : "");
    long long uptime = (long long)((st->now_ms - st->started_ms) / 1000);
    bool standby = strcmp(st->role, "standby") == 0;
    /* a standby behind for a minute could not take over now */
    bool lagging = standby && st->journal_lag_ms > 60000;
    if (standby && strcmp(format, "json") != 0) {
        printf("status:          standby%s\nrole:            standby\nversion:         %s\n"
               "started:         %s (up %lld s)\nendpoint:        %s\nactive broker:   %s\n"
               "journal:         entry %llu applied, epoch %llu; %llu behind%s\n",
               lagging ? ", unhealthy: behind the active for over a minute (check its disk and its "
                         "connection to the cluster)"
               : st->journal_lag_entries ? ", catching up" : ", caught up", st->version, started,
               uptime, st->endpoint, st->active_endpoint[0] ? st->active_endpoint : "none yet",
               (unsigned long long)st->journal_position, (unsigned long long)st->journal_epoch,
               (unsigned long long)st->journal_lag_entries,
               st->journal_lag_ms ? " (it takes over only once caught up)" : "");
        wire_reply_free(&reply);
        return lagging ? 1 : 0;
    }
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
               "\"last_commit_us\":%lld,\"commits\":%llu,",
               (unsigned long long)st->reloads_refused, st->members, st->open_transfers,
               st->subscriptions, (unsigned long long)st->store_bytes,
               (unsigned long long)st->map_bytes, (unsigned long long)st->audit_size, last,
               (long long)st->last_commit_us, (unsigned long long)st->commits);
        printf("\"content_store\":");
        dx_json_string(stdout, st->content_store);
        printf(",\"content_down_since\":");
        if (away)
            printf("\"%s\"", down_at);
        else
            printf("null");
        printf(",\"content_down_reason\":");
        dx_json_string(stdout, st->content_down_reason);
        printf(",\"role\":");
        dx_json_string(stdout, st->role[0] ? st->role : "alone");
        printf(",\"journal_epoch\":%llu,\"journal_position\":%llu,\"journal_lag_entries\":%llu,"
               "\"journal_lag_ms\":%lld,\"active_endpoint\":", (unsigned long long)st->journal_epoch,
               (unsigned long long)st->journal_position, (unsigned long long)st->journal_lag_entries,
               (long long)st->journal_lag_ms);
        dx_json_string(stdout, st->active_endpoint);
        printf(",\"tsa_url\":");
        dx_json_string(stdout, st->tsa_url);
        printf(",\"timestamp_age_s\":");
        if (st->stamp_time_ms)
            printf("%lld", (long long)((st->now_ms - st->stamp_time_ms) / 1000));
        else
            printf("null");
        printf(",\"timestamp_head_size\":%llu,\"timestamp_error\":", (unsigned long long)st->stamp_head_size);
        dx_json_string(stdout, st->stamp_error);
        printf("}\n");
    } else {
        printf("status:          %s%s\nversion:         %s\nstarted:         %s (up %lld s)\n"
               "endpoint:        %s\npolicy:          sha256 %s, loaded %s\n",
               healthy ? "healthy" : "unhealthy: ", healthy ? "" : why, st->version, started, uptime,
               st->endpoint, hex, loaded);
        if (st->role[0])
            printf("role:            %s\njournal:         entry %llu, epoch %llu\n", st->role,
                   (unsigned long long)st->journal_position, (unsigned long long)st->journal_epoch);
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
        printf("content store:   %s\n", st->content_store[0] ? st->content_store : "lmdb");
        if (away)
            printf("                 UNAVAILABLE since %s: %s\n"
                   "                 check the cluster (ceph -s); the broker resumes by itself when "
                   "it answers\n", down_at, st->content_down_reason);
        if (st->tsa_url[0]) {
            char stamped[DX_TIME_TEXT];
            s_time(st->stamp_time_ms, stamped);
            if (st->stamp_time_ms)
                printf("timestamps:      the newest %lld s old (%s), over the head of %llu records; by %s\n",
                       (long long)((st->now_ms - st->stamp_time_ms) / 1000), stamped,
                       (unsigned long long)st->stamp_head_size, st->tsa_url);
            else
                printf("timestamps:      none yet; by %s\n", st->tsa_url);
            if (st->stamp_error[0])
                printf("                 the last request failed: %s\n"
                       "                 publishes go on; the newest head is stamped once the "
                       "authority answers\n", st->stamp_error);
        }
    }
    wire_reply_free(&reply);
    return healthy ? 0 : 1;
}

static int s_reload(int argc, char **argv)
{
    dx_cli_conn_t conn;
    int first = dx_cli_parse(argc, argv, admin_prog, &conn);
    if (first < 0)
        return 2;
    if (first != argc)
        return admin_usage(stderr, 2);
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
        fprintf(stderr, "%s: %s (the broker keeps the set with sha256 %s)\n", admin_prog, r->summary, hex);
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
        else if (dx_cli_option(&conn, c, optarg, admin_prog) <= 0)
            return admin_usage(stderr, 2);
    }
    if (optind + 1 != argc || !why)
        return admin_usage(stderr, 2);
    if (dx_parse_ref(argv[optind], name, &version) != 0) {
        fprintf(stderr, "%s: '%s' is not NAME or NAME@VERSION\n", admin_prog, argv[optind]);
        return 2;
    }
    /* destroying more than one version is never a default */
    if (version == 0 && !all) {
        fprintf(stderr, "%s: erase %s would destroy every version of it: name one (%s@VERSION), or "
                "add --all-versions\n", admin_prog, name, name);
        return 2;
    }
    if (version != 0 && all) {
        fprintf(stderr, "%s: --all-versions with %s@%llu: name a version or ask for all, not both\n",
                admin_prog, name, (unsigned long long)version);
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

static int s_master_rotate(int argc, char **argv)
{
    dx_cli_conn_t conn;
    int first = dx_cli_parse(argc, argv, admin_prog, &conn);
    if (first < 0)
        return 2;
    if (first != argc)
        return admin_usage(stderr, 2);
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
    { "keygen", NULL, admin_keygen },
    { "pkcs11", "key", admin_pkcs11_key },
    { "backup", "check", admin_backup_check },
    { "backup", NULL, admin_backup },
    { "content", "check", admin_content_check },
    { "journal", "status", admin_journal },
    { "journal", "trim", admin_journal },
    { "status", NULL, s_status },
    { "reload", NULL, s_reload },
    { "erase", NULL, s_erase },
    { "master-key", "new", admin_master_new },
    { "master-key", "rotate", s_master_rotate },
    { "master-key", "retire", admin_master_retire },
    { "master-key", "move", admin_master_move },
    { "opendata", "export", admin_opendata },
    { "policy", "check", s_check },
    { "policy", "explain", s_explain },
    { "policy", "test", s_test },
};

int main(int argc, char **argv)
{
    if (dx_version_asked(argc, argv, "dx-admin"))
        return 0;
    if (argc < 2)
        return admin_usage(stderr, 2);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return admin_usage(stdout, 0);
    for (size_t i = 0; i < sizeof s_commands / sizeof s_commands[0]; i++) {
        if (strcmp(argv[1], s_commands[i].word1) != 0)
            continue;
        if (!s_commands[i].word2)
            return s_commands[i].fn(argc - 1, argv + 1);
        if (argc >= 3 && strcmp(argv[2], s_commands[i].word2) == 0)
            return s_commands[i].fn(argc - 2, argv + 2);
    }
    return admin_usage(stderr, 2);
}
