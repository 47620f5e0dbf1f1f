#include "crypto.h"
#include "fileio.h"
#include "test.h"
#include "wire.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int s_decode_request(Dx__Request *r, Dx__Request **out, char err[DX_ERRMSG])
{
    uint8_t *data = NULL;
    size_t len = 0;
    wire_pack(&r->base, &data, &len);
    int rv = wire_request_decode(data, len, out, err);
    free(data);
    return rv;
}

TEST(request_round_trip)
{
    Dx__Request r = DX__REQUEST__INIT, *back = NULL;
    Dx__FetchBegin fb = DX__FETCH_BEGIN__INIT;
    char err[DX_ERRMSG];
    fb.dataset = "health/x";
    fb.purpose = "statistics";
    r.protocol = DX_PROTOCOL_VERSION;
    r.id = 7;
    r.body_case = DX__REQUEST__BODY_FETCH_BEGIN;
    r.fetch_begin = &fb;
    CHECK_EQ(s_decode_request(&r, &back, err), 0);
    CHECK(back && back->id == 7 && strcmp(back->fetch_begin->dataset, "health/x") == 0);
    wire_request_free(&back);
    CHECK(back == NULL);
}

TEST(request_checks)
{
    Dx__Request r = DX__REQUEST__INIT, *back = NULL;
    Dx__FetchBegin fb = DX__FETCH_BEGIN__INIT;
    char err[DX_ERRMSG];
    fb.dataset = "../etc/passwd";
    fb.purpose = "x";
    r.protocol = DX_PROTOCOL_VERSION;
    r.body_case = DX__REQUEST__BODY_FETCH_BEGIN;
    r.fetch_begin = &fb;
    CHECK_EQ(s_decode_request(&r, &back, err), DX_ERR_PROTOCOL);
    CHECK(strstr(err, "dataset") != NULL);
    fb.dataset = "ok/name";
    r.protocol = 99;
    CHECK_EQ(s_decode_request(&r, &back, err), DX_ERR_PROTOCOL);
    CHECK(strstr(err, "protocol version") != NULL);
    r.protocol = DX_PROTOCOL_VERSION;
    r.body_case = DX__REQUEST__BODY__NOT_SET;
    CHECK_EQ(s_decode_request(&r, &back, err), DX_ERR_PROTOCOL);
    CHECK(strstr(err, "unknown request") != NULL);
    Dx__PublishBegin pb = DX__PUBLISH_BEGIN__INIT;
    uint8_t sig[10] = { 0 };
    pb.manifest.data = sig;
    pb.manifest.len = 10;
    pb.signature.data = sig;
    pb.signature.len = 10;
    r.body_case = DX__REQUEST__BODY_PUBLISH_BEGIN;
    r.publish_begin = &pb;
    CHECK_EQ(s_decode_request(&r, &back, err), DX_ERR_PROTOCOL);
    CHECK(strstr(err, "signature") != NULL);
}

