/* pool: the content in a Ceph RADOS pool. The only module that calls
 * librados, which it loads (dlopen) when a pool is first opened.
 *
 * Each sealed chunk is one object, "dx.<blob, 16 hex>.<index, 8 hex>",
 * created exclusively (an object of that name already there is an error,
 * never overwritten). Writes and removals are asynchronous: librados calls
 * back on its own thread, the finished operation goes on a list, and an
 * eventfd wakes the thread that polls it (the broker's writer), which takes
 * the results there. Reads are synchronous, on the calling thread (the
 * broker's readers). Every operation is bounded by the configured timeout
 * (librados' osd and monitor op timeouts), so a cluster that does not
 * answer is an error (DX_ERR_UNAVAILABLE) after that long, never a hang.
 *
 * Counters by kind and result, a latency histogram and the bytes moved are
 * kept as atomics for the metrics; the last failure and its time for the
 * status. */
#ifndef DX_POOL_H
#define DX_POOL_H

#include "err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define POOL_NAME_MAX 32          /* room for "dx." 16 "." 8 (28), NUL */
#define POOL_PREFIX "dx."

typedef struct pool pool_t;
typedef struct pool_op pool_op_t;

typedef struct pool_config {
    const char *conf;             /* a ceph.conf */
    const char *pool;
    const char *user;             /* the client id, without "client." */
    int timeout_s;
} pool_config_t;

/* Connects and opens the pool. DX_ERR_USAGE: the configuration is wrong
 * (no conf, no such pool, no keyring, a user Ceph refuses);
 * DX_ERR_UNAVAILABLE: the cluster did not answer; DX_ERR_UNSUPPORTED:
 * librados.so.2 is not installed. err says which, in one line. */
int pool_open(const pool_config_t *cfg, pool_t **out, char err[DX_ERRMSG]);
void pool_close(pool_t **p_p);

/* Writes, reads back and removes an object of its own (--check-config). */
int pool_probe(pool_t *p, char err[DX_ERRMSG]);

void pool_chunk_name(uint64_t blob, uint32_t index, char out[POOL_NAME_MAX]);
/* Parses a chunk object's name; false for any other name. */
bool pool_chunk_parse(const char *name, uint64_t *blob, uint32_t *index);

/* Starts creating oid with data (owned: freed when the operation ends);
 * arg comes back with the result. On failure nothing was started and data
 * was freed. */
int pool_write_new(pool_t *p, const char *oid, uint8_t *data, size_t len, void *arg);
/* Starts removing oid (one already gone counts as removed). */
int pool_remove_async(pool_t *p, const char *oid, void *arg);
/* Starts asking the cluster about one object (it need not exist): an
 * answer of any kind says the pool is reachable (pool_down_since). */
int pool_ping_async(pool_t *p, void *arg);
/* Readable while finished operations wait. */
int pool_wake_fd(const pool_t *p);
/* The next finished operation's arg and result (0 or a dx_err); false
 * when none is waiting. Clears the eventfd when it returns false. */
bool pool_done_next(pool_t *p, void **arg, int *result);
/* Operations started and not yet taken back with pool_done_next. */
uint64_t pool_in_flight(const pool_t *p);

/* Reads oid whole into buf (cap bytes); DX_ERR_NOT_FOUND when it is
 * missing, DX_ERR_INTEGRITY when it is larger than cap. */
int pool_read(pool_t *p, const char *oid, uint8_t *buf, size_t cap, size_t *len);
/* Synchronous removal (tools); a missing object is 0. */
int pool_remove(pool_t *p, const char *oid);
/* fn for the name and size of every object whose name starts with
 * POOL_PREFIX, until it returns non-zero (tools: a walk of the pool). */
typedef int (*pool_each_fn)(void *arg, const char *name, uint64_t size);
int pool_each(pool_t *p, pool_each_fn fn, void *arg);

enum { POOL_WRITE = 0, POOL_READ, POOL_REMOVE, POOL_STAT, POOL_KINDS };
#define POOL_BUCKETS 12
extern const double pool_bucket_ms[POOL_BUCKETS];
typedef struct {
    uint64_t ok[POOL_KINDS], failed[POOL_KINDS], bytes[POOL_KINDS];
    uint64_t buckets[POOL_KINDS][POOL_BUCKETS + 1]; /* the last: beyond */
    double seconds[POOL_KINDS];
} pool_stats_t;
void pool_stats(const pool_t *p, pool_stats_t *out);

/* Since when (ms) the last operation failed for want of the cluster, and
 * why; 0 when the last one succeeded. */
int64_t pool_down_since(pool_t *p, char why[DX_ERRMSG]);
/* "pool P as client.U (CONF)" */
const char *pool_describe(const pool_t *p);

#endif
