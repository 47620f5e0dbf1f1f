#include "agent_config.h"
#include "policy.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char s_path[] = "/tmp/dx-test-agent-config-XXXXXX";

static int s_load(const char *text, agent_config_t *cfg, char err[DX_ERRMSG])
{
    FILE *f = fopen(s_path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    fclose(f);
    return agent_config_load(s_path, cfg, err);
}

TEST(a_full_config)
{
    static agent_config_t cfg;
    char err[DX_ERRMSG] = "";
    int rv = s_load("broker: tcp://127.0.0.1:1\n"
                    "outboxes:\n"
                    "  - dir: /srv/out/v\n"
                    "    dataset: health/vaccination/{date}\n"
                    "    classification: restricted\n"
                    "    content_type: text/csv\n"
                    "  - dir: /srv/out/w\n"
                    "    dataset: health/{file}\n"
                    "subscriptions:\n"
                    "  - datasets: [\"health/**\", \"labour/*\"]\n"
                    "    purpose: statistics\n"
                    "    inbox: /srv/in\n",
                    &cfg, err);
    CHECK_EQ(rv, 0);
    if (rv)
        printf("# %s\n", err);
    CHECK_EQ(cfg.noutboxes, 2u);
    CHECK_STR(cfg.outboxes[0].dir, "/srv/out/v");
    CHECK_EQ(cfg.outboxes[0].classification, DX_CLASS_RESTRICTED);
    CHECK_EQ(cfg.outboxes[1].classification, DX_CLASS_INTERNAL); /* the default */
    CHECK_STR(cfg.outboxes[1].content_type, "");
    CHECK_EQ(cfg.nsubs, 1u);
    CHECK_EQ(cfg.subs[0].npatterns, 2u);
    CHECK_STR(cfg.subs[0].patterns[1], "labour/*");
    CHECK_STR(cfg.subs[0].purpose, "statistics");
}

TEST(refusals_say_where)
{
    static agent_config_t cfg;
    char err[DX_ERRMSG];
    static const struct {
        const char *text, *want;
    } cases[] = {
        { "outboxes:\n  - dir: /x\n    dataset: a/b\n    speed: 9\n", ":4:5: unknown key 'speed'" },
        { "outboxes:\n  - dir: /x\n", ":2:5: an outbox needs dir: and dataset:" },
        { "outboxes:\n  - dir: /x\n    dataset: a//b\n", ":3:14: dataset: 'a//b' does not make" },
        { "outboxes:\n  - dir: /x\n    dataset: a/b\n    content_type: not a type\n", ":4:19: content_type" },
        { "outboxes: /x\n", ":1:11: outboxes: expected a list" },
        { "subscriptions:\n  - datasets: []\n    purpose: p\n    inbox: /i\n", ":2:15: datasets: at least one" },
        { "subscriptions:\n  - datasets: [a]\n    purpose: Not A Word\n    inbox: /i\n", ":3:14: purpose:" },
        { "subscriptions:\n  - datasets: [a]\n    inbox: /i\n", "needs datasets:, purpose: and inbox:" },
        { "outboxes: [\n", ":2:1:" },
        { "- a\n", ":1:1: expected a mapping" },
        { "broker: x\n", "nothing to run" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        err[0] = '\0';
        CHECK_EQ(s_load(cases[i].text, &cfg, err), DX_ERR_USAGE);
        if (!strstr(err, cases[i].want))
            printf("# case %zu: '%s' does not say '%s'\n", i, err, cases[i].want);
        CHECK(strstr(err, cases[i].want) != NULL);
    }
}

TEST(too_many_patterns)
{
    static agent_config_t cfg;
    char text[4096] = "subscriptions:\n", err[DX_ERRMSG];
    for (int s = 0; s < 2; s++) {
        snprintf(text + strlen(text), sizeof text - strlen(text),
                 "  - purpose: p\n    inbox: /i\n    datasets: [");
        for (int i = 0; i < 9; i++)
            snprintf(text + strlen(text), sizeof text - strlen(text), "%sa/p%d", i ? ", " : "", i);
        snprintf(text + strlen(text), sizeof text - strlen(text), "]\n");
    }
    CHECK_EQ(s_load(text, &cfg, err), DX_ERR_USAGE);
    CHECK(strstr(err, "at most 16 patterns") != NULL);
}

TEST(dataset_names_from_the_template)
{
    agent_outbox_t o = { .dir = "/x" };
    char name[DX_NAME_MAX + 1];
    int64_t t = 1796256000000LL; /* 2026-12-03T00:00:00Z */
    snprintf(o.dataset, sizeof o.dataset, "health/vaccination/{date}");
    CHECK_EQ(agent_dataset_name(&o, "week1.csv", t, name), 0);
    CHECK_STR(name, "health/vaccination/2026-12-03");
    snprintf(o.dataset, sizeof o.dataset, "health/{file}/{date}");
    CHECK_EQ(agent_dataset_name(&o, "Week-1.CSV", t, name), 0);
    CHECK_STR(name, "health/week-1/2026-12-03");
    CHECK_EQ(agent_dataset_name(&o, "bad name.csv", t, name), DX_ERR_INVALID);
    CHECK_EQ(agent_dataset_name(&o, ".csv", t, name), DX_ERR_INVALID);
    snprintf(o.dataset, sizeof o.dataset, "fixed/name");
    CHECK_EQ(agent_dataset_name(&o, "anything", t, name), 0);
    CHECK_STR(name, "fixed/name");
}

int main(void)
{
    int fd = mkstemp(s_path);
    if (fd < 0)
        return 1;
    close(fd);
    RUN(a_full_config);
    RUN(refusals_say_where);
    RUN(too_many_patterns);
    RUN(dataset_names_from_the_template);
    unlink(s_path);
    return TEST_EXIT();
}
