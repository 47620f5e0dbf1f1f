/* handshakes: refused CURVE handshakes, for the audit log, aggregated so
 * that a flood cannot fill it.
 *
 * Intake's ZAP handler refuses a key that is not a current member's (an
 * unknown key, a revoked or expired member). Per key and clock minute the
 * first refusal is recorded at once (at most HANDSHAKE_FIRSTS_MAX keys a
 * minute), and the rest of that minute's refusals of the key in one record
 * when the minute is over; keys past HANDSHAKE_KEYS_MAX in a minute are
 * counted together in one record. So a key nobody admits costs the log at
 * most two records a minute, and any flood at most
 * HANDSHAKE_FIRSTS_MAX + HANDSHAKE_KEYS_MAX + 1. Intake owns it; the
 * records themselves are written by the writer (RQ_HANDSHAKE). */
#ifndef DX_BROKER_HANDSHAKES_H
#define DX_BROKER_HANDSHAKES_H

#include "names.h"

#include <stdbool.h>
#include <stdint.h>

#define HANDSHAKE_KEYS_MAX 256
#define HANDSHAKE_FIRSTS_MAX 64
#define HANDSHAKE_NOTE_MAX 400

typedef struct handshakes handshakes_t;

/* What one record says: whose key it was (a member id, "" when unknown)
 * and the reason, with the key, the address, the count and the times. */
typedef struct {
    char member[DX_ID_MAX + 1];
    char text[HANDSHAKE_NOTE_MAX];
} handshake_note_t;

int handshakes_new(handshakes_t **out);
void handshakes_free(handshakes_t **h_p);

/* A refusal of key (32 bytes, NULL when the mechanism gave none) from
 * address: true when it is recorded now, with *note filled. */
bool handshakes_refused(handshakes_t *h, int64_t now_ms, const uint8_t *key, const char *member,
                        const char *why, const char *address, handshake_note_t *note);

/* Once the minute of the counts is over (or always, with force): calls fn
 * with each summary still to record, and starts a new minute. */
typedef void (*handshake_note_fn)(void *arg, const handshake_note_t *note);
void handshakes_flush(handshakes_t *h, int64_t now_ms, bool force, handshake_note_fn fn, void *arg);

#endif
