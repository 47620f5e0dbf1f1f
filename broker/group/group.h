/* group: a broker group on RADOS (journal rados; DESIGN §10). The lease
 * holder is active: every commit of its store goes to the journal first
 * (lib/store/journal.h), through the store's journal hook. The others are
 * standbys: they answer every request with "standby" (intake.c) and apply
 * the journal to their own store, checking every signed head against the
 * records they applied, until the lease is theirs; then they fence the old
 * epoch, apply the rest, and start as the active. */
#ifndef DX_GROUP_H
#define DX_GROUP_H

#include "broker.h"
#include "dx.pb-c.h"

#include <signal.h>

/* Opens the store and the vault without writing them, where the journal
 * left them, and checks the store's audit log. */
int group_open(broker_t *b, char err[DX_ERRMSG]);
/* One standby turn (intake calls it about ten times a second): applies
 * what the journal holds, and tries the lease. 1: the lease is ours, the
 * journal applied to its end and fenced, the store's journal hook set:
 * start as the active. 0: still a standby; 2: still catching up (call
 * again at once). Else an error that stops the
 * broker (a journal that does not check), with err. */
int group_standby_turn(broker_t *b, char err[DX_ERRMSG]);
/* Role, epoch, position and lag for status replies. */
void group_status(broker_t *b, Dx__BrokerStatus *st);
/* The same for the metrics, from any thread. */
typedef struct {
    bool active;
    uint64_t epoch, position, lag_entries;
    int64_t behind_ms;            /* since when a standby is behind; 0: caught up */
    uint64_t appends, append_failures, applied;
} group_gauges_t;
void group_gauges(const broker_t *b, group_gauges_t *out);
/* "standby; the active broker is tcp://..." */
const char *group_standby_message(broker_t *b);
/* True once this broker lost its lease or was fenced: it acknowledges
 * nothing more. */
bool group_fenced(const broker_t *b);
/* A clean stop: the renewals end and the lease is let go, so that a
 * standby takes over at once. */
void group_stop(broker_t *b);
void group_free(broker_t *b);

#endif
