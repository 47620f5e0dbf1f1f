/* request: what frees a request, whichever stage holds it last. */
#include "request.h"
#include "publish_check.h"
#include "staged.h"
#include "wire.h"
#include "broker.h"

#include <stdlib.h>

void request_free(request_t **rq_p)
{
    if (!rq_p || !*rq_p)
        return;
    publish_check_clear(&(*rq_p)->check);
    wire_request_free(&(*rq_p)->req);
    staged_drop(NULL, *rq_p);
    free((*rq_p)->out);
    free((*rq_p)->note);
    free((*rq_p)->sealed);
    free(*rq_p);
    *rq_p = NULL;
}
