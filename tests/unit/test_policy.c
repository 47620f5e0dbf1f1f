#include "dxtime.h"
#include "keys.h"
#include "policy.h"
#include "fileio.h"
#include "policy_load.h"
#include "test.h"

#include <dirent.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char s_dir[] = "/tmp/dx-test-policy-XXXXXX";

static void s_write(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void s_member(char *out, size_t cap, const char *id, const char *roles, const char *extra)
{
    dx_keypair_t k;
    char sign[DX_SIGN_TEXT], curve[DX_CURVE_TEXT];
    dx_keypair_generate(id, &k);
    dx_sign_key_format(k.pub.sign, sign);
    dx_curve_key_format(k.pub.curve, curve);
    size_t n = strlen(out);
    snprintf(out + n, cap - n, "  - id: %s\n    roles: [%s]\n    sign_key: \"%s\"\n"
             "    transport_key: \"%s\"\n%s", id, roles, sign, curve, extra);
}

static dx_policy_t *s_load_example(void)
{
    static char members[8192];
    char dir[300];
    snprintf(dir, sizeof dir, "%s/good", s_dir);
    mkdir(dir, 0700);
    snprintf(members, sizeof members, "version: 1\nmembers:\n");
    s_member(members, sizeof members, "alpha", "publisher, consumer", "");
    s_member(members, sizeof members, "beta", "consumer", "");
    s_member(members, sizeof members, "gamma", "auditor", "");
    s_member(members, sizeof members, "gone", "consumer", "    revoked: true\n");
    s_member(members, sizeof members, "old", "consumer", "    not_after: 2020-01-01T00:00:00Z\n");
    s_member(members, sizeof members, "lazy", "consumer", "");
    s_write(dir, "10-members.yaml", members);
    s_write(dir, "20-datasets.yaml",
            "version: 1\ndatasets:\n"
            "  - match: \"a/**\"\n    owner: alpha\n    classification: restricted\n"
            "  - match: \"a/open/*\"\n    owner: alpha\n    classification: public\n");
    s_write(dir, "30-rules.yaml",
            "version: 1\nrules:\n"
            "  - id: beta-reads-a\n    effect: allow\n    actions: [read, list]\n"
            "    members: [beta, gone, old]\n    datasets: [\"a/**\"]\n    purposes: [research]\n"
            "    fields:\n      exclude: [x]\n    max_classification: restricted\n"
            "  - id: beta-not-secret\n    effect: deny\n    actions: [read]\n    members: [beta]\n"
            "    datasets: [\"a/secret/**\"]\n"
            "  - id: everyone-lists-open\n    effect: allow\n    actions: [list]\n"
            "    members: [\"*\"]\n    datasets: [\"a/open/*\"]\n"
            "  - id: lazy-2025\n    effect: allow\n    actions: [read]\n    members: [lazy]\n"
            "    datasets: [\"a/**\"]\n    not_before: 2025-01-01T00:00:00Z\n"
            "    not_after: 2025-12-31T23:59:59Z\n"
            "  - id: beta-publishes-shared\n    effect: allow\n    actions: [publish]\n"
            "    members: [beta]\n    datasets: [\"shared/**\"]\n");
    s_write(dir, "README.txt", "not a policy file: ignored\n");
    dx_policy_t *p = NULL;
    dx_diag_t diag;
    int rv = dx_policy_load(dir, &p, &diag);
    for (size_t i = 0; rv != 0 && i < diag.n; i++)
        printf("# %s\n", diag.lines[i]);
    dx_diag_free(&diag);
    return p;
}

static dx_decision_t s_decide(const dx_policy_t *p, const char *member, unsigned action,
                              const char *dataset, dx_class_t cls, const char *purpose)
{
    dx_decision_t d;
    dx_request_t req = { member, action, dataset, cls, purpose, 0 };
    dx_time_parse("2026-06-01T00:00:00Z", &req.now_ms);
    dx_policy_decide(p, &req, &d);
    return d;
}

TEST(list_prefixes_cover_what_a_member_may_list)
{
    dx_policy_t *p = s_load_example();
    CHECK(p != NULL);
    if (!p)
        return;
    char pre[DX_PREFIXES_MAX][DX_NAME_MAX + 1];
    /* beta: its own rule's a/ with any depth holds everyone's a/open/ one
     * level: one range, "a", which also covers the name "a" itself; and
     * shared/, where it may publish (a publisher sees its own versions) */
    CHECK_EQ(dx_policy_prefixes(p, "beta", DX_ACT_LIST, pre, DX_PREFIXES_MAX), 2u);
    CHECK_STR(pre[0], "a");
    CHECK_STR(pre[1], "shared");
    /* alpha owns a/ (any depth), which holds the rule for everyone */
    CHECK_EQ(dx_policy_prefixes(p, "alpha", DX_ACT_LIST, pre, DX_PREFIXES_MAX), 1u);
    CHECK_STR(pre[0], "a");
    /* a member no allow rule names still has the rules for everyone; no
     * member at all has nothing */
    CHECK_EQ(dx_policy_prefixes(p, "lazy", DX_ACT_LIST, pre, DX_PREFIXES_MAX), 1u);
    CHECK_EQ(dx_policy_prefixes(p, "nobody", DX_ACT_LIST, pre, DX_PREFIXES_MAX), 0u);
    /* publish: beta's shared/ rule */
    CHECK_EQ(dx_policy_prefixes(p, "beta", DX_ACT_PUBLISH, pre, DX_PREFIXES_MAX), 1u);
    CHECK_STR(pre[0], "shared");
    /* past the bound: one prefix, everything */
    CHECK_EQ(dx_policy_prefixes(p, "beta", DX_ACT_LIST, pre, 1), 1u);
    CHECK_EQ(dx_policy_prefixes(p, "beta", DX_ACT_READ, pre, 0), 0u);
    dx_policy_free(&p);
}

TEST(loads_example_set)
{
    dx_policy_t *p = s_load_example();
    CHECK(p != NULL);
    if (!p)
        return;
    CHECK_EQ(p->nmembers, 6u);
    CHECK_EQ(p->nnamespaces, 2u);
    CHECK_EQ(p->nrules, 5u);
    CHECK(dx_policy_member(p, "alpha") != NULL);
    CHECK(dx_policy_member_by_transport(p, dx_policy_member(p, "beta")->transport_key) ==
          dx_policy_member(p, "beta"));
    dx_policy_free(&p);
    CHECK(p == NULL);
}

TEST(owner_publishes)
{
    dx_policy_t *p = s_load_example();
    dx_decision_t d = s_decide(p, "alpha", DX_ACT_PUBLISH, "a/x", DX_CLASS_RESTRICTED, NULL);
    CHECK(d.allow);
    CHECK_STR(d.rule_id, "owner");
    d = s_decide(p, "alpha", DX_ACT_PUBLISH, "a/x", DX_CLASS_SECRET, NULL);
    CHECK(!d.allow);
    CHECK(strstr(d.reason, "exceeds") != NULL);
    // the most specific namespace governs: a/open/* is public only
    d = s_decide(p, "alpha", DX_ACT_PUBLISH, "a/open/x", DX_CLASS_INTERNAL, NULL);
    CHECK(!d.allow);
    d = s_decide(p, "beta", DX_ACT_PUBLISH, "a/x", DX_CLASS_PUBLIC, NULL);
    CHECK(!d.allow);
    CHECK_STR(d.rule_id, "default-deny");
    CHECK(strstr(d.reason, "belongs to alpha") != NULL);
    d = s_decide(p, "beta", DX_ACT_PUBLISH, "shared/y", DX_CLASS_INTERNAL, NULL);
    CHECK(d.allow);
    CHECK_STR(d.rule_id, "beta-publishes-shared");
    d = s_decide(p, "beta", DX_ACT_PUBLISH, "shared/y", DX_CLASS_RESTRICTED, NULL);
    CHECK(!d.allow); /* the rule's default max_classification is internal */
    dx_policy_free(&p);
}

static int s_count_file(void *arg, const char *name, const uint8_t *data, size_t len)
{
    (void)data;
    (void)len;
    int *n = arg;
    (*n)++;
    return strstr(name, ".yaml") ? 0 : -1;
}

TEST(the_set_keeps_its_files_as_hashed)
{
    dx_policy_t *p = s_load_example();
    uint8_t got[DX_SHA256_LEN];
    int n = 0;
    CHECK(p->archive != NULL);
    CHECK_EQ(dx_sha256(p->archive, p->archive_len, got), 0);
    CHECK(memcmp(got, p->sha256, DX_SHA256_LEN) == 0);
    CHECK_EQ(dx_policy_archive_each(p->archive, p->archive_len, s_count_file, &n), 0);
    CHECK_EQ(n, 3);
    /* cut or bent archives are not lists of files */
    CHECK(dx_policy_archive_each(p->archive, p->archive_len - 1, s_count_file, &n) != 0);
    CHECK(dx_policy_archive_each((const uint8_t *)"x", 1, s_count_file, &n) != 0);
    CHECK(dx_policy_archive_each((const uint8_t *)"\0abcdefgh", 9, s_count_file, &n) != 0);
    dx_policy_free(&p);
}

TEST(owner_reads_and_lists_its_namespace)
{
    dx_policy_t *p = s_load_example();
    /* no rule names alpha for read: as the owner it reads whole, any purpose */
    dx_decision_t d = s_decide(p, "alpha", DX_ACT_READ, "a/x", DX_CLASS_RESTRICTED, "anything");
    CHECK(d.allow);
    CHECK_STR(d.rule_id, "owner");
    CHECK_EQ(d.field_mode, DX_FIELDS_ALL);
    CHECK(strstr(d.reason, "alpha owns namespace a/**") != NULL);
    d = s_decide(p, "alpha", DX_ACT_LIST, "a/open/y", DX_CLASS_PUBLIC, NULL);
    CHECK(d.allow);
    CHECK_STR(d.rule_id, "owner");
    /* not another member, nor outside the namespace */
    d = s_decide(p, "lazy", DX_ACT_READ, "a/x", DX_CLASS_PUBLIC, "anything");
    CHECK(!d.allow);
    d = s_decide(p, "alpha", DX_ACT_READ, "shared/x", DX_CLASS_PUBLIC, "anything");
    CHECK(!d.allow);
    /* a publisher's own version: allowed unless a deny rule decided */
    CHECK(dx_decision_publisher_may(&d));
    dx_decision_publisher(&d, "alpha", "shared/x", 3);
    CHECK(d.allow);
    CHECK_STR(d.rule_id, "owner");
    CHECK_STR(d.reason, "alpha published shared/x@3");
    d = s_decide(p, "beta", DX_ACT_READ, "a/secret/z", DX_CLASS_PUBLIC, "research");
    CHECK(!d.allow);
    CHECK(!dx_decision_publisher_may(&d));
    dx_policy_free(&p);
}

TEST(read_with_purpose_and_fields)
{
    dx_policy_t *p = s_load_example();
    dx_decision_t d = s_decide(p, "beta", DX_ACT_READ, "a/b", DX_CLASS_RESTRICTED, "research");
    CHECK(d.allow);
    CHECK_STR(d.rule_id, "beta-reads-a");
    CHECK_EQ(d.field_mode, DX_FIELDS_EXCLUDE);
    CHECK(d.nfields == 1 && strcmp(d.fields[0], "x") == 0);
    d = s_decide(p, "beta", DX_ACT_READ, "a/b", DX_CLASS_RESTRICTED, "marketing");
    CHECK(!d.allow);
    CHECK(strstr(d.reason, "purpose 'marketing'") != NULL);
    d = s_decide(p, "beta", DX_ACT_READ, "a/b", DX_CLASS_SECRET, "research");
    CHECK(!d.allow);
    /* list needs no purpose */
    d = s_decide(p, "beta", DX_ACT_LIST, "a/b", DX_CLASS_RESTRICTED, NULL);
    CHECK(d.allow);
    dx_policy_free(&p);
}

TEST(deny_wins)
{
    dx_policy_t *p = s_load_example();
    dx_decision_t d = s_decide(p, "beta", DX_ACT_READ, "a/secret/z", DX_CLASS_INTERNAL, "research");
    CHECK(!d.allow);
    CHECK_STR(d.rule_id, "beta-not-secret");
    dx_policy_free(&p);
}

TEST(default_deny_and_members)
{
    dx_policy_t *p = s_load_example();
    dx_decision_t d = s_decide(p, "gamma", DX_ACT_READ, "a/b", DX_CLASS_PUBLIC, "research");
    CHECK(!d.allow);
    CHECK_STR(d.rule_id, "default-deny");
    d = s_decide(p, "nobody", DX_ACT_LIST, "a/open/x", DX_CLASS_PUBLIC, NULL);
    CHECK(!d.allow);
    CHECK(strstr(d.reason, "not a member") != NULL);
    d = s_decide(p, "gone", DX_ACT_READ, "a/b", DX_CLASS_PUBLIC, "research");
    CHECK(!d.allow);
    CHECK(strstr(d.reason, "revoked") != NULL);
    d = s_decide(p, "old", DX_ACT_READ, "a/b", DX_CLASS_PUBLIC, "research");
    CHECK(!d.allow);
    CHECK(strstr(d.reason, "expired") != NULL);
    d = s_decide(p, "gamma", DX_ACT_LIST, "a/open/x", DX_CLASS_PUBLIC, NULL);
    CHECK(d.allow); /* members: ["*"] */
    dx_policy_free(&p);
}

/* Open data: any member lists and reads an open namespace's public
 * versions (pseudo-rule open-data), nothing else there; deny still wins. */
TEST(open_data_namespaces)
{
    static char members[8192];
    char dir[300];
    snprintf(dir, sizeof dir, "%s/open", s_dir);
    mkdir(dir, 0700);
    snprintf(members, sizeof members, "version: 1\nmembers:\n");
    s_member(members, sizeof members, "alpha", "publisher, consumer", "");
    s_member(members, sizeof members, "beta", "consumer", "");
    s_member(members, sizeof members, "delta", "consumer", "");
    s_write(dir, "10-members.yaml", members);
    s_write(dir, "20-datasets.yaml",
            "version: 1\ndatasets:\n"
            "  - match: \"a/**\"\n    owner: alpha\n    classification: restricted\n"
            "  - match: \"a/open/**\"\n    owner: alpha\n    classification: public\n    open: true\n"
            "    license: https://creativecommons.org/licenses/by/4.0/\n");
    s_write(dir, "30-rules.yaml",
            "version: 1\nrules:\n"
            "  - id: no-delta\n    effect: deny\n    actions: [read, list]\n    members: [delta]\n"
            "    datasets: [\"a/**\"]\n");
    dx_policy_t *p = NULL;
    dx_diag_t diag;
    CHECK_EQ(dx_policy_load(dir, &p, &diag), 0);
    dx_diag_free(&diag);
    if (!p)
        return;
    const dx_namespace_t *ns = dx_policy_namespace(p, "a/open/x");
    CHECK(ns && ns->open && strcmp(ns->license, "https://creativecommons.org/licenses/by/4.0/") == 0);
    dx_decision_t d = s_decide(p, "beta", DX_ACT_READ, "a/open/x", DX_CLASS_PUBLIC, "anything");
    CHECK(d.allow && strcmp(d.rule_id, "open-data") == 0 && d.field_mode == DX_FIELDS_ALL);
    CHECK(strstr(d.reason, "is open data"));
    d = s_decide(p, "beta", DX_ACT_LIST, "a/open/x", DX_CLASS_PUBLIC, NULL);
    CHECK(d.allow);
    /* not a version above public, not elsewhere, not publishing, not past a deny */
    d = s_decide(p, "beta", DX_ACT_READ, "a/open/x", DX_CLASS_INTERNAL, "anything");
    CHECK(!d.allow);
    d = s_decide(p, "beta", DX_ACT_READ, "a/closed", DX_CLASS_PUBLIC, "anything");
    CHECK(!d.allow);
    d = s_decide(p, "beta", DX_ACT_PUBLISH, "a/open/x", DX_CLASS_PUBLIC, NULL);
    CHECK(!d.allow);
    d = s_decide(p, "delta", DX_ACT_READ, "a/open/x", DX_CLASS_PUBLIC, "anything");
    CHECK(!d.allow && strcmp(d.rule_id, "no-delta") == 0);
    /* a list scan reaches the open namespace */
    char prefixes[16][DX_NAME_MAX + 1];
    size_t n = dx_policy_prefixes(p, "beta", DX_ACT_LIST, prefixes, 16);
    bool found = false;
    for (size_t i = 0; i < n; i++)
        found |= strcmp(prefixes[i], "a/open") == 0;
    CHECK(found);
    dx_policy_free(&p);
}

TEST(rotation_windows)
{
    dx_member_t m;
    memset(&m, 0, sizeof m);
    memset(m.sign_key, 1, 32);
    memset(m.transport_key, 2, 32);
    const uint8_t *keys[2];
    uint8_t next_t[32];
    memset(next_t, 4, 32);
    /* no rotation: the one key, always */
    CHECK(dx_member_transport_ok(&m, m.transport_key, 5));
    CHECK(!dx_member_transport_ok(&m, next_t, 5));
    CHECK_EQ(dx_member_sign_keys(&m, 5, keys), 1u);
    m.next.set = true;
    memset(m.next.sign_key, 3, 32);
    memcpy(m.next.transport_key, next_t, 32);
    m.next.from = 100;
    m.next.until = 200;
    /* before from: the old keys only */
    CHECK(dx_member_transport_ok(&m, m.transport_key, 99) && !dx_member_transport_ok(&m, next_t, 99));
    CHECK(dx_member_sign_keys(&m, 99, keys) == 1 && keys[0] == m.sign_key);
    /* the overlap, both ends included: both */
    CHECK(dx_member_transport_ok(&m, m.transport_key, 100) && dx_member_transport_ok(&m, next_t, 100));
    CHECK(dx_member_transport_ok(&m, m.transport_key, 200) && dx_member_transport_ok(&m, next_t, 200));
    CHECK_EQ(dx_member_sign_keys(&m, 150, keys), 2u);
    /* after until: the next keys only */
    CHECK(!dx_member_transport_ok(&m, m.transport_key, 201) && dx_member_transport_ok(&m, next_t, 201));
    CHECK(dx_member_sign_keys(&m, 201, keys) == 1 && keys[0] == m.next.sign_key);
    /* no from: the next keys at once */
    m.next.from = DX_NO_TIME;
    CHECK(dx_member_transport_ok(&m, next_t, 0));
}

TEST(time_windows)
{
    dx_policy_t *p = s_load_example();
    dx_decision_t d = s_decide(p, "lazy", DX_ACT_READ, "a/b", DX_CLASS_INTERNAL, "any");
    CHECK(!d.allow);
    CHECK(strstr(d.reason, "expired") != NULL);
    dx_request_t req = { "lazy", DX_ACT_READ, "a/b", DX_CLASS_INTERNAL, "any", 0 };
    dx_time_parse("2025-06-01T00:00:00Z", &req.now_ms);
    dx_policy_decide(p, &req, &d);
    CHECK(d.allow);
    dx_time_parse("2024-06-01T00:00:00Z", &req.now_ms);
    dx_policy_decide(p, &req, &d);
    CHECK(!d.allow);
    CHECK(strstr(d.reason, "not yet in force") != NULL);
    dx_policy_free(&p);
}

TEST(hash_changes_with_content)
{
    dx_policy_t *p1 = s_load_example(), *p2 = s_load_example();
    /* fresh keys each time: different bytes, different hash */
    CHECK(memcmp(p1->sha256, p2->sha256, 32) != 0);
    dx_policy_free(&p1);
    dx_policy_free(&p2);
}

/* Files in memory load as the same files in a directory would, hash and all. */
TEST(loads_from_buffers)
{
    dx_policy_t *p = s_load_example(), *q = NULL;
    const char *names[] = { "10-members.yaml", "20-datasets.yaml", "30-rules.yaml" };
    dx_policy_file_t files[3];
    char *data[3] = { NULL, NULL, NULL };
    for (int i = 0; i < 3; i++) {
        char path[600];
        size_t len = 0;
        snprintf(path, sizeof path, "%s/good/%s", s_dir, names[i]);
        CHECK_EQ(dx_read_small_file(path, 1 << 20, &data[i], &len), 0);
        files[i] = (dx_policy_file_t){ names[i], data[i], len };
    }
    dx_diag_t diag;
    CHECK_EQ(dx_policy_load_buffers(files, 3, "memory", &q, &diag), 0);
    dx_diag_free(&diag);
    CHECK(p && q && memcmp(p->sha256, q->sha256, 32) == 0);
    dx_policy_free(&q);
    files[2] = (dx_policy_file_t){ "30-rules.yaml", "version: 1\nrules: [", 19 };
    CHECK_EQ(dx_policy_load_buffers(files, 3, "memory", &q, &diag), DX_ERR_POLICY);
    CHECK(q == NULL && diag.n >= 1 && strncmp(diag.lines[0], "30-rules.yaml:3:1: error:", 25) == 0);
    dx_diag_free(&diag);
    for (int i = 0; i < 3; i++)
        free(data[i]);
    dx_policy_free(&p);
}

/* Every file in tests/data/bad-policies is refused with the error its
 * first line expects, in the form path:line:col: error: message. */
TEST(bad_policy_files)
{
    DIR *d = opendir("tests/data/bad-policies");
    CHECK(d != NULL);
    if (!d)
        return;
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d)) != NULL) {
        if (!strstr(e->d_name, ".yaml"))
            continue;
        files++;
        char src[512], dir[512], dst[600], expect[256] = "";
        snprintf(src, sizeof src, "tests/data/bad-policies/%s", e->d_name);
        snprintf(dir, sizeof dir, "%s/bad-%s", s_dir, e->d_name);
        mkdir(dir, 0700);
        snprintf(dst, sizeof dst, "%s/p.yaml", dir);
        FILE *in = fopen(src, "r"), *out = fopen(dst, "w");
        char line[2048];
        while (fgets(line, sizeof line, in)) {
            if (strncmp(line, "# expect: ", 10) == 0) {
                snprintf(expect, sizeof expect, "%s", line + 10);
                expect[strcspn(expect, "\n")] = '\0';
            }
            fputs(line, out);
        }
        fclose(in);
        fclose(out);
        dx_policy_t *p = NULL;
        dx_diag_t diag;
        int rv = dx_policy_load(dir, &p, &diag);
        bool found = false, formatted = diag.n > 0;
        for (size_t i = 0; i < diag.n; i++) {
            found |= strstr(diag.lines[i], expect) != NULL;
            int l, c;
            char tail[8];
            formatted &= strncmp(diag.lines[i], dst, strlen(dst)) == 0 &&
                         sscanf(diag.lines[i] + strlen(dst), ":%d:%d: %7s", &l, &c, tail) == 3;
        }
        if (rv == 0 || !found || !formatted) {
            printf("# %s: expected '%s', got:\n", e->d_name, expect);
            for (size_t i = 0; i < diag.n; i++)
                printf("#   %s\n", diag.lines[i]);
        }
        CHECK(rv == DX_ERR_POLICY && p == NULL);
        CHECK(found && expect[0]);
        CHECK(formatted);
        dx_diag_free(&diag);
        dx_policy_free(&p);
    }
    closedir(d);
    CHECK(files >= 20);
}

