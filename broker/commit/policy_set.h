/* policy_set: the policy set in force, shared by every stage.
 *
 * intake (ZAP, the keys a check uses), the readers and the metrics thread
 * hold it while they use it; the writer swaps a new one in on a reload and
 * keeps its own view (broker_t.policy). A set is immutable once loaded and
 * freed when its last holder lets go. The last reload's outcome is kept
 * here too, for status and metrics. */
#ifndef DX_BROKER_POLICY_SET_H
#define DX_BROKER_POLICY_SET_H

#include "broker.h"

/* The current set, held until policy_set_release (any thread). */
held_policy_t *policy_set_hold(broker_t *b);
void policy_set_release(broker_t *b, held_policy_t **hp);
/* Makes p (taken) the set in force (writer thread, or before it starts). */
int policy_set_swap(broker_t *b, dx_policy_t *p);
/* Logs what a load found. */
void policy_set_log_diag(const dx_diag_t *diag);
/* The last reload (any thread), and noting one (writer). */
reload_state_t policy_set_reload_state(broker_t *b);
void policy_set_note_reload(broker_t *b, const char *by, bool ok, const dx_diag_t *diag);
/* Keeps the set in force by its hash, in the current request's
 * transaction: an auditor can print any set a record names (dx-audit
 * policy). */
int policy_set_archive(broker_t *b);

#endif
