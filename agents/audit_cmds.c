/* audit_cmds: query, verify, prove, consistency, head, heads. */
#include "audit_chain.h"
#include "audit_cmds.h"
#include "audit_stamps.h"
#include <unistd.h>
#include <errno.h>
#include "policy.h"
#include "audit_view.h"
#include "dxtime.h"
#include "encode.h"
#include "fileio.h"
#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int audit_read_head(const source_t *src, const char *path, head_t *h, char err[DX_ERRMSG])
{
    char *text = NULL, why[DX_ERRMSG];
    size_t len = 0;
    int rv = dx_read_small_file(path, DX_CHECKPOINT_MAX, &text, &len);
    if (rv != 0) {
        snprintf(err, DX_ERRMSG, "cannot read the saved head %s: %s", path, dx_strerror(rv));
        return rv;
    }
    rv = source_head_parse(src, (const uint8_t *)text, len, h, why);
    if (rv != 0)
        snprintf(err, DX_ERRMSG, "%s is not a head signed by the broker: %s", path, why);
    free(text);
    return rv;
}

/* An integrity failure says so loudly; anything else is one plain line. */
/* A signed note, ending in a new line whatever it holds. */
static void s_note(FILE *out, const char *text)
{
    size_t n = strlen(text);
    fprintf(out, "%s%s", text, n && text[n - 1] == '\n' ? "" : "\n");
}

int audit_result(int rv, const char *err)
{
    if (rv == DX_ERR_INTEGRITY)
        fprintf(stderr, "%s: VERIFICATION FAILED: %s\n", audit_prog, err);
    else if (rv != 0)
        fprintf(stderr, "%s: %s\n", audit_prog, err);
    return dx_exit_code(rv);
}

static int s_check_proof(const ProtobufCBinaryData *rec, uint64_t seq, const ProtobufCBinaryData *proof,
                         const head_t *h, char err[DX_ERRMSG])
{
    dx_hash_t leaf;
    dx_merkle_leaf(rec->data, rec->len, leaf);
    if (proof->len % DX_HASH_LEN ||
        dx_merkle_verify_inclusion(leaf, seq - 1, h->cp.size, (const dx_hash_t *)proof->data,
                                   proof->len / DX_HASH_LEN, h->cp.root) != 0) {
        snprintf(err, DX_ERRMSG, "record %llu's inclusion proof does not match the signed head of "
                 "%llu records", (unsigned long long)seq, (unsigned long long)h->cp.size);
        return DX_ERR_INTEGRITY;
    }
    return 0;
}

int audit_query_cmd(source_t *src, const audit_opts_t *o)
{
    char err[DX_ERRMSG];
    page_t p;
    uint64_t after = 0, printed = 0, shown_size = 0;
    int rv = 0;
    dx_audit_print_header(stdout, o->format);
    for (;;) {
        uint64_t want = o->limit ? o->limit - printed : 0;
        if ((rv = source_page(src, &o->q, after, want, o->with_proofs, &p, err)) != 0)
            break;
        for (size_t i = 0; i < p.n && (!o->limit || printed < o->limit); i++) {
            Dx__AuditRecord *r = NULL;
            if (wire_audit_decode(p.records[i].data, p.records[i].len, &r, err) != 0) {
                fprintf(stderr, "%s: skipping a corrupt record: %s (run verify)\n", audit_prog, err);
                continue;
            }
            /* the broker filtered already; offline pages are filtered too */
            dx_audit_proof_t proof, *pp = NULL;
            if (o->with_proofs) {
                if ((rv = s_check_proof(&p.records[i], r->seq, &p.proofs[i], &p.head, err)) != 0) {
                    wire_free(&r);
                    break;
                }
                proof.hashes = (const dx_hash_t *)p.proofs[i].data;
                proof.n = p.proofs[i].len / DX_HASH_LEN;
                proof.tree_size = p.head.cp.size;
                proof.leaf = p.records[i].data;
                proof.leaf_len = p.records[i].len;
                proof.head = p.head.text;
                pp = &proof;
            }
            dx_audit_print(stdout, o->format, r, pp);
            printed++;
            wire_free(&r);
        }
        /* the head each page's proofs were checked against, once each */
        if (o->with_proofs && o->format != DX_AUDIT_JSON && p.n && p.head.cp.size != shown_size) {
            fprintf(stderr, "%s: the proofs above were checked against this signed head:\n", audit_prog);
            s_note(stderr, p.head.text);
            shown_size = p.head.cp.size;
        }
        after = p.next_after;
        source_page_free(&p);
        if (rv != 0 || !after || (o->limit && printed >= o->limit))
            break;
    }
    if (rv == 0 && o->with_proofs && o->format != DX_AUDIT_JSON)
        fprintf(stderr, "%s: %llu records, each proven included in the signed log\n", audit_prog,
                (unsigned long long)printed);
    if (rv == 0 && fflush(stdout) != 0)
        rv = DX_ERR_IO;
    return audit_result(rv, err);
}

