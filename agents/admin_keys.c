/* admin_keys: dx-admin's commands on files alone, with no broker to ask:
 * member keys (a new pair, a rotation's next one, one made on a PKCS#11
 * token), backups (a copy, and whether it would restore) and master keys
 * (a new one, in a file or a token, and retiring one a rotation kept). */
#include "admin.h"
#include "cli.h"
#include "journal.h"
#include "dxtime.h"
#include "encode.h"
#include "err.h"
#include "fileio.h"
#include "keys.h"
#include "master_key.h"
#include "pkcs11.h"
#include "store.h"
#include "vault.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BACKUP_INFO "dx-backup.info"

/* Whether the store in dir keeps its content in a pool. */
static bool s_content_in_pool(const char *dir)
{
    char err[DX_ERRMSG];
    store_t *s = NULL;
    store_txn_t *t = NULL;
    store_val_t v;
    bool pool = store_open(dir, 0, true, &s, err) == 0 && store_begin(s, NULL, false, &t) == 0 &&
                store_meta_get(t, "content", &v) == 0 && v.len == 5 && memcmp(v.data, "rados", 5) == 0;
    store_abort(&t);
    store_close(&s);
    return pool;
}

/* A broker group's member: the copy's journal position, noted in the
 * member's data directory (JOURNAL_BACKUP_FILE), whose broker reports it to
 * the group: the journal may then be trimmed up to it (journal.h). */
static void s_note_group_backup(const char *data, const char *out)
{
    store_t *s = NULL;
    store_txn_t *t = NULL;
    store_val_t v;
    journal_pos_t pos;
    char err[DX_ERRMSG], path[4200], text[4300];
    if (store_open(out, 0, true, &s, err) != 0)
        return;
    bool member = store_begin(s, NULL, false, &t) == 0 && store_journal_position(t, &v) == 0 &&
                  journal_pos_decode(v.data, v.len, &pos);
    store_abort(&t);
    store_close(&s);
    if (!member)
        return;
    int n = snprintf(text, sizeof text, "%" PRIu64 " %" PRId64 " %s\n", pos.position, dx_now_ms(), out);
    snprintf(path, sizeof path, "%s/%s", data, JOURNAL_BACKUP_FILE);
    if (n > 0 && (size_t)n < sizeof text && dx_write_atomic(path, text, (size_t)n, 0600) == 0)
        printf("this store is a broker group's member, at journal entry %" PRIu64 ": a new standby "
               "can start from this copy, and the group may trim its journal up to that entry "
               "(noted in %s)\n", pos.position, path);
    else
        fprintf(stderr, "%s: warning: cannot note the backup in %s: %s\n", admin_prog, path,
                strerror(errno));
}

int admin_backup(int argc, char **argv)
{
    static const struct option opts[] = { { "data", required_argument, NULL, 'd' },
                                          { "out", required_argument, NULL, 'o' },
                                          { NULL, 0, NULL, 0 } };
    const char *data = NULL, *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            data = optarg;
        else if (c == 'o')
            out = optarg;
        else
            return admin_usage(stderr, 2);
    }
    if (optind != argc || !data || !out)
        return admin_usage(stderr, 2);
    char err[DX_ERRMSG];
    uint64_t bytes = 0;
    int rv = store_backup(data, out, &bytes, err);
    if (rv != 0) {
        fprintf(stderr, "%s: %s\n", admin_prog, err);
        return dx_exit_code(rv);
    }
    /* what a restore of it will need, written beside it and said now */
    uint8_t id[DX_MASTER_ID_LEN];
    char idtext[64] = "none (no content keys)", info[512], t[DX_TIME_TEXT], path[4200];
    if (vault_file_id(out, id, err) == 0)
        dx_master_id_text(id, idtext);
    dx_time_format(dx_now_ms(), t);
    int n = snprintf(info, sizeof info, "taken: %s\nfrom: %s\nmaster_key_id: %s\n", t, data, idtext);
    snprintf(path, sizeof path, "%s/%s", out, BACKUP_INFO);
    if (dx_write_atomic(path, info, (size_t)n, 0600) != 0) {
        fprintf(stderr, "%s: cannot write %s: %s\n", admin_prog, path, strerror(errno));
        return 1;
    }
    printf("backed up %s into %s: %llu bytes, as of one commit; its content keys need master key %s "
           "(noted in %s); check it with\n"
           "  dx-admin backup check %s --master-key FILE   (or --broker-key FILE)\n"
           "  dx-audit --db %s --broker-pub BROKER.pub verify\n", data, out,
           (unsigned long long)bytes, idtext, BACKUP_INFO, out, out);
    s_note_group_backup(data, out);
    if (s_content_in_pool(out))
        printf("this store's content is in a Ceph pool (content-store rados): the copy holds the "
               "catalog, the audit log and the content key slots, not the datasets' chunks. Back "
               "the pool up with Ceph's own tools (README, \"Backups\"); after a restore, check "
               "both with\n"
               "  dx-admin content check --data %s --rados-conf FILE --rados-pool P --rados-user U\n",
               out);
    return 0;
}

