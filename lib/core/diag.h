/* diag: the list of errors and warnings a policy check produces, each
 * "file:line:col: error: message" or "...: warning: message". */
#ifndef DX_DIAG_H
#define DX_DIAG_H

#include <stdbool.h>
#include <stddef.h>

#define DX_DIAG_MAX 1000   /* lines kept; counts go on past it */

typedef struct {
    char **lines;
    size_t n;
    size_t errors;
    size_t warnings;
    bool hashed;                 /* sha256 holds the checked set's hash */
    unsigned char sha256[32];    /* even of a set that did not load */
} dx_diag_t;

void dx_diag_add(dx_diag_t *diag, bool error, const char *file, int line, int col,
                 const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void dx_diag_free(dx_diag_t *diag);
/* The first error line, for one-line messages; "" if none. */
const char *dx_diag_first(const dx_diag_t *diag);

#endif
