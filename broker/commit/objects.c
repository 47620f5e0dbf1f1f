/* objects: chunk writes that park their request, and the trash emptied
 * in steps. Every function runs on the writer thread (objects.h). */
#include "objects.h"
#include "batch.h"
#include "content.h"
#include "dxtime.h"
#include "log.h"
#include "metrics.h"
#include "pool.h"
#include "request.h"

#include <stdlib.h>
#include <string.h>

#define STEP_BLOBS 8             /* trash rows taken in one step */
#define STEP_OBJECTS 32          /* removals in flight at once */
#define IDLE_MS 1000             /* an empty trash is looked at again after */
#define RETRY_MS 5000            /* a step that failed is tried again after */
#define PING_MS 5000             /* the pool is asked whether it answers, this often */

typedef struct {
    uint64_t blob;
    uint32_t chunks, next, left; /* objects; the next to remove; removals unanswered */
    int failed;
} removal_t;

typedef struct {
    uint64_t blob;
    uint32_t n;
} writing_t;

struct objects {
    objects_resume_fn resume;
    writing_t *writing;          /* blobs with writes in flight */
    size_t nwriting, capwriting;
    request_t *back, *back_tail; /* resumed, for the writer's queue */
    removal_t rm[STEP_BLOBS];
    size_t nrm;
    uint64_t after;              /* the trash walk's place */
    int64_t next_ms;             /* when the next step may start */
    uint64_t removed_blobs, removed_objects;
    int ping;                    /* its address marks a ping's answer */
    bool pinging;
    int64_t ping_ms;             /* when the next one goes */
};

int objects_new(objects_t **out)
{
    return (*out = calloc(1, sizeof **out)) ? 0 : DX_ERR_NOMEM;
}

void objects_free(objects_t **o_p)
{
    objects_t *o = *o_p;
    if (!o)
        return;
    free(o->writing);
    free(o);
    *o_p = NULL;
}

void objects_on_resume(broker_t *b, objects_resume_fn fn)
{
    b->objects->resume = fn;
}

static writing_t *s_writing(objects_t *o, uint64_t blob, bool add)
{
    for (size_t i = 0; i < o->nwriting; i++)
        if (o->writing[i].blob == blob)
            return &o->writing[i];
    if (!add)
        return NULL;
    if (o->nwriting == o->capwriting) {
        size_t cap = o->capwriting ? 2 * o->capwriting : 16;
        writing_t *w = realloc(o->writing, cap * sizeof *w);
        if (!w)
            return NULL;
        o->writing = w;
        o->capwriting = cap;
    }
    o->writing[o->nwriting] = (writing_t){ blob, 0 };
    return &o->writing[o->nwriting++];
}

void objects_park(request_t *rq)
{
    rq->parked = true;
}

void objects_resume(broker_t *b, request_t *rq, int status)
{
    objects_t *o = b->objects;
    rq->pool_rv = status;
    rq->next = NULL;
    if (o->back_tail)
        o->back_tail->next = rq;
    else
        o->back = rq;
    o->back_tail = rq;
}

int objects_write(broker_t *b, request_t *rq, uint64_t blob, uint32_t index, uint8_t *sealed,
                  size_t len)
{
    writing_t *w = s_writing(b->objects, blob, true);
    if (!w) {
        free(sealed);
        return DX_ERR_NOMEM;
    }
    int rv = content_write(b, blob, index, sealed, len, rq);
    if (rv != 0)
        return rv;
    w->n++;
    rq->wrote_blob = blob;
    objects_park(rq);
    return 0;
}

typedef struct {
    broker_t *b;
    request_t *rq;
    uint64_t blob;
} after_t;

static void s_after_commit(void *arg, int status)
{
    after_t *a = arg;
    request_t *rq = a->rq;
    if (status == 0) {
        uint8_t *sealed = rq->sealed;
        rq->sealed = NULL;
        status = objects_write(a->b, rq, a->blob, 0, sealed, rq->sealed_len);
    }
    if (status != 0)
        objects_resume(a->b, rq, status);
    free(a);
}

int objects_write_after_commit(broker_t *b, request_t *rq, uint64_t blob)
{
    after_t *a = malloc(sizeof *a);
    if (!a)
        return DX_ERR_NOMEM;
    *a = (after_t){ b, rq, blob };
    int rv = batch_defer(b->batch, s_after_commit, a);
    if (rv != 0) {
        free(a);
        return rv;
    }
    objects_park(rq);
    return 0;
}

void objects_finish(broker_t *b, request_t *rq)
{
    metrics_request(b->metrics, rq->cmd_index, rq->refused);
    request_free(&rq);
}

static void s_removed(broker_t *b, removal_t *r, int result);

void objects_drain(broker_t *b)
{
    objects_t *o = b->objects;
    void *arg;
    int result;
    while (b->pool && pool_done_next(b->pool, &arg, &result)) {
        removal_t *r = arg;
        if (arg == &o->ping) {
            o->pinging = false; /* the pool noted how it went (status, metrics) */
            continue;
        }
        if (r >= o->rm && r < o->rm + STEP_BLOBS) {
            s_removed(b, r, result);
            continue;
        }
        request_t *rq = arg;
        writing_t *w = s_writing(o, rq->wrote_blob, false);
        if (w && --w->n == 0)
            *w = o->writing[--o->nwriting];
        objects_resume(b, rq, result);
    }
    while (o->back) {
        request_t *rq = o->back;
        o->back = rq->next;
        if (!o->back)
            o->back_tail = NULL;
        rq->next = NULL;
        rq->parked = false;
        rq->resumed = true;
        o->resume(b, rq);
    }
}