#define P11_OPTS { "pkcs11-module", required_argument, NULL, 'M' }, \
                 { "pkcs11-pin-file", required_argument, NULL, 'P' }

/* --pkcs11-module and --pkcs11-pin-file: true when c was one. */
static bool s_p11_opt(int c, dx_pkcs11_conf_t *p11)
{
    if (c == 'M')
        p11->module = optarg;
    else if (c == 'P')
        p11->pin_file = optarg;
    return c == 'M' || c == 'P';
}

/* Whether a backup would restore with the keys on this machine: the master
 * key it needs (the current one, or one kept by a rotation) opens every
 * content key in it. The audit log's own check is dx-audit verify. */
int admin_backup_check(int argc, char **argv)
{
    static const struct option opts[] = { { "master-key", required_argument, NULL, 'm' },
                                          { "broker-key", required_argument, NULL, 'k' }, P11_OPTS,
                                          { NULL, 0, NULL, 0 } };
    const char *master_path = NULL, *key_path = NULL;
    dx_pkcs11_conf_t p11 = { NULL, NULL };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'm')
            master_path = optarg;
        else if (c == 'k')
            key_path = optarg;
        else if (!s_p11_opt(c, &p11))
            return admin_usage(stderr, 2);
    }
    if (optind + 1 != argc || !!master_path == !!key_path) {
        fprintf(stderr, "%s: backup check DIR needs --master-key FILE|URI (the broker's --master-key) "
                "or --broker-key FILE (a broker without one)\n", admin_prog);
        return 2;
    }
    const char *dir = argv[optind];
    char err[DX_ERRMSG], want[DX_MASTER_ID_TEXT];
    uint8_t fid[DX_MASTER_ID_LEN];
    store_t *st = NULL;
    vault_t *v = NULL;
    uint32_t opened = 0;
    dx_keypair_t broker;
    int rv = store_open(dir, 0, true, &st, err);
    if (rv != 0) {
        fprintf(stderr, "%s: %s is not a store that opens: %s\n", admin_prog, dir, err);
        return 1;
    }
    store_close(&st);
    rv = vault_file_id(dir, fid, err);
    if (rv == DX_ERR_NOT_FOUND) {
        printf("%s: a store without content keys (nothing encrypted at rest): it restores with any "
               "master key\n", dir);
        return 0;
    }
    if (rv != 0 || (key_path && (rv = dx_keys_read_secret(key_path, &broker, err)) != 0)) {
        fprintf(stderr, "%s: %s\n", admin_prog, err);
        return 1;
    }
    dx_master_id_text(fid, want);
    dx_master_loc_t loc = { master_path, &p11, key_path ? &broker : NULL, NULL };
    rv = vault_open(dir, &loc, true, NULL, &v, err);
    if (key_path)
        dx_keypair_wipe(&broker);
    if (rv == 0)
        rv = vault_check(v, &opened, err);
    if (rv != 0) {
        fprintf(stderr, "%s: %s would not restore: %s\n", admin_prog, dir, err);
        vault_close(&v);
        return rv == DX_ERR_PERM ? 4 : 1;
    }
    printf("%s restores: its %u content keys open under master key %s (%s%s)\n", dir, opened, want,
           vault_kept(v) ? "the kept key " : "the current key ",
           vault_kept(v) ? vault_kept(v) : key_path ? key_path : vault_master_name(v));
    vault_close(&v);
    return 0;
}

