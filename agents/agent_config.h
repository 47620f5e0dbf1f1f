/* agent_config: the agent service's sections of its YAML config file.
 *
 *   state: DIR                      cursors, heads, logs of the service
 *   outboxes:
 *     - dir: DIR                    files dropped here are published
 *       dataset: NAME               may hold {date} (UTC, 2026-12-03) and
 *                                   {file} (the file's name without its
 *                                   last extension)
 *       classification: C           default internal
 *       content_type: TYPE          default: from the file's extension
 *   subscriptions:
 *     - datasets: [PATTERN, ...]    globs, 1..16
 *       purpose: WORD
 *       inbox: DIR                  NAME@VERSION files arrive here
 *
 * The connection keys (broker, broker_pub, key, timeout) are cli.c's.
 * Unknown keys and bad values are refused as file:line:column: what. */
#ifndef DX_AGENT_CONFIG_H
#define DX_AGENT_CONFIG_H

#include "cli.h"
#include "names.h"
#include "wire.h"

#include <stddef.h>

#define AGENT_OUTBOXES_MAX 64
#define AGENT_SUBS_MAX 16
#define AGENT_PATTERNS_MAX DX_MAX_FEED_PATTERNS   /* over all subscriptions */

typedef struct {
    char dir[DX_PATH_MAX];
    char dataset[DX_NAME_MAX + 1];       /* the template */
    int classification;                  /* dx_class_t */
    char content_type[DX_MAX_CONTENT_TYPE + 1];   /* "": from the extension */
} agent_outbox_t;

typedef struct {
    char patterns[AGENT_PATTERNS_MAX][DX_NAME_MAX + 1];
    size_t npatterns;
    char purpose[DX_PURPOSE_MAX + 1];
    char inbox[DX_PATH_MAX];
} agent_sub_t;

typedef struct {
    agent_outbox_t outboxes[AGENT_OUTBOXES_MAX];
    size_t noutboxes;
    agent_sub_t subs[AGENT_SUBS_MAX];
    size_t nsubs;
} agent_config_t;

/* Reads the service's sections of path into *cfg. */
int agent_config_load(const char *path, agent_config_t *cfg, char err[DX_ERRMSG]);

/* The dataset name for a file dropped into o at time now_ms: the template
 * filled in; DX_ERR_INVALID when the result is not a valid name. */
int agent_dataset_name(const agent_outbox_t *o, const char *file, int64_t now_ms,
                       char out[DX_NAME_MAX + 1]);

#endif
