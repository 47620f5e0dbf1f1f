/* retention: the broker erases versions whose namespace's retention period
 * (policy `retention: 365d`) has passed since they were published.
 *
 * Every --retention-every the writer starts a pass over the catalog; each
 * step looks at a bounded number of versions, erases what is due (at most
 * STEP_ERASE, in one transaction: each version wholly, with its audit
 * record, as the broker itself under the pseudo-rule "retention"), commits,
 * and leaves a cursor for the next step, so requests are served between
 * steps and a sweep over 100,000 versions is a few hundred short steps.
 * The audit log is never touched: only content goes. The period that
 * applies is the one of the version's namespace (the most specific match)
 * in the policy set in force when the step runs. */
#include "retention.h"
#include "broker.h"
#include "dxtime.h"
#include "log.h"
#include "wire.h"
#include "batch.h"
#include "content.h"
#include "erase.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STEP_LOOK 20000   /* versions looked at in one step */
#define STEP_ERASE 1000   /* versions erased in one step (one transaction) */

/* The sweep's place, the writer's alone. */
struct retention {
    int64_t next_ms;          /* when the next pass starts */
    bool active;              /* a pass is under way, from the cursor: */
    char name[DX_NAME_MAX + 1];
    uint64_t version;
};

int retention_new(retention_t **out)
{
    return (*out = calloc(1, sizeof **out)) ? 0 : DX_ERR_NOMEM;
}

void retention_destroy(retention_t **r_p)
{
    free(*r_p);
    *r_p = NULL;
}

bool retention_busy(const retention_t *r) { return r && r->active; }

typedef struct {
    broker_t *b;
    int64_t now_ms;
    size_t looked;
    Dx__CatalogEntry *due[STEP_ERASE];
    const dx_namespace_t *ns[STEP_ERASE];
    size_t n;
    bool stopped;            /* a bound was reached before the catalog's end */
} step_t;

static int s_each(void *arg, const char *name, uint64_t version, store_val_t val)
{
    step_t *st = arg;
    broker_t *b = st->b;
    if (st->looked >= STEP_LOOK || st->n >= STEP_ERASE) {
        st->stopped = true;
        return DX_STOP;
    }
    st->looked++;
    snprintf(b->retention->name, sizeof b->retention->name, "%s", name);
    b->retention->version = version;
    const dx_namespace_t *ns = dx_policy_namespace(b->policy, name);
    if (!ns || ns->retention_ms == 0)
        return 0;
    char err[DX_ERRMSG];
    Dx__CatalogEntry *e = NULL;
    if (wire_catalog_decode(val.data, val.len, &e, err) != 0) {
        dx_error("catalog-corrupt",
                 "retention: catalog entry %s@%llu is corrupt: %s", name, (unsigned long long)version, err);
        return 0;
    }
    if (e->erased || e->published_ms > st->now_ms - ns->retention_ms) {
        wire_free(&e);
        return 0;
    }
    st->ns[st->n] = ns;
    st->due[st->n++] = e;
    return 0;
}

/* One step: look, erase what is due, commit. */
static void s_step(broker_t *b, int64_t now_ms)
{
    step_t *st = calloc(1, sizeof *st);
    erase_slots_t slots = { 0 };
    char reason[300], when[DX_TIME_TEXT];
    store_txn_t *t;
    if (!st) {
        dx_warn("retention-no-memory",
                "retention: out of memory; the sweep is retried at its next period");
        b->retention->active = false;
        return;
    }
    st->b = b;
    st->now_ms = now_ms;
    batch_op_begin(b->batch);
    int rv = batch_txn(b->batch, &t);
    if (rv == 0)
        rv = store_catalog_each(t, b->retention->name, b->retention->version, s_each, st);
    rv = rv < 0 ? rv : 0;
    for (size_t i = 0; rv == 0 && i < st->n; i++) {
        dx_time_format(st->due[i]->published_ms, when);
        snprintf(reason, sizeof reason, "retention: namespace %s keeps versions %s; published at %s",
                 st->ns[i]->match, st->ns[i]->retention, when);
        eraser_t who = { now_ms, "broker", reason, dx_pseudo_rule(DX_PSEUDO_RETENTION) };
        rv = erase_version(b, NULL, st->due[i], &who, &slots, NULL);
    }
    if (rv == 0)
        rv = content_keys_destroy_after(b, slots.slots, slots.n);
    rv = batch_op_end(b->batch, rv);
    if (rv == 0)
        rv = batch_commit(b->batch, dx_now_ms());
    if (rv != 0) {
        dx_error("retention-step-failed",
                 "retention: a step failed (%s); nothing of it was erased, the sweep is retried "
                 "at its next period", dx_strerror(rv));
        b->retention->active = false;
    } else {
        if (st->n)
            dx_info("retention-erased", "retention: erased %zu version(s)", st->n);
        b->retention->active = st->stopped;
    }
    for (size_t i = 0; i < st->n; i++)
        wire_free(&st->due[i]);
    free(slots.slots);
    free(st);
}

static bool s_any_retention(const dx_policy_t *p)
{
    for (size_t i = 0; i < p->nnamespaces; i++)
        if (p->namespaces[i].retention_ms)
            return true;
    return false;
}

void retention_sweep(broker_t *b, int64_t now_ms)
{
    if (!b->retention->active) {
        if (now_ms < b->retention->next_ms)
            return;
        b->retention->next_ms = now_ms + b->cfg.retention_every_ms;
        if (!s_any_retention(b->policy))
            return;
        b->retention->active = true;
        b->retention->name[0] = '\0';
        b->retention->version = 0;
    }
    s_step(b, now_ms);
}
