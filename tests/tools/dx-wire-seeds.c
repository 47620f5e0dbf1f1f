/* dx-wire-seeds: writes one well-formed frame of every message kind the
 * wire decoders accept, the seed corpus of fuzz_wire:
 *
 *   dx-wire-seeds DIR
 *
 * tests/fuzz/corpus/wire holds its output; run it again when proto/dx.proto
 * changes. Values are plausible, not signed: the decoders check form, and
 * the fuzzer needs only to start from frames that pass. */
#include "transfer.h"
#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *s_dir;
static int s_failed;
static uint8_t s_hash[32] = { 0x9f, 0x86, 0xd0, 0x81, 0x88, 0x4c, 0x7d, 0x65 };
static uint8_t s_sig[64] = { 0x5a, 0x01, 0x02, 0x03 };
static const char s_checkpoint[] =
    "dx/3f2a9c\n42\nq6rjxF1cDSXQ4ZcExE2b0v4l8m0xG1CqXqvXlDx0hQk=\ntime 1764331200000\n\n"
    "\xe2\x80\x94 dx/3f2a9c Qm9vAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";

static void s_write(const char *name, const ProtobufCMessage *msg)
{
    uint8_t *data = NULL;
    size_t len = 0;
    char path[512];
    snprintf(path, sizeof path, "%s/%s", s_dir, name);
    FILE *f = NULL;
    if (wire_pack(msg, &data, &len) != 0 || !(f = fopen(path, "wb")) || fwrite(data, 1, len, f) != len) {
        fprintf(stderr, "dx-wire-seeds: cannot write %s\n", path);
        s_failed = 1;
    }
    if (f && fclose(f) != 0)
        s_failed = 1;
    free(data);
}

static ProtobufCBinaryData s_bytes(const void *data, size_t len)
{
    return (ProtobufCBinaryData){ len, (uint8_t *)data };
}

static void s_request(const char *name, Dx__Request *r)
{
    r->protocol = DX_PROTOCOL_VERSION;
    r->id = 7;
    s_write(name, &r->base);
}

