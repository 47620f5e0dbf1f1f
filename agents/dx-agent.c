/* dx-agent: a department's client (DESIGN §7).
 *
 *   dx-agent --broker ENDPOINT --broker-pub FILE --key FILE COMMAND ...
 *     publish NAME FILE [--classification C] [--content-type T]
 *     fetch NAME[@VERSION] --purpose P -o FILE
 *     list [PATTERN]
 *     info NAME[@VERSION]
 *     deliveries NAME[@VERSION]
 *     run --config FILE           the agent as a service (agent_run.c)
 *     resync                      accept a restored broker's log (witness.c, agent_inbox.c)
 */
#include "agent.h"
#include "cli.h"
#include "delivery.h"
#include "dxtime.h"
#include "encode.h"
#include "media.h"
#include "policy.h"
#include "progress.h"
#include "transfer.h"
#include "version.h"
#include "wire.h"
#include "witness.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <malloc.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *s_prog = "dx-agent";

typedef struct {
    dx_cli_conn_t conn;
    const char *classification;
    const char *content_type;
    const char *purpose;
    const char *output;
    const char *state_dir;
    char **args;
    int nargs;
} opts_t;

static int s_usage(FILE *out, int status)
{
    fprintf(out,
            "usage: dx-agent [--broker ENDPOINT] [--broker-pub FILE] [--key FILE] [--config FILE]\n"
            "                [--timeout SECONDS] [--next-key FILE]\n"
            "                [--pkcs11-module LIB --pkcs11-pin-file FILE]\n"
            "                COMMAND ...\n"
            "  publish NAME FILE [--classification public|internal|restricted|secret]\n"
            "                    [--content-type TYPE]\n"
            "  fetch NAME[@VERSION] --purpose PURPOSE -o FILE\n"
            "  list [PATTERN]\n"
            "  info NAME[@VERSION]\n"
            "  deliveries NAME[@VERSION]   who received what you published (member, purpose,\n"
            "                              time, whether their signed delivery receipt arrived)\n"
            "  run --config FILE           the agent as a service: outboxes, subscriptions and\n"
            "                              inboxes from the file (README, \"Running an agent\")\n"
            "  resync                      after the broker was restored from a backup: accept\n"
            "                              its log, keep the old head, re-check every inbox\n"
            "  --state-dir DIR   where the last signed head of the broker's audit log is kept\n"
            "                    (default $DX_STATE_DIR, else $HOME/.dx): every receipt and\n"
            "                    fetch must come with a head that extends it (exit 4 if not)\n"
            "The connection settings may also come from DX_BROKER, DX_BROKER_PUB, DX_KEY,\n"
            "DX_TIMEOUT or a YAML --config file (broker:, broker_pub:, key:, timeout:,\n"
            "next_key:, pkcs11-module:, pkcs11-pin-file:). --next-key: a key rotation's next\n"
            "key, tried first; the key of --key serves while the broker does not take it yet.\n"
            "The last two are for a key file that names a signing key in a PKCS#11 token\n"
            "(dx-admin keygen, given a pkcs11: URI).\n"
            "--version prints the version.\n"
            "Exit status: 0 ok, 1 error, 2 usage, 3 denied by policy or a key the broker\n"
            "does not admit, 4 integrity failure, 5 broker unreachable or timed out.\n");
    return status;
}

static int s_fail(int rv, const char *msg) { return dx_cli_fail(s_prog, rv, msg); }

static const char *s_state_dir(const opts_t *o, char buf[4096])
{
    return o->state_dir ? o->state_dir : o->conn.state[0] ? o->conn.state : dx_witness_default_dir(buf);
}

/* The broker's head must extend the one this agent saw before. */
static int s_witness(const opts_t *o, dx_client_t *c, const dx_pubkeys_t *broker, const uint8_t *head,
                     size_t len, char err[DX_ERRMSG])
{
    char buf[4096];
    return dx_witness(c, broker, s_state_dir(o, buf), head, len, err);
}

