/* audit_stamps: see audit_stamps.h. */
#include "audit_stamps.h"
#include "dxtime.h"
#include "fileio.h"
#include "merkle.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ITER_CAP 64

int stamps_trust(const audit_opts_t *o, dx_tsa_trust_t **trust, char err[DX_ERRMSG])
{
    *trust = NULL;
    if (!o->tsa_ca) {
        if (o->tsa_policy) {
            snprintf(err, DX_ERRMSG, "--tsa-policy needs --tsa-ca");
            return DX_ERR_USAGE;
        }
        return 0;
    }
    char why[DX_ERRMSG];
    int rv = dx_tsa_trust_new(o->tsa_ca, o->tsa_policy, trust, why);
    if (rv != 0)
        snprintf(err, DX_ERRMSG, "--tsa-ca: %s", why);
    return rv == DX_ERR_INVALID ? DX_ERR_USAGE : rv;
}

typedef struct {
    head_t head;
    uint8_t *token;
    size_t len;
} item_t;

struct stamp_iter {
    source_t *src;
    const dx_tsa_trust_t *trust;
    item_t buf[ITER_CAP];
    size_t n, at;
    uint64_t last;
    bool done;
    uint64_t count, covered;
    int64_t newest_ms;
    char tsa[DX_TSA_NAME_MAX];
};

static int s_take(void *arg, const head_t *h, const uint8_t *token, size_t len)
{
    stamp_iter_t *it = arg;
    if (it->n == ITER_CAP)
        return DX_STOP;
    item_t *i = &it->buf[it->n];
    if (!(i->token = malloc(len ? len : 1)))
        return DX_ERR_NOMEM;
    memcpy(i->token, token, len);
    i->len = len;
    i->head = *h;
    it->n++;
    return 0;
}

static void s_drop(stamp_iter_t *it)
{
    for (size_t i = 0; i < it->n; i++)
        free(it->buf[i].token);
    it->n = it->at = 0;
}

static item_t *s_next(stamp_iter_t *it, int *rv, char err[DX_ERRMSG])
{
    if (it->at == it->n && !it->done) {
        s_drop(it);
        if ((*rv = source_stamps(it->src, it->last, s_take, it, err)) != 0)
            return NULL;
        it->done = it->n < ITER_CAP;
        if (it->n)
            it->last = it->buf[it->n - 1].head.cp.size;
    }
    return it->at < it->n ? &it->buf[it->at] : NULL;
}

int stamp_iter_new(source_t *src, const dx_tsa_trust_t *trust, stamp_iter_t **out)
{
    stamp_iter_t *it = calloc(1, sizeof *it);
    if (!it)
        return DX_ERR_NOMEM;
    it->src = src;
    it->trust = trust;
    *out = it;
    return 0;
}

void stamp_iter_free(stamp_iter_t **it_p)
{
    if (!it_p || !*it_p)
        return;
    s_drop(*it_p);
    free(*it_p);
    *it_p = NULL;
}

static int s_token(const dx_tsa_trust_t *trust, const head_t *h, const uint8_t *token, size_t len,
                   dx_tsa_info_t *info, char err[DX_ERRMSG])
{
    char why[DX_ERRMSG];
    int rv = dx_tsa_token_check(trust, token, len, h->text, h->len, info, why);
    if (rv != 0)
        snprintf(err, DX_ERRMSG, "the time-stamp token over the head of %llu records does not "
                 "verify: %s", (unsigned long long)h->cp.size, why);
    return rv;
}

