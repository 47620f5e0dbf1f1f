/* feed: the versions committed after a cursor, and the connections told
 * when new ones are.
 *
 * The feed is the store's feed index (seq of each publish record -> name
 * and version), read a bounded range at a time (FEED_SPAN sequence
 * numbers) and shown only as far as the member may list each name under
 * the policy in force, exactly as list would show it. Its cost follows the
 * member's rules, not the store: a member no rule lets list anything is
 * answered without a look at the index; an entry outside the name ranges
 * its rules could cover (dx_policy_prefixes), or refused even at the
 * lowest classification, costs a comparison, and only the rest a catalog
 * lookup. Its cursor is an audit log sequence number: the last entry's seq
 * when a page is full, else how far the broker looked (the end of the
 * span, never past the log's size, which every member sees in the signed
 * heads anyway); so a cursor says nothing about versions the member may
 * not list.
 *
 * A feed request with watch set also subscribes its connection: after each
 * commit that made a matching version the member may list, the connection
 * is sent a Notify (the seq only) and asks the feed for it. Bounded: a
 * subscription lasts FEED_LEASE_S unless asked for again, a member holds
 * at most FEED_SUBS_PER_MEMBER, the broker FEED_SUBS_MAX, and a connection
 * is sent at most FEED_NOTIFY_MAX notifications between two feed requests:
 * a slow subscriber catches up from its cursor, the broker buffers
 * nothing for it. Subscriptions live in the writer's memory: after a
 * restart an agent's next request (it asks at least every lease/3)
 * subscribes it again, and its cursor loses nothing.
 *
 * Threads: a page is read on a reader (feed_read), in its read
 * transaction, under the policy set it holds, as far as the committed log
 * goes; the subscription, the page's record and its reply are the
 * writer's (a staged operation, staged.h), and the notifications too. */
#include "feed.h"
#include "broker.h"
#include "dxtime.h"
#include "reader.h"
#include "staged.h"
#include "glob.h"
#include "log.h"
#include "wire.h"
#include "batch.h"
#include "record.h"
#include "reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FEED_PAGE_MAX 1000         /* entries per reply */
#define FEED_SPAN 4096             /* sequence numbers looked at per request */
#define FEED_LEASE_S 90
#define FEED_SUBS_PER_MEMBER 16
#define FEED_SUBS_MAX 4096
#define FEED_NOTIFY_MAX 4

typedef struct feed_sub {
    uint64_t id;                   /* names it to its request's commit */
    uint8_t identity[BROKER_IDENTITY_MAX];
    size_t identity_len;
    char member[DX_ID_MAX + 1];
    uint8_t key[32];               /* the connection's transport key */
    char (*patterns)[DX_NAME_MAX + 1];
    size_t npatterns;
    int64_t expires_ms;
    unsigned pending;              /* notifications since its last feed request */
} feed_sub_t;

struct feed_subs {
    feed_sub_t *subs;
    size_t n, cap;
    uint64_t next_id;
};

int feed_subs_new(feed_subs_t **out)
{
    return (*out = calloc(1, sizeof **out)) ? 0 : DX_ERR_NOMEM;
}

void feed_subs_destroy(feed_subs_t **fs_p)
{
    feed_subs_t *fs = *fs_p;
    if (!fs)
        return;
    for (size_t i = 0; i < fs->n; i++)
        free(fs->subs[i].patterns);
    free(fs->subs);
    free(fs);
    *fs_p = NULL;
}

size_t feed_subs_count(const feed_subs_t *fs) { return fs ? fs->n : 0; }

static bool s_matches(char (*patterns)[DX_NAME_MAX + 1], size_t n, const char *name)
{
    if (n == 0)
        return true;
    for (size_t i = 0; i < n; i++)
        if (dx_glob_match(patterns[i], name))
            return true;
    return false;
}

static void s_drop(feed_subs_t *fs, size_t i)
{
    free(fs->subs[i].patterns);
    fs->subs[i] = fs->subs[--fs->n];
}

static void s_expire(feed_subs_t *fs, int64_t now_ms)
{
    for (size_t i = fs->n; i-- > 0;)
        if (fs->subs[i].expires_ms <= now_ms)
            s_drop(fs, i);
}

/* A feed request from a watching connection: it is reading, tell it again. */
static void s_touch(feed_subs_t *fs, const request_t *rq)
{
    for (size_t i = 0; fs && i < fs->n; i++)
        if (fs->subs[i].identity_len == rq->identity_len &&
            memcmp(fs->subs[i].identity, rq->identity, rq->identity_len) == 0)
            fs->subs[i].pending = 0;
}

