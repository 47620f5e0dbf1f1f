/* dx-fetch-steps: a consumer that starts a fetch, takes the first chunk,
 * waits, then takes the rest on the same session, for tests that change
 * the policy while a transfer is in flight.
 *
 *   dx-fetch-steps --broker E --broker-pub F --key K NAME PURPOSE SECONDS
 * Prints "started", then "done CHUNKS BYTES" or "error: message". */
#include "cli.h"
#include "wire.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int s_more(dx_client_t *c, uint64_t session, Dx__Reply **reply, char err[DX_ERRMSG])
{
    Dx__Request req = DX__REQUEST__INIT;
    Dx__FetchMore more = DX__FETCH_MORE__INIT;
    more.session = session;
    req.body_case = DX__REQUEST__BODY_FETCH_MORE;
    req.fetch_more = &more;
    return dx_client_call(c, &req, reply, err);
}

int main(int argc, char **argv)
{
    dx_cli_conn_t conn;
    if (dx_cli_parse(argc, argv, argv[0], &conn) < 0 || optind + 3 != argc)
        return 2;
    char err[DX_ERRMSG];
    dx_keypair_t me;
    dx_pubkeys_t broker;
    dx_client_t *client = NULL;
    Dx__Reply *reply = NULL;
    int rv = dx_cli_open(&conn, &me, &broker, &client, err);
    Dx__Request req = DX__REQUEST__INIT;
    Dx__FetchBegin fb = DX__FETCH_BEGIN__INIT;
    fb.dataset = argv[optind];
    fb.purpose = argv[optind + 1];
    req.body_case = DX__REQUEST__BODY_FETCH_BEGIN;
    req.fetch_begin = &fb;
    if (rv == 0)
        rv = dx_client_call(client, &req, &reply, err);
    if (rv != 0) {
        printf("error: %s\n", err);
        dx_client_destroy(&client);
        return dx_exit_code(rv);
    }
    uint64_t session = reply->fetch_ready->session;
    uint32_t chunks = reply->fetch_ready->entry->chunks, got = 0;
    uint64_t bytes = 0;
    wire_reply_free(&reply);
    bool last = false;
    while (!last) {
        if ((rv = s_more(client, session, &reply, err)) != 0) {
            printf("error: %s\n", err);
            dx_client_destroy(&client);
            return dx_exit_code(rv);
        }
        bytes += reply->fetch_data->data.len;
        last = reply->fetch_data->last;
        wire_reply_free(&reply);
        if (++got == 1) {
            printf("started\n");
            fflush(stdout);
            sleep((unsigned)atoi(argv[optind + 2]));
        }
    }
    printf("done %u %llu\n", got, (unsigned long long)bytes);
    (void)chunks;
    dx_client_destroy(&client);
    return 0;
}
