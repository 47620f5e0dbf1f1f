/* witness: saved heads and consistency checks for agents. */
#include "witness.h"
#include "checkpoint.h"
#include "dxtime.h"
#include "encode.h"
#include "fileio.h"
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *dx_witness_default_dir(char buf[4096])
{
    const char *dir = getenv("DX_STATE_DIR"), *home = getenv("HOME");
    if (dir && dir[0])
        snprintf(buf, 4096, "%s", dir);
    else if (home && home[0])
        snprintf(buf, 4096, "%s/.dx", home);
    else
        snprintf(buf, 4096, ".dx");
    return buf;
}

/* STATE_DIR/heads/<first 8 bytes of SHA-256(broker sign key), hex>: the
 * heads directory held open in *heads (never through a link), what a
 * killed process left in it removed, the file's name in name. */
static int s_open(const char *dir, const dx_pubkeys_t *broker, int *heads, char name[17],
                  char err[DX_ERRMSG])
{
    uint8_t h[DX_SHA256_LEN];
    int state = -1;
    dx_sha256(broker->sign, DX_ED25519_LEN, h);
    dx_hex_encode(h, 8, name);
    int rv = dx_dir_open(dir, 0700, &state);
    if (rv == 0)
        rv = dx_subdir_open(state, "heads", 0700, heads);
    if (state >= 0)
        close(state);
    if (rv != 0) {
        snprintf(err, DX_ERRMSG, "cannot open the state directory %s/heads: %s", dir,
                 rv == DX_ERR_INVALID ? "it is a link, not a directory, or not this user's"
                                      : strerror(errno));
        return DX_ERR_IO;
    }
    dx_remove_stale_temps(*heads);
    return 0;
}

static int s_save(int heads, const char *dir, const char *name, const uint8_t *text, size_t len,
                  char err[DX_ERRMSG])
{
    int rv = dx_write_atomic_at(heads, name, text, len, 0600);
    if (rv != 0)
        snprintf(err, DX_ERRMSG, "cannot save the broker's head in %s/heads/%s: %s", dir, name,
                 strerror(errno));
    return rv;
}

/* Asks for the proof that the log of `old` records is a prefix of the log
 * of `size` records, and checks it with the two roots the agent holds. */
static int s_consistent(dx_client_t *c, const dx_checkpoint_t *older, const dx_checkpoint_t *newer,
                        char err[DX_ERRMSG])
{
    Dx__Request req = DX__REQUEST__INIT;
    Dx__AuditConsistencyRequest cr = DX__AUDIT_CONSISTENCY_REQUEST__INIT;
    Dx__Reply *reply = NULL;
    cr.old_size = older->size;
    cr.new_size = newer->size;
    req.body_case = DX__REQUEST__BODY_AUDIT_CONSISTENCY;
    req.audit_consistency = &cr;
    int rv = dx_client_call(c, &req, &reply, err);
    if (rv == DX_ERR_NOT_FOUND)
        rv = DX_ERR_INTEGRITY; /* its log is shorter than a head it signed */
    if (rv == 0 && reply->body_case != DX__REPLY__BODY_AUDIT_CONSISTENCY)
        rv = DX_ERR_PROTOCOL;
    if (rv == 0) {
        const ProtobufCBinaryData *p = &reply->audit_consistency->proof;
        dx_hash_t empty;
        dx_merkle_empty(empty);
        if (dx_merkle_verify_consistency(older->size, newer->size, older->size ? older->root : empty,
                                         newer->root, (const dx_hash_t *)p->data,
                                         p->len / DX_HASH_LEN) != 0)
            rv = DX_ERR_INTEGRITY;
    }
    wire_reply_free(&reply);
    return rv;
}

int dx_witness(dx_client_t *c, const dx_pubkeys_t *broker, const char *state_dir, const uint8_t *head,
               size_t len, char err[DX_ERRMSG])
{
    char name[17], why[DX_ERRMSG], *saved_text = NULL;
    size_t saved_len = 0;
    dx_checkpoint_t now, seen;
    int heads = -1, rv;
    if (len == 0 || dx_checkpoint_open((const char *)head, len, broker->sign, &now, why) != 0) {
        snprintf(err, DX_ERRMSG, "the broker's reply carries no valid signed head of its audit log%s%s",
                 len ? ": " : "", len ? why : "");
        return DX_ERR_INTEGRITY;
    }
    if ((rv = s_open(state_dir, broker, &heads, name, err)) != 0)
        return rv;
    rv = dx_read_small_file_at(heads, name, DX_CHECKPOINT_MAX, &saved_text, &saved_len);
    if (rv == DX_ERR_NOT_FOUND) {
        rv = s_save(heads, state_dir, name, head, len, err); /* the first head this agent sees */
        goto out;
    }
    if (rv != 0 || dx_checkpoint_open(saved_text, saved_len, broker->sign, &seen, why) != 0) {
        snprintf(err, DX_ERRMSG, "the saved head %s/heads/%s cannot be read or does not verify; "
                 "remove it to start witnessing afresh", state_dir, name);
        rv = DX_ERR_IO;
        goto out;
    }
    bool extends = now.size >= seen.size;
    if (now.size == seen.size)
        rv = dx_equal(now.root, seen.root, DX_HASH_LEN) ? 0 : DX_ERR_INTEGRITY;
    else
        rv = extends ? s_consistent(c, &seen, &now, err) : s_consistent(c, &now, &seen, err);
    if (rv == DX_ERR_INTEGRITY) {
        char t[DX_TIME_TEXT];
        dx_time_format(seen.time_ms, t);
        snprintf(err, DX_ERRMSG,
                 "the broker showed an audit log of %llu records that is not consistent with the "
                 "log of %llu records it signed at %s (saved in %s/heads/%s): a split view or a "
                 "rewritten history; refusing", (unsigned long long)now.size,
                 (unsigned long long)seen.size, t, state_dir, name);
        goto out;
    }
    if (rv == 0 && extends && now.size > seen.size)
        rv = s_save(heads, state_dir, name, head, len, err);
out:
    free(saved_text);
    close(heads);
    return rv;
}
