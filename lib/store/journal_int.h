/* journal_int: what journal.c shares with journal_trim.c. Nothing outside
 * lib/store/ includes it. */
#ifndef DX_JOURNAL_INT_H
#define DX_JOURNAL_INT_H

#include "journal.h"

#include <rados/librados.h>

#define JOURNAL_LEADER "dx.leader"
#define JOURNAL_NAME_MAX 48

/* "dx.journal.<epoch 16 hex>.<part 8 hex>" */
void journal_part_name(char out[JOURNAL_NAME_MAX], uint64_t epoch, uint32_t part);
/* A part's "sealed" attribute: '0', 'r', '1', or 0 when the part does not
 * exist; a dx_err on failure. */
int journal_part_state(journal_t *j, const char *oid, char *state);
rados_ioctx_t journal_io(journal_t *j);

#endif
