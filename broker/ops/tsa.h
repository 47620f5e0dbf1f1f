/* tsa: trusted timestamps on the audit log (--tsa-url).
 *
 * A thread of its own (dx-tsa) asks the time-stamping authority, at most
 * once per --tsa-every, for an RFC 3161 token over the newest stored head
 * that has none, over HTTP with libcurl, and checks the reply (nonce,
 * imprint, signature, chain to --tsa-ca, policy) before anything keeps it.
 * The writer stores a checked token beside its head (stamps table) between
 * rounds. So the commit path never waits for the authority: an outage
 * delays timestamps, never a publish, and the newest head is stamped once
 * it answers again (a token over a head covers every record before it). */
#ifndef DX_BROKER_TSA_H
#define DX_BROKER_TSA_H

#include "err.h"

#include <stdbool.h>
#include <stdint.h>

struct broker;
typedef struct tsa tsa_t;

/* Reads --tsa-ca (a bad one stops the start, before the store is touched).
 * Nothing to do without --tsa-url. */
int tsa_new(struct broker *b, char err[DX_ERRMSG]);
/* Once the store is the writer's: the newest stored token, and the thread. */
int tsa_start(struct broker *b, char err[DX_ERRMSG]);
void tsa_stop(struct broker *b);
void tsa_free(struct broker *b);

/* The writer's, between rounds: stores a token the thread got. */
void tsa_store(struct broker *b);

typedef struct {
    bool on;
    char url[256];               /* without any user:password@ */
    int64_t time_ms;             /* the newest stored token's time; 0: none */
    uint64_t head_size;          /* the head it covers */
    uint64_t ok, failed, refused;  /* requests since the start */
    char error[256];             /* the last failure; "" once one works */
} tsa_state_t;
void tsa_state(struct broker *b, tsa_state_t *out);

#endif