TEST(all_errors_reported)
{
    char dir[300];
    snprintf(dir, sizeof dir, "%s/many", s_dir);
    mkdir(dir, 0700);
    s_write(dir, "a.yaml", "version: 1\nmembers:\n  - id: Bad\n    frob: 1\n");
    s_write(dir, "b.yaml", "version: 2\nrules:\n  - id: r\n    effect: perhaps\n");
    dx_policy_t *p = NULL;
    dx_diag_t diag;
    CHECK_EQ(dx_policy_load(dir, &p, &diag), DX_ERR_POLICY);
    /* both files, several errors each */
    CHECK(diag.errors >= 6);
    bool a = false, b = false;
    for (size_t i = 0; i < diag.n; i++) {
        a |= strstr(diag.lines[i], "a.yaml:") != NULL;
        b |= strstr(diag.lines[i], "b.yaml:") != NULL;
    }
    CHECK(a && b);
    dx_diag_free(&diag);
}

TEST(missing_or_empty_directory)
{
    dx_policy_t *p = NULL;
    dx_diag_t diag;
    CHECK_EQ(dx_policy_load("/nonexistent-dx-dir", &p, &diag), DX_ERR_POLICY);
    CHECK(strstr(dx_diag_first(&diag), "cannot read policy directory") != NULL);
    dx_diag_free(&diag);
    char dir[300];
    snprintf(dir, sizeof dir, "%s/empty", s_dir);
    mkdir(dir, 0700);
    CHECK_EQ(dx_policy_load(dir, &p, &diag), DX_ERR_POLICY);
    CHECK(strstr(dx_diag_first(&diag), "no *.yaml") != NULL);
    dx_diag_free(&diag);
}

