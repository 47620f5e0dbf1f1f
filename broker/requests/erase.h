/* erase: dx-admin erase, and one version's erasure (its chunks, key slot
 * row, entry marked, record and feed entry). */
#ifndef DX_BROKER_ERASE_H
#define DX_BROKER_ERASE_H

#include "broker.h"

/* Who erases, and why: a member (rule_id "role-admin") or the broker
 * itself (rule_id "retention"). */
typedef struct {
    int64_t now_ms;
    const char *by;
    const char *reason;
    const char *rule_id;
} eraser_t;

/* The key slots of the versions erased in the current request: they are
 * destroyed once it commits (content_keys_destroy_after). */
typedef struct {
    uint32_t *slots;
    size_t n, cap;
} erase_slots_t;

/* Erases e (not yet erased) in the current request's transaction: chunks,
 * key slot row, the entry marked, the audit record (rq NULL: the broker's
 * own). e is left as it was. */
int erase_version(broker_t *b, const request_t *rq, Dx__CatalogEntry *e, const eraser_t *who,
                  erase_slots_t *slots, uint64_t *seq);
int erase_request(broker_t *b, request_t *rq);

#endif