/* What every command runs with, once connected. */
typedef struct {
    dx_client_t *c;
    const dx_keypair_t *me;
    const dx_pubkeys_t *broker;
    const dx_signer_t *signer;   /* me's signing key */
} agent_t;

static int s_publish(const opts_t *o, const agent_t *a)
{
    char err[DX_ERRMSG];
    dx_client_t *c = a->c;
    const dx_keypair_t *me = a->me;
    const dx_pubkeys_t *broker = a->broker;
    const char *name = o->args[1], *path = o->args[2];
    if (!dx_dataset_name_valid(name)) {
        fprintf(stderr, "%s: '%s' is not a valid dataset name (segments of [a-z0-9._-] joined by '/')\n",
                s_prog, name);
        return 2;
    }
    int cls = DX_CLASS_INTERNAL;
    if (o->classification && !(cls = dx_class_parse(o->classification))) {
        fprintf(stderr, "%s: --classification: public, internal, restricted or secret\n", s_prog);
        return 2;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, sizeof err, "cannot open %s: %s", path, strerror(errno));
        return s_fail(DX_ERR_IO, err);
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        snprintf(err, sizeof err, "%s is not a regular file", path);
        return s_fail(DX_ERR_IO, err);
    }
    uint8_t sha[DX_SHA256_LEN], sig[DX_SIG_LEN], *manifest = NULL;
    size_t mlen = 0;
    uint64_t size = 0;
    dx_receipt_t receipt;
    int rv = dx_hash_fd(fd, sha, &size, err);
    if (rv == 0) {
        dx_manifest_opts_t mo = { .dataset = name, .publisher = me->pub.id,
                                  .content_type = o->content_type ? o->content_type : dx_media_guess(path),
                                  .classification = cls, .sha256 = sha, .size = size };
        rv = dx_manifest_build(&mo, &manifest, &mlen, err);
    }
    if (rv == 0 && (rv = dx_signer_sign(a->signer, DX_CTX_MANIFEST, manifest, mlen, sig)) != 0)
        snprintf(err, sizeof err, "cannot sign the manifest");
    if (rv == 0)
        rv = dx_publish(c, broker, manifest, mlen, sig, fd, size, &receipt, err);
    close(fd);
    free(manifest);
    if (rv != 0)
        return s_fail(rv, err);
    if ((rv = s_witness(o, c, broker, receipt.head, receipt.head_len, err)) != 0) {
        fprintf(stderr, "%s: published %s version %llu, but: %s\n", s_prog, receipt.dataset,
                (unsigned long long)receipt.version, err);
        return dx_exit_code(rv);
    }
    char hex[65], t[DX_TIME_TEXT];
    dx_hex_encode(sha, DX_SHA256_LEN, hex);
    dx_time_format(receipt.time_ms, t);
    printf("published %s version %llu (%llu bytes, sha256 %s) at %s, audit record %llu\n",
           receipt.dataset, (unsigned long long)receipt.version, (unsigned long long)size, hex, t,
           (unsigned long long)receipt.audit_seq);
    return 0;
}

