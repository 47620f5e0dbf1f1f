/* wire: bounded, validating protobuf decoders. */
#include "wire.h"
#include "crypto.h"
#include "media.h"
#include "names.h"
#include "policy.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* protobuf-c keeps a field numbered 0 as unknown when its tag is spelled in
 * more bytes than needed (0x82 0x00), though 0 is no field number and packs
 * back into a tag it refuses: such a message is malformed, found anywhere
 * in the tree. */
static bool s_tags_valid(const ProtobufCMessage *m, int depth)
{
    if (depth > 8)
        return false;
    for (unsigned i = 0; i < m->n_unknown_fields; i++)
        if (m->unknown_fields[i].tag == 0)
            return false;
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        const char *base = (const char *)m;
        const ProtobufCMessage *const *sub = (const ProtobufCMessage *const *)(base + f->offset);
        size_t n = 1;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            n = *(const size_t *)(base + f->quantifier_offset);
            sub = *(const ProtobufCMessage *const *const *)(base + f->offset);
        } else if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            if (*(const uint32_t *)(base + f->quantifier_offset) != f->id)
                continue;
        }
        for (size_t j = 0; j < n; j++)
            if (sub[j] && !s_tags_valid(sub[j], depth + 1))
                return false;
    }
    return true;
}

static bool s_varint(const uint8_t *p, size_t len, size_t *i, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*i >= len)
            return false;
        uint8_t b = p[(*i)++];
        *v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80))
            return true;
    }
    return false;
}

/* proto3 strings are UTF-8, and protobuf-c checks neither that nor NUL:
 * it hands strings over as C strings, so "a\0b" would be read as "a" and
 * what a publisher signed would not be what is stored. This walks the raw
 * bytes with the message's descriptor and refuses any string field (at any
 * depth, repeated or not) that is not valid UTF-8 or holds a NUL. */
static bool s_strings_valid(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t len,
                            int depth)
{
    if (depth > 8)
        return false;
    size_t i = 0;
    while (i < len) {
        uint64_t key, n;
        if (!s_varint(p, len, &i, &key))
            return false;
        switch (key & 7) {
        case 0:
            if (!s_varint(p, len, &i, &n))
                return false;
            break;
        case 1:
        case 5: {
            size_t w = (key & 7) == 1 ? 8 : 4;
            if (len - i < w)
                return false;
            i += w;
            break;
        }
        case 2: {
            if (!s_varint(p, len, &i, &n) || n > len - i)
                return false;
            uint64_t num = key >> 3;
            const ProtobufCFieldDescriptor *f =
                num > 0 && num <= 0x1FFFFFFF ? protobuf_c_message_descriptor_get_field(d, (unsigned)num) : NULL;
            if (f && f->type == PROTOBUF_C_TYPE_STRING && !dx_utf8_string(p + i, (size_t)n))
                return false;
            if (f && f->type == PROTOBUF_C_TYPE_MESSAGE &&
                !s_strings_valid(f->descriptor, p + i, (size_t)n, depth + 1))
                return false;
            i += (size_t)n;
            break;
        }
        default:
            return false; /* groups (3, 4) are not proto3; 6, 7 are no wire type */
        }
    }
    return true;
}

/* Why s_unpack returned NULL, for the error line. */
static const char *s_why(const ProtobufCMessageDescriptor *d, size_t len, const uint8_t *data)
{
    return s_strings_valid(d, data, len, 0) ? "not a valid protobuf message"
                                            : "a string field is not UTF-8 or holds a NUL";
}

static void *s_unpack(const ProtobufCMessageDescriptor *d, size_t len, const uint8_t *data)
{
    if (!s_strings_valid(d, data, len, 0))
        return NULL;
    ProtobufCMessage *m = protobuf_c_message_unpack(d, NULL, len, data);
    if (m && !s_tags_valid(m, 0))
        wire_free(&m);
    return m;
}

int wire_pack(const ProtobufCMessage *msg, uint8_t **out, size_t *len)
{
    size_t n = protobuf_c_message_get_packed_size(msg);
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        return DX_ERR_NOMEM;
    if (protobuf_c_message_pack(msg, buf) != n) {
        free(buf);
        return DX_ERR_INTERNAL;
    }
    *out = buf;
    *len = n;
    return 0;
}

