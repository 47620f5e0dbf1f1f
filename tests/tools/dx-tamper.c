/* dx-tamper: plays an attacker with write access to the broker's data
 * directory, to test that dx-audit verify catches it. Run it only while the
 * broker is stopped. Uses LMDB directly, as such an attacker would.
 *
 *   dx-tamper DIR edit SEQ       rewrite record SEQ's member to "mallory"
 *   dx-tamper DIR delete SEQ     remove record SEQ
 *   dx-tamper DIR swap A B       exchange records A and B
 *   dx-tamper DIR truncate N     remove the last N records
 *   dx-tamper DIR insert SEQ     insert a copy of record SEQ before it,
 *                                moving the records from SEQ on up by one
 *
 * and on stored content (the content database, chunks in key order from 0):
 *
 *   dx-tamper DIR chunk-flip N      flip one byte in the middle of chunk N
 *   dx-tamper DIR chunk-swap N M    exchange the stored bytes of chunks N and M
 *   dx-tamper DIR chunk-drop N      delete chunk N
 *
 * and on time-stamp tokens (the stamps database, by the head's size):
 *
 *   dx-tamper DIR stamp-put SIZE FILE   FILE's bytes as the token over head SIZE
 *   dx-tamper DIR stamp-flip SIZE       flip one byte in the middle of that token
 */
#include "dx.pb-c.h"

#include <errno.h>
#include <lmdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void s_key(uint8_t k[8], uint64_t seq)
{
    for (int i = 0; i < 8; i++)
        k[i] = (uint8_t)(seq >> (56 - 8 * i));
}

/* The key of the nth content record into k (12 bytes). */
static int s_nth(MDB_txn *txn, MDB_dbi dbi, uint64_t n, uint8_t k[12])
{
    MDB_cursor *cur;
    MDB_val key, val;
    int rc = mdb_cursor_open(txn, dbi, &cur);
    for (uint64_t i = 0; rc == 0 && i <= n; i++)
        rc = mdb_cursor_get(cur, &key, &val, i ? MDB_NEXT : MDB_FIRST);
    if (rc == 0 && key.mv_size == 12)
        memcpy(k, key.mv_data, 12);
    mdb_cursor_close(cur);
    return rc;
}

