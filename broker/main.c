/* dx-broker: the exchange's central broker (DESIGN §7).
 *
 *   dx-broker --listen ENDPOINT --data DIR --policies DIR --key FILE
 *
 * Runs in the foreground; SIGHUP reloads the policy set, SIGTERM or SIGINT
 * stops it cleanly. */
#include "broker.h"
#include "err.h"
#include "log.h"
#include "wire.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t s_stop, s_reload;

static void s_on_signal(int sig)
{
    if (sig == SIGHUP)
        s_reload = 1;
    else
        s_stop = 1;
}

static void s_usage(FILE *out)
{
    fprintf(out,
            "usage: dx-broker --listen ENDPOINT --data DIR --policies DIR --key FILE [options]\n"
            "\n"
            "  --listen ENDPOINT     ZeroMQ endpoint to bind, e.g. tcp://0.0.0.0:7700\n"
            "                        (tcp://127.0.0.1:* picks a free port; the log says which)\n"
            "  --data DIR            LMDB data directory (created if missing)\n"
            "  --policies DIR        directory of *.yaml policy files\n"
            "  --key FILE            the broker's secret key file (mode 0600)\n"
            "  --map-size BYTES      LMDB map size, the most the store can hold (default 64G)\n"
            "  --max-dataset BYTES   largest dataset accepted (default 16G)\n"
            "  --skew SECONDS        manifest creation time window each way (default 300)\n"
            "  --session-timeout S   idle transfer timeout (default 60)\n"
            "  --log-level LEVEL     debug, info, warn or error (default info)\n"
            "  --origin NAME         the audit log's name in its signed heads (default dx/ID,\n"
            "                        ID being the broker key's id)\n"
            "  --workers N           threads checking publishes' signatures (default: one per\n"
            "                        core; 0: in the main loop)\n"
            "  --member-transfers N  transfers one member may have open at once (default 32;\n"
            "                        at most 256 are open in all)\n"
            "\n"
            "SIGHUP reloads the policy set; SIGTERM stops the broker cleanly.\n");
}

/* "64G", "512M", "1048576": a size in bytes. */
static int s_size(const char *text, uint64_t *out)
{
    char *end;
    unsigned long long v = strtoull(text, &end, 10);
    if (end == text)
        return DX_ERR_USAGE;
    int shift = 0;
    if (*end == 'K' || *end == 'k') shift = 10, end++;
    else if (*end == 'M' || *end == 'm') shift = 20, end++;
    else if (*end == 'G' || *end == 'g') shift = 30, end++;
    else if (*end == 'T' || *end == 't') shift = 40, end++;
    if (*end != '\0' || v == 0 || (shift && v > (UINT64_MAX >> shift)))
        return DX_ERR_USAGE;
    *out = (uint64_t)v << shift;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "listen", required_argument, NULL, 'l' },
        { "data", required_argument, NULL, 'd' },
        { "policies", required_argument, NULL, 'p' },
        { "key", required_argument, NULL, 'k' },
        { "map-size", required_argument, NULL, 'm' },
        { "max-dataset", required_argument, NULL, 'x' },
        { "skew", required_argument, NULL, 's' },
        { "session-timeout", required_argument, NULL, 't' },
        { "log-level", required_argument, NULL, 'v' },
        { "origin", required_argument, NULL, 'o' },
        { "workers", required_argument, NULL, 'w' },
        { "member-transfers", required_argument, NULL, 'T' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    broker_t b;
    memset(&b, 0, sizeof b);
    b.cfg.map_size = STORE_DEFAULT_MAP_SIZE;
    b.cfg.max_dataset = 16ULL << 30;
    b.cfg.skew_ms = 300 * 1000;
    b.cfg.session_idle_ms = 60 * 1000;
    b.cfg.window = 16;
    b.cfg.fetch_window = 8;
    b.cfg.workers = -1;
    b.cfg.member_transfers = 32;
    int c;
    uint64_t n;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'l': b.cfg.listen = optarg; break;
        case 'd': b.cfg.data_dir = optarg; break;
        case 'p': b.cfg.policy_dir = optarg; break;
        case 'k': b.cfg.key_path = optarg; break;
        case 'm':
            if (s_size(optarg, &b.cfg.map_size) != 0 || b.cfg.map_size < (1 << 20)) {
                fprintf(stderr, "dx-broker: --map-size: expected a size of at least 1M, like 64G\n");
                return 2;
            }
            break;
        case 'x':
            if (s_size(optarg, &b.cfg.max_dataset) != 0) {
                fprintf(stderr, "dx-broker: --max-dataset: expected a size, like 16G\n");
                return 2;
            }
            break;
        case 's':
        case 't':
            if (s_size(optarg, &n) != 0 || n > 86400) {
                fprintf(stderr, "dx-broker: --%s: expected seconds from 1 to 86400\n",
                        c == 's' ? "skew" : "session-timeout");
                return 2;
            }
            if (c == 's')
                b.cfg.skew_ms = (int64_t)n * 1000;
            else
                b.cfg.session_idle_ms = (int64_t)n * 1000;
            break;
        case 'v':
            if (strcmp(optarg, "debug") == 0) dx_log_set_level(DX_LOG_DEBUG);
            else if (strcmp(optarg, "info") == 0) dx_log_set_level(DX_LOG_INFO);
            else if (strcmp(optarg, "warn") == 0) dx_log_set_level(DX_LOG_WARN);
            else if (strcmp(optarg, "error") == 0) dx_log_set_level(DX_LOG_ERROR);
            else {
                fprintf(stderr, "dx-broker: --log-level: debug, info, warn or error\n");
                return 2;
            }
            break;
        case 'o': b.cfg.origin = optarg; break;
        case 'w':
            if (s_size(optarg, &n) != 0 && strcmp(optarg, "0") != 0) {
                fprintf(stderr, "dx-broker: --workers: a number of threads, 0 for none\n");
                return 2;
            }
            b.cfg.workers = strcmp(optarg, "0") == 0 ? 0 : (int)(n > 64 ? 64 : n);
            break;
        case 'T':
            if (s_size(optarg, &n) != 0 || n > 256) {
                fprintf(stderr, "dx-broker: --member-transfers: expected a number from 1 to 256\n");
                return 2;
            }
            b.cfg.member_transfers = (int)n;
            break;
        case 'h':
            s_usage(stdout);
            return 0;
        default:
            s_usage(stderr);
            return 2;
        }
    }
    if (optind != argc || !b.cfg.listen || !b.cfg.data_dir || !b.cfg.policy_dir || !b.cfg.key_path) {
        fprintf(stderr, "dx-broker: --listen, --data, --policies and --key are required "
                        "(dx-broker --help)\n");
        return 2;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = s_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    char err[DX_ERRMSG];
    int rv = broker_start(&b, err);
    if (rv != 0) {
        fprintf(stderr, "dx-broker: %s\n", err);
        broker_stop(&b);
        return rv == DX_ERR_USAGE ? 2 : 1;
    }
    rv = broker_run(&b, &s_stop, &s_reload);
    dx_info("stopping");
    broker_stop(&b);
    return rv == 0 ? 0 : 1;
}
