/* admin: the data office's requests to a running broker. Only members with
 * the role admin (dispatch.c's table); every attempt is an audit record. */
#include "broker.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>

#define PROBLEMS_MAX 100

int admin_reload(broker_t *b, request_t *rq)
{
    dx_diag_t diag = { 0 };
    char reason[DX_ERRMSG + 64];
    int rv = broker_load_policy(b, rq, &diag, reason);
    rq->member = NULL; /* the set it pointed into may be gone */
    if (rv != 0 && rv != DX_ERR_POLICY)
        goto out;
    Dx__Reply reply = DX__REPLY__INIT;
    Dx__ReloadResult res = DX__RELOAD_RESULT__INIT;
    res.loaded = rv == 0;
    res.policy_sha256.data = b->policy->sha256;
    res.policy_sha256.len = DX_SHA256_LEN;
    res.summary = reason;
    res.problems = diag.lines;
    res.n_problems = diag.n < PROBLEMS_MAX ? diag.n : PROBLEMS_MAX;
    reply.body_case = DX__REPLY__BODY_RELOAD;
    reply.reload = &res;
    rv = broker_reply_later(b, rq, &reply, NULL, 0);
out:
    dx_diag_free(&diag);
    return rv;
}
