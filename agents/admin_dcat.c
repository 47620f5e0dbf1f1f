/* admin_dcat: DCAT-AP 3 in Turtle and JSON-LD (admin_dcat.h). */
#include "admin_dcat.h"
#include "dxtime.h"

#include <string.h>

#define MEDIA "https://www.iana.org/assignments/media-types/"

/* A string literal's body: Turtle's and JSON's escapes are the same for
 * what is escaped here (\\, \", control characters as \uXXXX). */
static void s_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04X", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void s_time(int64_t ms, char out[DX_TIME_TEXT])
{
    dx_time_format(ms, out);
}

static void s_description(const dcat_version_t *v, char *out, size_t cap)
{
    char t[DX_TIME_TEXT];
    s_time(v->published_ms, t);
    snprintf(out, cap, "Version %llu of %s, published by %s at %s through a dx data exchange, from the open "
             "namespace %s. Its publisher's signed manifest and the exchange's signed receipt are beside the "
             "data; README.txt says how to check them.", (unsigned long long)v->version, v->dataset,
             v->publisher, t, v->ns);
}

int dcat_write_turtle(FILE *f, const dcat_catalog_t *c, const dcat_version_t *v, size_t n)
{
    char t[DX_TIME_TEXT], desc[1200];
    fputs("@prefix dcat: <http://www.w3.org/ns/dcat#> .\n"
          "@prefix dct: <http://purl.org/dc/terms/> .\n"
          "@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n"
          "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
          "@prefix spdx: <http://spdx.org/rdf/terms#> .\n"
          "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\n", f);
    s_time(c->modified_ms, t);
    fprintf(f, "<%scatalog> a dcat:Catalog ;\n    dct:title ", c->base);
    s_str(f, c->title);
    fputs(" ;\n    dct:description ", f);
    s_str(f, c->description);
    fputs(" ;\n    dct:publisher [ a foaf:Agent ; foaf:name ", f);
    s_str(f, c->publisher);
    fprintf(f, " ] ;\n    dct:modified \"%s\"^^xsd:dateTime", t);
    for (size_t i = 0; i < n; i++)
        fprintf(f, " ;\n    dcat:dataset <%sdata/%s/>", c->base, v[i].dataset);
    fputs(" .\n", f);
    for (size_t i = 0; i < n; i++) {
        s_time(v[i].published_ms, t);
        s_description(&v[i], desc, sizeof desc);
        fprintf(f, "\n<%sdata/%s/> a dcat:Dataset ;\n    dct:identifier ", c->base, v[i].dataset);
        s_str(f, v[i].dataset);
        fputs(" ;\n    dct:title ", f);
        s_str(f, v[i].dataset);
        fputs(" ;\n    dct:description ", f);
        s_str(f, desc);
        fputs(" ;\n    dct:publisher [ a foaf:Agent ; foaf:name ", f);
        s_str(f, v[i].publisher);
        fprintf(f, " ] ;\n    dct:issued \"%s\"^^xsd:dateTime ;\n    dct:modified \"%s\"^^xsd:dateTime ;\n"
                   "    owl:versionInfo \"%llu\" ;\n    dcat:distribution <%s%s> .\n", t, t,
                (unsigned long long)v[i].version, c->base, v[i].file);
        fprintf(f, "\n<%s%s> a dcat:Distribution ;\n    dct:title ", c->base, v[i].file);
        s_str(f, v[i].file);
        fprintf(f, " ;\n    dcat:accessURL <%s%s> ;\n    dcat:downloadURL <%s%s> ;\n    dct:license <%s> ;\n"
                   "    dcat:mediaType <" MEDIA "%s> ;\n    dcat:byteSize \"%llu\"^^xsd:nonNegativeInteger ;\n"
                   "    dct:issued \"%s\"^^xsd:dateTime ;\n"
                   "    spdx:checksum [ a spdx:Checksum ; spdx:algorithm spdx:checksumAlgorithm_sha256 ;\n"
                   "        spdx:checksumValue \"%s\"^^xsd:hexBinary ] .\n",
                c->base, v[i].file, c->base, v[i].file, v[i].license, v[i].media_type,
                (unsigned long long)v[i].size, t, v[i].sha256);
    }
    return ferror(f) ? -1 : 0;
}

static void s_typed(FILE *f, const char *value, const char *type)
{
    fputs("{ \"@value\": ", f);
    s_str(f, value);
    fprintf(f, ", \"@type\": \"%s\" }", type);
}

