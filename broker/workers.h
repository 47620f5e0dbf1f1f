/* workers: the CPU-heavy steps of a publish, off the broker's loop, on one
 * thread per core:
 *   - a publish begun: checking the manifest's signature against the
 *     sender's registered key, parsing the manifest, hashing inline content;
 *   - a publish streamed: hashing its chunks, in order, on the one worker the
 *     session is bound to (which keeps the running hash; the loop never
 *     touches it), and the digest after the last chunk.
 * The loop hands a job over and goes on serving; jobs that have an answer
 * come back over an inproc socket the loop polls, and the publish continues
 * there, where nonce, policy and commit are decided. A job belongs to
 * whichever side holds its pointer; nothing mutable is shared. */
#ifndef DX_BROKER_WORKERS_H
#define DX_BROKER_WORKERS_H

#include "broker.h"

#include <stdbool.h>

typedef struct workers workers_t;

typedef enum {
    JOB_BEGIN = 1,       /* check a PublishBegin; comes back */
    JOB_HASH = 2,        /* add a chunk to a session's hash; back only if final */
    JOB_DROP = 3,        /* forget a session's hash; never comes back */
} job_kind_t;

struct prepared {
    job_kind_t kind;
    request_t rq;                    /* identity, member, time */
    Dx__Request *req;                /* owned by the job (BEGIN, HASH) */
    /* BEGIN */
    uint8_t sign_key[DX_ED25519_LEN];
    int verified;                    /* 0, or DX_ERR_INTEGRITY */
    Dx__Manifest *manifest;          /* parsed after the signature checked */
    int manifest_rv;
    char manifest_err[DX_ERRMSG];
    uint8_t manifest_sha[DX_SHA256_LEN];
    bool inline_matches;             /* inline content has the manifest's size and hash */
    /* HASH, DROP */
    uint64_t session;
    bool final;
    uint8_t digest[DX_SHA256_LEN];   /* when final */
    int hash_rv;
};

/* n threads in zctx; n 0 means no threads (jobs run in the caller). */
int workers_new(void *zctx, int n, workers_t **out);
void workers_destroy(workers_t **w_p);

/* BEGIN jobs go to any worker; HASH and DROP to the worker of their
 * session. Takes ownership. */
int workers_submit(workers_t *w, prepared_t *job);
/* The socket to poll for finished jobs, and the next one (NULL if none). */
void *workers_socket(const workers_t *w);
prepared_t *workers_take(workers_t *w);

/* The BEGIN checks themselves, for any thread. */
void prepare_run(prepared_t *job);
void prepare_free(prepared_t **job_p);

#endif
