/* dx-publish-raw: a misbehaving publisher, for tests of the broker's
 * refusals. It speaks the real protocol with real keys but can sign with a
 * key other than the registered one, claim a wrong hash or publisher, date
 * the manifest in the past, reuse a nonce, or send the same manifest twice.
 *
 *   dx-publish-raw --broker E --broker-pub F --key K [--sign-with KEYFILE]
 *       [--publisher ID] [--wrong-hash] [--age SECONDS] [--nonce HEX]
 *       [--repeat N] NAME FILE
 * Prints one line per attempt; exits with the dx status of the last one. */
#include "media.h"
#include "cli.h"
#include "dxtime.h"
#include "encode.h"
#include "transfer.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        DX_CLI_OPTIONS,    { "sign-with", required_argument, NULL, 's' },
        { "publisher", required_argument, NULL, 'P' }, { "wrong-hash", no_argument, NULL, 'w' },
        { "age", required_argument, NULL, 'a' },    { "nonce", required_argument, NULL, 'n' },
        { "repeat", required_argument, NULL, 'r' }, { NULL, 0, NULL, 0 },
    };
    dx_cli_conn_t conn;
    memset(&conn, 0, sizeof conn);
    const char *sign_with = NULL, *publisher = NULL;
    bool wrong_hash = false;
    long age = 0, repeat = 1;
    uint8_t nonce[16];
    bool fixed_nonce = false;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': sign_with = optarg; break;
        case 'P': publisher = optarg; break;
        case 'w': wrong_hash = true; break;
        case 'a': age = atol(optarg); break;
        case 'n':
            if (dx_hex_decode(optarg, nonce, 16) != 0)
                return 2;
            fixed_nonce = true;
            break;
        case 'r': repeat = atol(optarg); break;
        default:
            if (dx_cli_option(&conn, c, optarg, argv[0]) <= 0)
                return 2;
        }
    }
    if (optind + 2 != argc)
        return 2;
    char err[DX_ERRMSG];
    dx_keypair_t me, signer;
    dx_pubkeys_t broker;
    dx_client_t *client = NULL;
    int rv = dx_cli_open(&conn, &me, &broker, &client, err);
    if (rv == 0 && sign_with)
        rv = dx_keys_read_secret(sign_with, &signer, err);
    if (rv != 0) {
        fprintf(stderr, "dx-publish-raw: %s\n", err);
        return dx_exit_code(rv);
    }
    if (!sign_with)
        signer = me;
    int fd = open(argv[optind + 1], O_RDONLY);
    uint8_t sha[32], sig[64], *manifest = NULL;
    size_t mlen = 0;
    uint64_t size = 0;
    if (fd < 0 || dx_hash_fd(fd, sha, &size, err) != 0)
        return 1;
    if (wrong_hash)
        sha[0] ^= 0xff;
    dx_manifest_opts_t mo = { .dataset = argv[optind], .publisher = publisher ? publisher : me.pub.id,
                              .content_type = dx_media_guess(argv[optind + 1]), .classification = 2, .sha256 = sha,
                              .size = size, .created_ms = age ? dx_now_ms() - age * 1000 : 0,
                              .nonce = fixed_nonce ? nonce : NULL };
    if ((rv = dx_manifest_build(&mo, &manifest, &mlen, err)) != 0 ||
        (rv = dx_sign(signer.sign_secret, DX_CTX_MANIFEST, manifest, mlen, sig)) != 0) {
        fprintf(stderr, "dx-publish-raw: %s\n", err);
        return 1;
    }
    for (long i = 0; i < repeat; i++) {
        dx_receipt_t r;
        rv = dx_publish(client, &broker, manifest, mlen, sig, fd, size, &r, err);
        if (rv == 0)
            printf("ok version %llu seq %llu\n", (unsigned long long)r.version,
                   (unsigned long long)r.audit_seq);
        else
            printf("error %d: %s\n", dx_exit_code(rv), err);
    }
    free(manifest);
    close(fd);
    dx_client_destroy(&client);
    return dx_exit_code(rv);
}
