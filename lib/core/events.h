/* events: the audit log's event names and the broker's pseudo-rules, one
 * enum each with one name table, so that a record's words are spelled in
 * one place (auditors query by them; DESIGN §6).
 *
 * A pseudo-rule stands where a record names no policy rule: a decision the
 * policy engine makes without one (default-deny, owner), or a check the
 * broker makes before or beside the policy (replay, integrity, ...). */
#ifndef DX_EVENTS_H
#define DX_EVENTS_H

typedef enum {
    DX_EV_PUBLISH = 0,
    DX_EV_READ,
    DX_EV_LIST,
    DX_EV_INFO,
    DX_EV_AUDIT,
    DX_EV_POLICY_LOAD,
    DX_EV_BROKER_START,
    DX_EV_BROKER_STOP,
    DX_EV_FEED,                 /* a page of the feed of new versions */
    DX_EV_DELIVERY,             /* a consumer's signed delivery receipt */
    DX_EV_DELIVERIES,           /* a publisher asking who received its data */
    DX_EV_STATUS,               /* an operator asking for the broker's health */
    DX_EV_ERASE,                /* a version's content destroyed (admin, or retention) */
    DX_EV_MASTER_KEY,           /* the master key rotated */
    DX_EV_HANDSHAKE,            /* handshakes refused (a key that is not a current member's) */
    DX_EV_OPENDATA,             /* dx-admin opendata export asking for the open versions */
    DX_EV_COUNT
} dx_event_t;

typedef enum {
    DX_PSEUDO_NONE = 0,         /* "" */
    DX_PSEUDO_DEFAULT_DENY,     /* no rule allowed it; also a missing role */
    DX_PSEUDO_OWNER,            /* the namespace's owner; a version's publisher reading it */
    DX_PSEUDO_REPLAY,           /* a used nonce, or a manifest outside the window */
    DX_PSEUDO_INTEGRITY,        /* a signature or hash that does not match */
    DX_PSEUDO_PROTOCOL,         /* a malformed manifest, a chunk out of order */
    DX_PSEUDO_LIMIT,            /* over a configured size */
    DX_PSEUDO_TRANSFER,         /* another member's transfer id */
    DX_PSEUDO_PER_DATASET,      /* list: each entry decided on its own */
    DX_PSEUDO_ROLE_AUDITOR,     /* an auditor's request, allowed by the role */
    DX_PSEUDO_ERASED,           /* the version's content was erased */
    DX_PSEUDO_ROLE_ADMIN,       /* an admin's request, allowed by the role */
    DX_PSEUDO_RETENTION,        /* a namespace's retention period ended */
    DX_PSEUDO_FORMAT,           /* content that is not the CSV or JSON Lines it claims */
    DX_PSEUDO_STORE,            /* the content store (a Ceph pool) did not answer */
    DX_PSEUDO_OPEN_DATA,        /* a public version in a namespace the office opened */
    DX_PSEUDO_COUNT
} dx_pseudo_t;

/* The name in records and queries; "" for an out-of-range value. */
const char *dx_event_name(dx_event_t ev);
const char *dx_pseudo_rule(dx_pseudo_t p);

#endif
