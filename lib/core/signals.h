/* signals: what a long-running program (the broker, the agent service)
 * does with signals: SIGTERM and SIGINT ask it to stop, SIGHUP to reload,
 * SIGPIPE is ignored (a closed socket is an error return, not a death). */
#ifndef DX_SIGNALS_H
#define DX_SIGNALS_H

#include <signal.h>

extern volatile sig_atomic_t dx_signal_stop, dx_signal_reload;
/* Who sent the last SIGHUP (the kernel says): recorded with the reload. */
extern volatile sig_atomic_t dx_signal_reload_pid, dx_signal_reload_uid;

/* Installs the handlers (without SA_RESTART: a wait ends on a signal).
 * 0, or DX_ERR_INTERNAL. */
int dx_signals_install(void);

#endif