/* Subscribes (or renews) rq's connection; *added says it is new (and *id
 * names it). A member over its bound, or a full table, is refused with
 * DX_ERR_BUSY. */
static int s_watch(feed_subs_t *fs, const request_t *rq, const Dx__FeedRequest *fr, bool *added,
                   uint64_t *id)
{
    size_t mine = 0;
    feed_sub_t *s = NULL;
    *added = false;
    s_expire(fs, rq->now_ms);
    for (size_t i = 0; i < fs->n; i++) {
        feed_sub_t *x = &fs->subs[i];
        if (strcmp(x->member, rq->member_id) != 0)
            continue;
        mine++;
        if (x->identity_len == rq->identity_len && memcmp(x->identity, rq->identity, x->identity_len) == 0)
            s = x;
    }
    if (!s) {
        if (mine >= FEED_SUBS_PER_MEMBER || fs->n >= FEED_SUBS_MAX)
            return DX_ERR_BUSY;
        if (fs->n == fs->cap) {
            size_t cap = fs->cap ? fs->cap * 2 : 16;
            feed_sub_t *grown = realloc(fs->subs, cap * sizeof *grown);
            if (!grown)
                return DX_ERR_NOMEM;
            fs->subs = grown;
            fs->cap = cap;
        }
        s = &fs->subs[fs->n];
        memset(s, 0, sizeof *s);
        s->id = ++fs->next_id;
        memcpy(s->identity, rq->identity, rq->identity_len);
        s->identity_len = rq->identity_len;
        snprintf(s->member, sizeof s->member, "%s", rq->member_id);
        memcpy(s->key, rq->transport_key, sizeof s->key);
        fs->n++;
        *added = true;
    }
    char (*patterns)[DX_NAME_MAX + 1] = NULL;
    if (fr->n_patterns && !(patterns = calloc(fr->n_patterns, sizeof *patterns))) {
        if (*added)
            fs->n--;
        return DX_ERR_NOMEM;
    }
    for (size_t i = 0; i < fr->n_patterns; i++)
        snprintf(patterns[i], sizeof patterns[i], "%s", fr->patterns[i]);
    free(s->patterns);
    s->patterns = patterns;
    s->npatterns = fr->n_patterns;
    s->expires_ms = rq->now_ms + FEED_LEASE_S * 1000;
    s->pending = 0;
    *id = s->id;
    return 0;
}

/* After the commit of the request that made subscription `id`: when the
 * request was undone (its record or its reply could not be stored), so is
 * the subscription; the member was told it failed. */
static void s_watch_after(broker_t *b, uint64_t id, int status)
{
    feed_subs_t *fs = b->feed_subs;
    if (status == 0 || !fs)
        return;
    for (size_t i = 0; i < fs->n; i++)
        if (fs->subs[i].id == id) {
            s_drop(fs, i);
            return;
        }
}

/* Whether member may list name at classification under policy (and, for
 * a subscription, whether key is still its transport key). */
static bool s_may_list(const dx_policy_t *policy, const char *member, const uint8_t *key,
                       const char *name, int classification, int64_t now_ms)
{
    const dx_member_t *m = dx_policy_member(policy, member);
    if (!dx_member_current(m, now_ms) || (key && !dx_member_transport_ok(m, key, now_ms)))
        return false;
    dx_decision_t d;
    dx_request_t req = { .member = member, .action = DX_ACT_LIST, .dataset = name,
                         .classification = (dx_class_t)classification, .now_ms = now_ms };
    dx_policy_decide(policy, &req, &d);
    return d.allow;
}

typedef struct {
    broker_t *b;
    uint64_t seq;
    int classification;
    char name[DX_NAME_MAX + 1];
} committed_t;

static void s_notify(void *arg, int status)
{
    committed_t *c = arg;
    broker_t *b = c->b;
    feed_subs_t *fs = b->feed_subs;
    int64_t now_ms = dx_now_ms();
    if (status != 0 || !fs)
        goto out;
    s_expire(fs, now_ms);
    for (size_t i = 0; i < fs->n; i++) {
        feed_sub_t *s = &fs->subs[i];
        if (s->pending >= FEED_NOTIFY_MAX || !s_matches(s->patterns, s->npatterns, c->name) ||
            !s_may_list(b->policy, s->member, s->key, c->name, c->classification, now_ms))
            continue;
        Dx__Reply reply = DX__REPLY__INIT;
        Dx__Notify notify = DX__NOTIFY__INIT;
        notify.seq = c->seq;
        reply.body_case = DX__REPLY__BODY_NOTIFY;
        reply.notify = &notify;
        reply_send_to(b, s->identity, s->identity_len, &reply);
        s->pending++;
    }
out:
    free(c);
}

