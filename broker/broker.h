/* broker: the state of one dx-broker process and what its stages share.
 *
 * A request meets the stages in this order, each in its own file and on
 * its own thread, and never goes back to an earlier one:
 *
 *   intake.c     main thread: the ROUTER socket, ZAP, framing, decoding;
 *                picks the request's command (dispatch.c's table) and sends
 *                it to the job runner when the command has checks, else
 *                straight to the writer; peers.c counts each connection's
 *                requests in flight and holds the replies it cannot take yet
 *   jobs.c       one thread per core: runs a command's checks (for a
 *                publish, publish_check.c: signatures, manifests, hashing)
 *                and passes the request on to the writer
 *   dispatch.c   on the writer thread: membership and role, then the
 *                command's handler (publish.c, fetch.c, catalog.c,
 *                audit_service.c, admin.c), which decides and records
 *   writer.c     the writer thread: the only owner of LMDB write
 *                transactions; it takes waiting requests in turn by member
 *                (fairq.c), and every request it takes in one round shares
 *                one commit (batch.c), fsynced while intake goes on
 *   reply.c      replies leave the writer, now or after their commit, and
 *                intake puts them on the socket
 *
 * Invariants:
 *   - every request is attributed to the member id the ZAP handler gave its
 *     connection, re-checked against the current policy on every request,
 *     with the transport key the connection was opened with;
 *   - a reply that acknowledges a write is sent only after its commit;
 *   - every decision appends an audit record in the same transaction as
 *     what it decided;
 *   - functions return 0 or a negative dx_err; whether a request has been
 *     answered is the request's state (rq->answer), never a return value. */
#ifndef DX_BROKER_BROKER_H
#define DX_BROKER_BROKER_H

#include "audit.h"
#include "batch.h"
#include "content.h"
#include "dx.pb-c.h"
#include "diag.h"
#include "events.h"
#include "keys.h"
#include "options.h"
#include "policy.h"
#include "sessions.h"
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
    uint8_t sign_key[DX_ED25519_LEN];    /* the key the signature was checked with */
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
    uint8_t *out;                /* owned, RQ_SEND: the packed reply, */
    size_t out_len;
    char out_kind;               /* and its kind (REPLY_*) */
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
    uint8_t *plain;              /* one opened chunk (DX_CHUNK_SIZE), the writer's */
    audit_t *audit;
    batch_t *batch;
    sessions_t *sessions;
    feed_subs_t *feed_subs;      /* feed.c: the connections watching the feed */
    int64_t started_ms;
    struct metrics *metrics;     /* metrics.c, NULL when off */
    dx_policy_t *policy;         /* the writer's view of current->policy */
    uint64_t next_blob;
    int64_t next_sweep_ms;       /* retention.c: when the next pass starts */
    bool sweep_active;           /* a pass is under way, from the cursor: */
    char sweep_name[DX_NAME_MAX + 1];
    uint64_t sweep_version;
    uint64_t *discard;           /* staged blobs to delete next round */
    size_t ndiscard, discard_cap;
    /* shared */
    pthread_mutex_t policy_lock;
    held_policy_t *current;
    reload_state_t reload;       /* under policy_lock: the writer sets, status and metrics read */
    hash_lanes_t *lanes;         /* publish_check.c: one lane per job thread */
    struct request stop_request; /* intake -> writer when stopping */
    char endpoint[256];
} broker_t;

void request_free(request_t **rq_p);
reload_state_t broker_reload_state(broker_t *b);

/* What an audit record says, besides who and when. */
typedef struct {
    dx_event_t event;
    const char *action;
    const char *dataset;
    uint64_t version;
    const uint8_t *sha256;        /* 32 bytes or NULL */
    const uint8_t *manifest_sha256; /* 32 bytes or NULL: the signed manifest's */
    const uint8_t *view_sha256;   /* 32 bytes or NULL: a delivered view's */
    const char *purpose;
    bool allow;
    const char *decision;         /* overrides allow/deny: "ok", "error" */
    const char *rule_id;          /* a policy rule's id, or dx_rule_name() */
    const char *reason;
} audit_fields_t;

/* ---- record.c: decisions into the audit log ---- */

/* Appends an audit record for rq (or for the broker itself when rq is NULL)
 * in the current request's transaction. */
