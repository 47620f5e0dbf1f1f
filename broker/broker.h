/* broker: the types every stage of one dx-broker process shares, and
 * nothing else (each module's functions are in its own header).
 *
 * broker/ is grouped as a request meets it:
 *
 *   stages/    the threads and the hand-offs between them: intake (main
 *              thread: ROUTER, ZAP, framing; peers, handshakes), jobs (the
 *              checks' lanes), readers (what only reads the store, each in
 *              its own read transaction), writer (every write transaction,
 *              requests in turn by member: fairq), dispatch (the command
 *              table and the refusals every command shares), request (a
 *              request's end), start (set-up and shutdown)
 *   requests/  one file per kind of request: publish (and its checks),
 *              fetch, catalog, feed, deliveries, erase, retention,
 *              admin_service, audit_service; sessions, cursor
 *   commit/    what makes a decision durable and answers it: record (the
 *              audit record), staged (what a reader leaves for the
 *              writer), batch (group commit), audit, content (sealed
 *              chunks), reply, the policy set in force (policy_set) and
 *              its reload
 *   filter/    the field filter (CSV, JSON Lines)
 *   ops/       options, metrics, notify
 *
 * A file takes functions only from files after it in that order of flow
 * (stages -> requests -> commit -> filter, ops): no circle of includes or
 * calls (tests/tools/layout.py checks it in make test).
 *
 * Invariants:
 *   - every request is attributed to the member id the ZAP handler gave its
 *     connection, re-checked against the current policy on every request,
 *     with the transport key the connection was opened with;
 *   - a reply that acknowledges a write is sent only after its commit;
 *   - every decision appends an audit record in the same transaction as
 *     what it decided, and it commits before the data it allowed leaves;
 *   - functions return 0 or a negative dx_err; whether a request has been
 *     answered is the request's state (rq->answer), never a return value. */
#ifndef DX_BROKER_BROKER_H
#define DX_BROKER_BROKER_H

#include "checkpoint.h"
#include "crypto.h"
#include "dx.pb-c.h"
#include "diag.h"
#include "events.h"
#include "keys.h"
#include "options.h"
#include "policy.h"
#include "store.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct jobs jobs_t;
typedef struct hash_lanes hash_lanes_t;
typedef struct feed_subs feed_subs_t;
typedef struct vault vault_t;
typedef struct audit audit_t;
typedef struct batch batch_t;
typedef struct sessions sessions_t;
typedef struct group group_t;

/* The policy set in force, shared by intake (ZAP, the keys a check uses)
 * and the writer (decisions, reloads): immutable once loaded, freed when
 * the last holder lets go. */
typedef struct held_policy {
    dx_policy_t *policy;
    int64_t loaded_ms;           /* when it was loaded; set before it is shared */
    int refs;                    /* under broker_t.policy_lock */
} held_policy_t;

#define BROKER_IDENTITY_MAX 256

/* What a request's checks found (publish_check.c), before the writer. */
typedef struct {
    bool ran;
    uint8_t sign_keys[2][DX_ED25519_LEN]; /* the member's keys in force (two in a rotation), */
    size_t nsign_keys;                   /* set by intake before the check */
    uint8_t sign_key[DX_ED25519_LEN];    /* the key that verified (or the first tried) */
    int verified;                        /* 0, or DX_ERR_INTEGRITY */
    Dx__Manifest *manifest;              /* parsed after the signature checked */
    int manifest_rv;
    char manifest_err[DX_ERRMSG];
    uint8_t manifest_sha[DX_SHA256_LEN];
    bool inline_matches;                 /* inline content has the manifest's size and hash */
    int hash_rv;                         /* a chunk: 0, or why the running hash failed */
    int format_rv;                       /* 0, or the content is not the CSV/JSONL it claims: */
    char format_why[DX_ERRMSG];          /* "line 3: ..." */
    uint8_t digest[DX_SHA256_LEN];       /* the last chunk: the content's SHA-256 */
} check_t;

typedef enum {
    RQ_OPEN = 0,                 /* not answered yet */
    RQ_ANSWERED,                 /* a reply left, or waits for the commit */
} answer_t;

typedef enum {
    RQ_MEMBER = 0,               /* a member's request */
    RQ_RELOAD,                   /* SIGHUP: reload the policy set */
    RQ_HANDSHAKE,                /* intake: refused handshakes to record (handshakes.h) */
    RQ_SEND,                     /* writer -> a reader: a reply to send after the commit */
    RQ_STOP,                     /* the broker is stopping */
} request_kind_t;

struct reader;
struct staged;

struct command;