int feed_committed(broker_t *b, uint64_t seq, const char *name, uint64_t version, int classification,
                   bool erased)
{
    store_txn_t *t;
    int rv = batch_txn(b->batch, &t);
    if (rv != 0 || (rv = store_feed_put(t, seq, name, version, erased)) != 0)
        return rv;
    committed_t *c = calloc(1, sizeof *c);
    if (!c)
        return DX_ERR_NOMEM;
    c->b = b;
    c->seq = seq;
    c->classification = classification;
    snprintf(c->name, sizeof c->name, "%s", name);
    if ((rv = batch_defer(b->batch, s_notify, c)) != 0)
        free(c);
    return rv;
}

typedef struct {
    request_t *rq;
    store_txn_t *t;
    const Dx__FeedRequest *fr;
    uint64_t until;                /* the last seq this request may look at */
    Dx__FeedEntry *entries;
    Dx__FeedEntry **ptrs;
    char (*names)[DX_NAME_MAX + 1];
    char **reasons;                    /* an erasure's, for its publisher (owned) */
    char (*ranges)[DX_NAME_MAX + 1];   /* what the member's rules could let it list */
    size_t nranges;
    size_t n, limit;
    bool full;
    uint64_t next;                 /* the page's cursor, */
    bool more;                     /* and whether the member should ask again */
} page_t;

static bool s_in_ranges(const page_t *p, const char *name)
{
    for (size_t i = 0; i < p->nranges; i++)
        if (strncmp(name, p->ranges[i], strlen(p->ranges[i])) == 0)
            return true;
    return false;
}

static int s_feed_one(void *arg, uint64_t seq, const char *name, uint64_t version, bool erasure)
{
    page_t *p = arg;
    store_val_t v;
    Dx__CatalogEntry *e = NULL;
    char err[DX_ERRMSG];
    if (seq > p->until)
        return DX_STOP;
    if (p->n == p->limit) {
        p->full = true;
        return DX_STOP;
    }
    bool match = p->fr->n_patterns == 0;
    for (size_t i = 0; i < p->fr->n_patterns && !match; i++)
        match = dx_glob_match(p->fr->patterns[i], name);
    if (!match || !s_in_ranges(p, name))
        return 0;
    /* refused at the lowest classification: refused at every one, without
     * a look at the catalog */
    if (!s_may_list(p->rq->policy, p->rq->member_id, NULL, name, DX_CLASS_PUBLIC, p->rq->now_ms))
        return 0;
    int rv = store_catalog_get(p->t, name, version, &v);
    if (rv != 0)
        return rv == DX_ERR_NOT_FOUND ? 0 : rv;
    if (wire_catalog_decode(v.data, v.len, &e, err) != 0) {
        dx_error("catalog-corrupt",
                 "catalog entry %s@%llu is corrupt: %s", name, (unsigned long long)version, err);
        return 0;
    }
    bool ok = s_may_list(p->rq->policy, p->rq->member_id, NULL, name, e->classification,
                         p->rq->now_ms);
    /* a version erased since it was published: nothing to fetch; its
     * erasure comes later in the feed */
    if (!erasure && e->erased)
        ok = false;
    if (!ok) {
        wire_free(&e);
        return 0;
    }
    Dx__FeedEntry *fe = &p->entries[p->n];
    dx__feed_entry__init(fe);
    snprintf(p->names[p->n], sizeof p->names[0], "%s", name);
    fe->seq = seq;
    fe->dataset = p->names[p->n];
    fe->version = version;
    if (erasure && e->erased) {
        fe->erased = true;
        fe->erased_ms = e->erased->time_ms;
        /* why, as info and fetch say it: to the version's publisher only */
        if (strcmp(e->publisher, p->rq->member_id) == 0 &&
            (p->reasons[p->n] = strdup(e->erased->reason)) != NULL)
            fe->erased_reason = p->reasons[p->n];
    }
    wire_free(&e);
    p->ptrs[p->n++] = fe;
    return 0;
}

static void s_page_free(page_t *p)
{
    free(p->entries);
    free(p->ptrs);
    free(p->names);
    for (size_t i = 0; p->reasons && i < p->limit; i++)
        free(p->reasons[i]);
    free(p->reasons);
    free(p->ranges);
    free(p);
}

static void s_page_drop(broker_t *b, void *arg)
{
    (void)b;
    s_page_free(arg);
}