uint64_t objects_in_flight(const broker_t *b)
{
    return b->pool ? pool_in_flight(b->pool) : 0;
}

/* Starts the next removals of r, up to the step's bound. */
static void s_remove_more(broker_t *b, removal_t *r, uint32_t *budget)
{
    char oid[POOL_NAME_MAX];
    while (*budget > 0 && r->next < r->chunks && !r->failed) {
        pool_chunk_name(r->blob, r->next, oid);
        int rv = pool_remove_async(b->pool, oid, r);
        if (rv != 0) {
            r->failed = rv;
            break;
        }
        r->next++;
        r->left++;
        (*budget)--;
    }
}

static uint32_t s_in_flight_removals(const objects_t *o)
{
    uint32_t n = 0;
    for (size_t i = 0; i < o->nrm; i++)
        n += o->rm[i].left;
    return n;
}

/* The step ends when every removal of it was answered: rows of blobs
 * whose objects are all gone leave the trash. */
static void s_step_end(broker_t *b)
{
    objects_t *o = b->objects;
    size_t done = 0, failed = 0;
    batch_op_begin(b->batch);
    store_txn_t *t;
    int rv = batch_txn(b->batch, &t);
    for (size_t i = 0; rv == 0 && i < o->nrm; i++) {
        if (o->rm[i].failed) {
            failed++;
            continue;
        }
        if ((rv = store_trash_delete(t, o->rm[i].blob)) == 0) {
            done++;
            o->removed_objects += o->rm[i].chunks;
        }
    }
    rv = batch_op_end(b->batch, rv);
    if (rv == 0)
        o->removed_blobs += done;
    if (failed || rv != 0) {
        char why[DX_ERRMSG];
        content_unavailable(b, why);
        dx_log_kv(DX_LOG_WARN, "content-removal-deferred", DX_KU("blobs", failed ? failed : o->nrm),
                  DX_KV("reason", rv ? dx_strerror(rv) : why),
                  DX_KV("do", "nothing: the broker tries again in a few seconds; dx-check-content "
                              "lists what is left"));
        o->next_ms = dx_mono_ms() + RETRY_MS;
        o->after = 0;
    } else if (done) {
        dx_log_kv(DX_LOG_DEBUG, "content-removed", DX_KU("blobs", done));
    }
    o->nrm = 0;
}

static void s_removed(broker_t *b, removal_t *r, int result)
{
    objects_t *o = b->objects;
    r->left--;
    if (result != 0 && !r->failed)
        r->failed = result;
    uint32_t budget = STEP_OBJECTS - s_in_flight_removals(o);
    for (size_t i = 0; i < o->nrm && budget > 0; i++)
        s_remove_more(b, &o->rm[i], &budget);
    if (s_in_flight_removals(o) == 0)
        s_step_end(b);
}

typedef struct {
    objects_t *o;
    size_t n;
    uint64_t last;
} walk_t;

static int s_trash_row(void *arg, uint64_t blob, uint32_t chunks)
{
    walk_t *w = arg;
    w->last = blob;
    for (size_t i = 0; i < w->o->nwriting; i++)
        if (w->o->writing[i].blob == blob)
            return 0; /* a write still in flight: after it is answered */
    w->o->rm[w->n++] = (removal_t){ .blob = blob, .chunks = chunks };
    return w->n == STEP_BLOBS ? DX_STOP : 0;
}

bool objects_collect(broker_t *b, int64_t now_mono_ms)
{
    objects_t *o = b->objects;
    if (!b->pool)
        return false;
    /* so that the status says when Ceph is away, or back, with no traffic */
    if (!o->pinging && now_mono_ms >= o->ping_ms) {
        o->ping_ms = now_mono_ms + PING_MS;
        o->pinging = pool_ping_async(b->pool, &o->ping) == 0;
    }
    if (o->nrm > 0 || now_mono_ms < o->next_ms)
        return false;
    store_txn_t *t = NULL;
    walk_t w = { o, 0, 0 };
    int rv = store_begin(b->store, NULL, false, &t);
    if (rv == 0)
        rv = store_trash_each(t, o->after, s_trash_row, &w);
    store_abort(&t);
    if (rv < 0) {
        dx_warn("trash-unreadable", "cannot read the trash: %s", dx_strerror(rv));
        o->next_ms = now_mono_ms + RETRY_MS;
        return false;
    }
    if (w.n == 0) {
        o->after = 0;
        o->next_ms = now_mono_ms + IDLE_MS;
        return false;
    }
    o->after = rv == DX_STOP ? w.last : 0;
    o->nrm = w.n;
    uint32_t budget = STEP_OBJECTS;
    for (size_t i = 0; i < o->nrm; i++)
        s_remove_more(b, &o->rm[i], &budget);
    if (s_in_flight_removals(o) == 0)
        s_step_end(b); /* nothing could start (or nothing to remove) */
    return true;
}
