/* admin_opendata: dx-admin opendata export --out DIR --base-url URL
 * [--title T] [--description D] [--publisher NAME] (role admin).
 *
 * Asks the broker for the newest public version of every dataset in an
 * open namespace (recorded: event opendata), fetches each one not yet in
 * DIR as any read (recorded, under the pseudo-rule open-data), and writes
 * DIR as a web server can publish it:
 *
 *   data/NAME/V/FILE             the content, checked against its SHA-256
 *   data/NAME/V/manifest.pb, manifest.sig   the publisher's signed manifest
 *   data/NAME/V/receipt.pb, receipt.sig     the broker's signed receipt
 *   broker.pub, README.txt       the broker's key, and how to check
 *   catalog.ttl, catalog.jsonld  DCAT-AP 3, the same graph twice
 *   .dx-opendata                 what is there (the next export's start)
 *
 * Incremental: a version already there (same name, version and SHA-256)
 * is not fetched again; one no longer open, erased or replaced goes. */
#include "admin.h"
#include "admin_dcat.h"
#include "cli.h"
#include "crypto.h"
#include "dxtime.h"
#include "encode.h"
#include "fileio.h"
#include "keys.h"
#include "transfer.h"
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE ".dx-opendata"
#define MAX_VERSIONS 100000

typedef struct {
    dcat_version_t *v;
    size_t n, cap;
} versions_t;

static int s_push(versions_t *vs, dcat_version_t **out)
{
    if (vs->n == vs->cap) {
        size_t cap = vs->cap ? vs->cap * 2 : 64;
        if (cap > MAX_VERSIONS)
            return DX_ERR_TOO_BIG;
        dcat_version_t *v = realloc(vs->v, cap * sizeof *v);
        if (!v)
            return DX_ERR_NOMEM;
        vs->v = v;
        vs->cap = cap;
    }
    *out = &vs->v[vs->n++];
    memset(*out, 0, sizeof **out);
    return 0;
}

/* The file name of a version's content: its name's last segment, and an
 * extension a browser and a portal understand. */
static void s_file(const char *dataset, uint64_t version, const char *type, char *out, size_t cap)
{
    const char *base = strrchr(dataset, '/');
    base = base ? base + 1 : dataset;
    const char *ext = strcmp(type, "text/csv") == 0 ? "csv"
                      : strstr(type, "json") ? "jsonl"
                      : strncmp(type, "text/", 5) == 0 ? "txt" : "bin";
    snprintf(out, cap, "data/%s/%" PRIu64 "/%s.%s", dataset, version, base, ext);
}

/* The previous export's list: "NAME VERSION SHA256 FILE" per line. A file
 * that does not read as one is ignored (everything is fetched again). */
static void s_load_state(const char *dir, versions_t *old)
{
    char path[DX_PATH_MAX + 32], line[1024];
    snprintf(path, sizeof path, "%s/" STATE, dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        dcat_version_t *v;
        char name[DX_NAME_MAX + 1], sha[65], file[DX_NAME_MAX + 64];
        uint64_t version;
        if (sscanf(line, "%200s %" SCNu64 " %64s %263s", name, &version, sha, file) != 4 ||
            !dx_dataset_name_valid(name) || strlen(sha) != 64 || strncmp(file, "data/", 5) != 0 ||
            strstr(file, "..") || s_push(old, &v) != 0) {
            old->n = 0;
            break;
        }
        snprintf(v->dataset, sizeof v->dataset, "%s", name);
        v->version = version;
        snprintf(v->sha256, sizeof v->sha256, "%s", sha);
        snprintf(v->file, sizeof v->file, "%s", file);
    }
    fclose(f);
}

static const dcat_version_t *s_find(const versions_t *vs, const dcat_version_t *v)
{
    for (size_t i = 0; i < vs->n; i++)
        if (strcmp(vs->v[i].dataset, v->dataset) == 0 && vs->v[i].version == v->version &&
            strcmp(vs->v[i].sha256, v->sha256) == 0 && strcmp(vs->v[i].file, v->file) == 0)
            return &vs->v[i];
    return NULL;
}

