/* fuzz_wire: every protobuf decoder on hostile bytes. The broker decodes
 * requests straight off the socket and agents decode replies, receipts,
 * views and audit records from it, so none may crash, leak or accept a
 * message it would later trip over. */
#include "wire.h"

#include <stdint.h>
#include <stdlib.h>

/* What a decoder accepted, packed again, is accepted again. */
#define TRY(decode, type)                                              \
    do {                                                               \
        type *msg = NULL, *again = NULL;                               \
        uint8_t *packed = NULL;                                        \
        size_t len = 0;                                                \
        if (decode(data, size, &msg, err) == 0) {                      \
            if (wire_pack(&msg->base, &packed, &len) != 0 ||           \
                decode(packed, len, &again, err) != 0)                 \
                abort();                                               \
            free(packed);                                              \
            wire_free(&again);                                         \
            wire_free(&msg);                                           \
        }                                                              \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[DX_ERRMSG];
    TRY(wire_request_decode, Dx__Request);
    TRY(wire_reply_decode, Dx__Reply);
    TRY(wire_receipt_decode, Dx__Receipt);
    TRY(wire_view_decode, Dx__ViewManifest);
    TRY(wire_audit_decode, Dx__AuditRecord);
    TRY(wire_signed_decode, Dx__Signed);
    TRY(wire_catalog_decode, Dx__CatalogEntry);
    TRY(wire_manifest_decode, Dx__Manifest);
    TRY(wire_delivery_receipt_decode, Dx__DeliveryReceipt);
    TRY(wire_delivery_decode, Dx__Delivery);
    return 0;
}
