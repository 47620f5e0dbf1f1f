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

/* The broker's current signed head, opened. */
static int s_current(dx_client_t *c, const dx_pubkeys_t *broker, dx_checkpoint_t *now, char **text,
                     size_t *len, char err[DX_ERRMSG])
{
    Dx__Request req = DX__REQUEST__INIT;
    Dx__AuditHeadsRequest hr = DX__AUDIT_HEADS_REQUEST__INIT;
    Dx__Reply *reply = NULL;
    char why[DX_ERRMSG];
    hr.after_size = UINT64_MAX; /* none of the stored ones: only the current head */
    req.body_case = DX__REQUEST__BODY_AUDIT_HEADS;
    req.audit_heads = &hr;
    int rv = dx_client_call(c, &req, &reply, err);
    if (rv == 0 && reply->body_case != DX__REPLY__BODY_AUDIT_HEADS) {
        snprintf(err, DX_ERRMSG, "the broker answered the head request with something else");
        rv = DX_ERR_PROTOCOL;
    }
    if (rv == 0) {
        const ProtobufCBinaryData *h = &reply->audit_heads->current;
        if (h->len == 0 || h->len > DX_CHECKPOINT_MAX ||
            dx_checkpoint_open((const char *)h->data, h->len, broker->sign, now, why) != 0) {
            snprintf(err, DX_ERRMSG, "the broker's current head does not verify: %s",
                     h->len ? why : "there is none");
            rv = DX_ERR_INTEGRITY;
        } else if (text && !(*text = malloc(h->len))) {
            rv = DX_ERR_NOMEM;
        } else if (text) {
            memcpy(*text, h->data, h->len);
            *len = h->len;
        }
    }
    wire_reply_free(&reply);
    return rv;
}

/* Checks now against the saved head seen: 0 when one is a prefix of the
 * other (strict: when now extends seen), DX_ERR_INTEGRITY with a line that
 * names the situation when not. */
static int s_compare(dx_client_t *c, const dx_checkpoint_t *now, const dx_checkpoint_t *seen,
                     bool strict, const char *state_dir, const char *name, char err[DX_ERRMSG])
{
    bool extends = now->size >= seen->size;
    int rv;
    if (now->size == seen->size)
        rv = dx_equal(now->root, seen->root, DX_HASH_LEN) ? 0 : DX_ERR_INTEGRITY;
    else
        rv = extends ? s_consistent(c, seen, now, err) : s_consistent(c, now, seen, err);
    if (rv == 0 && (extends || !strict))
        return 0;
    if (rv != 0 && rv != DX_ERR_INTEGRITY)
        return rv;
    char t[DX_TIME_TEXT];
    dx_time_format(seen->time_ms, t);
    snprintf(err, DX_ERRMSG,
             "the broker's audit log (%llu records) %s the log of %llu records it signed at %s "
             "(saved in %s/heads/%s): the broker was %s; once the data office confirms it, "
             "run 'dx-agent resync' to accept the new log and re-check what this agent holds",
             (unsigned long long)now->size,
             rv == 0 ? "is shorter than" : extends ? "does not extend" : "is not a prefix of",
             (unsigned long long)seen->size, t, state_dir, name,
             rv == 0 ? "restored from a backup (its log rolled back)"
                     : "restored from a backup and has written since, or its history was "
                       "rewritten (a fork)");
    return DX_ERR_INTEGRITY;
}

/* The saved head, opened: DX_ERR_NOT_FOUND when there is none. */
static int s_saved(int heads, const char *state_dir, const char *name, const dx_pubkeys_t *broker,
                   dx_checkpoint_t *seen, char err[DX_ERRMSG])
{
    char why[DX_ERRMSG], *text = NULL;
    size_t len = 0;
    int rv = dx_read_small_file_at(heads, name, DX_CHECKPOINT_MAX, &text, &len);
    if (rv != DX_ERR_NOT_FOUND &&
        (rv != 0 || dx_checkpoint_open(text, len, broker->sign, seen, why) != 0)) {
        snprintf(err, DX_ERRMSG, "the saved head %s/heads/%s cannot be read or does not verify; "
                 "remove it to start witnessing afresh", state_dir, name);
        rv = DX_ERR_IO;
    }
    free(text);
    return rv;
}