static int s_fetch(const opts_t *o, const agent_t *a)
{
    char err[DX_ERRMSG], name[DX_NAME_MAX + 1];
    dx_client_t *c = a->c;
    const dx_pubkeys_t *broker = a->broker;
    uint64_t version;
    if (!o->output || !o->purpose) {
        fprintf(stderr, "%s: fetch needs NAME[@VERSION], --purpose P and -o FILE\n", s_prog);
        return 2;
    }
    if (dx_parse_ref(o->args[1], name, &version) != 0) {
        fprintf(stderr, "%s: '%s' is not NAME or NAME@VERSION\n", s_prog, o->args[1]);
        return 2;
    }
    if (!dx_token_valid(o->purpose)) {
        fprintf(stderr, "%s: --purpose: a word of [a-z0-9._-], like statistics\n", s_prog);
        return 2;
    }
    /* Write beside the target and rename at the end: a refused or broken
     * fetch leaves no output file. */
    char tmp[DX_PATH_MAX + 32];
    snprintf(tmp, sizeof tmp, "%s.dx-partial-XXXXXX", o->output);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, sizeof err, "cannot create %s: %s", o->output, strerror(errno));
        return s_fail(DX_ERR_IO, err);
    }
    dx_fetch_result_t res;
    int rv = dx_fetch(c, broker, name, version, o->purpose, fd, &res, err);
    if (rv == 0)
        rv = s_witness(o, c, broker, res.head, res.head_len, err);
    if (rv == 0 && fsync(fd) != 0) {
        snprintf(err, sizeof err, "cannot write %s: %s", o->output, strerror(errno));
        rv = DX_ERR_IO;
    }
    if (close(fd) != 0 && rv == 0) {
        snprintf(err, sizeof err, "cannot write %s: %s", o->output, strerror(errno));
        rv = DX_ERR_IO;
    }
    if (rv == 0 && rename(tmp, o->output) != 0) {
        snprintf(err, sizeof err, "cannot write %s: %s", o->output, strerror(errno));
        rv = DX_ERR_IO;
    }
    if (rv != 0) {
        unlink(tmp);
        return s_fail(rv, err);
    }
    char hex[65];
    dx_hex_encode(res.sha256, DX_SHA256_LEN, hex);
    /* In place: sign for what arrived. The fetch stands if this fails. */
    uint64_t seq = 0;
    if (dx_delivery_send(c, a->me, a->signer, res.dataset, res.version, res.sha256, res.filtered, o->purpose, &seq,
                         err) != 0)
        fprintf(stderr, "%s: warning: the delivery receipt was not accepted: %s\n", s_prog, err);
    if (res.filtered)
        printf("fetched %s@%llu to %s: filtered view by rule %s (%s), %llu bytes, sha256 %s, "
               "signed by the broker\n", res.dataset, (unsigned long long)res.version, o->output,
               res.rule_id, res.fields, (unsigned long long)res.size, hex);
    else
        printf("fetched %s@%llu to %s: %llu bytes, sha256 %s, signed by %s\n", res.dataset,
               (unsigned long long)res.version, o->output, (unsigned long long)res.size, hex,
               res.publisher);
    return 0;
}

static void s_print_info(const Dx__DatasetInfo *d)
{
    /* the broker tells size and hash to the publisher only (dx.proto) */
    char hex[65] = "- (shown to the publisher only)", size[32] = "-", t[DX_TIME_TEXT];
    if (d->sha256.len == DX_SHA256_LEN) {
        dx_hex_encode(d->sha256.data, DX_SHA256_LEN, hex);
        snprintf(size, sizeof size, "%llu", (unsigned long long)d->size);
    }
    dx_time_format(d->published_ms, t);
    printf("dataset:        %s\nversion:        %llu (of %llu)\npublisher:      %s\n"
           "size:           %s\nsha256:         %s\ncontent-type:   %s\n"
           "classification: %s\npublished:      %s\n",
           d->dataset, (unsigned long long)d->version, (unsigned long long)d->versions,
           d->publisher, size, hex, d->content_type,
           dx_class_name((dx_class_t)d->classification), t);
    if (d->erased) {
        dx_time_format(d->erased->time_ms, t);
        printf("erased:         %s%s%s%s%s (the content is gone; its hashes and the audit log "
               "remain)\n", t, d->erased->by[0] ? " by " : "", d->erased->by,
               d->erased->reason[0] ? ": " : "", d->erased->reason);
    }
}

