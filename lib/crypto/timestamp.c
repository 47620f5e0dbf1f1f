/* timestamp: RFC 3161 with OpenSSL's TS API.
 *
 * OpenSSL's own checks are used for what they do well (status, nonce,
 * signature, ESS signing certificate, the chain with the time-stamping
 * purpose); the imprint's algorithm and the policy are checked here too,
 * since a token verified with TS_VFY_IMPRINT alone accepts any algorithm.
 * The chain is checked at the token's own time, not today's: a token stays
 * good after its authority's certificate expires, which is the point of it
 * years later. */
#include "timestamp.h"
#include "crypto.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct dx_tsa_trust {
    STACK_OF(X509) *cas;
    ASN1_OBJECT *policy;         /* NULL: any */
};

struct dx_tsa_request {
    TS_REQ *req;
    uint8_t digest[DX_SHA256_LEN];
};

static void s_openssl_why(const char *what, char err[DX_ERRMSG])
{
    unsigned long e = ERR_get_error();
    const char *why = e ? ERR_reason_error_string(e) : NULL;
    snprintf(err, DX_ERRMSG, "%s%s%s", what, why ? ": " : "", why ? why : "");
    ERR_clear_error();
}

int dx_tsa_trust_new(const char *ca_file, const char *policy_oid, dx_tsa_trust_t **out,
                     char err[DX_ERRMSG])
{
    dx_tsa_trust_t *t = calloc(1, sizeof *t);
    BIO *in = NULL;
    int rv = DX_ERR_INVALID;
    if (!t || !(t->cas = sk_X509_new_null())) {
        free(t);
        snprintf(err, DX_ERRMSG, "out of memory");
        return DX_ERR_NOMEM;
    }
    if (!(in = BIO_new_file(ca_file, "r"))) {
        snprintf(err, DX_ERRMSG, "cannot read the time-stamping authority's CA file %s", ca_file);
        rv = DX_ERR_IO;
        goto fail;
    }
    X509 *x;
    while ((x = PEM_read_bio_X509(in, NULL, NULL, NULL)) != NULL)
        if (!sk_X509_push(t->cas, x)) {
            X509_free(x);
            snprintf(err, DX_ERRMSG, "out of memory");
            rv = DX_ERR_NOMEM;
            goto fail;
        }
    ERR_clear_error(); /* the end of the file reads as an error */
    if (sk_X509_num(t->cas) == 0) {
        snprintf(err, DX_ERRMSG, "%s holds no PEM certificate (the time-stamping authority's CA)",
                 ca_file);
        goto fail;
    }
    if (policy_oid && policy_oid[0] && !(t->policy = OBJ_txt2obj(policy_oid, 1))) {
        ERR_clear_error();
        snprintf(err, DX_ERRMSG, "'%s' is not an OID in dotted form (1.2.3.4)", policy_oid);
        goto fail;
    }
    BIO_free(in);
    *out = t;
    return 0;
fail:
    BIO_free(in);
    dx_tsa_trust_free(&t);
    return rv;
}

void dx_tsa_trust_free(dx_tsa_trust_t **t_p)
{
    if (!t_p || !*t_p)
        return;
    sk_X509_pop_free((*t_p)->cas, X509_free);
    ASN1_OBJECT_free((*t_p)->policy);
    free(*t_p);
    *t_p = NULL;
}

int dx_tsa_request_new(const void *data, size_t len, const char *policy_oid,
                       dx_tsa_request_t **out, uint8_t **der, size_t *der_len)
{
    dx_tsa_request_t *r = calloc(1, sizeof *r);
    TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
    X509_ALGOR *alg = X509_ALGOR_new();
    ASN1_OBJECT *policy = policy_oid && policy_oid[0] ? OBJ_txt2obj(policy_oid, 1) : NULL;
    BIGNUM *bn = BN_new();
    ASN1_INTEGER *nonce = NULL;
    unsigned char *enc = NULL;
    int n = -1, rv = DX_ERR_CRYPTO;
    if (!r || !mi || !alg || !bn || (policy_oid && policy_oid[0] && !policy))
        goto out;
    if (dx_sha256(data, len, r->digest) != 0 || !(r->req = TS_REQ_new()) ||
        !TS_REQ_set_version(r->req, 1) ||
        !X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL) ||
        !TS_MSG_IMPRINT_set_algo(mi, alg) || !TS_MSG_IMPRINT_set_msg(mi, r->digest, DX_SHA256_LEN) ||
        !TS_REQ_set_msg_imprint(r->req, mi) || (policy && !TS_REQ_set_policy_id(r->req, policy)) ||
        !BN_rand(bn, 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
        !(nonce = BN_to_ASN1_INTEGER(bn, NULL)) || !TS_REQ_set_nonce(r->req, nonce) ||
        !TS_REQ_set_cert_req(r->req, 1) || (n = i2d_TS_REQ(r->req, &enc)) <= 0)
        goto out;
    if (!(*der = malloc((size_t)n))) {
        rv = DX_ERR_NOMEM;
        goto out;
    }
    memcpy(*der, enc, (size_t)n);
    *der_len = (size_t)n;
    *out = r;
    r = NULL;
    rv = 0;
out:
    ERR_clear_error();
    OPENSSL_free(enc);
    ASN1_INTEGER_free(nonce);
    BN_free(bn);
    ASN1_OBJECT_free(policy);
    X509_ALGOR_free(alg);
    TS_MSG_IMPRINT_free(mi);
    dx_tsa_request_free(&r);
    return rv;
}

