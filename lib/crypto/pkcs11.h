/* pkcs11: Ed25519 signing keys kept in a PKCS#11 token (an HSM, a smart
 * card, SoftHSM), named by RFC 7512 URIs ("pkcs11:token=dx;object=broker").
 * The only module that calls PKCS#11, through p11-kit (module loading, URI
 * parsing and matching).
 *
 * A key is generated on the token, sensitive and not extractable, and a
 * key that could leave its token is refused: the secret never reaches this
 * process. The PIN comes from a file (never the URI, never the command
 * line) that group and others may not read. One session per key, its
 * signatures serialized (tokens differ in what they allow in parallel). */
#ifndef DX_PKCS11_H
#define DX_PKCS11_H

#include "crypto.h"
#include "err.h"

#include <stdbool.h>

#define DX_PKCS11_URI_MAX 512

typedef struct dx_pkcs11_conf {
    const char *module;          /* the PKCS#11 module (a .so) */
    const char *pin_file;
} dx_pkcs11_conf_t;

/* True for text that names a token's key rather than a file. */
bool dx_pkcs11_is_uri(const char *text);

/* A signer (crypto.h) whose key is the token's: its public key read from
 * the token. One line in err when the module, token, PIN or object is
 * missing or wrong. */
int dx_pkcs11_signer(const dx_pkcs11_conf_t *conf, const char *uri, dx_signer_t **out,
                     char err[DX_ERRMSG]);

/* A new Ed25519 pair on the token, labelled by the URI's object (which
 * must not exist yet): sensitive, not extractable. pub gets its public key. */
int dx_pkcs11_generate(const dx_pkcs11_conf_t *conf, const char *uri, uint8_t pub[DX_ED25519_LEN],
                       char err[DX_ERRMSG]);

/* What the token says of the key: extractable, sensitive, ever extractable,
 * always sensitive (for dx-admin and the tests). */
typedef struct {
    bool extractable, sensitive, never_extractable, always_sensitive;
    uint8_t pub[DX_ED25519_LEN];
} dx_pkcs11_key_info_t;
int dx_pkcs11_key_info(const dx_pkcs11_conf_t *conf, const char *uri, dx_pkcs11_key_info_t *info,
                       char err[DX_ERRMSG]);

/* AES-256 keys that never leave the token (a broker's master keys,
 * master_key.h), named by the URI's object= label plus a suffix
 * ("LABEL.new", "LABEL.<id>"; NULL or "" for LABEL itself). A key is used
 * for AES-GCM only, on the token. */
typedef struct dx_pkcs11_aes dx_pkcs11_aes_t;
/* DX_ERR_NOT_FOUND when the token has no such key; a key that could leave
 * the token is refused. */
int dx_pkcs11_aes_open(const dx_pkcs11_conf_t *conf, const char *uri, const char *suffix,
                       dx_pkcs11_aes_t **out, char err[DX_ERRMSG]);
/* A new key under that label: DX_ERR_EXISTS when there is one, unless
 * replace, which destroys it first. */
int dx_pkcs11_aes_generate(const dx_pkcs11_conf_t *conf, const char *uri, const char *suffix,
                           bool replace, dx_pkcs11_aes_t **out, char err[DX_ERRMSG]);
/* The key's label becomes LABEL + suffix. */
int dx_pkcs11_aes_relabel(dx_pkcs11_aes_t *k, const char *suffix, char err[DX_ERRMSG]);
/* Destroys the key on the token (and frees k). */
int dx_pkcs11_aes_destroy(dx_pkcs11_aes_t **k, char err[DX_ERRMSG]);
/* AES-256-GCM on the token, 12-byte nonce, 16-byte tag: out gets len
 * bytes; encrypting writes tag, decrypting checks it (DX_ERR_INTEGRITY). */
int dx_pkcs11_aes_gcm(dx_pkcs11_aes_t *k, bool encrypt, const uint8_t nonce[12], const void *aad,
                      size_t aad_len, const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[16]);
/* LABEL + suffix for the URI's object=LABEL, for messages. */
int dx_pkcs11_aes_label(const char *uri, const char *suffix, char *out, size_t size);
/* The label as the token holds it, for messages: "token dx, key master.new". */
const char *dx_pkcs11_aes_name(const dx_pkcs11_aes_t *k);
void dx_pkcs11_aes_free(dx_pkcs11_aes_t **k);

#endif
