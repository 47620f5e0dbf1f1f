/* sessions: a small bounded table of transfers. */
#include "sessions.h"
#include "err.h"
#include "wire.h"
#include "broker.h"
#include "content.h"
#include "filter.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sessions {
    pthread_mutex_t lock;        /* the table; a session's fields are its holder's */
    session_t **items;
    size_t n;
    size_t max_total;
    size_t max_per_member;
};

session_t *session_new(session_kind_t kind, const char *member, int64_t now_ms)
{
    session_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->kind = kind;
    snprintf(s->member, sizeof s->member, "%s", member);
    s->last_active_ms = now_ms;
    return s;
}

void session_free(session_t *s)
{
    if (!s)
        return;
    free(s->manifest);
    wire_free(&s->m);
    wire_free(&s->entry);
    dx_filter_destroy(&s->filter);
    dx_sha256_destroy(&s->view_hash);
    dx_buf_free(&s->view_out);
    for (size_t i = 0; i < s->nfields; i++)
        free(s->fields[i]);
    free(s->fields);
    content_key_wipe(&s->key);
    free(s);
}

int sessions_new(size_t max_total, size_t max_per_member, sessions_t **out)
{
    sessions_t *ss = calloc(1, sizeof *ss);
    if (!ss || !(ss->items = calloc(max_total, sizeof *ss->items))) {
        free(ss);
        return DX_ERR_NOMEM;
    }
    ss->max_total = max_total;
    ss->max_per_member = max_per_member;
    pthread_mutex_init(&ss->lock, NULL);
    *out = ss;
    return 0;
}

void sessions_destroy(sessions_t **ss_p)
{
    if (!ss_p || !*ss_p)
        return;
    sessions_t *ss = *ss_p;
    for (size_t i = 0; i < ss->n; i++)
        session_free(ss->items[i]);
    free(ss->items);
    pthread_mutex_destroy(&ss->lock);
    free(ss);
    *ss_p = NULL;
}

static session_t *s_get(sessions_t *ss, uint64_t id, const char *member)
{
    for (size_t i = 0; i < ss->n; i++)
        if (ss->items[i]->id == id)
            return !member || strcmp(ss->items[i]->member, member) == 0 ? ss->items[i] : NULL;
    return NULL;
}

static int s_add(sessions_t *ss, session_t *s)
{
    size_t mine = 0;
    for (size_t i = 0; i < ss->n; i++)
        if (strcmp(ss->items[i]->member, s->member) == 0)
            mine++;
    if (ss->n >= ss->max_total || mine >= ss->max_per_member) {
        session_free(s);
        return DX_ERR_BUSY;
    }
    do {
        if (dx_random(&s->id, sizeof s->id) != 0) {
            session_free(s);
            return DX_ERR_CRYPTO;
        }
    } while (s->id == 0 || s_get(ss, s->id, s->member));
    ss->items[ss->n++] = s;
    return 0;
}

int sessions_add(sessions_t *ss, session_t *s)
{
    pthread_mutex_lock(&ss->lock);
    int rv = s_add(ss, s);
    pthread_mutex_unlock(&ss->lock);
    return rv;
}

session_t *sessions_get(sessions_t *ss, uint64_t id, const char *member)
{
    pthread_mutex_lock(&ss->lock);
    session_t *s = s_get(ss, id, member);
    pthread_mutex_unlock(&ss->lock);
    return s;
}

bool sessions_foreign(sessions_t *ss, uint64_t id, const char *member)
{
    pthread_mutex_lock(&ss->lock);
    session_t *s = s_get(ss, id, NULL);
    bool foreign = s && strcmp(s->member, member) != 0;
    pthread_mutex_unlock(&ss->lock);
    return foreign;
}

bool sessions_has(sessions_t *ss, uint64_t id, const char *member, session_kind_t kind)
{
    pthread_mutex_lock(&ss->lock);
    session_t *s = s_get(ss, id, member);
    bool has = s && s->kind == kind;
    pthread_mutex_unlock(&ss->lock);
    return has;
}

claim_t sessions_claim(sessions_t *ss, uint64_t id, const char *member, session_t **out)
{
    pthread_mutex_lock(&ss->lock);
    session_t *s = s_get(ss, id, member);
    claim_t c = !s || s->kind != SESSION_FETCH ? CLAIM_NONE
              : s->claimed || s->finished ? CLAIM_BUSY : CLAIM_OK;
    if (c == CLAIM_OK)
        s->claimed = true;
    *out = c == CLAIM_OK ? s : NULL;
    pthread_mutex_unlock(&ss->lock);
    return c;
}

void sessions_unclaim(sessions_t *ss, session_t *s)
{
    pthread_mutex_lock(&ss->lock);
    s->claimed = false;
    pthread_mutex_unlock(&ss->lock);
}

session_t *sessions_find_nonce(sessions_t *ss, const char *publisher, const uint8_t nonce[16])
{
    session_t *found = NULL;
    pthread_mutex_lock(&ss->lock);
    for (size_t i = 0; i < ss->n && !found; i++) {
        session_t *s = ss->items[i];
        if (s->kind == SESSION_PUBLISH && s->m && strcmp(s->m->publisher, publisher) == 0 &&
            s->m->nonce.len == 16 && memcmp(s->m->nonce.data, nonce, 16) == 0)
            found = s;
    }
    pthread_mutex_unlock(&ss->lock);
    return found;
}

void sessions_remove(sessions_t *ss, uint64_t id)
{
    session_t *gone = NULL;
    pthread_mutex_lock(&ss->lock);
    for (size_t i = 0; i < ss->n && !gone; i++) {
        if (ss->items[i]->id == id) {
            gone = ss->items[i];
            ss->items[i] = ss->items[--ss->n];
        }
    }
    pthread_mutex_unlock(&ss->lock);
    session_free(gone);
}

size_t sessions_count(sessions_t *ss)
{
    pthread_mutex_lock(&ss->lock);
    size_t n = ss->n;
    pthread_mutex_unlock(&ss->lock);
    return n;
}

void sessions_expire(sessions_t *ss, int64_t cutoff_ms, sessions_fn fn, void *arg)
{
    pthread_mutex_lock(&ss->lock);
    for (size_t i = 0; i < ss->n;) {
        session_t *s = ss->items[i];
        if (!s->claimed && !s->busy && s->last_active_ms < cutoff_ms) { /* a claimed one is its reader's */
            fn(arg, s);
            session_free(s);
            ss->items[i] = ss->items[--ss->n];
        } else {
            i++;
        }
    }
    pthread_mutex_unlock(&ss->lock);
}
