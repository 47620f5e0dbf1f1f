/* pkcs11_aes: AES-256 master keys kept in a token (pkcs11.h). */
#include "pkcs11.h"
#include "pkcs11_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LABEL_MAX 200

struct dx_pkcs11_aes {
    p11_t *p;
    char base[LABEL_MAX];   /* the URI's object= */
    char name[LABEL_MAX + 80];
};

static int s_label(const dx_pkcs11_aes_t *k, const char *suffix, char out[LABEL_MAX + 40])
{
    int n = snprintf(out, LABEL_MAX + 40, "%s%s%s", k->base, suffix && *suffix ? "." : "",
                     suffix ? suffix : "");
    return n > 0 && n < LABEL_MAX + 40 ? 0 : DX_ERR_INVALID;
}

static void s_name(dx_pkcs11_aes_t *k, const char *label)
{
    snprintf(k->name, sizeof k->name, "token %s, key %s", k->p->token, label);
}

/* The session, and the URI's label; a URI that names the key otherwise
 * (id=) is refused: rotation gives every key its own label. */
static int s_start(const dx_pkcs11_conf_t *conf, const char *uri, dx_pkcs11_aes_t **out, char err[DX_ERRMSG])
{
    dx_pkcs11_aes_t *k = calloc(1, sizeof *k);
    if (!k) {
        snprintf(err, DX_ERRMSG, "out of memory");
        return DX_ERR_NOMEM;
    }
    int rv = p11_open(conf, uri, &k->p, err);
    if (rv != 0) {
        free(k);
        return rv;
    }
    CK_ATTRIBUTE *label = p11_kit_uri_get_attribute(k->p->uri, CKA_LABEL);
    if (!label || label->ulValueLen == 0 || label->ulValueLen >= LABEL_MAX ||
        p11_kit_uri_get_attribute(k->p->uri, CKA_ID) || memchr(label->pValue, 0, label->ulValueLen)) {
        snprintf(err, DX_ERRMSG, "a master key's URI names its key by object=LABEL alone (no id=): %.200s", uri);
        dx_pkcs11_aes_free(&k);
        return DX_ERR_USAGE;
    }
    memcpy(k->base, label->pValue, label->ulValueLen);
    *out = k;
    return 0;
}

static int s_find(dx_pkcs11_aes_t *k, const char *label, CK_OBJECT_HANDLE *h, CK_ULONG *count)
{
    CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
    CK_KEY_TYPE kt = CKK_AES;
    CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof cls }, { CKA_KEY_TYPE, &kt, sizeof kt },
                         { CKA_LABEL, (void *)label, strlen(label) } };
    p11_t *p = k->p;
    *count = 0;
    if (p->f->C_FindObjectsInit(p->s, t, 3) != CKR_OK)
        return DX_ERR_IO;
    CK_RV r = p->f->C_FindObjects(p->s, h, 2, count);
    p->f->C_FindObjectsFinal(p->s);
    return r == CKR_OK ? 0 : DX_ERR_IO;
}

/* k->p->key becomes the key labelled label: one, AES-256, not leaving. */
static int s_use(dx_pkcs11_aes_t *k, const char *label, char err[DX_ERRMSG])
{
    CK_OBJECT_HANDLE h[2];
    CK_ULONG count = 0;
    p11_t *p = k->p;
    if (s_find(k, label, h, &count) != 0 || count == 0) {
        snprintf(err, DX_ERRMSG, "token %s has no AES key labelled %s (make one with dx-admin "
                 "master-key new URI)", p->token, label);
        return DX_ERR_NOT_FOUND;
    }
    if (count > 1) {
        snprintf(err, DX_ERRMSG, "token %s has several AES keys labelled %s: remove all but one", p->token,
                 label);
        return DX_ERR_INVALID;
    }
    CK_BBOOL ex = CK_TRUE, se = CK_FALSE, enc = CK_FALSE, dec = CK_FALSE;
    CK_ULONG len = 0;
    CK_ATTRIBUTE a[] = { { CKA_EXTRACTABLE, &ex, sizeof ex }, { CKA_SENSITIVE, &se, sizeof se },
                         { CKA_ENCRYPT, &enc, sizeof enc }, { CKA_DECRYPT, &dec, sizeof dec },
                         { CKA_VALUE_LEN, &len, sizeof len } };
    if (p->f->C_GetAttributeValue(p->s, h[0], a, 5) != CKR_OK) {
        snprintf(err, DX_ERRMSG, "token %s does not say what key %s is", p->token, label);
        return DX_ERR_IO;
    }
    if (ex || !se) {
        snprintf(err, DX_ERRMSG, "the key %s on token %s could leave it (extractable or not sensitive): "
                 "make one that cannot, with dx-admin master-key new URI", label, p->token);
        return DX_ERR_PERM;
    }
    if (!enc || !dec || len != 32) {
        snprintf(err, DX_ERRMSG, "the key %s on token %s is not an AES-256 key for encryption and "
                 "decryption", label, p->token);
        return DX_ERR_INVALID;
    }
    p->key = h[0];
    s_name(k, label);
    return 0;
}

