/* pkcs11_session: a token's session, opened from a URI (pkcs11_session.h). */
#include "pkcs11_session.h"
#include "keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool dx_pkcs11_is_uri(const char *text) { return text && strncmp(text, "pkcs11:", 7) == 0; }

const char *p11_strerror(CK_RV rv)
{
    switch (rv) {
    case CKR_PIN_INCORRECT: return "wrong PIN";
    case CKR_PIN_LOCKED: return "the PIN is locked";
    case CKR_TOKEN_NOT_PRESENT: return "the token is not present";
    case CKR_DEVICE_REMOVED: return "the token was removed";
    case CKR_MECHANISM_INVALID: return "the token lacks a mechanism dx needs (Ed25519 keys: CKM_EDDSA; "
                                       "master keys: CKM_AES_GCM)";
    case CKR_USER_NOT_LOGGED_IN: return "not logged in";
    default: {
        static __thread char buf[64];
        const char *m = p11_kit_strerror(rv);
        snprintf(buf, sizeof buf, "%s", m ? m : "PKCS#11 error");
        return buf;
    }
    }
}

void p11_close(p11_t *p)
{
    if (!p)
        return;
    if (p->open)
        p->f->C_CloseSession(p->s);
    /* finalized, but the library stays loaded until the process ends:
     * p11-kit keeps managed modules for reuse, and a leak report of the
     * token's own code can still name it (tests/lsan.supp) */
    if (p->f)
        p11_kit_module_finalize(p->f);
    if (p->uri)
        p11_kit_uri_free(p->uri);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

void p11_close_arg(void *arg) { p11_close(arg); }

/* The module loaded, the URI's token found, a session open, logged in. */
int p11_open(const dx_pkcs11_conf_t *conf, const char *uri, p11_t **out, char err[DX_ERRMSG])
{
    p11_t *p = calloc(1, sizeof *p);
    CK_SLOT_ID *slots = NULL;
    CK_ULONG n = 0;
    CK_RV r;
    int rv = DX_ERR_USAGE;  /* a URI or setting that cannot work */
    char pin[DX_KEYFILE_MAX + 1], why[DX_ERRMSG];
    if (!p) {
        snprintf(err, DX_ERRMSG, "out of memory");
        return DX_ERR_NOMEM;
    }
    pthread_mutex_init(&p->lock, NULL);
    if (!dx_pkcs11_is_uri(uri) || !(p->uri = p11_kit_uri_new()) ||
        p11_kit_uri_parse(uri, P11_KIT_URI_FOR_OBJECT_ON_TOKEN, p->uri) != P11_KIT_URI_OK) {
        snprintf(err, DX_ERRMSG, "'%.200s' is not a PKCS#11 URI (RFC 7512: pkcs11:token=NAME;object=LABEL)", uri);
        goto fail;
    }
    if (p11_kit_uri_get_pin_value(p->uri) || p11_kit_uri_get_pin_source(p->uri)) {
        snprintf(err, DX_ERRMSG, "a PKCS#11 URI here carries no PIN: give it in a file, with pkcs11-pin-file");
        goto fail;
    }
    if (!conf || !conf->module || !conf->pin_file) {
        snprintf(err, DX_ERRMSG, "a key in a token needs pkcs11-module (the token's PKCS#11 library) and "
                                 "pkcs11-pin-file");
        goto fail;
    }
    if (!(p->f = p11_kit_module_load(conf->module, 0))) {
        snprintf(err, DX_ERRMSG, "cannot load the PKCS#11 module %s: %s", conf->module,
                 p11_kit_message() ? p11_kit_message() : "no such library");
        rv = DX_ERR_NOT_FOUND;
        goto fail;
    }
    if ((r = p11_kit_module_initialize(p->f)) != CKR_OK) {
        snprintf(err, DX_ERRMSG, "the PKCS#11 module %s does not start: %s", conf->module, p11_strerror(r));
        p11_kit_module_release(p->f);
        p->f = NULL;
        rv = DX_ERR_IO;
        goto fail;
    }
    rv = DX_ERR_NOT_FOUND;
    if ((r = p->f->C_GetSlotList(CK_TRUE, NULL, &n)) != CKR_OK || !(slots = calloc(n ? n : 1, sizeof *slots)) ||
        (r = p->f->C_GetSlotList(CK_TRUE, slots, &n)) != CKR_OK)
        n = 0;
    CK_SLOT_ID slot = 0;
    bool found = false;
    for (CK_ULONG i = 0; i < n && !found; i++) {
        CK_TOKEN_INFO ti;
        if (p->f->C_GetTokenInfo(slots[i], &ti) == CKR_OK && p11_kit_uri_match_token_info(p->uri, &ti)) {
            slot = slots[i];
            found = true;
            size_t len = p11_kit_space_strlen(ti.label, sizeof ti.label);
            snprintf(p->token, sizeof p->token, "%.*s", (int)len, (const char *)ti.label);
        }
    }
    free(slots);
    if (!found) {
        snprintf(err, DX_ERRMSG, "no token of %s matches %.200s (is it present? with SoftHSM: "
                 "softhsm2-util --show-slots)", conf->module, uri);
        goto fail;
    }
    if ((r = p->f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &p->s)) != CKR_OK) {
        snprintf(err, DX_ERRMSG, "cannot open a session on token %s: %s", p->token, p11_strerror(r));
        rv = DX_ERR_IO;
        goto fail;
    }
    p->open = true;
    if ((rv = dx_keyfile_read(conf->pin_file, true, pin, why)) != 0) {
        snprintf(err, DX_ERRMSG, "pkcs11-pin-file: %s", why);
        goto fail;
    }
    size_t len = strcspn(pin, "\r\n");
    r = p->f->C_Login(p->s, CKU_USER, (CK_UTF8CHAR *)pin, len);
    dx_wipe(pin, sizeof pin);
    if (r != CKR_OK && r != CKR_USER_ALREADY_LOGGED_IN) {
        snprintf(err, DX_ERRMSG, "cannot log in to token %s: %s (pkcs11-pin-file %s)", p->token, p11_strerror(r),
                 conf->pin_file);
        rv = DX_ERR_DENIED;
        goto fail;
    }
    *out = p;
    return 0;
fail:
    p11_close(p);
    return rv;
}

