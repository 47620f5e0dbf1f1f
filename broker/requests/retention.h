/* retention: the namespaces' retention periods, swept in bounded steps. */
#ifndef DX_BROKER_RETENTION_H
#define DX_BROKER_RETENTION_H

#include "broker.h"

typedef struct retention retention_t;

int retention_new(retention_t **out);
void retention_destroy(retention_t **r_p);
/* Whether a pass is under way (the writer then does not wait for work). */
bool retention_busy(const retention_t *r);
/* Erases what the namespaces' retention periods say is due, in bounded
 * steps (writer thread, between rounds). */
void retention_sweep(broker_t *b, int64_t now_ms);

#endif
