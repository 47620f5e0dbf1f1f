/* admin_service: an admin's reload, status and master key rotation (writer
 * thread). */
#ifndef DX_BROKER_ADMIN_SERVICE_H
#define DX_BROKER_ADMIN_SERVICE_H

#include "broker.h"

int admin_reload(broker_t *b, request_t *rq);
int admin_status(broker_t *b, request_t *rq);
int admin_rotate_master_key(broker_t *b, request_t *rq);

#endif