int dx_pkcs11_aes_open(const dx_pkcs11_conf_t *conf, const char *uri, const char *suffix,
                       dx_pkcs11_aes_t **out, char err[DX_ERRMSG])
{
    char label[LABEL_MAX + 40];
    dx_pkcs11_aes_t *k = NULL;
    int rv = s_start(conf, uri, &k, err);
    if (rv == 0 && (rv = s_label(k, suffix, label)) != 0)
        snprintf(err, DX_ERRMSG, "the key's label is too long: %.200s", uri);
    if (rv == 0)
        rv = s_use(k, label, err);
    if (rv != 0)
        dx_pkcs11_aes_free(&k);
    *out = k;
    return rv;
}

int dx_pkcs11_aes_generate(const dx_pkcs11_conf_t *conf, const char *uri, const char *suffix,
                           bool replace, dx_pkcs11_aes_t **out, char err[DX_ERRMSG])
{
    char label[LABEL_MAX + 40];
    CK_OBJECT_HANDLE h[2], key;
    CK_ULONG count = 0;
    CK_RV r;
    dx_pkcs11_aes_t *k = NULL;
    *out = NULL;
    int rv = s_start(conf, uri, &k, err);
    if (rv != 0)
        return rv;
    p11_t *p = k->p;
    if ((rv = s_label(k, suffix, label)) != 0) {
        snprintf(err, DX_ERRMSG, "the key's label is too long: %.200s", uri);
        goto out;
    }
    if ((rv = s_find(k, label, h, &count)) != 0) {
        snprintf(err, DX_ERRMSG, "cannot search token %s", p->token);
        goto out;
    }
    for (CK_ULONG i = 0; i < count; i++) {
        if (!replace) {
            snprintf(err, DX_ERRMSG, "token %s already has a key labelled %s: it is not replaced",
                     p->token, label);
            rv = DX_ERR_EXISTS;
            goto out;
        }
        if ((r = p->f->C_DestroyObject(p->s, h[i])) != CKR_OK) {
            snprintf(err, DX_ERRMSG, "cannot remove the old key %s from token %s: %s", label, p->token,
                     p11_strerror(r));
            rv = DX_ERR_IO;
            goto out;
        }
    }
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_ULONG len = 32;
    CK_BYTE id[8];
    if ((rv = dx_random(id, sizeof id)) != 0)
        goto out;
    CK_ATTRIBUTE t[] = { { CKA_TOKEN, &yes, sizeof yes },     { CKA_PRIVATE, &yes, sizeof yes },
                         { CKA_SENSITIVE, &yes, sizeof yes }, { CKA_EXTRACTABLE, &no, sizeof no },
                         { CKA_ENCRYPT, &yes, sizeof yes },   { CKA_DECRYPT, &yes, sizeof yes },
                         { CKA_WRAP, &no, sizeof no },        { CKA_UNWRAP, &no, sizeof no },
                         { CKA_SIGN, &no, sizeof no },        { CKA_VERIFY, &no, sizeof no },
                         { CKA_VALUE_LEN, &len, sizeof len }, { CKA_LABEL, label, strlen(label) },
                         { CKA_ID, id, sizeof id } };
    CK_MECHANISM m = { CKM_AES_KEY_GEN, NULL, 0 };
    if ((r = p->f->C_GenerateKey(p->s, &m, t, sizeof t / sizeof t[0], &key)) != CKR_OK) {
        snprintf(err, DX_ERRMSG, "token %s made no AES-256 key: %s", p->token, p11_strerror(r));
        rv = DX_ERR_IO;
        goto out;
    }
    rv = s_use(k, label, err);
out:
    if (rv != 0)
        dx_pkcs11_aes_free(&k);
    *out = k;
    return rv;
}