/* The stored heads, read a page at a time as the records go by. */
typedef struct {
    source_t *src;
    head_t *buf;
    size_t n, at, cap;
    uint64_t last;
    bool done;
} heads_iter_t;

static int s_buffer_head(void *arg, const head_t *h)
{
    heads_iter_t *it = arg;
    it->buf[it->n++] = *h;
    it->last = h->cp.size;
    return it->n == it->cap;
}

static const head_t *s_next_head(heads_iter_t *it, char err[DX_ERRMSG], int *rv)
{
    if (it->at == it->n && !it->done) {
        it->n = it->at = 0;
        if ((*rv = source_heads(it->src, it->last, s_buffer_head, it, err)) != 0)
            return NULL;
        it->done = it->n < it->cap;
    }
    return it->at < it->n ? &it->buf[it->at] : NULL;
}

int audit_verify_walk(source_t *src, const head_t *current, verify_walk_t *w, char err[DX_ERRMSG])
{
    heads_iter_t it = { .src = src, .cap = 256 };
    page_t p;
    uint64_t after = 0;
    int rv = 0;
    dx_chain_init(&w->chain);
    w->checked = 0;
    w->forked = false;
    memset(&p, 0, sizeof p);
    if (!(it.buf = calloc(it.cap, sizeof *it.buf))) {
        snprintf(err, DX_ERRMSG, "out of memory");
        return DX_ERR_NOMEM;
    }
    /* Records up to the current head; heads are checked when the records
     * reach their size. Anything newer than the first head read is left
     * for the next run. */
    const head_t *next = NULL;
    while (w->chain.size < current->cp.size) {
        if ((rv = source_page(src, NULL, after, 0, false, &p, err)) != 0)
            goto out;
        for (size_t i = 0; i < p.n && w->chain.size < current->cp.size; i++) {
            if ((rv = dx_chain_append(&w->chain, p.records[i].data, p.records[i].len, err)) != 0)
                goto out;
            while ((next = s_next_head(&it, err, &rv)) != NULL && next->cp.size <= w->chain.size) {
                if ((rv = dx_chain_check(&w->chain, &next->cp, false, err)) != 0)
                    goto out;
                w->checked++;
                it.at++;
            }
            if (rv != 0 || (w->stamps && (rv = stamp_iter_at(w->stamps, &w->chain, err)) != 0))
                goto out;
            if (w->saved && w->saved->cp.size == w->chain.size &&
                dx_chain_check(&w->chain, &w->saved->cp, false, err) != 0)
                w->forked = true;
            if (w->on_record && (rv = w->on_record(w->arg, p.records[i].data, p.records[i].len, err)) != 0)
                goto out;
        }
        after = p.next_after;
        source_page_free(&p);
        if (!after)
            break;
    }
    if ((rv = dx_chain_check(&w->chain, &current->cp, true, err)) == 0)
        w->checked++;
out:
    source_page_free(&p);
    free(it.buf);
    return rv;
}