static int s_write(const char *dir, const char *rel, const char *name, const void *data, size_t len,
                   char err[DX_ERRMSG])
{
    char path[DX_PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/%s%s%s", dir, rel, *rel ? "/" : "", name);
    int rv = dx_write_atomic(path, data, len, 0644);
    if (rv != 0)
        snprintf(err, DX_ERRMSG, "cannot write %s: %s", path, dx_strerror(rv));
    return rv;
}

/* SHA-256 of a file, as hex. */
static int s_file_sha(const char *path, char hex[65])
{
    uint8_t sha[DX_SHA256_LEN];
    uint64_t size = 0;
    char err[DX_ERRMSG];
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return DX_ERR_NOT_FOUND;
    int rv = dx_hash_fd(fd, sha, &size, err);
    close(fd);
    if (rv == 0)
        dx_hex_encode(sha, sizeof sha, hex);
    return rv;
}

/* One version into DIR: its content fetched (open-data), checked, and the
 * files a reader checks it with. */
static int s_export_one(dx_client_t *c, const dx_pubkeys_t *broker, const char *dir, const Dx__OpenVersion *ov,
                        const dcat_version_t *v, char err[DX_ERRMSG])
{
    char vdir[DX_PATH_MAX * 2], rel[DX_NAME_MAX + 64], tmp[DX_PATH_MAX * 2 + 16], final[DX_PATH_MAX * 2], hex[65];
    snprintf(rel, sizeof rel, "data/%s/%" PRIu64, v->dataset, v->version);
    snprintf(vdir, sizeof vdir, "%s/%s", dir, rel);
    int rv = dx_mkdirs(vdir, 0755);
    if (rv != 0) {
        snprintf(err, DX_ERRMSG, "cannot make %s: %s", vdir, dx_strerror(rv));
        return rv;
    }
    snprintf(final, sizeof final, "%s/%s", dir, v->file);
    snprintf(tmp, sizeof tmp, "%s.part", final);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        snprintf(err, DX_ERRMSG, "cannot write %s: %s", tmp, strerror(errno));
        return DX_ERR_IO;
    }
    dx_fetch_result_t res;
    rv = dx_fetch(c, broker, v->dataset, v->version, "open-data", fd, &res, err);
    if (rv == 0 && fsync(fd) != 0) {
        snprintf(err, DX_ERRMSG, "cannot write %s: %s", tmp, strerror(errno));
        rv = DX_ERR_IO;
    }
    close(fd);
    /* what was fetched is what the manifest names, whole */
    if (rv == 0 && (res.filtered || (rv = s_file_sha(tmp, hex)) != 0 || strcmp(hex, v->sha256) != 0)) {
        snprintf(err, DX_ERRMSG, "%s@%" PRIu64 " did not arrive whole, as its manifest names it: not exported",
                 v->dataset, v->version);
        rv = DX_ERR_INTEGRITY;
    }
    if (rv == 0 && rename(tmp, final) != 0) {
        snprintf(err, DX_ERRMSG, "cannot rename %s: %s", tmp, strerror(errno));
        rv = DX_ERR_IO;
    }
    if (rv != 0) {
        unlink(tmp);
        return rv;
    }
    char pub[160], b64[64];
    dx_base64_encode(ov->publisher_key.data, ov->publisher_key.len, b64);
    int n = snprintf(pub, sizeof pub, "# %s's signing key, as the broker's receipt names it\nsign_key: \"ed25519:%s\"\n",
                     v->publisher, b64);
    if ((rv = s_write(dir, rel, "manifest.pb", ov->manifest.data, ov->manifest.len, err)) != 0 ||
        (rv = s_write(dir, rel, "manifest.sig", ov->manifest_sig.data, ov->manifest_sig.len, err)) != 0 ||
        (rv = s_write(dir, rel, "receipt.pb", ov->receipt->body.data, ov->receipt->body.len, err)) != 0 ||
        (rv = s_write(dir, rel, "receipt.sig", ov->receipt->signature.data, ov->receipt->signature.len, err)) != 0 ||
        (rv = s_write(dir, rel, "publisher.pub", pub, (size_t)n, err)) != 0)
        return rv;
    return 0;
}