void wire_free(void *msg_p)
{
    ProtobufCMessage **m = msg_p;
    if (m && *m) {
        protobuf_c_message_free_unpacked(*m, NULL);
        *m = NULL;
    }
}

void wire_request_free(Dx__Request **req) { wire_free(req); }
void wire_reply_free(Dx__Reply **reply) { wire_free(reply); }

#define FAIL(...)                                  \
    do {                                           \
        snprintf(err, DX_ERRMSG, __VA_ARGS__);     \
        return DX_ERR_PROTOCOL;                    \
    } while (0)

static bool s_opt_glob(const char *s) { return s[0] == '\0' || dx_glob_valid(s); }
static bool s_opt_id(const char *s) { return s[0] == '\0' || dx_id_valid(s); }

static bool s_printable(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

int wire_manifest_check(const Dx__Manifest *m, char err[DX_ERRMSG])
{
    if (!dx_dataset_name_valid(m->dataset))
        FAIL("manifest: invalid dataset name");
    if (m->sha256.len != DX_SHA256_LEN)
        FAIL("manifest: sha256 must be 32 bytes");
    dx_media_t media;
    if (strlen(m->content_type) > DX_MAX_CONTENT_TYPE || dx_media_parse(m->content_type, &media) != 0)
        FAIL("manifest: the content type is not a media type like text/csv");
    if (m->classification < DX__CLASSIFICATION__PUBLIC || m->classification > DX__CLASSIFICATION__SECRET)
        FAIL("manifest: invalid classification");
    if (m->created_ms <= 0)
        FAIL("manifest: invalid creation time");
    if (m->nonce.len != DX_NONCE_LEN)
        FAIL("manifest: nonce must be %d bytes", DX_NONCE_LEN);
    if (!dx_id_valid(m->publisher))
        FAIL("manifest: invalid publisher id");
    return 0;
}

static int s_check_request(const Dx__Request *r, char err[DX_ERRMSG])
{
    if (r->protocol != DX_PROTOCOL_VERSION)
        FAIL("protocol version %u is not supported (this broker speaks %d)", r->protocol,
             DX_PROTOCOL_VERSION);
    switch (r->body_case) {
    case DX__REQUEST__BODY_PUBLISH_BEGIN: {
        const Dx__PublishBegin *b = r->publish_begin;
        if (b->manifest.len == 0 || b->manifest.len > DX_MAX_MANIFEST)
            FAIL("publish: manifest size outside 1..%d", DX_MAX_MANIFEST);
        if (b->signature.len != DX_SIG_LEN)
            FAIL("publish: signature must be %d bytes", DX_SIG_LEN);
        if (b->inline_data.len > DX_CHUNK_SIZE)
            FAIL("publish: inline content larger than one chunk");
        if (!b->has_inline && b->inline_data.len)
            FAIL("publish: inline data without has_inline");
        return 0;
    }
    case DX__REQUEST__BODY_PUBLISH_CHUNK:
        if (r->publish_chunk->session == 0)
            FAIL("chunk: no session");
        if (r->publish_chunk->data.len > DX_CHUNK_SIZE)
            FAIL("chunk: larger than %d bytes", DX_CHUNK_SIZE);
        return 0;
    case DX__REQUEST__BODY_FETCH_BEGIN:
        if (!dx_dataset_name_valid(r->fetch_begin->dataset))
            FAIL("fetch: invalid dataset name");
        if (!dx_token_valid(r->fetch_begin->purpose))
            FAIL("fetch: a purpose is required, a word of [a-z0-9._-]");
        return 0;
    case DX__REQUEST__BODY_FETCH_MORE:
        if (r->fetch_more->session == 0)
            FAIL("fetch: no session");
        return 0;
    case DX__REQUEST__BODY_LIST:
        if (!s_opt_glob(r->list->pattern))
            FAIL("list: invalid pattern");
        if (r->list->after[0] && !dx_dataset_name_valid(r->list->after))
            FAIL("list: the cursor is not a dataset name");
        if (r->list->cursor.len > DX_CURSOR_MAX || (r->list->cursor.len && r->list->after[0]))
            FAIL("list: a malformed cursor");
        return 0;
    case DX__REQUEST__BODY_INFO:
        if (!dx_dataset_name_valid(r->info->dataset))
            FAIL("info: invalid dataset name");
        return 0;
    case DX__REQUEST__BODY_AUDIT_QUERY: {
        const Dx__AuditQuery *q = r->audit_query;
        if (!s_opt_id(q->member) || !s_opt_glob(q->dataset))
            FAIL("audit query: invalid member or dataset pattern");
        if (!s_printable(q->action, 32) || !s_printable(q->decision, 16) ||
            !s_printable(q->purpose, DX_PURPOSE_MAX) || !s_printable(q->rule_id, DX_PURPOSE_MAX))
            FAIL("audit query: invalid action, decision, purpose or rule");
        return 0;
    }
    case DX__REQUEST__BODY_AUDIT_PROOF: {
        const Dx__AuditProofRequest *p = r->audit_proof;
        if (p->first == 0 || p->last < p->first || p->last - p->first >= DX_MAX_QUERY_PAGE)
            FAIL("audit proof: records first..last, at most %d", DX_MAX_QUERY_PAGE);
        return 0;
    }
    case DX__REQUEST__BODY_FEED: {
        const Dx__FeedRequest *f = r->feed;
        if (f->n_patterns > DX_MAX_FEED_PATTERNS)
            FAIL("feed: at most %d patterns", DX_MAX_FEED_PATTERNS);
        for (size_t i = 0; i < f->n_patterns; i++)
            if (!f->patterns[i][0] || !s_opt_glob(f->patterns[i]))
                FAIL("feed: invalid pattern");
        return 0;
    }
    case DX__REQUEST__BODY_DELIVERY_RECEIPT:
        if (r->delivery_receipt->signature.len != DX_SIG_LEN ||
            r->delivery_receipt->body.len == 0 || r->delivery_receipt->body.len > 4096)
            FAIL("delivery receipt: malformed signature or body");
        return 0;
    case DX__REQUEST__BODY_DELIVERIES:
        if (!dx_dataset_name_valid(r->deliveries->dataset))
            FAIL("deliveries: invalid dataset name");
        if ((r->deliveries->after_member[0] && !dx_id_valid(r->deliveries->after_member)) ||
            (r->deliveries->after_sha256.len && r->deliveries->after_sha256.len != DX_SHA256_LEN) ||
            r->deliveries->cursor.len > DX_CURSOR_MAX)
            FAIL("deliveries: invalid cursor");
        return 0;
    case DX__REQUEST__BODY_ERASE:
        /* the reason's words are the handler's to refuse, on the record */
        if (!dx_dataset_name_valid(r->erase->dataset) || strlen(r->erase->reason) > 4096)
            FAIL("erase: invalid dataset name, or a reason over 4096 bytes");
        return 0;
    case DX__REQUEST__BODY_AUDIT_POLICY:
        if (r->audit_policy->sha256.len != DX_SHA256_LEN)
            FAIL("audit policy: a policy set's SHA-256, 32 bytes");
        return 0;
    case DX__REQUEST__BODY_OPEN_DATA:
        if (r->open_data->after[0] && !dx_dataset_name_valid(r->open_data->after))
            FAIL("open data: invalid dataset name");
        return 0;
    case DX__REQUEST__BODY_ROTATE_MASTER_KEY:
    case DX__REQUEST__BODY_STATUS:
    case DX__REQUEST__BODY_AUDIT_READ:
    case DX__REQUEST__BODY_RELOAD:
    case DX__REQUEST__BODY_AUDIT_CONSISTENCY:
    case DX__REQUEST__BODY_AUDIT_HEADS:
        return 0;
    default:
        FAIL("unknown request type");
    }
}

/* What a member prints of a dataset: a hash of the right size, and an
 * erasure's words printable (they reach a terminal). */
static bool s_info_ok(const Dx__DatasetInfo *d)
{
    if (d->sha256.len != 0 && d->sha256.len != DX_SHA256_LEN)
        return false;
    return !d->erased || ((!d->erased->by[0] || dx_id_valid(d->erased->by)) &&
                          s_printable(d->erased->reason, 4096));
}

static int s_check_entry(const Dx__CatalogEntry *e, char err[DX_ERRMSG])
{
    if (!dx_dataset_name_valid(e->dataset) || e->version == 0)
        FAIL("catalog entry: invalid dataset or version");
    if (e->manifest.len == 0 || e->manifest.len > DX_MAX_MANIFEST || e->manifest_sig.len != DX_SIG_LEN)
        FAIL("catalog entry: invalid manifest or signature");
    if (e->publisher_key.len != DX_ED25519_LEN || e->sha256.len != DX_SHA256_LEN)
        FAIL("catalog entry: invalid key or hash length");
    if (!e->receipt || e->receipt->signature.len != DX_SIG_LEN)
        FAIL("catalog entry: invalid receipt");
    return 0;
}

static int s_check_delivery_receipt(const void *msg, char err[DX_ERRMSG])
{
    const Dx__DeliveryReceipt *d = msg;
    if (!dx_dataset_name_valid(d->dataset) || d->version == 0 || d->sha256.len != DX_SHA256_LEN ||
        !dx_id_valid(d->member) || (d->purpose[0] && !dx_token_valid(d->purpose)))
        FAIL("delivery receipt: missing or malformed fields");
    return 0;
}

static int s_check_delivery(const void *msg, char err[DX_ERRMSG])
{
    const Dx__Delivery *d = msg;
    if (!dx_dataset_name_valid(d->dataset) || d->version == 0 || d->sha256.len != DX_SHA256_LEN ||
        !dx_id_valid(d->member) || (d->purpose[0] && !dx_token_valid(d->purpose)) ||
        (d->receipt && d->receipt->signature.len != DX_SIG_LEN) || !s_printable(d->refused, 1024))
        FAIL("delivery: missing or malformed fields");
    return 0;
}

static int s_check_reply(const Dx__Reply *r, char err[DX_ERRMSG])
{
    if (r->error && (r->error->code < DX__ERROR_CODE__ERR_NONE ||
                     r->error->code > DX__ERROR_CODE__ERR_STANDBY ||
                     !s_printable(r->error->message, 1024)))
        FAIL("reply: malformed error");
    switch (r->body_case) {
    case DX__REPLY__BODY__NOT_SET:
        if (!r->error || r->error->code == DX__ERROR_CODE__ERR_NONE)
            FAIL("reply: neither a result nor an error");
        return 0;
    case DX__REPLY__BODY_RECEIPT:
        if (r->receipt->signature.len != DX_SIG_LEN)
            FAIL("reply: malformed receipt signature");
        return 0;
    case DX__REPLY__BODY_FETCH_READY: {
        const Dx__CatalogEntry *e = r->fetch_ready->entry;
        if (!e)
            FAIL("reply: fetch without catalog entry");
        if (!r->fetch_ready->filtered)
            return s_check_entry(e, err);
        if (!dx_dataset_name_valid(e->dataset) || e->version == 0 || !dx_id_valid(e->publisher))
            FAIL("reply: malformed description of a filtered view");
        return 0;
    }
    case DX__REPLY__BODY_FETCH_DATA:
        if (r->fetch_data->data.len > DX_CHUNK_SIZE * 2)
            FAIL("reply: oversized chunk");
        if (r->fetch_data->view && r->fetch_data->view->signature.len != DX_SIG_LEN)
            FAIL("reply: malformed view signature");
        return 0;
    case DX__REPLY__BODY_AUDIT:
        for (size_t i = 0; i < r->audit->n_proofs; i++)
            if (r->audit->proofs[i].len % 32 || r->audit->proofs[i].len > 32 * 64)
                FAIL("reply: malformed proof");
        return 0;
    case DX__REPLY__BODY_AUDIT_PROOFS:
        if (r->audit_proofs->n_proofs != r->audit_proofs->n_records)
            FAIL("reply: proofs and records do not pair up");
        for (size_t i = 0; i < r->audit_proofs->n_proofs; i++)
            if (r->audit_proofs->proofs[i].len % 32 || r->audit_proofs->proofs[i].len > 32 * 64)
                FAIL("reply: malformed proof");
        return 0;
    case DX__REPLY__BODY_AUDIT_CONSISTENCY:
        if (r->audit_consistency->proof.len % 32 || r->audit_consistency->proof.len > 32 * 64)
            FAIL("reply: malformed proof");
        return 0;
    case DX__REPLY__BODY_AUDIT_HEADS:
        if (r->audit_heads->n_stamps && r->audit_heads->n_stamps != r->audit_heads->n_checkpoints)
            FAIL("reply: heads and their time-stamp tokens do not pair");
        return 0;
    case DX__REPLY__BODY_INFO:
        if (!s_info_ok(r->info))
            FAIL("reply: malformed dataset info");
        return 0;
    case DX__REPLY__BODY_LIST:
        if (r->list->next_after[0] && !dx_dataset_name_valid(r->list->next_after))
            FAIL("reply: malformed list cursor");
        for (size_t i = 0; i < r->list->n_datasets; i++)
            if (!s_info_ok(r->list->datasets[i]))
                FAIL("reply: malformed dataset info");
        return 0;
    case DX__REPLY__BODY_PUBLISH_READY:
        if (r->publish_ready->chunk_size == 0 || r->publish_ready->chunk_size > DX_CHUNK_SIZE ||
            r->publish_ready->window == 0)
            FAIL("reply: malformed publish session");
        return 0;
    case DX__REPLY__BODY_STATUS:
        if (!s_printable(r->status->version, 128) || !s_printable(r->status->endpoint, 256) ||
            strpbrk(r->status->version, "\"\\") || strpbrk(r->status->endpoint, "\"\\") ||
            (r->status->policy_sha256.len && r->status->policy_sha256.len != DX_SHA256_LEN) ||
            !s_printable(r->status->reload_by, 128) || !s_printable(r->status->refused_reason, 512) ||
            (r->status->refused_policy_sha256.len &&
             r->status->refused_policy_sha256.len != DX_SHA256_LEN))
            FAIL("reply: malformed status");
        return 0;
    case DX__REPLY__BODY_ERASED:
        if (r->erased->n_versions != r->erased->n_audit_seqs)
            FAIL("reply: malformed erasure");
        return 0;
    case DX__REPLY__BODY_MASTER_KEY_ROTATED:
        if (!s_printable(r->master_key_rotated->old_id, 32) ||
            !s_printable(r->master_key_rotated->new_id, 32))
            FAIL("reply: malformed rotation");
        return 0;
    case DX__REPLY__BODY_OPEN_DATA:
        for (size_t i = 0; i < r->open_data->n_versions; i++) {
            const Dx__OpenVersion *v = r->open_data->versions[i];
            if (!dx_dataset_name_valid(v->dataset) || v->version == 0 || !dx_id_valid(v->publisher) ||
                v->sha256.len != DX_SHA256_LEN || v->manifest_sig.len != DX_SIG_LEN ||
                v->publisher_key.len != DX_ED25519_LEN || !v->receipt || !s_printable(v->content_type, 128) ||
                !s_printable(v->license, 300) || !s_printable(v->namespace_, DX_NAME_MAX))
                FAIL("reply: malformed open data entry");
        }
        if (r->open_data->next_after[0] && !dx_dataset_name_valid(r->open_data->next_after))
            FAIL("reply: malformed open data page");
        return 0;
    case DX__REPLY__BODY_CHUNK_ACK:
    case DX__REPLY__BODY_NOTIFY:
    case DX__REPLY__BODY_DELIVERY_ACK:
    case DX__REPLY__BODY_AUDIT_POLICY: /* checked against the hash asked for (dx-audit policy) */
        return 0;
    case DX__REPLY__BODY_FEED:
        for (size_t i = 0; i < r->feed->n_entries; i++)
            if (!dx_dataset_name_valid(r->feed->entries[i]->dataset) ||
                r->feed->entries[i]->version == 0 || r->feed->entries[i]->seq == 0 ||
                !s_printable(r->feed->entries[i]->erased_reason, 512))
                FAIL("reply: malformed feed entry");
        return 0;
    case DX__REPLY__BODY_DELIVERIES:
        for (size_t i = 0; i < r->deliveries->n_deliveries; i++)
            if (s_check_delivery(r->deliveries->deliveries[i], err) != 0)
                return DX_ERR_PROTOCOL;
        return 0;
    case DX__REPLY__BODY_RELOAD:
        if (r->reload->policy_sha256.len != DX_SHA256_LEN || r->reload->n_problems > 1000)
            FAIL("reply: malformed reload result");
        for (size_t i = 0; i < r->reload->n_problems; i++)
            if (!s_printable(r->reload->problems[i], 2048))
                FAIL("reply: malformed reload result");
        return 0;
    default:
        FAIL("reply: unknown type");
    }
}

static int s_check_manifest(const void *m, char err[DX_ERRMSG]) { return wire_manifest_check(m, err); }
static int s_check_request_msg(const void *r, char err[DX_ERRMSG]) { return s_check_request(r, err); }
static int s_check_reply_msg(const void *r, char err[DX_ERRMSG]) { return s_check_reply(r, err); }
static int s_check_entry_msg(const void *e, char err[DX_ERRMSG]) { return s_check_entry(e, err); }

static int s_check_receipt(const void *msg, char err[DX_ERRMSG])
{
    const Dx__Receipt *r = msg;
    if (!dx_dataset_name_valid(r->dataset) || r->version == 0 || r->sha256.len != DX_SHA256_LEN ||
        r->manifest_sha256.len != DX_SHA256_LEN || !dx_id_valid(r->publisher))
        FAIL("receipt: missing or malformed fields");
    return 0;
}

static int s_check_view(const void *msg, char err[DX_ERRMSG])
{
    const Dx__ViewManifest *v = msg;
    if (!dx_dataset_name_valid(v->dataset) || v->source_sha256.len != 0 ||
        v->source_manifest_sha256.len != DX_SHA256_LEN || v->view_sha256.len != DX_SHA256_LEN)
        FAIL("view manifest: missing or malformed fields");
    return 0;
}

static bool s_hash_or_none(const ProtobufCBinaryData *b) { return b->len == 0 || b->len == DX_SHA256_LEN; }

static int s_check_audit(const void *msg, char err[DX_ERRMSG])
{
    const Dx__AuditRecord *a = msg;
    if (a->seq == 0 || !s_hash_or_none(&a->prev_hash) || !s_hash_or_none(&a->manifest_sha256) ||
        !s_hash_or_none(&a->view_sha256) || a->salt.len > 32)
        FAIL("audit record: missing sequence number or malformed hash");
    return 0;
}

static int s_check_signed(const void *msg, char err[DX_ERRMSG])
{
    if (((const Dx__Signed *)msg)->signature.len != DX_SIG_LEN)
        FAIL("signed message: malformed signature");
    return 0;
}

/* Every decoder is one row: what the message is called in errors, its
 * descriptor, the largest encoding taken, and the checks of its fields.
 * One path (s_decode) applies them: size, raw strings, unpack, tags,
 * fields; a message that fails any of them is freed and never seen. */
typedef struct {
    const char *what;
    const ProtobufCMessageDescriptor *desc;
    size_t max;
    int (*check)(const void *msg, char err[DX_ERRMSG]);
} decoder_t;

enum { W_MANIFEST, W_REQUEST, W_REPLY, W_RECEIPT, W_VIEW, W_AUDIT, W_CATALOG, W_SIGNED,
       W_DELIVERY_RECEIPT, W_DELIVERY };

static const decoder_t s_decoders[] = {
    [W_MANIFEST] = { "manifest", &dx__manifest__descriptor, DX_MAX_MANIFEST, s_check_manifest },
    [W_REQUEST] = { "request", &dx__request__descriptor, DX_MAX_FRAME, s_check_request_msg },
    [W_REPLY] = { "reply", &dx__reply__descriptor, DX_MAX_FRAME * 2, s_check_reply_msg },
    [W_RECEIPT] = { "receipt", &dx__receipt__descriptor, 4096, s_check_receipt },
    [W_VIEW] = { "view manifest", &dx__view_manifest__descriptor, 1024 * 1024, s_check_view },
    [W_AUDIT] = { "audit record", &dx__audit_record__descriptor, 65536, s_check_audit },
    [W_CATALOG] = { "catalog entry", &dx__catalog_entry__descriptor, 65536, s_check_entry_msg },
    [W_SIGNED] = { "signed message", &dx__signed__descriptor, 1024 * 1024, s_check_signed },
    [W_DELIVERY_RECEIPT] = { "delivery receipt", &dx__delivery_receipt__descriptor, 4096,
                             s_check_delivery_receipt },
    [W_DELIVERY] = { "delivery", &dx__delivery__descriptor, 16384, s_check_delivery },
};

static int s_decode(int kind, const uint8_t *data, size_t len, void *out, char err[DX_ERRMSG])
{
    const decoder_t *k = &s_decoders[kind];
    *(void **)out = NULL;
    if (len == 0 || len > k->max)
        FAIL("%s: size %zu outside 1..%zu", k->what, len, k->max);
    void *m = s_unpack(k->desc, len, data);
    if (!m)
        FAIL("%s: %s", k->what, s_why(k->desc, len, data));
    int rv = k->check(m, err);
    if (rv != 0) {
        wire_free(&m);
        return rv;
    }
    *(void **)out = m;
    return 0;
}

int wire_manifest_decode(const uint8_t *data, size_t len, Dx__Manifest **out, char err[DX_ERRMSG])
{
    return s_decode(W_MANIFEST, data, len, out, err);
}

int wire_request_peek(const uint8_t *data, size_t len, Dx__Request__BodyCase *body,
                      char err[DX_ERRMSG])
{
    size_t i = 0;
    *body = DX__REQUEST__BODY__NOT_SET;
    if (len == 0 || len > DX_MAX_FRAME)
        FAIL("request: size %zu outside 1..%zu", len, (size_t)DX_MAX_FRAME);
    while (i < len) {
        uint64_t key, n = 0;
        if (!s_varint(data, len, &i, &key) || (key >> 3) == 0 || (key >> 3) > UINT32_MAX)
            FAIL("request: not a valid protobuf message (a field key at byte %zu)", i);
        switch (key & 7) {
        case 0: if (!s_varint(data, len, &i, &n)) FAIL("request: not a valid protobuf message"); break;
        case 1: n = 8; break;
        case 5: n = 4; break;
        case 2: if (!s_varint(data, len, &i, &n)) FAIL("request: not a valid protobuf message"); break;
        default: FAIL("request: not a valid protobuf message (wire type %u)", (unsigned)(key & 7));
        }
        if ((key & 7) != 0 && n > len - i)
            FAIL("request: not a valid protobuf message (a field runs past the end)");
        if ((key & 7) != 0)
            i += (size_t)n;
        if (protobuf_c_message_descriptor_get_field(&dx__request__descriptor, (unsigned)(key >> 3)) &&
            (key >> 3) >= 10) {
            /* a second body, even of the same type: protobuf-c would keep
             * the last, another reader might keep the first */
            if (*body != DX__REQUEST__BODY__NOT_SET)
                FAIL("request: more than one request in one frame");
            *body = (Dx__Request__BodyCase)(key >> 3);
        }
    }
    return 0;
}

int wire_request_decode(const uint8_t *data, size_t len, Dx__Request **out, char err[DX_ERRMSG])
{
    return s_decode(W_REQUEST, data, len, out, err);
}

int wire_reply_decode(const uint8_t *data, size_t len, Dx__Reply **out, char err[DX_ERRMSG])
{
    return s_decode(W_REPLY, data, len, out, err);
}

int wire_receipt_decode(const uint8_t *data, size_t len, Dx__Receipt **out, char err[DX_ERRMSG])
{
    return s_decode(W_RECEIPT, data, len, out, err);
}

int wire_delivery_receipt_decode(const uint8_t *data, size_t len, Dx__DeliveryReceipt **out,
                                 char err[DX_ERRMSG])
{
    return s_decode(W_DELIVERY_RECEIPT, data, len, out, err);
}

int wire_delivery_decode(const uint8_t *data, size_t len, Dx__Delivery **out, char err[DX_ERRMSG])
{
    return s_decode(W_DELIVERY, data, len, out, err);
}

int wire_view_decode(const uint8_t *data, size_t len, Dx__ViewManifest **out, char err[DX_ERRMSG])
{
    return s_decode(W_VIEW, data, len, out, err);
}

int wire_audit_decode(const uint8_t *data, size_t len, Dx__AuditRecord **out, char err[DX_ERRMSG])
{
    return s_decode(W_AUDIT, data, len, out, err);
}

int wire_catalog_decode(const uint8_t *data, size_t len, Dx__CatalogEntry **out, char err[DX_ERRMSG])
{
    return s_decode(W_CATALOG, data, len, out, err);
}

int wire_signed_decode(const uint8_t *data, size_t len, Dx__Signed **out, char err[DX_ERRMSG])
{
    return s_decode(W_SIGNED, data, len, out, err);
}
