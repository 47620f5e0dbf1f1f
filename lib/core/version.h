/* version: the release and the commit a program was built from, from one
 * place: VERSION, plus "+g<commit>" (and "-dirty") when built from a git
 * checkout. The Makefile writes it into build/gen/version.h. */
#ifndef DX_VERSION_H
#define DX_VERSION_H

#include <stdbool.h>

const char *dx_version(void);
/* For every program's main: "prog --version" prints "prog VERSION" and
 * returns true. */
bool dx_version_asked(int argc, char **argv, const char *prog);

#endif
