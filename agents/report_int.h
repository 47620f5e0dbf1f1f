/* report_int: what report_stats.c counts and report_html.c draws. */
#ifndef DX_REPORT_INT_H
#define DX_REPORT_INT_H

#include "report.h"
#include "report_tally.h"

#include <stdbool.h>

#define REPORT_ROWS 500          /* rows kept of each list (erasures, reloads, ...) */

typedef struct {
    int64_t time_ms;
    char *who, *what, *rule, *why;
} report_row_t;

typedef struct {
    report_row_t *rows;
    size_t n;
    uint64_t total;              /* counted, kept or not */
} report_list_t;

struct report {
    int64_t since_ms, until_ms;
    int64_t first_ms, last_ms;   /* of the records counted */
    uint64_t records;
    uint64_t publishes, publish_bytes, exchanges, exchange_bytes, refusals, errors;
    uint64_t views, view_bytes, wholes, whole_bytes, unsized;
    tally_t *events;             /* event -> records */
    tally_t *publishers, *consumers;      /* member -> publishes / exchanges, bytes */
    tally_t *day_pub, *day_recv;          /* "DAY\\x1fMEMBER" -> publishes / exchanges */
    tally_t *day_source, *sources;        /* exchanges by the publisher of what was released */
    tally_t *day_refused;                 /* "DAY\\x1fMEMBER" -> refusals */
    tally_t *days;                        /* "DAY" -> records (every day with one) */
    tally_t *matrix;                      /* "PUBLISHER\\x1fCONSUMER" -> exchanges, bytes */
    tally_t *owner;                       /* dataset -> (value) its last publisher: whole log */
    tally_t *refused_reason, *refused_member, *refused_rule, *refused_day;
    tally_t *error_rule;
    tally_t *purposes, *datasets;         /* exchanges by purpose, by dataset */
    tally_t *unreceipted;                 /* "CONSUMER\\x1fDATASET@V" -> reads without receipt */
    tally_t *signer;                      /* member -> (value) its last signing key: whole log */
    report_list_t erasures, sweeps, reloads, keys;
};

#endif
