/* report: dx-audit report, the data office's page. Every record of a log
 * that is being verified goes through report_add, in order; those in the
 * range are counted (in bounded memory: report_tally.h), the others only
 * followed where a later one needs them (who published a dataset, a
 * member's signing key, a read's delivery receipt). Once the log verified,
 * report_write_html writes one self-contained page: no script, style
 * sheet, font or image from elsewhere; charts as inline SVG, each with its
 * table and a text alternative. */
#ifndef DX_REPORT_H
#define DX_REPORT_H

#include "dx.pb-c.h"

#include <stdint.h>
#include <stdio.h>

typedef struct report report_t;

/* What the records were verified against. */
typedef struct {
    const char *origin;
    uint64_t size;               /* the head's records */
    int64_t time_ms;
    const char *root_b64;
    const char *source;          /* the broker's endpoint, or the store's directory */
} report_head_t;

/* since_ms, until_ms: [since, until); 0 leaves that end open. NULL when
 * out of memory. */
report_t *report_new(int64_t since_ms, int64_t until_ms);
void report_free(report_t **r);
int report_add(report_t *r, const Dx__AuditRecord *rec);
/* Records counted (in the range). */
uint64_t report_records(const report_t *r);
int report_write_html(const report_t *r, const report_head_t *head, FILE *out);

#endif
