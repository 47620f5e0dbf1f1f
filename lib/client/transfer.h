/* transfer: the member's side of publish and fetch.
 *
 * Publish: the caller builds and signs a manifest; dx_publish streams the
 * content (inline when it fits in one chunk, else in chunks with at most
 * `window` unacknowledged) and checks the broker's signed receipt.
 *
 * Fetch: dx_fetch asks for a dataset, checks what the broker says about it
 * (the broker's receipt, the publisher's signature on the manifest), writes
 * the bytes to fd under credit, and at the end checks the content hash, or
 * for a filtered view the broker's signed provenance. */
#ifndef DX_TRANSFER_H
#define DX_TRANSFER_H

#include "client.h"
#include "crypto.h"
#include "keys.h"
#include "names.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    const char *dataset;
    const char *publisher;
    const char *content_type;
    int classification;          /* dx_class_t */
    const uint8_t *sha256;
    uint64_t size;
    int64_t created_ms;          /* 0: now */
    const uint8_t *nonce;        /* NULL: 16 fresh random bytes */
} dx_manifest_opts_t;

/* Packs a manifest; *bytes is the caller's to free. */
int dx_manifest_build(const dx_manifest_opts_t *o, uint8_t **bytes, size_t *len, char err[DX_ERRMSG]);

/* Hashes size bytes of fd from its start. */
int dx_hash_fd(int fd, uint8_t sha[DX_SHA256_LEN], uint64_t *size, char err[DX_ERRMSG]);

#define DX_HEAD_MAX 2048

typedef struct {
    char dataset[DX_NAME_MAX + 1];
    uint64_t version;
    uint64_t audit_seq;
    int64_t time_ms;
    uint8_t head[DX_HEAD_MAX];   /* the signed head the receipt came with */
    size_t head_len;
    uint8_t signed_receipt[DX_HEAD_MAX]; /* the broker's Signed receipt, packed */
    size_t signed_len;
} dx_receipt_t;

/* Publishes the signed manifest with the content of fd (read from offset 0,
 * size bytes). Checks the receipt with the broker's key. */
int dx_publish(dx_client_t *c, const dx_pubkeys_t *broker, const uint8_t *manifest, size_t mlen,
               const uint8_t sig[DX_SIG_LEN], int fd, uint64_t size, dx_receipt_t *receipt,
               char err[DX_ERRMSG]);

typedef struct {
    char dataset[DX_NAME_MAX + 1];
    uint64_t version;
    char publisher[DX_ID_MAX + 1];
    uint64_t size;               /* bytes written */
    uint8_t sha256[DX_SHA256_LEN];
    bool filtered;
    char rule_id[DX_PURPOSE_MAX + 1];
    char fields[512];            /* "exclude: a, b" */
    uint8_t head[DX_HEAD_MAX];   /* the signed head the fetch came with */
    size_t head_len;
} dx_fetch_result_t;

int dx_fetch(dx_client_t *c, const dx_pubkeys_t *broker, const char *dataset, uint64_t version,
             const char *purpose, int fd, dx_fetch_result_t *result, char err[DX_ERRMSG]);

/* Splits "name@version" (version 0 when absent). */
int dx_parse_ref(const char *ref, char name[DX_NAME_MAX + 1], uint64_t *version);

#endif
