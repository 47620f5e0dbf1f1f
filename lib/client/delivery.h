/* delivery: the consumer's signed delivery receipt, and the publisher's
 * question "who received this".
 *
 * A receipt names the dataset, the version, the SHA-256 of exactly the
 * bytes received, whether they were the content or a filtered view, the
 * member, its purpose and the time; it is signed with the member's Ed25519
 * key under the context DX_CTX_DELIVERY. The broker accepts it only when
 * all of it matches what it sent (refusing and recording anything else)
 * and appends it to the audit log. */
#ifndef DX_DELIVERY_H
#define DX_DELIVERY_H

#include "client.h"
#include "crypto.h"
#include "keys.h"

#include <stdbool.h>
#include <stdint.h>

/* Signs and sends a delivery receipt; *audit_seq is the log record. */
int dx_delivery_send(dx_client_t *c, const dx_keypair_t *me, const dx_signer_t *signer, const char *dataset, uint64_t version,
                     const uint8_t sha[DX_SHA256_LEN], bool filtered, const char *purpose,
                     uint64_t *audit_seq, char err[DX_ERRMSG]);

/* Asks who received name@version (0: every version the member published),
 * one page after the page prev (NULL: from the start): after its last row,
 * or from its cursor; *reply is the caller's to free (wire_reply_free). */
int dx_deliveries(dx_client_t *c, const char *dataset, uint64_t version, const Dx__Deliveries *prev,
                  Dx__Reply **reply, char err[DX_ERRMSG]);

#endif
