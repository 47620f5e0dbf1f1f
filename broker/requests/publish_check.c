/* publish_check: signatures, manifests and running hashes on the job
 * threads (see publish_check.h). */
#include "publish_check.h"
#include "dxtime.h"
#include "filter.h"
#include "log.h"
#include "policy.h"
#include "wire.h"
#include "broker.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HASHES_MAX 512   /* running hashes one lane holds */
#define FORMAT_OUT_MAX (DX_CHUNK_SIZE + DX_FILTER_MAX_ROW) /* one push's rows, dropped after */

typedef struct {
    uint64_t session;
    char member[DX_ID_MAX + 1];
    uint32_t next_index;
    int64_t last_ms;
    uint64_t used;            /* the lane's clock at its last chunk: ages in order */
    dx_sha256_t *ctx;
    dx_filter_t *reader;      /* content that claims CSV or JSON Lines: the views' reader */
    dx_buf_t rows;            /* what it read, dropped after each chunk */
} running_t;

typedef struct {
    uint64_t session;
    char member[DX_ID_MAX + 1];
    int format;
} expect_t;

typedef struct {
    running_t items[HASHES_MAX];
    size_t n;
    uint64_t clock;
} lane_hashes_t;

struct hash_lanes {
    int n;
    int64_t idle_ms;
    size_t per_member;
    lane_hashes_t *lane;      /* lane[i] is touched only by lane i's thread */
    pthread_mutex_t lock;     /* the writer's expectations, taken by the lanes: */
    expect_t *expect;
    size_t nexpect, cap;
};

int publish_lanes_new(int lanes, int64_t idle_ms, size_t per_member, hash_lanes_t **out)
{
    hash_lanes_t *l = calloc(1, sizeof *l);
    if (!l || !(l->lane = calloc((size_t)lanes, sizeof *l->lane))) {
        free(l);
        return DX_ERR_NOMEM;
    }
    l->n = lanes;
    l->idle_ms = idle_ms;
    l->per_member = per_member;
    pthread_mutex_init(&l->lock, NULL);
    *out = l;
    return 0;
}

static void s_reader_end(running_t *r)
{
    dx_filter_destroy(&r->reader);
    dx_buf_free(&r->rows);
}

int publish_lanes_expect(hash_lanes_t *l, uint64_t session, const char *member, int format)
{
    int rv = 0;
    pthread_mutex_lock(&l->lock);
    if (l->nexpect == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        expect_t *e = realloc(l->expect, cap * sizeof *e);
        if (e) {
            l->expect = e;
            l->cap = cap;
        } else {
            rv = DX_ERR_NOMEM;
        }
    }
    if (rv == 0) {
        expect_t *e = &l->expect[l->nexpect++];
        e->session = session;
        snprintf(e->member, sizeof e->member, "%s", member);
        e->format = format;
    }
    pthread_mutex_unlock(&l->lock);
    return rv;
}

/* The format expected for (session, member), taken out: DX_FORMAT_NONE
 * when none was. */
static int s_take_expect(hash_lanes_t *l, uint64_t session, const char *member)
{
    int format = DX_FORMAT_NONE;
    pthread_mutex_lock(&l->lock);
    for (size_t i = 0; i < l->nexpect; i++)
        if (l->expect[i].session == session && strcmp(l->expect[i].member, member) == 0) {
            format = l->expect[i].format;
            l->expect[i] = l->expect[--l->nexpect];
            break;
        }
    pthread_mutex_unlock(&l->lock);
    return format;
}

void publish_lanes_forget(hash_lanes_t *l, uint64_t session)
{
    pthread_mutex_lock(&l->lock);
    for (size_t i = 0; i < l->nexpect; i++)
        if (l->expect[i].session == session) {
            l->expect[i] = l->expect[--l->nexpect];
            break;
        }
    pthread_mutex_unlock(&l->lock);
}

void publish_lanes_free(hash_lanes_t **l_p)
{
    if (!l_p || !*l_p)
        return;
    hash_lanes_t *l = *l_p;
    for (int i = 0; i < l->n; i++)
        for (size_t k = 0; k < l->lane[i].n; k++) {
            dx_sha256_destroy(&l->lane[i].items[k].ctx);
            s_reader_end(&l->lane[i].items[k]);
        }
    free(l->lane);
    free(l->expect);
    pthread_mutex_destroy(&l->lock);
    free(l);
    *l_p = NULL;
}

void publish_check_clear(check_t *c)
{
    wire_free(&c->manifest);
}

/* The reader the field views use, with nothing removed: content it refuses
 * is content no consumer could be given a view of. */
static int s_reader_new(running_t *r, int format)
{
    dx_buf_init(&r->rows, FORMAT_OUT_MAX);
    return dx_filter_new(format, DX_FIELDS_EXCLUDE, NULL, 0, &r->reader);
}

/* Reads the next bytes (and the end, when last) into c's verdict. */
static void s_read(running_t *r, check_t *c, const uint8_t *data, size_t len, bool last)
{
    int rv = dx_filter_push(r->reader, data, len, &r->rows);
    dx_buf_clear(&r->rows);
    if (rv == 0 && last)
        rv = dx_filter_finish(r->reader, &r->rows);
    dx_buf_clear(&r->rows);
    if (rv != 0) {
        c->format_rv = rv == DX_ERR_NOMEM ? rv : DX_ERR_INVALID;
        snprintf(c->format_why, sizeof c->format_why, "%s", dx_filter_error(r->reader));
        s_reader_end(r);
    }
}

