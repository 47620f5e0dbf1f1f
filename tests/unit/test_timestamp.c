/* lib/crypto/timestamp.c against `openssl ts`, which shares no code with
 * it: requests dx makes are answered by openssl ts -reply under a CA made
 * by tests/lib/tsa.sh, and every kind of bad reply or token is refused.
 * Run from the project's root (tests/run.sh does). */
#include "test.h"
#include "crypto.h"
#include "fileio.h"
#include "timestamp.h"

#include <stdint.h>
#include <unistd.h>

static char s_dir[] = "/tmp/dx-test-ts.XXXXXX";
static char s_ca[256], s_stranger_ca[256];
static const char s_data[] = "dx/test\n42\nroot\n\n— dx/test sig\n";
static const char *s_policy = "1.3.6.1.4.1.55555.1.1";

static int s_sh(const char *fmt, const char *a, const char *b)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, fmt, a, b);
    return system(cmd);
}

static uint8_t *s_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    static uint8_t buf[1 << 16];
    *len = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f)
        fclose(f);
    return buf;
}

static void s_write(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(data, 1, len, f);
        fclose(f);
    }
}

/* openssl ts -reply to a request's DER, by the authority (or the stranger). */
static uint8_t *s_reply(const uint8_t *der, size_t len, bool stranger, size_t *out_len)
{
    char q[300], r[300];
    snprintf(q, sizeof q, "%s/q.tsq", s_dir);
    snprintf(r, sizeof r, "%s/r.tsr", s_dir);
    s_write(q, der, len);
    unlink(r);
    s_sh(stranger ? "cd %s && openssl ts -reply -config tsa.cnf -queryfile q.tsq -signer stranger.crt "
                    "-inkey stranger.key -chain stranger-ca.crt -out r.tsr >/dev/null 2>&1%s"
                  : "cd %s && openssl ts -reply -config tsa.cnf -queryfile q.tsq -out r.tsr >/dev/null 2>&1%s",
         s_dir, "");
    return s_read(r, out_len);
}

static dx_tsa_trust_t *s_trust(const char *policy)
{
    dx_tsa_trust_t *t = NULL;
    char err[DX_ERRMSG];
    CHECK_EQ(dx_tsa_trust_new(s_ca, policy, &t, err), 0);
    return t;
}

TEST(a_reply_checks_and_its_token_verifies_here_and_in_openssl)
{
    dx_tsa_trust_t *trust = s_trust(s_policy);
    dx_tsa_request_t *req = NULL;
    uint8_t *der = NULL, *token = NULL;
    size_t der_len = 0, token_len = 0, rlen;
    dx_tsa_info_t info;
    char err[DX_ERRMSG];
    CHECK_EQ(dx_tsa_request_new(s_data, strlen(s_data), s_policy, &req, &der, &der_len), 0);
    uint8_t *reply = s_reply(der, der_len, false, &rlen);
    CHECK(rlen > 0);
    CHECK_EQ(dx_tsa_reply_check(trust, req, reply, rlen, &token, &token_len, &info, err), 0);
    CHECK(info.time_ms > 0 && strstr(info.tsa, "CN=tsa time-stamping authority"));
    CHECK_EQ(dx_tsa_token_check(trust, token, token_len, s_data, strlen(s_data), &info, err), 0);
    char tok[300], data[300];
    snprintf(tok, sizeof tok, "%s/t.tok", s_dir);
    snprintf(data, sizeof data, "%s/data", s_dir);
    s_write(tok, token, token_len);
    s_write(data, s_data, strlen(s_data));
    CHECK_EQ(s_sh("cd %s && openssl ts -verify -token_in -in t.tok -data data -CAfile ca.crt >/dev/null 2>&1%s",
                  s_dir, ""), 0);
    /* other bytes, a changed token, trailing bytes, no token at all */
    CHECK_EQ(dx_tsa_token_check(trust, token, token_len, "other", 5, &info, err), DX_ERR_INTEGRITY);
    CHECK(strstr(err, "over other bytes"));
    uint8_t *copy = malloc(token_len + 1);
    memcpy(copy, token, token_len);
    copy[token_len / 2] ^= 1;
    CHECK_EQ(dx_tsa_token_check(trust, copy, token_len, s_data, strlen(s_data), &info, err), DX_ERR_INTEGRITY);
    memcpy(copy, token, token_len);
    copy[token_len] = 0;
    CHECK_EQ(dx_tsa_token_check(trust, copy, token_len + 1, s_data, strlen(s_data), &info, err), DX_ERR_INTEGRITY);
    CHECK(strstr(err, "not an RFC 3161"));
    CHECK_EQ(dx_tsa_token_check(trust, copy, 10, s_data, strlen(s_data), &info, err), DX_ERR_INTEGRITY);
    /* without trust: the imprint only */
    CHECK_EQ(dx_tsa_token_check(NULL, token, token_len, s_data, strlen(s_data), &info, err), 0);
    /* another policy asked for */
    dx_tsa_trust_t *other = s_trust("1.3.6.1.4.1.55555.1.2");
    CHECK_EQ(dx_tsa_token_check(other, token, token_len, s_data, strlen(s_data), &info, err), DX_ERR_INTEGRITY);
    CHECK(strstr(err, "not under the policy"));
    dx_tsa_trust_free(&other);
    /* a CA that is not the authority's */
    dx_tsa_trust_t *stranger = NULL;
    CHECK_EQ(dx_tsa_trust_new(s_stranger_ca, NULL, &stranger, err), 0);
    CHECK_EQ(dx_tsa_token_check(stranger, token, token_len, s_data, strlen(s_data), &info, err), DX_ERR_INTEGRITY);
    CHECK(strstr(err, "does not verify against the authority's CA"));
    dx_tsa_trust_free(&stranger);
    free(copy);
    free(token);
    free(der);
    dx_tsa_request_free(&req);
    dx_tsa_trust_free(&trust);
}