static int s_list(const opts_t *o, const agent_t *a)
{
    char err[DX_ERRMSG];
    dx_client_t *c = a->c;
    const char *pattern = o->nargs == 2 ? o->args[1] : "";
    if (pattern[0] && !dx_glob_valid(pattern)) {
        fprintf(stderr, "%s: '%s' is not a valid pattern (like health/**)\n", s_prog, pattern);
        return 2;
    }
    /* The broker pages the list; this prints every page, header once. A
     * page ends at a name shown (next_after), or where the broker's scan
     * stopped (an opaque cursor). */
    char after[DX_NAME_MAX + 1] = "";
    uint8_t cursor[DX_CURSOR_MAX];
    size_t cursor_len = 0;
    bool header = false; /* printed with the first answer: a refusal prints no table */
    for (;;) {
        Dx__Request req = DX__REQUEST__INIT;
        Dx__ListRequest lr = DX__LIST_REQUEST__INIT;
        Dx__Reply *reply = NULL;
        lr.pattern = (char *)pattern;
        lr.after = after;
        lr.cursor.data = cursor;
        lr.cursor.len = cursor_len;
        req.body_case = DX__REQUEST__BODY_LIST;
        req.list = &lr;
        int rv = dx_client_call(c, &req, &reply, err);
        if (rv != 0)
            return s_fail(rv, err);
        if (reply->body_case != DX__REPLY__BODY_LIST ||
            (reply->list->next_after[0] && strcmp(reply->list->next_after, after) <= 0) ||
            reply->list->cursor.len > sizeof cursor) {
            wire_reply_free(&reply);
            return s_fail(DX_ERR_PROTOCOL, "unexpected reply from the broker");
        }
        if (!header) {
            printf("%-40s %8s %12s %-12s %-14s %s\n", "DATASET", "VERSION", "SIZE", "CLASS",
                   "PUBLISHER", "PUBLISHED");
            header = true;
        }
        for (size_t i = 0; i < reply->list->n_datasets; i++) {
            const Dx__DatasetInfo *d = reply->list->datasets[i];
            char t[DX_TIME_TEXT], size[32] = "-";
            if (d->sha256.len == DX_SHA256_LEN)
                snprintf(size, sizeof size, "%llu", (unsigned long long)d->size);
            dx_time_format(d->published_ms, t);
            printf("%-40s %8llu %12s %-12s %-14s %s%s\n", d->dataset, (unsigned long long)d->version,
                   size, dx_class_name((dx_class_t)d->classification), d->publisher, t,
                   d->erased ? " (erased)" : "");
        }
        bool done = reply->list->next_after[0] == '\0' && reply->list->cursor.len == 0;
        snprintf(after, sizeof after, "%s", reply->list->next_after);
        cursor_len = reply->list->next_after[0] ? 0 : reply->list->cursor.len;
        if (cursor_len)
            memcpy(cursor, reply->list->cursor.data, cursor_len);
        wire_reply_free(&reply);
        if (done)
            return 0;
    }
}

static int s_info(const opts_t *o, const agent_t *a)
{
    dx_client_t *c = a->c;
    char err[DX_ERRMSG], name[DX_NAME_MAX + 1];
    uint64_t version;
    if (dx_parse_ref(o->args[1], name, &version) != 0) {
        fprintf(stderr, "%s: '%s' is not NAME or NAME@VERSION\n", s_prog, o->args[1]);
        return 2;
    }
    Dx__Request req = DX__REQUEST__INIT;
    Dx__InfoRequest ir = DX__INFO_REQUEST__INIT;
    Dx__Reply *reply = NULL;
    ir.dataset = name;
    ir.version = version;
    req.body_case = DX__REQUEST__BODY_INFO;
    req.info = &ir;
    int rv = dx_client_call(c, &req, &reply, err);
    if (rv != 0)
        return s_fail(rv, err);
    if (reply->body_case != DX__REPLY__BODY_INFO) {
        wire_reply_free(&reply);
        return s_fail(DX_ERR_PROTOCOL, "unexpected reply from the broker");
    }
    s_print_info(reply->info);
    wire_reply_free(&reply);
    return 0;
}

