/* intake: the main thread's loop: the ROUTER socket, ZAP, framing,
 * decoding, and where each request goes next. */
#ifndef DX_BROKER_INTAKE_H
#define DX_BROKER_INTAKE_H

#include "broker.h"
#include <signal.h>

int intake_run(broker_t *b, volatile sig_atomic_t *stop, volatile sig_atomic_t *reload);
/* Puts the writer's last replies on the socket, once it has stopped. */
void intake_flush(broker_t *b);

#endif
