/* crypto: SHA-256, Ed25519, AES-256-GCM, HKDF and randomness. With
 * timestamp.c (RFC 3161), the only module that calls OpenSSL.
 *
 * Every signature dx makes is over a context string, a NUL byte and the
 * message, so that a signature made for one purpose (a manifest) can never
 * be presented as another (a receipt). The contexts are below; changing one
 * invalidates every stored signature of that kind. */
#ifndef DX_CRYPTO_H
#define DX_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define DX_SHA256_LEN 32
#define DX_SIG_LEN 64
#define DX_ED25519_LEN 32

#define DX_CTX_MANIFEST "dx-manifest-v1"
#define DX_CTX_RECEIPT "dx-receipt-v1"
#define DX_CTX_VIEW "dx-view-v1"
#define DX_CTX_DELIVERY "dx-delivery-v1"

int dx_sha256(const void *data, size_t len, uint8_t out[DX_SHA256_LEN]);

/* Streaming SHA-256. */
typedef struct dx_sha256 dx_sha256_t;
int dx_sha256_new(dx_sha256_t **out);
int dx_sha256_update(dx_sha256_t *ctx, const void *data, size_t len);
/* Writes the digest; the context may not be updated afterwards. */
int dx_sha256_final(dx_sha256_t *ctx, uint8_t out[DX_SHA256_LEN]);
void dx_sha256_destroy(dx_sha256_t **ctx_p);

int dx_random(void *buf, size_t len);

/* AES-256-GCM (content at rest, content keys under the master key): out
 * gets len bytes of ciphertext, tag 16 bytes; the nonce must never repeat
 * under one key (callers draw it at random). */
#define DX_AEAD_KEY_LEN 32
#define DX_AEAD_NONCE_LEN 12
#define DX_AEAD_TAG_LEN 16
int dx_aead_seal(const uint8_t key[DX_AEAD_KEY_LEN], const uint8_t nonce[DX_AEAD_NONCE_LEN],
                 const void *aad, size_t aad_len, const void *in, size_t len, uint8_t *out,
                 uint8_t tag[DX_AEAD_TAG_LEN]);
/* DX_ERR_INTEGRITY when the tag does not match key, nonce, aad and in
 * (out is then wiped). */
int dx_aead_open(const uint8_t key[DX_AEAD_KEY_LEN], const uint8_t nonce[DX_AEAD_NONCE_LEN],
                 const void *aad, size_t aad_len, const void *in, size_t len,
                 const uint8_t tag[DX_AEAD_TAG_LEN], uint8_t *out);
/* HKDF-SHA256 (RFC 5869). */
int dx_hkdf_sha256(const void *ikm, size_t ikm_len, const char *salt, const char *info,
                   uint8_t *out, size_t out_len);

/* A new Ed25519 pair; secret is the 32-byte seed. */
int dx_ed25519_keygen(uint8_t secret[DX_ED25519_LEN], uint8_t pub[DX_ED25519_LEN]);
int dx_ed25519_public(const uint8_t secret[DX_ED25519_LEN], uint8_t pub[DX_ED25519_LEN]);

/* context NULL signs msg as it is: only for formats that are their own
 * domain separation (C2SP signed notes, see checkpoint.h). */
int dx_sign(const uint8_t secret[DX_ED25519_LEN], const char *context,
            const void *msg, size_t len, uint8_t sig[DX_SIG_LEN]);
/* 0 when sig is pub's signature of (context, msg); DX_ERR_INTEGRITY when
 * not; another error when the check itself failed. */
int dx_verify(const uint8_t pub[DX_ED25519_LEN], const char *context,
              const void *msg, size_t len, const uint8_t sig[DX_SIG_LEN]);

/* A signing key kept as one OpenSSL object: OpenSSL 3 spends as long
 * setting a key up as signing with it, so long-lived signers (the broker)
 * keep one. Immutable once made: threads may share it. */
typedef struct dx_signer dx_signer_t;
int dx_signer_new(const uint8_t secret[DX_ED25519_LEN], dx_signer_t **out);
void dx_signer_destroy(dx_signer_t **s_p);
/* context as for dx_sign (NULL: the message as it is). */
int dx_signer_sign(const dx_signer_t *s, const char *context, const void *msg, size_t len,
                   uint8_t sig[DX_SIG_LEN]);
const uint8_t *dx_signer_public(const dx_signer_t *s);
/* A signer whose key is elsewhere (pkcs11.h): fn signs the message as
 * framed (context, NUL, message) with Ed25519, and the signature is
 * checked against pub before it is used. free_arg (may be NULL) frees arg
 * with the signer. */
typedef int (*dx_sign_fn)(void *arg, const void *msg, size_t len, uint8_t sig[DX_SIG_LEN]);
int dx_signer_new_with(const uint8_t pub[DX_ED25519_LEN], dx_sign_fn fn, void *arg,
                       void (*free_arg)(void *arg), dx_signer_t **out);

/* A public key kept as one OpenSSL object, for many verifications. */
typedef struct dx_verifier dx_verifier_t;
int dx_verifier_new(const uint8_t pub[DX_ED25519_LEN], dx_verifier_t **out);
void dx_verifier_destroy(dx_verifier_t **v_p);
int dx_verifier_verify(const dx_verifier_t *v, const char *context, const void *msg, size_t len,
                       const uint8_t sig[DX_SIG_LEN]);

/* Overwrites secrets in a way the compiler cannot drop. */
void dx_wipe(void *buf, size_t len);

/* Constant-time equality of two byte strings of length len. */
int dx_equal(const void *a, const void *b, size_t len);

#endif
