/* group: lease, journal hook and standby (see group.h). */
#include "group.h"
#include "audit_chain.h"
#include "audit_log.h"
#include "checkpoint.h"
#include "dxtime.h"
#include "journal.h"
#include "log.h"
#include "master_key.h"
#include "pool.h"
#include "signals.h"
#include "store.h"
#include "vault.h"
#include "encode.h"
#include "wire.h"

#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APPLY_BATCH 256    /* entries applied per LMDB commit while following */
#define REPORT_EVERY_MS 2000 /* a member's position to the group */

struct group {
    journal_t *j;
    journal_pos_t pos;          /* the store's: applied (standby), appended (active) */
    dx_chain_t chain;           /* the audit log as applied, for the heads' check */
    int lease_s;
    char endpoint[256];         /* ours, as clients reach it */
    char active[256];           /* the active's, as it wrote it */
    uint64_t active_epoch;
    char message[400];
    bool is_active;
    bool uncertain;             /* an append failed: did it land? */
    atomic_bool fenced;
    int64_t next_try_ms;        /* the next time a standby tries the lease */
    int64_t next_report_ms;
    uint64_t lag;
    int64_t behind_ms;          /* since when a standby has been behind; 0: caught up */
    /* applying */
    uint32_t *wipes;
    size_t nwipes, capwipes;
    bool vault_dirty;
    char err[DX_ERRMSG];
    /* for the metrics thread */
    _Atomic uint64_t m_epoch, m_position, m_lag, m_appends, m_append_failures, m_applied;
    _Atomic int64_t m_behind_ms;
    atomic_bool m_active;
    /* the active's lease renewals */
    pthread_t renewer;
    bool renewing;
    atomic_bool stop_renewing;
};

static int s_chain_record(void *arg, uint64_t seq, store_val_t val)
{
    group_t *g = arg;
    (void)seq;
    return dx_chain_append(&g->chain, val.data, val.len, g->err);
}

/* The store's audit log, checked as a standby will go on checking it. */
static int s_load(broker_t *b, group_t *g, char err[DX_ERRMSG])
{
    store_txn_t *t = NULL;
    store_val_t v;
    int rv = store_begin(b->store, NULL, false, &t);
    if (rv != 0) {
        snprintf(err, DX_ERRMSG, "cannot read the store: %s", dx_strerror(rv));
        return rv;
    }
    rv = store_journal_position(t, &v);
    if (rv == 0 && !journal_pos_decode(v.data, v.len, &g->pos)) {
        snprintf(err, DX_ERRMSG, "the store in %s has a journal position this dx does not read",
                 b->cfg.data_dir);
        rv = DX_ERR_INTEGRITY;
    } else if (rv == DX_ERR_NOT_FOUND)
        rv = 0;
    dx_chain_init(&g->chain);
    if (rv == 0 && (rv = store_audit_each(t, 0, s_chain_record, g)) != 0)
        snprintf(err, DX_ERRMSG, "the store's audit log does not verify: %s", g->err);
    if (rv == 0 && g->chain.size > 0 && (rv = dx_log_head(t, &v)) == 0) {
        dx_checkpoint_t cp;
        if ((rv = dx_checkpoint_open((const char *)v.data, v.len, b->key.pub.sign, &cp, g->err)) != 0 ||
            (rv = dx_chain_check(&g->chain, &cp, true, g->err)) != 0)
            snprintf(err, DX_ERRMSG, "the store's signed head does not verify: %s", g->err);
    }
    store_abort(&t);
    return rv;
}

