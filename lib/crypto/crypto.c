/* crypto: OpenSSL 3 EVP behind a small API. */
#include "crypto.h"
#include "err.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

struct dx_sha256 {
    EVP_MD_CTX *md;
};

int dx_sha256(const void *data, size_t len, uint8_t out[DX_SHA256_LEN])
{
    unsigned int n = 0;
    if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1 || n != DX_SHA256_LEN)
        return DX_ERR_CRYPTO;
    return 0;
}

int dx_sha256_new(dx_sha256_t **out)
{
    dx_sha256_t *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return DX_ERR_NOMEM;
    ctx->md = EVP_MD_CTX_new();
    if (!ctx->md || EVP_DigestInit_ex(ctx->md, EVP_sha256(), NULL) != 1) {
        dx_sha256_destroy(&ctx);
        return DX_ERR_CRYPTO;
    }
    *out = ctx;
    return 0;
}

int dx_sha256_update(dx_sha256_t *ctx, const void *data, size_t len)
{
    return EVP_DigestUpdate(ctx->md, data, len) == 1 ? 0 : DX_ERR_CRYPTO;
}

int dx_sha256_final(dx_sha256_t *ctx, uint8_t out[DX_SHA256_LEN])
{
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(ctx->md, out, &n) != 1 || n != DX_SHA256_LEN)
        return DX_ERR_CRYPTO;
    return 0;
}

void dx_sha256_destroy(dx_sha256_t **ctx_p)
{
    if (!ctx_p || !*ctx_p)
        return;
    EVP_MD_CTX_free((*ctx_p)->md);
    free(*ctx_p);
    *ctx_p = NULL;
}

int dx_random(void *buf, size_t len)
{
    return RAND_bytes(buf, (int)len) == 1 ? 0 : DX_ERR_CRYPTO;
}

int dx_ed25519_public(const uint8_t secret[DX_ED25519_LEN], uint8_t pub[DX_ED25519_LEN])
{
    EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, secret, DX_ED25519_LEN);
    size_t n = DX_ED25519_LEN;
    int rv = DX_ERR_CRYPTO;
    if (key && EVP_PKEY_get_raw_public_key(key, pub, &n) == 1 && n == DX_ED25519_LEN)
        rv = 0;
    EVP_PKEY_free(key);
    return rv;
}

int dx_ed25519_keygen(uint8_t secret[DX_ED25519_LEN], uint8_t pub[DX_ED25519_LEN])
{
    int rv;
    if ((rv = dx_random(secret, DX_ED25519_LEN)) != 0)
        return rv;
    return dx_ed25519_public(secret, pub);
}

/* context || 0x00 || msg, in one allocation: Ed25519 signs whole messages. */
static uint8_t *s_framed(const char *context, const void *msg, size_t len, size_t *out_len)
{
    if (!context) {
        uint8_t *copy = malloc(len ? len : 1);
        if (copy && len)
            memcpy(copy, msg, len);
        *out_len = len;
        return copy;
    }
    size_t clen = strlen(context);
    if (len > SIZE_MAX - clen - 1)
        return NULL;
    uint8_t *buf = malloc(clen + 1 + len + 1);
    if (!buf)
        return NULL;
    memcpy(buf, context, clen + 1);
    if (len)
        memcpy(buf + clen + 1, msg, len);
    *out_len = clen + 1 + len;
    return buf;
}

struct dx_signer {
    EVP_PKEY *key;               /* NULL: signs through fn (a token) */
    uint8_t pub[DX_ED25519_LEN];
    dx_sign_fn fn;
    void *arg;
    void (*free_arg)(void *arg);
};

int dx_signer_new_with(const uint8_t pub[DX_ED25519_LEN], dx_sign_fn fn, void *arg,
                       void (*free_arg)(void *arg), dx_signer_t **out)
{
    dx_signer_t *s = calloc(1, sizeof *s);
    if (!s)
        return DX_ERR_NOMEM;
    memcpy(s->pub, pub, DX_ED25519_LEN);
    s->fn = fn;
    s->arg = arg;
    s->free_arg = free_arg;
    *out = s;
    return 0;
}