TEST(feed_and_delivery_checks)
{
    Dx__Request r = DX__REQUEST__INIT, *back = NULL;
    Dx__FeedRequest fr = DX__FEED_REQUEST__INIT;
    char err[DX_ERRMSG], *patterns[DX_MAX_FEED_PATTERNS + 1];
    for (int i = 0; i <= DX_MAX_FEED_PATTERNS; i++)
        patterns[i] = "health/**";
    r.protocol = DX_PROTOCOL_VERSION;
    r.body_case = DX__REQUEST__BODY_FEED;
    r.feed = &fr;
    fr.patterns = patterns;
    fr.n_patterns = DX_MAX_FEED_PATTERNS;
    CHECK_EQ(s_decode_request(&r, &back, err), 0);
    wire_request_free(&back);
    fr.n_patterns = DX_MAX_FEED_PATTERNS + 1;
    CHECK_EQ(s_decode_request(&r, &back, err), DX_ERR_PROTOCOL);
    CHECK(strstr(err, "at most") != NULL);
    patterns[0] = "";
    fr.n_patterns = 1;
    CHECK_EQ(s_decode_request(&r, &back, err), DX_ERR_PROTOCOL);
    Dx__Signed sr = DX__SIGNED__INIT;
    uint8_t body[8] = { 0 };
    sr.body.data = body;
    sr.body.len = sizeof body;
    sr.signature.data = body;
    sr.signature.len = sizeof body;
    r.body_case = DX__REQUEST__BODY_DELIVERY_RECEIPT;
    r.delivery_receipt = &sr;
    CHECK_EQ(s_decode_request(&r, &back, err), DX_ERR_PROTOCOL);
    CHECK(strstr(err, "delivery receipt") != NULL);
    /* a receipt body without a hash, or naming no member */
    Dx__DeliveryReceipt dr = DX__DELIVERY_RECEIPT__INIT, *d = NULL;
    uint8_t *packed = NULL;
    size_t len = 0;
    dr.dataset = "health/x";
    dr.version = 1;
    dr.member = "statistics";
    CHECK_EQ(wire_pack(&dr.base, &packed, &len), 0);
    CHECK_EQ(wire_delivery_receipt_decode(packed, len, &d, err), DX_ERR_PROTOCOL);
    free(packed);
    uint8_t sha[32] = { 1 };
    dr.sha256.data = sha;
    dr.sha256.len = 32;
    CHECK_EQ(wire_pack(&dr.base, &packed, &len), 0);
    CHECK_EQ(wire_delivery_receipt_decode(packed, len, &d, err), 0);
    CHECK(d && strcmp(d->member, "statistics") == 0);
    wire_free(&d);
    free(packed);
    dr.member = "Not An Id";
    CHECK_EQ(wire_pack(&dr.base, &packed, &len), 0);
    CHECK_EQ(wire_delivery_receipt_decode(packed, len, &d, err), DX_ERR_PROTOCOL);
    free(packed);
    /* a feed reply naming something that is not a dataset name */
    Dx__Reply rep = DX__REPLY__INIT, *rb = NULL;
    Dx__FeedReply feed = DX__FEED_REPLY__INIT;
    Dx__FeedEntry fe = DX__FEED_ENTRY__INIT, *fes[1] = { &fe };
    fe.seq = 4;
    fe.dataset = "../x";
    fe.version = 1;
    feed.entries = fes;
    feed.n_entries = 1;
    rep.body_case = DX__REPLY__BODY_FEED;
    rep.feed = &feed;
    CHECK_EQ(wire_pack(&rep.base, &packed, &len), 0);
    CHECK_EQ(wire_reply_decode(packed, len, &rb, err), DX_ERR_PROTOCOL);
    free(packed);
}

TEST(garbage_and_truncation)
{
    Dx__Request *back = NULL;
    char err[DX_ERRMSG];
    uint8_t garbage[64];
    for (int i = 0; i < 64; i++)
        garbage[i] = (uint8_t)(i * 91 + 7);
    CHECK(wire_request_decode(garbage, sizeof garbage, &back, err) != 0);
    CHECK(wire_request_decode(garbage, 0, &back, err) != 0);
    CHECK(wire_request_decode(garbage, DX_MAX_FRAME + 1, &back, err) != 0);
    /* every truncation of a valid request is refused or decodes to a valid one */
    Dx__Request r = DX__REQUEST__INIT;
    Dx__ListRequest lr = DX__LIST_REQUEST__INIT;
    lr.pattern = "health/**";
    r.protocol = DX_PROTOCOL_VERSION;
    r.id = 1;
    r.body_case = DX__REQUEST__BODY_LIST;
    r.list = &lr;
    uint8_t *data = NULL;
    size_t len = 0;
    wire_pack(&r.base, &data, &len);
    for (size_t n = 1; n < len; n++) {
        int rv = wire_request_decode(data, n, &back, err);
        CHECK(rv != 0 || back != NULL);
        wire_request_free(&back);
    }
    free(data);
}

/* The broker reads a frame's type from its top level before unpacking
 * it (its size is checked against the type's limit first): the type is
 * found without looking inside the body, a frame that carries two bodies
 * is refused (protobuf-c keeps the last, another reader the first), and
 * wherever both read a frame they read the same type. */
