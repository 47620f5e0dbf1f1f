/* policy_load: a directory of policy files (DESIGN §5) into a dx_policy_t.
 *
 * All "*.yaml" files in the directory are read in name order and merged.
 * Every problem found is reported, not only the first, as
 * "file:line:column: error: message" (policy_check.h adds the checks of the
 * merged set, and warnings); any error means no policy is returned.
 * The policy's sha256 covers the names and bytes of the files read, so the
 * audit log can name exactly which set decided. */
#ifndef DX_POLICY_LOAD_H
#define DX_POLICY_LOAD_H

#include "diag.h"
#include "policy.h"

#include <stddef.h>

#define DX_POLICY_MAX_FILES 256

/* 0 with *out set, or DX_ERR_POLICY with the reasons in diag (which the
 * caller frees with dx_diag_free in both cases). */
int dx_policy_load(const char *dir, dx_policy_t **out, dx_diag_t *diag);

/* The same for files already in memory, taken in the order given; errors
 * name each file by its name, and the set as a whole by label. */
typedef struct {
    const char *name;
    const char *data;
    size_t len;
} dx_policy_file_t;
int dx_policy_load_buffers(const dx_policy_file_t *files, size_t n, const char *label, dx_policy_t **out,
                           dx_diag_t *diag);

#endif
