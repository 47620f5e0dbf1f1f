/* dx-audit: the auditor's tool (DESIGN §7).
 *
 *   dx-audit --broker ENDPOINT --broker-pub FILE --key FILE COMMAND ...
 *   dx-audit --db DIR --broker-pub FILE COMMAND ...      (offline, read-only)
 *     query [--since T] [--until T] [--member M] [--dataset PATTERN]
 *           [--action A] [--decision allow|deny] [--format table|json|csv]
 *           [--limit N]
 *     verify
 *
 * verify recomputes the hash chain from the records themselves and checks
 * it against the broker's signed head: online the broker only hands over
 * records, it is never asked whether they are fine. */
#include "audit_chain.h"
#include "audit_view.h"
#include "cli.h"
#include "dxtime.h"
#include "encode.h"
#include "store.h"
#include "wire.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *s_prog = "dx-audit";

typedef struct {
    dx_cli_conn_t conn;
    const char *db;
    Dx__AuditQuery q;
    int format;
    uint64_t limit;
    char **args;
    int nargs;
} opts_t;

/* Where records come from: the broker or a data directory. */
typedef struct {
    dx_client_t *client;
    store_t *store;
    store_txn_t *txn;
    dx_pubkeys_t broker;
    dx_keypair_t me;
} source_t;

static int s_usage(FILE *out, int status)
{
    fprintf(out,
            "usage: dx-audit [--broker ENDPOINT --key FILE | --db DIR] --broker-pub FILE COMMAND\n"
            "  query [--since T] [--until T] [--member M] [--dataset PATTERN] [--action A]\n"
            "        [--decision allow|deny] [--format table|json|csv] [--limit N]\n"
            "  verify\n"
            "Times are RFC 3339 (2026-11-28T10:00:00Z) or dates (2026-11-28).\n"
            "Exit status: 0 ok, 1 error, 2 usage, 3 denied, 4 the log fails verification,\n"
            "5 broker unreachable or timed out.\n");
    return status;
}

static int s_fail(int rv, const char *msg) { return dx_cli_fail(s_prog, rv, msg); }

static int s_open(const opts_t *o, source_t *src, char err[DX_ERRMSG])
{
    int rv;
    if (o->db) {
        if (!o->conn.broker_pub[0]) {
            snprintf(err, DX_ERRMSG, "--db needs --broker-pub (or DX_BROKER_PUB) to check the "
                                     "broker's signature");
            return DX_ERR_USAGE;
        }
        if ((rv = dx_keys_read_public(o->conn.broker_pub, &src->broker, err)) != 0)
            return rv;
        if ((rv = store_open(o->db, 0, true, &src->store, err)) != 0)
            return rv;
        /* One read snapshot for the whole command: records and head agree
         * even while the broker appends. */
        if ((rv = store_begin(src->store, NULL, false, &src->txn)) != 0)
            snprintf(err, DX_ERRMSG, "cannot read %s: %s", o->db, store_last_error(src->store));
        return rv;
    }
    return dx_cli_connect(&o->conn, &src->me, &src->broker, &src->client, err);
}

static void s_close(source_t *src)
{
    store_abort(&src->txn);
    store_close(&src->store);
    dx_client_destroy(&src->client);
    dx_keypair_wipe(&src->me);
}

/* One page of raw records after `after`: from the broker (a query when q
 * is set, else a verification read) or from the store. */
typedef struct {
    ProtobufCBinaryData *records;
    size_t n;
    uint64_t next_after;
    Dx__Reply *reply;             /* online: owns records and head */
    uint8_t *head_bytes;          /* offline: the stored head */
    size_t head_len;
} page_t;

typedef struct {
    page_t *page;
    size_t cap;
    uint64_t last;
} collect_t;

static int s_collect(void *arg, uint64_t seq, store_val_t val)
{
    collect_t *c = arg;
    if (c->page->n == c->cap)
        return 1;
    c->page->records[c->page->n].data = (uint8_t *)val.data;
    c->page->records[c->page->n].len = val.len;
    c->page->n++;
    c->last = seq;
    return 0;
}

static void s_page_free(page_t *p)
{
    if (p->reply)
        wire_reply_free(&p->reply); /* owns the records */
    else
        free(p->records);
    memset(p, 0, sizeof *p);
}