int dcat_write_jsonld(FILE *f, const dcat_catalog_t *c, const dcat_version_t *v, size_t n)
{
    char t[DX_TIME_TEXT], desc[1200], num[32];
    fputs("{\n  \"@context\": {\n    \"dcat\": \"http://www.w3.org/ns/dcat#\",\n"
          "    \"dct\": \"http://purl.org/dc/terms/\",\n    \"foaf\": \"http://xmlns.com/foaf/0.1/\",\n"
          "    \"owl\": \"http://www.w3.org/2002/07/owl#\",\n    \"spdx\": \"http://spdx.org/rdf/terms#\",\n"
          "    \"xsd\": \"http://www.w3.org/2001/XMLSchema#\"\n  },\n  \"@graph\": [\n", f);
    s_time(c->modified_ms, t);
    fprintf(f, "    {\n      \"@id\": \"%scatalog\",\n      \"@type\": \"dcat:Catalog\",\n      \"dct:title\": ",
            c->base);
    s_str(f, c->title);
    fputs(",\n      \"dct:description\": ", f);
    s_str(f, c->description);
    fputs(",\n      \"dct:publisher\": { \"@type\": \"foaf:Agent\", \"foaf:name\": ", f);
    s_str(f, c->publisher);
    fputs(" },\n      \"dct:modified\": ", f);
    s_typed(f, t, "xsd:dateTime");
    fputs(",\n      \"dcat:dataset\": [", f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s{ \"@id\": \"%sdata/%s/\" }", i ? ", " : "", c->base, v[i].dataset);
    fputs("]\n    }", f);
    for (size_t i = 0; i < n; i++) {
        s_time(v[i].published_ms, t);
        s_description(&v[i], desc, sizeof desc);
        fprintf(f, ",\n    {\n      \"@id\": \"%sdata/%s/\",\n      \"@type\": \"dcat:Dataset\",\n"
                   "      \"dct:identifier\": ", c->base, v[i].dataset);
        s_str(f, v[i].dataset);
        fputs(",\n      \"dct:title\": ", f);
        s_str(f, v[i].dataset);
        fputs(",\n      \"dct:description\": ", f);
        s_str(f, desc);
        fputs(",\n      \"dct:publisher\": { \"@type\": \"foaf:Agent\", \"foaf:name\": ", f);
        s_str(f, v[i].publisher);
        fputs(" },\n      \"dct:issued\": ", f);
        s_typed(f, t, "xsd:dateTime");
        fputs(",\n      \"dct:modified\": ", f);
        s_typed(f, t, "xsd:dateTime");
        snprintf(num, sizeof num, "%llu", (unsigned long long)v[i].version);
        fputs(",\n      \"owl:versionInfo\": ", f);
        s_str(f, num);
        fprintf(f, ",\n      \"dcat:distribution\": { \"@id\": \"%s%s\" }\n    }", c->base, v[i].file);
        fprintf(f, ",\n    {\n      \"@id\": \"%s%s\",\n      \"@type\": \"dcat:Distribution\",\n      \"dct:title\": ",
                c->base, v[i].file);
        s_str(f, v[i].file);
        snprintf(num, sizeof num, "%llu", (unsigned long long)v[i].size);
        fprintf(f, ",\n      \"dcat:accessURL\": { \"@id\": \"%s%s\" },\n      \"dcat:downloadURL\": { \"@id\": \"%s%s\" },\n"
                   "      \"dct:license\": { \"@id\": \"%s\" },\n      \"dcat:mediaType\": { \"@id\": \"" MEDIA "%s\" },\n"
                   "      \"dcat:byteSize\": ", c->base, v[i].file, c->base, v[i].file, v[i].license,
                v[i].media_type);
        s_typed(f, num, "xsd:nonNegativeInteger");
        fputs(",\n      \"dct:issued\": ", f);
        s_typed(f, t, "xsd:dateTime");
        fputs(",\n      \"spdx:checksum\": {\n        \"@type\": \"spdx:Checksum\",\n"
              "        \"spdx:algorithm\": { \"@id\": \"spdx:checksumAlgorithm_sha256\" },\n"
              "        \"spdx:checksumValue\": ", f);
        s_typed(f, v[i].sha256, "xsd:hexBinary");
        fputs("\n      }\n    }", f);
    }
    fputs("\n  ]\n}\n", f);
    return ferror(f) ? -1 : 0;
}
