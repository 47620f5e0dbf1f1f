/* wire: the protobuf boundary. The only module that calls protobuf-c unpack.
 *
 * Every decoder checks the size before parsing, then required fields, enum
 * ranges, string and byte lengths, and names; callers receive structs they
 * can trust to be well-formed (not to be true: signatures are checked by
 * the caller). On failure err says what was wrong, in one line. */
#ifndef DX_WIRE_H
#define DX_WIRE_H

#include "dx.pb-c.h"
#include "err.h"

#include <stddef.h>
#include <stdint.h>

/* 2: purpose required, filtered views carry no hash or size of their
 * source, strings checked as UTF-8 without NUL. */
#define DX_PROTOCOL_VERSION 2
#define DX_CHUNK_SIZE (1024 * 1024)          /* content travels in these */
#define DX_MAX_FRAME (DX_CHUNK_SIZE + 65536) /* any frame; the broker's ZMQ_MAXMSGSIZE */
#define DX_MAX_SMALL_FRAME 65536              /* any request but a publish's */
#define DX_MAX_MANIFEST 4096
#define DX_CURSOR_MAX 512                     /* a sealed continuation token */
#define DX_MAX_CONTENT_TYPE 128
#define DX_NONCE_LEN 16
#define DX_MAX_QUERY_PAGE 1000               /* audit records per reply */
#define DX_MAX_FEED_PATTERNS 16              /* patterns in one feed request */

/* Serializes msg into a new buffer the caller frees. */
int wire_pack(const ProtobufCMessage *msg, uint8_t **out, size_t *len);

/* The request type a frame carries (DX__REQUEST__BODY__NOT_SET: none),
 * from its top-level fields alone, before anything is unpacked: so that a
 * frame over its type's limit is refused unread. DX_ERR_PROTOCOL when the
 * top level is not well-formed or holds two bodies. */
int wire_request_peek(const uint8_t *data, size_t len, Dx__Request__BodyCase *body,
                      char err[DX_ERRMSG]);
int wire_request_decode(const uint8_t *data, size_t len, Dx__Request **out, char err[DX_ERRMSG]);
void wire_request_free(Dx__Request **req);
int wire_reply_decode(const uint8_t *data, size_t len, Dx__Reply **out, char err[DX_ERRMSG]);
void wire_reply_free(Dx__Reply **reply);

int wire_manifest_decode(const uint8_t *data, size_t len, Dx__Manifest **out, char err[DX_ERRMSG]);
/* Checks the fields of a manifest (used by publishers before signing too). */
int wire_manifest_check(const Dx__Manifest *m, char err[DX_ERRMSG]);
int wire_receipt_decode(const uint8_t *data, size_t len, Dx__Receipt **out, char err[DX_ERRMSG]);
int wire_delivery_receipt_decode(const uint8_t *data, size_t len, Dx__DeliveryReceipt **out,
                                 char err[DX_ERRMSG]);
int wire_delivery_decode(const uint8_t *data, size_t len, Dx__Delivery **out, char err[DX_ERRMSG]);
int wire_view_decode(const uint8_t *data, size_t len, Dx__ViewManifest **out, char err[DX_ERRMSG]);
int wire_audit_decode(const uint8_t *data, size_t len, Dx__AuditRecord **out, char err[DX_ERRMSG]);
int wire_signed_decode(const uint8_t *data, size_t len, Dx__Signed **out, char err[DX_ERRMSG]);
int wire_catalog_decode(const uint8_t *data, size_t len, Dx__CatalogEntry **out, char err[DX_ERRMSG]);

/* Frees any message a wire decoder returned, and sets *msg to NULL. */
void wire_free(void *msg_p);

#endif
