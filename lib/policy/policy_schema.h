/* policy_schema: the schema of a policy file (DESIGN §5), one table of
 * keys per section (members, datasets, rules), and the loader state the
 * files are read into. Internal to policy_load.c, which reads the files
 * and merges them; this reads one file's tree. */
#ifndef DX_POLICY_SCHEMA_H
#define DX_POLICY_SCHEMA_H

#include "buf.h"
#include "crypto.h"
#include "diag.h"
#include "policy.h"
#include "policy_check.h"
#include "ytree.h"

typedef dx_where_t where_t;

typedef struct {
    dx_policy_t *p;
    dx_diag_t *diag;
    const char *file;       /* the file being read; lives in files[] */
    char **files;           /* every file name, for the where_t records */
    size_t nfiles;
    where_t *member_at;     /* parallel to p->members */
    where_t *ns_at;         /* parallel to p->namespaces */
    where_t *rule_member_at;   /* per rule: where its members list is */
    size_t cap_members, cap_ns, cap_rules;
    char **broken;          /* ids of members that did not load */
    size_t nbroken;
    dx_sha256_t *hash;      /* over every file's name and bytes */
    dx_buf_t archive;       /* the same bytes, kept (policy.h: archive) */
    bool archive_failed;
} loader_t;

/* Reads one file's tree (NULL: an empty file) into L->p, reporting every
 * problem into L->diag under L->file. */
void policy_schema_file(loader_t *L, const yt_node_t *root);
/* A problem at `at` (NULL: the top of the file) of the file being read. */
void policy_schema_err(loader_t *L, const yt_node_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
