/* dx-audit: the auditor's tool (DESIGN §7).
 *
 *   dx-audit --broker ENDPOINT --broker-pub FILE --key FILE COMMAND ...
 *   dx-audit --db DIR --broker-pub FILE COMMAND ...      (offline, read-only)
 *     query [--since T] [--until T] [--member M] [--dataset PATTERN]
 *           [--action A] [--decision D] [--purpose P] [--rule R] [--version V]
 *           [--format table|json|csv] [--limit N] [--with-proofs]
 *     verify [--since-head FILE]
 *     verify --file FILE                          (an export; needs only --broker-pub)
 *     prove SEQ [--size N]
 *     consistency [OLD [NEW]] [--old-head FILE]
 *     head [--vkey]
 *     heads
 *     export [--since T] [--until T] > FILE
 *     report --out FILE.html [--since T] [--until T]
 *     policy SHA256 [--out DIR]
 *     timestamps [--out DIR]
 *   with --tsa-ca FILE [--tsa-policy OID]: time-stamp tokens checked
 */
#include "audit_cmds.h"
#include "audit_stamps.h"
#include "audit_view.h"
#include "dxtime.h"
#include "names.h"
#include "version.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *audit_prog = "dx-audit";

static int s_usage(FILE *out, int status)
{
    fprintf(out,
            "usage: dx-audit [--broker ENDPOINT --key FILE | --db DIR] --broker-pub FILE\n"
            "                [--timeout SECONDS] [--config FILE] COMMAND\n"
            "  query [--since T] [--until T] [--member M] [--dataset PATTERN] [--action A]\n"
            "        [--decision allow|deny] [--purpose P] [--rule R] [--version V]\n"
            "        [--format table|json|csv] [--limit N] [--with-proofs]\n"
            "  verify [--since-head FILE]     recompute the log and check every signed head\n"
            "  verify --file FILE             check an export (needs only --broker-pub)\n"
            "  prove SEQ [--size N]           inclusion proof of record SEQ\n"
            "  consistency [OLD [NEW]] [--old-head FILE] [--proof]   the log of NEW extends that of OLD\n"
            "                                 (--proof: print the proof's hashes and both heads)\n"
            "  head [--vkey]                  the current signed head (save it: head > FILE)\n"
            "  heads                          the history of signed heads\n"
            "  export [--since T] [--until T] records with proofs, to stdout\n"
            "  policy SHA256 [--out DIR]      a policy set that was in force (the records'\n"
            "                                 policy_sha256), checked against its hash; printed,\n"
            "                                 or its files written into DIR\n"
            "  timestamps [--out DIR]         the RFC 3161 tokens over heads, checked; or each\n"
            "                                 head and token written into DIR (N.head, N.tsr)\n"
            "  report --out FILE.html [--since T] [--until T]\n"
            "                                 the data office's page: exchanges, who shares with\n"
            "                                 whom, refusals, purposes, receipts, erasures, from\n"
            "                                 the records of the range once the whole log verified\n"
            "verify, head, prove, consistency and timestamps check time-stamp tokens against\n"
            "--tsa-ca FILE (the authority's CA) and --tsa-policy OID when given.\n"
            "Times are RFC 3339 (2026-11-28T10:00:00Z) or dates (2026-11-28).\n"
            "The connection settings may also come from DX_BROKER, DX_BROKER_PUB, DX_KEY,\n"
            "DX_TIMEOUT or a YAML --config file (broker:, broker_pub:, key:, timeout:).\n"
            "--version (alone) prints the version.\n"
            "Exit status: 0 ok, 1 error, 2 usage, 3 denied (or a key the broker does not admit),\n"
            "4 the log fails verification,\n"
            "5 broker unreachable or timed out.\n");
    return status;
}

int audit_fail(int rv, const char *msg) { return dx_cli_fail(audit_prog, rv, msg); }

static int s_number(const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end || end == text || text[0] == '-')
        return DX_ERR_USAGE;
    *out = v;
    return 0;
}

static int s_bad(const char *what)
{
    fprintf(stderr, "%s: %s\n", audit_prog, what);
    return 2;
}

