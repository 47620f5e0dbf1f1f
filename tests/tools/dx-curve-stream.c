/* dx-curve-stream: the transport's own limit, for make bench. Two
 * processes on loopback; one sends 1 MiB frames over a CURVE-encrypted
 * ZeroMQ PUSH socket, the other receives them on a PULL socket and says
 * when the last one arrived. Prints MB/s (10^6 bytes per second).
 *
 *   dx-curve-stream [MiB]        default 256 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define FRAME (1024 * 1024)

static double s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int s_fail(const char *what)
{
    fprintf(stderr, "dx-curve-stream: %s: %s\n", what, zmq_strerror(zmq_errno()));
    return 1;
}

/* The receiver: binds, reports its port on fd, counts frames, then writes
 * one byte back on done when the last has arrived. */
static int s_receiver(const char *server_secret, int port_fd, int done_fd, int frames)
{
    void *ctx = zmq_ctx_new(), *pull = zmq_socket(ctx, ZMQ_PULL);
    int one = 1;
    char endpoint[64];
    size_t len = sizeof endpoint;
    if (zmq_setsockopt(pull, ZMQ_CURVE_SERVER, &one, sizeof one) != 0 ||
        zmq_setsockopt(pull, ZMQ_CURVE_SECRETKEY, server_secret, 40) != 0 ||
        zmq_bind(pull, "tcp://127.0.0.1:*") != 0 ||
        zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, endpoint, &len) != 0)
        return s_fail("receiver");
    if (write(port_fd, endpoint, strlen(endpoint) + 1) < 0)
        return 1;
    zmq_msg_t m;
    zmq_msg_init(&m);
    for (int i = 0; i < frames; i++)
        if (zmq_msg_recv(&m, pull, 0) != FRAME)
            return s_fail("receive");
    zmq_msg_close(&m);
    char c = 'x';
    if (write(done_fd, &c, 1) != 1)
        return 1;
    zmq_close(pull);
    zmq_ctx_term(ctx);
    return 0;
}

int main(int argc, char **argv)
{
    int mib = argc > 1 ? atoi(argv[1]) : 256;
    if (mib <= 0) {
        fprintf(stderr, "usage: dx-curve-stream [MiB]\n");
        return 2;
    }
    char server_pub[41], server_sec[41], client_pub[41], client_sec[41];
    if (zmq_curve_keypair(server_pub, server_sec) != 0 || zmq_curve_keypair(client_pub, client_sec) != 0)
        return s_fail("keys");
    int port_pipe[2], done_pipe[2];
    if (pipe(port_pipe) != 0 || pipe(done_pipe) != 0)
        return 1;
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0)
        _exit(s_receiver(server_sec, port_pipe[1], done_pipe[1], mib));
    char endpoint[64] = "";
    for (size_t n = 0; n < sizeof endpoint - 1;) {
        ssize_t r = read(port_pipe[0], endpoint + n, 1);
        if (r <= 0)
            return 1;
        if (endpoint[n++] == '\0')
            break;
    }
    void *ctx = zmq_ctx_new(), *push = zmq_socket(ctx, ZMQ_PUSH);
    if (zmq_setsockopt(push, ZMQ_CURVE_SERVERKEY, server_pub, 40) != 0 ||
        zmq_setsockopt(push, ZMQ_CURVE_PUBLICKEY, client_pub, 40) != 0 ||
        zmq_setsockopt(push, ZMQ_CURVE_SECRETKEY, client_sec, 40) != 0 ||
        zmq_connect(push, endpoint) != 0)
        return s_fail("sender");
    char *frame = malloc(FRAME);
    if (!frame)
        return 1;
    for (int i = 0; i < FRAME; i++)
        frame[i] = (char)(i * 131 + 7);
    double t0 = s_now();
    for (int i = 0; i < mib; i++)
        if (zmq_send(push, frame, FRAME, 0) != FRAME)
            return s_fail("send");
    char c;
    if (read(done_pipe[0], &c, 1) != 1)
        return 1;
    double t1 = s_now();
    printf("%.0f\n", (double)mib * FRAME / 1e6 / (t1 - t0));
    free(frame);
    zmq_close(push);
    zmq_ctx_term(ctx);
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