int audit_verify_cmd(source_t *src, const audit_opts_t *o)
{
    char err[DX_ERRMSG] = "";
    head_t current, saved;
    verify_walk_t w = { 0 };
    dx_tsa_trust_t *trust = NULL;
    int rv;
    if ((rv = stamps_trust(o, &trust, err)) != 0)
        return audit_fail(rv, err);
    if (stamp_iter_new(src, trust, &w.stamps) != 0) {
        dx_tsa_trust_free(&trust);
        return audit_fail(DX_ERR_NOMEM, "out of memory");
    }
    if ((rv = source_head(src, &current, err)) != 0)
        goto out;
    if (o->since_head) {
        if ((rv = audit_read_head(src, o->since_head, &saved, err)) != 0)
            goto out;
        if (saved.cp.size > current.cp.size) {
            char t[DX_TIME_TEXT];
            dx_time_format(saved.cp.time_ms, t);
            snprintf(err, DX_ERRMSG, "the log was rolled back: it has %llu records, fewer than the "
                     "%llu of the head you saved (signed %s); the broker was restored from a backup "
                     "(the data office's notice should name both heads) or its history was cut",
                     (unsigned long long)current.cp.size, (unsigned long long)saved.cp.size, t);
            rv = DX_ERR_INTEGRITY;
            goto out;
        }
        /* a saved head the log does not extend, in a log that otherwise
         * verifies against every head the broker kept: a rollback, said
         * once the whole log is checked */
        w.saved = &saved;
    }
    if ((rv = audit_verify_walk(src, &current, &w, err)) != 0)
        goto out;
    char t[DX_TIME_TEXT], root[DX_BASE64_LEN(DX_HASH_LEN) + 1];
    if (w.forked) {
        dx_time_format(saved.cp.time_ms, t);
        snprintf(err, DX_ERRMSG, "the log was rolled back and has grown since: it verifies against "
                 "its %llu own signed heads, but its first %llu records are not those of the head "
                 "you saved (signed %s); the broker signed both histories, as after a restore from "
                 "a backup (the data office's notice should name both heads)",
                 (unsigned long long)w.checked, (unsigned long long)saved.cp.size, t);
        rv = DX_ERR_INTEGRITY;
        goto out;
    }
    dx_time_format(current.cp.time_ms, t);
    dx_base64_encode(current.cp.root, DX_HASH_LEN, root);
    printf("audit log verified: %llu records, hash chain and Merkle tree intact, %llu signed "
           "heads match%s; head of %s signed at %s, root %s\n", (unsigned long long)w.chain.size,
           (unsigned long long)w.checked, o->since_head ? ", consistent with the head you saved" : "",
           current.cp.origin, t, root);
    stamp_iter_report(w.stamps, w.chain.size, stdout);
out:
    stamp_iter_free(&w.stamps);
    dx_tsa_trust_free(&trust);
    return audit_result(rv, err);
}

/* The token that covers h, one line on out (audit_stamps.h). */
static int s_stamp_line(source_t *src, const audit_opts_t *o, const head_t *h, uint64_t from, FILE *out)
{
    char err[DX_ERRMSG];
    dx_tsa_trust_t *trust = NULL;
    int rv = stamps_trust(o, &trust, err);
    if (rv != 0)
        return audit_fail(rv, err);
    rv = stamps_covering(src, trust, h, from, out, err);
    dx_tsa_trust_free(&trust);
    return audit_result(rv, err);
}

int audit_head_cmd(source_t *src, const audit_opts_t *o)
{
    char err[DX_ERRMSG];
    head_t h;
    int rv = source_head(src, &h, err);
    if (rv != 0)
        return audit_result(rv, err);
    if (o->vkey) {
        char vkey[256];
        dx_checkpoint_vkey(h.cp.origin, src->broker.sign, vkey);
        printf("%s\n", vkey);
        return fflush(stdout) == 0 ? 0 : 1;
    }
    fwrite(h.text, 1, h.len, stdout);
    if (fflush(stdout) != 0)
        return 1;
    /* on stderr: `dx-audit head > FILE` saves the head alone */
    return s_stamp_line(src, o, &h, h.cp.size, stderr);
}

static int s_print_head(void *arg, const head_t *h)
{
    (void)arg;
    char t[DX_TIME_TEXT], root[DX_BASE64_LEN(DX_HASH_LEN) + 1];
    dx_time_format(h->cp.time_ms, t);
    dx_base64_encode(h->cp.root, DX_HASH_LEN, root);
    printf("%-10llu %-24s %s\n", (unsigned long long)h->cp.size, t, root);
    return 0;
}

int audit_heads_cmd(source_t *src, const audit_opts_t *o)
{
    (void)o;
    char err[DX_ERRMSG];
    head_t cur;
    printf("%-10s %-24s %s\n", "SIZE", "SIGNED", "ROOT");
    int rv = source_heads(src, 0, s_print_head, NULL, err);
    if (rv == 0 && (rv = source_head(src, &cur, err)) == 0) {
        printf("current:\n");
        s_print_head(NULL, &cur);
    }
    return audit_result(rv, err);
}

