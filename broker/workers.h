/* workers: the CPU-heavy steps of a publish, off the broker's loop, on one
 * thread per core: checking the manifest's signature against the sender's
 * registered key, parsing the manifest, hashing inline content.
 *
 * The loop hands a job over (the decoded request, a copy of the key it is
 * checked against) and goes on serving; finished jobs come back over an
 * inproc socket the loop polls, and the publish continues there, where the
 * nonce, the policy and the commit are decided. Jobs share nothing mutable
 * with the loop: a job belongs to whichever side holds its pointer. */
#ifndef DX_BROKER_WORKERS_H
#define DX_BROKER_WORKERS_H

#include "broker.h"

#include <stdbool.h>

typedef struct workers workers_t;

/* A publish begun: what the loop hands over and gets back. */
struct prepared {
    request_t rq;                    /* identity, member, time */
    Dx__Request *req;                /* owned by the job */
    uint8_t sign_key[DX_ED25519_LEN];
    /* results */
    int verified;                    /* 0, or DX_ERR_INTEGRITY */
    Dx__Manifest *manifest;          /* parsed after the signature checked */
    int manifest_rv;
    char manifest_err[DX_ERRMSG];
    uint8_t manifest_sha[DX_SHA256_LEN];
    bool inline_matches;             /* inline content has the manifest's size and hash */
};

/* n threads in zctx; n 0 means no threads (jobs run in the caller). */
int workers_new(void *zctx, int n, workers_t **out);
void workers_destroy(workers_t **w_p);

/* Runs the job's checks (prepare_run) on a worker; takes ownership. */
int workers_submit(workers_t *w, prepared_t *job);
/* The socket to poll for finished jobs, and the next one (NULL if none). */
void *workers_socket(const workers_t *w);
prepared_t *workers_take(workers_t *w);
size_t workers_pending(const workers_t *w);

/* The checks themselves, for any thread. */
void prepare_run(prepared_t *job);
void prepare_free(prepared_t **job_p);

#endif
