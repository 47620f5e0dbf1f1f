/* transfer: chunked, credit-limited publish and fetch for members. */
#include "transfer.h"
#include "progress.h"
#include "dxtime.h"
#include "signed.h"
#include "wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int dx_manifest_build(const dx_manifest_opts_t *o, uint8_t **bytes, size_t *len, char err[DX_ERRMSG])
{
    Dx__Manifest m = DX__MANIFEST__INIT;
    uint8_t nonce[16];
    if (o->nonce)
        memcpy(nonce, o->nonce, 16);
    else if (dx_random(nonce, sizeof nonce) != 0)
        return DX_ERR_CRYPTO;
    m.dataset = (char *)o->dataset;
    m.sha256.data = (uint8_t *)o->sha256;
    m.sha256.len = DX_SHA256_LEN;
    m.size = o->size;
    m.content_type = (char *)o->content_type;
    m.classification = (Dx__Classification)o->classification;
    m.created_ms = o->created_ms ? o->created_ms : dx_now_ms();
    m.nonce.data = nonce;
    m.nonce.len = sizeof nonce;
    m.publisher = (char *)o->publisher;
    int rv = wire_manifest_check(&m, err);
    if (rv != 0)
        return rv;
    return wire_pack(&m.base, bytes, len);
}

/* Reads exactly len bytes at off, or fails. */
static int s_pread_all(int fd, uint8_t *buf, size_t len, uint64_t off, char err[DX_ERRMSG])
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = pread(fd, buf + got, len - got, (off_t)(off + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            snprintf(err, DX_ERRMSG, "cannot read the file: %s", n < 0 ? strerror(errno)
                                                                       : "it became shorter");
            return DX_ERR_IO;
        }
        got += (size_t)n;
    }
    return 0;
}

int dx_hash_fd(int fd, uint8_t sha[DX_SHA256_LEN], uint64_t *size, char err[DX_ERRMSG])
{
    dx_sha256_t *h = NULL;
    uint8_t *buf = malloc(DX_CHUNK_SIZE);
    uint64_t total = 0;
    int rv = DX_ERR_NOMEM;
    if (!buf || (rv = dx_sha256_new(&h)) != 0)
        goto out;
    for (;;) {
        ssize_t n = pread(fd, buf, DX_CHUNK_SIZE, (off_t)total);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(err, DX_ERRMSG, "cannot read the file: %s", strerror(errno));
            rv = DX_ERR_IO;
            goto out;
        }
        if (n == 0)
            break;
        if ((rv = dx_sha256_update(h, buf, (size_t)n)) != 0)
            goto out;
        total += (uint64_t)n;
    }
    rv = dx_sha256_final(h, sha);
    *size = total;
out:
    dx_sha256_destroy(&h);
    free(buf);
    return rv;
}

/* Keeps a transfer's window full: while fewer than `window` of the
 * requests sent are unanswered (and `total` are not all sent), next()
 * builds the request numbered *sent and it goes out. Publish chunks and
 * fetch credits both flow through here. */
typedef struct {
    Dx__Request req;
    Dx__PublishChunk chunk;
    Dx__FetchMore more;
} window_msg_t;
typedef int (*window_next_fn)(void *arg, uint32_t index, window_msg_t *m, char err[DX_ERRMSG]);

static int s_keep_window(dx_client_t *c, uint32_t *sent, uint32_t total, uint32_t answered,
                         uint32_t window, window_next_fn next, void *arg, char err[DX_ERRMSG])
{
    while (*sent < total && *sent - answered < window) {
        window_msg_t m;
        dx__request__init(&m.req);
        int rv = next(arg, *sent, &m, err);
        if (rv == 0)
            rv = dx_client_send(c, &m.req, err);
        if (rv != 0)
            return rv;
        (*sent)++;
    }
    return 0;
}

typedef struct {
    int fd;
    uint8_t *buf;
    uint64_t size;
    uint32_t chunk, n;
    uint64_t session;
} chunker_t;

/* Chunk `index` of the file, read into the one buffer (sent before the
 * next is read). */
