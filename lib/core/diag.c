/* diag: bounded list of located messages. */
#include "diag.h"
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dx_diag_add(dx_diag_t *diag, bool error, const char *file, int line, int col,
                 const char *fmt, ...)
{
    char msg[DX_ERRMSG], text[DX_ERRMSG + 300];
    if (error)
        diag->errors++;
    else
        diag->warnings++;
    if (diag->n >= DX_DIAG_MAX)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(text, sizeof text, "%s:%d:%d: %s: %s", file, line, col, error ? "error" : "warning",
             msg);
    char **lines = realloc(diag->lines, (diag->n + 1) * sizeof *lines);
    if (!lines)
        return;
    diag->lines = lines;
    if ((lines[diag->n] = strdup(text)) != NULL)
        diag->n++;
}

void dx_diag_free(dx_diag_t *diag)
{
    for (size_t i = 0; i < diag->n; i++)
        free(diag->lines[i]);
    free(diag->lines);
    memset(diag, 0, sizeof *diag);
}

const char *dx_diag_first(const dx_diag_t *diag)
{
    for (size_t i = 0; i < diag->n; i++)
        if (strstr(diag->lines[i], ": error: "))
            return diag->lines[i];
    return "";
}