/* On the writer: the subscription, the page's record, its reply. */
static int s_page_commit(broker_t *b, request_t *rq, void *arg)
{
    page_t *p = arg;
    const Dx__FeedRequest *fr = rq->req->feed;
    char reason[DX_NAME_MAX + 200];
    bool added = false;
    uint64_t sub_id = 0;
    int rv = 0;
    if (fr->watch) {
        if ((rv = s_watch(b->feed_subs, rq, fr, &added, &sub_id)) == DX_ERR_BUSY) {
            audit_fields_t f = { .event = DX_EV_FEED, .action = "list",
                                 .dataset = fr->n_patterns ? fr->patterns[0] : "**",
                                 .rule_id = dx_pseudo_rule(DX_PSEUDO_LIMIT),
                                 .reason = "too many subscriptions: the member's or the broker's "
                                           "limit is reached" };
            rv = record_refusal(b, rq, &f, DX__ERROR_CODE__ERR_BUSY);
            goto out;
        }
        if (rv != 0)
            goto out;
    } else {
        s_touch(b->feed_subs, rq);
    }
    /* Pages that show nothing are not recorded: they reveal nothing, and
     * an agent asks every half minute. A new subscription is. */
    if (p->n || added) {
        snprintf(reason, sizeof reason, "%zu versions visible to %s after seq %llu%s%s", p->n,
                 rq->member_id, (unsigned long long)fr->after, added ? "; subscribed" : "",
                 p->more ? "; more to read" : "");
        audit_fields_t f = { .event = DX_EV_FEED, .action = "list",
                             .dataset = fr->n_patterns ? fr->patterns[0] : "**", .allow = true,
                             .rule_id = dx_pseudo_rule(DX_PSEUDO_PER_DATASET), .reason = reason };
        if ((rv = record_audit(b, rq, &f, NULL)) != 0)
            goto undo;
    }
    Dx__Reply reply = DX__REPLY__INIT;
    Dx__FeedReply feed = DX__FEED_REPLY__INIT;
    feed.entries = p->ptrs;
    feed.n_entries = p->n;
    feed.next_after = p->next;
    feed.more = p->more;
    feed.lease_s = fr->watch ? FEED_LEASE_S : 0;
    reply.body_case = DX__REPLY__BODY_FEED;
    reply.feed = &feed;
    rv = reply_later(b, rq, &reply, added ? s_watch_after : NULL, sub_id);
undo:
    if (rv != 0 && added)
        s_watch_after(b, sub_id, rv);
out:
    s_page_free(p);
    return rv;
}

int feed_read(broker_t *b, request_t *rq)
{
    const Dx__FeedRequest *fr = rq->req->feed;
    page_t *p = calloc(1, sizeof *p);
    uint64_t size = 0;
    int rv = DX_ERR_NOMEM;
    if (!p)
        return rv;
    p->rq = rq;
    p->fr = fr;
    p->limit = fr->limit && fr->limit < FEED_PAGE_MAX ? fr->limit : FEED_PAGE_MAX;
    if (!(p->entries = calloc(p->limit, sizeof *p->entries)) ||
        !(p->ptrs = calloc(p->limit, sizeof *p->ptrs)) ||
        !(p->names = calloc(p->limit, sizeof *p->names)) ||
        !(p->reasons = calloc(p->limit, sizeof *p->reasons)) ||
        !(p->ranges = calloc(DX_PREFIXES_MAX, sizeof *p->ranges)))
        goto fail;
    /* as far as the log is committed: this transaction's */
    if ((rv = reader_txn(rq, b->batch, &p->t)) != 0 || (rv = store_audit_last(p->t, &size)) != 0)
        goto fail;
    p->nranges = dx_policy_prefixes(rq->policy, rq->member_id, DX_ACT_LIST, p->ranges,
                                    DX_PREFIXES_MAX);
    p->until = fr->after > size ? fr->after : fr->after + FEED_SPAN < size ? fr->after + FEED_SPAN : size;
    if (p->nranges == 0 && p->until < size)
        p->until = size; /* nothing it could be shown: nothing to look at */
    if (p->nranges && fr->after < size &&
        (rv = store_feed_each(p->t, fr->after, s_feed_one, p)) < 0)
        goto fail;
    p->next = p->full ? p->ptrs[p->n - 1]->seq : p->until;
    p->more = p->full || p->next < size;
    p->t = NULL;
    p->rq = NULL;
    return staged_add(rq, s_page_commit, s_page_drop, p);
fail:
    s_page_free(p);
    return rv;
}
