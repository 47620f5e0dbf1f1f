/* timestamp: RFC 3161 time-stamp requests, replies and tokens, with
 * OpenSSL's TS API (the one other module that calls OpenSSL, beside
 * crypto.c).
 *
 * What is stamped is always the SHA-256 of bytes dx signed (a head's exact
 * signed text). A token is kept as the DER TimeStampToken (a CMS
 * SignedData), which `openssl ts -verify -token_in` reads as it is. */
#ifndef DX_TIMESTAMP_H
#define DX_TIMESTAMP_H

#include "err.h"

#include <stddef.h>
#include <stdint.h>

#define DX_TSA_TOKEN_MAX (64u << 10)   /* a token, or a whole reply */
#define DX_TSA_NAME_MAX 256

/* The authority's trust: its CA certificates, and the policy OID its
 * tokens must carry (NULL: any). Immutable once made: threads may share it. */
typedef struct dx_tsa_trust dx_tsa_trust_t;
int dx_tsa_trust_new(const char *ca_file, const char *policy_oid, dx_tsa_trust_t **out,
                     char err[DX_ERRMSG]);
void dx_tsa_trust_free(dx_tsa_trust_t **t_p);

/* A request over data's SHA-256, with a fresh nonce, asking for the
 * authority's certificate in the token: DER in *der (freed with free()). */
typedef struct dx_tsa_request dx_tsa_request_t;
int dx_tsa_request_new(const void *data, size_t len, const char *policy_oid,
                       dx_tsa_request_t **out, uint8_t **der, size_t *der_len);
void dx_tsa_request_free(dx_tsa_request_t **r_p);

typedef struct {
    int64_t time_ms;                 /* the token's genTime */
    char tsa[DX_TSA_NAME_MAX];       /* the signer's subject, one line */
} dx_tsa_info_t;

/* A reply to req checked (granted, nonce, imprint, signature and chain to
 * trust, policy): the token's DER in *token (free()). A reply that does not
 * check is DX_ERR_INTEGRITY with err saying why. */
int dx_tsa_reply_check(const dx_tsa_trust_t *trust, dx_tsa_request_t *req, const uint8_t *reply,
                       size_t len, uint8_t **token, size_t *token_len, dx_tsa_info_t *info,
                       char err[DX_ERRMSG]);

/* A stored token over data: imprint, signature and chain to trust (NULL:
 * only the imprint, and info read without trusting it). */
int dx_tsa_token_check(const dx_tsa_trust_t *trust, const uint8_t *token, size_t len,
                       const void *data, size_t data_len, dx_tsa_info_t *info,
                       char err[DX_ERRMSG]);

#endif
