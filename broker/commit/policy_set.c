/* policy_set: the set in force, held and swapped under one lock. */
#include "policy_set.h"
#include "batch.h"
#include "dxtime.h"
#include "log.h"
#include "broker.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static held_policy_t *s_held(dx_policy_t *p)
{
    held_policy_t *hp = calloc(1, sizeof *hp);
    if (hp) {
        hp->policy = p;
        hp->loaded_ms = dx_now_ms();
        hp->refs = 1;
    }
    return hp;
}

held_policy_t *policy_set_hold(broker_t *b)
{
    pthread_mutex_lock(&b->policy_lock);
    held_policy_t *hp = b->current;
    hp->refs++;
    pthread_mutex_unlock(&b->policy_lock);
    return hp;
}

void policy_set_release(broker_t *b, held_policy_t **hp_p)
{
    held_policy_t *hp = *hp_p;
    if (!hp)
        return;
    pthread_mutex_lock(&b->policy_lock);
    bool last = --hp->refs == 0;
    pthread_mutex_unlock(&b->policy_lock);
    if (last) {
        dx_policy_free(&hp->policy);
        free(hp);
    }
    *hp_p = NULL;
}

int policy_set_swap(broker_t *b, dx_policy_t *p)
{
    held_policy_t *hp = s_held(p), *old;
    if (!hp) {
        dx_policy_free(&p);
        return DX_ERR_NOMEM;
    }
    pthread_mutex_lock(&b->policy_lock);
    old = b->current;
    b->current = hp;
    b->policy = p;
    pthread_mutex_unlock(&b->policy_lock);
    policy_set_release(b, &old);
    return 0;
}

void policy_set_log_diag(const dx_diag_t *diag)
{
    for (size_t i = 0; i < diag->n; i++)
        dx_warn("policy-problem", "policy: %s", diag->lines[i]);
}

reload_state_t policy_set_reload_state(broker_t *b)
{
    pthread_mutex_lock(&b->policy_lock);
    reload_state_t r = b->reload;
    pthread_mutex_unlock(&b->policy_lock);
    return r;
}

void policy_set_note_reload(broker_t *b, const char *by, bool ok, const dx_diag_t *diag)
{
    pthread_mutex_lock(&b->policy_lock);
    reload_state_t *r = &b->reload;
    r->at_ms = dx_now_ms();
    r->ok = ok;
    snprintf(r->by, sizeof r->by, "%s", by);
    if (ok) {
        r->loaded++;
        r->refused_hashed = false;
        r->refused_reason[0] = '\0';
    } else {
        r->refused++;
        r->refused_hashed = diag->hashed;
        if (diag->hashed)
            memcpy(r->refused_sha256, diag->sha256, DX_SHA256_LEN);
        snprintf(r->refused_reason, sizeof r->refused_reason, "%s", dx_diag_first(diag));
    }
    pthread_mutex_unlock(&b->policy_lock);
}

int policy_set_archive(broker_t *b)
{
    store_txn_t *t;
    int rv = batch_txn(b->batch, &t);
    if (rv == 0)
        rv = store_policy_put(t, b->policy->sha256, b->policy->archive, b->policy->archive_len);
    return rv == DX_ERR_UNSUPPORTED ? 0 : rv;
}
