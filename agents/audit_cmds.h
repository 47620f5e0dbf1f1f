/* audit_cmds: the commands of dx-audit, each reading through a source. */
#ifndef DX_AUDIT_CMDS_H
#define DX_AUDIT_CMDS_H

#include "audit_chain.h"
#include "audit_source.h"

typedef struct {
    Dx__AuditQuery q;
    int format;                 /* enum dx_audit_format */
    uint64_t limit;
    bool with_proofs;
    bool vkey;
    bool show_proof;             /* consistency --proof */
    uint64_t size;              /* --size N */
    const char *since_head;     /* --since-head FILE */
    const char *old_head;       /* --old-head FILE */
    const char *file;           /* verify --file FILE */
    const char *out;            /* policy --out DIR, timestamps --out DIR */
    const char *tsa_ca;         /* --tsa-ca FILE: time-stamp tokens checked against it */
    const char *tsa_policy;     /* --tsa-policy OID */
    const char *source_name;    /* the broker's endpoint, or the --db directory */
    char **args;
    int nargs;
} audit_opts_t;

extern const char *audit_prog;

/* The walk of verify: every record of the log up to current, its hash
 * chain and Merkle tree recomputed and checked against every stored head
 * as the records reach it, and at the end against current. */
typedef struct stamp_iter stamp_iter_t;
typedef struct {
    /* in: called with each record once it is chained (a DX error stops the walk) */
    int (*on_record)(void *arg, const uint8_t *rec, size_t len, char err[DX_ERRMSG]);
    void *arg;
    stamp_iter_t *stamps;        /* time-stamp tokens checked on the way, or NULL */
    const head_t *saved;         /* --since-head: whether the log extends it */
    /* out */
    dx_chain_t chain;
    uint64_t checked;            /* signed heads that matched */
    bool forked;                 /* saved is not a head of this log */
} verify_walk_t;
int audit_verify_walk(source_t *src, const head_t *current, verify_walk_t *w, char err[DX_ERRMSG]);

int audit_query_cmd(source_t *src, const audit_opts_t *o);
int audit_verify_cmd(source_t *src, const audit_opts_t *o);
int audit_head_cmd(source_t *src, const audit_opts_t *o);
int audit_heads_cmd(source_t *src, const audit_opts_t *o);
int audit_prove_cmd(source_t *src, const audit_opts_t *o);
int audit_consistency_cmd(source_t *src, const audit_opts_t *o);
int audit_export_cmd(source_t *src, const audit_opts_t *o);
/* report --out FILE.html [--since T] [--until T]: the data office's page */
int audit_report_cmd(source_t *src, const audit_opts_t *o);
/* policy SHA256 [--out DIR]: a set that was in force, checked against its hash */
int audit_policy_cmd(source_t *src, const audit_opts_t *o);
/* verify --file: needs only the broker's public key */
int audit_verify_file_cmd(const dx_pubkeys_t *broker, const audit_opts_t *o);

/* Reads and checks a head saved earlier (`dx-audit head > FILE`). */
int audit_read_head(const source_t *src, const char *path, head_t *h, char err[DX_ERRMSG]);
/* Prints "dx-audit: message" and returns the exit status for rv. */
int audit_fail(int rv, const char *msg);
/* The same, saying VERIFICATION FAILED for an integrity failure. */
int audit_result(int rv, const char *err);

#endif