static int s_next_chunk(void *arg, uint32_t index, window_msg_t *m, char err[DX_ERRMSG])
{
    const chunker_t *ck = arg;
    uint64_t off = (uint64_t)index * ck->chunk;
    size_t len = ck->size - off < ck->chunk ? (size_t)(ck->size - off) : ck->chunk;
    int rv = s_pread_all(ck->fd, ck->buf, len, off, err);
    if (rv != 0)
        return rv;
    dx__publish_chunk__init(&m->chunk);
    m->chunk.session = ck->session;
    m->chunk.index = index;
    m->chunk.data.data = ck->buf;
    m->chunk.data.len = len;
    m->chunk.last = index + 1 == ck->n;
    m->req.body_case = DX__REQUEST__BODY_PUBLISH_CHUNK;
    m->req.publish_chunk = &m->chunk;
    return 0;
}

static int s_next_credit(void *arg, uint32_t index, window_msg_t *m, char err[DX_ERRMSG])
{
    (void)index;
    (void)err;
    dx__fetch_more__init(&m->more);
    m->more.session = *(const uint64_t *)arg;
    m->req.body_case = DX__REQUEST__BODY_FETCH_MORE;
    m->req.fetch_more = &m->more;
    return 0;
}

static int s_integrity(char err[DX_ERRMSG], const char *what)
{
    snprintf(err, DX_ERRMSG, "%s", what);
    return DX_ERR_INTEGRITY;
}

/* Checks the broker's receipt against the manifest we sent. */
static int s_check_receipt(const Dx__Signed *s, const dx_pubkeys_t *broker, const uint8_t *manifest,
                           size_t mlen, dx_receipt_t *out, char err[DX_ERRMSG])
{
    Dx__Manifest *m = NULL;
    Dx__Receipt *r = NULL;
    uint8_t msha[DX_SHA256_LEN];
    char why[DX_ERRMSG];
    int rv = DX_ERR_INTEGRITY;
    if (dx_signed_verify(s, DX_CTX_RECEIPT, broker->sign) != 0) {
        s_integrity(err, "the receipt is not signed by the broker's key");
        goto out;
    }
    if (wire_receipt_decode(s->body.data, s->body.len, &r, why) != 0 ||
        wire_manifest_decode(manifest, mlen, &m, why) != 0 || dx_sha256(manifest, mlen, msha) != 0) {
        snprintf(err, DX_ERRMSG, "malformed receipt: %s", why);
        goto out;
    }
    if (strcmp(r->dataset, m->dataset) != 0 || r->size != m->size ||
        !dx_equal(r->sha256.data, m->sha256.data, DX_SHA256_LEN) ||
        !dx_equal(r->manifest_sha256.data, msha, DX_SHA256_LEN)) {
        s_integrity(err, "the receipt does not match what was published");
        goto out;
    }
    snprintf(out->dataset, sizeof out->dataset, "%s", r->dataset);
    out->version = r->version;
    out->audit_seq = r->audit_seq;
    out->time_ms = r->time_ms;
    size_t packed = protobuf_c_message_get_packed_size(&s->base);
    out->signed_len = packed <= sizeof out->signed_receipt
                          ? protobuf_c_message_pack(&s->base, out->signed_receipt) : 0;
    rv = 0;
out:
    wire_free(&m);
    wire_free(&r);
    return rv;
}

static void s_keep_head(const Dx__Reply *reply, uint8_t head[DX_HEAD_MAX], size_t *len)
{
    *len = reply->checkpoint.len <= DX_HEAD_MAX ? reply->checkpoint.len : 0;
    if (*len)
        memcpy(head, reply->checkpoint.data, *len);
}

static int s_expect_reply(dx_client_t *c, Dx__Reply **reply, char err[DX_ERRMSG])
{
    int rv = dx_client_recv(c, reply, err);
    if (rv != 0)
        return rv;
    if ((rv = dx_client_reply_error(*reply, err)) != 0)
        wire_reply_free(reply);
    return rv;
}

