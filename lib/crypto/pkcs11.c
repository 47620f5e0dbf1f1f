/* pkcs11: see pkcs11.h. */
#include "pkcs11.h"
#include "keys.h"

#include <p11-kit/p11-kit.h>
#include <p11-kit/uri.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* DER of the OID 1.3.101.112 (id-Ed25519), as CKA_EC_PARAMS */
static const uint8_t s_ed25519_oid[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };

typedef struct {
    CK_FUNCTION_LIST *f;
    CK_SESSION_HANDLE s;
    bool open;
    char token[33];
    P11KitUri *uri;
    pthread_mutex_t lock;
    CK_OBJECT_HANDLE key;
} p11_t;

bool dx_pkcs11_is_uri(const char *text) { return text && strncmp(text, "pkcs11:", 7) == 0; }

static const char *s_rv(CK_RV rv)
{
    switch (rv) {
    case CKR_PIN_INCORRECT: return "wrong PIN";
    case CKR_PIN_LOCKED: return "the PIN is locked";
    case CKR_TOKEN_NOT_PRESENT: return "the token is not present";
    case CKR_DEVICE_REMOVED: return "the token was removed";
    case CKR_MECHANISM_INVALID: return "the token has no Ed25519 (CKM_EDDSA, CKM_EC_EDWARDS_KEY_PAIR_GEN)";
    case CKR_USER_NOT_LOGGED_IN: return "not logged in";
    default: {
        static __thread char buf[64];
        const char *m = p11_kit_strerror(rv);
        snprintf(buf, sizeof buf, "%s", m ? m : "PKCS#11 error");
        return buf;
    }
    }
}

static void s_close(p11_t *p)
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

static void s_close_arg(void *arg) { s_close(arg); }

/* The module loaded, the URI's token found, a session open, logged in. */
static int s_open(const dx_pkcs11_conf_t *conf, const char *uri, p11_t **out, char err[DX_ERRMSG])
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
        snprintf(err, DX_ERRMSG, "the PKCS#11 module %s does not start: %s", conf->module, s_rv(r));
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
        snprintf(err, DX_ERRMSG, "cannot open a session on token %s: %s", p->token, s_rv(r));
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
        snprintf(err, DX_ERRMSG, "cannot log in to token %s: %s (pkcs11-pin-file %s)", p->token, s_rv(r),
                 conf->pin_file);
        rv = DX_ERR_DENIED;
        goto fail;
    }
    *out = p;
    return 0;
fail:
    s_close(p);
    return rv;
}

/* The objects of a class and key type that the URI names (label, id). */
static int s_find(p11_t *p, CK_OBJECT_CLASS cls, CK_OBJECT_HANDLE *h, CK_ULONG *count)
{
    CK_KEY_TYPE kt = CKK_EC_EDWARDS;
    CK_ATTRIBUTE t[4] = { { CKA_CLASS, &cls, sizeof cls }, { CKA_KEY_TYPE, &kt, sizeof kt } };
    CK_ULONG n = 2;
    CK_ATTRIBUTE *label = p11_kit_uri_get_attribute(p->uri, CKA_LABEL);
    CK_ATTRIBUTE *id = p11_kit_uri_get_attribute(p->uri, CKA_ID);
    if (label)
        t[n++] = *label;
    if (id)
        t[n++] = *id;
    *count = 0;
    if (p->f->C_FindObjectsInit(p->s, t, n) != CKR_OK)
        return DX_ERR_IO;
    CK_RV r = p->f->C_FindObjects(p->s, h, 2, count);
    p->f->C_FindObjectsFinal(p->s);
    return r == CKR_OK ? 0 : DX_ERR_IO;
}

static bool s_names_object(p11_t *p)
{
    return p11_kit_uri_get_attribute(p->uri, CKA_LABEL) || p11_kit_uri_get_attribute(p->uri, CKA_ID);
}

