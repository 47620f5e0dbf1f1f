/* signed: pack-and-sign, verify. */
#include "signed.h"
#include "err.h"
#include "wire.h"

#include <stdlib.h>

int dx_signed_make(const ProtobufCMessage *msg, const char *context, const dx_signer_t *signer,
                   Dx__Signed *out)
{
    uint8_t *body = NULL, *sig = NULL;
    size_t len = 0;
    int rv;
    dx__signed__init(out);
    if ((rv = wire_pack(msg, &body, &len)) != 0)
        return rv;
    if (!(sig = malloc(DX_SIG_LEN))) {
        free(body);
        return DX_ERR_NOMEM;
    }
    if ((rv = dx_signer_sign(signer, context, body, len, sig)) != 0) {
        free(body);
        free(sig);
        return rv;
    }
    out->body.data = body;
    out->body.len = len;
    out->signature.data = sig;
    out->signature.len = DX_SIG_LEN;
    return 0;
}

int dx_signed_verify(const Dx__Signed *s, const char *context, const uint8_t pub[DX_ED25519_LEN])
{
    if (!s || s->signature.len != DX_SIG_LEN)
        return DX_ERR_INTEGRITY;
    return dx_verify(pub, context, s->body.data, s->body.len, s->signature.data);
}

void dx_signed_clear(Dx__Signed *s)
{
    free(s->body.data);
    free(s->signature.data);
    s->body.data = s->signature.data = NULL;
    s->body.len = s->signature.len = 0;
}
