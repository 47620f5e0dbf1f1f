/* agents/admin_dcat: the open data catalogue's IRIs are only checked parts,
 * its literals escaped the same way in Turtle and JSON. */
#include "admin_dcat.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

static char *s_write(int turtle, const dcat_catalog_t *c, const dcat_version_t *v, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    int rv = turtle ? dcat_write_turtle(f, c, v, n) : dcat_write_jsonld(f, c, v, n);
    fclose(f);
    if (rv != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

TEST(iri_parts)
{
    CHECK(dx_iri_safe("https://creativecommons.org/licenses/by/4.0/"));
    CHECK(dx_iri_safe("text/csv"));
    CHECK(!dx_iri_safe(""));
    CHECK(!dx_iri_safe("https://x/a b"));
    CHECK(!dx_iri_safe("https://x/\">"));
    CHECK(!dx_iri_safe("https://x/<y>"));
    CHECK(!dx_iri_safe("https://x/{y}"));
    CHECK(!dx_iri_safe("https://x/'y'"));
    CHECK(!dx_iri_safe("https://x/\\y"));
}

TEST(literals_are_escaped_in_both)
{
    dcat_catalog_t c = { "http://127.0.0.1:8080/", "A \"quoted\" title\nwith a line", "back\\slash", "Office", 0 };
    dcat_version_t v;
    memset(&v, 0, sizeof v);
    snprintf(v.dataset, sizeof v.dataset, "a/open/x");
    v.version = 3;
    snprintf(v.publisher, sizeof v.publisher, "alpha");
    memset(v.sha256, 'a', 64);
    snprintf(v.media_type, sizeof v.media_type, "text/csv");
    snprintf(v.license, sizeof v.license, "https://creativecommons.org/licenses/by/4.0/");
    snprintf(v.ns, sizeof v.ns, "a/open/**");
    snprintf(v.file, sizeof v.file, "data/a/open/x/3/x.csv");
    for (int turtle = 0; turtle < 2; turtle++) {
        char *out = s_write(turtle, &c, &v, 1);
        CHECK(out != NULL);
        if (!out)
            continue;
        CHECK(strstr(out, "\"A \\\"quoted\\\" title\\u000Awith a line\""));
        CHECK(strstr(out, "\"back\\\\slash\""));
        CHECK(strstr(out, "http://127.0.0.1:8080/data/a/open/x/3/x.csv"));
        CHECK(strstr(out, "https://www.iana.org/assignments/media-types/text/csv"));
        CHECK(strstr(out, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
        CHECK(strstr(out, "checksumAlgorithm_sha256"));
        free(out);
    }
}

int main(void)
{
    RUN(iri_parts);
    RUN(literals_are_escaped_in_both);
    return TEST_EXIT();
}
