/* bench_audit: the audit log as it grows, by default to 1,000,000 and then
 * 10,000,000 records (bench_audit OUT [SIZE...] for other sizes).
 *
 * Builds a log through the broker's own appender (records, tree nodes,
 * indexes, signed heads; commits of 10,000), and at each size measures the
 * append rate of the step that reached it, the disk bytes per record (the
 * LMDB file's allocated blocks over the records), and, each the median of
 * several runs:
 *   - verify: records per second recomputing the hash chain and the Merkle
 *     tree from the records and checking every signed head, as dx-audit does;
 *   - query latency for the first page (up to 1,000 records) by member, by
 *     dataset, by dataset prefix, by a one-minute time range, and, for
 *     contrast, by purpose alone (no index: a scan);
 *   - with DX_BENCH_DXAUDIT naming a dx-audit binary: dx-audit --db verify
 *     and dx-audit --db report over the whole log, each run once as a
 *     process of its own, side by side: seconds and peak resident memory
 *     (the report must stay bounded however long the log). */
#include "audit.h"
#include "audit_chain.h"
#include "audit_log.h"
#include "batch.h"
#include "bench.h"
#include "dxtime.h"
#include "wire.h"
#include "broker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MEMBERS 1000
#define DATASETS 5000

typedef struct {
    dx_chain_t chain;
    int rv;
    char err[DX_ERRMSG];
} verify_t;

static int s_verify_each(void *arg, uint64_t seq, store_val_t v)
{
    (void)seq;
    verify_t *vt = arg;
    return (vt->rv = dx_chain_append(&vt->chain, v.data, v.len, vt->err)) != 0;
}

static int s_count(void *arg, uint64_t seq, store_val_t v)
{
    (void)seq;
    (void)v;
    return ++*(size_t *)arg >= 1000;
}

