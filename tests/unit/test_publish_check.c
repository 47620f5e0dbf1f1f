/* publish_check: a publish's checks on the job threads. A manifest is
 * looked at only once its signature verifies; a transfer's chunks are
 * hashed in order under (member, transfer id), and the last carries the
 * digest. */
#include "publish_check.h"
#include "signed.h"
#include "test.h"
#include "transfer.h"
#include "wire.h"
#include "broker.h"

#include <stdlib.h>
#include <string.h>

static void s_chunk(broker_t *b, const char *member, uint64_t session, uint32_t index,
                    const char *data, bool last, check_t *out)
{
    Dx__Request req = DX__REQUEST__INIT;
    Dx__PublishChunk pc = DX__PUBLISH_CHUNK__INIT;
    pc.session = session;
    pc.index = index;
    pc.data.data = (uint8_t *)data;
    pc.data.len = strlen(data);
    pc.last = last;
    req.body_case = DX__REQUEST__BODY_PUBLISH_CHUNK;
    req.publish_chunk = &pc;
    request_t rq;
    memset(&rq, 0, sizeof rq);
    snprintf(rq.member_id, sizeof rq.member_id, "%s", member);
    rq.req = &req;
    int lane = (int)(publish_chunk_key(&rq) % 2);
    publish_check_chunk(b, &rq, lane);
    *out = rq.check;
}

TEST(chunks_hash_in_order_per_member_and_transfer)
{
    broker_t b;
    memset(&b, 0, sizeof b);
    CHECK_EQ(publish_lanes_new(2, 60000, 4, &b.lanes), 0);
    if (!b.lanes)
        return;
    check_t c;
    uint8_t want[32];
    dx_sha256((const uint8_t *)"abcdef", 6, want);
    s_chunk(&b, "health", 77, 0, "ab", false, &c);
    CHECK(c.ran && c.hash_rv == 0);
    /* another member naming the same id starts a hash of its own */
    s_chunk(&b, "tax", 77, 0, "zz", false, &c);
    CHECK_EQ(c.hash_rv, 0);
    s_chunk(&b, "health", 77, 1, "cd", false, &c);
    CHECK_EQ(c.hash_rv, 0);
    s_chunk(&b, "health", 77, 2, "ef", true, &c);
    CHECK_EQ(c.hash_rv, 0);
    CHECK(memcmp(c.digest, want, 32) == 0);
    /* the hash ended with its last chunk */
    s_chunk(&b, "health", 77, 3, "gh", false, &c);
    CHECK_EQ(c.hash_rv, DX_ERR_PROTOCOL);
    /* out of order: the running hash is dropped */
    s_chunk(&b, "tax", 77, 2, "zz", false, &c);
    CHECK_EQ(c.hash_rv, DX_ERR_PROTOCOL);
    s_chunk(&b, "tax", 77, 1, "zz", false, &c);
    CHECK_EQ(c.hash_rv, DX_ERR_PROTOCOL);
    /* a member holding more than its share loses its oldest, not others' */
    for (uint64_t id = 100; id < 110; id += 2) /* even ids: one lane */
        s_chunk(&b, "tax", id, 0, "x", false, &c);
    s_chunk(&b, "health", 200, 0, "x", false, &c);
    s_chunk(&b, "health", 200, 1, "y", false, &c);
    CHECK_EQ(c.hash_rv, 0);
    s_chunk(&b, "tax", 100, 1, "x", false, &c);
    CHECK_EQ(c.hash_rv, DX_ERR_PROTOCOL);
    s_chunk(&b, "tax", 108, 1, "x", false, &c);
    CHECK_EQ(c.hash_rv, 0);
    publish_lanes_free(&b.lanes);
    CHECK(b.lanes == NULL);
}

TEST(nothing_of_an_unsigned_manifest_is_parsed)
{
    dx_keypair_t me;
    CHECK_EQ(dx_keypair_generate("health", &me), 0);
    uint8_t sha[32], sig[64], *m = NULL;
    size_t mlen = 0;
    char err[DX_ERRMSG];
    dx_sha256((const uint8_t *)"hi", 2, sha);
    dx_manifest_opts_t mo = { .dataset = "health/x", .publisher = "health",
                              .content_type = "text/csv", .classification = 2, .sha256 = sha,
                              .size = 2 };
    CHECK_EQ(dx_manifest_build(&mo, &m, &mlen, err), 0);
    CHECK_EQ(dx_sign(me.sign_secret, DX_CTX_MANIFEST, m, mlen, sig), 0);
    Dx__Request req = DX__REQUEST__INIT;
    Dx__PublishBegin pb = DX__PUBLISH_BEGIN__INIT;
    pb.manifest.data = m;
    pb.manifest.len = mlen;
    pb.signature.data = sig;
    pb.signature.len = 64;
    pb.has_inline = true;
    pb.inline_data.data = (uint8_t *)"hi";
    pb.inline_data.len = 2;
    req.body_case = DX__REQUEST__BODY_PUBLISH_BEGIN;
    req.publish_begin = &pb;
    request_t rq;
    memset(&rq, 0, sizeof rq);
    rq.req = &req;
    publish_check_signed(&rq, (const uint8_t (*)[32])me.pub.sign, 1);
    CHECK(rq.check.ran && rq.check.verified == 0 && rq.check.manifest_rv == 0);
    CHECK(rq.check.manifest && strcmp(rq.check.manifest->dataset, "health/x") == 0);
    CHECK(rq.check.inline_matches);
    /* another key: refused, and the manifest left alone */
    dx_keypair_t other;
    CHECK_EQ(dx_keypair_generate("tax", &other), 0);
    publish_check_signed(&rq, (const uint8_t (*)[32])other.pub.sign, 1);
    CHECK_EQ(rq.check.verified, DX_ERR_INTEGRITY);
    CHECK(rq.check.manifest == NULL);
    /* during a rotation, two keys: the one that signed is found, and named */
    uint8_t two[2][32];
    memcpy(two[0], other.pub.sign, 32);
    memcpy(two[1], me.pub.sign, 32);
    publish_check_signed(&rq, (const uint8_t (*)[32])two, 2);
    CHECK(rq.check.verified == 0 && memcmp(rq.check.sign_key, me.pub.sign, 32) == 0);
    /* content that is not what was signed */
    pb.inline_data.data = (uint8_t *)"ho";
    publish_check_signed(&rq, (const uint8_t (*)[32])me.pub.sign, 1);
    CHECK(rq.check.verified == 0 && !rq.check.inline_matches);
    publish_check_clear(&rq.check);
    free(m);
    dx_keypair_wipe(&me);
    dx_keypair_wipe(&other);
}

int main(void)
{
    RUN(chunks_hash_in_order_per_member_and_transfer);
    RUN(nothing_of_an_unsigned_manifest_is_parsed);
    return TEST_EXIT();
}