int dx_witness(dx_client_t *c, const dx_pubkeys_t *broker, const char *state_dir, const uint8_t *head,
               size_t len, char err[DX_ERRMSG])
{
    char name[17], why[DX_ERRMSG];
    dx_checkpoint_t now, seen;
    int heads = -1, rv;
    if (len == 0 || dx_checkpoint_open((const char *)head, len, broker->sign, &now, why) != 0) {
        snprintf(err, DX_ERRMSG, "the broker's reply carries no valid signed head of its audit log%s%s",
                 len ? ": " : "", len ? why : "");
        return DX_ERR_INTEGRITY;
    }
    if ((rv = s_open(state_dir, broker, &heads, name, err)) != 0)
        return rv;
    rv = s_saved(heads, state_dir, name, broker, &seen, err);
    if (rv == DX_ERR_NOT_FOUND)
        rv = s_save(heads, state_dir, name, head, len, err); /* the first head this agent sees */
    else if (rv == 0 && (rv = s_compare(c, &now, &seen, false, state_dir, name, err)) == 0 &&
             now.size > seen.size)
        rv = s_save(heads, state_dir, name, head, len, err);
    close(heads);
    return rv;
}

int dx_witness_current(dx_client_t *c, const dx_pubkeys_t *broker, const char *state_dir,
                       char err[DX_ERRMSG])
{
    char name[17], *text = NULL;
    size_t len = 0;
    dx_checkpoint_t now, seen;
    int heads = -1, rv;
    if ((rv = s_open(state_dir, broker, &heads, name, err)) != 0)
        return rv;
    /* A head saved by another process (dx-agent fetch beside the service)
     * may be newer than the one asked for a moment before: a log that looks
     * shorter is asked for again before it is called a rollback. */
    for (int attempt = 0; attempt < 3; attempt++) {
        free(text);
        text = NULL;
        if ((rv = s_current(c, broker, &now, &text, &len, err)) != 0)
            break;
        rv = s_saved(heads, state_dir, name, broker, &seen, err);
        if (rv == DX_ERR_NOT_FOUND) {
            rv = s_save(heads, state_dir, name, (const uint8_t *)text, len, err);
            break;
        }
        if (rv != 0 || (rv = s_compare(c, &now, &seen, true, state_dir, name, err)) != 0) {
            if (rv == DX_ERR_INTEGRITY && now.size < seen.size && attempt < 2)
                continue;
            break;
        }
        if (now.size > seen.size)
            rv = s_save(heads, state_dir, name, (const uint8_t *)text, len, err);
        break;
    }
    free(text);
    close(heads);
    return rv;
}

int dx_witness_resync(dx_client_t *c, const dx_pubkeys_t *broker, const char *state_dir,
                      dx_witness_resync_t *out, char err[DX_ERRMSG])
{
    char name[17], *text = NULL, cmp[DX_ERRMSG];
    size_t len = 0;
    dx_checkpoint_t now, seen;
    int heads = -1, rv;
    memset(out, 0, sizeof *out);
    if ((rv = s_open(state_dir, broker, &heads, name, err)) != 0)
        return rv;
    if ((rv = s_current(c, broker, &now, &text, &len, err)) != 0)
        goto out;
    out->new_size = now.size;
    out->new_ms = now.time_ms;
    rv = s_saved(heads, state_dir, name, broker, &seen, err);
    if (rv == 0) {
        out->old_size = seen.size;
        out->old_ms = seen.time_ms;
        rv = s_compare(c, &now, &seen, true, state_dir, name, cmp);
        if (rv == 0)
            goto out; /* the log extends what was seen: nothing to resync */
        if (rv != DX_ERR_INTEGRITY) {
            snprintf(err, DX_ERRMSG, "%s", cmp);
            goto out;
        }
        /* the old head stays, for the auditors: it is what was signed */
        char stamp[DX_TIME_TEXT];
        dx_time_stamp(dx_now_ms(), stamp);
        snprintf(out->kept, sizeof out->kept, "%s.before-%s", name, stamp);
        if (renameat(heads, name, heads, out->kept) != 0) {
            snprintf(err, DX_ERRMSG, "cannot keep the old head as %s/heads/%s: %s", state_dir,
                     out->kept, strerror(errno));
            rv = DX_ERR_IO;
            goto out;
        }
        out->rolled_back = true;
    } else if (rv != DX_ERR_NOT_FOUND) {
        goto out;
    }
    rv = s_save(heads, state_dir, name, (const uint8_t *)text, len, err);
out:
    free(text);
    close(heads);
    return rv;
}
