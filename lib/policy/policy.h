/* policy: the data office's sharing rules as data, and the pure decision
 * function the broker and dx-admin share. No I/O here: policy_load.c builds
 * a dx_policy_t from YAML files.
 *
 * Decision order (DESIGN §5):
 *   1. the member must exist, be unrevoked and not past its not_after;
 *   2. any matching deny rule wins;
 *   3. list and read: allowed to the owner of the dataset's namespace,
 *      whole and for any purpose, rule "owner" (the broker also allows a
 *      version's own publisher, dx_decision_publisher);
 *      publish: allowed to the owner of the dataset's namespace (role
 *      publisher), or by an allow rule naming the member for publish; the
 *      manifest's classification may not exceed the namespace's ceiling nor
 *      the rule's max_classification;
 *   4. read / list: the first allow rule (in file order, files sorted by
 *      name) that matches member, action, dataset, purpose (read only),
 *      time window and classification decides, with its field restriction;
 *   5. otherwise deny, rule "default-deny".
 * A rule matches a time t when not_before <= t <= not_after.
 *
 * dx_policy_compile() builds an index once per load (members by id and by
 * key in hash tables; rules by member, action and effect, in file order), so
 * a decision looks only at the rules that name the member or "*". Decide
 * and explain share one per-rule test, dx_rule_check(). */
#ifndef DX_POLICY_H
#define DX_POLICY_H

#include "crypto.h"
#include "glob.h"
#include "names.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Values match proto/dx.proto's Classification. */
typedef enum {
    DX_CLASS_NONE = 0,
    DX_CLASS_PUBLIC = 1,
    DX_CLASS_INTERNAL = 2,
    DX_CLASS_RESTRICTED = 3,
    DX_CLASS_SECRET = 4,
} dx_class_t;

enum dx_action { DX_ACT_READ = 1, DX_ACT_LIST = 2, DX_ACT_PUBLISH = 4 };
enum dx_role { DX_ROLE_PUBLISHER = 1, DX_ROLE_CONSUMER = 2, DX_ROLE_AUDITOR = 4, DX_ROLE_ADMIN = 8 };
enum dx_fields { DX_FIELDS_ALL = 0, DX_FIELDS_INCLUDE = 1, DX_FIELDS_EXCLUDE = 2 };

#define DX_NO_TIME INT64_MIN   /* an absent not_before / not_after */

/* A member's next keys, during a rotation: accepted from `from` (DX_NO_TIME:
 * at once); the current keys are refused after `until`. */
typedef struct {
    bool set;
    uint8_t sign_key[DX_ED25519_LEN];
    uint8_t transport_key[32];
    int64_t from, until;            /* ms */
} dx_next_keys_t;

typedef struct {
    char id[DX_ID_MAX + 1];
    char *name;
    unsigned roles;                 /* enum dx_role bits */
    uint8_t sign_key[DX_ED25519_LEN];
    uint8_t transport_key[32];
    int64_t not_after;              /* ms, or DX_NO_TIME */
    bool revoked;
    dx_next_keys_t next;            /* next: in the policy; .set false if none */
} dx_member_t;

typedef struct {
    char *match;                    /* a glob */
    char owner[DX_ID_MAX + 1];
    dx_class_t classification;      /* the highest allowed in it */
    int64_t retention_ms;           /* versions older are erased; 0: kept */
    char retention[16];             /* as written ("365d"), "" when none */
    bool open;                      /* open data: every member may list and read its public
                                     * versions, and dx-admin opendata export publishes them */
    char *license;                  /* an open namespace's licence, an http(s) URL */
    dx_cglob_t cmatch;              /* compiled match */
} dx_namespace_t;

typedef struct {
    char *id;
    bool allow;
    unsigned actions;               /* enum dx_action bits */
    bool any_member;                /* members: ["*"] */
    char **members;
    size_t nmembers;
    char **datasets;                /* globs */
    size_t ndatasets;
    char **purposes;                /* empty: any purpose */
    size_t npurposes;
    int field_mode;                 /* enum dx_fields */
    char **fields;
    size_t nfields;
    int64_t not_before, not_after;  /* ms, or DX_NO_TIME */
    dx_class_t max_classification;
    char *file;                     /* where it was written, for messages */
    int line, col;
    dx_cglob_t *cdatasets;          /* compiled datasets, by dx_policy_compile */
    uint64_t first_bits;            /* dx_cglob_bits of all its datasets, or-ed */
} dx_rule_t;

typedef struct dx_policy {
    dx_member_t *members;
    size_t nmembers;
    dx_namespace_t *namespaces;
    size_t nnamespaces;
    dx_rule_t *rules;
    size_t nrules;
    uint8_t sha256[DX_SHA256_LEN];  /* of the files it was loaded from: of archive */
    /* The files as they were hashed, for the record (the broker keeps every
     * set that was in force): for each, in name order, its name, a NUL, its
     * length as 8 bytes big-endian, its bytes. SHA-256(archive) = sha256. */
    uint8_t *archive;
    size_t archive_len;
    struct dx_policy_index *index;  /* built by dx_policy_compile */
} dx_policy_t;