int broker_audit(broker_t *b, const request_t *rq, const audit_fields_t *f, uint64_t *seq_out);
/* Records a decision and sends the refusal after it is committed. */
int broker_refuse(broker_t *b, request_t *rq, const audit_fields_t *f, Dx__ErrorCode code);
/* Answers a chunk or credit for a transfer that is not the member's own
 * ("no such fetch/publish in progress"). When the id is another member's
 * live transfer, the probe is logged and recorded, but the answer and its
 * timing are the same. */
int broker_no_transfer(broker_t *b, request_t *rq, uint64_t id, dx_event_t event);
/* Adds a transfer session (taking ownership); when the limits say no, the
 * request is answered "busy" and 0 returned. */
int broker_add_session(broker_t *b, request_t *rq, session_t *s);

/* ---- reply.c: replies, from the writer thread ---- */

/* What a message from the writer to intake is, for the connection's
 * in-flight count (peers.h): its second frame. */
#define REPLY_ANSWER 'A'         /* the first answer to a request */
#define REPLY_MORE 'M'           /* a notification, or a second answer */
#define REPLY_NONE 'N'           /* no message: the request ended unanswered by design */

/* A request that ends without a reply (credit past a view's end): intake
 * is told, so that it no longer counts it in flight. */
void broker_reply_none(broker_t *b, request_t *rq);
/* Sends an unsolicited message (id 0) to a connection now. */
void broker_send_to(broker_t *b, const uint8_t *identity, size_t identity_len, Dx__Reply *reply);
/* Sends reply now (for replies that acknowledge no write), from the
 * thread that runs rq. */
void broker_reply(broker_t *b, request_t *rq, Dx__Reply *reply);
/* A reader lane: sends what the writer sent back (RQ_SEND) on r's socket. */
void broker_reply_forward(broker_t *b, struct reader *r, request_t *rq);
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
/* Runs after(b, session, status) once the current request's writes are
 * durable or undone; when undone, the request is also answered with the
 * storage error (it may have had a reply already: a chunk's credit). */
int broker_after_commit(broker_t *b, request_t *rq, broker_after_fn after, uint64_t session);
/* An error reply, now or after commit (use later when an audit record of
 * the refusal was written). */
