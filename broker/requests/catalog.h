/* catalog: list and info (on the readers), and the decision fetch and info
 * share: whether a member may see a name, with no probing. */
#ifndef DX_BROKER_CATALOG_H
#define DX_BROKER_CATALOG_H

#include "broker.h"

/* Looks up f->dataset at f->version (0: the latest) and decides action on
 * it. Returns 0 with *e set when allowed (and *d, *latest, f completed),
 * 0 with *e NULL when refused (recorded and answered), or an error.
 *
 * No probing: the member is first decided on as if the dataset existed at
 * the lowest classification, which depends on nothing stored; a refusal
 * there says why. Past it, a name that does not exist and one whose
 * classification or version the member may not see get the same answer,
 * in the same words (the audit record has the real reason). */
int catalog_decide(broker_t *b, request_t *rq, unsigned action, audit_fields_t *f,
                   dx_decision_t *d, Dx__CatalogEntry **e, uint64_t *latest);
int catalog_list(broker_t *b, request_t *rq);
int catalog_info(broker_t *b, request_t *rq);

#endif