void dx_tsa_request_free(dx_tsa_request_t **r_p)
{
    if (!r_p || !*r_p)
        return;
    TS_REQ_free((*r_p)->req);
    free(*r_p);
    *r_p = NULL;
}

/* A store of the trusted CAs, checking chains at time t. */
static X509_STORE *s_store_at(const dx_tsa_trust_t *trust, time_t t)
{
    X509_STORE *st = X509_STORE_new();
    if (!st)
        return NULL;
    for (int i = 0; i < sk_X509_num(trust->cas); i++)
        if (!X509_STORE_add_cert(st, sk_X509_value(trust->cas, i))) {
            X509_STORE_free(st);
            return NULL;
        }
    X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(st), t);
    return st;
}

/* What a token says, checked: SHA-256 over digest, the policy if trust
 * names one. */
static int s_tst_check(const dx_tsa_trust_t *trust, TS_TST_INFO *ti, const uint8_t digest[DX_SHA256_LEN],
                       time_t *when, dx_tsa_info_t *info, char err[DX_ERRMSG])
{
    TS_MSG_IMPRINT *mi = TS_TST_INFO_get_msg_imprint(ti);
    const ASN1_OBJECT *alg = NULL;
    X509_ALGOR_get0(&alg, NULL, NULL, TS_MSG_IMPRINT_get_algo(mi));
    ASN1_OCTET_STRING *h = TS_MSG_IMPRINT_get_msg(mi);
    if (!alg || OBJ_obj2nid(alg) != NID_sha256 || ASN1_STRING_length(h) != DX_SHA256_LEN) {
        snprintf(err, DX_ERRMSG, "the token is not over a SHA-256 digest");
        return DX_ERR_INTEGRITY;
    }
    if (memcmp(ASN1_STRING_get0_data(h), digest, DX_SHA256_LEN) != 0) {
        snprintf(err, DX_ERRMSG, "the token is over other bytes (its imprint does not match)");
        return DX_ERR_INTEGRITY;
    }
    if (trust && trust->policy &&
        (!TS_TST_INFO_get_policy_id(ti) || OBJ_cmp(TS_TST_INFO_get_policy_id(ti), trust->policy))) {
        snprintf(err, DX_ERRMSG, "the token is not under the policy asked for");
        return DX_ERR_INTEGRITY;
    }
    struct tm tm;
    const ASN1_GENERALIZEDTIME *gt = TS_TST_INFO_get_time(ti);
    if (!gt || !ASN1_TIME_to_tm(gt, &tm)) {
        ERR_clear_error();
        snprintf(err, DX_ERRMSG, "the token's time does not read");
        return DX_ERR_INTEGRITY;
    }
    *when = timegm(&tm);
    if (info) {
        memset(info, 0, sizeof *info);
        info->time_ms = (int64_t)*when * 1000;
    }
    return 0;
}

/* The signer's subject, one line (the certificate the token carries). */
static void s_signer_name(PKCS7 *token, dx_tsa_info_t *info)
{
    STACK_OF(X509) *signers = PKCS7_get0_signers(token, NULL, 0);
    BIO *mem = BIO_new(BIO_s_mem());
    char *p = NULL;
    long n;
    if (signers && sk_X509_num(signers) > 0 && mem &&
        X509_NAME_print_ex(mem, X509_get_subject_name(sk_X509_value(signers, 0)), 0,
                           XN_FLAG_RFC2253) >= 0 &&
        (n = BIO_get_mem_data(mem, &p)) > 0)
        snprintf(info->tsa, sizeof info->tsa, "%.*s", (int)(n < DX_TSA_NAME_MAX - 1 ? n : DX_TSA_NAME_MAX - 1), p);
    else
        snprintf(info->tsa, sizeof info->tsa, "an authority whose certificate the token lacks");
    ERR_clear_error();
    BIO_free(mem);
    sk_X509_free(signers);
}

/* OpenSSL's signature and chain checks on token, at time t. */
static int s_signature(const dx_tsa_trust_t *trust, PKCS7 *token, time_t t, char err[DX_ERRMSG])
{
    X509_STORE *st = s_store_at(trust, t);
    X509 *signer = NULL;
    int ok = st && TS_RESP_verify_signature(token, NULL, st, &signer) == 1;
    if (!ok)
        s_openssl_why("the token's signature does not verify against the authority's CA", err);
    X509_free(signer);
    X509_STORE_free(st);
    return ok ? 0 : DX_ERR_INTEGRITY;
}