int dx_publish(dx_client_t *c, const dx_pubkeys_t *broker, const uint8_t *manifest, size_t mlen,
               const uint8_t sig[DX_SIG_LEN], int fd, uint64_t size, dx_receipt_t *receipt,
               char err[DX_ERRMSG])
{
    Dx__Request req = DX__REQUEST__INIT;
    Dx__PublishBegin begin = DX__PUBLISH_BEGIN__INIT;
    Dx__Reply *reply = NULL;
    uint8_t *buf = NULL;
    int rv;
    begin.manifest.data = (uint8_t *)manifest;
    begin.manifest.len = mlen;
    begin.signature.data = (uint8_t *)sig;
    begin.signature.len = DX_SIG_LEN;
    if (size <= DX_CHUNK_SIZE) {
        if (!(buf = malloc(size ? size : 1)))
            return DX_ERR_NOMEM;
        if ((rv = s_pread_all(fd, buf, size, 0, err)) != 0)
            goto out;
        begin.has_inline = true;
        begin.inline_data.data = buf;
        begin.inline_data.len = size;
    }
    req.body_case = DX__REQUEST__BODY_PUBLISH_BEGIN;
    req.publish_begin = &begin;
    if ((rv = dx_client_call(c, &req, &reply, err)) != 0)
        goto out;
    if (reply->body_case == DX__REPLY__BODY_RECEIPT) {
        rv = s_check_receipt(reply->receipt, broker, manifest, mlen, receipt, err);
        s_keep_head(reply, receipt->head, &receipt->head_len);
        goto out;
    }
    if (reply->body_case != DX__REPLY__BODY_PUBLISH_READY || begin.has_inline) {
        snprintf(err, DX_ERRMSG, "unexpected reply from the broker");
        rv = DX_ERR_PROTOCOL;
        goto out;
    }
    uint64_t session = reply->publish_ready->session;
    uint32_t chunk = reply->publish_ready->chunk_size, window = reply->publish_ready->window;
    wire_reply_free(&reply);
    if (chunk != DX_CHUNK_SIZE) {
        snprintf(err, DX_ERRMSG, "the broker asked for chunks of %u bytes; this agent sends %d",
                 chunk, DX_CHUNK_SIZE);
        rv = DX_ERR_PROTOCOL;
        goto out;
    }
    if (window > 64)
        window = 64;
    uint32_t n = (uint32_t)((size + chunk - 1) / chunk), sent = 0, done = 0;
    if (!(buf = malloc(chunk))) {
        rv = DX_ERR_NOMEM;
        goto out;
    }
    chunker_t ck = { fd, buf, size, chunk, n, session };
    dx_progress_t bar;
    dx_progress_begin(&bar, "publish", size);
    while (done < n) {
        if ((rv = s_keep_window(c, &sent, n, done, window, s_next_chunk, &ck, err)) != 0)
            goto out;
        if ((rv = s_expect_reply(c, &reply, err)) != 0)
            goto out;
        if (reply->body_case == DX__REPLY__BODY_CHUNK_ACK && reply->chunk_ack->index == done &&
            done + 1 < n) {
            done++;
            dx_progress_update(&bar, (uint64_t)done * chunk);
        } else if (reply->body_case == DX__REPLY__BODY_RECEIPT && done + 1 == n) {
            done++;
            dx_progress_end(&bar, size);
            rv = s_check_receipt(reply->receipt, broker, manifest, mlen, receipt, err);
            s_keep_head(reply, receipt->head, &receipt->head_len);
            goto out;
        } else {
            snprintf(err, DX_ERRMSG, "unexpected reply from the broker during the upload");
            rv = DX_ERR_PROTOCOL;
            goto out;
        }
        wire_reply_free(&reply);
    }
out:
    wire_reply_free(&reply);
    free(buf);
    return rv;
}

int dx_parse_ref(const char *ref, char name[DX_NAME_MAX + 1], uint64_t *version)
{
    const char *at = strchr(ref, '@');
    size_t n = at ? (size_t)(at - ref) : strlen(ref);
    *version = 0;
    if (n == 0 || n > DX_NAME_MAX)
        return DX_ERR_USAGE;
    memcpy(name, ref, n);
    name[n] = '\0';
    if (!dx_dataset_name_valid(name))
        return DX_ERR_USAGE;
    if (at) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(at + 1, &end, 10);
        if (errno || end == at + 1 || *end || v == 0 || at[1] == '-' || at[1] == '+')
            return DX_ERR_USAGE;
        *version = v;
    }
    return 0;
}

/* Checks the broker's claims about a dataset before any byte is written:
 * its receipt binds the manifest, the publisher's signature covers it. */