/* One request, owned by whichever stage holds its pointer. */
typedef struct request {
    request_kind_t kind;
    uint8_t identity[BROKER_IDENTITY_MAX];
    size_t identity_len;
    char member_id[DX_ID_MAX + 1];
    uint8_t transport_key[32];   /* the CURVE key the connection was opened with */
    bool has_transport_key;
    const dx_member_t *member;   /* in the current policy; set by dispatch */
    Dx__Request *req;            /* owned */
    const struct command *cmd;
    size_t cmd_index;            /* its row in dispatch's table (metrics) */
    int64_t now_ms;
    size_t frame_len;            /* bytes received */
    int64_t received_us;         /* when intake took it (monotonic) */
    bool refused;                /* answered with an error */
    answer_t answer;
    check_t check;
    struct request *next;        /* the writer's queue (fairq.c) */
    char *note;                  /* owned: RQ_RELOAD, who sent SIGHUP; RQ_HANDSHAKE, the record's reason */
    const dx_policy_t *policy;   /* the set it is decided under (held while it is) */
    struct reader *reader;       /* while a reader runs it (reader.h); NULL on the writer */
    struct staged *staged;       /* owned: what a reader left for the writer to commit */
    bool again;                  /* a reader did a bounded turn of it: more to do, on that lane */
    uint8_t *out;                /* owned, RQ_SEND: the packed reply, */
    size_t out_len;
    char out_kind;               /* its kind (REPLY_*), */
    uint64_t ends;               /* and the fetch it ends (its reader removes it), or 0 */
    /* content-store rados (commit/objects.h): a request whose chunk is
     * being written is parked on the writer until RADOS answers, then run
     * again with the answer */
    bool parked;                 /* the writer holds it aside: not freed after its turn */
    bool resumed;                /* run again after its write: pool_rv says how it went */
    int pool_rv;
    uint64_t wrote_blob;         /* its write in flight was of this blob (0: none) */
    uint8_t *sealed;             /* owned: an inline chunk sealed, written after its intent commits */
    size_t sealed_len;
    uint32_t sealed_slot;        /* and its key slot */
} request_t;

/* The last reload, for health (status, metrics). */
typedef struct {
    int64_t at_ms;               /* 0: none since the start */
    bool ok;
    char by[96];                 /* a member id, or "SIGHUP from pid N (uid U)" */
    bool refused_hashed;
    uint8_t refused_sha256[DX_SHA256_LEN]; /* the set refused, when it could be read */
    char refused_reason[256];
    uint64_t loaded, refused;    /* since the start */
} reload_state_t;

typedef struct broker {
    broker_config_t cfg;
    dx_keypair_t key;
    dx_signer_t *signer;         /* key.sign_secret, as a long-lived OpenSSL key */
    char origin[DX_ORIGIN_MAX + 1];
    uint8_t cursor_key[32];      /* cursor.h: sealed continuation tokens */
    void *zctx;
    /* intake's */
    void *router;
    void *router_events;         /* PAIR: the router's monitor (metrics only) */
    void *zap;
    void *to_writer;             /* PUSH: requests for the writer */
    void *from_writer;           /* PULL: replies to put on the socket */
    struct peers *peers;         /* peers.h: requests in flight, replies held, per connection */
    struct handshakes *handshakes; /* handshakes.h: refused ones, counted for the log */
    jobs_t *jobs;
    jobs_t *readers;             /* readers.h: what only reads the store, */
    struct readers_state *reading; /* and its lanes' state */
    /* the writer's */
    struct jobs_return *back;    /* to the reader lanes (RQ_SEND), the writer thread's */
    pthread_t writer;
    bool writer_running;
    void *inbox;                 /* PULL: requests, from intake and the jobs */
    struct fairq *waiting;       /* taken off the inbox, waiting their turn */
    void *outbox;                /* PUSH: replies, to intake */
    store_t *store;
    vault_t *vault;              /* content keys (lib/store/vault.h) */
    struct pool *pool;           /* content-store rados (lib/store/pool.h); NULL: chunks in LMDB */
    struct objects *objects;     /* commit/objects.h: the writer's RADOS work in flight */
    group_t *group;              /* journal rados (group/group.h); NULL: a broker alone */
    struct tsa *tsa;             /* ops/tsa.h: trusted timestamps; NULL: no --tsa-url */
    bool standby;                /* intake answers every request "standby" (intake_run_standby) */
    audit_t *audit;
    batch_t *batch;
    sessions_t *sessions;        /* sessions.h: transfers, shared with the readers */
    feed_subs_t *feed_subs;      /* feed.h: the connections watching the feed */
    int64_t started_ms;
    struct metrics *metrics;     /* metrics.c, NULL when off */
    dx_policy_t *policy;         /* the writer's view of current->policy */
    struct retention *retention; /* retention.h: the sweep's place */
    struct publishing *publishing; /* publish.h: blob numbers, staged blobs to delete */
    /* shared */
    pthread_mutex_t policy_lock;
    held_policy_t *current;
    reload_state_t reload;       /* under policy_lock: the writer sets, status and metrics read */
    hash_lanes_t *lanes;         /* publish_check.c: one lane per job thread */
    struct request stop_request; /* intake -> writer when stopping */
    char endpoint[256];
} broker_t;


/* What an audit record says, besides who and when. */
typedef struct {
    dx_event_t event;
    const char *action;
    const char *dataset;
    uint64_t version;
    const uint8_t *sha256;        /* 32 bytes or NULL */
    const uint8_t *manifest_sha256; /* 32 bytes or NULL: the signed manifest's */
    const uint8_t *view_sha256;   /* 32 bytes or NULL: a delivered view's */
    const uint8_t *signer_key;    /* 32 bytes or NULL: the member's key that signed */
    const char *purpose;
    bool allow;
    const char *decision;         /* overrides allow/deny: "ok", "error" */
    const char *rule_id;          /* a policy rule's id, or dx_rule_name() */
    const char *reason;
    uint64_t bytes;               /* AuditRecord.bytes: content that crossed */
    bool filtered;                /* a read that releases a filtered view */
} audit_fields_t;

#endif