int group_open(broker_t *b, char err[DX_ERRMSG])
{
    group_t *g = calloc(1, sizeof *g);
    int rv;
    if (!g) {
        snprintf(err, DX_ERRMSG, "out of memory");
        return DX_ERR_NOMEM;
    }
    b->group = g;
    g->lease_s = (int)(b->cfg.lease_ms / 1000);
    snprintf(g->endpoint, sizeof g->endpoint, "%s", b->cfg.advertise ? b->cfg.advertise : b->endpoint);
    snprintf(g->message, sizeof g->message, "standby; no broker of the group is active yet");
    if ((rv = journal_open(b->pool, b->key.pub.sign, &g->j)) != 0) {
        snprintf(err, DX_ERRMSG, "cannot start: %s", dx_strerror(rv));
        return rv;
    }
    if ((rv = store_open(b->cfg.data_dir, b->cfg.map_size, false, &b->store, err)) != 0)
        return rv;
    bool created = false;
    dx_pkcs11_conf_t p11;
    dx_master_loc_t loc = broker_master_loc(&b->cfg, &b->key, &p11);
    if ((rv = vault_open(b->cfg.data_dir, &loc, false, &created, &b->vault, err)) != 0)
        return rv;
    if ((rv = s_load(b, g, err)) != 0)
        return rv;
    dx_log_kv(DX_LOG_INFO, "group-joined", DX_KU("position", g->pos.position),
              DX_KU("epoch", g->pos.epoch), DX_KU("records", g->chain.size),
              DX_KV("endpoint", g->endpoint));
    return 0;
}

/* ---- applying the journal ---- */

static int s_wipe_later(group_t *g, uint32_t slot)
{
    if (g->nwipes == g->capwipes) {
        size_t cap = g->capwipes ? 2 * g->capwipes : 64;
        uint32_t *w = realloc(g->wipes, cap * sizeof *w);
        if (!w)
            return DX_ERR_NOMEM;
        g->wipes = w;
        g->capwipes = cap;
    }
    g->wipes[g->nwipes++] = slot;
    return 0;
}

static uint32_t s_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Each operation before it is applied: key slots go to the vault, audit
 * records extend the chain, and every signed head must match it. */
static int s_on_op(void *arg, const store_op_t *op)
{
    broker_t *b = arg;
    group_t *g = b->group;
    if (op->kind == STORE_OP_NOTE) {
        if (op->table != STORE_NOTE_KEYSLOT || op->vlen != VAULT_SLOT) {
            snprintf(g->err, DX_ERRMSG, "a note of an unknown kind (%u)", op->table);
            return DX_ERR_INTEGRITY;
        }
        /* a slot freed earlier in this batch and given a new key since:
         * the wipe after the commit must not take the new key */
        uint32_t slot = s_get32(op->key);
        for (size_t i = 0; i < g->nwipes; i++)
            if (g->wipes[i] == slot)
                g->wipes[i--] = g->wipes[--g->nwipes];
        int rv = vault_slot_write(b->vault, slot, op->val);
        if (rv != 0)
            snprintf(g->err, DX_ERRMSG, "a content key slot that %s",
                     rv == DX_ERR_INTEGRITY ? "does not open under this broker's master key"
                                            : "cannot be written");
        g->vault_dirty = true;
        return rv;
    }
    if (strcmp(op->name, "audit") == 0 && op->kind == STORE_OP_PUT) {
        uint64_t seq = 0;
        for (size_t i = 0; i < op->klen && i < 8; i++)
            seq = seq << 8 | op->key[i];
        if (op->klen != 8 || seq != g->chain.size + 1) {
            snprintf(g->err, DX_ERRMSG, "audit record %" PRIu64 " where %" PRIu64 " was due", seq,
                     g->chain.size + 1);
            return DX_ERR_INTEGRITY;
        }
        return dx_chain_append(&g->chain, op->val, op->vlen, g->err);
    }
    if (strcmp(op->name, "meta") == 0 && op->kind == STORE_OP_PUT && op->klen == 4 &&
        memcmp(op->key, "head", 4) == 0) {
        dx_checkpoint_t cp;
        int rv = dx_checkpoint_open((const char *)op->val, op->vlen, b->key.pub.sign, &cp, g->err);
        return rv != 0 ? rv : dx_chain_check(&g->chain, &cp, false, g->err);
    }
    if (strcmp(op->name, "keyslots") == 0 && op->kind == STORE_OP_DEL && op->klen == 4)
        return s_wipe_later(g, s_get32(op->key));
    return 0;
}

static int s_apply_entry(void *arg, uint64_t position, uint64_t epoch, const uint8_t *payload,
                         size_t len)
{
    broker_t *b = ((void **)arg)[0];
    store_txn_t *t = ((void **)arg)[1];
    (void)position, (void)epoch;
    int rv = store_journal_apply(t, payload, len, s_on_op, b);
    if (rv == DX_ERR_INTEGRITY && !b->group->err[0])
        snprintf(b->group->err, DX_ERRMSG, "its operations are malformed");
    return rv;
}

