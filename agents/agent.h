/* agent: what the agent service's parts share while it runs.
 *
 *   agent_run.c     the loop: signals, the connection and its backoff,
 *                   inotify on the outboxes, when to scan and to read
 *   agent_outbox.c  publishing what is dropped into an outbox
 *   agent_inbox.c   a subscription: the feed from a cursor, fetches into
 *                   the inbox, delivery receipts
 *   agent_config.c  the config file's service sections
 *
 * Every step that must survive a crash is a rename after an fsync, so the
 * directories always hold a consistent state, and the agent's work is
 * idempotent: after a crash it does again what it cannot prove was done,
 * and the broker answers a retried publish with its first receipt. */
#ifndef DX_AGENT_H
#define DX_AGENT_H

#include "agent_config.h"
#include "client.h"
#include "keys.h"

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#define AGENT_SAID_MAX 64

typedef struct {
    dx_client_t *c;                     /* NULL while there is no connection */
    const dx_keypair_t *me;
    const dx_signer_t *signer;          /* me's signing key (its file's, or its token's) */
    const dx_keypair_t *next;           /* a key rotation: the next key (next_key:), or NULL */
    const dx_signer_t *next_signer;
    const dx_pubkeys_t *broker;
    char state[DX_PATH_MAX];            /* the service's own directory */
    volatile sig_atomic_t *stop;        /* SIGTERM: finish the transfer, then stop */
    struct { dev_t dev; ino_t ino; } said[AGENT_SAID_MAX]; /* refused entries, said once */
    unsigned nsaid;
} agent_link_t;

/* The signer of the key the connection uses now (the next key's, once the
 * broker takes it). */
const dx_signer_t *agent_signer(const agent_link_t *l);

/* Whether the entry (dev, ino) was not refused before in this run: a
 * refusal that is left in place is logged once, not at every scan. */
bool agent_say_once(agent_link_t *l, dev_t dev, ino_t ino);

/* Whether rv means "the broker cannot be talked to now": keep everything
 * and try again later (as opposed to a refusal, which is final). */
bool agent_retry_later(int rv);

#define AGENT_SCAN_MAX 256              /* new files taken per outbox per scan */

/* Publishes what was claimed before (a crash, a lost reply) and up to
 * AGENT_SCAN_MAX new files of o. 0, or an error for which agent_retry_later
 * holds (the rest waits for the next try). *published counts the files. */
int agent_outbox_run(agent_link_t *l, const agent_outbox_t *o, size_t *published);

/* Reads the feed for s from its cursor and delivers every version into its
 * inbox, up to `pages` pages. 0 (with *more when there is more to read), or
 * an error to try again later. */
int agent_inbox_run(agent_link_t *l, const agent_sub_t *s, int pages, size_t *delivered, bool *more);

/* dx-agent resync: every subscription's cursor (in STATE/cursors) goes back
 * to the start, with a mark that makes agent_inbox_run compare each version
 * it holds with the broker's until it has caught up. *n counts them. */
int agent_inbox_recheck_all(const char *state, size_t *n, char err[DX_ERRMSG]);

/* ---- agent_run.c ---- */

/* Runs the service until SIGTERM or SIGINT; rereads config on SIGHUP. */
int agent_run(dx_cli_conn_t *conn, const char *config);

#endif