TEST(the_type_is_read_before_anything_is_unpacked)
{
    char err[DX_ERRMSG];
    Dx__Request__BodyCase type;
    Dx__Request r = DX__REQUEST__INIT, *back = NULL;
    Dx__ListRequest lr = DX__LIST_REQUEST__INIT;
    lr.pattern = "health/**";
    r.protocol = DX_PROTOCOL_VERSION;
    r.id = 3;
    r.body_case = DX__REQUEST__BODY_LIST;
    r.list = &lr;
    uint8_t *data = NULL;
    size_t len = 0;
    CHECK_EQ(wire_pack(&r.base, &data, &len), 0);
    CHECK_EQ(wire_request_peek(data, len, &type, err), 0);
    CHECK_EQ(type, DX__REQUEST__BODY_LIST);
    for (size_t n = 1; n <= len; n++) {
        int dv = wire_request_decode(data, n, &back, err);
        int pv = wire_request_peek(data, n, &type, err);
        CHECK(dv != 0 || (pv == 0 && type == back->body_case));
        wire_request_free(&back);
    }
    free(data);
    /* a body whose inside is garbage: its type is still read, unread */
    const uint8_t junk[] = { 0x08, 0x02, 0x10, 0x01, 0x72, 0x03, 0xff, 0xff, 0xff };
    CHECK_EQ(wire_request_peek(junk, sizeof junk, &type, err), 0);
    CHECK_EQ(type, DX__REQUEST__BODY_LIST);
    CHECK(wire_request_decode(junk, sizeof junk, &back, err) != 0);
    /* two bodies, of two types or of one */
    const uint8_t two[] = { 0x08, 0x02, 0x72, 0x00, 0x7a, 0x00 };
    CHECK_EQ(wire_request_peek(two, sizeof two, &type, err), DX_ERR_PROTOCOL);
    CHECK(strstr(err, "more than one request") != NULL);
    const uint8_t twice[] = { 0x08, 0x02, 0x72, 0x00, 0x72, 0x00 };
    CHECK_EQ(wire_request_peek(twice, sizeof twice, &type, err), DX_ERR_PROTOCOL);
    /* no body; a length past the end; a field numbered 0 */
    const uint8_t none[] = { 0x08, 0x02, 0x10, 0x01 };
    CHECK_EQ(wire_request_peek(none, sizeof none, &type, err), 0);
    CHECK_EQ(type, DX__REQUEST__BODY__NOT_SET);
    const uint8_t past[] = { 0x08, 0x02, 0x72, 0x7f, 0x00 };
    CHECK_EQ(wire_request_peek(past, sizeof past, &type, err), DX_ERR_PROTOCOL);
    const uint8_t zero[] = { 0x08, 0x02, 0x82, 0x00, 0x00 };
    CHECK_EQ(wire_request_peek(zero, sizeof zero, &type, err), DX_ERR_PROTOCOL);
}

/* Found by fuzz_wire: protobuf-c keeps a field numbered 0, spelled as the
 * two-byte tag 0x82 0x00, as an unknown field; no decoder may accept it,
 * at the top of a message or nested in one. */
TEST(field_number_zero)
{
    char err[DX_ERRMSG];
    const uint8_t record[] = { 0x08, 0x01, 0x10, 0x07, 0x82, 0x00, 0x01, 'x' };
    Dx__AuditRecord *a = NULL;
    CHECK(wire_audit_decode(record, sizeof record, &a, err) != 0 && a == NULL);
    CHECK(wire_audit_decode(record, 4, &a, err) == 0 && a != NULL);
    wire_free(&a);
    /* a request whose list body holds the same field */
    const uint8_t request[] = { 0x08, 0x02, 0x10, 0x01, 0x72, 0x06, 0x0a, 0x01, 'a', 0x82, 0x00, 0x00 };
    Dx__Request *r = NULL;
    CHECK(wire_request_decode(request, sizeof request, &r, err) != 0 && r == NULL);
    const uint8_t fine[] = { 0x08, 0x02, 0x10, 0x01, 0x72, 0x03, 0x0a, 0x01, 'a' };
    CHECK(wire_request_decode(fine, sizeof fine, &r, err) == 0 && r != NULL);
    wire_request_free(&r);
}