/* Applies up to APPLY_BATCH entries in one commit; *more: the journal has
 * more. A journal that does not check is DX_ERR_INTEGRITY with err. */
static int s_follow(broker_t *b, bool *more, char err[DX_ERRMSG])
{
    group_t *g = b->group;
    store_txn_t *t = NULL;
    journal_pos_t pos = g->pos;
    dx_chain_t chain = g->chain;
    uint8_t mark[JOURNAL_POS_LEN];
    int rv = store_begin(b->store, NULL, true, &t);
    if (rv != 0) {
        snprintf(err, DX_ERRMSG, "cannot write the store: %s", dx_strerror(rv));
        return rv;
    }
    void *args[2] = { b, t };
    g->err[0] = '\0';
    g->nwipes = 0;
    uint64_t before = pos.position;
    rv = journal_read(g->j, &pos, APPLY_BATCH, s_apply_entry, args, more, err);
    if (rv == DX_ERR_INTEGRITY && g->err[0])
        snprintf(err, DX_ERRMSG, "journal entry %" PRIu64 " does not check: %s", pos.position + 1,
                 g->err);
    if (pos.position == before || (rv != 0 && rv != DX_ERR_UNAVAILABLE)) {
        store_abort(&t);
        g->chain = chain;
        if (rv == DX_ERR_UNAVAILABLE)
            snprintf(err, DX_ERRMSG, "the journal cannot be read: the cluster does not answer");
        return rv;
    }
    /* what was read before the cluster stopped answering is kept */
    journal_pos_encode(&pos, mark);
    if ((g->vault_dirty && (rv = vault_sync(b->vault)) != 0) ||
        (rv = store_journal_mark(t, mark, sizeof mark)) != 0 || (rv = store_commit(&t)) != 0) {
        store_abort(&t);
        snprintf(err, DX_ERRMSG, "cannot apply the journal to the store: %s", dx_strerror(rv));
        return rv;
    }
    g->vault_dirty = false;
    atomic_fetch_add(&g->m_applied, pos.position - g->pos.position);
    g->pos = pos;
    atomic_store(&g->m_position, pos.position);
    for (size_t i = 0; i < g->nwipes; i++)
        vault_wipe(b->vault, g->wipes[i]);
    if (g->nwipes)
        vault_sync(b->vault);
    return 0;
}

/* ---- reports and trimming ---- */

/* The position of the newest backup dx-admin backup took of this store
 * (journal.h, JOURNAL_BACKUP_FILE); 0 when none. */
static uint64_t s_backup_position(const broker_t *b)
{
    char path[4200], text[64] = "";
    snprintf(path, sizeof path, "%s/%s", b->cfg.data_dir, JOURNAL_BACKUP_FILE);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    bool ok = fgets(text, sizeof text, f) != NULL;
    fclose(f);
    return ok ? strtoull(text, NULL, 10) : 0;
}

/* Every REPORT_EVERY_MS: this member's position and newest backup, for the
 * group's trimming; the active also trims, every trim-every. */
static void s_report(broker_t *b, uint64_t position, int64_t *next_trim_ms)
{
    group_t *g = b->group;
    int64_t now = dx_mono_ms();
    if (now < g->next_report_ms)
        return;
    g->next_report_ms = now + REPORT_EVERY_MS;
    journal_report(g->j, g->endpoint, position, s_backup_position(b), dx_now_ms());
    if (!next_trim_ms || now < *next_trim_ms)
        return;
    *next_trim_ms = now + b->cfg.trim_every_ms;
    uint64_t keep = 0, parts = 0, bytes = 0;
    char why[DX_ERRMSG];
    if (journal_trim_point(g->j, dx_now_ms(), 0, &keep, why) == 0 && keep > 0 &&
        journal_trim(g->j, keep, &parts, &bytes) == 0 && parts > 0)
        dx_log_kv(DX_LOG_INFO, "journal-trimmed", DX_KU("parts", parts), DX_KU("bytes", bytes),
                  DX_KV("reason", why));
}

