/* dx-check-catalog: fetches every dataset a member may list under a
 * pattern (latest versions) over one connection, checking each through the
 * agent's own verification (receipt, publisher signature, content hash),
 * and prints "NAME VERSION SHA256" per dataset. Exit 0 when all are whole,
 * else the status of the first failure.
 *
 *   dx-check-catalog --broker E --broker-pub F --key K PATTERN PURPOSE */
#include "cli.h"
#include "encode.h"
#include "transfer.h"
#include "wire.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    dx_cli_conn_t conn;
    if (dx_cli_parse(argc, argv, argv[0], &conn) < 0 || optind + 2 != argc)
        return 2;
    char err[DX_ERRMSG];
    dx_keypair_t me;
    dx_pubkeys_t broker;
    dx_client_t *client = NULL;
    Dx__Reply *list = NULL;
    int rv = dx_cli_open(&conn, &me, &broker, &client, err);
    Dx__Request req = DX__REQUEST__INIT;
    Dx__ListRequest lr = DX__LIST_REQUEST__INIT;
    lr.pattern = argv[optind];
    req.body_case = DX__REQUEST__BODY_LIST;
    req.list = &lr;
    if (rv == 0)
        rv = dx_client_call(client, &req, &list, err);
    if (rv != 0) {
        fprintf(stderr, "dx-check-catalog: %s\n", err);
        return dx_exit_code(rv);
    }
    int fd = open("/dev/null", O_WRONLY);
    for (size_t i = 0; rv == 0 && i < list->list->n_datasets; i++) {
        const Dx__DatasetInfo *d = list->list->datasets[i];
        dx_fetch_result_t res;
        if ((rv = dx_fetch(client, &broker, d->dataset, d->version, argv[optind + 1], fd, &res, err)) != 0) {
            fprintf(stderr, "dx-check-catalog: %s@%llu: %s\n", d->dataset, (unsigned long long)d->version, err);
            break;
        }
        char hex[65];
        dx_hex_encode(res.sha256, 32, hex);
        printf("%s %llu %s\n", d->dataset, (unsigned long long)d->version, hex);
    }
    close(fd);
    wire_reply_free(&list);
    dx_client_destroy(&client);
    return dx_exit_code(rv);
}