TEST(manifest_checks)
{
    Dx__Manifest m = DX__MANIFEST__INIT;
    uint8_t sha[32] = { 0 }, nonce[16] = { 0 };
    char err[DX_ERRMSG];
    m.dataset = "health/x";
    m.sha256.data = sha;
    m.sha256.len = 32;
    m.content_type = "text/csv";
    m.classification = DX__CLASSIFICATION__INTERNAL;
    m.created_ms = 1;
    m.nonce.data = nonce;
    m.nonce.len = 16;
    m.publisher = "health";
    CHECK_EQ(wire_manifest_check(&m, err), 0);
    m.classification = 9;
    CHECK(wire_manifest_check(&m, err) != 0);
    m.classification = DX__CLASSIFICATION__INTERNAL;
    m.nonce.len = 8;
    CHECK(wire_manifest_check(&m, err) != 0);
    m.nonce.len = 16;
    m.content_type = "text/csv\n";
    CHECK(wire_manifest_check(&m, err) != 0);
    m.content_type = "text/csv";
    m.publisher = "Health";
    CHECK(wire_manifest_check(&m, err) != 0);
    uint8_t *data = NULL;
    size_t len = 0;
    m.publisher = "health";
    wire_pack(&m.base, &data, &len);
    Dx__Manifest *back = NULL;
    CHECK_EQ(wire_manifest_decode(data, len, &back, err), 0);
    CHECK(back && back->created_ms == 1);
    wire_free(&back);
    free(data);
}

/* Issue 8, item 8: protobuf-c takes strings as C strings; a NUL would cut
 * the name that was signed, and bytes that are not UTF-8 make replies that
 * standard decoders refuse. Every string field, at any depth, is checked
 * in the raw bytes; bytes fields are not strings. */
TEST(strings_are_utf8_without_nul)
{
    char err[DX_ERRMSG];
    Dx__Manifest m = DX__MANIFEST__INIT;
    uint8_t sha[32], nonce[16] = { 0 };
    memset(sha, 0xFF, sizeof sha); /* bytes may be anything */
    m.sha256.data = sha, m.sha256.len = 32, m.content_type = "text/csv";
    m.classification = DX__CLASSIFICATION__INTERNAL, m.created_ms = 1;
    m.nonce.data = nonce, m.nonce.len = 16, m.publisher = "health";
    /* "health/x" + NUL + "evil", spliced in by hand as protobuf-c would not */
    uint8_t buf[256];
    size_t n = 0;
    const char name[] = "health/x\0evil";
    buf[n++] = 0x0a, buf[n++] = sizeof name - 1;
    memcpy(buf + n, name, sizeof name - 1), n += sizeof name - 1;
    m.dataset = "";
    uint8_t *rest = NULL;
    size_t rlen = 0;
    CHECK_EQ(wire_pack(&m.base, &rest, &rlen), 0);
    memcpy(buf + n, rest, rlen), n += rlen;
    Dx__Manifest *back = NULL;
    CHECK(wire_manifest_decode(buf, n, &back, err) != 0 && back == NULL);
    CHECK(strstr(err, "UTF-8") != NULL);
    buf[1 + 9] = '/'; /* the same without the NUL: health/x/evil */
    CHECK_EQ(wire_manifest_decode(buf, n, &back, err), 0);
    CHECK(back && strcmp(back->dataset, "health/x/evil") == 0);
    wire_free(&back);
    free(rest);
    /* content types: not UTF-8, not a media type */
    m.dataset = "health/x";
    m.content_type = "text/csv\xFF";
    CHECK(wire_manifest_check(&m, err) != 0);
    m.content_type = "text/csv; header=absent"; /* a media type; the filter refuses it later */
    CHECK_EQ(wire_manifest_check(&m, err), 0);
    m.content_type = "csv";
    CHECK(wire_manifest_check(&m, err) != 0);
    /* nested: a request whose audit query member is not UTF-8 */
    const uint8_t q[] = { 0x08, 0x02, 0x10, 0x01, 0x82, 0x01, 0x04, 0x1a, 0x02, 0xC3, 0x28 };
    Dx__Request *r = NULL;
    CHECK(wire_request_decode(q, sizeof q, &r, err) != 0 && r == NULL);
    const uint8_t ok[] = { 0x08, 0x02, 0x10, 0x01, 0x82, 0x01, 0x04, 0x1a, 0x02, 0xC3, 0xA9 };
    CHECK(wire_request_decode(ok, sizeof ok, &r, err) != 0); /* UTF-8, but not a member id */
    CHECK(strstr(err, "UTF-8") == NULL);
    /* a repeated string (view fields) with a NUL */
    const uint8_t v[] = { 0x42, 0x03, 'a', 0x00, 'b' };
    Dx__ViewManifest *vm = NULL;
    CHECK(wire_view_decode(v, sizeof v, &vm, err) != 0 && strstr(err, "UTF-8"));
}

