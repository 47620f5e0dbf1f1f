/* The broker's stages in one process: a real broker (intake on a thread of
 * this test, the job threads, the writer) on a loopback port, driven by the
 * members' client library. It checks what the stages promise between them:
 * dispatch refuses a missing role itself and records it; replies that
 * acknowledge a write carry the signed head of their commit, which the
 * witness accepts and keeps, and refuses when it is not the broker's; the
 * client's waits end; fetches, views and lists run on the readers beside
 * publishes, each reader's chunks in order and its records committed by
 * the writer. Under ThreadSanitizer (make test) every hand-off between
 * them is checked. */
#include "broker.h"
#include "fixture.h"
#include "crypto.h"
#include "dxtime.h"
#include "log.h"
#include "metrics.h"
#include "signed.h"
#include "test.h"
#include "transfer.h"
#include "wire.h"
#include "witness.h"
#include "intake.h"
#include "policy_set.h"
#include "start.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char s_dir[] = "/tmp/dx-test-pipeline-XXXXXX";
static char s_metrics[64];
static int s_metrics_port;
static dx_keypair_t s_broker_key, s_health, s_stats, s_auditor;
static broker_t s_b;
static volatile sig_atomic_t s_stop, s_reload;
static pthread_t s_intake;

static void s_write(const char *name, const char *text)
{
    fx_t where;
    snprintf(where.dir, sizeof where.dir, "%s", s_dir);
    fx_write(&where, name, text);
}

static int s_free_port(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* GET /metrics; whether the answer held the policy's load time. */
static bool s_scrape(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)s_metrics_port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    char buf[65536];
    size_t got = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        write(fd, "GET /metrics HTTP/1.0\r\n\r\n", 26) != 26) {
        if (fd >= 0)
            close(fd);
        return false;
    }
    ssize_t n;
    while (got + 1 < sizeof buf && (n = read(fd, buf + got, sizeof buf - 1 - got)) > 0)
        got += (size_t)n;
    buf[got] = '\0';
    close(fd);
    return strstr(buf, "dx_policy_loaded_timestamp_seconds ") != NULL;
}

static void *s_run_intake(void *arg)
{
    (void)arg;
    intake_run(&s_b, &s_stop, &s_reload);
    return NULL;
}

static int s_start(void)
{
    char err[DX_ERRMSG], path[300], members[4096] = "version: 1\nmembers:\n";
    if (dx_keypair_generate("broker", &s_broker_key) != 0 || dx_keypair_generate("health", &s_health) != 0 ||
        dx_keypair_generate("statistics", &s_stats) != 0 || dx_keypair_generate("auditor", &s_auditor) != 0)
        return 1;
    snprintf(path, sizeof path, "%s/keys", s_dir);
    mkdir(path, 0700);
    if (dx_keys_write(path, &s_broker_key, err) != 0)
        return 1;
    snprintf(path, sizeof path, "%s/policies", s_dir);
    mkdir(path, 0700);
    fx_member(members, sizeof members, &s_health, "publisher, consumer");
    fx_member(members, sizeof members, &s_stats, "consumer");
    fx_member(members, sizeof members, &s_auditor, "auditor");
    s_write("policies/members.yaml", members);
    s_write("policies/datasets.yaml", "version: 1\ndatasets:\n  - match: \"health/**\"\n"
            "    owner: health\n    classification: restricted\n");
    s_write("policies/rules.yaml", "version: 1\nrules:\n  - id: stats-lists\n    effect: allow\n"
            "    actions: [list]\n    members: [statistics]\n    datasets: [\"health/**\"]\n"
            "  - id: stats-reads\n    effect: allow\n    actions: [read]\n"
            "    members: [statistics]\n    datasets: [\"health/**\"]\n"
            "    purposes: [statistics]\n    fields:\n      exclude: [secret]\n");
    static char data[320], policies[320], key[320];
    snprintf(data, sizeof data, "%s/data", s_dir);
    snprintf(policies, sizeof policies, "%s/policies", s_dir);
    snprintf(key, sizeof key, "%s/keys/broker.key", s_dir);
    broker_options_defaults(&s_b.cfg);
    s_b.cfg.listen = "tcp://127.0.0.1:*";
    s_b.cfg.data_dir = data;
    s_b.cfg.policy_dir = policies;
    s_b.cfg.key_path = key;
    s_b.cfg.workers = 2;
    s_metrics_port = s_free_port();
    snprintf(s_metrics, sizeof s_metrics, "127.0.0.1:%d", s_metrics_port);
    s_b.cfg.metrics_listen = s_metrics;
    if (broker_start(&s_b, err) != 0) {
        printf("# broker_start: %s\n", err);
        return 1;
    }
    return pthread_create(&s_intake, NULL, s_run_intake, NULL) != 0;
}

