/* dx-broker: the exchange's central broker (DESIGN §7).
 *
 *   dx-broker --listen ENDPOINT --data DIR --policies DIR --key FILE
 *
 * Runs in the foreground; SIGHUP reloads the policy set, SIGTERM or SIGINT
 * stops it cleanly. The options are options.c's table. */
#include "broker.h"
#include "err.h"
#include "group.h"
#include "log.h"
#include "notify.h"
#include "signals.h"
#include "version.h"
#include "intake.h"
#include "options.h"
#include "start.h"

#include <malloc.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (dx_version_asked(argc, argv, "dx-broker"))
        return 0;
    broker_t b;
    char err[DX_ERRMSG];
    memset(&b, 0, sizeof b);
    /* Chunks are 1 MiB: keep such buffers in the heap and the heap's top
     * in the process, instead of an mmap, a page fault per page and a
     * munmap for every chunk that passes through. */
    mallopt(M_MMAP_THRESHOLD, 8 << 20);
    mallopt(M_TRIM_THRESHOLD, 16 << 20);
    int rv = broker_options_parse(argc, argv, &b.cfg, err);
    if (rv == 1) {
        broker_options_usage(stdout);
        return 0;
    }
    if (rv != 0) {
        fprintf(stderr, "dx-broker: %s\n", err);
        return 2;
    }
    if (b.cfg.check_config)
        return broker_check_config(&b.cfg, stdout);

    if (dx_signals_install() != 0) {
        fprintf(stderr, "dx-broker: cannot set up signal handlers\n");
        return 1;
    }

    rv = broker_start(&b, err);
    if (rv == DX_ERR_STANDBY) { /* stopped while a standby */
        dx_info("stopping", "stopping (a standby)");
        broker_stop(&b);
        return 0;
    }
    if (rv != 0) {
        fprintf(stderr, "dx-broker: %s\n", err);
        broker_stop(&b);
        return rv == DX_ERR_USAGE ? 2 : 1;
    }
    notify_systemd("READY=1\nSTATUS=serving"); /* systemd, Type=notify: it listens */
    rv = intake_run(&b, &dx_signal_stop, &dx_signal_reload);
    notify_systemd("STOPPING=1");
    dx_info("stopping", "stopping");
    bool fenced = group_fenced(&b);
    broker_stop(&b);
    return rv == 0 && !fenced ? 0 : 1; /* fenced: a supervisor starts it again, as a standby */
}