/* ---- the active ---- */

static void s_fenced(broker_t *b, const char *why)
{
    group_t *g = b->group;
    if (atomic_exchange(&g->fenced, true))
        return;
    dx_log_kv(DX_LOG_ERROR, "fenced", DX_KV("reason", why), DX_KU("epoch", atomic_load(&g->m_epoch)),
              DX_KV("do", "another broker of the group is active: this one acknowledges nothing "
                          "more and stops; start it again and it rejoins as a standby"));
    dx_signal_stop = 1;
}

/* The store's journal hook: the entry goes to the journal before LMDB
 * commits it, or nothing is committed. */
static int s_append(void *arg, store_txn_t *t, const uint8_t *ops, size_t len)
{
    broker_t *b = arg;
    group_t *g = b->group;
    store_val_t v;
    journal_pos_t stored;
    uint8_t mark[JOURNAL_POS_LEN];
    bool landed = false;
    int rv;
    if (atomic_load(&g->fenced))
        return DX_ERR_FENCED;
    /* the last entry appended must be the store's: else its commit failed
     * after the append, and only a restart (which applies it) is safe */
    if (store_journal_position(t, &v) != 0 || !journal_pos_decode(v.data, v.len, &stored) ||
        stored.position != g->pos.position) {
        s_fenced(b, "journal entry appended but not committed to the store (a restart applies it)");
        return DX_ERR_STORAGE;
    }
    if (g->uncertain) {
        if ((rv = journal_landed(g->j, &g->pos, &landed)) != 0)
            return rv;
        if (landed) {
            s_fenced(b, "an append that failed reached the journal after all (a restart applies it)");
            return DX_ERR_STORAGE;
        }
        g->uncertain = false;
    }
    journal_pos_t pos = g->pos;
    rv = journal_append(g->j, &pos, ops, len, b->signer);
    if (rv == DX_ERR_FENCED) {
        s_fenced(b, "the journal's epoch was sealed by another broker");
        return rv;
    }
    if (rv == DX_ERR_INTEGRITY) {
        s_fenced(b, "the journal moved past this broker's position");
        return DX_ERR_STORAGE;
    }
    if (rv != 0) {
        g->uncertain = true;
        dx_log_kv(DX_LOG_ERROR, "journal-append-failed", DX_KV("reason", dx_strerror(rv)),
                  DX_KU("position", g->pos.position + 1),
                  DX_KV("do", "check the Ceph cluster (ceph -s): nothing is acknowledged until "
                              "the journal takes writes again"));
        atomic_fetch_add(&g->m_append_failures, 1);
        return rv == DX_ERR_TOO_BIG ? rv : DX_ERR_UNAVAILABLE;
    }
    g->pos = pos;
    atomic_store(&g->m_position, pos.position);
    atomic_fetch_add(&g->m_appends, 1);
    journal_pos_encode(&pos, mark);
    return store_journal_mark(t, mark, sizeof mark);
}

static void *s_renew(void *arg)
{
    broker_t *b = arg;
    group_t *g = b->group;
    int64_t every = b->cfg.lease_ms / 3, failing = 0, next_trim = dx_mono_ms() + b->cfg.trim_every_ms;
    while (!atomic_load(&g->stop_renewing)) {
        s_report(b, atomic_load(&g->m_position), &next_trim);
        int64_t until = dx_mono_ms() + every;
        while (!atomic_load(&g->stop_renewing) && dx_mono_ms() < until)
            poll(NULL, 0, 50);
        if (atomic_load(&g->stop_renewing))
            break;
        int rv = journal_lease(g->j, g->lease_s, atomic_load(&g->m_epoch), NULL);
        if (rv == DX_ERR_BUSY) {
            s_fenced(b, "the lease is held by another broker");
            break;
        }
        if (rv != 0 && !failing) {
            failing = dx_now_ms();
            dx_log_kv(DX_LOG_WARN, "lease-not-renewed", DX_KV("reason", dx_strerror(rv)),
                      DX_KV("do", "check the Ceph cluster (ceph -s): if the lease lapses a "
                                  "standby takes over and this broker stops"));
        } else if (rv == 0 && failing) {
            failing = 0;
            dx_log_kv(DX_LOG_INFO, "lease-renewed", DX_KU("epoch", atomic_load(&g->m_epoch)));
        }
    }
    return NULL;
}

