/* intake: the main thread's loop: the ROUTER socket, ZAP, framing,
 * decoding, and where each request goes next. */
#ifndef DX_BROKER_INTAKE_H
#define DX_BROKER_INTAKE_H

#include "broker.h"
#include <signal.h>

int intake_run(broker_t *b, volatile sig_atomic_t *stop, volatile sig_atomic_t *reload);
/* A standby's loop (journal rados): answers every request "standby"
 * (an admin's status with its role), and gives group.c its turns until
 * the lease is this broker's (0: start as the active), a journal that
 * does not check stops it (err), or stop is raised (DX_ERR_STANDBY). */
int intake_run_standby(broker_t *b, volatile sig_atomic_t *stop, char err[DX_ERRMSG]);
/* Puts the writer's last replies on the socket, once it has stopped. */
void intake_flush(broker_t *b);

#endif
