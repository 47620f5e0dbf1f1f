/* erase: destroying a version's content while its evidence stays.
 *
 * In one transaction: the version's chunks are deleted (their pages are
 * freed, and hold only ciphertext), its keyslots row goes, its catalog
 * entry is marked erased (when, by whom, why) and keeps its hashes, and an
 * audit record says who erased it, why, and which hashes it had. Once that
 * is durable the content key's slot in the vault is overwritten with zeros
 * (content.c); a crash in between leaves the slot unreferenced, and the
 * next start zeroes it. So after a restart a version is either wholly
 * intact or wholly erased, and the catalog and the log agree.
 *
 * Used by dx-admin erase (role admin, checked by dispatch) and by the
 * retention sweep (retention.c), which erases as the broker itself. */
#include "erase.h"
#include "broker.h"
#include "dxtime.h"
#include "log.h"
#include "names.h"
#include "utf8.h"
#include "wire.h"
#include "batch.h"
#include "content.h"
#include "feed.h"
#include "record.h"
#include "reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REASON_MAX 500
#define ERASE_STEP 1000           /* versions looked at by one request */

int erase_version(broker_t *b, const request_t *rq, Dx__CatalogEntry *e, const eraser_t *who,
                  erase_slots_t *slots, uint64_t *seq)
{
    store_txn_t *t;
    uint8_t manifest_sha[DX_SHA256_LEN], *packed = NULL;
    size_t len = 0;
    int rv;
    if ((rv = batch_txn(b->batch, &t)) != 0 ||
        (rv = dx_sha256(e->manifest.data, e->manifest.len, manifest_sha)) != 0)
        return rv;
    if (e->chunks > 0 && e->blob && (rv = content_drop(b, t, e->blob, e->chunks)) != 0)
        return rv;
    uint32_t slot = e->key_slot;
    if (slot && (rv = store_keyslot_delete(t, slot)) != 0)
        return rv;
    Dx__Erasure erased = DX__ERASURE__INIT;
    erased.time_ms = who->now_ms;
    erased.by = (char *)who->by;
    erased.reason = (char *)who->reason;
    e->erased = &erased;
    e->key_slot = 0;
    e->blob = 0;
    rv = wire_pack(&e->base, &packed, &len);
    e->erased = NULL; /* the caller frees e; erased is ours */
    if (rv != 0)
        return rv;
    rv = store_catalog_replace(t, e->dataset, e->version, packed, len);
    free(packed);
    if (rv != 0)
        return rv;
    audit_fields_t f = { .event = DX_EV_ERASE, .action = "erase", .dataset = e->dataset,
                         .version = e->version, .sha256 = e->sha256.data,
                         .manifest_sha256 = manifest_sha, .decision = "ok",
                         .rule_id = who->rule_id, .reason = who->reason };
    uint64_t at = 0;
    if ((rv = record_audit(b, rq, &f, &at)) != 0)
        return rv;
    if (seq)
        *seq = at;
    /* subscribers learn of it through the feed, and remove what they hold */
    if ((rv = feed_committed(b, at, e->dataset, e->version, e->classification, true)) != 0)
        return rv;
    if (slot) {
        if (slots->n == slots->cap) {
            size_t cap = slots->cap ? 2 * slots->cap : 16;
            uint32_t *p = realloc(slots->slots, cap * sizeof *p);
            if (!p)
                return DX_ERR_NOMEM;
            slots->slots = p;
            slots->cap = cap;
        }
        slots->slots[slots->n++] = slot;
    }
    return 0;
}

/* A reason the log can keep: one line of printable UTF-8, bounded. */
static bool s_reason_ok(const char *r)
{
    size_t n = strlen(r);
    if (n == 0 || n > REASON_MAX || !dx_utf8_valid((const uint8_t *)r, n))
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)r[i] < 0x20 || r[i] == 0x7f)
            return false;
    return true;
}

typedef struct {
    const char *name;
    Dx__CatalogEntry **entries;
    size_t n, cap;
    size_t looked;                 /* versions looked at, erased or not */
    uint64_t last;                 /* the last one */
    bool more;                     /* stopped at ERASE_STEP */
    size_t erased_before;
    int64_t erased_ms;
} versions_t;

static int s_version(void *arg, const char *name, uint64_t version, store_val_t val)
{
    versions_t *v = arg;
    if (strcmp(name, v->name) != 0)
        return DX_STOP; /* past the dataset */
    if (v->looked == ERASE_STEP) {
        v->more = true;
        return DX_STOP;
    }
    v->looked++;
    v->last = version;
    char err[DX_ERRMSG];
    Dx__CatalogEntry *e = NULL;
    int rv = wire_catalog_decode(val.data, val.len, &e, err);
    if (rv != 0)
        return rv;
    if (e->erased) {
        v->erased_before++;
        v->erased_ms = e->erased->time_ms;
        wire_free(&e);
        return 0;
    }
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 16;
        Dx__CatalogEntry **p = realloc(v->entries, cap * sizeof *p);
        if (!p) {
            wire_free(&e);
            return DX_ERR_NOMEM;
        }
        v->entries = p;
        v->cap = cap;
    }
    v->entries[v->n++] = e;
    return 0;
}

