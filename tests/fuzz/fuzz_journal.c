/* fuzz_journal: a group's journal entries' operations on hostile bytes
 * (store_journal.c). A standby applies what it reads from the pool only
 * after the entry's hash and the broker key's signature check, but the
 * parser must stand on its own: never crash, never apply part of a
 * malformed entry, and never write a table the store does not have. */
#include "store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static store_t *s_store;
static char s_dir[64];

static void s_cleanup(void)
{
    char cmd[100];
    store_close(&s_store);
    snprintf(cmd, sizeof cmd, "rm -rf %s", s_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz_journal: cannot remove %s\n", s_dir);
}

static int s_count(void *arg, const store_op_t *op)
{
    (void)op;
    (*(size_t *)arg)++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[DX_ERRMSG];
    if (!s_store) {
        snprintf(s_dir, sizeof s_dir, "/tmp/dx-fuzz-journal-%ld", (long)getpid());
        if (store_open(s_dir, 64 << 20, false, &s_store, err) != 0)
            abort();
        atexit(s_cleanup);
    }
    size_t seen = 0, applied = 0;
    int walked = store_journal_each(data, size, s_count, &seen);
    store_txn_t *t = NULL;
    if (store_begin(s_store, NULL, true, &t) != 0)
        abort();
    int rv = store_journal_apply(t, data, size, s_count, &applied);
    /* the same verdict both ways; a malformed blob applies nothing */
    if ((walked == DX_ERR_INTEGRITY) != (rv == DX_ERR_INTEGRITY) || (rv == DX_ERR_INTEGRITY && applied))
        abort();
    store_abort(&t);
    return 0;
}
