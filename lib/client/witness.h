/* witness: an agent's memory of the audit log it was shown.
 *
 * Every receipt and fetch reply carries the broker's signed head. The agent
 * keeps the last head it accepted (STATE_DIR/heads/<broker key id>) and
 * accepts a new one only if the broker proves the log grew from it (an
 * RFC 9162 consistency proof): a broker that shows different members
 * different histories (a split view), or rolls its log back, is caught by
 * any member that talked to it before. An older head than the one saved is
 * fine if it is a prefix of it; the saved head stays. */
#ifndef DX_WITNESS_H
#define DX_WITNESS_H

#include "client.h"
#include "err.h"
#include "keys.h"

#include <stdbool.h>
#include <stdint.h>

/* The default state directory: $DX_STATE_DIR, else $HOME/.dx. */
const char *dx_witness_default_dir(char buf[4096]);

/* Checks head (as received) against the saved one and saves it when it
 * extends it. DX_ERR_INTEGRITY for a head that is not signed, or that
 * does not extend (or is not a prefix of) what was seen before. */
int dx_witness(dx_client_t *c, const dx_pubkeys_t *broker, const char *state_dir, const uint8_t *head,
               size_t len, char err[DX_ERRMSG]);

/* Asks the broker for its current head and checks it strictly: a log
 * shorter than the saved head (a restore) or not consistent with it (a
 * fork) is DX_ERR_INTEGRITY, with a line that names the situation and the
 * command that resolves it (dx-agent resync). The service asks before it
 * reads the feed: a cursor past the end of a rolled-back log would skip
 * every version the restored broker numbers again. */
int dx_witness_current(dx_client_t *c, const dx_pubkeys_t *broker, const char *state_dir,
                       char err[DX_ERRMSG]);

typedef struct {
    bool rolled_back;           /* the saved head was not extended: kept as heads/<kept> */
    uint64_t old_size, new_size;
    int64_t old_ms, new_ms;
    char kept[64];
} dx_witness_resync_t;

/* dx-agent resync: accepts the broker's current head after a restore. The
 * old head is kept beside it (heads/<id>.before-<time>), never removed. */
int dx_witness_resync(dx_client_t *c, const dx_pubkeys_t *broker, const char *state_dir,
                      dx_witness_resync_t *out, char err[DX_ERRMSG]);

#endif