static int s_deliveries(const opts_t *o, const agent_t *a)
{
    char err[DX_ERRMSG], name[DX_NAME_MAX + 1];
    uint64_t version;
    Dx__Reply *reply = NULL;
    if (dx_parse_ref(o->args[1], name, &version) != 0) {
        fprintf(stderr, "%s: '%s' is not NAME or NAME@VERSION\n", s_prog, o->args[1]);
        return 2;
    }
    /* paged by the broker: every page, the header once (with the first) */
    Dx__Reply *prev = NULL;
    int rv = 0;
    for (int page = 0; page < 1000000; page++) {
        if ((rv = dx_deliveries(a->c, name, version, prev ? prev->deliveries : NULL, &reply, err)) != 0)
            break;
        wire_reply_free(&prev);
        if (page == 0)
            printf("%-40s %8s %-16s %-14s %-24s %-9s %s\n", "DATASET", "VERSION", "MEMBER", "PURPOSE",
                   "FETCHED", "VIEW", "DELIVERY RECEIPT");
        for (size_t i = 0; i < reply->deliveries->n_deliveries; i++) {
            const Dx__Delivery *d = reply->deliveries->deliveries[i];
            char fetched[DX_TIME_TEXT], received[DX_TIME_TEXT + 32] = "not received";
            dx_time_format(d->fetched_ms, fetched);
            if (d->receipt_ms) {
                char t[DX_TIME_TEXT];
                dx_time_format(d->receipt_ms, t);
                snprintf(received, sizeof received, "%s (record %llu)", t,
                         (unsigned long long)d->receipt_seq);
            }
            if (d->refused[0])
                snprintf(received, sizeof received, "VIEW REFUSED (record %llu): ",
                         (unsigned long long)d->read_seq);
            printf("%-40s %8llu %-16s %-14s %-24s %-9s %s%s\n", d->dataset, (unsigned long long)d->version,
                   d->member, d->purpose, fetched, d->filtered ? "filtered" : "whole", received,
                   d->refused);
        }
        bool more = reply->deliveries->more &&
                    (reply->deliveries->n_deliveries || reply->deliveries->cursor.len);
        prev = reply;
        reply = NULL;
        if (!more)
            break;
    }
    wire_reply_free(&prev);
    return rv ? s_fail(rv, err) : 0;
}

/* After a restore: the broker's current head replaces the saved one (kept
 * beside it), and every subscription re-reads the feed from the start,
 * comparing what it holds with what the broker has now (agent_inbox.c). */
static int s_resync(const opts_t *o, const agent_t *a)
{
    char buf[4096], err[DX_ERRMSG], t1[DX_TIME_TEXT], t2[DX_TIME_TEXT];
    const char *dir = s_state_dir(o, buf);
    dx_witness_resync_t r;
    int rv = dx_witness_resync(a->c, a->broker, dir, &r, err);
    if (rv != 0)
        return s_fail(rv, err);
    dx_time_format(r.old_ms, t1);
    dx_time_format(r.new_ms, t2);
    if (!r.rolled_back && r.old_size) {
        printf("nothing to resync: the broker's log (%" PRIu64 " records) extends the head saved "
               "in %s (%" PRIu64 " records, %s)\n", r.new_size, dir, r.old_size, t1);
        return 0;
    }
    size_t n = 0;
    if ((rv = agent_inbox_recheck_all(dir, &n, err)) != 0)
        return s_fail(rv, err);
    if (r.rolled_back)
        printf("accepted the broker's log of %" PRIu64 " records (signed %s) in place of the %" PRIu64
               " records signed %s, kept in %s/heads/%s\n", r.new_size, t2, r.old_size, t1, dir, r.kept);
    else
        printf("saved the broker's head: %" PRIu64 " records (signed %s)\n", r.new_size, t2);
    printf("%zu subscription%s will read the feed from the start and re-fetch every version whose "
           "bytes differ from the file in the inbox (the old file is kept, renamed)\n", n,
           n == 1 ? "" : "s");
    return 0;
}

/* The commands: name, handler, and how many arguments follow the name. */
static const struct {
    const char *name;
    int (*fn)(const opts_t *o, const agent_t *a);
    int min_args, max_args;
} s_commands[] = {
    { "publish", s_publish, 2, 2 },
    { "fetch", s_fetch, 1, 1 },
    { "list", s_list, 0, 1 },
    { "info", s_info, 1, 1 },
    { "deliveries", s_deliveries, 1, 1 },
    { "resync", s_resync, 0, 0 },
    { "run", NULL, 0, 0 },
};

