/* policy_check: the checks no single policy file can make, each seen in
 * the diagnostics of a set that has it (as `dx-admin policy check` shows
 * them), and a clean set that has none. */
#include "diag.h"
#include "keys.h"
#include "policy_load.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char s_dir[] = "/tmp/dx-test-policy-check-XXXXXX";
static char s_keys[3][2][64];   /* sign, transport, for three key pairs */
static int s_set;

static void s_keys_init(void)
{
    for (int i = 0; i < 3; i++) {
        dx_keypair_t k;
        dx_keypair_generate("k", &k);
        dx_sign_key_format(k.pub.sign, s_keys[i][0]);
        dx_curve_key_format(k.pub.curve, s_keys[i][1]);
        dx_keypair_wipe(&k);
    }
}

/* Members a (keys 0), b (keys 1) and, per the caller, more; then datasets
 * and rules as given. Returns the diagnostics, joined. */
static char *s_check(const char *more_members, const char *datasets, const char *rules, int *rv)
{
    static char all[16384];
    char dir[300], path[320], members[4096];
    snprintf(dir, sizeof dir, "%s/%d", s_dir, s_set++);
    mkdir(dir, 0700);
    snprintf(members, sizeof members,
             "version: 1\nmembers:\n"
             "  - id: a\n    roles: [publisher, consumer]\n    sign_key: \"%s\"\n    transport_key: \"%s\"\n"
             "  - id: b\n    roles: [consumer]\n    sign_key: \"%s\"\n    transport_key: \"%s\"\n%s",
             s_keys[0][0], s_keys[0][1], s_keys[1][0], s_keys[1][1], more_members);
    const char *texts[3] = { members, datasets, rules }, *names[3] = { "m.yaml", "d.yaml", "r.yaml" };
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        FILE *f = fopen(path, "w");
        fputs(texts[i], f);
        fclose(f);
    }
    dx_policy_t *p = NULL;
    dx_diag_t diag;
    *rv = dx_policy_load(dir, &p, &diag);
    all[0] = '\0';
    for (size_t i = 0; i < diag.n; i++)
        snprintf(all + strlen(all), sizeof all - strlen(all), "%s\n", diag.lines[i]);
    dx_diag_free(&diag);
    dx_policy_free(&p);
    return all;
}

static const char *NS = "version: 1\ndatasets:\n  - match: \"a/**\"\n    owner: a\n";

TEST(a_clean_set_has_nothing_to_say)
{
    int rv;
    char *out = s_check("", NS,
                        "version: 1\nrules:\n  - id: b-reads\n    effect: allow\n    actions: [read]\n"
                        "    members: [b]\n    datasets: [\"a/x/*\"]\n    purposes: [research]\n", &rv);
    CHECK_EQ(rv, 0);
    CHECK_STR(out, "");
}

TEST(errors_across_files)
{
    int rv;
    char more[1024];
    /* c has a's transport key; a is declared twice */
    snprintf(more, sizeof more,
             "  - id: c\n    roles: [consumer]\n    sign_key: \"%s\"\n    transport_key: \"%s\"\n"
             "  - id: a\n    roles: [consumer]\n    sign_key: \"%s\"\n    transport_key: \"%s\"\n",
             s_keys[2][0], s_keys[0][1], s_keys[2][0], s_keys[2][1]);
    char *out = s_check(more,
                        "version: 1\ndatasets:\n  - match: \"a/**\"\n    owner: a\n"
                        "  - match: \"a/**\"\n    owner: a\n"
                        "  - match: \"a/b/*\"\n    owner: b\n"
                        "  - match: \"z/**\"\n    owner: nobody\n",
                        "version: 1\nrules:\n  - id: r1\n    effect: allow\n    actions: [list]\n"
                        "    members: [b, ghost]\n    datasets: [\"a/**\"]\n"
                        "  - id: r1\n    effect: allow\n    actions: [list]\n    members: [b]\n"
                        "    datasets: [\"a/**\"]\n", &rv);
    CHECK_EQ(rv, DX_ERR_POLICY);
    CHECK(strstr(out, "duplicate member id 'a'"));
    CHECK(strstr(out, "has the transport_key of"));
    CHECK(strstr(out, "has the sign_key of"));
    CHECK(strstr(out, "owner 'nobody' is not a member"));
    CHECK(strstr(out, "is declared twice"));
    CHECK(strstr(out, "overlaps namespace"));
    CHECK(strstr(out, "duplicate rule id 'r1'"));
    CHECK(strstr(out, "names unknown member 'ghost'"));
    /* every line says where */
    for (char *line = out; *line; line = strchr(line, '\n') + 1)
        CHECK(strncmp(line, s_dir, strlen(s_dir)) == 0);
}

TEST(warnings_about_what_a_set_means)
{
    int rv;
    char more[1024], *out;
    snprintf(more, sizeof more,
             "  - id: gone\n    roles: [consumer]\n    revoked: true\n    sign_key: \"%s\"\n"
             "    transport_key: \"%s\"\n", s_keys[2][0], s_keys[2][1]);
    out = s_check(more, NS,
                  "version: 1\nrules:\n"
                  "  - id: old\n    effect: allow\n    actions: [read]\n    members: [b]\n"
                  "    datasets: [\"a/**\"]\n    purposes: [x]\n    not_after: 2020-01-01T00:00:00Z\n"
                  "  - id: only-gone\n    effect: allow\n    actions: [list]\n    members: [gone]\n"
                  "    datasets: [\"a/**\"]\n"
                  "  - id: list-fields\n    effect: allow\n    actions: [list]\n    members: [b]\n"
                  "    datasets: [\"a/**\"]\n    fields:\n      exclude: [x]\n"
                  "  - id: list-purposes\n    effect: allow\n    actions: [list]\n    members: [b]\n"
                  "    datasets: [\"a/**\"]\n    purposes: [x]\n"
                  "  - id: any-purpose\n    effect: allow\n    actions: [read]\n    members: [b]\n"
                  "    datasets: [\"a/p/*\"]\n"
                  "  - id: no-b\n    effect: deny\n    actions: [read]\n    members: [b]\n"
                  "    datasets: [\"a/**\"]\n"
                  "  - id: shadowed\n    effect: allow\n    actions: [read]\n    members: [b]\n"
                  "    datasets: [\"a/s/*\"]\n    purposes: [x]\n", &rv);
    CHECK_EQ(rv, 0); /* warnings do not stop a set from loading */
    CHECK(strstr(out, "rule 'old' expired at"));
    CHECK(strstr(out, "rule 'only-gone' names only revoked or expired members"));
    CHECK(strstr(out, "rule 'list-fields': fields apply only to allow rules for read"));
    CHECK(strstr(out, "rule 'list-purposes': purposes apply only to read"));
    CHECK(strstr(out, "rule 'any-purpose' allows read for any purpose"));
    CHECK(strstr(out, "rule 'shadowed' is shadowed by deny rule 'no-b'"));
}

int main(void)
{
    if (!mkdtemp(s_dir))
        return 1;
    s_keys_init();
    RUN(a_clean_set_has_nothing_to_say);
    RUN(errors_across_files);
    RUN(warnings_about_what_a_set_means);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s_dir);
    if (system(cmd) != 0)
        return 1;
    return TEST_EXIT();
}
