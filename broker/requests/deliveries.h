/* deliveries: who was sent what (rows written as fetches deliver), signed
 * receipts, and the publishers' pages of them. */
#ifndef DX_BROKER_DELIVERIES_H
#define DX_BROKER_DELIVERIES_H

#include "broker.h"

int delivery_receipt(broker_t *b, request_t *rq);
int deliveries_query(broker_t *b, request_t *rq);
/* rq's member was sent name@version, whose bytes hash to sha (the content,
 * or the filtered view), under the read record read_seq. */
int deliveries_sent(broker_t *b, const request_t *rq, const char *name, uint64_t version,
                         const uint8_t sha[DX_SHA256_LEN], const char *purpose, bool filtered,
                         uint64_t read_seq);
/* rq's member was refused a view of name@version mid-way (record read_seq):
 * a row with the reason, for the publisher. */
int deliveries_refused(broker_t *b, const request_t *rq, const char *name, uint64_t version,
                            const char *purpose, const char *reason, uint64_t read_seq);

#endif