/* Deletes a kept master key: after it, no backup sealed under it restores. */
int admin_master_retire(int argc, char **argv)
{
    static const struct option opts[] = { { "data", required_argument, NULL, 'd' }, P11_OPTS,
                                          { NULL, 0, NULL, 0 } };
    const char *data = NULL;
    dx_pkcs11_conf_t p11 = { NULL, NULL };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            data = optarg;
        else if (!s_p11_opt(c, &p11))
            return admin_usage(stderr, 2);
    }
    if (optind + 2 != argc)
        return admin_usage(stderr, 2);
    const char *where = argv[optind], *idtext = argv[optind + 1];
    char err[DX_ERRMSG], name[DX_MASTER_PATH_MAX], cur[DX_MASTER_ID_TEXT];
    uint8_t id[DX_MASTER_ID_LEN], kid[DX_MASTER_ID_LEN];
    dx_master_loc_t loc = { where, &p11, NULL, NULL };
    dx_master_t *m = NULL;
    if (strlen(idtext) != 2 * DX_MASTER_ID_LEN || dx_hex_decode(idtext, id, sizeof id) != 0) {
        fprintf(stderr, "%s: '%s' is not a master key id (16 hex digits)\n", admin_prog, idtext);
        return 2;
    }
    if (dx_master_load(&loc, DX_MASTER_CURRENT, NULL, &m, err) != 0) {
        fprintf(stderr, "%s: %s\n", admin_prog, err);
        return 1;
    }
    dx_master_get_id(m, kid);
    dx_master_free(&m);
    dx_master_id_text(kid, cur);
    if (memcmp(kid, id, sizeof id) == 0) {
        fprintf(stderr, "%s: %s is the current key of %s, not a kept one: nothing retired\n", admin_prog,
                idtext, where);
        return 1;
    }
    if (data && vault_file_id(data, kid, err) == 0 && memcmp(kid, id, sizeof id) == 0) {
        fprintf(stderr, "%s: the store in %s is sealed under %s: rotate first (dx-admin master-key "
                "rotate); nothing retired\n", admin_prog, data, idtext);
        return 1;
    }
    int rv = dx_master_retire(&loc, id, name, err);
    if (rv != 0) {
        fprintf(stderr, "%s: %s: nothing retired\n", admin_prog,
                rv == DX_ERR_INTEGRITY ? "the kept key holds another key than its name says" : err);
        return 1;
    }
    printf("retired master key %s (%s removed): backups sealed under it no longer restore; the "
           "current key is %s\n", idtext, name, cur);
    return 0;
}

/* dx-admin master-key move --data DIR --to FILE|URI (--master-key FILE|URI |
 * --broker-key FILE) [--pkcs11-module LIB --pkcs11-pin-file F]: a stopped
 * broker's content keys rewrapped under another master key, in a file or
 * a token (made when missing). */
int admin_master_move(int argc, char **argv)
{
    static const struct option opts[] = { { "data", required_argument, NULL, 'd' },
                                          { "to", required_argument, NULL, 't' },
                                          { "master-key", required_argument, NULL, 'm' },
                                          { "broker-key", required_argument, NULL, 'k' }, P11_OPTS,
                                          { NULL, 0, NULL, 0 } };
    const char *data = NULL, *to = NULL, *from = NULL, *key_path = NULL;
    dx_pkcs11_conf_t p11 = { NULL, NULL };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            data = optarg;
        else if (c == 't')
            to = optarg;
        else if (c == 'm')
            from = optarg;
        else if (c == 'k')
            key_path = optarg;
        else if (!s_p11_opt(c, &p11))
            return admin_usage(stderr, 2);
    }
    if (optind != argc || !data || !to || !!from == !!key_path) {
        fprintf(stderr, "%s: master-key move needs --data DIR, --to FILE|URI and the key the store is "
                "under now: --master-key FILE|URI or --broker-key FILE\n", admin_prog);
        return 2;
    }
    char err[DX_ERRMSG], old_id[DX_MASTER_ID_TEXT], new_id[DX_MASTER_ID_TEXT], old_name[DX_MASTER_PATH_MAX];
    dx_keypair_t broker;
    vault_t *v = NULL;
    uint32_t count = 0;
    if (key_path && dx_keys_read_secret(key_path, &broker, err) != 0) {
        fprintf(stderr, "%s: %s\n", admin_prog, err);
        return 1;
    }
    dx_master_loc_t src = { from, &p11, key_path ? &broker : NULL, NULL }, dst = { to, &p11, NULL, NULL };
    int rv = vault_open(data, &src, false, NULL, &v, err);
    if (key_path)
        dx_keypair_wipe(&broker);
    if (rv == 0) {
        vault_master_id(v, old_id);
        snprintf(old_name, sizeof old_name, "%s", vault_master_name(v));
        rv = vault_move(v, &dst, &count, err);
    }
    if (rv != 0) {
        fprintf(stderr, "%s: %s\n", admin_prog, err);
        vault_close(&v);
        return rv == DX_ERR_PERM ? 4 : 1;
    }
    vault_master_id(v, new_id);
    printf("moved %u content keys of %s from master key %s (%s) to %s (%s): start the broker with "
           "master-key: %s; keep the old key while backups made before need it\n", count, data, old_id,
           old_name, new_id, vault_master_name(v), to);
    vault_close(&v);
    return 0;
}