/* dx-audit --db DIR --broker-pub PUB ARGS...: seconds and peak RSS (KiB). */
static int s_dxaudit(const char *bin, const char *dir, const char *pub, const char *const *args,
                     double *secs, long *rss_kib)
{
    char *argv[12] = { (char *)bin, "--db", (char *)dir, "--broker-pub", (char *)pub };
    int n = 5;
    for (; *args && n < 11; args++)
        argv[n++] = (char *)*args;
    argv[n] = NULL;
    double t0 = bench_now();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout))
            _exit(127);
        execv(bin, argv);
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid)
        return -1;
    *secs = bench_now() - t0;
    *rss_kib = ru.ru_maxrss;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    char dir[] = "/tmp/dx-bench-audit-XXXXXX", err[DX_ERRMSG], pub[64];
    uint8_t pk[32];
    dx_keypair_t keys;
    dx_signer_t *signer = NULL;
    const char *dxaudit = getenv("DX_BENCH_DXAUDIT");
    if (!mkdtemp(dir) || dx_keypair_generate("broker", &keys) != 0 || dx_keys_write(dir, &keys, err) != 0 ||
        dx_signer_new(keys.sign_secret, &signer) != 0)
        return 1;
    memcpy(pk, keys.pub.sign, 32);
    snprintf(pub, sizeof pub, "%s/broker.pub", dir);
    store_t *s = NULL;
    audit_t *a = NULL;
    batch_t *b = NULL;
    if (store_open(dir, 64ULL << 30, false, &s, err) != 0 || audit_open(s, signer, "dx/bench", &a, err) != 0 ||
        batch_new(s, a, &b) != 0) {
        fprintf(stderr, "bench_audit: %s\n", err);
        return 1;
    }
    char members[MEMBERS][16], datasets[DATASETS][48];
    for (int i = 0; i < MEMBERS; i++)
        snprintf(members[i], sizeof members[i], "m%d", i);
    for (int i = 0; i < DATASETS; i++)
        snprintf(datasets[i], sizeof datasets[i], "dept%d/topic%d/ds%d", i % 100, i % 37, i);
    uint64_t sizes[8] = { 1000000, 10000000 };
    int nsizes = 2;
    if (argc > 2) {
        nsizes = 0;
        for (int k = 2; k < argc && nsizes < 8; k++)
            sizes[nsizes++] = strtoull(argv[k], NULL, 10);
    }
    FILE *outs[2] = { stdout, argc > 1 ? fopen(argv[1], "a") : NULL };
    uint64_t rng = 42, built = 0, last = sizes[nsizes - 1];
    int64_t t0 = dx_now_ms() - (int64_t)last * 10;
    for (int z = 0; z < nsizes; z++) {
        uint64_t records = sizes[z];
        double g0 = bench_now();
        for (uint64_t i = built; i < records; i++) {
            rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
            uint32_t x = (uint32_t)(rng >> 33);
            store_txn_t *t;
            Dx__AuditRecord r = DX__AUDIT_RECORD__INIT;
            r.event = "read";
            r.action = "read";
            r.member = members[x % MEMBERS];
            r.dataset = datasets[(x >> 10) % DATASETS];
            r.purpose = x % 7 == 0 ? "research" : "statistics";
            r.decision = x % 5 ? "allow" : "deny";
            r.rule_id = "stats-reads";
            r.reason = "rule 'stats-reads' allows the member to read the dataset";
            r.version = 1 + x % 3;
            r.time_ms = t0 + (int64_t)i * 10;
            if (i % 10000 == 0)
                batch_op_begin(b);
            if (batch_txn(b, &t) != 0 || audit_append(a, t, &r, NULL) != 0)
                return 1;
            if (i % 10000 == 9999 || i + 1 == records) {
                batch_op_end(b, 0);
                if (batch_commit(b, r.time_ms) != 0)
                    return 1;
            }
        }
        double gen = bench_now() - g0;
        uint64_t step = records - built;
        built = records;
        char file[sizeof dir + 16];
        struct stat st;
        snprintf(file, sizeof file, "%s/data.mdb", dir);
        double per_record = stat(file, &st) == 0 ? (double)st.st_blocks * 512 / (double)records : 0;

        /* a full verify reads everything: three runs up to 1M, one past */
        int vruns = records > 1000000 ? 1 : 3;
        double verify[3];
        for (int run = 0; run < vruns; run++) {
            store_txn_t *t = NULL;
            store_val_t hv;
            dx_checkpoint_t head;
            verify_t vt;
            dx_chain_init(&vt.chain);
            vt.rv = 0;
            double v0 = bench_now();
            if (store_begin(s, NULL, false, &t) != 0 || dx_log_head(t, &hv) != 0 ||
                dx_checkpoint_open((const char *)hv.data, hv.len, pk, &head, err) != 0)
                return 1;
            store_audit_each(t, 0, s_verify_each, &vt);
            if (vt.rv != 0 || dx_chain_check(&vt.chain, &head, true, vt.err) != 0) {
                fprintf(stderr, "bench_audit: verify failed: %s\n", vt.err);
                return 1;
            }
            verify[run] = (double)records / (bench_now() - v0);
            store_abort(&t);
        }

        struct {
            const char *name;
            Dx__AuditQuery q;
        } queries[5];
        for (int i = 0; i < 5; i++)
            dx__audit_query__init(&queries[i].q);
        queries[0].name = "by member (one of 1,000)";
        queries[0].q.member = members[777];
        queries[1].name = "by dataset (one of 5,000)";
        queries[1].q.dataset = datasets[1234];
        queries[2].name = "by dataset prefix (dept42/**)";
        queries[2].q.dataset = "dept42/**";
        queries[3].name = "by time, one minute in the middle";
        queries[3].q.since_ms = t0 + (int64_t)records * 5;
        queries[3].q.until_ms = queries[3].q.since_ms + 60000;
        queries[4].name = "by purpose only (no index: scan of 200,000)";
        queries[4].q.purpose = "nothing-matches";
        double lat[5];
        size_t found[5];
        for (int k = 0; k < 5; k++) {
            double runs[7];
            for (int run = 0; run < 7; run++) {
                store_txn_t *t = NULL;
                uint64_t next;
                size_t n = 0;
                double q0 = bench_now();
                store_begin(s, NULL, false, &t);
                dx_log_query(t, &queries[k].q, 0, 200000, s_count, &n, &next);
                runs[run] = (bench_now() - q0) * 1000;
                found[k] = n;
                store_abort(&t);
            }
            lat[k] = bench_median(runs, 7);
        }
        /* dx-audit itself, verify then report, after the batch committed */
        double vsecs = 0, rsecs = 0;
        long vrss = 0, rrss = 0;
        char html[64];
        snprintf(html, sizeof html, "%s/report.html", dir);
        const char *vargs[] = { "verify", NULL }, *rargs[] = { "report", "--out", html, NULL };
        bool timed = dxaudit && s_dxaudit(dxaudit, dir, pub, vargs, &vsecs, &vrss) == 0 &&
                     s_dxaudit(dxaudit, dir, pub, rargs, &rsecs, &rrss) == 0;
        if (dxaudit && !timed)
            fprintf(stderr, "bench_audit: %s --db %s verify or report failed\n", dxaudit, dir);
        for (int i = 0; i < 2; i++) {
            if (!outs[i])
                continue;
            fprintf(outs[i], "audit log: %llu records (tree nodes, indexes, signed heads; commits of "
                    "10,000)\n", (unsigned long long)records);
            fprintf(outs[i], "  append, the step to this size %8.0f records/s\n", (double)step / gen);
            fprintf(outs[i], "  disk per record                %8.0f bytes (LMDB file, allocated)\n",
                    per_record);
            fprintf(outs[i], "  verify (chain, tree, head)     %8.0f records/s  (median of %d)\n",
                    bench_median(verify, vruns), vruns);
            for (int k = 0; k < 5; k++)
                fprintf(outs[i], "  first page %-29s %7.2f ms  (%zu records; median of 7)\n",
                        queries[k].name, lat[k], found[k]);
            if (timed)
                /* both map the same store (file pages count as resident):
                 * the difference is the report's own memory */
                fprintf(outs[i], "  dx-audit --db verify           %8.1f s, peak RSS %ld MiB (most of it the "
                                 "mapped store)\n"
                                 "  dx-audit --db report (HTML)    %8.1f s, peak RSS %ld MiB: %.2f x verify's time, "
                                 "%+ld MiB over verify's RSS\n",
                        vsecs, vrss / 1024, rsecs, rrss / 1024, rsecs / vsecs, (rrss - vrss) / 1024);
            fflush(outs[i]);
        }
    }
    if (outs[1])
        fclose(outs[1]);
    batch_destroy(&b);
    audit_destroy(&a);
    store_close(&s);
    dx_signer_destroy(&signer);
    dx_keypair_wipe(&keys);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
