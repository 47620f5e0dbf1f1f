/* pkcs11: Ed25519 signing keys in a token (pkcs11.h). */
#include "pkcs11.h"
#include "pkcs11_session.h"

#include <stdio.h>
#include <string.h>

/* DER of the OID 1.3.101.112 (id-Ed25519), as CKA_EC_PARAMS */
static const uint8_t s_ed25519_oid[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };

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
    int rv = p11_open(conf, uri, &p, err);
    if (rv == 0 && (rv = s_private(p, uri, err)) == 0 && (rv = s_public(p, pub, err, uri)) == 0 &&
        (rv = s_key_info(p, &info)) == 0 && (info.extractable || !info.sensitive)) {
        snprintf(err, DX_ERRMSG, "the key %.200s could leave its token (extractable or not sensitive): "
                 "make one that cannot, with dx-admin keygen ID --pkcs11 URI", uri);
        rv = DX_ERR_PERM;
    }
    if (rv == 0 && (rv = dx_signer_new_with(pub, s_sign, p, p11_close_arg, out)) == 0) {
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
    p11_close(p);
    return rv;
}

int dx_pkcs11_generate(const dx_pkcs11_conf_t *conf, const char *uri, uint8_t pub[DX_ED25519_LEN],
                       char err[DX_ERRMSG])
{
    p11_t *p = NULL;
    int rv = p11_open(conf, uri, &p, err);
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
            snprintf(err, DX_ERRMSG, "token %s made no Ed25519 key: %s", p->token, p11_strerror(r));
            rv = DX_ERR_IO;
        } else {
            rv = s_public(p, pub, err, uri);
        }
    }
    p11_close(p);
    return rv;
}

int dx_pkcs11_key_info(const dx_pkcs11_conf_t *conf, const char *uri, dx_pkcs11_key_info_t *info,
                       char err[DX_ERRMSG])
{
    p11_t *p = NULL;
    int rv = p11_open(conf, uri, &p, err);
    if (rv == 0 && (rv = s_private(p, uri, err)) == 0 && (rv = s_public(p, info->pub, err, uri)) == 0 &&
        (rv = s_key_info(p, info)) != 0)
        snprintf(err, DX_ERRMSG, "token %s does not say whether the key may leave it", p->token);
    p11_close(p);
    return rv;
}