static dx_client_t *s_client(const dx_keypair_t *k)
{
    dx_client_t *c = NULL;
    char err[DX_ERRMSG];
    /* long enough for megabytes under ThreadSanitizer */
    if (dx_client_new(s_b.endpoint, k, &s_broker_key.pub, 60000, &c, err) != 0)
        printf("# client: %s\n", err);
    return c;
}

/* Publishes content inline as health; the receipt in *r. */
static int s_publish(dx_client_t *c, const char *name, const char *content, dx_receipt_t *r)
{
    char err[DX_ERRMSG], path[300];
    uint8_t sha[32], sig[64], *m = NULL;
    size_t mlen = 0, len = strlen(content);
    snprintf(path, sizeof path, "%s/content", s_dir);
    s_write("content", content);
    int fd = open(path, O_RDONLY);
    dx_sha256((const uint8_t *)content, len, sha);
    dx_manifest_opts_t mo = { .dataset = name, .publisher = "health", .content_type = "text/csv",
                              .classification = 2, .sha256 = sha, .size = len };
    int rv = dx_manifest_build(&mo, &m, &mlen, err);
    if (rv == 0)
        rv = dx_sign(s_health.sign_secret, DX_CTX_MANIFEST, m, mlen, sig);
    if (rv == 0)
        rv = dx_publish(c, &s_broker_key.pub, m, mlen, sig, fd, len, r, err);
    if (rv != 0)
        printf("# publish: %s\n", err);
    free(m);
    close(fd);
    return rv;
}

TEST(dispatch_refuses_and_records_a_missing_role)
{
    dx_client_t *stats = s_client(&s_stats), *aud = s_client(&s_auditor);
    if (!stats || !aud)
        return;
    char err[DX_ERRMSG];
    Dx__Request req = DX__REQUEST__INIT;
    Dx__AuditQuery q = DX__AUDIT_QUERY__INIT;
    Dx__Reply *reply = NULL;
    req.body_case = DX__REQUEST__BODY_AUDIT_QUERY;
    req.audit_query = &q;
    CHECK_EQ(dx_client_call(stats, &req, &reply, err), DX_ERR_DENIED);
    CHECK(strstr(err, "does not have the role auditor") != NULL);
    wire_reply_free(&reply);
    /* the auditor sees the refusal in the log, under the pseudo-rule */
    q.member = "statistics";
    q.action = "query";
    CHECK_EQ(dx_client_call(aud, &req, &reply, err), 0);
    bool found = false;
    for (size_t i = 0; reply && reply->audit && i < reply->audit->n_records; i++) {
        Dx__AuditRecord *r = NULL;
        if (wire_audit_decode(reply->audit->records[i].data, reply->audit->records[i].len,
                                     &r, err) == 0) {
            found |= strcmp(r->decision, "deny") == 0 && strcmp(r->rule_id, "default-deny") == 0 &&
                     strcmp(r->event, "audit") == 0;
            wire_free(&r);
        }
    }
    CHECK(found);
    wire_reply_free(&reply);
    dx_client_destroy(&stats);
    dx_client_destroy(&aud);
}

TEST(receipts_carry_a_head_the_witness_keeps)
{
    dx_client_t *h = s_client(&s_health);
    if (!h)
        return;
    char err[DX_ERRMSG], state[320];
    dx_receipt_t r1, r2;
    snprintf(state, sizeof state, "%s/state", s_dir);
    CHECK_EQ(s_publish(h, "health/one", "a,b\n1,2\n", &r1), 0);
    CHECK_EQ(r1.version, 1u);
    CHECK(r1.head_len > 0);
    CHECK_EQ(dx_witness(h, &s_broker_key.pub, state, r1.head, r1.head_len, err), 0);
    CHECK_EQ(s_publish(h, "health/one", "a,b\n3,4\n", &r2), 0);
    CHECK_EQ(r2.version, 2u);
    CHECK(r2.audit_seq > r1.audit_seq);
    /* the newer head must prove it extends the kept one; it does */
    CHECK_EQ(dx_witness(h, &s_broker_key.pub, state, r2.head, r2.head_len, err), 0);
    /* an older head is a prefix of the kept one: fine */
    CHECK_EQ(dx_witness(h, &s_broker_key.pub, state, r1.head, r1.head_len, err), 0);
    /* a head that is not signed by the broker is refused */
    uint8_t forged[DX_HEAD_MAX];
    memcpy(forged, r2.head, r2.head_len);
    forged[r2.head_len - 3] ^= 1;
    CHECK_EQ(dx_witness(h, &s_broker_key.pub, state, forged, r2.head_len, err), DX_ERR_INTEGRITY);
    /* a retry of the same manifest would return the first receipt; a list
     * by another member shows the dataset once, at its latest version */
    dx_client_destroy(&h);
}

