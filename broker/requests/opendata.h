/* opendata: what dx-admin opendata export publishes (on the readers). */
#ifndef DX_BROKER_OPENDATA_H
#define DX_BROKER_OPENDATA_H

#include "broker.h"

/* A page of the newest version of each dataset in an open namespace of the
 * policy in force, when that version is public and not erased, with its
 * signed manifest, signed receipt and licence. Recorded (event opendata). */
int opendata_index(broker_t *b, request_t *rq);

#endif