static void s_requests(const uint8_t *manifest, size_t mlen)
{
    Dx__Request r = DX__REQUEST__INIT;
    Dx__PublishBegin pb = DX__PUBLISH_BEGIN__INIT;
    pb.manifest = s_bytes(manifest, mlen);
    pb.signature = s_bytes(s_sig, 64);
    pb.inline_data = s_bytes("id,region\n1,north\n", 18);
    pb.has_inline = true;
    r.body_case = DX__REQUEST__BODY_PUBLISH_BEGIN, r.publish_begin = &pb;
    s_request("req-publish-begin", &r);
    Dx__PublishChunk pc = DX__PUBLISH_CHUNK__INIT;
    pc.session = 3, pc.index = 1, pc.data = s_bytes("2,south\n", 8), pc.last = true;
    r.body_case = DX__REQUEST__BODY_PUBLISH_CHUNK, r.publish_chunk = &pc;
    s_request("req-publish-chunk", &r);
    Dx__FetchBegin fb = DX__FETCH_BEGIN__INIT;
    fb.dataset = "health/vaccination/2026", fb.version = 2, fb.purpose = "statistics";
    r.body_case = DX__REQUEST__BODY_FETCH_BEGIN, r.fetch_begin = &fb;
    s_request("req-fetch-begin", &r);
    Dx__FetchMore fm = DX__FETCH_MORE__INIT;
    fm.session = 3;
    r.body_case = DX__REQUEST__BODY_FETCH_MORE, r.fetch_more = &fm;
    s_request("req-fetch-more", &r);
    Dx__ListRequest lr = DX__LIST_REQUEST__INIT;
    lr.pattern = "health/**";
    r.body_case = DX__REQUEST__BODY_LIST, r.list = &lr;
    s_request("req-list", &r);
    Dx__InfoRequest ir = DX__INFO_REQUEST__INIT;
    ir.dataset = "health/vaccination/2026";
    r.body_case = DX__REQUEST__BODY_INFO, r.info = &ir;
    s_request("req-info", &r);
    Dx__AuditQuery aq = DX__AUDIT_QUERY__INIT;
    aq.since_ms = 1764331200000, aq.member = "statistics", aq.dataset = "health/**", aq.action = "read";
    aq.decision = "allow", aq.limit = 100, aq.purpose = "statistics", aq.rule_id = "stats-reads";
    aq.with_proofs = true;
    r.body_case = DX__REQUEST__BODY_AUDIT_QUERY, r.audit_query = &aq;
    s_request("req-audit-query", &r);
    Dx__AuditRead ar = DX__AUDIT_READ__INIT;
    ar.after_seq = 10;
    r.body_case = DX__REQUEST__BODY_AUDIT_READ, r.audit_read = &ar;
    s_request("req-audit-read", &r);
    Dx__ReloadRequest rl = DX__RELOAD_REQUEST__INIT;
    r.body_case = DX__REQUEST__BODY_RELOAD, r.reload = &rl;
    s_request("req-reload", &r);
    Dx__AuditProofRequest ap = DX__AUDIT_PROOF_REQUEST__INIT;
    ap.first = 3, ap.last = 5, ap.size = 42;
    r.body_case = DX__REQUEST__BODY_AUDIT_PROOF, r.audit_proof = &ap;
    s_request("req-audit-proof", &r);
    Dx__AuditConsistencyRequest ac = DX__AUDIT_CONSISTENCY_REQUEST__INIT;
    ac.old_size = 17, ac.new_size = 42;
    r.body_case = DX__REQUEST__BODY_AUDIT_CONSISTENCY, r.audit_consistency = &ac;
    s_request("req-audit-consistency", &r);
    Dx__AuditHeadsRequest ah = DX__AUDIT_HEADS_REQUEST__INIT;
    ah.after_size = 1;
    r.body_case = DX__REQUEST__BODY_AUDIT_HEADS, r.audit_heads = &ah;
    s_request("req-audit-heads", &r);
    Dx__FeedRequest fq = DX__FEED_REQUEST__INIT;
    char *patterns[] = { "health/**", "labour/*" };
    fq.after = 41, fq.n_patterns = 2, fq.patterns = patterns, fq.limit = 100, fq.watch = true;
    r.body_case = DX__REQUEST__BODY_FEED, r.feed = &fq;
    s_request("req-feed", &r);
    Dx__DeliveryReceipt dr = DX__DELIVERY_RECEIPT__INIT;
    dr.dataset = "health/vaccination/2026", dr.version = 2, dr.sha256 = s_bytes(s_hash, 32);
    dr.member = "statistics", dr.time_ms = 1764331200000, dr.purpose = "statistics";
    uint8_t *drb = NULL;
    size_t drlen = 0;
    if (wire_pack(&dr.base, &drb, &drlen) == 0) {
        Dx__Signed sd = DX__SIGNED__INIT;
        sd.body = s_bytes(drb, drlen), sd.signature = s_bytes(s_sig, 64);
        r.body_case = DX__REQUEST__BODY_DELIVERY_RECEIPT, r.delivery_receipt = &sd;
        s_request("req-delivery-receipt", &r);
        free(drb);
    }
    Dx__DeliveriesRequest dq = DX__DELIVERIES_REQUEST__INIT;
    dq.dataset = "health/vaccination/2026", dq.version = 2;
    r.body_case = DX__REQUEST__BODY_DELIVERIES, r.deliveries = &dq;
    s_request("req-deliveries", &r);
}