int dx_signer_new(const uint8_t secret[DX_ED25519_LEN], dx_signer_t **out)
{
    dx_signer_t *s = calloc(1, sizeof *s);
    size_t n = DX_ED25519_LEN;
    if (!s)
        return DX_ERR_NOMEM;
    if (!(s->key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, secret, DX_ED25519_LEN)) ||
        EVP_PKEY_get_raw_public_key(s->key, s->pub, &n) != 1) {
        dx_signer_destroy(&s);
        return DX_ERR_CRYPTO;
    }
    *out = s;
    return 0;
}

void dx_signer_destroy(dx_signer_t **s_p)
{
    if (!s_p || !*s_p)
        return;
    EVP_PKEY_free((*s_p)->key);
    if ((*s_p)->free_arg)
        (*s_p)->free_arg((*s_p)->arg);
    free(*s_p);
    *s_p = NULL;
}

const uint8_t *dx_signer_public(const dx_signer_t *s) { return s->pub; }

int dx_signer_sign(const dx_signer_t *s, const char *context, const void *msg, size_t len,
                   uint8_t sig[DX_SIG_LEN])
{
    int rv = DX_ERR_CRYPTO;
    size_t flen = 0, siglen = DX_SIG_LEN;
    uint8_t *framed = s_framed(context, msg, len, &flen);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!framed) {
        rv = DX_ERR_NOMEM;
        goto out;
    }
    if (!s->key) {
        /* a token's key: it signs; the signature is checked here, so that
         * a token that answers with anything else is caught at once */
        if ((rv = s->fn(s->arg, framed, flen, sig)) == 0)
            rv = dx_verify(s->pub, NULL, framed, flen, sig) == 0 ? 0 : DX_ERR_CRYPTO;
        goto out;
    }
    if (!md || EVP_DigestSignInit(md, NULL, NULL, NULL, s->key) != 1)
        goto out;
    if (EVP_DigestSign(md, sig, &siglen, framed, flen) != 1 || siglen != DX_SIG_LEN)
        goto out;
    rv = 0;
out:
    EVP_MD_CTX_free(md);
    free(framed);
    return rv;
}

int dx_sign(const uint8_t secret[DX_ED25519_LEN], const char *context,
            const void *msg, size_t len, uint8_t sig[DX_SIG_LEN])
{
    dx_signer_t *s = NULL;
    int rv = dx_signer_new(secret, &s);
    if (rv == 0)
        rv = dx_signer_sign(s, context, msg, len, sig);
    dx_signer_destroy(&s);
    return rv;
}

struct dx_verifier {
    EVP_PKEY *key;
};

int dx_verifier_new(const uint8_t pub[DX_ED25519_LEN], dx_verifier_t **out)
{
    dx_verifier_t *v = calloc(1, sizeof *v);
    if (!v)
        return DX_ERR_NOMEM;
    if (!(v->key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, DX_ED25519_LEN))) {
        free(v);
        ERR_clear_error();
        return DX_ERR_INTEGRITY; /* not a valid point: nothing verifies */
    }
    *out = v;
    return 0;
}

void dx_verifier_destroy(dx_verifier_t **v_p)
{
    if (!v_p || !*v_p)
        return;
    EVP_PKEY_free((*v_p)->key);
    free(*v_p);
    *v_p = NULL;
}