TEST(warnings)
{
    static char text[8192];
    char dir[300];
    snprintf(dir, sizeof dir, "%s/warn", s_dir);
    mkdir(dir, 0700);
    snprintf(text, sizeof text, "version: 1\nmembers:\n");
    s_member(text, sizeof text, "alpha", "publisher", "");
    s_member(text, sizeof text, "beta", "consumer", "    revoked: true\n");
    s_member(text, sizeof text, "gamma", "consumer", "");
    s_write(dir, "m.yaml", text);
    s_write(dir, "r.yaml",
            "version: 1\nrules:\n"
            "  - id: old\n    effect: allow\n    actions: [list]\n    members: [gamma]\n"
            "    datasets: [\"a/**\"]\n    not_after: 2020-01-01T00:00:00Z\n"
            "  - id: for-revoked\n    effect: allow\n    actions: [list]\n    members: [beta]\n"
            "    datasets: [\"a/**\"]\n"
            "  - id: shadowed\n    effect: allow\n    actions: [read]\n    members: [gamma]\n"
            "    datasets: [\"a/x/*\"]\n    purposes: [research]\n"
            "  - id: no-gamma\n    effect: deny\n    actions: [read, list]\n    members: [gamma]\n"
            "    datasets: [\"a/**\"]\n"
            "  - id: any-purpose\n    effect: allow\n    actions: [read]\n    members: [\"*\"]\n"
            "    datasets: [\"b/**\"]\n"
            "  - id: odd-fields\n    effect: allow\n    actions: [list]\n    members: [gamma]\n"
            "    datasets: [\"b/**\"]\n    purposes: [x]\n    fields:\n      include: [a]\n");
    dx_policy_t *p = NULL;
    dx_diag_t diag;
    CHECK_EQ(dx_policy_load(dir, &p, &diag), 0); /* warnings do not stop a load */
    const char *want[] = { "r.yaml:3:5: warning: rule 'old' expired",
                           "warning: rule 'for-revoked' names only revoked or expired members",
                           "r.yaml:14:5: warning: rule 'shadowed' is shadowed by deny rule 'no-gamma'",
                           "warning: rule 'any-purpose' allows read for any purpose",
                           "warning: rule 'odd-fields': fields apply only to allow rules for read",
                           "warning: rule 'odd-fields': purposes apply only to read" };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        bool found = false;
        for (size_t k = 0; k < diag.n; k++)
            found |= strstr(diag.lines[k], want[i]) != NULL;
        if (!found) {
            printf("# missing: %s\n", want[i]);
            for (size_t k = 0; k < diag.n; k++)
                printf("#   %s\n", diag.lines[k]);
        }
        CHECK(found);
    }
    CHECK_EQ(diag.warnings, 7u); /* "old" is both expired and shadowed */
    CHECK_EQ(diag.errors, 0u);
    dx_diag_free(&diag);
    dx_policy_free(&p);
}

int main(void)
{
    if (!mkdtemp(s_dir))
        return 1;
    RUN(loads_example_set);
    RUN(list_prefixes_cover_what_a_member_may_list);
    RUN(owner_publishes);
    RUN(owner_reads_and_lists_its_namespace);
    RUN(the_set_keeps_its_files_as_hashed);
    RUN(read_with_purpose_and_fields);
    RUN(deny_wins);
    RUN(default_deny_and_members);
    RUN(time_windows);
    RUN(hash_changes_with_content);
    RUN(loads_from_buffers);
    RUN(bad_policy_files);
    RUN(all_errors_reported);
    RUN(missing_or_empty_directory);
    RUN(warnings);
    RUN(rotation_windows);
    RUN(open_data_namespaces);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s_dir);
    if (system(cmd) != 0)
        return 1;
    return TEST_EXIT();
}