int audit_prove_cmd(source_t *src, const audit_opts_t *o)
{
    char err[DX_ERRMSG];
    uint64_t seq;
    char *end;
    seq = strtoull(o->args[1], &end, 10);
    if (*end || seq == 0 || o->args[1][0] == '-') {
        fprintf(stderr, "%s: prove: SEQ is a record's sequence number\n", audit_prog);
        return 2;
    }
    page_t p;
    int rv = source_proofs(src, seq, seq, o->size, &p, err);
    if (rv == 0)
        rv = s_check_proof(&p.records[0], seq, &p.proofs[0], &p.head, err);
    Dx__AuditRecord *r = NULL;
    if (rv == 0 && wire_audit_decode(p.records[0].data, p.records[0].len, &r, err) != 0)
        rv = DX_ERR_INTEGRITY;
    if (rv == 0 && r->seq != seq) {
        snprintf(err, DX_ERRMSG, "the broker proved record %llu, not %llu", (unsigned long long)r->seq,
                 (unsigned long long)seq);
        rv = DX_ERR_INTEGRITY;
    }
    if (rv == 0) {
        dx_audit_proof_t proof = { (const dx_hash_t *)p.proofs[0].data,
                                   p.proofs[0].len / DX_HASH_LEN, p.head.cp.size,
                                   p.records[0].data, p.records[0].len, p.head.text };
        char t[DX_TIME_TEXT];
        dx_time_format(p.head.cp.time_ms, t);
        dx_audit_print_header(stdout, o->format);
        dx_audit_print(stdout, o->format, r, &proof);
        if (o->format != DX_AUDIT_JSON)
            printf("record %llu is in the log of %llu records signed by %s at %s: inclusion proof "
                   "of %zu hashes verified, against this signed head:\n", (unsigned long long)seq,
                   (unsigned long long)p.head.cp.size, p.head.cp.origin, t, proof.n);
        if (o->format != DX_AUDIT_JSON)
            s_note(stdout, p.head.text);
    }
    wire_free(&r);
    if (rv == 0 && o->format != DX_AUDIT_JSON) {
        head_t h = p.head;
        source_page_free(&p);
        return s_stamp_line(src, o, &h, seq, stdout);
    }
    source_page_free(&p);
    return audit_result(rv, err);
}

int audit_consistency_cmd(source_t *src, const audit_opts_t *o)
{
    char err[DX_ERRMSG];
    uint64_t old = 0, size = 0;
    head_t file_head, old_head, new_head;
    int rv = 0;
    char *end;
    if (o->nargs >= 2 && ((old = strtoull(o->args[1], &end, 10)), *end || o->args[1][0] == '-'))
        rv = DX_ERR_USAGE;
    if (o->nargs == 3 && ((size = strtoull(o->args[2], &end, 10)), *end || o->args[2][0] == '-' || size == 0))
        rv = DX_ERR_USAGE;
    if (rv != 0 || (o->nargs < 2 && !o->old_head)) {
        fprintf(stderr, "%s: consistency OLD [NEW], or --old-head FILE\n", audit_prog);
        return 2;
    }
    if (o->old_head) {
        if ((rv = audit_read_head(src, o->old_head, &file_head, err)) != 0)
            return audit_result(rv, err);
        if (o->nargs >= 2 && old != file_head.cp.size) {
            fprintf(stderr, "%s: the saved head is of %llu records, not %llu\n", audit_prog,
                    (unsigned long long)file_head.cp.size, (unsigned long long)old);
            return 2;
        }
        old = file_head.cp.size;
    }
    dx_hash_t proof[DX_PROOF_MAX];
    size_t n = 0;
    if ((rv = source_consistency(src, old, size, &old_head, &new_head, proof, &n, err)) != 0)
        return audit_result(rv == DX_ERR_NOT_FOUND ? DX_ERR_NOT_FOUND : rv, err);
    if (o->old_head)
        old_head = file_head;
    if (old > 0 && old_head.len == 0) {
        snprintf(err, DX_ERRMSG, "no signed head of %llu records is stored: give the one you saved "
                 "with --old-head FILE", (unsigned long long)old);
        return audit_result(DX_ERR_NOT_FOUND, err);
    }
    dx_hash_t empty;
    dx_merkle_empty(empty);
    if (dx_merkle_verify_consistency(old, new_head.cp.size, old > 0 ? old_head.cp.root : empty,
                                     new_head.cp.root, proof, n) != 0) {
        snprintf(err, DX_ERRMSG, "the log of %llu records does not extend the signed log of %llu "
                 "records: its history was rewritten", (unsigned long long)new_head.cp.size,
                 (unsigned long long)old);
        return audit_result(DX_ERR_INTEGRITY, err);
    }
    char t0[DX_TIME_TEXT] = "-", t1[DX_TIME_TEXT];
    if (old > 0)
        dx_time_format(old_head.cp.time_ms, t0);
    dx_time_format(new_head.cp.time_ms, t1);
    printf("consistent: the log of %llu records (signed at %s) extends the log of %llu records "
           "(signed at %s); proof of %zu hashes verified\n", (unsigned long long)new_head.cp.size, t1,
           (unsigned long long)old, t0, n);
    if (o->show_proof) { /* RFC 9162 §2.1.4: the hashes, in order, then both heads */
        for (size_t i = 0; i < n; i++) {
            char hex[65];
            dx_hex_encode(proof[i], DX_HASH_LEN, hex);
            printf("proof %zu %s\n", i, hex);
        }
        if (old > 0) {
            printf("old head:\n");
            s_note(stdout, old_head.text);
        }
        printf("new head:\n");
        s_note(stdout, new_head.text);
    }
    return s_stamp_line(src, o, &new_head, new_head.cp.size, stdout);
}

