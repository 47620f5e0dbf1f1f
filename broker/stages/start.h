/* start: a broker's stages set up in order, and stopped in the same order. */
#ifndef DX_BROKER_START_H
#define DX_BROKER_START_H

#include "broker.h"
#include <stdio.h>

/* Checks the options, loads keys and policy, opens the store and the audit
 * log, and starts the writer and the job runner. */
int broker_start(broker_t *b, char err[DX_ERRMSG]);
/* All of broker_start but the stages (no thread runs): the store, the
 * audit log with the start records committed, the policy set, the
 * transfer table, the listening socket. The handlers' unit tests run the
 * writer's and a reader's part themselves on such a broker
 * (tests/unit/fixture.h); broker_stop ends it. */
int broker_open(broker_t *b, char err[DX_ERRMSG]);
void broker_stop(broker_t *b);

/* --check-config: prints the settings in effect and checks the key file and
 * the policy set; 0 when the broker would start with them, else 1. */
int broker_check_config(const broker_config_t *cfg, FILE *out);

#endif
