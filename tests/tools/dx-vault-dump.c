/* dx-vault-dump: what an erasure test needs to look for on disk. Prints,
 * for every content key in a data directory's vault, one line
 *
 *   SLOT BLOB KEY_HEX SEALED_HEX
 *
 * (the raw content key, and the slot's 60 sealed bytes as stored). The
 * master key comes from --master-key FILE or is derived from --key FILE, as
 * the broker does. Run it while the broker is stopped, or accept a moment's
 * view.
 *
 *   dx-vault-dump DIR (--master-key FILE | --key FILE) */
#include "encode.h"
#include "keys.h"
#include "master_key.h"
#include "vault.h"
#include "broker.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    uint8_t key[VAULT_KEY_LEN], slot[VAULT_SLOT];
    char err[DX_ERRMSG], path[4200], hex[2 * VAULT_SLOT + 1];
    if (argc != 4)
        return 2;
    bool file = strcmp(argv[2], "--master-key") == 0;
    dx_keypair_t broker;
    if (!file && dx_keys_read_secret(argv[3], &broker, err) != 0)
        return fprintf(stderr, "%s\n", err), 1;
    dx_master_loc_t loc = { file ? argv[3] : NULL, NULL, file ? NULL : &broker, NULL };
    vault_t *v = NULL;
    if (vault_open(argv[1], &loc, true, NULL, &v, err) != 0)
        return fprintf(stderr, "%s\n", err), 1;
    snprintf(path, sizeof path, "%s/%s", argv[1], VAULT_FILE);
    int fd = open(path, O_RDONLY);
    for (uint32_t i = 1; fd >= 0 && pread(fd, slot, sizeof slot, (off_t)i * VAULT_SLOT) == VAULT_SLOT; i++) {
        uint64_t blob = 0;
        for (int j = 0; j < 8; j++)
            blob = blob << 8 | slot[8 + j];
        if (vault_key(v, i, blob, key) != 0)
            continue;
        dx_hex_encode(key, sizeof key, hex);
        printf("%u %llu %s ", i, (unsigned long long)blob, hex);
        dx_hex_encode(slot + 16, 60, hex);
        printf("%s\n", hex);
    }
    if (fd >= 0)
        close(fd);
    vault_close(&v);
    return 0;
}