/* Each broker loads its own policy directory: a takeover by one whose set
 * differs from the one the group had in force (the last record's) changes
 * the rules, which the operator must hear about. */
static void s_check_policy_set(broker_t *b)
{
    store_txn_t *t = NULL;
    store_val_t v;
    uint64_t last = 0;
    Dx__AuditRecord *r = NULL;
    char err[DX_ERRMSG], ours[65], theirs[65];
    if (store_begin(b->store, NULL, false, &t) == 0 && store_audit_last(t, &last) == 0 && last &&
        store_audit_get(t, last, &v) == 0 && wire_audit_decode(v.data, v.len, &r, err) == 0 &&
        r->policy_sha256.len == DX_SHA256_LEN &&
        memcmp(r->policy_sha256.data, b->policy->sha256, DX_SHA256_LEN) != 0) {
        dx_hex_encode(b->policy->sha256, DX_SHA256_LEN, ours);
        dx_hex_encode(r->policy_sha256.data, DX_SHA256_LEN, theirs);
        dx_log_kv(DX_LOG_WARN, "group-policy-differs", DX_KV("policy_sha256", ours),
                  DX_KV("group_policy_sha256", theirs), DX_KV("policies", b->cfg.policy_dir),
                  DX_KV("do", "this broker's policy set is not the one the group had in force, and "
                              "is in force now: deploy the same policy files to every broker of "
                              "the group, then dx-admin reload"));
    }
    wire_free(&r);
    store_abort(&t);
}

/* The lease is ours: the old epochs sealed and applied to their end, our
 * epoch begun, the hook set, the renewals started. */
static int s_promote(broker_t *b, char err[DX_ERRMSG])
{
    group_t *g = b->group;
    uint64_t epoch = 0;
    int rv;
    for (int tries = 0;; tries++) {
        bool more = true;
        if ((rv = journal_fence(g->j, &g->pos, &epoch)) != 0) {
            snprintf(err, DX_ERRMSG, "cannot seal the journal: %s", dx_strerror(rv));
            return rv;
        }
        while (more)
            if ((rv = s_follow(b, &more, err)) != 0)
                return rv;
        if ((rv = journal_fence(g->j, &g->pos, &epoch)) != 0 ||
            (rv = journal_begin(g->j, &g->pos, epoch)) != DX_ERR_EXISTS || tries > 100)
            break;
    }
    if (rv != 0) {
        snprintf(err, DX_ERRMSG, "cannot begin a journal epoch: %s", dx_strerror(rv));
        return rv;
    }
    store_txn_t *t = NULL;
    uint8_t mark[JOURNAL_POS_LEN];
    journal_pos_encode(&g->pos, mark);
    if ((rv = store_begin(b->store, NULL, true, &t)) != 0 ||
        (rv = store_journal_mark(t, mark, sizeof mark)) != 0 || (rv = store_commit(&t)) != 0) {
        store_abort(&t);
        snprintf(err, DX_ERRMSG, "cannot write the store: %s", dx_strerror(rv));
        return rv;
    }
    if ((rv = journal_lease(g->j, g->lease_s, epoch, g->endpoint)) != 0) {
        snprintf(err, DX_ERRMSG, "lost the lease while taking over: %s", dx_strerror(rv));
        return rv == DX_ERR_BUSY ? DX_ERR_FENCED : rv;
    }
    store_journal_set(b->store, s_append, b);
    g->is_active = true;
    atomic_store(&g->m_active, true);
    atomic_store(&g->m_epoch, epoch);
    atomic_store(&g->m_lag, 0);
    atomic_store(&g->m_behind_ms, 0);
    g->active_epoch = epoch;
    snprintf(g->active, sizeof g->active, "%s", g->endpoint);
    if (pthread_create(&g->renewer, NULL, s_renew, b) != 0) {
        snprintf(err, DX_ERRMSG, "cannot start the lease's renewals");
        return DX_ERR_INTERNAL;
    }
    pthread_setname_np(g->renewer, "dx-lease");
    g->renewing = true;
    s_check_policy_set(b);
    dx_log_kv(DX_LOG_INFO, "group-active", DX_KU("epoch", epoch), DX_KU("position", g->pos.position),
              DX_KU("records", g->chain.size), DX_KV("endpoint", g->endpoint));
    return 0;
}

