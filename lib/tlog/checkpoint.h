/* checkpoint: signed tree heads of the audit log, as C2SP checkpoints in
 * signed-note form (https://c2sp.org/tlog-checkpoint, c2sp.org/signed-note),
 * so that tools other than dx can verify them:
 *
 *   dx/broker                                   origin (the log's name)
 *   4096                                        tree size
 *   G5nTXo7cCGBK0Y/5fIghJTpTqGlIkp1cCtGBxkXhQ3c=   base64 root hash
 *   time 2026-11-28T11:39:26.123Z               extension line (dx): when signed
 *   leaf 3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=   extension line (dx): the
 *                                               last record's leaf hash
 *                                               empty line
 *   — dx/broker AbCdEf...                       base64(key id[4] || Ed25519 sig)
 *
 * The signature covers the text above the empty line, newline included,
 * with no other prefix; the key id is the first four bytes of
 * SHA-256(name || "\n" || 0x01 || public key). A verifier key in the
 * signed-note "vkey" form is "name+hex(key id)+base64(0x01 || public key)". */
#ifndef DX_CHECKPOINT_H
#define DX_CHECKPOINT_H

#include "crypto.h"
#include "err.h"
#include "merkle.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DX_CHECKPOINT_MAX 2048
#define DX_ORIGIN_MAX 128

typedef struct {
    char origin[DX_ORIGIN_MAX + 1];
    uint64_t size;
    dx_hash_t root;
    int64_t time_ms;
    bool has_leaf;
    dx_hash_t leaf;               /* the last record's leaf hash, if size > 0 */
} dx_checkpoint_t;

/* The signed-note layer: sign text (which must end in a newline) as name;
 * open a note, checking a signature by name's key, and return the length
 * of its text. */
int dx_note_sign(const char *name, const dx_signer_t *signer, const char *text, size_t text_len,
                 char *out, size_t cap, size_t *len);
int dx_note_open(const char *note, size_t len, const char *name, const uint8_t pub[DX_ED25519_LEN],
                 size_t *text_len);

/* The signed note text, NUL-terminated, in out (at most
 * DX_CHECKPOINT_MAX bytes). */
int dx_checkpoint_sign(const dx_checkpoint_t *c, const dx_signer_t *signer,
                       char out[DX_CHECKPOINT_MAX + 1], size_t *len);
/* Checks that text is a checkpoint signed by pub under its own origin, and
 * parses it. */
int dx_checkpoint_open(const char *text, size_t len, const uint8_t pub[DX_ED25519_LEN],
                       dx_checkpoint_t *out, char err[DX_ERRMSG]);
/* "name+hex(key id)+base64(0x01 || key)". */
void dx_checkpoint_vkey(const char *name, const uint8_t pub[DX_ED25519_LEN], char out[256]);
/* A valid origin, exactly as signed-note allows key names: 1..DX_ORIGIN_MAX
 * bytes of UTF-8 without Unicode spaces, '+' or control characters. */
bool dx_origin_valid(const char *origin);

#endif