int stamp_iter_at(stamp_iter_t *it, dx_chain_t *chain, char err[DX_ERRMSG])
{
    int rv = 0;
    item_t *i;
    while ((i = s_next(it, &rv, err)) != NULL && i->head.cp.size <= chain->size) {
        dx_tsa_info_t info;
        if (i->head.cp.size < chain->size) {
            snprintf(err, DX_ERRMSG, "a time-stamp token over a head of %llu records came out of "
                     "order", (unsigned long long)i->head.cp.size);
            return DX_ERR_INTEGRITY;
        }
        if ((rv = dx_chain_check(chain, &i->head.cp, false, err)) != 0 ||
            (rv = s_token(it->trust, &i->head, i->token, i->len, &info, err)) != 0)
            return rv;
        it->count++;
        it->covered = chain->size;
        it->newest_ms = info.time_ms;
        snprintf(it->tsa, sizeof it->tsa, "%s", info.tsa);
        it->at++;
    }
    return rv;
}

void stamp_iter_report(const stamp_iter_t *it, uint64_t size, FILE *out)
{
    if (it->count == 0) {
        fprintf(out, "timestamps: none; every record's time is the broker's word alone\n");
        return;
    }
    char t[DX_TIME_TEXT];
    dx_time_format(it->newest_ms, t);
    fprintf(out, "timestamps: %llu token%s %s (by %s); records 1-%llu are covered, the newest "
            "token at %s", (unsigned long long)it->count, it->count == 1 ? "" : "s",
            it->trust ? "verified" : "over the right heads, their signatures NOT checked (give --tsa-ca FILE)",
            it->tsa, (unsigned long long)it->covered, t);
    if (it->covered + 1 == size)
        fprintf(out, "; record %llu only by the broker's clock", (unsigned long long)size);
    else if (it->covered < size)
        fprintf(out, "; records %llu-%llu only by the broker's clock", (unsigned long long)it->covered + 1,
                (unsigned long long)size);
    fprintf(out, "\n");
}

typedef struct {
    head_t head;
    uint8_t *token;
    size_t len;
    bool found;
} first_t;

static int s_first(void *arg, const head_t *h, const uint8_t *token, size_t len)
{
    first_t *f = arg;
    if (!(f->token = malloc(len ? len : 1)))
        return DX_ERR_NOMEM;
    memcpy(f->token, token, len);
    f->len = len;
    f->head = *h;
    f->found = true;
    return DX_STOP;
}

/* a and b are heads of one log: the smaller one's tree is a prefix of the
 * larger one's (a consistency proof from the source, checked). */
static int s_same_log(source_t *src, const head_t *a, const head_t *b, size_t *n, char err[DX_ERRMSG])
{
    const head_t *old = a->cp.size <= b->cp.size ? a : b, *new = old == a ? b : a;
    *n = 0;
    if (old->cp.size == new->cp.size) {
        if (dx_equal(old->cp.root, new->cp.root, DX_HASH_LEN))
            return 0;
    } else {
        dx_hash_t proof[DX_PROOF_MAX], empty;
        head_t old_got, new_got;
        dx_merkle_empty(empty);
        int rv = source_consistency(src, old->cp.size, new->cp.size, &old_got, &new_got, proof, n, err);
        if (rv != 0)
            return rv;
        if (dx_equal(new_got.cp.root, new->cp.root, DX_HASH_LEN) &&
            dx_merkle_verify_consistency(old->cp.size, new->cp.size, old->cp.size ? old->cp.root : empty,
                                         new->cp.root, proof, *n) == 0)
            return 0;
    }
    snprintf(err, DX_ERRMSG, "the time-stamped head of %llu records and the head of %llu records "
             "are not of one log", (unsigned long long)b->cp.size, (unsigned long long)a->cp.size);
    return DX_ERR_INTEGRITY;
}