static int s_check_entry(const Dx__CatalogEntry *e, const dx_pubkeys_t *broker, const char *dataset,
                         Dx__Manifest **manifest, char err[DX_ERRMSG])
{
    Dx__Receipt *r = NULL;
    uint8_t msha[DX_SHA256_LEN];
    char why[DX_ERRMSG];
    int rv = DX_ERR_INTEGRITY;
    *manifest = NULL;
    if (dx_signed_verify(e->receipt, DX_CTX_RECEIPT, broker->sign) != 0) {
        s_integrity(err, "the dataset's receipt is not signed by the broker's key");
        goto out;
    }
    if (dx_verify(e->publisher_key.data, DX_CTX_MANIFEST, e->manifest.data, e->manifest.len,
                  e->manifest_sig.data) != 0) {
        s_integrity(err, "the publisher's signature on the manifest does not verify");
        goto out;
    }
    if (wire_receipt_decode(e->receipt->body.data, e->receipt->body.len, &r, why) != 0 ||
        wire_manifest_decode(e->manifest.data, e->manifest.len, manifest, why) != 0 ||
        dx_sha256(e->manifest.data, e->manifest.len, msha) != 0) {
        snprintf(err, DX_ERRMSG, "malformed dataset description: %s", why);
        goto out;
    }
    const Dx__Manifest *m = *manifest;
    if (strcmp(m->dataset, dataset) != 0 || strcmp(e->dataset, dataset) != 0 ||
        strcmp(r->dataset, dataset) != 0 || r->version != e->version ||
        !dx_equal(r->manifest_sha256.data, msha, DX_SHA256_LEN) ||
        !dx_equal(m->sha256.data, e->sha256.data, DX_SHA256_LEN) || m->size != e->size ||
        strcmp(m->publisher, e->publisher) != 0) {
        s_integrity(err, "the broker's description of the dataset does not match its signed manifest");
        goto out;
    }
    rv = 0;
out:
    if (rv != 0)
        wire_free(manifest);
    wire_free(&r);
    return rv;
}

static int s_write_all(int fd, const uint8_t *data, size_t len, char err[DX_ERRMSG])
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(err, DX_ERRMSG, "cannot write the output: %s", strerror(errno));
            return DX_ERR_IO;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Checks the broker's signed provenance of a filtered view. */
static int s_check_view(const Dx__Signed *s, const dx_pubkeys_t *broker, const Dx__CatalogEntry *e,
                        const uint8_t sha[DX_SHA256_LEN], uint64_t size, char err[DX_ERRMSG])
{
    Dx__ViewManifest *v = NULL;
    char why[DX_ERRMSG];
    int rv = DX_ERR_INTEGRITY;
    if (!s || dx_signed_verify(s, DX_CTX_VIEW, broker->sign) != 0) {
        s_integrity(err, "the filtered view is not signed by the broker's key");
        goto out;
    }
    if (wire_view_decode(s->body.data, s->body.len, &v, why) != 0) {
        snprintf(err, DX_ERRMSG, "malformed view provenance: %s", why);
        goto out;
    }
    if (!dx_equal(v->view_sha256.data, sha, DX_SHA256_LEN) || v->view_size != size) {
        s_integrity(err, "the filtered view does not match the broker's signed hash");
        goto out;
    }
    if (strcmp(v->dataset, e->dataset) != 0 || v->version != e->version) {
        s_integrity(err, "the view's provenance names another dataset");
        goto out;
    }
    rv = 0;
out:
    wire_free(&v);
    return rv;
}

