/* delivery: signing and sending delivery receipts; asking for deliveries. */
#include "delivery.h"
#include "dxtime.h"
#include "signed.h"
#include "wire.h"

#include <stdio.h>

int dx_delivery_send(dx_client_t *c, const dx_keypair_t *me, const dx_signer_t *signer, const char *dataset, uint64_t version,
                     const uint8_t sha[DX_SHA256_LEN], bool filtered, const char *purpose,
                     uint64_t *audit_seq, char err[DX_ERRMSG])
{
    Dx__DeliveryReceipt r = DX__DELIVERY_RECEIPT__INIT;
    Dx__Signed s = DX__SIGNED__INIT;
    Dx__Reply *reply = NULL;
    r.dataset = (char *)dataset;
    r.version = version;
    r.sha256.data = (uint8_t *)sha;
    r.sha256.len = DX_SHA256_LEN;
    r.member = (char *)me->pub.id;
    r.time_ms = dx_now_ms();
    r.purpose = (char *)(purpose ? purpose : "");
    r.filtered = filtered;
    int rv = dx_signed_make(&r.base, DX_CTX_DELIVERY, signer, &s);
    if (rv != 0) {
        snprintf(err, DX_ERRMSG, "cannot sign the delivery receipt");
        return rv;
    }
    Dx__Request req = DX__REQUEST__INIT;
    req.body_case = DX__REQUEST__BODY_DELIVERY_RECEIPT;
    req.delivery_receipt = &s;
    rv = dx_client_call(c, &req, &reply, err);
    dx_signed_clear(&s);
    if (rv != 0)
        return rv;
    if (reply->body_case != DX__REPLY__BODY_DELIVERY_ACK) {
        wire_reply_free(&reply);
        snprintf(err, DX_ERRMSG, "unexpected reply from the broker to a delivery receipt");
        return DX_ERR_PROTOCOL;
    }
    *audit_seq = reply->delivery_ack->audit_seq;
    wire_reply_free(&reply);
    return 0;
}

int dx_deliveries(dx_client_t *c, const char *dataset, uint64_t version, const Dx__Deliveries *prev,
                  Dx__Reply **reply, char err[DX_ERRMSG])
{
    Dx__Request req = DX__REQUEST__INIT;
    Dx__DeliveriesRequest q = DX__DELIVERIES_REQUEST__INIT;
    const Dx__Delivery *after = prev && prev->n_deliveries ? prev->deliveries[prev->n_deliveries - 1] : NULL;
    q.dataset = (char *)dataset;
    q.version = version;
    if (prev && prev->cursor.len) {
        q.cursor = prev->cursor;
    } else if (after) {
        q.after_version = after->version;
        q.after_member = after->member;
        q.after_sha256 = after->sha256;
    }
    req.body_case = DX__REQUEST__BODY_DELIVERIES;
    req.deliveries = &q;
    int rv = dx_client_call(c, &req, reply, err);
    if (rv == 0 && (*reply)->body_case != DX__REPLY__BODY_DELIVERIES) {
        wire_reply_free(reply);
        snprintf(err, DX_ERRMSG, "unexpected reply from the broker");
        return DX_ERR_PROTOCOL;
    }
    return rv;
}
