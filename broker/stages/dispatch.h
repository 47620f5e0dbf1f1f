/* dispatch: the command table. Each request type has one row: what it is
 * called, the audit event and action its refusals are recorded under, the
 * role it needs, the largest frame it may come in, its checks for the job
 * threads (if any), its read on a reader (if any: readers.h) and its
 * handler on the writer thread.
 *
 * Dispatch makes the refusals every command shares, before any handler
 * runs: a member that was revoked, expired or removed since its connection
 * was admitted, and a member without the command's role, are refused and
 * recorded here. */
#ifndef DX_BROKER_DISPATCH_H
#define DX_BROKER_DISPATCH_H

#include "broker.h"
#include "jobs.h"

#include <stddef.h>

typedef struct command {
    Dx__Request__BodyCase body;
    const char *name;                         /* in logs */
    dx_event_t event;
    const char *action;                       /* of a refusal's record */
    unsigned role;                            /* DX_ROLE_*: needed; 0: the policy decides */
    size_t max_frame;                         /* bytes */
    void (*check)(broker_t *b, request_t *rq, int lane); /* on a job thread, or NULL */
    uint64_t (*lane)(const request_t *rq);   /* the lane's key (checks or reads); NULL: any */
    int (*read)(broker_t *b, request_t *rq); /* on a reader, or NULL: straight to the writer */
    int (*handler)(broker_t *b, request_t *rq); /* on the writer: what the read left open */
} command_t;

/* The row for a request type, or NULL. */
const command_t *dispatch_command(Dx__Request__BodyCase body);
/* The rows, for metrics: how many, and the index of one. */
size_t dispatch_count(void);
const command_t *dispatch_at(size_t i);
size_t dispatch_index(const command_t *c);
/* The job threads' function: the request's checks. */
job_next_t dispatch_check(void *b, request_t *rq, int lane);
/* On a reader: the shared refusals (staged), then the command's read;
 * answers with the error if it failed and nothing was sent. */
void dispatch_read(broker_t *b, request_t *rq);
/* On the writer thread: the shared refusals, then what a reader staged
 * (committed) or the handler, in a request of the current group; answers
 * with the error if that failed and nothing was sent. */
void dispatch(broker_t *b, request_t *rq);

#endif
