/* notify: systemd's readiness protocol, without libsystemd.
 *
 * When systemd starts the broker with Type=notify it sets NOTIFY_SOCKET to
 * a datagram socket (a path, or '@' for the abstract namespace); one
 * datagram "READY=1" says the broker listens, "RELOADING=1" and
 * "STOPPING=1" the rest. Without NOTIFY_SOCKET this does nothing. */
#include "notify.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

void notify_systemd(const char *state)
{
    const char *path = getenv("NOTIFY_SOCKET");
    struct sockaddr_un sa;
    size_t n = path ? strlen(path) : 0;
    if (n == 0)
        return;
    if (n >= sizeof sa.sun_path || (path[0] != '/' && path[0] != '@')) {
        dx_warn("systemd-notify-socket-invalid",
                "NOTIFY_SOCKET is not a socket path: not telling systemd");
        return;
    }
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, n);
    if (path[0] == '@')
        sa.sun_path[0] = '\0';
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
    if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, len) < 0)
        dx_warn("systemd-notify-failed", "cannot tell systemd '%s': %s", state, strerror(errno));
    close(fd);
}