/* A version no longer exported: its files and the directories left empty. */
static void s_remove(const char *dir, const dcat_version_t *v)
{
    static const char *files[] = { "manifest.pb", "manifest.sig", "receipt.pb", "receipt.sig", "publisher.pub" };
    char path[DX_PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/%s", dir, v->file);
    unlink(path);
    char *slash = strrchr(path, '/');
    for (size_t i = 0; slash && i < sizeof files / sizeof files[0]; i++) {
        snprintf(slash + 1, sizeof path - (size_t)(slash + 1 - path), "%s", files[i]);
        unlink(path);
    }
    /* up to data/, each directory that is now empty */
    size_t stop = strlen(dir) + strlen("/data");
    while (slash && (size_t)(slash - path) > stop) {
        *slash = '\0';
        if (rmdir(path) != 0)
            break;
        slash = strrchr(path, '/');
    }
}

static const char s_readme[] =
    "Open data published from a dx data exchange.\n\n"
    "catalog.ttl and catalog.jsonld describe every dataset here in DCAT-AP 3 (the\n"
    "same graph twice); a portal (CKAN with ckanext-dcat, data.europa.eu) can\n"
    "harvest either.\n\n"
    "Each version, in data/NAME/VERSION/, can be checked without dx:\n"
    "  1. receipt.sig is the exchange's Ed25519 signature, by the key in broker.pub\n"
    "     (sign_key), over the bytes \"dx-receipt-v1\", one zero byte, then receipt.pb.\n"
    "  2. receipt.pb (protobuf dx.Receipt) names the dataset, version, the content's\n"
    "     SHA-256 (field 3), the SHA-256 of manifest.pb (field 8) and the publisher's\n"
    "     signing key (field 9, also in publisher.pub).\n"
    "  3. manifest.sig is the publisher's Ed25519 signature, by that key, over\n"
    "     \"dx-manifest-v1\", one zero byte, then manifest.pb.\n"
    "  4. The data file's SHA-256 is the one both name (and the catalogue's\n"
    "     spdx:checksum).\n";

int admin_opendata(int argc, char **argv)
{
    static const struct option opts[] = { DX_CLI_OPTIONS, { "out", required_argument, NULL, 'O' },
                                          { "base-url", required_argument, NULL, 'B' },
                                          { "title", required_argument, NULL, 'T' },
                                          { "description", required_argument, NULL, 'D' },
                                          { "publisher", required_argument, NULL, 'P' },
                                          { NULL, 0, NULL, 0 } };
    dx_cli_conn_t conn;
    const char *dir = NULL, *base = NULL;
    dcat_catalog_t cat = { .title = "Open data", .publisher = "The data office",
                           .description = "Open datasets published through the data exchange, each with "
                                          "its publisher's signed manifest and the exchange's signed receipt." };
    memset(&conn, 0, sizeof conn);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'O')
            dir = optarg;
        else if (c == 'B')
            base = optarg;
        else if (c == 'T')
            cat.title = optarg;
        else if (c == 'D')
            cat.description = optarg;
        else if (c == 'P')
            cat.publisher = optarg;
        else if (dx_cli_option(&conn, c, optarg, admin_prog) <= 0)
            return admin_usage(stderr, 2);
    }
    if (optind != argc || !dir || !base)
        return admin_usage(stderr, 2);
    size_t bl = strlen(base);
    if ((strncmp(base, "https://", 8) != 0 && strncmp(base, "http://", 7) != 0) || base[bl - 1] != '/' ||
        !dx_iri_safe(base) || bl > 400) {
        fprintf(stderr, "%s: --base-url: the http(s) URL DIR will be served at, ending with '/', without "
                "spaces, quotes or <> (not '%.100s')\n", admin_prog, base);
        return 2;
    }
    cat.base = base;
    cat.modified_ms = dx_now_ms();
    char err[DX_ERRMSG];
    dx_keypair_t me;
    dx_pubkeys_t broker;
    dx_client_t *client = NULL;
    versions_t now = { 0 }, old = { 0 };
    Dx__Reply **pages = NULL;
    size_t npages = 0, fetched = 0, kept = 0, removed = 0;
    int rv = dx_mkdirs(dir, 0755);
    if (rv != 0) {
        snprintf(err, sizeof err, "cannot make %s: %s", dir, dx_strerror(rv));
        return dx_cli_fail(admin_prog, rv, err);
    }
    s_load_state(dir, &old);
    if ((rv = dx_cli_open(&conn, &me, &broker, &client, err)) != 0)
        goto out;
    /* every page first: the catalogue is of one moment */
    char after[DX_NAME_MAX + 1] = "";
    for (;;) {
        Dx__Request req = DX__REQUEST__INIT;
        Dx__OpenDataRequest od = DX__OPEN_DATA_REQUEST__INIT;
        Dx__Reply *reply = NULL;
        od.after = after;
        req.body_case = DX__REQUEST__BODY_OPEN_DATA;
        req.open_data = &od;
        if ((rv = dx_client_call(client, &req, &reply, err)) != 0)
            goto out;
        if (reply->body_case != DX__REPLY__BODY_OPEN_DATA) {
            wire_reply_free(&reply);
            rv = DX_ERR_PROTOCOL;
            snprintf(err, sizeof err, "unexpected reply from the broker");
            goto out;
        }
        Dx__Reply **p = realloc(pages, (npages + 1) * sizeof *pages);
        if (!p) {
            wire_reply_free(&reply);
            rv = DX_ERR_NOMEM;
            goto out;
        }
        pages = p;
        pages[npages++] = reply;
        if (!reply->open_data->next_after[0])
            break;
        snprintf(after, sizeof after, "%s", reply->open_data->next_after);
    }
    for (size_t i = 0; i < npages; i++) {
        for (size_t k = 0; k < pages[i]->open_data->n_versions; k++) {
            const Dx__OpenVersion *ov = pages[i]->open_data->versions[k];
            dcat_version_t *v;
            /* what goes into IRIs as it is must be fit for them */
            if (!dx_iri_safe(ov->license) || !dx_iri_safe(ov->content_type) || strchr(ov->content_type, ';')) {
                fprintf(stderr, "%s: %s@%" PRIu64 ": a licence or media type unfit for the catalogue: left out\n",
                        admin_prog, ov->dataset, ov->version);
                continue;
            }
            if ((rv = s_push(&now, &v)) != 0)
                goto out;
            snprintf(v->dataset, sizeof v->dataset, "%s", ov->dataset);
            v->version = ov->version;
            snprintf(v->publisher, sizeof v->publisher, "%s", ov->publisher);
            dx_hex_encode(ov->sha256.data, DX_SHA256_LEN, v->sha256);
            v->size = ov->size;
            snprintf(v->media_type, sizeof v->media_type, "%s", ov->content_type);
            v->published_ms = ov->published_ms;
            snprintf(v->license, sizeof v->license, "%s", ov->license);
            snprintf(v->ns, sizeof v->ns, "%s", ov->namespace_);
            s_file(v->dataset, v->version, v->media_type, v->file, sizeof v->file);
            char path[DX_PATH_MAX * 2], hex[65];
            snprintf(path, sizeof path, "%s/%s", dir, v->file);
            /* there already, and still what it was */
            if (s_find(&old, v) && s_file_sha(path, hex) == 0 && strcmp(hex, v->sha256) == 0) {
                kept++;
                continue;
            }
            if ((rv = s_export_one(client, &broker, dir, ov, v, err)) != 0)
                goto out;
            fetched++;
        }
    }
    for (size_t i = 0; i < old.n; i++) {
        bool still = false;
        for (size_t k = 0; k < now.n && !still; k++)
            still = strcmp(now.v[k].file, old.v[i].file) == 0;
        if (!still) {
            s_remove(dir, &old.v[i]);
            removed++;
        }
    }
    /* the catalogue, the key, the state: each replaced whole */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = NULL;
    const char *names[2] = { "catalog.ttl", "catalog.jsonld" };
    for (int k = 0; k < 2 && rv == 0; k++) {
        if (!(f = open_memstream(&buf, &len))) {
            rv = DX_ERR_NOMEM;
            break;
        }
        rv = (k == 0 ? dcat_write_turtle : dcat_write_jsonld)(f, &cat, now.v, now.n);
        fclose(f);
        if (rv == 0)
            rv = s_write(dir, "", names[k], buf, len, err);
        else
            snprintf(err, sizeof err, "out of memory writing the catalogue");
        free(buf);
        buf = NULL;
    }
    /* the broker's public key file, as this command was given it */
    char pubtext[4096];
    size_t n = 0;
    FILE *pf = rv == 0 ? fopen(conn.broker_pub, "r") : NULL;
    if (pf) {
        n = fread(pubtext, 1, sizeof pubtext, pf);
        fclose(pf);
    }
    if (rv == 0 && (n == 0 || n == sizeof pubtext)) {
        snprintf(err, sizeof err, "cannot read %s", conn.broker_pub);
        rv = DX_ERR_IO;
    }
    if (rv == 0 && (rv = s_write(dir, "", "broker.pub", pubtext, n, err)) == 0)
        rv = s_write(dir, "", "README.txt", s_readme, sizeof s_readme - 1, err);
    if (rv == 0 && (f = open_memstream(&buf, &len)) != NULL) {
        for (size_t i = 0; i < now.n; i++)
            fprintf(f, "%s %" PRIu64 " %s %s\n", now.v[i].dataset, now.v[i].version, now.v[i].sha256, now.v[i].file);
        fclose(f);
        rv = s_write(dir, "", STATE, buf, len, err);
        free(buf);
    }
    if (rv == 0)
        printf("exported %zu open versions into %s: %zu fetched, %zu unchanged, %zu removed; catalogue "
               "%s/catalog.ttl and %s/catalog.jsonld, for %s\n", now.n, dir, fetched, kept, removed, dir, dir, base);
out:
    for (size_t i = 0; i < npages; i++)
        wire_reply_free(&pages[i]);
    free(pages);
    free(now.v);
    free(old.v);
    dx_client_destroy(&client);
    dx_keypair_wipe(&me);
    return rv == 0 ? 0 : dx_cli_fail(admin_prog, rv, err);
}