/* CKA_EC_POINT: the 32 bytes, bare or as a DER OCTET STRING (tokens differ). */
static int s_public(p11_t *p, uint8_t pub[DX_ED25519_LEN], char err[DX_ERRMSG], const char *uri)
{
    CK_OBJECT_HANDLE h[2];
    CK_ULONG count;
    uint8_t point[64];
    CK_ATTRIBUTE a = { CKA_EC_POINT, point, sizeof point };
    if (s_find(p, CKO_PUBLIC_KEY, h, &count) != 0 || count != 1 ||
        p->f->C_GetAttributeValue(p->s, h[0], &a, 1) != CKR_OK) {
        snprintf(err, DX_ERRMSG, "token %s has no single Ed25519 public key for %.200s", p->token, uri);
        return DX_ERR_NOT_FOUND;
    }
    if (a.ulValueLen == DX_ED25519_LEN)
        memcpy(pub, point, DX_ED25519_LEN);
    else if (a.ulValueLen == DX_ED25519_LEN + 2 && point[0] == 0x04 && point[1] == DX_ED25519_LEN)
        memcpy(pub, point + 2, DX_ED25519_LEN);
    else {
        snprintf(err, DX_ERRMSG, "token %s gives an Ed25519 public key of an unknown form", p->token);
        return DX_ERR_INVALID;
    }
    return 0;
}

static int s_private(p11_t *p, const char *uri, char err[DX_ERRMSG])
{
    CK_OBJECT_HANDLE h[2];
    CK_ULONG count;
    if (!s_names_object(p)) {
        snprintf(err, DX_ERRMSG, "%.200s names no key: add object=LABEL (or id=)", uri);
        return DX_ERR_USAGE;
    }
    if (s_find(p, CKO_PRIVATE_KEY, h, &count) != 0 || count == 0) {
        snprintf(err, DX_ERRMSG, "token %s has no Ed25519 private key %.200s (make one with dx-admin "
                 "keygen ID --pkcs11 URI)", p->token, uri);
        return DX_ERR_NOT_FOUND;
    }
    if (count > 1) {
        snprintf(err, DX_ERRMSG, "token %s has several Ed25519 private keys that %.200s names: add id=",
                 p->token, uri);
        return DX_ERR_INVALID;
    }
    p->key = h[0];
    return 0;
}

static int s_sign(void *arg, const void *msg, size_t len, uint8_t sig[DX_SIG_LEN])
{
    p11_t *p = arg;
    CK_MECHANISM m = { CKM_EDDSA, NULL, 0 };
    CK_ULONG n = DX_SIG_LEN;
    pthread_mutex_lock(&p->lock);
    CK_RV r = p->f->C_SignInit(p->s, &m, p->key);
    if (r == CKR_OK)
        r = p->f->C_Sign(p->s, (CK_BYTE *)msg, len, sig, &n);
    pthread_mutex_unlock(&p->lock);
    return r == CKR_OK && n == DX_SIG_LEN ? 0 : DX_ERR_CRYPTO;
}

static int s_key_info(p11_t *p, dx_pkcs11_key_info_t *info)
{
    CK_BBOOL ex = CK_TRUE, se = CK_FALSE, nex = CK_FALSE, ase = CK_FALSE;
    CK_ATTRIBUTE a[4] = { { CKA_EXTRACTABLE, &ex, sizeof ex }, { CKA_SENSITIVE, &se, sizeof se },
                          { CKA_NEVER_EXTRACTABLE, &nex, sizeof nex },
                          { CKA_ALWAYS_SENSITIVE, &ase, sizeof ase } };
    if (p->f->C_GetAttributeValue(p->s, p->key, a, 4) != CKR_OK)
        return DX_ERR_IO;
    info->extractable = ex;
    info->sensitive = se;
    info->never_extractable = nex;
    info->always_sensitive = ase;
    return 0;
}

