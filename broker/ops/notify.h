/* notify: telling systemd (Type=notify) that the broker is ready, reloading
 * or stopping. */
#ifndef DX_BROKER_NOTIFY_H
#define DX_BROKER_NOTIFY_H

/* Sends state ("READY=1", "RELOADING=1", "STOPPING=1") to $NOTIFY_SOCKET. */
void notify_systemd(const char *state);

#endif
