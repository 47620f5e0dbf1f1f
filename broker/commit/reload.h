/* reload: the policy directory loaded again, for a SIGHUP (rq NULL) or an
 * admin's request, in the current request's transaction (writer thread):
 * the set is swapped in when it loads, the current one kept when not, and
 * the attempt recorded either way. */
#ifndef DX_BROKER_RELOAD_H
#define DX_BROKER_RELOAD_H

#include "broker.h"

/* diag receives the problems; reason the outcome. */
int reload_policy(broker_t *b, const request_t *rq, const char *signal_by, dx_diag_t *diag,
                  char reason[DX_ERRMSG + 64]);

#endif