static int s_page(source_t *src, const Dx__AuditQuery *q, uint64_t after, uint64_t limit, page_t *p,
                  char err[DX_ERRMSG])
{
    int rv;
    memset(p, 0, sizeof *p);
    if (src->client) {
        Dx__Request req = DX__REQUEST__INIT;
        Dx__AuditQuery qq;
        Dx__AuditRead rd = DX__AUDIT_READ__INIT;
        if (q) {
            qq = *q;
            qq.after_seq = after;
            qq.limit = limit;
            req.body_case = DX__REQUEST__BODY_AUDIT_QUERY;
            req.audit_query = &qq;
        } else {
            rd.after_seq = after;
            req.body_case = DX__REQUEST__BODY_AUDIT_READ;
            req.audit_read = &rd;
        }
        if ((rv = dx_client_call(src->client, &req, &p->reply, err)) != 0)
            return rv;
        if (p->reply->body_case != DX__REPLY__BODY_AUDIT) {
            snprintf(err, DX_ERRMSG, "unexpected reply from the broker");
            return DX_ERR_PROTOCOL;
        }
        p->records = p->reply->audit->records;
        p->n = p->reply->audit->n_records;
        p->next_after = p->reply->audit->next_after;
        return 0;
    }
    collect_t c = { .page = p, .cap = DX_MAX_QUERY_PAGE };
    if (!(p->records = calloc(c.cap, sizeof *p->records)))
        return DX_ERR_NOMEM;
    rv = store_audit_each(src->txn, after, s_collect, &c);
    if (rv < 0) {
        snprintf(err, DX_ERRMSG, "cannot read the audit log: %s", dx_strerror(rv));
        return rv;
    }
    p->next_after = rv == 1 ? c.last : 0;
    return 0;
}

/* The signed head: from the first online page, or the store. */
static int s_head(source_t *src, const page_t *first, Dx__Signed **out, char err[DX_ERRMSG])
{
    *out = NULL;
    if (src->client) {
        if (!first->reply->audit->head) {
            snprintf(err, DX_ERRMSG, "the broker sent no signed head");
            return DX_ERR_INTEGRITY;
        }
        char why[DX_ERRMSG];
        uint8_t *bytes = NULL;
        size_t len = 0;
        int rv = wire_pack(&first->reply->audit->head->base, &bytes, &len);
        if (rv == 0 && wire_signed_decode(bytes, len, out, why) != 0)
            rv = DX_ERR_INTEGRITY;
        free(bytes);
        return rv;
    }
    store_val_t v;
    char why[DX_ERRMSG];
    int rv = store_meta_get(src->txn, "head", &v);
    if (rv == DX_ERR_NOT_FOUND) {
        snprintf(err, DX_ERRMSG, "the data directory has no signed head of the audit log");
        return DX_ERR_INTEGRITY;
    }
    if (rv != 0)
        return rv;
    if (wire_signed_decode(v.data, v.len, out, why) != 0) {
        snprintf(err, DX_ERRMSG, "the signed head is malformed: %s", why);
        return DX_ERR_INTEGRITY;
    }
    return 0;
}

static int s_verify(source_t *src)
{
    char err[DX_ERRMSG];
    dx_chain_t chain;
    page_t p;
    Dx__Signed *head = NULL;
    Dx__AuditHead *h = NULL;
    int rv;
    dx_chain_init(&chain);
    if ((rv = s_page(src, NULL, 0, 0, &p, err)) != 0)
        return s_fail(rv, err);
    if ((rv = s_head(src, &p, &head, err)) != 0 || (rv = dx_head_open(head, src->broker.sign, &h, err)) != 0)
        goto out;
    /* Check records up to the head's size; later ones are newer than it. */
    for (;;) {
        for (size_t i = 0; i < p.n && chain.size < h->size; i++)
            if ((rv = dx_chain_append(&chain, p.records[i].data, p.records[i].len, err)) != 0)
                goto out;
        if (!p.next_after || chain.size >= h->size)
            break;
        uint64_t after = p.next_after;
        s_page_free(&p);
        if ((rv = s_page(src, NULL, after, 0, &p, err)) != 0)
            goto out;
    }
    if ((rv = dx_chain_check_head(&chain, head, src->broker.sign, err)) != 0)
        goto out;
    char t[DX_TIME_TEXT], hex[65] = "";
    dx_time_format(h->time_ms, t);
    if (chain.size)
        dx_hex_encode(chain.hash, DX_SHA256_LEN, hex);
    printf("audit log verified: %llu records, hash chain intact, head signed by the broker at %s "
           "(last record hash %s)\n", (unsigned long long)chain.size, t, hex);
out:
    s_page_free(&p);
    wire_free(&head);
    wire_free(&h);
    if (rv != 0) {
        if (rv == DX_ERR_INTEGRITY)
            fprintf(stderr, "%s: VERIFICATION FAILED: %s\n", s_prog, err);
        else
            fprintf(stderr, "%s: %s\n", s_prog, err);
        return dx_exit_code(rv);
    }
    return 0;
}