int main(int argc, char **argv)
{
    if (dx_version_asked(argc, argv, "dx-audit"))
        return 0;
    static const struct option opts[] = {
        DX_CLI_OPTIONS,
        { "db", required_argument, NULL, 'D' },        { "since", required_argument, NULL, 'S' },
        { "until", required_argument, NULL, 'U' },     { "member", required_argument, NULL, 'M' },
        { "dataset", required_argument, NULL, 'd' },   { "action", required_argument, NULL, 'A' },
        { "decision", required_argument, NULL, 'E' },  { "purpose", required_argument, NULL, 'P' },
        { "rule", required_argument, NULL, 'R' },      { "version", required_argument, NULL, 'V' },
        { "format", required_argument, NULL, 'F' },    { "limit", required_argument, NULL, 'L' },
        { "with-proofs", no_argument, NULL, 'w' },     { "vkey", no_argument, NULL, 'k' },
        { "proof", no_argument, NULL, 'p' },
        { "size", required_argument, NULL, 'z' },      { "since-head", required_argument, NULL, 'H' },
        { "old-head", required_argument, NULL, 'O' },  { "file", required_argument, NULL, 'f' },
        { "out", required_argument, NULL, 'o' },
        { "tsa-ca", required_argument, NULL, 'T' },    { "tsa-policy", required_argument, NULL, 'Y' },
        { "help", no_argument, NULL, 'h' },            { NULL, 0, NULL, 0 },
    };
    dx_cli_conn_t conn;
    audit_opts_t o;
    const char *db = NULL;
    memset(&conn, 0, sizeof conn);
    memset(&o, 0, sizeof o);
    dx__audit_query__init(&o.q);
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'D': db = optarg; break;
        case 'S':
        case 'U':
            if (dx_time_parse(optarg, ch == 'S' ? &o.q.since_ms : &o.q.until_ms) != 0)
                return s_bad("--since/--until: expected an RFC 3339 time or a date");
            break;
        case 'M':
            if (!dx_id_valid(optarg))
                return s_bad("--member: not a valid member id");
            o.q.member = optarg;
            break;
        case 'd':
            if (!dx_glob_valid(optarg))
                return s_bad("--dataset: not a valid dataset pattern");
            o.q.dataset = optarg;
            break;
        case 'A':
            if (!dx_token_valid(optarg))
                return s_bad("--action: like read, list, publish, info, audit, reload");
            o.q.action = optarg;
            break;
        case 'E':
            if (strcmp(optarg, "allow") && strcmp(optarg, "deny") && strcmp(optarg, "ok") &&
                strcmp(optarg, "error"))
                return s_bad("--decision: allow, deny, ok or error");
            o.q.decision = optarg;
            break;
        case 'P':
            if (!dx_token_valid(optarg))
                return s_bad("--purpose: a word of [a-z0-9._-]");
            o.q.purpose = optarg;
            break;
        case 'R':
            if (!dx_token_valid(optarg))
                return s_bad("--rule: a rule id");
            o.q.rule_id = optarg;
            break;
        case 'V':
            if (s_number(optarg, &o.q.version) != 0 || o.q.version == 0)
                return s_bad("--version: a positive number");
            break;
        case 'F':
            if ((o.format = dx_audit_format_parse(optarg)) < 0)
                return s_bad("--format: table, json or csv");
            break;
        case 'L':
            if (s_number(optarg, &o.limit) != 0 || o.limit == 0)
                return s_bad("--limit: a positive number");
            break;
        case 'w': o.with_proofs = true; break;
        case 'k': o.vkey = true; break;
        case 'p': o.show_proof = true; break;
        case 'z':
            if (s_number(optarg, &o.size) != 0 || o.size == 0)
                return s_bad("--size: a positive number of records");
            break;
        case 'H': o.since_head = optarg; break;
        case 'O': o.old_head = optarg; break;
        case 'f': o.file = optarg; break;
        case 'o': o.out = optarg; break;
        case 'T': o.tsa_ca = optarg; break;
        case 'Y': o.tsa_policy = optarg; break;
        case 'h': return s_usage(stdout, 0);
        default: {
            int r = dx_cli_option(&conn, ch, optarg, audit_prog);
            if (r <= 0)
                return r < 0 ? 2 : s_usage(stderr, 2);
        }
        }
    }
    o.args = argv + optind;
    o.nargs = argc - optind;
    if (o.nargs < 1)
        return s_usage(stderr, 2);
    static const struct {
        const char *name;
        int (*fn)(source_t *, const audit_opts_t *);
        int min_args, max_args;
    } cmds[] = {
        { "query", audit_query_cmd, 0, 0 },   { "verify", audit_verify_cmd, 0, 0 },
        { "prove", audit_prove_cmd, 1, 1 },   { "consistency", audit_consistency_cmd, 0, 2 },
        { "head", audit_head_cmd, 0, 0 },     { "heads", audit_heads_cmd, 0, 0 },
        { "export", audit_export_cmd, 0, 0 }, { "policy", audit_policy_cmd, 1, 1 },
        { "timestamps", audit_timestamps_cmd, 0, 0 }, { "report", audit_report_cmd, 0, 0 },
    };
    size_t i, n = sizeof cmds / sizeof cmds[0];
    for (i = 0; i < n; i++)
        if (strcmp(o.args[0], cmds[i].name) == 0)
            break;
    if (i == n) {
        fprintf(stderr, "%s: unknown command '%s' (query, verify, prove, consistency, head, heads, "
                        "export, policy, timestamps, report)\n", audit_prog, o.args[0]);
        return 2;
    }
    if (o.nargs - 1 < cmds[i].min_args || o.nargs - 1 > cmds[i].max_args)
        return s_usage(stderr, 2);
    char err[DX_ERRMSG];
    int rv = dx_cli_resolve(&conn, err);
    if (rv != 0)
        return audit_fail(rv, err);
    if (cmds[i].fn == audit_verify_cmd && o.file) {
        dx_pubkeys_t broker;
        if (!conn.broker_pub[0])
            return s_bad("verify --file needs --broker-pub (or DX_BROKER_PUB)");
        if ((rv = dx_keys_read_public(conn.broker_pub, &broker, err)) != 0)
            return audit_fail(rv, err);
        return audit_verify_file_cmd(&broker, &o);
    }
    o.source_name = db ? db : conn.broker;
    source_t src;
    if ((rv = source_open(&src, &conn, db, err)) != 0) {
        source_close(&src);
        return audit_fail(rv, err);
    }
    int status = cmds[i].fn(&src, &o);
    source_close(&src);
    return status;
}