void broker_error(broker_t *b, request_t *rq, Dx__ErrorCode code, const char *rule_id,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int broker_error_later(broker_t *b, request_t *rq, Dx__ErrorCode code, const char *rule_id,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The reply code for a dx_err. */
Dx__ErrorCode broker_code(int err);
/* Packs an error reply to request id `id` (for intake, which answers
 * frames it cannot decode on its own socket). */
int broker_pack_error(uint64_t id, Dx__ErrorCode code, const char *msg, uint8_t **data, size_t *len);

/* ---- catalog.c ---- */

/* Looks up f->dataset at f->version (0: the latest) and decides action on
 * it. Returns 0 with *e set when allowed (and *d, *latest, f completed),
 * 0 with *e NULL when refused (recorded and answered), or an error.
 *
 * No probing: the member is first decided on as if the dataset existed at
 * the lowest classification, which depends on nothing stored; a refusal
 * there says why. Past it, a name that does not exist and one whose
 * classification or version the member may not see get the same answer,
 * in the same words (the audit record has the real reason). */
int catalog_decide(broker_t *b, request_t *rq, unsigned action, audit_fields_t *f,
                   dx_decision_t *d, Dx__CatalogEntry **e, uint64_t *latest);

/* ---- handlers (writer thread): 0, or an error that undoes the request's
 * writes (dispatch then answers with it if the request is still open) ---- */
int publish_begin(broker_t *b, request_t *rq);
int publish_chunk(broker_t *b, request_t *rq);
void publish_expired(broker_t *b, session_t *s);
/* Queues a staged blob for deletion at the start of the next round. */
void publish_discard(broker_t *b, uint64_t blob);
/* Deletes the queued blobs, in their own request. */
void publish_collect(broker_t *b);
int fetch_begin(broker_t *b, request_t *rq);
/* A FetchMore on a reader: the next message of the member's fetch. */
int fetch_read(broker_t *b, request_t *rq);
/* A FetchMore the reader left open: not the member's transfer. */
int fetch_more(broker_t *b, request_t *rq);
int catalog_list(broker_t *b, request_t *rq);
int catalog_info(broker_t *b, request_t *rq);
int audit_query(broker_t *b, request_t *rq);
int audit_read(broker_t *b, request_t *rq);
int audit_proof(broker_t *b, request_t *rq);
int audit_consistency(broker_t *b, request_t *rq);
int audit_policy(broker_t *b, request_t *rq);
int audit_heads(broker_t *b, request_t *rq);
int admin_reload(broker_t *b, request_t *rq);
int admin_status(broker_t *b, request_t *rq);
/* A feed page on a reader; the subscription and the record are staged. */
int feed_read(broker_t *b, request_t *rq);
int delivery_receipt(broker_t *b, request_t *rq);
int deliveries_query(broker_t *b, request_t *rq);

/* ---- erase.c, retention.c ---- */

/* Who erases, and why: a member (rule_id "role-admin") or the broker
 * itself (rule_id "retention"). */
typedef struct {
    int64_t now_ms;
    const char *by;
    const char *reason;
    const char *rule_id;
} eraser_t;

/* The key slots of the versions erased in the current request: they are
 * destroyed once it commits (content_keys_destroy_after). */
typedef struct {
    uint32_t *slots;
    size_t n, cap;
} erase_slots_t;

/* Erases e (not yet erased) in the current request's transaction: chunks,
 * key slot row, the entry marked, the audit record (rq NULL: the broker's
 * own). e is left as it was. */
int erase_version(broker_t *b, const request_t *rq, Dx__CatalogEntry *e, const eraser_t *who,
                  erase_slots_t *slots, uint64_t *seq);
int erase_request(broker_t *b, request_t *rq);
int admin_rotate_master_key(broker_t *b, request_t *rq);
/* Erases what the namespaces' retention periods say is due, in bounded
 * steps (writer thread, between rounds). */
void retention_sweep(broker_t *b, int64_t now_ms);

/* ---- feed.c ---- */

/* A version was committed under the publish record seq: into the feed, in
 * the current request's transaction, and watching connections are told
 * once it is durable. */
int feed_committed(broker_t *b, uint64_t seq, const char *name, uint64_t version, int classification,
                   bool erased);
void feed_subs_destroy(feed_subs_t **fs_p);
/* Subscriptions held now. */
size_t feed_subs_count(const feed_subs_t *fs);

/* ---- deliveries.c ---- */

/* rq's member was sent name@version, whose bytes hash to sha (the content,
 * or the filtered view), under the read record read_seq. */
int broker_delivery_sent(broker_t *b, const request_t *rq, const char *name, uint64_t version,
                         const uint8_t sha[DX_SHA256_LEN], const char *purpose, bool filtered,
                         uint64_t read_seq);
/* rq's member was refused a view of name@version mid-way (record read_seq):
 * a row with the reason, for the publisher. */
int broker_delivery_refused(broker_t *b, const request_t *rq, const char *name, uint64_t version,
                            const char *purpose, const char *reason, uint64_t read_seq);

/* ---- broker.c: set-up, policy, shutdown ---- */

/* Checks the options, loads keys and policy, opens the store and the audit
 * log, and starts the writer and the job runner. */
int broker_start(broker_t *b, char err[DX_ERRMSG]);
void broker_stop(broker_t *b);
/* --check-config: prints the settings in effect and checks the key file and
 * the policy set; 0 when the broker would start with them, else 1. */
int broker_check_config(const broker_config_t *cfg, FILE *out);
/* The current policy set, held until broker_policy_release (any thread). */
held_policy_t *broker_policy_hold(broker_t *b);
void broker_policy_release(broker_t *b, held_policy_t **hp);
/* Loads the policy directory again, for a SIGHUP (rq NULL) or an admin's
 * request, in the current request's transaction (writer thread): swaps the
 * set in when it loads, keeps the current one when not, and records the
 * attempt either way. diag receives the problems; reason the outcome. */
int broker_load_policy(broker_t *b, const request_t *rq, const char *signal_by, dx_diag_t *diag,
                       char reason[DX_ERRMSG + 64]);
/* An audit record of the broker's own, in a request of its own. */
int broker_system_record(broker_t *b, dx_event_t event, const char *reason);

/* ---- intake.c: the main thread's loop, until *stop ---- */
int intake_run(broker_t *b, volatile sig_atomic_t *stop, volatile sig_atomic_t *reload);
/* Puts the writer's last replies on the socket, once it has stopped. */
void intake_flush(broker_t *b);

/* ---- writer.c ---- */
int writer_start(broker_t *b);
/* Hands rq to the writer (intake thread), or returns DX_ERR_BUSY (its
 * queue is full) or DX_ERR_INTERNAL and leaves rq the caller's. */
int writer_submit(broker_t *b, void *push, request_t *rq);
/* Tells the writer to stop after what it has and waits for it. */
void writer_stop(broker_t *b);

#endif
