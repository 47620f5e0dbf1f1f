/* pool_int: what pool.c shares with the other librados user in
 * lib/store/ (journal.c): the functions loaded from librados, and a pool's
 * I/O context. Nothing outside lib/store/ includes it. */
#ifndef DX_POOL_INT_H
#define DX_POOL_INT_H

#include "pool.h"

#include <rados/librados.h>

/* librados is loaded when a pool is first opened, not linked: a broker
 * with its content in LMDB neither needs Ceph's client installed nor pays
 * for its libraries in memory. */
#define RADOS_FUNCTIONS(X) \
    X(rados_aio_create_completion2) \
    X(rados_aio_flush) \
    X(rados_aio_get_return_value) \
    X(rados_aio_release) \
    X(rados_aio_remove) \
    X(rados_aio_stat) \
    X(rados_aio_write_op_operate) \
    X(rados_getxattr) \
    X(rados_getxattrs) \
    X(rados_getxattrs_end) \
    X(rados_getxattrs_next) \
    X(rados_lock_exclusive) \
    X(rados_conf_read_file) \
    X(rados_conf_set) \
    X(rados_connect) \
    X(rados_create) \
    X(rados_create_write_op) \
    X(rados_ioctx_create) \
    X(rados_ioctx_destroy) \
    X(rados_nobjects_list_close) \
    X(rados_nobjects_list_next) \
    X(rados_nobjects_list_open) \
    X(rados_read) \
    X(rados_release_write_op) \
    X(rados_remove) \
    X(rados_shutdown) \
    X(rados_stat) \
    X(rados_write_full) \
    X(rados_unlock) \
    X(rados_write_op_append) \
    X(rados_write_op_cmpxattr) \
    X(rados_setxattr) \
    X(rados_write_op_create) \
    X(rados_write_op_operate) \
    X(rados_write_op_setxattr) \
    X(rados_write_op_write_full)
typedef struct {
    void *lib;
    char error[200];
#define RADOS_FIELD(name) __typeof__(&name) name;
    RADOS_FUNCTIONS(RADOS_FIELD)
#undef RADOS_FIELD
} rados_api_t;
extern rados_api_t dx_rados;

/* A librados result (0 or -errno) as a dx_err: the cluster's absence is
 * DX_ERR_UNAVAILABLE. */
int pool_rados_err(int r);
/* The pool's I/O context (valid while the pool is open). */
rados_ioctx_t pool_io(pool_t *p);

#endif
