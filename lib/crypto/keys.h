/* keys: member key pairs and their files (DESIGN §3).
 *
 *   DIR/ID.key  both secrets and both public keys, mode 0600
 *   DIR/ID.pub  both public keys
 *
 * Both are small "name: value" files that are also valid YAML:
 *
 *   id: health
 *   sign_key: "ed25519:<base64 of 32 bytes>"
 *   transport_key: "curve:<Z85, 40 characters>"
 *   sign_secret: "ed25519:..."      (ID.key only)
 *   transport_secret: "curve:..."   (ID.key only)
 *
 * The signing key may instead live in a PKCS#11 token (pkcs11.h): then
 * sign_secret is the key's RFC 7512 URI ("pkcs11:token=dx;object=broker"),
 * and the file holds only the transport secret (libzmq needs that one in
 * memory). dx_keypair_signer() gives a signer for either.
 *
 * Reading a secret file refuses links, non-regular files and files that
 * group or others may read, and checks that each secret matches its public
 * key. Secrets are wiped by dx_keypair_wipe(). */
#ifndef DX_KEYS_H
#define DX_KEYS_H

#include "crypto.h"
#include "err.h"
#include "names.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define DX_KEYFILE_MAX 4096
#define DX_SIGN_TEXT 64    /* "ed25519:" + 44 base64 + NUL, with room */
#define DX_CURVE_TEXT 48   /* "curve:" + 40 Z85 + NUL, with room */

typedef struct {
    char id[DX_ID_MAX + 1];
    uint8_t sign[DX_ED25519_LEN];
    uint8_t curve[32];
} dx_pubkeys_t;

typedef struct {
    dx_pubkeys_t pub;
    uint8_t sign_secret[DX_ED25519_LEN]; /* zero when sign_uri is set */
    uint8_t curve_secret[32];
    char sign_uri[512];                  /* the signing key in a token; "" if not */
} dx_keypair_t;

struct dx_pkcs11_conf;

int dx_keypair_generate(const char *id, dx_keypair_t *out);
void dx_keypair_wipe(dx_keypair_t *k);

/* Writes DIR/ID.key (0600) and DIR/ID.pub; refuses to overwrite either. */
int dx_keys_write(const char *dir, const dx_keypair_t *k, char err[DX_ERRMSG]);
int dx_keys_read_secret(const char *path, dx_keypair_t *out, char err[DX_ERRMSG]);
/* A key file whose signing key is the token's key at uri (made there
 * already, its public key pub): DIR/ID.key holds the URI and a new
 * transport secret. */
int dx_keys_write_token(const char *dir, const char *id, const char *uri,
                        const uint8_t pub[DX_ED25519_LEN], char err[DX_ERRMSG]);
/* A signer for k's signing key: from the file, or from its token (conf
 * names the module and PIN file), whose key must be k's sign_key. */
int dx_keypair_signer(const dx_keypair_t *k, const struct dx_pkcs11_conf *conf, dx_signer_t **out,
                      char err[DX_ERRMSG]);
/* Reads a .pub file, or the public half of a .key file. */
int dx_keys_read_public(const char *path, dx_pubkeys_t *out, char err[DX_ERRMSG]);

/* A whole small key file into buf (NUL-terminated); secret: refused when
 * group or others may read it. */
int dx_keyfile_read(const char *path, bool secret, char buf[DX_KEYFILE_MAX + 1], char err[DX_ERRMSG]);
/* Creates path (never overwrites) with mode, text and fsync. */
int dx_keyfile_write(const char *path, mode_t mode, const char *text, char err[DX_ERRMSG]);

/* "ed25519:BASE64" and "curve:Z85" text forms. */
int dx_sign_key_parse(const char *text, uint8_t out[DX_ED25519_LEN]);
int dx_curve_key_parse(const char *text, uint8_t out[32]);
void dx_sign_key_format(const uint8_t key[DX_ED25519_LEN], char out[DX_SIGN_TEXT]);
void dx_curve_key_format(const uint8_t key[32], char out[DX_CURVE_TEXT]);

#endif