int stamps_covering(source_t *src, const dx_tsa_trust_t *trust, const head_t *h, uint64_t from,
                    FILE *out, char err[DX_ERRMSG])
{
    first_t f = { .found = false };
    int rv = source_stamps(src, from ? from - 1 : 0, s_first, &f, err);
    if (rv != 0 || !f.found) {
        if (rv == 0)
            fprintf(out, "timestamp: no token covers record %llu yet; its time is the broker's "
                    "word\n", (unsigned long long)from);
        free(f.token);
        return rv;
    }
    size_t n = 0;
    dx_tsa_info_t info;
    if ((rv = s_same_log(src, h, &f.head, &n, err)) == 0 &&
        (rv = s_token(trust, &f.head, f.token, f.len, &info, err)) == 0) {
        char t[DX_TIME_TEXT];
        dx_time_format(info.time_ms, t);
        fprintf(out, "timestamp: records 1-%llu existed at %s, by %s: its token is over the head "
                "of %llu records", (unsigned long long)f.head.cp.size, t, info.tsa,
                (unsigned long long)f.head.cp.size);
        if (f.head.cp.size != h->cp.size)
            fprintf(out, ", of one log with the head above (consistency proof of %zu hashes verified)", n);
        fprintf(out, "%s\n", trust ? "; token verified" : "; token signature NOT checked (give --tsa-ca FILE)");
    }
    free(f.token);
    return rv;
}

typedef struct {
    const dx_tsa_trust_t *trust;
    int dir;
    uint64_t n;
    char *err;
} list_t;

static int s_list(void *arg, const head_t *h, const uint8_t *token, size_t len)
{
    list_t *l = arg;
    dx_tsa_info_t info;
    int rv = s_token(l->trust, h, token, len, &info, l->err);
    if (rv != 0)
        return rv;
    char signed_at[DX_TIME_TEXT], stamped[DX_TIME_TEXT];
    dx_time_format(h->cp.time_ms, signed_at);
    dx_time_format(info.time_ms, stamped);
    if (l->dir < 0) {
        printf("%-10llu %-24s %-24s %s\n", (unsigned long long)h->cp.size, signed_at, stamped, info.tsa);
    } else {
        char name[64];
        snprintf(name, sizeof name, "%llu.head", (unsigned long long)h->cp.size);
        if (dx_write_atomic_at(l->dir, name, h->text, h->len, 0644) != 0) {
            snprintf(l->err, DX_ERRMSG, "cannot write %s: %s", name, strerror(errno));
            return DX_ERR_IO;
        }
        snprintf(name, sizeof name, "%llu.tsr", (unsigned long long)h->cp.size);
        if (dx_write_atomic_at(l->dir, name, token, len, 0644) != 0) {
            snprintf(l->err, DX_ERRMSG, "cannot write %s: %s", name, strerror(errno));
            return DX_ERR_IO;
        }
    }
    l->n++;
    return 0;
}

int audit_timestamps_cmd(source_t *src, const audit_opts_t *o)
{
    char err[DX_ERRMSG];
    dx_tsa_trust_t *trust = NULL;
    list_t l = { .dir = -1, .err = err };
    int rv = stamps_trust(o, &trust, err);
    if (rv != 0)
        return audit_fail(rv, err);
    l.trust = trust;
    if (o->out && dx_dir_open(o->out, 0755, &l.dir) != 0) {
        dx_tsa_trust_free(&trust);
        snprintf(err, sizeof err, "cannot create %s: %s", o->out, strerror(errno));
        return audit_fail(DX_ERR_IO, err);
    }
    if (l.dir < 0)
        printf("%-10s %-24s %-24s %s\n", "SIZE", "HEAD SIGNED", "STAMPED", "BY");
    rv = source_stamps(src, 0, s_list, &l, err);
    if (l.dir >= 0)
        close(l.dir);
    dx_tsa_trust_free(&trust);
    if (rv != 0)
        return audit_fail(rv, err);
    if (o->out)
        printf("wrote %llu heads and their tokens into %s (N.head, N.tsr): check one with\n"
               "  openssl ts -verify -token_in -in %s/N.tsr -data %s/N.head -CAfile TSA-CA.pem\n",
               (unsigned long long)l.n, o->out, o->out, o->out);
    else if (!trust)
        printf("(tokens over the right heads; their signatures are checked with --tsa-ca FILE)\n");
    return 0;
}
