/* report_tally: counters by name for dx-audit report, in bounded memory.
 * A tally holds at most its cap names; what comes after that is counted
 * under "(other)", so ten million records with ten million names take no
 * more than cap entries (the report says when a tally overflowed). */
#ifndef DX_REPORT_TALLY_H
#define DX_REPORT_TALLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TALLY_OTHER "(other)"

typedef struct {
    const char *name;
    uint64_t count, bytes;
    int64_t first_ms, last_ms;   /* when it was first and last counted */
    char *value;                 /* tally_set_value's, or NULL */
} tally_entry_t;

typedef struct tally tally_t;

tally_t *tally_new(size_t cap);
void tally_free(tally_t **t);
/* Counts one (and bytes) under name, NULL when out of memory. */
tally_entry_t *tally_add(tally_t *t, const char *name, uint64_t bytes, int64_t when_ms);
/* count at once (0: bytes only). */
tally_entry_t *tally_add_n(tally_t *t, const char *name, uint64_t count, uint64_t bytes, int64_t when_ms);
/* One less under name; the entry goes at 0. */
void tally_sub(tally_t *t, const char *name);
/* A text kept with the entry (copied); -1 when out of memory. */
int tally_set_value(tally_entry_t *e, const char *value);
/* The entry of name, or NULL. */
tally_entry_t *tally_get(const tally_t *t, const char *name);
/* Removes name's entry (its count is gone). */
void tally_remove(tally_t *t, const char *name);
size_t tally_size(const tally_t *t);
bool tally_overflowed(const tally_t *t);
uint64_t tally_total(const tally_t *t);
/* The entries, most counted first (ties by name); freed by the caller
 * (the names stay the tally's). */
tally_entry_t **tally_sorted(const tally_t *t, size_t *n);
/* The same, by name. */
tally_entry_t **tally_by_name(const tally_t *t, size_t *n);

#endif