TEST(the_client_waits_are_bounded)
{
    dx_keypair_t stranger;
    CHECK_EQ(dx_keypair_generate("stranger", &stranger), 0);
    dx_client_t *c = NULL;
    char err[DX_ERRMSG];
    int64_t t0 = dx_mono_ms();
    int rv = dx_client_new(s_b.endpoint, &stranger, &s_broker_key.pub, 1500, &c, err);
    if (rv == 0) {
        Dx__Request req = DX__REQUEST__INIT;
        Dx__ListRequest lr = DX__LIST_REQUEST__INIT;
        Dx__Reply *reply = NULL;
        req.body_case = DX__REQUEST__BODY_LIST;
        req.list = &lr;
        rv = dx_client_call(c, &req, &reply, err);
        wire_reply_free(&reply);
    }
    /* a key the broker does not know: refused at the handshake, in time */
    CHECK(rv == DX_ERR_NOT_ADMITTED || rv == DX_ERR_TIMEOUT);
    CHECK(dx_mono_ms() - t0 < 10000);
    dx_client_destroy(&c);
    dx_keypair_wipe(&stranger);
}

typedef struct {
    int fetched, clean;
    char err[DX_ERRMSG];
} fetcher_t;

/* One consumer: fetches the wide dataset's view again and again. */
static void *s_fetcher(void *arg)
{
    fetcher_t *f = arg;
    dx_client_t *c = s_client(&s_stats);
    char path[320], err[DX_ERRMSG];
    snprintf(path, sizeof path, "%s/view-%p", s_dir, arg);
    for (int i = 0; c && i < 4; i++) {
        int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
        dx_fetch_result_t res;
        if (fd < 0 || dx_fetch(c, &s_broker_key.pub, "health/wide", 0, "statistics", fd, &res, err) != 0) {
            snprintf(f->err, sizeof f->err, "%s", err);
            if (fd >= 0)
                close(fd);
            break;
        }
        f->fetched++;
        /* the view: a, c in every line, never the secret column */
        char line[64];
        FILE *in = fdopen(fd, "r");
        bool clean = in && res.filtered && fseek(in, 0, SEEK_SET) == 0;
        size_t lines = 0;
        while (clean && fgets(line, sizeof line, in)) {
            clean = strstr(line, "SECRET") == NULL && strstr(line, "secret") == NULL;
            lines++;
        }
        f->clean += clean && lines == 60001;
        if (in)
            fclose(in);
        else
            close(fd);
    }
    dx_client_destroy(&c);
    return NULL;
}

/* Four consumers fetch a filtered view of a three-chunk dataset on the
 * readers while its publisher publishes: every view whole and filtered,
 * every publish acknowledged, and each fetch's records in the log. */
