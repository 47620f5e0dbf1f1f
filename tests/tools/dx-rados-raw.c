/* dx-rados-raw: the pool's own throughput, for make bench (section l), by
 * librados directly (none of dx's code): COUNT objects of SIZE bytes
 * written (created exclusively, whole, as dx writes chunks) or read back,
 * with IN_FLIGHT operations outstanding at once; then removed.
 *
 *   dx-rados-raw CONF POOL USER write|read|remove COUNT SIZE IN_FLIGHT
 *
 * Prints the MiB/s of the write or read. Objects are named
 * "raw.<pid of the writer>.<n>"; read and remove take the PID from
 * $DX_RAW_PID. */
#include <errno.h>
#include <rados/librados.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void s_die(const char *what, int r)
{
    fprintf(stderr, "dx-rados-raw: %s: %s\n", what, strerror(-r));
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc != 8) {
        fprintf(stderr, "usage: dx-rados-raw CONF POOL USER write|read|remove COUNT SIZE IN_FLIGHT\n");
        return 2;
    }
    const char *conf = argv[1], *pool = argv[2], *user = argv[3], *op = argv[4];
    long count = atol(argv[5]), size = atol(argv[6]), depth = atol(argv[7]);
    const char *pid_env = getenv("DX_RAW_PID");
    long pid = strcmp(op, "write") == 0 ? (long)getpid() : pid_env ? atol(pid_env) : 0;
    if (count <= 0 || size <= 0 || depth <= 0 || depth > 256)
        return 2;
    rados_t cl;
    rados_ioctx_t io;
    int r;
    if ((r = rados_create(&cl, user)) < 0)
        s_die("rados_create", r);
    if ((r = rados_conf_read_file(cl, conf)) < 0)
        s_die(conf, r);
    rados_conf_set(cl, "log_to_stderr", "false");
    rados_conf_set(cl, "err_to_stderr", "false");
    if ((r = rados_connect(cl)) < 0)
        s_die("rados_connect", r);
    if ((r = rados_ioctx_create(cl, pool, &io)) < 0)
        s_die(pool, r);
    char *buf = malloc((size_t)size * (size_t)depth);
    rados_completion_t *c = calloc((size_t)depth, sizeof *c);
    rados_write_op_t *w = calloc((size_t)depth, sizeof *w);
    if (!buf || !c || !w)
        return 1;
    for (long i = 0; i < size * depth; i++)
        buf[i] = (char)(i * 131 + 7);
    char name[64];
    double t0 = s_now();
    for (long i = 0; i < count + depth; i++) {
        long slot = i % depth;
        if (i >= depth) { /* the operation started depth ago ends first */
            rados_aio_wait_for_complete(c[slot]);
            if ((r = rados_aio_get_return_value(c[slot])) < 0 && !(strcmp(op, "remove") == 0 && r == -ENOENT))
                s_die(op, r);
            if (strcmp(op, "read") == 0 && r != size)
                s_die("short read", -EIO);
            rados_aio_release(c[slot]);
            if (w[slot])
                rados_release_write_op(w[slot]);
            w[slot] = NULL;
        }
        if (i >= count)
            continue;
        snprintf(name, sizeof name, "raw.%ld.%ld", pid, i);
        if ((r = rados_aio_create_completion2(NULL, NULL, &c[slot])) < 0)
            s_die("completion", r);
        char *data = buf + slot * size;
        if (strcmp(op, "write") == 0) {
            w[slot] = rados_create_write_op();
            rados_write_op_create(w[slot], LIBRADOS_CREATE_EXCLUSIVE, NULL);
            rados_write_op_write_full(w[slot], data, (size_t)size);
            r = rados_aio_write_op_operate(w[slot], io, c[slot], name, NULL, 0);
        } else if (strcmp(op, "read") == 0) {
            r = rados_aio_read(io, name, c[slot], data, (size_t)size, 0);
        } else {
            r = rados_aio_remove(io, name, c[slot]);
        }
        if (r < 0)
            s_die(op, r);
    }
    double secs = s_now() - t0;
    if (strcmp(op, "write") == 0)
        printf("%.1f %ld\n", (double)count * (double)size / 1048576.0 / secs, pid);
    else
        printf("%.1f\n", (double)count * (double)size / 1048576.0 / secs);
    free(buf);
    free(c);
    free(w);
    rados_ioctx_destroy(io);
    rados_shutdown(cl);
    return 0;
}
