/* pkcs11_session: what pkcs11.c (Ed25519 signing keys) and pkcs11_aes.c
 * (master keys) share: a token's module loaded through p11-kit, the URI's
 * token found, a read-write session, logged in with the PIN file's PIN.
 * Internal to lib/crypto. */
#ifndef DX_PKCS11_SESSION_H
#define DX_PKCS11_SESSION_H

#include "pkcs11.h"

#include <p11-kit/p11-kit.h>
#include <p11-kit/uri.h>
#include <pthread.h>

typedef struct {
    CK_FUNCTION_LIST *f;
    CK_SESSION_HANDLE s;
    bool open;
    char token[33];
    P11KitUri *uri;
    pthread_mutex_t lock;
    CK_OBJECT_HANDLE key;
} p11_t;

/* One line in err when the URI, module, token or PIN does not work. */
int p11_open(const dx_pkcs11_conf_t *conf, const char *uri, p11_t **out, char err[DX_ERRMSG]);
void p11_close(p11_t *p);
void p11_close_arg(void *arg);
/* A PKCS#11 return value as words. */
const char *p11_strerror(CK_RV rv);

#endif
