/* dx-rawsend: sends hostile frames straight to the broker's socket over an
 * authenticated CURVE connection, and reports what came back.
 *
 *   dx-rawsend --broker E --broker-pub F --key K MODE [ARG]
 *     garbage N     one frame of N pseudo-random bytes
 *     oversize N    one frame of N bytes (more than the broker accepts)
 *     truncated     a valid request cut short
 *     multiframe    a valid request followed by a second frame
 *     empty         one empty frame
 *     unknown       a valid envelope with no request in it
 *     version       a request of an unsupported protocol version
 *     file PATH     the bytes of PATH as one frame
 *     hold SECONDS  a valid list request, then the same again on the same
 *                   connection SECONDS later (prints both replies)
 * Prints "reply: <error message>" and exits 0 when an error reply came
 * back, 5 when none did within the timeout, 1 otherwise. */
#include "cli.h"
#include "fileio.h"
#include "wire.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int s_valid(uint32_t protocol, bool body, uint8_t **data, size_t *len)
{
    Dx__Request r = DX__REQUEST__INIT;
    Dx__ListRequest lr = DX__LIST_REQUEST__INIT;
    r.protocol = protocol;
    r.id = 42;
    if (body) {
        r.body_case = DX__REQUEST__BODY_LIST;
        r.list = &lr;
    }
    return wire_pack(&r.base, data, len);
}

int main(int argc, char **argv)
{
    dx_cli_conn_t conn;
    if (dx_cli_parse(argc, argv, argv[0], &conn) < 0 || optind >= argc)
        return 2;
    const char *mode = argv[optind], *arg = optind + 1 < argc ? argv[optind + 1] : "0";
    uint8_t *data = NULL, *second = NULL;
    size_t len = 0, n = strtoul(arg, NULL, 10);
    int frames = 1;
    if (strcmp(mode, "garbage") == 0 || strcmp(mode, "oversize") == 0) {
        data = calloc(1, n ? n : 1);
        len = n;
        uint32_t x = 2463534242u;
        for (size_t i = 0; mode[0] == 'g' && i < n; i++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            data[i] = (uint8_t)x;
        }
    } else if (strcmp(mode, "truncated") == 0) {
        s_valid(DX_PROTOCOL_VERSION, true, &data, &len);
        len = len > 3 ? len - 3 : 1;
    } else if (strcmp(mode, "multiframe") == 0) {
        s_valid(DX_PROTOCOL_VERSION, true, &data, &len);
        frames = 2;
    } else if (strcmp(mode, "empty") == 0) {
        data = calloc(1, 1);
        len = 0;
    } else if (strcmp(mode, "unknown") == 0) {
        s_valid(DX_PROTOCOL_VERSION, false, &data, &len);
    } else if (strcmp(mode, "version") == 0) {
        s_valid(99, true, &data, &len);
    } else if (strcmp(mode, "hold") == 0) {
        s_valid(DX_PROTOCOL_VERSION, true, &data, &len);
    } else if (strcmp(mode, "file") == 0) {
        char *text = NULL;
        if (dx_read_small_file(arg, DX_MAX_FRAME * 2, &text, &len) != 0)
            return 1;
        data = (uint8_t *)text;
    } else {
        return 2;
    }
    char err[DX_ERRMSG];
    dx_keypair_t me;
    dx_pubkeys_t broker;
    dx_client_t *client = NULL;
    int rv = dx_cli_open(&conn, &me, &broker, &client, err);
    if (rv != 0) {
        fprintf(stderr, "dx-rawsend: %s\n", err);
        return dx_exit_code(rv);
    }
    const void *f[2] = { data, data };
    size_t l[2] = { len, len };
    second = NULL;
    if (strcmp(mode, "hold") == 0) {
        Dx__Reply *first = NULL;
        rv = dx_client_send_frames(client, f, l, 1, err);
        if (rv == 0)
            rv = dx_client_recv(client, &first, err);
        if (rv != 0) {
            printf("first: %s\n", err);
            return 1;
        }
        printf("first: %s\n", first->error ? first->error->message : "ok");
        fflush(stdout);
        wire_reply_free(&first);
        sleep((unsigned)n);
    }
    rv = dx_client_send_frames(client, f, l, (size_t)frames, err);
    Dx__Reply *reply = NULL;
    if (rv == 0)
        rv = dx_client_recv(client, &reply, err);
    int status;
    if (rv == 0 && reply->error && reply->error->code != DX__ERROR_CODE__ERR_NONE) {
        printf("reply: %s\n", reply->error->message);
        status = 0;
    } else if (rv == DX_ERR_TIMEOUT || rv == DX_ERR_UNREACHABLE) {
        printf("no reply: %s\n", err);
        status = 5;
    } else {
        printf("unexpected: %s\n", rv ? err : "a reply without error");
        status = 1;
    }
    wire_reply_free(&reply);
    dx_client_destroy(&client);
    free(data);
    free(second);
    return status;
}
