/* bench_policy: how fast the broker decides, with a policy set of 10,000
 * rules over 1,000 members (real keys), on one core.
 *
 * Prints the load time of the set (parse, check, index) and decisions per
 * second over a fixed mix of requests, each the median of several runs; and,
 * as a side-by-side reference, the rate when every rule is tested (what a
 * decision would cost without the index). */
#include "bench.h"
#include "dxtime.h"
#include "keys.h"
#include "policy.h"
#include "policy_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define MEMBERS 1000
#define RULES 10000
#define DEPTS 100
#define REQUESTS 100000
#define RUNS 5

static uint64_t s_rng = 88172645463325252ULL;
static uint32_t s_rand(uint32_t n)
{
    s_rng ^= s_rng << 13;
    s_rng ^= s_rng >> 7;
    s_rng ^= s_rng << 17;
    return (uint32_t)(s_rng % n);
}

static const char *s_purposes[] = { "statistics", "research", "planning", "audit", "health",
                                    "tax", "education", "transport", "census", "security" };

static void s_write_set(const char *dir)
{
    char path[512];
    mkdir(dir, 0700);
    snprintf(path, sizeof path, "%s/members.yaml", dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "version: 1\nmembers:\n");
    for (int i = 0; i < MEMBERS; i++) {
        dx_keypair_t k;
        char id[32], sign[DX_SIGN_TEXT], curve[DX_CURVE_TEXT];
        snprintf(id, sizeof id, "m%d", i);
        dx_keypair_generate(id, &k);
        dx_sign_key_format(k.pub.sign, sign);
        dx_curve_key_format(k.pub.curve, curve);
        fprintf(f, "  - id: %s\n    roles: [publisher, consumer]\n    sign_key: \"%s\"\n"
                   "    transport_key: \"%s\"\n", id, sign, curve);
    }
    fclose(f);
    snprintf(path, sizeof path, "%s/datasets.yaml", dir);
    f = fopen(path, "w");
    fprintf(f, "version: 1\ndatasets:\n");
    for (int d = 0; d < DEPTS; d++)
        fprintf(f, "  - match: \"dept%d/**\"\n    owner: m%d\n    classification: restricted\n", d, d);
    fclose(f);
    f = NULL;
    for (int r = 0; r < RULES; r++) {
        if (r % 1000 == 0) { /* policy files are at most 1 MiB: ten files */
            if (f)
                fclose(f);
            snprintf(path, sizeof path, "%s/rules-%02d.yaml", dir, r / 1000);
            f = fopen(path, "w");
            fprintf(f, "version: 1\nrules:\n");
        }
        bool deny = s_rand(10) == 0;
        fprintf(f, "  - id: r%d\n    effect: %s\n    actions: [%s]\n", r, deny ? "deny" : "allow",
                s_rand(3) == 0 ? "read, list" : "read");
        if (s_rand(200) == 0)
            fprintf(f, "    members: [\"*\"]\n");
        else
            fprintf(f, "    members: [m%u, m%u]\n", s_rand(MEMBERS), s_rand(MEMBERS));
        uint32_t d = s_rand(DEPTS);
        if (s_rand(4) == 0)
            fprintf(f, "    datasets: [\"dept%u/**\"]\n", d);
        else
            fprintf(f, "    datasets: [\"dept%u/topic%u/*\", \"dept%u/shared/*\"]\n", d, s_rand(20), d);
        fprintf(f, "    purposes: [%s, %s]\n", s_purposes[s_rand(10)], s_purposes[s_rand(10)]);
        if (!deny && s_rand(3) == 0)
            fprintf(f, "    fields:\n      exclude: [national_id]\n");
        if (!deny)
            fprintf(f, "    max_classification: restricted\n");
    }
    fclose(f);
}

typedef struct {
    char member[16];
    char dataset[64];
    const char *purpose;
    unsigned action;
} req_t;