int dx_pkcs11_aes_relabel(dx_pkcs11_aes_t *k, const char *suffix, char err[DX_ERRMSG])
{
    char label[LABEL_MAX + 40];
    p11_t *p = k->p;
    if (s_label(k, suffix, label) != 0) {
        snprintf(err, DX_ERRMSG, "the key's label is too long");
        return DX_ERR_INVALID;
    }
    CK_ATTRIBUTE a = { CKA_LABEL, label, strlen(label) };
    pthread_mutex_lock(&p->lock);
    CK_RV r = p->f->C_SetAttributeValue(p->s, p->key, &a, 1);
    pthread_mutex_unlock(&p->lock);
    if (r != CKR_OK) {
        snprintf(err, DX_ERRMSG, "cannot relabel %s as %s: %s", k->name, label, p11_strerror(r));
        return DX_ERR_IO;
    }
    s_name(k, label);
    return 0;
}

int dx_pkcs11_aes_destroy(dx_pkcs11_aes_t **k_p, char err[DX_ERRMSG])
{
    dx_pkcs11_aes_t *k = *k_p;
    CK_RV r = k->p->f->C_DestroyObject(k->p->s, k->p->key);
    if (r != CKR_OK) {
        snprintf(err, DX_ERRMSG, "cannot remove %s: %s", k->name, p11_strerror(r));
        return DX_ERR_IO;
    }
    dx_pkcs11_aes_free(k_p);
    return 0;
}

int dx_pkcs11_aes_gcm(dx_pkcs11_aes_t *k, bool encrypt, const uint8_t nonce[12], const void *aad,
                      size_t aad_len, const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[16])
{
    uint8_t buf[256 + 16], res[256 + 16];
    p11_t *p = k->p;
    if (len > 256)
        return DX_ERR_INVALID;
    CK_GCM_PARAMS gp = { (unsigned char *)nonce, 12, 96, (unsigned char *)aad, aad_len, 128 };
    CK_MECHANISM m = { CKM_AES_GCM, &gp, sizeof gp };
    CK_ULONG n = sizeof res;
    CK_RV r;
    pthread_mutex_lock(&p->lock);
    if (encrypt) {
        memcpy(buf, in, len);
        if ((r = p->f->C_EncryptInit(p->s, &m, p->key)) == CKR_OK)
            r = p->f->C_Encrypt(p->s, buf, len, res, &n);
    } else {
        memcpy(buf, in, len);
        memcpy(buf + len, tag, 16);
        if ((r = p->f->C_DecryptInit(p->s, &m, p->key)) == CKR_OK)
            r = p->f->C_Decrypt(p->s, buf, len + 16, res, &n);
    }
    pthread_mutex_unlock(&p->lock);
    int rv = 0;
    if (r != CKR_OK)
        rv = !encrypt && (r == CKR_ENCRYPTED_DATA_INVALID || r == CKR_ENCRYPTED_DATA_LEN_RANGE)
                 ? DX_ERR_INTEGRITY : DX_ERR_CRYPTO;
    else if (n != (encrypt ? len + 16 : len))
        rv = DX_ERR_CRYPTO;
    else {
        memcpy(out, res, len);
        if (encrypt)
            memcpy(tag, res + len, 16);
    }
    dx_wipe(buf, sizeof buf);
    dx_wipe(res, sizeof res);
    return rv;
}

int dx_pkcs11_aes_label(const char *uri, const char *suffix, char *out, size_t size)
{
    P11KitUri *u = p11_kit_uri_new();
    int rv = DX_ERR_INVALID;
    if (u && p11_kit_uri_parse(uri, P11_KIT_URI_FOR_OBJECT_ON_TOKEN, u) == P11_KIT_URI_OK) {
        CK_ATTRIBUTE *label = p11_kit_uri_get_attribute(u, CKA_LABEL);
        if (label && label->ulValueLen < LABEL_MAX) {
            snprintf(out, size, "%.*s%s%s", (int)label->ulValueLen, (const char *)label->pValue,
                     suffix && *suffix ? "." : "", suffix ? suffix : "");
            rv = 0;
        }
    }
    if (u)
        p11_kit_uri_free(u);
    return rv;
}

const char *dx_pkcs11_aes_name(const dx_pkcs11_aes_t *k) { return k->name; }

void dx_pkcs11_aes_free(dx_pkcs11_aes_t **k_p)
{
    if (!*k_p)
        return;
    p11_close((*k_p)->p);
    free(*k_p);
    *k_p = NULL;
}