int dx_fetch(dx_client_t *c, const dx_pubkeys_t *broker, const char *dataset, uint64_t version,
             const char *purpose, int fd, dx_fetch_result_t *res, char err[DX_ERRMSG])
{
    Dx__Request req = DX__REQUEST__INIT;
    Dx__FetchBegin fb = DX__FETCH_BEGIN__INIT;
    Dx__Reply *ready = NULL, *reply = NULL;
    Dx__Manifest *m = NULL;
    dx_sha256_t *h = NULL;
    int rv;
    memset(res, 0, sizeof *res);
    fb.dataset = (char *)dataset;
    fb.version = version;
    fb.purpose = (char *)(purpose ? purpose : "");
    req.body_case = DX__REQUEST__BODY_FETCH_BEGIN;
    req.fetch_begin = &fb;
    if ((rv = dx_client_call(c, &req, &ready, err)) != 0)
        return rv;
    if (ready->body_case != DX__REPLY__BODY_FETCH_READY) {
        snprintf(err, DX_ERRMSG, "unexpected reply from the broker");
        rv = DX_ERR_PROTOCOL;
        goto out;
    }
    const Dx__FetchReady *fr = ready->fetch_ready;
    const Dx__CatalogEntry *e = fr->entry;
    s_keep_head(ready, res->head, &res->head_len);
    /* A filtered view comes with no manifest or receipt (they describe the
     * unfiltered bytes): it is checked by the broker's signature at the end. */
    if (!fr->filtered && (rv = s_check_entry(e, broker, dataset, &m, err)) != 0)
        goto out;
    if (fr->filtered && strcmp(e->dataset, dataset) != 0) {
        rv = s_integrity(err, "the broker answered about another dataset");
        goto out;
    }
    snprintf(res->dataset, sizeof res->dataset, "%s", e->dataset);
    res->version = e->version;
    snprintf(res->publisher, sizeof res->publisher, "%s", e->publisher);
    res->filtered = fr->filtered;
    snprintf(res->rule_id, sizeof res->rule_id, "%s", fr->rule_id);
    if (fr->filtered) {
        size_t n = (size_t)snprintf(res->fields, sizeof res->fields, "%s:", fr->field_mode);
        for (size_t i = 0; i < fr->n_fields && n < sizeof res->fields; i++)
            n += (size_t)snprintf(res->fields + n, sizeof res->fields - n, "%s%s", i ? ", " : " ",
                                  fr->fields[i]);
    }
    if ((rv = dx_sha256_new(&h)) != 0)
        goto out;
    /* A view's length is not known in advance: credit starts small and
     * grows by one with every message (slow start), so that a short view
     * leaves few unused credits behind and a long one still fills the link. */
    uint32_t total = fr->filtered ? UINT32_MAX : e->chunks ? e->chunks : 1, asked = 0, got = 0;
    uint32_t window = fr->window ? fr->window : 1;
    if (window > 64)
        window = 64;
    dx_progress_t bar;
    dx_progress_begin(&bar, "fetch", fr->filtered ? 0 : e->size);
    for (;;) {
        uint32_t credit = fr->filtered && got + 2 < window ? got + 2 : window;
        uint64_t session = fr->session;
        if ((rv = s_keep_window(c, &asked, total, got, credit, s_next_credit, &session, err)) != 0)
            goto out;
        if ((rv = s_expect_reply(c, &reply, err)) != 0)
            goto out;
        if (reply->body_case != DX__REPLY__BODY_FETCH_DATA || reply->fetch_data->index != got ||
            reply->fetch_data->session != fr->session) {
            snprintf(err, DX_ERRMSG, "unexpected reply from the broker during the download");
            rv = DX_ERR_PROTOCOL;
            goto out;
        }
        const Dx__FetchData *d = reply->fetch_data;
        if ((rv = s_write_all(fd, d->data.data, d->data.len, err)) != 0 ||
            (rv = dx_sha256_update(h, d->data.data, d->data.len)) != 0)
            goto out;
        res->size += d->data.len;
        got++;
        dx_progress_update(&bar, res->size);
        if (d->last) {
            dx_progress_end(&bar, res->size);
            if ((rv = dx_sha256_final(h, res->sha256)) != 0)
                goto out;
            if (fr->filtered)
                rv = s_check_view(d->view, broker, e, res->sha256, res->size, err);
            else if (!dx_equal(res->sha256, m->sha256.data, DX_SHA256_LEN) || res->size != m->size)
                rv = s_integrity(err, "the content does not match the publisher's signed hash");
            goto out;
        }
        if (got >= total) {
            snprintf(err, DX_ERRMSG, "the broker sent more chunks than the dataset has");
            rv = DX_ERR_PROTOCOL;
            goto out;
        }
        wire_reply_free(&reply);
    }
out:
    dx_sha256_destroy(&h);
    wire_free(&m);
    wire_reply_free(&reply);
    wire_reply_free(&ready);
    return rv;
}
