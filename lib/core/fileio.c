/* fileio: bounded whole-file reads. */
#include "fileio.h"
#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int dx_read_small_file(const char *path, size_t max, char **data, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    *data = NULL;
    *len = 0;
    if (fd < 0)
        return errno == ENOENT ? DX_ERR_NOT_FOUND : DX_ERR_IO;
    struct stat st;
    int rv = DX_ERR_IO;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        goto out;
    rv = DX_ERR_TOO_BIG;
    if ((size_t)st.st_size > max)
        goto out;
    rv = DX_ERR_NOMEM;
    if (!(*data = malloc((size_t)st.st_size + 1)))
        goto out;
    size_t got = 0;
    for (;;) {
        /* read one byte past the size seen, to notice a file that grew */
        ssize_t n = read(fd, *data + got, (size_t)st.st_size + 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rv = DX_ERR_IO;
            goto out;
        }
        if (n == 0)
            break;
        got += (size_t)n;
        if (got > (size_t)st.st_size) {
            rv = DX_ERR_TOO_BIG;
            goto out;
        }
    }
    (*data)[got] = '\0';
    *len = got;
    rv = 0;
out:
    close(fd);
    if (rv != 0) {
        free(*data);
        *data = NULL;
    }
    return rv;
}
