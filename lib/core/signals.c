/* signals: two flags, set by the handler, read by the program's loop. */
#include "signals.h"
#include "err.h"

#include <string.h>

volatile sig_atomic_t dx_signal_stop, dx_signal_reload;
volatile sig_atomic_t dx_signal_reload_pid, dx_signal_reload_uid;

static void s_on_signal(int sig, siginfo_t *info, void *ctx)
{
    (void)ctx;
    if (sig == SIGHUP) {
        dx_signal_reload_pid = info ? (sig_atomic_t)info->si_pid : 0;
        dx_signal_reload_uid = info ? (sig_atomic_t)info->si_uid : -1;
        dx_signal_reload = 1;
    } else {
        dx_signal_stop = 1;
    }
}

int dx_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = s_on_signal;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0 ||
        sigaction(SIGHUP, &sa, NULL) != 0 || signal(SIGPIPE, SIG_IGN) == SIG_ERR)
        return DX_ERR_INTERNAL;
    return 0;
}