int dx_verifier_verify(const dx_verifier_t *v, const char *context, const void *msg, size_t len,
                       const uint8_t sig[DX_SIG_LEN])
{
    int rv = DX_ERR_CRYPTO;
    size_t flen = 0;
    uint8_t *framed = s_framed(context, msg, len, &flen);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!framed) {
        rv = DX_ERR_NOMEM;
        goto out;
    }
    if (!md || EVP_DigestVerifyInit(md, NULL, NULL, NULL, v->key) != 1)
        goto out;
    rv = EVP_DigestVerify(md, sig, DX_SIG_LEN, framed, flen) == 1 ? 0 : DX_ERR_INTEGRITY;
    ERR_clear_error(); /* a failed check leaves entries in this thread's queue */
out:
    EVP_MD_CTX_free(md);
    free(framed);
    return rv;
}

int dx_verify(const uint8_t pub[DX_ED25519_LEN], const char *context,
              const void *msg, size_t len, const uint8_t sig[DX_SIG_LEN])
{
    dx_verifier_t *v = NULL;
    int rv = dx_verifier_new(pub, &v);
    if (rv == 0)
        rv = dx_verifier_verify(v, context, msg, len, sig);
    dx_verifier_destroy(&v);
    return rv;
}

void dx_wipe(void *buf, size_t len) { OPENSSL_cleanse(buf, len); }

/* EVP's lengths are ints: content passes in chunks far below INT_MAX. */
#define AEAD_MAX ((size_t)1 << 30)

int dx_aead_seal(const uint8_t key[DX_AEAD_KEY_LEN], const uint8_t nonce[DX_AEAD_NONCE_LEN],
                 const void *aad, size_t aad_len, const void *in, size_t len, uint8_t *out,
                 uint8_t tag[DX_AEAD_TAG_LEN])
{
    if (len > AEAD_MAX || aad_len > AEAD_MAX)
        return DX_ERR_INVALID;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0, rv = DX_ERR_CRYPTO;
    if (ctx && EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce) == 1 &&
        (aad_len == 0 || EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aad_len) == 1) &&
        (len == 0 || EVP_EncryptUpdate(ctx, out, &n, in, (int)len) == 1) &&
        EVP_EncryptFinal_ex(ctx, out + len, &n) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, DX_AEAD_TAG_LEN, tag) == 1)
        rv = 0;
    EVP_CIPHER_CTX_free(ctx);
    return rv;
}

int dx_aead_open(const uint8_t key[DX_AEAD_KEY_LEN], const uint8_t nonce[DX_AEAD_NONCE_LEN],
                 const void *aad, size_t aad_len, const void *in, size_t len,
                 const uint8_t tag[DX_AEAD_TAG_LEN], uint8_t *out)
{
    if (len > AEAD_MAX || aad_len > AEAD_MAX)
        return DX_ERR_INVALID;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    uint8_t t[DX_AEAD_TAG_LEN];
    memcpy(t, tag, sizeof t);
    int n = 0, rv = DX_ERR_CRYPTO;
    if (ctx && EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce) == 1 &&
        (aad_len == 0 || EVP_DecryptUpdate(ctx, NULL, &n, aad, (int)aad_len) == 1) &&
        (len == 0 || EVP_DecryptUpdate(ctx, out, &n, in, (int)len) == 1) &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, DX_AEAD_TAG_LEN, t) == 1)
        rv = EVP_DecryptFinal_ex(ctx, out + len, &n) == 1 ? 0 : DX_ERR_INTEGRITY;
    EVP_CIPHER_CTX_free(ctx);
    if (rv != 0 && len > 0)
        OPENSSL_cleanse(out, len);
    return rv;
}

int dx_hkdf_sha256(const void *ikm, size_t ikm_len, const char *salt, const char *info,
                   uint8_t *out, size_t out_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM params[5], *p = params;
    int rv = DX_ERR_CRYPTO;
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikm_len);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, strlen(salt));
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, strlen(info));
    *p = OSSL_PARAM_construct_end();
    if (ctx && EVP_KDF_derive(ctx, out, out_len, params) == 1)
        rv = 0;
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return rv;
}

int dx_equal(const void *a, const void *b, size_t len)
{
    return CRYPTO_memcmp(a, b, len) == 0;
}
