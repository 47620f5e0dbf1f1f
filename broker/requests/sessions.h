/* sessions: transfers in progress (chunked publishes and fetches).
 *
 * A session belongs to the member that opened it; its id is random, so one
 * member cannot guess or use another's. Each session keeps what was decided
 * when it started (the manifest, the deciding rule and its fields), so a
 * policy reload does not change a transfer half-way. Limits: a total and a
 * per-member count; idle sessions expire.
 *
 * The table is shared by the writer (which adds sessions, runs publishes
 * and expires idle ones) and the readers (which stream fetches): it has a
 * lock of its own. A fetch session is claimed by the reader that streams
 * its next message and is not touched by anyone else meanwhile; a claimed
 * session does not expire. Its fields are its holder's: the writer's
 * until the fetch begins (the id is secret until FetchReady leaves), then
 * the claimer's. */
#ifndef DX_BROKER_SESSIONS_H
#define DX_BROKER_SESSIONS_H

#include "content.h"
#include "crypto.h"
#include "dx.pb-c.h"
#include "filter.h"
#include "names.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum { SESSION_PUBLISH = 1, SESSION_FETCH = 2 } session_kind_t;

/* Chunks a publisher may have sent past the last one acknowledged (the
 * window it is given is smaller). */
#define SESSION_HOLD 64

typedef struct session {
    uint64_t id;
    session_kind_t kind;
    char member[DX_ID_MAX + 1];
    int64_t last_active_ms;
    bool busy;                   /* a commit of this session is in flight */
    bool claimed;                /* a reader streams it now (under the table's lock) */

    /* publish */
    uint8_t *manifest;           /* the signed bytes */
    size_t manifest_len;
    uint8_t signature[DX_SIG_LEN];
    uint8_t signer_key[DX_ED25519_LEN]; /* the publisher's key that signed it */
    uint8_t manifest_sha256[DX_SHA256_LEN];
    Dx__Manifest *m;             /* parsed manifest */
    uint64_t blob;
    uint32_t next_index;
    uint64_t received;
    bool staged;                 /* chunks are in the store's staging area */
    uint32_t writing;            /* content pool: chunk writes not yet answered */
    uint32_t acked;              /* content pool: chunks acknowledged, in order; */
    struct request *held[SESSION_HOLD]; /* and those written but not yet, by index */
    struct request *final;       /* content pool: the last chunk, parked until they are */
    int write_rv;                /* content pool: the first write that failed */
    content_key_t key;           /* publish: from the first staged chunk;
                                  * fetch: the version's, while it streams */
    char reason[256];            /* the decision's reason, for the audit */

    /* fetch */
    Dx__CatalogEntry *entry;
    uint32_t next_chunk;         /* of the stored content */
    uint32_t next_message;       /* FetchData index: a view is re-chunked */
    bool finished;
    dx_filter_t *filter;         /* NULL: original bytes */
    dx_buf_t view_out;           /* filtered bytes not yet sent */
    bool source_done;            /* the filter has seen the whole content */
    dx_sha256_t *view_hash;
    uint64_t view_size;
    char rule_id[DX_PURPOSE_MAX + 1];
    char purpose[DX_PURPOSE_MAX + 1];
    int field_mode;
    char **fields;
    size_t nfields;
} session_t;

typedef struct sessions sessions_t;

int sessions_new(size_t max_total, size_t max_per_member, sessions_t **out);
/* Frees every session. */
void sessions_destroy(sessions_t **s_p);

/* Takes ownership of s and gives it a fresh id. DX_ERR_BUSY over a limit
 * (s is then freed). */
int sessions_add(sessions_t *ss, session_t *s);
/* The session with this id, if it belongs to member (NULL: anyone's):
 * for the writer, whose publish sessions are its own. */
session_t *sessions_get(sessions_t *ss, uint64_t id, const char *member);
/* Whether member has a session of this kind with this id. */
bool sessions_has(sessions_t *ss, uint64_t id, const char *member, session_kind_t kind);
/* A reader takes member's fetch session with this id: CLAIM_OK (*out is
 * the claimer's until sessions_unclaim or sessions_remove), CLAIM_BUSY (it
 * is finished, or claimed: credit past its end), CLAIM_NONE (no such
 * fetch of member's). */
typedef enum { CLAIM_OK = 0, CLAIM_BUSY, CLAIM_NONE } claim_t;
claim_t sessions_claim(sessions_t *ss, uint64_t id, const char *member, session_t **out);
void sessions_unclaim(sessions_t *ss, session_t *s);
/* Whether a session with this id exists and belongs to another member than
 * this one: a member naming another's transfer is probing. */
bool sessions_foreign(sessions_t *ss, uint64_t id, const char *member);
/* The publish session for (publisher, nonce), if any. */
session_t *sessions_find_nonce(sessions_t *ss, const char *publisher, const uint8_t nonce[16]);
void sessions_remove(sessions_t *ss, uint64_t id);
size_t sessions_count(sessions_t *ss);

/* Calls fn for each session idle since before cutoff, then removes it. */
typedef void (*sessions_fn)(void *arg, session_t *s);
void sessions_expire(sessions_t *ss, int64_t cutoff_ms, sessions_fn fn, void *arg);

session_t *session_new(session_kind_t kind, const char *member, int64_t now_ms);
void session_free(session_t *s);

#endif