TEST(replies_that_do_not_answer_the_request_are_refused)
{
    dx_tsa_trust_t *trust = s_trust(NULL);
    dx_tsa_request_t *req = NULL, *req2 = NULL;
    uint8_t *der = NULL, *der2 = NULL, *token = NULL;
    size_t der_len, der2_len, rlen, token_len;
    dx_tsa_info_t info;
    char err[DX_ERRMSG];
    CHECK_EQ(dx_tsa_request_new(s_data, strlen(s_data), NULL, &req, &der, &der_len), 0);
    CHECK_EQ(dx_tsa_request_new(s_data, strlen(s_data), NULL, &req2, &der2, &der2_len), 0);
    /* the same data, another request: its nonce differs */
    uint8_t *reply = s_reply(der2, der2_len, false, &rlen);
    CHECK_EQ(dx_tsa_reply_check(trust, req, reply, rlen, &token, &token_len, &info, err), DX_ERR_INTEGRITY);
    CHECK(strstr(err, "does not answer the request"));
    /* by an authority of another CA */
    reply = s_reply(der, der_len, true, &rlen);
    CHECK(rlen > 0);
    CHECK_EQ(dx_tsa_reply_check(trust, req, reply, rlen, &token, &token_len, &info, err), DX_ERR_INTEGRITY);
    CHECK(strstr(err, "does not verify against the authority's CA"));
    /* bytes that are no reply, and a truncated one */
    CHECK_EQ(dx_tsa_reply_check(trust, req, (const uint8_t *)"garbage", 7, &token, &token_len, &info, err),
             DX_ERR_INTEGRITY);
    CHECK(strstr(err, "not an RFC 3161 time-stamp reply"));
    reply = s_reply(der, der_len, false, &rlen);
    CHECK_EQ(dx_tsa_reply_check(trust, req, reply, rlen - 1, &token, &token_len, &info, err), DX_ERR_INTEGRITY);
    free(der);
    free(der2);
    dx_tsa_request_free(&req);
    dx_tsa_request_free(&req2);
    dx_tsa_trust_free(&trust);
}

TEST(bad_trust_settings_are_refused)
{
    dx_tsa_trust_t *t = NULL;
    char err[DX_ERRMSG], path[300];
    CHECK_EQ(dx_tsa_trust_new("/nonexistent/ca.pem", NULL, &t, err), DX_ERR_IO);
    snprintf(path, sizeof path, "%s/tsa.cnf", s_dir);
    CHECK_EQ(dx_tsa_trust_new(path, NULL, &t, err), DX_ERR_INVALID);
    CHECK(strstr(err, "holds no PEM certificate"));
    CHECK_EQ(dx_tsa_trust_new(s_ca, "not.an oid", &t, err), DX_ERR_INVALID);
    CHECK(t == NULL);
}

int main(void)
{
    if (!mkdtemp(s_dir) ||
        s_sh("bash -c 'source tests/lib/tsa.sh && tsa_make %s' >/dev/null%s", s_dir, "") != 0) {
        printf("FAIL setup: cannot make the test CA with openssl (run from the project's root)\n");
        return 1;
    }
    snprintf(s_ca, sizeof s_ca, "%s/ca.crt", s_dir);
    snprintf(s_stranger_ca, sizeof s_stranger_ca, "%s/stranger-ca.crt", s_dir);
    RUN(a_reply_checks_and_its_token_verifies_here_and_in_openssl);
    RUN(replies_that_do_not_answer_the_request_are_refused);
    RUN(bad_trust_settings_are_refused);
    s_sh("rm -rf %s%s", s_dir, "");
    return t_failed_total ? 1 : 0;
}
