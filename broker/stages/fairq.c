/* fairq: per-member FIFOs served in turn (fairq.h). */
#include "fairq.h"
#include "broker.h"
#include "request.h"

#include <stdlib.h>
#include <string.h>

typedef struct slot {
    char member[DX_ID_MAX + 1];
    request_t *head, *tail;
    struct slot *next_turn;      /* the ring of members with requests */
    bool waiting;                /* in the ring */
} slot_t;

struct fairq {
    slot_t **slots;              /* open addressing by member id; never removed */
    size_t cap, used, count;
    size_t bytes;                /* the waiting requests' frames */
    size_t members;              /* in the ring */
    slot_t *turn_head, *turn_tail;
};

int fairq_new(fairq_t **out)
{
    fairq_t *q = calloc(1, sizeof *q);
    if (!q || !(q->slots = calloc(64, sizeof *q->slots))) {
        free(q);
        return DX_ERR_NOMEM;
    }
    q->cap = 64;
    *out = q;
    return 0;
}

void fairq_destroy(fairq_t **q_p)
{
    fairq_t *q = *q_p;
    if (!q)
        return;
    request_t *rq;
    while ((rq = fairq_pop(q)) != NULL)
        if (rq->kind != RQ_STOP) /* the stop request is the broker's own, not the heap's */
            request_free(&rq);
    for (size_t i = 0; i < q->cap; i++)
        free(q->slots[i]);
    free(q->slots);
    free(q);
    *q_p = NULL;
}

static size_t s_hash(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static int s_grow(fairq_t *q)
{
    size_t cap = q->cap * 2;
    slot_t **slots = calloc(cap, sizeof *slots);
    if (!slots)
        return DX_ERR_NOMEM;
    for (size_t i = 0; i < q->cap; i++)
        if (q->slots[i]) {
            size_t j = s_hash(q->slots[i]->member) & (cap - 1);
            while (slots[j])
                j = (j + 1) & (cap - 1);
            slots[j] = q->slots[i];
        }
    free(q->slots);
    q->slots = slots;
    q->cap = cap;
    return 0;
}

static slot_t *s_slot(fairq_t *q, const char *member)
{
    if (2 * (q->used + 1) > q->cap && s_grow(q) != 0)
        return NULL;
    size_t i = s_hash(member) & (q->cap - 1);
    for (; q->slots[i]; i = (i + 1) & (q->cap - 1))
        if (strcmp(q->slots[i]->member, member) == 0)
            return q->slots[i];
    slot_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    memcpy(s->member, member, strnlen(member, DX_ID_MAX));
    q->slots[i] = s;
    q->used++;
    return s;
}

static void s_enqueue_turn(fairq_t *q, slot_t *s)
{
    if (!s->waiting)
        q->members++;
    s->waiting = true;
    s->next_turn = NULL;
    if (q->turn_tail)
        q->turn_tail->next_turn = s;
    else
        q->turn_head = s;
    q->turn_tail = s;
}

int fairq_push(fairq_t *q, request_t *rq)
{
    slot_t *s = s_slot(q, rq->kind == RQ_MEMBER ? rq->member_id : "");
    if (!s)
        return DX_ERR_NOMEM;
    rq->next = NULL;
    if (s->tail)
        s->tail->next = rq;
    else
        s->head = rq;
    s->tail = rq;
    if (!s->waiting)
        s_enqueue_turn(q, s);
    q->count++;
    q->bytes += rq->frame_len;
    return 0;
}

request_t *fairq_pop(fairq_t *q)
{
    slot_t *s = q->turn_head;
    if (!s)
        return NULL;
    q->turn_head = s->next_turn;
    if (!q->turn_head)
        q->turn_tail = NULL;
    s->waiting = false;
    q->members--;
    request_t *rq = s->head;
    s->head = rq->next;
    if (!s->head)
        s->tail = NULL;
    else
        s_enqueue_turn(q, s); /* its next one waits for everyone else's turn */
    rq->next = NULL;
    q->count--;
    q->bytes -= rq->frame_len;
    return rq;
}

size_t fairq_count(const fairq_t *q) { return q ? q->count : 0; }
size_t fairq_members(const fairq_t *q) { return q ? q->members : 0; }
size_t fairq_bytes(const fairq_t *q) { return q ? q->bytes : 0; }