#define NCOMMANDS (sizeof s_commands / sizeof s_commands[0])

int main(int argc, char **argv)
{
    if (dx_version_asked(argc, argv, "dx-agent"))
        return 0;
    static const struct option opts[] = {
        DX_CLI_OPTIONS,
        { "classification", required_argument, NULL, 'C' },
        { "content-type", required_argument, NULL, 'T' },
        { "purpose", required_argument, NULL, 'P' },
        { "output", required_argument, NULL, 'o' },
        { "state-dir", required_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    opts_t o;
    memset(&o, 0, sizeof o);
    /* as in dx-broker: 1 MiB chunks stay in the heap, not one mmap each */
    mallopt(M_MMAP_THRESHOLD, 8 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    int ch;
    while ((ch = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'C': o.classification = optarg; break;
        case 'T': o.content_type = optarg; break;
        case 'P': o.purpose = optarg; break;
        case 'o': o.output = optarg; break;
        case 's': o.state_dir = optarg; break;
        case 'h': return s_usage(stdout, 0);
        default: {
            int r = dx_cli_option(&o.conn, ch, optarg, s_prog);
            if (r <= 0)
                return r < 0 ? 2 : s_usage(stderr, 2);
        }
        }
    }
    o.args = argv + optind;
    o.nargs = argc - optind;
    if (o.nargs < 1)
        return s_usage(stderr, 2);
    size_t k;
    for (k = 0; k < NCOMMANDS && strcmp(o.args[0], s_commands[k].name) != 0; k++)
        ;
    if (k == NCOMMANDS) {
        char names[128] = "";
        for (size_t i = 0; i < NCOMMANDS; i++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "",
                     s_commands[i].name);
        fprintf(stderr, "%s: unknown command '%s' (%s)\n", s_prog, o.args[0], names);
        return 2;
    }
    if (o.nargs - 1 < s_commands[k].min_args || o.nargs - 1 > s_commands[k].max_args)
        return s_usage(stderr, 2);
    dx_media_t media;
    if (o.content_type && (strlen(o.content_type) > DX_MAX_CONTENT_TYPE ||
                           dx_media_parse(o.content_type, &media) != 0)) {
        fprintf(stderr, "%s: --content-type: a media type of at most %d characters, like text/csv "
                "or \"text/csv; charset=utf-8\"\n", s_prog, DX_MAX_CONTENT_TYPE);
        return 2;
    }
    char err[DX_ERRMSG];
    dx_keypair_t me;
    dx_pubkeys_t broker;
    dx_client_t *c = NULL;
    o.conn.agent_sections = true; /* one file serves the service and the commands */
    if (!s_commands[k].fn) { /* run */
        if (!o.conn.config) {
            fprintf(stderr, "%s: run needs --config FILE\n", s_prog);
            return 2;
        }
        int rv = dx_cli_resolve(&o.conn, err);
        if (rv == 0)
            rv = agent_run(&o.conn, o.conn.config);
        else
            fprintf(stderr, "%s: %s\n", s_prog, err);
        return dx_exit_code(rv);
    }
    dx_signer_t *signer = NULL;
    int rv = dx_cli_open(&o.conn, &me, &broker, &c, err);
    if (rv == 0)
        rv = dx_cli_signer(&o.conn, &me, &signer, err);
    if (rv != 0) {
        dx_client_destroy(&c);
        dx_keypair_wipe(&me);
        return s_fail(rv, err);
    }
    agent_t a = { c, &me, &broker, signer };
    dx_progress_enable(); /* a bar on long transfers, when stderr is a terminal */
    int status = s_commands[k].fn(&o, &a);
    dx_signer_destroy(&signer);
    dx_client_destroy(&c);
    dx_keypair_wipe(&me);
    return status;
}