void publish_check_signed(request_t *rq, const uint8_t keys[][DX_ED25519_LEN], size_t n)
{
    const Dx__PublishBegin *pb = rq->req->publish_begin;
    check_t *c = &rq->check;
    uint8_t tried[2][DX_ED25519_LEN];
    n = n > 2 ? 2 : n;
    memcpy(tried, keys, n * DX_ED25519_LEN);
    publish_check_clear(c);
    memset(c, 0, sizeof *c);
    c->ran = true;
    memcpy(c->sign_keys, tried, n * DX_ED25519_LEN);
    c->nsign_keys = n;
    c->verified = DX_ERR_INTEGRITY;
    for (size_t i = 0; i < n && c->verified != 0; i++) {
        memcpy(c->sign_key, tried[i], DX_ED25519_LEN);
        c->verified = dx_verify(tried[i], DX_CTX_MANIFEST, pb->manifest.data, pb->manifest.len,
                                pb->signature.data);
    }
    if (c->verified != 0)
        return; /* nothing of an unsigned manifest is looked at */
    c->manifest_rv = wire_manifest_decode(pb->manifest.data, pb->manifest.len, &c->manifest,
                                          c->manifest_err);
    if (c->manifest_rv != 0 || dx_sha256(pb->manifest.data, pb->manifest.len, c->manifest_sha) != 0)
        return;
    if (pb->has_inline) {
        uint8_t got[DX_SHA256_LEN];
        c->inline_matches = pb->inline_data.len == c->manifest->size &&
                            dx_sha256(pb->inline_data.data, pb->inline_data.len, got) == 0 &&
                            dx_equal(got, c->manifest->sha256.data, DX_SHA256_LEN);
        char why[DX_FILTER_WHY];
        int format = dx_format_of(c->manifest->content_type, why);
        if (c->inline_matches && format != DX_FORMAT_NONE) {
            running_t r = { 0 };
            if ((c->format_rv = s_reader_new(&r, format)) == 0)
                s_read(&r, c, pb->inline_data.data, pb->inline_data.len, true);
            s_reader_end(&r);
        }
    }
}

void publish_check_begin(broker_t *b, request_t *rq, int lane)
{
    (void)b;
    (void)lane;
    /* intake copied the keys the member had on arrival into check.sign_keys */
    uint8_t keys[2][DX_ED25519_LEN];
    size_t n = rq->check.nsign_keys > 2 ? 2 : rq->check.nsign_keys;
    memcpy(keys, rq->check.sign_keys, n * DX_ED25519_LEN);
    publish_check_signed(rq, keys, n);
}

uint64_t publish_chunk_key(const request_t *rq)
{
    uint64_t id = rq->req->publish_chunk->session;
    return id ? id : 1;
}

static void s_drop(lane_hashes_t *h, size_t i)
{
    dx_sha256_destroy(&h->items[i].ctx);
    s_reader_end(&h->items[i]);
    h->items[i] = h->items[--h->n];
}

/* Room for a new running hash of member: idle ones go first, then the
 * member's own oldest when it holds more than its share. */
static int s_make_room(const hash_lanes_t *l, lane_hashes_t *h, const char *member, int64_t now)
{
    size_t mine = 0, oldest = h->n;
    for (size_t i = h->n; i-- > 0;) {
        if (now - h->items[i].last_ms > l->idle_ms) {
            s_drop(h, i);
            continue;
        }
        if (strcmp(h->items[i].member, member) == 0) {
            mine++;
            if (oldest == h->n || h->items[i].used < h->items[oldest].used)
                oldest = i;
        }
    }
    if (mine >= l->per_member && oldest < h->n)
        s_drop(h, oldest);
    return h->n < HASHES_MAX ? 0 : DX_ERR_BUSY;
}

void publish_check_chunk(broker_t *b, request_t *rq, int lane)
{
    const Dx__PublishChunk *pc = rq->req->publish_chunk;
    hash_lanes_t *l = b->lanes;
    lane_hashes_t *h = &l->lane[lane];
    check_t *c = &rq->check;
    int64_t now = dx_mono_ms();
    size_t i;
    c->ran = true;
    for (i = 0; i < h->n; i++)
        if (h->items[i].session == pc->session && strcmp(h->items[i].member, rq->member_id) == 0)
            break;
    if (i == h->n) {
        if (pc->index != 0) {
            c->hash_rv = DX_ERR_PROTOCOL; /* no running hash: out of order, or idle too long */
            return;
        }
        if ((c->hash_rv = s_make_room(l, h, rq->member_id, now)) != 0)
            return;
        i = h->n;
        running_t *r = &h->items[i];
        memset(r, 0, sizeof *r);
        if ((c->hash_rv = dx_sha256_new(&r->ctx)) != 0)
            return;
        r->session = pc->session;
        memcpy(r->member, rq->member_id, sizeof r->member);
        h->n++;
        int format = s_take_expect(l, pc->session, rq->member_id);
        if (format != DX_FORMAT_NONE && (c->format_rv = s_reader_new(r, format)) != 0) {
            s_drop(h, i);
            return;
        }
    }
    running_t *r = &h->items[i];
    if (pc->index != r->next_index) {
        c->hash_rv = DX_ERR_PROTOCOL;
        s_drop(h, i);
        return;
    }
    r->next_index++;
    r->last_ms = now;
    r->used = ++h->clock;
    if ((c->hash_rv = dx_sha256_update(r->ctx, pc->data.data, pc->data.len)) != 0) {
        s_drop(h, i);
        return;
    }
    if (r->reader) {
        s_read(r, c, pc->data.data, pc->data.len, pc->last);
        if (c->format_rv != 0) {
            s_drop(h, i); /* the writer ends the transfer */
            return;
        }
    }
    if (pc->last) {
        c->hash_rv = dx_sha256_final(r->ctx, c->digest);
        s_drop(h, i);
    }
}
