/* report_stats: the counts of dx-audit report (report.h). */
#include "report_int.h"
#include "encode.h"
#include "names.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KEY_MAX 700

/* caps: names beyond them are counted as "(other)" */
#define CAP_NAMES 20000          /* members, purposes, rules, reasons */
#define CAP_DATASETS 100000
#define CAP_DAYS 40000           /* a century of days */
#define CAP_DAY_MEMBER 500000
#define CAP_PENDING 200000       /* reads awaiting their receipt */

report_t *report_new(int64_t since_ms, int64_t until_ms)
{
    report_t *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->since_ms = since_ms;
    r->until_ms = until_ms;
    tally_t **names[] = { &r->events, &r->publishers, &r->consumers, &r->refused_reason, &r->refused_member,
                          &r->refused_rule, &r->error_rule, &r->purposes, &r->signer };
    bool ok = true;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        ok &= (*names[i] = tally_new(CAP_NAMES)) != NULL;
    ok &= (r->datasets = tally_new(CAP_DATASETS)) != NULL && (r->owner = tally_new(CAP_DATASETS)) != NULL;
    ok &= (r->days = tally_new(CAP_DAYS)) != NULL && (r->refused_day = tally_new(CAP_DAYS)) != NULL;
    ok &= (r->day_pub = tally_new(CAP_DAY_MEMBER)) != NULL && (r->day_recv = tally_new(CAP_DAY_MEMBER)) != NULL;
    ok &= (r->matrix = tally_new(CAP_DAY_MEMBER)) != NULL && (r->unreceipted = tally_new(CAP_PENDING)) != NULL;
    ok &= (r->day_source = tally_new(CAP_DAY_MEMBER)) != NULL && (r->sources = tally_new(CAP_NAMES)) != NULL &&
          (r->day_refused = tally_new(CAP_DAY_MEMBER)) != NULL;
    if (!ok)
        report_free(&r);
    return r;
}

static void s_list_free(report_list_t *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->rows[i].who);
        free(l->rows[i].what);
        free(l->rows[i].rule);
        free(l->rows[i].why);
    }
    free(l->rows);
}

void report_free(report_t **r_p)
{
    report_t *r = *r_p;
    if (!r)
        return;
    tally_t **all[] = { &r->events, &r->publishers, &r->consumers, &r->day_pub, &r->day_recv, &r->days,
                        &r->day_source, &r->sources, &r->day_refused,
                        &r->matrix, &r->owner, &r->refused_reason, &r->refused_member, &r->refused_rule,
                        &r->refused_day, &r->error_rule, &r->purposes, &r->datasets, &r->unreceipted,
                        &r->signer };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        tally_free(all[i]);
    report_list_t *lists[] = { &r->erasures, &r->sweeps, &r->reloads, &r->keys };
    for (size_t i = 0; i < 4; i++)
        s_list_free(lists[i]);
    free(r);
    *r_p = NULL;
}

uint64_t report_records(const report_t *r) { return r->records; }

static int s_row(report_list_t *l, int64_t when, const char *who, const char *what, const char *rule,
                 const char *why)
{
    l->total++;
    if (l->n >= REPORT_ROWS)
        return 0;
    if (!l->rows && !(l->rows = calloc(REPORT_ROWS, sizeof *l->rows)))
        return -1;
    report_row_t *row = &l->rows[l->n];
    row->time_ms = when;
    if (!(row->who = strdup(who)) || !(row->what = strdup(what)) || !(row->rule = strdup(rule)) ||
        !(row->why = strdup(why))) {
        free(row->who);
        free(row->what);
        free(row->rule);
        memset(row, 0, sizeof *row);
        return -1;
    }
    l->n++;
    return 0;
}

static void s_day(int64_t ms, char out[16])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(out, 16, "%Y-%m-%d", &tm) == 0)
        snprintf(out, 16, "0000-00-00");
}

static void s_key2(char out[KEY_MAX], const char *a, const char *b)
{
    snprintf(out, KEY_MAX, "%s\x1f%s", a, b);
}

static bool s_is(const char *a, const char *b) { return strcmp(a, b) == 0; }

/* Why a request was refused, in a few words an office can count: the
 * broker's own check (replay, integrity, ...) or the policy. */
static const char *s_reason(const Dx__AuditRecord *rec)
{
    static const char *own[] = { "replay", "integrity", "protocol", "limit", "transfer", "content-format",
                                 "content-store", "erased", "retention" };
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        if (s_is(rec->rule_id, own[i]))
            return own[i];
    if (s_is(rec->event, "handshake"))
        return "key not admitted";
    if (s_is(rec->rule_id, "default-deny") || rec->rule_id[0] == '\0')
        return "no rule allows it";
    if (s_is(rec->rule_id, "role-auditor") || s_is(rec->rule_id, "role-admin"))
        return "missing role";
    return "a deny rule";
}

