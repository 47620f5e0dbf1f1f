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

/* STATE_DIR/heads/<first 8 bytes of SHA-256(broker sign key), hex> */
static int s_path(const char *dir, const dx_pubkeys_t *broker, char path[4200], char err[DX_ERRMSG])
{
    uint8_t h[DX_SHA256_LEN];
    char hex[17], heads[4120];
    dx_sha256(broker->sign, DX_ED25519_LEN, h);
    dx_hex_encode(h, 8, hex);
    snprintf(heads, sizeof heads, "%s/heads", dir);
    if ((mkdir(dir, 0700) != 0 && errno != EEXIST) || (mkdir(heads, 0700) != 0 && errno != EEXIST)) {
        snprintf(err, DX_ERRMSG, "cannot create the state directory %s: %s", heads, strerror(errno));
        return DX_ERR_IO;
    }
    snprintf(path, 4200, "%s/%s", heads, hex);
    return 0;
}

static int s_save(const char *path, const uint8_t *text, size_t len, char err[DX_ERRMSG])
{
    int rv = dx_write_atomic(path, text, len, 0600);
    if (rv != 0)
        snprintf(err, DX_ERRMSG, "cannot save the broker's head in %s: %s", path, strerror(errno));
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
    char path[4200], why[DX_ERRMSG], *saved_text = NULL;
    size_t saved_len = 0;
    dx_checkpoint_t now, seen;
    int rv;
    if (len == 0 || dx_checkpoint_open((const char *)head, len, broker->sign, &now, why) != 0) {
        snprintf(err, DX_ERRMSG, "the broker's reply carries no valid signed head of its audit log%s%s",
                 len ? ": " : "", len ? why : "");
        return DX_ERR_INTEGRITY;
    }
    if ((rv = s_path(state_dir, broker, path, err)) != 0)
        return rv;
    rv = dx_read_small_file(path, DX_CHECKPOINT_MAX, &saved_text, &saved_len);
    if (rv == DX_ERR_NOT_FOUND)
        return s_save(path, head, len, err); /* the first head this agent sees */
    if (rv != 0 || dx_checkpoint_open(saved_text, saved_len, broker->sign, &seen, why) != 0) {
        free(saved_text);
        snprintf(err, DX_ERRMSG, "the saved head %s cannot be read or does not verify; remove it "
                 "to start witnessing afresh", path);
        return DX_ERR_IO;
    }
    free(saved_text);
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
                 "log of %llu records it signed at %s (saved in %s): a split view or a rewritten "
                 "history; refusing", (unsigned long long)now.size, (unsigned long long)seen.size,
                 t, path);
        return rv;
    }
    if (rv != 0)
        return rv;
    return extends && now.size > seen.size ? s_save(path, head, len, err) : 0;
}
