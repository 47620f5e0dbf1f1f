/* glob: dataset globs compiled once (at policy load) into segments, matched
 * against names split once per decision, plus the two set questions policy
 * checking asks: do two globs share a name, and does one cover another.
 *
 * A compiled glob borrows the text it was compiled from; keep that alive. */
#ifndef DX_GLOB_H
#define DX_GLOB_H

#include "names.h"

#include <stdbool.h>
#include <stdint.h>

enum { SEG_LIT = 0, SEG_WILD = 1, SEG_ANY = 2 };   /* "abc", "a*c", "**" */

typedef struct {
    const char *text;
    uint8_t len;
    uint8_t kind;
} dx_seg_t;

typedef struct {
    dx_seg_t segs[DX_SEGMENTS_MAX];
    uint8_t n;
    bool has_any;               /* some segment is "**" */
} dx_cglob_t;

typedef struct {
    const char *segs[DX_SEGMENTS_MAX];
    uint8_t lens[DX_SEGMENTS_MAX];
    uint8_t n;
} dx_name_t;

/* A 64-bit filter of the first segments a glob can start with: two bits
 * per literal first segment, all bits for a wildcard. A name whose
 * dx_name_bits() are not all in a glob's filter cannot match it. */
uint64_t dx_cglob_bits(const dx_cglob_t *g);
uint64_t dx_name_bits(const dx_name_t *name);

/* Both return false for input that is not a valid glob / name. */
bool dx_cglob_compile(const char *glob, dx_cglob_t *out);
bool dx_name_split(const char *name, dx_name_t *out);

bool dx_cglob_match(const dx_cglob_t *g, const dx_name_t *name);
/* True when some dataset name matches both. */
bool dx_cglob_overlap(const dx_cglob_t *a, const dx_cglob_t *b);
/* True when every name inner matches, outer matches too. Sound: a "true"
 * is always right; a rare "false" may be too cautious for globs such as
 * "a*" inside "*a*"-style patterns. */
bool dx_cglob_covers(const dx_cglob_t *outer, const dx_cglob_t *inner);

#endif
