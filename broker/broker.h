/* broker: the state of one dx-broker process and what request handlers
 * share. One thread runs the loop in frontend.c: it owns the ROUTER socket,
 * answers ZAP, dispatches requests, and commits each turn's writes as one
 * group (batch.h) before the replies that depend on them leave.
 *
 * Invariants:
 *   - every request is attributed to the member id the ZAP handler gave its
 *     connection, re-checked against the current policy on every request;
 *   - a reply that acknowledges a write is sent only after its commit;
 *   - every decision appends an audit record in the same transaction as
 *     what it decided. */
#ifndef DX_BROKER_BROKER_H
#define DX_BROKER_BROKER_H

#include "audit.h"
#include "batch.h"
#include "dx.pb-c.h"
#include "diag.h"
#include "keys.h"
#include "policy.h"
#include "sessions.h"
#include "store.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    const char *listen;
    const char *data_dir;
    const char *policy_dir;
    const char *key_path;
    uint64_t map_size;
    int64_t skew_ms;             /* manifest creation time window, each way */
    uint64_t max_dataset;        /* bytes */
    int64_t session_idle_ms;
    int window;                  /* chunks a publisher may have unacknowledged */
    int fetch_window;            /* chunks a consumer may have asked for ahead */
    const char *origin;          /* the audit log's name in its checkpoints */
    int workers;                 /* threads for signature checks; -1: one per core */
    int member_transfers;        /* open transfers one member may hold */
} broker_config_t;

typedef struct broker {
    broker_config_t cfg;
    dx_keypair_t key;
    dx_signer_t *signer;         /* key.sign_secret, as a long-lived OpenSSL key */
    void *zctx;
    void *router;
    void *zap;
    store_t *store;
    audit_t *audit;
    batch_t *batch;
    sessions_t *sessions;
    struct workers *workers;
    dx_policy_t *policy;
    uint64_t next_blob;
    uint64_t *discard;           /* staged blobs to delete next turn */
    size_t ndiscard, discard_cap;
    char endpoint[256];
} broker_t;

#define BROKER_IDENTITY_MAX 256

typedef struct prepared prepared_t;

/* One request being handled. */
typedef struct {
    uint8_t identity[BROKER_IDENTITY_MAX];
    size_t identity_len;
    char member_id[DX_ID_MAX + 1];
    const dx_member_t *member;    /* in the current policy; valid this turn */
    const Dx__Request *req;
    int64_t now_ms;
    bool replied;                 /* a reply was sent or deferred */
    prepared_t *prepared;         /* a publish whose checks a worker ran */
    bool kept;                    /* a handler kept req (handed it to a worker) */
} request_t;

/* What an audit record says, besides who and when. */
typedef struct {
    const char *event;            /* publish, read, list, info, audit, ... */
    const char *action;
    const char *dataset;
    uint64_t version;
    const uint8_t *sha256;        /* 32 bytes or NULL */
    const uint8_t *manifest_sha256; /* 32 bytes or NULL: the signed manifest's */
    const uint8_t *view_sha256;   /* 32 bytes or NULL: a delivered view's */
    const char *purpose;
    bool allow;
    const char *decision;         /* overrides allow/deny: "ok", "error" */
    const char *rule_id;
    const char *reason;
} audit_fields_t;

/* Appends an audit record for rq (or for the broker itself when rq is NULL)
 * in the current request's transaction. */
int broker_audit(broker_t *b, const request_t *rq, const audit_fields_t *f, uint64_t *seq_out);

/* Sends reply now (for replies that acknowledge no write). */
void broker_reply(broker_t *b, request_t *rq, Dx__Reply *reply);
/* Sends reply once the current request's writes are durable, or an error
 * reply instead if they are undone. after (optional) runs first with the
 * final status. */
typedef void (*broker_after_fn)(broker_t *b, uint64_t session, int status);
int broker_reply_later(broker_t *b, request_t *rq, Dx__Reply *reply, broker_after_fn after,
                       uint64_t session);
/* The same, with the signed head of the commit added as the reply leaves
 * (receipts and fetches: agents witness the log with it). */
