// names: member ids, dataset names and dataset globs.
//
//   member id     ^[a-z][a-z0-9-]{0,31}$
//   dataset name  segments of [a-z0-9._-] joined by '/', each starting with a
//                 letter or digit; at most DX_NAME_MAX bytes and
//                 DX_SEGMENTS_MAX segments: "health/vaccination/2026-q1"
//   glob          a dataset name in which a segment may contain '*' (any run
//                 of characters within one segment) or be exactly "**" (any
//                 number of segments, including none): "health/**",
//                 "health/vaccination/*", "*/reports/q*"
#ifndef DX_NAMES_H
#define DX_NAMES_H

#include <stdbool.h>

#define DX_ID_MAX 32
#define DX_NAME_MAX 200
#define DX_SEGMENTS_MAX 16
#define DX_PURPOSE_MAX 64

bool dx_id_valid(const char *id);
bool dx_dataset_name_valid(const char *name);
bool dx_glob_valid(const char *glob);
/* True when name matches glob; false when either is not valid (glob.c). */
bool dx_glob_match(const char *glob, const char *name);
/* A purpose or a rule id: ^[a-z0-9][a-z0-9._-]{0,63}$ */
bool dx_token_valid(const char *token);
/* Text that may stand in an IRI as it is (Turtle, JSON-LD, HTML): not
 * empty, letters, digits and -._~:/?#[]@!$&()*+,;=% only (no spaces,
 * quotes, <>, braces or backslashes). */
bool dx_iri_safe(const char *s);

#endif