static void s_replies(const uint8_t *manifest, size_t mlen, const uint8_t *record, size_t rlen)
{
    Dx__Reply r = DX__REPLY__INIT;
    r.id = 7;
    r.checkpoint = s_bytes(s_checkpoint, sizeof s_checkpoint - 1);
    Dx__Error e = DX__ERROR__INIT;
    e.code = DX__ERROR_CODE__ERR_DENIED, e.message = "no rule allows education to read", e.rule_id = "default-deny";
    r.error = &e;
    s_write("reply-error", &r.base);
    r.error = NULL;
    Dx__PublishReady pr = DX__PUBLISH_READY__INIT;
    pr.session = 3, pr.chunk_size = DX_CHUNK_SIZE, pr.window = 16;
    r.body_case = DX__REPLY__BODY_PUBLISH_READY, r.publish_ready = &pr;
    s_write("reply-publish-ready", &r.base);
    Dx__ChunkAck ca = DX__CHUNK_ACK__INIT;
    ca.session = 3, ca.index = 1;
    r.body_case = DX__REPLY__BODY_CHUNK_ACK, r.chunk_ack = &ca;
    s_write("reply-chunk-ack", &r.base);
    Dx__Receipt rc = DX__RECEIPT__INIT;
    rc.dataset = "health/vaccination/2026", rc.version = 2, rc.sha256 = s_bytes(s_hash, 32), rc.size = 26;
    rc.audit_seq = 42, rc.time_ms = 1764331200000, rc.publisher = "health";
    rc.manifest_sha256 = s_bytes(s_hash, 32);
    s_write("receipt", &rc.base);
    uint8_t *rbytes = NULL;
    size_t rblen = 0;
    if (wire_pack(&rc.base, &rbytes, &rblen) != 0)
        s_failed = 1;
    Dx__Signed sg = DX__SIGNED__INIT;
    sg.body = s_bytes(rbytes, rblen), sg.signature = s_bytes(s_sig, 64);
    s_write("signed", &sg.base);
    r.body_case = DX__REPLY__BODY_RECEIPT, r.receipt = &sg;
    s_write("reply-receipt", &r.base);
    Dx__CatalogEntry ce = DX__CATALOG_ENTRY__INIT;
    ce.dataset = "health/vaccination/2026", ce.version = 2, ce.manifest = s_bytes(manifest, mlen);
    ce.manifest_sig = s_bytes(s_sig, 64), ce.publisher_key = s_bytes(s_hash, 32), ce.receipt = &sg;
    ce.blob = 9, ce.chunks = 1, ce.publisher = "health", ce.sha256 = s_bytes(s_hash, 32), ce.size = 26;
    ce.content_type = "text/csv", ce.classification = DX__CLASSIFICATION__RESTRICTED;
    ce.published_ms = 1764331200000;
    s_write("catalog-entry", &ce.base);
    Dx__FetchReady fr = DX__FETCH_READY__INIT;
    char *fields[] = { "national_id" };
    fr.session = 4, fr.entry = &ce, fr.filtered = true, fr.field_mode = "exclude", fr.n_fields = 1;
    fr.fields = fields, fr.rule_id = "stats-reads", fr.window = 8;
    r.body_case = DX__REPLY__BODY_FETCH_READY, r.fetch_ready = &fr;
    s_write("reply-fetch-ready", &r.base);
    Dx__ViewManifest vm = DX__VIEW_MANIFEST__INIT;
    vm.dataset = "health/vaccination/2026", vm.version = 2, vm.source_manifest_sha256 = s_bytes(s_hash, 32);
    vm.view_sha256 = s_bytes(s_hash, 32), vm.view_size = 20, vm.rule_id = "stats-reads";
    vm.field_mode = "exclude", vm.n_fields = 1, vm.fields = fields, vm.member = "statistics";
    vm.purpose = "statistics", vm.time_ms = 1764331200000, vm.content_type = "text/csv";
    s_write("view-manifest", &vm.base);
    Dx__FetchData fd = DX__FETCH_DATA__INIT;
    fd.session = 4, fd.index = 0, fd.data = s_bytes("id,region\n1,north\n", 18), fd.last = true, fd.view = &sg;
    r.body_case = DX__REPLY__BODY_FETCH_DATA, r.fetch_data = &fd;
    s_write("reply-fetch-data", &r.base);
    Dx__DatasetInfo di = DX__DATASET_INFO__INIT;
    di.dataset = "health/vaccination/2026", di.version = 2, di.versions = 2, di.publisher = "health";
    di.sha256 = s_bytes(s_hash, 32), di.size = 26, di.content_type = "text/csv";
    di.classification = DX__CLASSIFICATION__RESTRICTED, di.published_ms = 1764331200000;
    r.body_case = DX__REPLY__BODY_INFO, r.info = &di;
    s_write("reply-info", &r.base);
    Dx__DatasetInfo *list[] = { &di, &di };
    Dx__ListReply lr = DX__LIST_REPLY__INIT;
    lr.n_datasets = 2, lr.datasets = list;
    r.body_case = DX__REPLY__BODY_LIST, r.list = &lr;
    s_write("reply-list", &r.base);
    ProtobufCBinaryData recs[] = { s_bytes(record, rlen), s_bytes(record, rlen) };
    ProtobufCBinaryData proofs[] = { s_bytes(s_sig, 64), s_bytes(s_sig, 64) };
    Dx__AuditRecords ars = DX__AUDIT_RECORDS__INIT;
    ars.n_records = 2, ars.records = recs, ars.next_after = 43, ars.checkpoint = r.checkpoint;
    ars.n_proofs = 2, ars.proofs = proofs;
    r.body_case = DX__REPLY__BODY_AUDIT, r.audit = &ars;
    s_write("reply-audit", &r.base);
    Dx__ReloadResult rr = DX__RELOAD_RESULT__INIT;
    char *problems[] = { "rules.yaml:3:5: error: unknown key 'efect'" };
    rr.loaded = false, rr.policy_sha256 = s_bytes(s_hash, 32), rr.summary = "5 members, 3 rules";
    rr.n_problems = 1, rr.problems = problems;
    r.body_case = DX__REPLY__BODY_RELOAD, r.reload = &rr;
    s_write("reply-reload", &r.base);
    Dx__AuditProofs aps = DX__AUDIT_PROOFS__INIT;
    aps.checkpoint = r.checkpoint, aps.n_records = 1, aps.records = recs, aps.n_proofs = 1, aps.proofs = proofs;
    r.body_case = DX__REPLY__BODY_AUDIT_PROOFS, r.audit_proofs = &aps;
    s_write("reply-audit-proofs", &r.base);
    Dx__AuditConsistency acs = DX__AUDIT_CONSISTENCY__INIT;
    acs.old_checkpoint = r.checkpoint, acs.new_checkpoint = r.checkpoint, acs.proof = s_bytes(s_sig, 64);
    r.body_case = DX__REPLY__BODY_AUDIT_CONSISTENCY, r.audit_consistency = &acs;
    s_write("reply-audit-consistency", &r.base);
    Dx__AuditHeads ahs = DX__AUDIT_HEADS__INIT;
    ahs.n_checkpoints = 1, ahs.checkpoints = &r.checkpoint, ahs.current = r.checkpoint;
    r.body_case = DX__REPLY__BODY_AUDIT_HEADS, r.audit_heads = &ahs;
    s_write("reply-audit-heads", &r.base);
    Dx__FeedEntry fe = DX__FEED_ENTRY__INIT, *fes[1] = { &fe };
    fe.seq = 42, fe.dataset = "health/vaccination/2026", fe.version = 2;
    Dx__FeedReply fr2 = DX__FEED_REPLY__INIT;
    fr2.n_entries = 1, fr2.entries = fes, fr2.next_after = 42, fr2.more = true, fr2.lease_s = 90;
    r.body_case = DX__REPLY__BODY_FEED, r.feed = &fr2;
    s_write("reply-feed", &r.base);
    Dx__Notify nt = DX__NOTIFY__INIT;
    nt.seq = 43;
    r.id = 0, r.body_case = DX__REPLY__BODY_NOTIFY, r.notify = &nt;
    s_write("reply-notify", &r.base);
    r.id = 7;
    Dx__Delivery dv = DX__DELIVERY__INIT, *dvs[1] = { &dv };
    dv.dataset = "health/vaccination/2026", dv.version = 2, dv.member = "statistics";
    dv.purpose = "statistics", dv.sha256 = s_bytes(s_hash, 32), dv.filtered = true;
    dv.fetched_ms = 1764331200000, dv.read_seq = 40, dv.fetches = 1, dv.receipt_ms = 1764331200100;
    dv.receipt_seq = 41;
    Dx__Deliveries dl = DX__DELIVERIES__INIT;
    dl.n_deliveries = 1, dl.deliveries = dvs;
    r.body_case = DX__REPLY__BODY_DELIVERIES, r.deliveries = &dl;
    s_write("reply-deliveries", &r.base);
    free(rbytes);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: dx-wire-seeds DIR\n");
        return 2;
    }
    s_dir = argv[1];
    char err[DX_ERRMSG];
    uint8_t nonce[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    dx_manifest_opts_t mo = { .dataset = "health/vaccination/2026", .publisher = "health",
                              .content_type = "text/csv", .classification = DX__CLASSIFICATION__RESTRICTED,
                              .sha256 = s_hash, .size = 26, .created_ms = 1764331200000, .nonce = nonce };
    uint8_t *manifest = NULL, *record = NULL;
    size_t mlen = 0, rlen = 0;
    if (dx_manifest_build(&mo, &manifest, &mlen, err) != 0) {
        fprintf(stderr, "dx-wire-seeds: %s\n", err);
        return 1;
    }
    Dx__Manifest *m = NULL;
    if (wire_manifest_decode(manifest, mlen, &m, err) == 0)
        s_write("manifest", &m->base), wire_free(&m);
    Dx__AuditRecord a = DX__AUDIT_RECORD__INIT;
    a.seq = 42, a.time_ms = 1764331200000, a.event = "read", a.member = "statistics", a.action = "read";
    a.dataset = "health/vaccination/2026", a.version = 2, a.sha256 = s_bytes(s_hash, 32);
    a.purpose = "statistics", a.decision = "allow", a.rule_id = "stats-reads";
    a.reason = "rule 'stats-reads' allows statistics to read", a.policy_sha256 = s_bytes(s_hash, 32);
    a.prev_hash = s_bytes(s_hash, 32);
    s_write("audit-record", &a.base);
    if (wire_pack(&a.base, &record, &rlen) != 0)
        return 1;
    s_requests(manifest, mlen);
    s_replies(manifest, mlen, record, rlen);
    free(manifest);
    free(record);
    return s_failed;
}