int broker_reply_witnessed(broker_t *b, request_t *rq, Dx__Reply *reply, broker_after_fn after,
                           uint64_t session);
/* An error reply, now or after commit (use later when an audit record of
 * the refusal was written). */
void broker_error(broker_t *b, request_t *rq, Dx__ErrorCode code, const char *rule_id,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int broker_error_later(broker_t *b, request_t *rq, Dx__ErrorCode code, const char *rule_id,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The reply code for a dx_err. */
Dx__ErrorCode broker_code(int err);

/* Records a decision and sends the refusal after it is committed. */
int broker_refuse(broker_t *b, request_t *rq, const audit_fields_t *f, Dx__ErrorCode code);

/* Answers a chunk or credit for a transfer that is not the member's own
 * ("no such fetch/publish in progress"); event is "read" or "publish". When
 * the id is another member's live transfer, the probe is logged and
 * recorded, but the answer and its timing are the same. */
int broker_no_transfer(broker_t *b, request_t *rq, uint64_t id, const char *event);

/* Adds a transfer session (taking ownership); returns 1 when the limits
 * said no and the request was answered "busy". */
int broker_add_session(broker_t *b, request_t *rq, session_t *s);

/* Looks up f->dataset at f->version (0: the latest) and decides action on
 * it. Returns 0 when allowed, with *e, *d, *latest set and f completed;
 * 1 when refused, recorded and answered; or an error.
 *
 * No probing: the member is first decided on as if the dataset existed at
 * the lowest classification, which depends on nothing stored; a refusal
 * there says why. Past it, a name that does not exist and one whose
 * classification or version the member may not see get the same answer,
 * in the same words (the audit record has the real reason). */
int catalog_decide(broker_t *b, request_t *rq, unsigned action, audit_fields_t *f,
                   dx_decision_t *d, Dx__CatalogEntry **e, uint64_t *latest);

/* Handlers: 0, or an error that undoes the request's writes (the
 * dispatcher then answers with that error if nothing was sent). */
int publish_begin(broker_t *b, request_t *rq);
int publish_chunk(broker_t *b, request_t *rq);
/* The digest of a streamed publish, back from its worker: finish it. */
int publish_hashed(broker_t *b, request_t *rq, prepared_t *job);
void publish_expired(broker_t *b, session_t *s);
/* Queues a staged blob for deletion at the start of the next turn. */
void publish_discard(broker_t *b, uint64_t blob);
/* Deletes the queued blobs, in their own request. */
void publish_collect(broker_t *b);
int fetch_begin(broker_t *b, request_t *rq);
int fetch_more(broker_t *b, request_t *rq);
int catalog_list(broker_t *b, request_t *rq);
int catalog_info(broker_t *b, request_t *rq);
int audit_query(broker_t *b, request_t *rq);
int audit_read(broker_t *b, request_t *rq);
int audit_proof(broker_t *b, request_t *rq);
int audit_consistency(broker_t *b, request_t *rq);
int audit_heads(broker_t *b, request_t *rq);
int admin_reload(broker_t *b, request_t *rq);

/* Handles one decoded request from a member. Returns true when it kept
 * rq->req (handed to a worker); the caller frees it otherwise. */
bool dispatch(broker_t *b, request_t *rq);
/* A publish whose checks came back from a worker. */
void dispatch_prepared(broker_t *b, prepared_t *job);

/* Setup, loop and shutdown (frontend.c). */
int broker_start(broker_t *b, char err[DX_ERRMSG]);
int broker_run(broker_t *b, volatile sig_atomic_t *stop, volatile sig_atomic_t *reload);
void broker_stop(broker_t *b);
/* Loads the policy directory again, for a SIGHUP (rq NULL) or an admin's
 * request, in the current request's transaction: swaps the set in when it
 * loads, keeps the current one when not, and records the attempt either
 * way. diag receives the problems; reason the one-line outcome. */
int broker_load_policy(broker_t *b, const request_t *rq, dx_diag_t *diag, char reason[DX_ERRMSG + 64]);
/* SIGHUP: broker_load_policy in a request of its own, committed. */
int broker_reload(broker_t *b);

#endif