int main(int argc, char **argv)
{
    char dir[] = "/tmp/dx-bench-policy-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    s_write_set(dir);
    dx_policy_t *p = NULL;
    double load[RUNS];
    for (int i = 0; i < RUNS; i++) {
        dx_diag_t diag;
        dx_policy_free(&p);
        double t0 = bench_now();
        int rv = dx_policy_load(dir, &p, &diag);
        load[i] = bench_now() - t0;
        if (rv != 0) {
            fprintf(stderr, "bench_policy: the generated set does not load: %s\n", dx_diag_first(&diag));
            return 1;
        }
        dx_diag_free(&diag);
    }
    req_t *reqs = calloc(REQUESTS, sizeof *reqs);
    for (int i = 0; i < REQUESTS; i++) {
        snprintf(reqs[i].member, sizeof reqs[i].member, "m%u", s_rand(MEMBERS));
        uint32_t d = s_rand(DEPTS);
        if (s_rand(5) == 0)
            snprintf(reqs[i].dataset, sizeof reqs[i].dataset, "dept%u/shared/ds%u", d, s_rand(50));
        else
            snprintf(reqs[i].dataset, sizeof reqs[i].dataset, "dept%u/topic%u/ds%u", d, s_rand(20), s_rand(50));
        reqs[i].purpose = s_purposes[s_rand(10)];
        reqs[i].action = s_rand(4) == 0 ? DX_ACT_LIST : DX_ACT_READ;
    }
    int64_t now = dx_now_ms();
    double rate[RUNS], scan[RUNS] = { 0 };
    size_t allowed = 0;
    for (int run = 0; run < RUNS; run++) {
        size_t n = 0;
        double t0 = bench_now(), t;
        allowed = 0;
        do {
            for (int i = 0; i < 10000; i++, n++) {
                const req_t *q = &reqs[n % REQUESTS];
                dx_request_t req = { q->member, q->action, q->dataset, DX_CLASS_RESTRICTED, q->purpose, now };
                dx_decision_t d;
                dx_policy_decide(p, &req, &d);
                allowed += d.allow;
            }
        } while ((t = bench_now() - t0) < 0.5);
        rate[run] = (double)n / t;
    }
    double allow_share = (double)allowed / (double)(rate[RUNS - 1] * 0.5 + 1);
    for (int run = 0; run < RUNS && !getenv("DX_BENCH_NO_SCAN"); run++) {
        size_t n = 0;
        double t0 = bench_now(), t;
        do {
            for (int i = 0; i < 20; i++, n++) {
                const req_t *q = &reqs[n % REQUESTS];
                dx_request_t req = { q->member, q->action, q->dataset, DX_CLASS_RESTRICTED, q->purpose, now };
                dx_name_t name;
                dx_name_split(req.dataset, &name);
                for (size_t r = 0; r < p->nrules; r++)
                    (void)dx_rule_check(&p->rules[r], &req, &name, DX_CLASS_SECRET);
            }
        } while ((t = bench_now() - t0) < 0.3);
        scan[run] = (double)n / t;
    }
    double lm = bench_median(load, RUNS), rm = bench_median(rate, RUNS), sm = bench_median(scan, RUNS);
    FILE *outs[2] = { stdout, argc > 1 ? fopen(argv[1], "a") : NULL };
    for (int i = 0; i < 2; i++) {
        if (!outs[i])
            continue;
        fprintf(outs[i], "policy: %d rules over %d members (%d namespaces), medians of %d runs, one core\n",
                RULES, MEMBERS, DEPTS, RUNS);
        fprintf(outs[i], "  load (parse, check, index)   %8.1f ms\n", lm * 1000);
        fprintf(outs[i], "  decisions with the index     %8.0f /s  (%.0f ns each; about %.0f%% allowed)\n",
                rm, 1e9 / rm, 100 * allow_share);
        if (sm > 0)
            fprintf(outs[i], "  testing every rule instead   %8.0f /s  (index is %.0fx faster)\n", sm, rm / sm);
    }
    if (outs[1])
        fclose(outs[1]);
    dx_policy_free(&p);
    free(reqs);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