typedef struct {
    const char *member;
    unsigned action;                /* one enum dx_action */
    const char *dataset;
    dx_class_t classification;      /* the dataset's, or the manifest's */
    const char *purpose;            /* read: required; others: ignored */
    int64_t now_ms;
} dx_request_t;

typedef struct {
    bool allow;
    char rule_id[DX_PURPOSE_MAX + 1];   /* a rule id, "owner" or "default-deny" */
    char reason[256];
    const dx_rule_t *rule;              /* the deciding rule, if any */
    int field_mode;
    char *const *fields;                /* borrowed from rule */
    size_t nfields;
} dx_decision_t;

/* A version's publisher may always list, inspect and read it, recorded
 * under the rule "owner", unless a deny rule decided: whether a refusal d
 * (of a current member) leaves room for that, and the decision itself. */
bool dx_decision_publisher_may(const dx_decision_t *d);
void dx_decision_publisher(dx_decision_t *d, const char *member, const char *dataset, uint64_t version);

/* Builds the index and compiled globs. The loader calls it. */
int dx_policy_compile(dx_policy_t *p);

void dx_policy_decide(const dx_policy_t *p, const dx_request_t *req, dx_decision_t *out);

/* How one rule relates to a request, in the order the tests are made. */
typedef enum {
    DX_RULE_MATCH = 0,
    DX_RULE_OTHER_ACTION,
    DX_RULE_OTHER_MEMBER,
    DX_RULE_OTHER_DATASET,
    DX_RULE_WRONG_PURPOSE,          /* the rest are "near misses" */
    DX_RULE_NOT_YET,
    DX_RULE_EXPIRED,
    DX_RULE_CLASSIFICATION,
} dx_rule_result_t;

/* Checks rule r against req, whose dataset name is split in name. The
 * classification test applies to allow rules only; ceiling is the highest
 * classification the rule may grant (its own, capped by the namespace for
 * publish). */
dx_rule_result_t dx_rule_check(const dx_rule_t *r, const dx_request_t *req, const dx_name_t *name,
                               dx_class_t ceiling);
const char *dx_rule_result_text(dx_rule_result_t res);
/* The highest classification rule r may grant for req. */
dx_class_t dx_rule_ceiling(const dx_policy_t *p, const dx_rule_t *r, const dx_request_t *req);

/* Calls fn for every rule, in file order, with how it relates to req. */
typedef void (*dx_explain_fn)(void *arg, const dx_rule_t *r, dx_rule_result_t res);
void dx_policy_explain(const dx_policy_t *p, const dx_request_t *req, dx_explain_fn fn, void *arg);

/* The name prefixes that hold everything `member` could be allowed to do
 * action on: the literal start of every dataset glob of the allow rules
 * that name it (or "*"), those inside another dropped, sorted. A caller
 * that scans only these ranges, and still decides each name, sees exactly
 * what a scan of everything would, at a cost that follows the member's
 * rules rather than the catalog. Returns the count (0: nothing can be
 * allowed); more than max prefixes come back as the one prefix "". */
#define DX_PREFIXES_MAX 64
size_t dx_policy_prefixes(const dx_policy_t *p, const char *member, unsigned action,
                          char prefixes[][DX_NAME_MAX + 1], size_t max);

/* Calls fn for each file of an archive (above), in order: 0, or
 * DX_ERR_INVALID when it is not one. */
typedef int (*dx_archive_fn)(void *arg, const char *name, const uint8_t *data, size_t len);
int dx_policy_archive_each(const uint8_t *archive, size_t len, dx_archive_fn fn, void *arg);

const dx_member_t *dx_policy_member(const dx_policy_t *p, const char *id);
const dx_member_t *dx_policy_member_by_transport(const dx_policy_t *p, const uint8_t key[32]);
/* True when the member exists, is not revoked and not past not_after. */
bool dx_member_current(const dx_member_t *m, int64_t now_ms);
/* Whether key is one of the member's transport keys in force at now: its
 * current key until its rotation's `until`, its next key from `from`. */
bool dx_member_transport_ok(const dx_member_t *m, const uint8_t key[32], int64_t now_ms);
/* The member's signing keys in force at now (one, or two during a
 * rotation's overlap), into keys; returns how many. */
size_t dx_member_sign_keys(const dx_member_t *m, int64_t now_ms, const uint8_t *keys[2]);
/* The namespace that governs dataset (the most specific match), or NULL. */
const dx_namespace_t *dx_policy_namespace(const dx_policy_t *p, const char *dataset);

const char *dx_class_name(dx_class_t c);
dx_class_t dx_class_parse(const char *text);   /* DX_CLASS_NONE if unknown */
const char *dx_action_name(unsigned action);
unsigned dx_action_parse(const char *text);    /* 0 if unknown */
unsigned dx_role_parse(const char *text);      /* 0 if unknown */

void dx_policy_free(dx_policy_t **p);

#endif
