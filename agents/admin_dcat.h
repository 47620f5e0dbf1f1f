/* admin_dcat: the open data catalogue of dx-admin opendata export, in
 * DCAT-AP 3, written twice: JSON-LD and Turtle, the same graph (python3
 * rdflib finds them isomorphic in tests/integration/opendata.sh). Every
 * IRI is made of checked parts (the base URL, dataset names, licences,
 * media types); every literal is escaped. */
#ifndef DX_ADMIN_DCAT_H
#define DX_ADMIN_DCAT_H

#include "names.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
    char dataset[DX_NAME_MAX + 1];
    uint64_t version;
    char publisher[64];
    char sha256[65];             /* hex */
    uint64_t size;
    char media_type[129];
    int64_t published_ms;
    char license[301];
    char ns[DX_NAME_MAX + 1];    /* the open namespace */
    char file[DX_NAME_MAX + 64]; /* the distribution, relative to the base: data/NAME/V/FILE */
} dcat_version_t;

typedef struct {
    const char *base;            /* ends with '/' */
    const char *title, *description, *publisher;
    int64_t modified_ms;
} dcat_catalog_t;

int dcat_write_turtle(FILE *f, const dcat_catalog_t *c, const dcat_version_t *v, size_t n);
int dcat_write_jsonld(FILE *f, const dcat_catalog_t *c, const dcat_version_t *v, size_t n);

#endif