int group_standby_turn(broker_t *b, char err[DX_ERRMSG])
{
    group_t *g = b->group;
    bool more = false;
    int rv = s_follow(b, &more, err);
    if (rv == DX_ERR_UNAVAILABLE) {
        dx_log_kv(DX_LOG_WARN, "journal-unavailable", DX_KV("reason", err));
        return 0;
    }
    if (rv != 0)
        return rv;
    uint64_t last = g->pos.position;
    if (journal_tail(g->j, &g->pos, &last) == 0)
        g->lag = last - g->pos.position;
    if (g->lag == 0 && !more)
        g->behind_ms = 0;
    else if (!g->behind_ms)
        g->behind_ms = dx_now_ms();
    atomic_store(&g->m_lag, g->lag);
    atomic_store(&g->m_behind_ms, g->behind_ms);
    int64_t now = dx_mono_ms();
    if (!more)
        s_report(b, g->pos.position, NULL);
    if (more || now < g->next_try_ms)
        return more ? 2 : 0;
    /* a lapsed lease is taken within half a second: a try is one small
     * RADOS operation */
    g->next_try_ms = now + (b->cfg.lease_ms / 4 < 500 ? b->cfg.lease_ms / 4 : 500);
    rv = journal_lease(g->j, g->lease_s, 0, NULL);
    if (rv == DX_ERR_BUSY) {
        if (journal_active(g->j, g->active, &g->active_epoch) == 0 && g->active[0])
            snprintf(g->message, sizeof g->message, "standby; the active broker is %s", g->active);
        atomic_store(&g->m_epoch, g->active_epoch);
        return 0;
    }
    if (rv != 0)
        return 0; /* the cluster: tried again next time */
    return (rv = s_promote(b, err)) == 0 ? 1 : rv;
}

void group_status(broker_t *b, Dx__BrokerStatus *st)
{
    group_t *g = b->group;
    if (!g)
        return;
    st->role = g->is_active ? "active" : "standby";
    st->journal_epoch = g->is_active ? g->pos.epoch : g->active_epoch;
    st->journal_position = g->pos.position;
    st->journal_lag_entries = g->is_active ? 0 : g->lag;
    st->journal_lag_ms = g->is_active || !g->behind_ms ? 0 : dx_now_ms() - g->behind_ms;
    st->active_endpoint = g->active;
}

void group_gauges(const broker_t *b, group_gauges_t *out)
{
    group_t *g = b->group;
    *out = (group_gauges_t){ atomic_load(&g->m_active), atomic_load(&g->m_epoch),
                             atomic_load(&g->m_position), atomic_load(&g->m_lag),
                             atomic_load(&g->m_behind_ms), atomic_load(&g->m_appends),
                             atomic_load(&g->m_append_failures), atomic_load(&g->m_applied) };
}

const char *group_standby_message(broker_t *b) { return b->group->message; }

bool group_fenced(const broker_t *b) { return b->group && atomic_load(&b->group->fenced); }

void group_stop(broker_t *b)
{
    group_t *g = b->group;
    if (!g)
        return;
    if (g->renewing) {
        atomic_store(&g->stop_renewing, true);
        pthread_join(g->renewer, NULL);
        g->renewing = false;
    }
    if (g->is_active && !atomic_load(&g->fenced)) {
        journal_lease_release(g->j);
        dx_log_kv(DX_LOG_INFO, "lease-released", DX_KU("epoch", g->pos.epoch));
    }
    g->is_active = false;
    atomic_store(&g->m_active, false);
    if (b->store)
        store_journal_set(b->store, NULL, NULL);
}

void group_free(broker_t *b)
{
    group_t *g = b->group;
    if (!g)
        return;
    group_stop(b);
    journal_close(&g->j);
    free(g->wipes);
    free(g);
    b->group = NULL;
}
