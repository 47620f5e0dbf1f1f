/* signed: a serialized message and the Ed25519 signature over it (with the
 * context string of its kind, see crypto.h), as carried in Dx__Signed. */
#ifndef DX_SIGNED_H
#define DX_SIGNED_H

#include "crypto.h"
#include "dx.pb-c.h"

/* Packs msg and signs it: out->body and out->signature are allocated and
 * freed by dx_signed_clear(). */
int dx_signed_make(const ProtobufCMessage *msg, const char *context, const dx_signer_t *signer,
                   Dx__Signed *out);
/* 0 when s is pub's signature; DX_ERR_INTEGRITY when not. */
int dx_signed_verify(const Dx__Signed *s, const char *context, const uint8_t pub[DX_ED25519_LEN]);
void dx_signed_clear(Dx__Signed *s);

#endif
