/* metrics: Prometheus text exposition of the broker's counters, served by
 * libmicrohttpd on --metrics-listen (off by default).
 *
 * Counters and histograms are atomics any thread may bump; gauges that
 * belong to one stage (open transfers, subscriptions, store use, the
 * audit log's size) are copied by the writer after every commit. The HTTP
 * thread only reads. Every function takes a NULL metrics_t and does
 * nothing, so the stages call them unconditionally. */
#ifndef DX_BROKER_METRICS_H
#define DX_BROKER_METRICS_H

#include "err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct metrics metrics_t;
struct broker;

/* Serves GET /metrics on listen ("127.0.0.1:9477" or "[::1]:9477"). */
int metrics_start(struct broker *b, const char *listen, const char *const *commands,
                  size_t ncommands, metrics_t **out, char err[DX_ERRMSG]);
void metrics_stop(metrics_t **m_p);

/* A request of command cmd (dispatch.c's index) answered; refused says how. */
void metrics_request(metrics_t *m, size_t cmd, bool refused);
/* An error reply, by its code (Dx__ErrorCode). */
void metrics_refusal(metrics_t *m, int code);
/* From its arrival to its reply leaving (after the commit when it waits). */
void metrics_latency(metrics_t *m, size_t cmd, int64_t us);
void metrics_bytes(metrics_t *m, bool in, size_t n);
/* One group commit: how many requests, how long (fsync included). */
void metrics_commit(metrics_t *m, size_t ops, int64_t us, int64_t now_ms);
void metrics_handshake(metrics_t *m, bool accepted);
void metrics_connections(metrics_t *m, int delta);

/* Intake's: replies held for connections, and those not delivered. */
void metrics_replies(metrics_t *m, uint64_t held_bytes, uint64_t dropped);

typedef struct {
    uint64_t open_transfers, subscriptions, store_bytes, map_bytes, audit_size;
} metrics_gauges_t;
void metrics_gauges(metrics_t *m, const metrics_gauges_t *g);

/* The exposition text (tests); the caller frees it. */
char *metrics_render(metrics_t *m, size_t *len);

#endif
