/* policy_test: expectation files for a policy set, run by
 * `dx-admin policy test DIR` (every .yaml file in DIR/tests):
 *
 *   version: 1
 *   tests:
 *     - name: statistics reads vaccination without national_id
 *       member: statistics
 *       action: read                 # read | list | publish
 *       dataset: health/vaccination/2026-q3
 *       purpose: statistics          # optional
 *       at: 2026-06-01T00:00:00Z     # optional; default: now
 *       classification: restricted   # optional; default: the namespace's ceiling
 *       expect: allow                # allow | deny
 *       rule: stats-reads-vaccination   # optional: the deciding rule
 *       fields:                      # optional: all, or include:/exclude: [...]
 *         exclude: [national_id]
 *
 * Each test prints "PASS name" or "FAIL name: file:line: what differed". */
#ifndef DX_POLICY_TEST_H
#define DX_POLICY_TEST_H

#include "diag.h"
#include "policy.h"

#include <stdio.h>

/* Runs every test under dir/tests; malformed files go to diag. */
int dx_policy_run_tests(const dx_policy_t *p, const char *dir, FILE *out, int *passed,
                        int *failed, dx_diag_t *diag);

#endif