TEST(views_stream_on_the_readers_while_publishes_commit)
{
    dx_client_t *h = s_client(&s_health), *aud = s_client(&s_auditor);
    if (!h || !aud)
        return;
    size_t cap = 60001 * 64, n = 0;
    char *wide = malloc(cap);
    n += (size_t)snprintf(wide + n, cap - n, "a,secret,c\n");
    for (int i = 0; i < 60000; i++)
        n += (size_t)snprintf(wide + n, cap - n, "%d,SECRET-%08d-padding-pad,%d\n", i, i, i * 7);
    dx_receipt_t r;
    CHECK(n > 2 * 1024 * 1024); /* three chunks */
    CHECK_EQ(s_publish(h, "health/wide", wide, &r), 0);
    free(wide);
    pthread_t t[4];
    fetcher_t f[4];
    memset(f, 0, sizeof f);
    for (int i = 0; i < 4; i++)
        CHECK_EQ(pthread_create(&t[i], NULL, s_fetcher, &f[i]), 0);
    int published = 0;
    for (int i = 0; i < 10; i++) {
        char content[64];
        snprintf(content, sizeof content, "a,b\n%d,%d\n", i, i);
        published += s_publish(h, "health/beside", content, &r) == 0;
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        if (f[i].err[0])
            printf("# fetcher %d: %s\n", i, f[i].err);
        CHECK_EQ(f[i].fetched, 4);
        CHECK_EQ(f[i].clean, 4);
    }
    CHECK_EQ(published, 10);
    /* each view was recorded: the decision and its delivery, by the writer */
    char err[DX_ERRMSG];
    Dx__Request req = DX__REQUEST__INIT;
    Dx__AuditQuery q = DX__AUDIT_QUERY__INIT;
    Dx__Reply *reply = NULL;
    q.member = "statistics";
    q.dataset = "health/wide";
    q.limit = 1000;
    req.body_case = DX__REQUEST__BODY_AUDIT_QUERY;
    req.audit_query = &q;
    CHECK_EQ(dx_client_call(aud, &req, &reply, err), 0);
    int delivered = 0;
    for (size_t i = 0; reply && reply->audit && i < reply->audit->n_records; i++) {
        Dx__AuditRecord *ar = NULL;
        if (wire_audit_decode(reply->audit->records[i].data, reply->audit->records[i].len, &ar,
                              err) == 0) {
            delivered += ar->view_sha256.len == 32 && strcmp(ar->decision, "ok") == 0;
            wire_free(&ar);
        }
    }
    CHECK_EQ(delivered, 16);
    wire_reply_free(&reply);
    dx_client_destroy(&h);
    dx_client_destroy(&aud);
}

static int s_scraping;

/* When the set in force was loaded, as the broker holds it. */
static int64_t s_policy_loaded(void)
{
    held_policy_t *hp = policy_set_hold(&s_b);
    int64_t t = hp->loaded_ms;
    policy_set_release(&s_b, &hp);
    return t;
}

static void *s_scraper(void *arg)
{
    int *ok = arg;
    /* over HTTP now and then, as Prometheus does; in between as fast as
     * the text can be made, so that reads meet the writer's swaps */
    for (int i = 0; __atomic_load_n(&s_scraping, __ATOMIC_RELAXED); i++) {
        size_t len = 0;
        char *text = i % 64 ? metrics_render(s_b.metrics, &len) : NULL;
        *ok += i % 64 ? (text != NULL) : s_scrape() ? 1 : -1000000;
        free(text);
    }
    return NULL;
}

static void s_wake(int sig) { (void)sig; }

/* The metrics thread reads what a reload changes (the policy set and when
 * it was loaded) while the writer swaps it: run under ThreadSanitizer in
 * make test, a read outside the policy hold is reported. */
TEST(metrics_scraped_while_the_policy_is_reloaded)
{
    pthread_t t;
    int ok = 0;
    struct sigaction sa = { .sa_handler = s_wake }; /* no SA_RESTART: intake's poll wakes */
    sigaction(SIGUSR1, &sa, NULL);
    __atomic_store_n(&s_scraping, 1, __ATOMIC_RELAXED);
    CHECK_EQ(pthread_create(&t, NULL, s_scraper, &ok), 0);
    int64_t before = s_policy_loaded();
    int reloads = 0;
    for (int i = 0; i < 300; i++) {
        int64_t was = s_policy_loaded();
        __atomic_store_n(&s_reload, 1, __ATOMIC_RELAXED);
        pthread_kill(s_intake, SIGUSR1);
        for (int w = 0; w < 200 && s_policy_loaded() == was; w++)
            usleep(1000);
        reloads += s_policy_loaded() != was;
    }
    printf("# %d reloads while the metrics were read\n", reloads);
    __atomic_store_n(&s_scraping, 0, __ATOMIC_RELAXED);
    pthread_join(t, NULL);
    CHECK(ok > 0);
    CHECK(s_policy_loaded() > before); /* it was reloaded meanwhile */
}

int main(void)
{
    dx_log_set_level(DX_LOG_ERROR);
    if (!mkdtemp(s_dir) || s_start() != 0) {
        printf("FAIL pipeline: the broker did not start\n");
        return 1;
    }
    RUN(dispatch_refuses_and_records_a_missing_role);
    RUN(receipts_carry_a_head_the_witness_keeps);
    RUN(the_client_waits_are_bounded);
    RUN(views_stream_on_the_readers_while_publishes_commit);
    RUN(metrics_scraped_while_the_policy_is_reloaded);
    __atomic_store_n(&s_stop, 1, __ATOMIC_RELAXED);
    pthread_join(s_intake, NULL);
    broker_stop(&s_b);
    dx_keypair_wipe(&s_broker_key);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s_dir);
    if (system(cmd) != 0)
        return 1;
    return TEST_EXIT();
}
