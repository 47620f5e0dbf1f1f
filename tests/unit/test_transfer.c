#include "test.h"
#include "transfer.h"
#include "wire.h"

#include <stdlib.h>
#include <unistd.h>

TEST(dataset_references)
{
    char name[DX_NAME_MAX + 1];
    uint64_t v;
    CHECK_EQ(dx_parse_ref("health/x", name, &v), 0);
    CHECK(strcmp(name, "health/x") == 0 && v == 0);
    CHECK_EQ(dx_parse_ref("health/x@12", name, &v), 0);
    CHECK(strcmp(name, "health/x") == 0 && v == 12);
    CHECK(dx_parse_ref("health/x@", name, &v) != 0);
    CHECK(dx_parse_ref("health/x@0", name, &v) != 0);
    CHECK(dx_parse_ref("health/x@-1", name, &v) != 0);
    CHECK(dx_parse_ref("health/x@1x", name, &v) != 0);
    CHECK(dx_parse_ref("@3", name, &v) != 0);
    CHECK(dx_parse_ref("Bad/x@3", name, &v) != 0);
}

TEST(manifests)
{
    uint8_t sha[32] = { 1 }, nonce[16] = { 2 }, *bytes = NULL;
    size_t len = 0;
    char err[DX_ERRMSG];
    dx_manifest_opts_t o = { .dataset = "health/x", .publisher = "health", .content_type = "text/csv",
                             .classification = 2, .sha256 = sha, .size = 10, .nonce = nonce };
    CHECK_EQ(dx_manifest_build(&o, &bytes, &len, err), 0);
    Dx__Manifest *m = NULL;
    CHECK_EQ(wire_manifest_decode(bytes, len, &m, err), 0);
    CHECK(m && m->size == 10 && m->created_ms > 0 && memcmp(m->nonce.data, nonce, 16) == 0);
    wire_free(&m);
    free(bytes);
    o.dataset = "no good";
    CHECK(dx_manifest_build(&o, &bytes, &len, err) != 0);
}

TEST(hashing_files)
{
    char path[] = "/tmp/dx-test-transfer-XXXXXX", err[DX_ERRMSG];
    int fd = mkstemp(path);
    CHECK(write(fd, "abc", 3) == 3);
    uint8_t sha[32], want[32];
    uint64_t size = 0;
    CHECK_EQ(dx_hash_fd(fd, sha, &size, err), 0);
    dx_sha256("abc", 3, want);
    CHECK(size == 3 && memcmp(sha, want, 32) == 0);
    close(fd);
    unlink(path);
}

int main(void)
{
    RUN(dataset_references);
    RUN(manifests);
    RUN(hashing_files);
    return TEST_EXIT();
}