/* dx-admin master-key new FILE | URI --pkcs11-module LIB --pkcs11-pin-file F */
int admin_master_new(int argc, char **argv)
{
    static const struct option opts[] = { P11_OPTS, { NULL, 0, NULL, 0 } };
    dx_pkcs11_conf_t p11 = { NULL, NULL };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
        if (!s_p11_opt(c, &p11))
            return admin_usage(stderr, 2);
    if (optind + 1 != argc)
        return admin_usage(stderr, 2);
    const char *where = argv[optind];
    dx_master_loc_t loc = { where, &p11, NULL, NULL };
    dx_master_t *m = NULL;
    uint8_t id[DX_MASTER_ID_LEN];
    char err[DX_ERRMSG], text[DX_MASTER_ID_TEXT];
    int rv = dx_master_create(&loc, DX_MASTER_CURRENT, &m, err);
    if (rv != 0) {
        fprintf(stderr, "%s: %s\n", admin_prog, err);
        return rv == DX_ERR_EXISTS ? 1 : dx_exit_code(rv);
    }
    dx_master_get_id(m, id);
    dx_master_id_text(id, text);
    if (dx_master_in_token(m))
        printf("made %s (master key %s): AES-256, sensitive, not extractable; name it in "
               "master-key: \"%s\"\n", dx_master_name(m), text, where);
    else
        printf("wrote %s (master key %s, mode 0600): keep it apart from the data directory and "
               "its backups\n", where, text);
    dx_master_free(&m);
    return 0;
}

/* dx-admin pkcs11 key URI --pkcs11-module LIB --pkcs11-pin-file F */
int admin_pkcs11_key(int argc, char **argv)
{
    static const struct option opts[] = { { "pkcs11-module", required_argument, NULL, 'm' },
                                          { "pkcs11-pin-file", required_argument, NULL, 'p' },
                                          { NULL, 0, NULL, 0 } };
    dx_pkcs11_conf_t p11 = { NULL, NULL };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'm')
            p11.module = optarg;
        else if (c == 'p')
            p11.pin_file = optarg;
        else
            return admin_usage(stderr, 2);
    }
    if (optind + 1 != argc)
        return admin_usage(stderr, 2);
    dx_pkcs11_key_info_t info;
    char err[DX_ERRMSG], sign[DX_SIGN_TEXT];
    int rv = dx_pkcs11_key_info(&p11, argv[optind], &info, err);
    if (rv != 0)
        return dx_cli_fail(admin_prog, rv, err);
    dx_sign_key_format(info.pub, sign);
    printf("sign_key: \"%s\"\nextractable: %s\nsensitive: %s\nnever extractable: %s\n"
           "always sensitive: %s\n", sign, info.extractable ? "yes" : "no", info.sensitive ? "yes" : "no",
           info.never_extractable ? "yes" : "no", info.always_sensitive ? "yes" : "no");
    return info.extractable || !info.sensitive ? 1 : 0;
}

