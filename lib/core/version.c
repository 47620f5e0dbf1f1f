/* version: the string the build wrote. */
#include "version.h"
#include "dx_version.h"

#include <stdio.h>
#include <string.h>

const char *dx_version(void) { return DX_VERSION; }

bool dx_version_asked(int argc, char **argv, const char *prog)
{
    if (argc != 2 || strcmp(argv[1], "--version") != 0)
        return false;
    printf("%s %s\n", prog, DX_VERSION);
    return true;
}