int dx_pkcs11_signer(const dx_pkcs11_conf_t *conf, const char *uri, dx_signer_t **out, char err[DX_ERRMSG])
{
    p11_t *p = NULL;
    uint8_t pub[DX_ED25519_LEN];
    dx_pkcs11_key_info_t info;
    int rv = s_open(conf, uri, &p, err);
    if (rv == 0 && (rv = s_private(p, uri, err)) == 0 && (rv = s_public(p, pub, err, uri)) == 0 &&
        (rv = s_key_info(p, &info)) == 0 && (info.extractable || !info.sensitive)) {
        snprintf(err, DX_ERRMSG, "the key %.200s could leave its token (extractable or not sensitive): "
                 "make one that cannot, with dx-admin keygen ID --pkcs11 URI", uri);
        rv = DX_ERR_PERM;
    }
    if (rv == 0 && (rv = dx_signer_new_with(pub, s_sign, p, s_close_arg, out)) == 0) {
        /* one signature now: a key that does not sign (or not as its public
         * key says) stops the start, not the first publish */
        uint8_t sig[DX_SIG_LEN];
        if ((rv = dx_signer_sign(*out, "dx-pkcs11-check", "", 0, sig)) != 0) {
            snprintf(err, DX_ERRMSG, "the key %.200s on token %s does not sign with Ed25519 as its "
                     "public key says", uri, p->token);
            dx_signer_destroy(out);
        }
        return rv;
    }
    s_close(p);
    return rv;
}

int dx_pkcs11_generate(const dx_pkcs11_conf_t *conf, const char *uri, uint8_t pub[DX_ED25519_LEN],
                       char err[DX_ERRMSG])
{
    p11_t *p = NULL;
    int rv = s_open(conf, uri, &p, err);
    if (rv != 0)
        return rv;
    CK_ATTRIBUTE *label = p11_kit_uri_get_attribute(p->uri, CKA_LABEL);
    CK_OBJECT_HANDLE h[2], pubh, privh;
    CK_ULONG count = 0;
    if (!label) {
        snprintf(err, DX_ERRMSG, "%.200s names no object: add object=LABEL", uri);
        rv = DX_ERR_INVALID;
    } else if (s_find(p, CKO_PRIVATE_KEY, h, &count) != 0 || count > 0) {
        snprintf(err, DX_ERRMSG, "token %s already has a key %.200s: it is not replaced", p->token, uri);
        rv = DX_ERR_EXISTS;
    }
    if (rv == 0) {
        CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
        CK_BYTE id[8];
        dx_random(id, sizeof id);
        CK_ATTRIBUTE *uid = p11_kit_uri_get_attribute(p->uri, CKA_ID);
        CK_ATTRIBUTE idattr = uid ? *uid : (CK_ATTRIBUTE){ CKA_ID, id, sizeof id };
        CK_ATTRIBUTE pubt[] = { { CKA_TOKEN, &yes, sizeof yes }, { CKA_VERIFY, &yes, sizeof yes },
                                { CKA_EC_PARAMS, (void *)s_ed25519_oid, sizeof s_ed25519_oid },
                                *label, idattr };
        CK_ATTRIBUTE privt[] = { { CKA_TOKEN, &yes, sizeof yes }, { CKA_PRIVATE, &yes, sizeof yes },
                                 { CKA_SIGN, &yes, sizeof yes }, { CKA_SENSITIVE, &yes, sizeof yes },
                                 { CKA_EXTRACTABLE, &no, sizeof no }, *label, idattr };
        CK_MECHANISM m = { CKM_EC_EDWARDS_KEY_PAIR_GEN, NULL, 0 };
        CK_RV r = p->f->C_GenerateKeyPair(p->s, &m, pubt, sizeof pubt / sizeof pubt[0], privt,
                                          sizeof privt / sizeof privt[0], &pubh, &privh);
        if (r != CKR_OK) {
            snprintf(err, DX_ERRMSG, "token %s made no Ed25519 key: %s", p->token, s_rv(r));
            rv = DX_ERR_IO;
        } else {
            rv = s_public(p, pub, err, uri);
        }
    }
    s_close(p);
    return rv;
}

int dx_pkcs11_key_info(const dx_pkcs11_conf_t *conf, const char *uri, dx_pkcs11_key_info_t *info,
                       char err[DX_ERRMSG])
{
    p11_t *p = NULL;
    int rv = s_open(conf, uri, &p, err);
    if (rv == 0 && (rv = s_private(p, uri, err)) == 0 && (rv = s_public(p, info->pub, err, uri)) == 0 &&
        (rv = s_key_info(p, info)) != 0)
        snprintf(err, DX_ERRMSG, "token %s does not say whether the key may leave it", p->token);
    s_close(p);
    return rv;
}