/* dx-admin keygen ID --out DIR [--next --until T [--from T]] [--pkcs11 URI ...] */
int admin_keygen(int argc, char **argv)
{
    static const struct option opts[] = { { "out", required_argument, NULL, 'o' },
                                          { "pkcs11", required_argument, NULL, 'u' },
                                          { "next", no_argument, NULL, 'n' },
                                          { "from", required_argument, NULL, 'f' },
                                          { "until", required_argument, NULL, 't' },
                                          { "pkcs11-module", required_argument, NULL, 'm' },
                                          { "pkcs11-pin-file", required_argument, NULL, 'p' },
                                          { NULL, 0, NULL, 0 } };
    const char *out = NULL, *uri = NULL, *from = NULL, *until = NULL;
    bool next = false;
    dx_pkcs11_conf_t p11 = { NULL, NULL };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        if (c == 'o')
            out = optarg;
        else if (c == 'u')
            uri = optarg;
        else if (c == 'n')
            next = true;
        else if (c == 'f')
            from = optarg;
        else if (c == 't')
            until = optarg;
        else if (c == 'm')
            p11.module = optarg;
        else if (c == 'p')
            p11.pin_file = optarg;
        else
            return admin_usage(stderr, 2);
    }
    if (optind + 1 != argc || !out)
        return admin_usage(stderr, 2);
    /* --next: a key for a rotation, printed as the policy's next: entry */
    int64_t from_ms = 0, until_ms = 0;
    if ((from || until) && !next) {
        fprintf(stderr, "%s: --from and --until go with --next\n", admin_prog);
        return 2;
    }
    if (next && (!until || dx_time_parse(until, &until_ms) != 0 || (from && dx_time_parse(from, &from_ms) != 0))) {
        fprintf(stderr, "%s: --next needs --until TIME (RFC 3339), the end of the overlap, and takes "
                "--from TIME\n", admin_prog);
        return 2;
    }
    const char *id = argv[optind];
    if (!dx_id_valid(id)) {
        fprintf(stderr, "%s: '%s' is not a valid member id: ^[a-z][a-z0-9-]{0,31}$\n", admin_prog, id);
        return 2;
    }
    if (mkdir(out, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: cannot create %s: %s\n", admin_prog, out, strerror(errno));
        return 1;
    }
    dx_keypair_t k;
    char err[DX_ERRMSG];
    int rv;
    if (uri) {
        /* the signing key made on the token, where it stays; the file
         * names it and holds the transport secret */
        uint8_t pub[DX_ED25519_LEN];
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.key", out, id);
        if (access(path, F_OK) == 0) {
            snprintf(err, sizeof err, "%s already exists; refusing to overwrite a key", path);
            return dx_cli_fail(admin_prog, DX_ERR_EXISTS, err);
        }
        if ((rv = dx_pkcs11_generate(&p11, uri, pub, err)) != 0 ||
            (rv = dx_keys_write_token(out, id, uri, pub, err)) != 0 ||
            (rv = dx_keys_read_secret(path, &k, err)) != 0)
            return dx_cli_fail(admin_prog, rv, err);
    } else if ((rv = dx_keypair_generate(id, &k)) != 0) {
        return dx_cli_fail(admin_prog, rv, "cannot generate keys");
    } else if ((rv = dx_keys_write(out, &k, err)) != 0) {
        dx_keypair_wipe(&k);
        return dx_cli_fail(admin_prog, rv, err);
    }
    char sign[DX_SIGN_TEXT], curve[DX_CURVE_TEXT];
    dx_sign_key_format(k.pub.sign, sign);
    dx_curve_key_format(k.pub.curve, curve);
    dx_keypair_wipe(&k);
    if (next) {
        char f[DX_TIME_TEXT], u[DX_TIME_TEXT];
        dx_time_format(until_ms, u);
        if (from)
            dx_time_format(from_ms, f);
        printf("    next:                     # under member %s, in the policy\n"
               "      sign_key: \"%s\"\n      transport_key: \"%s\"\n%s%s%s      until: %s\n",
               id, sign, curve, from ? "      from: " : "", from ? f : "", from ? "\n" : "", u);
    } else {
        printf("  - id: %s\n    sign_key: \"%s\"\n    transport_key: \"%s\"\n", id, sign, curve);
    }
    fprintf(stderr, "%s: wrote %s/%s.key (secret, mode 0600) and %s/%s.pub\n", admin_prog, out, id,
            out, id);
    return 0;
}
