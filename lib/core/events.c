/* events: the name tables. */
#include "events.h"

static const char *const s_events[DX_EV_COUNT] = {
    [DX_EV_PUBLISH] = "publish",
    [DX_EV_READ] = "read",
    [DX_EV_LIST] = "list",
    [DX_EV_INFO] = "info",
    [DX_EV_AUDIT] = "audit",
    [DX_EV_POLICY_LOAD] = "policy_load",
    [DX_EV_BROKER_START] = "broker_start",
    [DX_EV_BROKER_STOP] = "broker_stop",
    [DX_EV_FEED] = "feed",
    [DX_EV_DELIVERY] = "delivery",
    [DX_EV_DELIVERIES] = "deliveries",
    [DX_EV_STATUS] = "status",
    [DX_EV_ERASE] = "erase",
    [DX_EV_MASTER_KEY] = "master_key",
    [DX_EV_HANDSHAKE] = "handshake",
    [DX_EV_OPENDATA] = "opendata",
};

static const char *const s_pseudo[DX_PSEUDO_COUNT] = {
    [DX_PSEUDO_NONE] = "",
    [DX_PSEUDO_DEFAULT_DENY] = "default-deny",
    [DX_PSEUDO_OWNER] = "owner",
    [DX_PSEUDO_REPLAY] = "replay",
    [DX_PSEUDO_INTEGRITY] = "integrity",
    [DX_PSEUDO_PROTOCOL] = "protocol",
    [DX_PSEUDO_LIMIT] = "limit",
    [DX_PSEUDO_TRANSFER] = "transfer",
    [DX_PSEUDO_PER_DATASET] = "per-dataset",
    [DX_PSEUDO_ROLE_AUDITOR] = "role-auditor",
    [DX_PSEUDO_ERASED] = "erased",
    [DX_PSEUDO_ROLE_ADMIN] = "role-admin",
    [DX_PSEUDO_RETENTION] = "retention",
    [DX_PSEUDO_FORMAT] = "content-format",
    [DX_PSEUDO_STORE] = "content-store",
    [DX_PSEUDO_OPEN_DATA] = "open-data",
};

const char *dx_event_name(dx_event_t ev)
{
    return (unsigned)ev < DX_EV_COUNT ? s_events[ev] : "";
}

const char *dx_pseudo_rule(dx_pseudo_t p)
{
    return (unsigned)p < DX_PSEUDO_COUNT ? s_pseudo[p] : "";
}