/* Follows what later records need, in range or not. */
static int s_follow(report_t *r, const Dx__AuditRecord *rec, char *key)
{
    bool ok_pub = s_is(rec->event, "publish") && (s_is(rec->decision, "allow") || s_is(rec->decision, "ok"));
    if (ok_pub) {
        tally_entry_t *e = tally_add(r->owner, rec->dataset, 0, rec->time_ms);
        if (!e || tally_set_value(e, rec->member) != 0)
            return -1;
    }
    if (rec->signer_key.len == 32 && rec->member[0]) {
        char hex[65], text[100];
        dx_hex_encode(rec->signer_key.data, 32, hex);
        tally_entry_t *e = tally_get(r->signer, rec->member);
        if (e && e->value && !s_is(e->value, hex) && rec->time_ms >= r->since_ms &&
            (!r->until_ms || rec->time_ms < r->until_ms)) {
            snprintf(text, sizeof text, "signing key %.16s... in use (was %.16s...)", hex, e->value);
            if (s_row(&r->keys, rec->time_ms, rec->member, text, "", "a member's key rotation") != 0)
                return -1;
        }
        if (!e && !(e = tally_add(r->signer, rec->member, 0, rec->time_ms)))
            return -1;
        if (tally_set_value(e, hex) != 0)
            return -1;
    }
    /* a receipt, or a transfer that failed, settles a read */
    if ((s_is(rec->event, "delivery") && s_is(rec->decision, "ok")) ||
        (s_is(rec->event, "read") && s_is(rec->decision, "error"))) {
        snprintf(key, KEY_MAX, "%s\x1f%s@%llu", rec->member, rec->dataset, (unsigned long long)rec->version);
        tally_sub(r->unreceipted, key);
    }
    return 0;
}

int report_add(report_t *r, const Dx__AuditRecord *rec)
{
    char key[KEY_MAX], day[16];
    if (s_follow(r, rec, key) != 0)
        return -1;
    if (rec->time_ms < r->since_ms || (r->until_ms && rec->time_ms >= r->until_ms))
        return 0;
    int64_t t = rec->time_ms;
    bool ok = true;
    if (!r->records++)
        r->first_ms = t;
    r->last_ms = t;
    s_day(t, day);
    ok &= tally_add(r->events, rec->event, 0, t) && tally_add(r->days, day, 0, t);
    const char *who = rec->member[0] ? rec->member : "(the broker)";
    if (s_is(rec->decision, "deny")) {
        r->refusals++;
        ok &= tally_add(r->refused_reason, s_reason(rec), 0, t) && tally_add(r->refused_member, who, 0, t) &&
              tally_add(r->refused_rule, rec->rule_id[0] ? rec->rule_id : "(none)", 0, t) &&
              tally_add(r->refused_day, day, 0, t);
        s_key2(key, day, who);
        ok &= tally_add(r->day_refused, key, 0, t) != NULL;
    } else if (s_is(rec->decision, "error")) {
        r->errors++;
        ok &= tally_add(r->error_rule, rec->rule_id[0] ? rec->rule_id : "(none)", 0, t) != NULL;
    }
    if (s_is(rec->event, "publish") && s_is(rec->decision, "allow")) {
        r->publishes++;
        r->publish_bytes += rec->bytes;
        s_key2(key, day, who);
        ok &= tally_add(r->publishers, who, rec->bytes, t) && tally_add(r->day_pub, key, 0, t);
    } else if (s_is(rec->event, "read") && s_is(rec->decision, "allow")) {
        /* an exchange: the broker released a version to a consumer */
        tally_entry_t *own = tally_get(r->owner, rec->dataset);
        const char *publisher = own && own->value ? own->value : "(unknown)";
        r->exchanges++;
        r->exchange_bytes += rec->bytes;
        if (rec->filtered)
            r->views++;
        else {
            r->wholes++;
            r->whole_bytes += rec->bytes;
            r->unsized += rec->bytes == 0;
        }
        s_key2(key, day, who);
        ok &= tally_add(r->consumers, who, rec->bytes, t) && tally_add(r->day_recv, key, 0, t);
        s_key2(key, day, publisher);
        ok &= tally_add(r->sources, publisher, 0, t) && tally_add(r->day_source, key, 0, t);
        s_key2(key, publisher, who);
        ok &= tally_add(r->matrix, key, rec->bytes, t) && tally_add(r->purposes, rec->purpose[0] ? rec->purpose : "(none)", 0, t) &&
              tally_add(r->datasets, rec->dataset, rec->bytes, t);
        snprintf(key, KEY_MAX, "%s\x1f%s@%llu", who, rec->dataset, (unsigned long long)rec->version);
        ok &= tally_add(r->unreceipted, key, 0, t) != NULL;
    } else if (s_is(rec->event, "read") && s_is(rec->decision, "ok") && rec->filtered) {
        /* a filtered view delivered: its size is known only now */
        tally_entry_t *own = tally_get(r->owner, rec->dataset);
        r->view_bytes += rec->bytes;
        r->exchange_bytes += rec->bytes;
        r->unsized += rec->bytes == 0;
        ok &= tally_add_n(r->consumers, who, 0, rec->bytes, t) != NULL;
        s_key2(key, own && own->value ? own->value : "(unknown)", who);
        ok &= tally_add_n(r->matrix, key, 0, rec->bytes, t) && tally_add_n(r->datasets, rec->dataset, 0, rec->bytes, t);
    } else if (s_is(rec->event, "erase") && s_is(rec->decision, "ok")) {
        char what[DX_NAME_MAX + 40];
        snprintf(what, sizeof what, "%s@%llu", rec->dataset, (unsigned long long)rec->version);
        bool sweep = s_is(rec->rule_id, "retention");
        ok &= s_row(sweep ? &r->sweeps : &r->erasures, t, who, what, rec->rule_id, rec->reason) == 0;
    } else if (s_is(rec->event, "policy_load")) {
        char hex[65] = "";
        if (rec->sha256.len == 32)
            dx_hex_encode(rec->sha256.data, 32, hex);
        ok &= s_row(&r->reloads, t, who, hex, rec->decision, rec->reason) == 0;
    } else if (s_is(rec->event, "master_key") && s_is(rec->decision, "ok")) {
        ok &= s_row(&r->keys, t, who, "the broker's master key", rec->rule_id, rec->reason) == 0;
    }
    return ok ? 0 : -1;
}