int erase_request(broker_t *b, request_t *rq)
{
    const Dx__EraseRequest *er = rq->req->erase;
    audit_fields_t f = { .event = DX_EV_ERASE, .action = "erase", .dataset = er->dataset,
                         .version = er->version, .rule_id = dx_pseudo_rule(DX_PSEUDO_ROLE_ADMIN) };
    versions_t v = { .name = er->dataset };
    erase_slots_t slots = { 0 };
    uint64_t *seqs = NULL, *nums = NULL;
    char reason[REASON_MAX + 200], when[DX_TIME_TEXT];
    store_txn_t *t;
    int rv;
    if (!dx_dataset_name_valid(er->dataset) || !s_reason_ok(er->reason)) {
        f.reason = !dx_dataset_name_valid(er->dataset)
                       ? "erase refused: not a dataset name"
                       : "erase refused: the reason must be one line of 1 to 500 printable UTF-8 bytes";
        return record_refusal(b, rq, &f, DX__ERROR_CODE__ERR_BAD_REQUEST);
    }
    if ((rv = batch_txn(b->batch, &t)) != 0)
        return rv;
    if (er->version) {
        store_val_t val;
        rv = store_catalog_get(t, er->dataset, er->version, &val);
        if (rv == 0 && (rv = s_version(&v, er->dataset, er->version, val)) < 0)
            goto out;
        else if (rv != 0 && rv != DX_ERR_NOT_FOUND)
            return rv;
    } else if ((rv = store_catalog_each(t, er->dataset, er->after_version, s_version, &v)) < 0) {
        goto out;
    }
    /* nothing to erase is a refusal on the first step; a later step that
     * finds nothing left (or only versions erased before) just goes on */
    bool first_step = er->version || er->after_version == 0;
    if (v.n == 0 && !v.more && first_step) {
        dx_time_format(v.erased_ms, when);
        if (v.erased_before && er->version)
            snprintf(reason, sizeof reason, "erase refused: %s@%llu was already erased at %s",
                     er->dataset, (unsigned long long)er->version, when);
        else if (v.erased_before)
            snprintf(reason, sizeof reason, "erase refused: every version of %s is already erased "
                     "(the last at %s)", er->dataset, when);
        else if (er->version)
            snprintf(reason, sizeof reason, "erase refused: %s has no version %llu", er->dataset,
                     (unsigned long long)er->version);
        else
            snprintf(reason, sizeof reason, "erase refused: no dataset %s", er->dataset);
        f.reason = reason;
        rv = record_refusal(b, rq, &f, v.erased_before ? DX__ERROR_CODE__ERR_BAD_REQUEST
                                                      : DX__ERROR_CODE__ERR_NOT_FOUND);
        goto out;
    }
    rv = DX_ERR_NOMEM;
    if (!(seqs = calloc(v.n ? v.n : 1, sizeof *seqs)) || !(nums = calloc(v.n ? v.n : 1, sizeof *nums)))
        goto out;
    eraser_t who = { rq->now_ms, rq->member_id, er->reason, f.rule_id };
    for (size_t i = 0; i < v.n; i++) {
        nums[i] = v.entries[i]->version;
        if ((rv = erase_version(b, rq, v.entries[i], &who, &slots, &seqs[i])) != 0)
            goto out;
    }
    if ((rv = content_keys_destroy_after(b, slots.slots, slots.n)) != 0)
        goto out;
    Dx__Reply reply = DX__REPLY__INIT;
    Dx__Erased res = DX__ERASED__INIT;
    res.versions = nums;
    res.n_versions = v.n;
    res.audit_seqs = seqs;
    res.n_audit_seqs = v.n;
    res.next_after = v.more ? v.last : 0;
    reply.body_case = DX__REPLY__BODY_ERASED;
    reply.erased = &res;
    if ((rv = reply_later(b, rq, &reply, NULL, 0)) == 0 && v.n)
        dx_log_kv(DX_LOG_INFO, "erased", DX_KV("member", rq->member_id), DX_KV("dataset", er->dataset),
                  DX_KU("versions", v.n), DX_KU("first", nums[0]), DX_KV("more", v.more ? "yes" : "no"));
out:
    for (size_t i = 0; i < v.n; i++)
        wire_free(&v.entries[i]);
    free(v.entries);
    free(slots.slots);
    free(seqs);
    free(nums);
    return rv;
}