/* Issue 8, item 5: a read states a purpose, on the wire too. */
TEST(fetch_needs_a_purpose)
{
    char err[DX_ERRMSG];
    const char *purposes[] = { "", "Bad", "a b", "-x", "statistics" };
    for (size_t i = 0; i < 5; i++) {
        Dx__Request r = DX__REQUEST__INIT;
        Dx__FetchBegin fb = DX__FETCH_BEGIN__INIT;
        fb.dataset = "health/x";
        fb.purpose = (char *)purposes[i];
        r.protocol = DX_PROTOCOL_VERSION, r.id = 1;
        r.body_case = DX__REQUEST__BODY_FETCH_BEGIN, r.fetch_begin = &fb;
        uint8_t *data = NULL;
        size_t len = 0;
        CHECK_EQ(wire_pack(&r.base, &data, &len), 0);
        Dx__Request *back = NULL;
        int rv = wire_request_decode(data, len, &back, err);
        CHECK(i == 4 ? rv == 0 : rv != 0);
        wire_request_free(&back);
        free(data);
    }
}

/* The fuzzer's seeds are frames each decoder accepts (dx-wire-seeds wrote
 * them): if the protocol changes under them, regenerate them. */
TEST(fuzz_seeds_decode)
{
    static const char *const kinds[] = { "req-", "reply-", "manifest", "receipt", "view-manifest",
                                         "audit-record", "signed", "catalog-entry" };
    DIR *d = opendir("tests/fuzz/corpus/wire");
    CHECK(d != NULL);
    struct dirent *e;
    int seen = 0;
    while (d && (e = readdir(d)) != NULL) {
        size_t k = 0;
        while (k < 8 && strncmp(e->d_name, kinds[k], strlen(kinds[k])) != 0)
            k++;
        if (k == 8)
            continue;
        char path[512], err[DX_ERRMSG];
        uint8_t *data = NULL;
        size_t len = 0;
        snprintf(path, sizeof path, "tests/fuzz/corpus/wire/%s", e->d_name);
        CHECK_EQ(dx_read_small_file(path, DX_MAX_FRAME, (char **)&data, &len), 0);
        void *msg = NULL;
        int rv = k == 0 ? wire_request_decode(data, len, (Dx__Request **)&msg, err)
               : k == 1 ? wire_reply_decode(data, len, (Dx__Reply **)&msg, err)
               : k == 2 ? wire_manifest_decode(data, len, (Dx__Manifest **)&msg, err)
               : k == 3 ? wire_receipt_decode(data, len, (Dx__Receipt **)&msg, err)
               : k == 4 ? wire_view_decode(data, len, (Dx__ViewManifest **)&msg, err)
               : k == 5 ? wire_audit_decode(data, len, (Dx__AuditRecord **)&msg, err)
               : k == 6 ? wire_signed_decode(data, len, (Dx__Signed **)&msg, err)
                        : wire_catalog_decode(data, len, (Dx__CatalogEntry **)&msg, err);
        if (rv != 0)
            printf("# %s: %s\n", e->d_name, err);
        CHECK_EQ(rv, 0);
        wire_free(&msg);
        free(data);
        seen++;
    }
    if (d)
        closedir(d);
    CHECK(seen >= 30);
}

int main(void)
{
    RUN(request_round_trip);
    RUN(strings_are_utf8_without_nul);
    RUN(fetch_needs_a_purpose);
    RUN(request_checks);
    RUN(feed_and_delivery_checks);
    RUN(garbage_and_truncation);
    RUN(manifest_checks);
    RUN(field_number_zero);
    RUN(the_type_is_read_before_anything_is_unpacked);
    RUN(fuzz_seeds_decode);
    return TEST_EXIT();
}