static int s_query(const opts_t *o, source_t *src)
{
    char err[DX_ERRMSG];
    page_t p;
    uint64_t after = 0, printed = 0;
    int rv;
    bool header = false;
    for (;;) {
        uint64_t want = o->limit ? o->limit - printed : 0;
        if ((rv = s_page(src, &o->q, after, want, &p, err)) != 0)
            return s_fail(rv, err);
        if (!header) {
            dx_audit_print_header(stdout, o->format);
            header = true;
        }
        for (size_t i = 0; i < p.n && (!o->limit || printed < o->limit); i++) {
            Dx__AuditRecord *r = NULL;
            if (wire_audit_decode(p.records[i].data, p.records[i].len, &r, err) != 0) {
                fprintf(stderr, "%s: skipping a corrupt record: %s (run verify)\n", s_prog, err);
                continue;
            }
            if (src->client || dx_audit_matches(&o->q, r)) {
                dx_audit_print(stdout, o->format, r);
                printed++;
            }
            wire_free(&r);
        }
        after = p.next_after;
        s_page_free(&p);
        if (!after || (o->limit && printed >= o->limit))
            break;
    }
    return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        DX_CLI_OPTIONS,                               { "db", required_argument, NULL, 'D' },
        { "since", required_argument, NULL, 'S' },    { "until", required_argument, NULL, 'U' },
        { "member", required_argument, NULL, 'M' },   { "dataset", required_argument, NULL, 'd' },
        { "action", required_argument, NULL, 'A' },   { "decision", required_argument, NULL, 'E' },
        { "format", required_argument, NULL, 'F' },   { "limit", required_argument, NULL, 'L' },
        { "help", no_argument, NULL, 'h' },           { NULL, 0, NULL, 0 },
    };
    opts_t o;
    memset(&o, 0, sizeof o);
    dx__audit_query__init(&o.q);
    int ch;
    char *end;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'D': o.db = optarg; break;
        case 'S':
        case 'U':
            if (dx_time_parse(optarg, ch == 'S' ? &o.q.since_ms : &o.q.until_ms) != 0) {
                fprintf(stderr, "%s: --%s: expected an RFC 3339 time or a date\n", s_prog,
                        ch == 'S' ? "since" : "until");
                return 2;
            }
            break;
        case 'M':
            if (!dx_id_valid(optarg)) {
                fprintf(stderr, "%s: --member: not a valid member id\n", s_prog);
                return 2;
            }
            o.q.member = optarg;
            break;
        case 'd':
            if (!dx_glob_valid(optarg)) {
                fprintf(stderr, "%s: --dataset: not a valid dataset pattern\n", s_prog);
                return 2;
            }
            o.q.dataset = optarg;
            break;
        case 'A':
            if (!dx_token_valid(optarg)) {
                fprintf(stderr, "%s: --action: like read, list, publish, info, audit\n", s_prog);
                return 2;
            }
            o.q.action = optarg;
            break;
        case 'E':
            if (strcmp(optarg, "allow") && strcmp(optarg, "deny") && strcmp(optarg, "ok") &&
                strcmp(optarg, "error")) {
                fprintf(stderr, "%s: --decision: allow or deny\n", s_prog);
                return 2;
            }
            o.q.decision = optarg;
            break;
        case 'F':
            if ((o.format = dx_audit_format_parse(optarg)) < 0) {
                fprintf(stderr, "%s: --format: table, json or csv\n", s_prog);
                return 2;
            }
            break;
        case 'L':
            errno = 0;
            o.limit = strtoull(optarg, &end, 10);
            if (errno || *end || end == optarg || o.limit == 0 || optarg[0] == '-') {
                fprintf(stderr, "%s: --limit: a positive number\n", s_prog);
                return 2;
            }
            break;
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
    if (o.nargs != 1)
        return s_usage(stderr, 2);
    const char *cmd = o.args[0];
    if (strcmp(cmd, "query") != 0 && strcmp(cmd, "verify") != 0) {
        fprintf(stderr, "%s: unknown command '%s' (query, verify)\n", s_prog, cmd);
        return 2;
    }
    char err[DX_ERRMSG];
    source_t src;
    memset(&src, 0, sizeof src);
    int rv = dx_cli_resolve(&o.conn, err);
    if (rv == 0)
        rv = s_open(&o, &src, err);
    if (rv != 0) {
        s_close(&src);
        return s_fail(rv, err);
    }
    int status = strcmp(cmd, "query") == 0 ? s_query(&o, &src) : s_verify(&src);
    s_close(&src);
    return status;
}