static int s_chunks(MDB_txn *txn, MDB_dbi dbi, const char *what, uint64_t a, uint64_t b)
{
    uint8_t ka[12], kb[12];
    MDB_val key = { 12, ka }, val, key2 = { 12, kb }, val2;
    int rc = s_nth(txn, dbi, a, ka);
    if (rc != 0)
        return rc;
    if (strcmp(what, "drop") == 0)
        return mdb_del(txn, dbi, &key, NULL);
    if ((rc = mdb_get(txn, dbi, &key, &val)) != 0)
        return rc;
    uint8_t *va = malloc(val.mv_size);
    memcpy(va, val.mv_data, val.mv_size);
    MDB_val na = { val.mv_size, va };
    if (strcmp(what, "flip") == 0) {
        va[val.mv_size / 2] ^= 0x01;
        rc = mdb_put(txn, dbi, &key, &na, 0);
    } else if (strcmp(what, "swap") == 0) {
        if ((rc = s_nth(txn, dbi, b, kb)) == 0 && (rc = mdb_get(txn, dbi, &key2, &val2)) == 0) {
            uint8_t *vb = malloc(val2.mv_size);
            memcpy(vb, val2.mv_data, val2.mv_size);
            MDB_val nb = { val2.mv_size, vb };
            if ((rc = mdb_put(txn, dbi, &key, &nb, 0)) == 0)
                rc = mdb_put(txn, dbi, &key2, &na, 0);
            free(vb);
        }
    } else {
        rc = EINVAL;
    }
    free(va);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return 2;
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    bool chunks = strncmp(argv[2], "chunk-", 6) == 0, stamps = strncmp(argv[2], "stamp-", 6) == 0;
    if (mdb_env_create(&env) || mdb_env_set_maxdbs(env, 32) || mdb_env_open(env, argv[1], 0, 0600) ||
        mdb_txn_begin(env, NULL, 0, &txn) ||
        mdb_dbi_open(txn, chunks ? "content" : stamps ? "stamps" : "audit", 0, &dbi)) {
        fprintf(stderr, "dx-tamper: cannot open %s\n", argv[1]);
        return 1;
    }
    uint8_t ka[8], kb[8];
    uint64_t a = strtoull(argv[3], NULL, 10), b = argc > 4 ? strtoull(argv[4], NULL, 10) : 0;
    MDB_val key = { 8, ka }, val, key2 = { 8, kb }, val2;
    s_key(ka, a);
    int rc = 0;
    if (chunks) {
        rc = s_chunks(txn, dbi, argv[2] + 6, a, b);
    } else if (strcmp(argv[2], "stamp-put") == 0 && argc > 4) {
        static uint8_t token[1 << 16];
        FILE *f = fopen(argv[4], "rb");
        size_t n = f ? fread(token, 1, sizeof token, f) : 0;
        if (f)
            fclose(f);
        MDB_val nv = { n, token };
        rc = n ? mdb_put(txn, dbi, &key, &nv, 0) : EINVAL;
    } else if (strcmp(argv[2], "stamp-flip") == 0) {
        if ((rc = mdb_get(txn, dbi, &key, &val)) == 0) {
            uint8_t *copy = malloc(val.mv_size);
            memcpy(copy, val.mv_data, val.mv_size);
            copy[val.mv_size / 2] ^= 0x01;
            MDB_val nv = { val.mv_size, copy };
            rc = mdb_put(txn, dbi, &key, &nv, 0);
            free(copy);
        }
    } else if (strcmp(argv[2], "edit") == 0) {
        if ((rc = mdb_get(txn, dbi, &key, &val)) == 0) {
            Dx__AuditRecord *r = dx__audit_record__unpack(NULL, val.mv_size, val.mv_data);
            if (!r)
                return 1;
            char *member = r->member;
            r->member = "mallory";
            size_t n = dx__audit_record__get_packed_size(r);
            uint8_t *buf = malloc(n);
            if (!buf)
                return 1;
            dx__audit_record__pack(r, buf);
            MDB_val nv = { n, buf };
            rc = mdb_put(txn, dbi, &key, &nv, 0);
            r->member = member;
            dx__audit_record__free_unpacked(r, NULL);
            free(buf);
        }
    } else if (strcmp(argv[2], "delete") == 0) {
        rc = mdb_del(txn, dbi, &key, NULL);
    } else if (strcmp(argv[2], "swap") == 0) {
        s_key(kb, b);
        if ((rc = mdb_get(txn, dbi, &key, &val)) == 0 && (rc = mdb_get(txn, dbi, &key2, &val2)) == 0) {
            void *va = malloc(val.mv_size), *vb = malloc(val2.mv_size);
            memcpy(va, val.mv_data, val.mv_size);
            memcpy(vb, val2.mv_data, val2.mv_size);
            MDB_val na = { val2.mv_size, vb }, nb = { val.mv_size, va };
            if ((rc = mdb_put(txn, dbi, &key, &na, 0)) == 0)
                rc = mdb_put(txn, dbi, &key2, &nb, 0);
            free(va);
            free(vb);
        }
    } else if (strcmp(argv[2], "insert") == 0) {
        MDB_cursor *cur;
        uint64_t last = 0;
        mdb_cursor_open(txn, dbi, &cur);
        if ((rc = mdb_cursor_get(cur, &key, &val, MDB_LAST)) == 0)
            for (int i = 0; i < 8; i++)
                last = last << 8 | ((uint8_t *)key.mv_data)[i];
        mdb_cursor_close(cur);
        for (uint64_t seq = last; rc == 0 && seq >= a; seq--) {
            s_key(ka, seq);
            s_key(kb, seq + 1);
            key.mv_data = ka;
            key.mv_size = 8;
            if ((rc = mdb_get(txn, dbi, &key, &val)) == 0) {
                void *copy = malloc(val.mv_size);
                memcpy(copy, val.mv_data, val.mv_size);
                MDB_val nv = { val.mv_size, copy };
                rc = mdb_put(txn, dbi, &key2, &nv, 0);
                free(copy);
            }
        }
    } else if (strcmp(argv[2], "truncate") == 0) {
        MDB_cursor *cur;
        mdb_cursor_open(txn, dbi, &cur);
        for (uint64_t i = 0; i < a && rc == 0; i++) {
            if ((rc = mdb_cursor_get(cur, &key, &val, MDB_LAST)) == 0)
                rc = mdb_cursor_del(cur, 0);
        }
        mdb_cursor_close(cur);
    } else {
        return 2;
    }
    if (rc == 0)
        rc = mdb_txn_commit(txn);
    else
        mdb_txn_abort(txn);
    mdb_env_close(env);
    if (rc != 0) {
        fprintf(stderr, "dx-tamper: %s\n", mdb_strerror(rc));
        return 1;
    }
    return 0;
}