static int s_token_decode(const uint8_t *der, size_t len, PKCS7 **out, TS_TST_INFO **ti,
                          char err[DX_ERRMSG])
{
    const unsigned char *p = der;
    *out = len <= DX_TSA_TOKEN_MAX ? d2i_PKCS7(NULL, &p, (long)len) : NULL;
    if (!*out || p != der + len || !(*ti = PKCS7_to_TS_TST_INFO(*out))) {
        ERR_clear_error();
        PKCS7_free(*out);
        *out = NULL;
        snprintf(err, DX_ERRMSG, "not an RFC 3161 time-stamp token");
        return DX_ERR_INTEGRITY;
    }
    return 0;
}

int dx_tsa_token_check(const dx_tsa_trust_t *trust, const uint8_t *token, size_t len,
                       const void *data, size_t data_len, dx_tsa_info_t *info,
                       char err[DX_ERRMSG])
{
    uint8_t digest[DX_SHA256_LEN];
    PKCS7 *p7 = NULL;
    TS_TST_INFO *ti = NULL;
    time_t when;
    int rv = dx_sha256(data, data_len, digest);
    if (rv == 0)
        rv = s_token_decode(token, len, &p7, &ti, err);
    if (rv == 0)
        rv = s_tst_check(trust, ti, digest, &when, info, err);
    if (rv == 0 && trust)
        rv = s_signature(trust, p7, when, err);
    if (rv == 0 && info)
        s_signer_name(p7, info);
    TS_TST_INFO_free(ti);
    PKCS7_free(p7);
    return rv;
}

int dx_tsa_reply_check(const dx_tsa_trust_t *trust, dx_tsa_request_t *req, const uint8_t *reply,
                       size_t len, uint8_t **token, size_t *token_len, dx_tsa_info_t *info,
                       char err[DX_ERRMSG])
{
    const unsigned char *p = reply;
    TS_RESP *resp = len <= DX_TSA_TOKEN_MAX ? d2i_TS_RESP(NULL, &p, (long)len) : NULL;
    TS_VERIFY_CTX *ctx = NULL;
    unsigned char *enc = NULL;
    time_t when;
    int n, rv = DX_ERR_INTEGRITY;
    if (!resp || p != reply + len) {
        snprintf(err, DX_ERRMSG, "the authority's answer is not an RFC 3161 time-stamp reply");
        goto out;
    }
    PKCS7 *p7 = TS_RESP_get_token(resp);
    TS_TST_INFO *ti = TS_RESP_get_tst_info(resp);
    if (!p7 || !ti) {
        s_openssl_why("the authority granted no token", err);
        TS_STATUS_INFO *si = TS_RESP_get_status_info(resp);
        const ASN1_UTF8STRING *text = si && TS_STATUS_INFO_get0_text(si)
                                          ? sk_ASN1_UTF8STRING_value(TS_STATUS_INFO_get0_text(si), 0)
                                          : NULL;
        if (text)
            snprintf(err, DX_ERRMSG, "the authority granted no token: %.*s",
                     ASN1_STRING_length(text) > 200 ? 200 : ASN1_STRING_length(text),
                     (const char *)ASN1_STRING_get0_data(text));
        goto out;
    }
    /* status, version, nonce, imprint (with its algorithm), the policy
     * asked for; the signature with the chain at the token's time below */
    if (!(ctx = TS_REQ_to_TS_VERIFY_CTX(req->req, NULL))) {
        rv = DX_ERR_CRYPTO;
        goto out;
    }
    TS_VERIFY_CTX_set_flags(ctx, TS_VFY_VERSION | TS_VFY_IMPRINT | TS_VFY_NONCE |
                                     (TS_REQ_get_policy_id(req->req) ? TS_VFY_POLICY : 0));
    if (TS_RESP_verify_response(ctx, resp) != 1) {
        s_openssl_why("the authority's token does not answer the request", err);
        goto out;
    }
    if ((rv = s_tst_check(trust, ti, req->digest, &when, info, err)) != 0 ||
        (rv = s_signature(trust, p7, when, err)) != 0)
        goto out;
    s_signer_name(p7, info);
    if ((n = i2d_PKCS7(p7, &enc)) <= 0 || !(*token = malloc((size_t)n))) {
        rv = DX_ERR_NOMEM;
        goto out;
    }
    memcpy(*token, enc, (size_t)n);
    *token_len = (size_t)n;
    rv = 0;
out:
    ERR_clear_error();
    OPENSSL_free(enc);
    TS_VERIFY_CTX_free(ctx);
    TS_RESP_free(resp);
    return rv;
}