typedef struct {
    int dir;                    /* --out: written there; else -1, printed */
    size_t files;
    char err[DX_ERRMSG];
} policy_out_t;

static int s_policy_file(void *arg, const char *name, const uint8_t *data, size_t len)
{
    policy_out_t *po = arg;
    /* names are the broker's own file names: one path segment, never a link */
    if (!name[0] || strchr(name, '/') || name[0] == '.') {
        snprintf(po->err, DX_ERRMSG, "the kept set names a file '%s' that is not a plain file name", name);
        return DX_ERR_INTEGRITY;
    }
    po->files++;
    if (po->dir < 0) {
        printf("==> %s (%zu bytes) <==\n", name, len);
        fwrite(data, 1, len, stdout);
        if (len && data[len - 1] != '\n')
            putchar('\n');
        return 0;
    }
    if (dx_write_atomic_at(po->dir, name, data, len, 0644) != 0) {
        snprintf(po->err, DX_ERRMSG, "cannot write %s: %s", name, strerror(errno));
        return DX_ERR_IO;
    }
    return 0;
}

int audit_policy_cmd(source_t *src, const audit_opts_t *o)
{
    uint8_t sha[DX_SHA256_LEN], got[DX_SHA256_LEN], *archive = NULL;
    size_t len = 0;
    char err[DX_ERRMSG];
    policy_out_t po = { .dir = -1 };
    if (strlen(o->args[1]) != 64 || dx_hex_decode(o->args[1], sha, sizeof sha) != 0) {
        fprintf(stderr, "%s: policy takes a set's SHA-256 (64 hex digits, as in the records' "
                "policy_sha256)\n", audit_prog);
        return 2;
    }
    int rv = source_policy(src, sha, &archive, &len, err);
    if (rv != 0)
        return audit_fail(rv, err);
    /* the kept bytes are what was hashed: they must hash to the name */
    if (dx_sha256(archive, len, got) != 0 || !dx_equal(got, sha, sizeof sha)) {
        free(archive);
        return audit_fail(DX_ERR_INTEGRITY, "the kept policy set does not hash to its SHA-256: "
                                            "the store was altered");
    }
    if (o->out && (rv = dx_dir_open(o->out, 0755, &po.dir)) != 0) {
        free(archive);
        snprintf(err, sizeof err, "cannot create %s: %s", o->out, strerror(errno));
        return audit_fail(DX_ERR_IO, err);
    }
    rv = dx_policy_archive_each(archive, len, s_policy_file, &po);
    free(archive);
    if (po.dir >= 0)
        close(po.dir);
    if (rv != 0)
        return audit_fail(rv == DX_ERR_INVALID ? DX_ERR_INTEGRITY : rv,
                          po.err[0] ? po.err : "the kept policy set is not a list of files");
    if (o->out)
        printf("wrote the %zu files of policy set %s into %s (check a decision of that time with "
               "dx-admin policy explain %s ...)\n", po.files, o->args[1], o->out, o->out);
    return 0;
}
