/* broker_start under failing allocations: every allocation the broker's own
 * code makes while it starts is made to fail in turn (the test is linked
 * with --wrap for malloc, calloc and realloc, so libzmq, libyaml and
 * OpenSSL allocate as usual). Each time the start must fail cleanly, with
 * one line of error text saying what failed, and broker_stop must undo
 * what was done; a later start must still succeed on the same data. */
#include "broker.h"
#include "crypto.h"
#include "keys.h"
#include "store.h"
#include "test.h"
#include "wire.h"
#include "options.h"
#include "start.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);

static long s_count, s_fail_at = -1;

static int s_fails(void)
{
    return ++s_count == s_fail_at;
}

void *__wrap_malloc(size_t n) { return s_fails() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) { return s_fails() ? NULL : __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t n) { return s_fails() ? NULL : __real_realloc(p, n); }

static char s_dir[] = "/tmp/dx-test-start-XXXXXX";
static char s_data[320], s_policies[320], s_key[320];

static void s_write(const char *name, const char *text)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", s_dir, name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static int s_setup(void)
{
    char err[DX_ERRMSG], path[400], members[2048], sign[DX_SIGN_TEXT], curve[DX_CURVE_TEXT];
    dx_keypair_t broker, health;
    if (!mkdtemp(s_dir) || dx_keypair_generate("broker", &broker) != 0 ||
        dx_keypair_generate("health", &health) != 0)
        return 1;
    snprintf(path, sizeof path, "%s/keys", s_dir);
    mkdir(path, 0700);
    if (dx_keys_write(path, &broker, err) != 0)
        return 1;
    snprintf(path, sizeof path, "%s/policies", s_dir);
    mkdir(path, 0700);
    dx_sign_key_format(health.pub.sign, sign);
    dx_curve_key_format(health.pub.curve, curve);
    snprintf(members, sizeof members, "version: 1\nmembers:\n  - id: health\n    roles: [publisher]\n"
             "    sign_key: \"%s\"\n    transport_key: \"%s\"\ndatasets:\n  - match: \"health/**\"\n"
             "    owner: health\nrules:\n  - id: r\n    effect: allow\n    actions: [list]\n"
             "    members: [health]\n    datasets: [\"health/**\"]\n", sign, curve);
    s_write("policies/all.yaml", members);
    snprintf(s_data, sizeof s_data, "%s/data", s_dir);
    snprintf(s_policies, sizeof s_policies, "%s/policies", s_dir);
    snprintf(s_key, sizeof s_key, "%s/keys/broker.key", s_dir);
    dx_keypair_wipe(&broker);
    dx_keypair_wipe(&health);
    return 0;
}

/* The audit log's size, and whether the records past `from` hold a
 * broker_start and a policy_load. */
static uint64_t s_log(uint64_t from, bool *start_recorded)
{
    store_t *st = NULL;
    store_txn_t *t = NULL;
    char err[DX_ERRMSG];
    uint64_t last = 0;
    bool start = false, policy = false;
    if (store_open(s_data, 0, true, &st, err) != 0 || store_begin(st, NULL, false, &t) != 0 ||
        store_audit_last(t, &last) != 0)
        last = 0;
    for (uint64_t seq = from + 1; seq <= last; seq++) {
        store_val_t v;
        Dx__AuditRecord *r = NULL;
        if (store_audit_get(t, seq, &v) != 0 || wire_audit_decode(v.data, v.len, &r, err) != 0)
            break;
        start |= strcmp(r->event, "broker_start") == 0;
        policy |= strcmp(r->event, "policy_load") == 0;
        wire_free(&r);
    }
    store_abort(&t);
    store_close(&st);
    *start_recorded = start && policy;
    return last;
}

/* One start with the fail_at-th allocation failing (0: none); *allocs gets
 * how many allocations it made. */
static int s_start(long fail_at, long *allocs, char err[DX_ERRMSG])
{
    broker_t b;
    memset(&b, 0, sizeof b);
    broker_options_defaults(&b.cfg);
    b.cfg.listen = "tcp://127.0.0.1:*";
    b.cfg.data_dir = s_data;
    b.cfg.policy_dir = s_policies;
    b.cfg.key_path = s_key;
    b.cfg.workers = 1;
    err[0] = '\0';
    s_count = 0;
    s_fail_at = fail_at;
    int rv = broker_start(&b, err);
    *allocs = s_count;
    s_fail_at = -1;
    broker_stop(&b);
    return rv;
}

TEST(every_failed_allocation_at_start_says_what_failed)
{
    char err[DX_ERRMSG];
    long allocs = 0, failures = 0;
    CHECK_EQ(s_start(-1, &allocs, err), 0);
    CHECK(allocs > 10);
    bool recorded;
    uint64_t size = s_log(0, &recorded);
    for (long n = 1; n <= allocs; n++) {
        long made;
        int rv = s_start(n, &made, err);
        uint64_t before = size;
        size = s_log(before, &recorded);
        if (rv == 0) { /* that allocation had a fallback: the start is on the record all the same */
            if (!recorded)
                printf("# allocation %ld of %ld failed: started without its start records\n", n, allocs);
            CHECK(recorded);
            continue;
        }
        failures++;
        if (err[0] == '\0' || strchr(err, '\n')) {
            printf("# allocation %ld of %ld failed: \"%s\" (%s)\n", n, allocs, err, dx_strerror(rv));
            CHECK(err[0] != '\0' && !strchr(err, '\n'));
        }
    }
    printf("# %ld allocations at start, %ld of them fatal when they fail\n", allocs, failures);
    CHECK(failures > 0);
    CHECK_EQ(s_start(-1, &allocs, err), 0); /* nothing was left half-done */
}

int main(void)
{
    if (s_setup() != 0) {
        printf("FAIL setup: cannot prepare keys and policies in %s\n", s_dir);
        return 1;
    }
    RUN(every_failed_allocation_at_start_says_what_failed);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s_dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", s_dir);
    return TEST_EXIT();
}
