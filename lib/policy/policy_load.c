/* policy_load: a directory (or buffers) of YAML policy files: each file
 * parsed and hashed, its tree read by policy_schema, then the merged set
 * cross-checked by policy_check and compiled. Checking goes on after an
 * error so that one run reports every problem. */
#include "policy_load.h"
#include "dxtime.h"
#include "fileio.h"
#include "policy_check.h"
#include "policy_schema.h"
#include "ytree.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- files ---- */

static int s_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void s_hash_file(loader_t *L, const char *name, const char *data, size_t len)
{
    uint8_t n[8];
    for (int i = 0; i < 8; i++)
        n[i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
    dx_sha256_update(L->hash, name, strlen(name) + 1);
    dx_sha256_update(L->hash, n, sizeof n);
    dx_sha256_update(L->hash, data, len);
    if (dx_buf_append(&L->archive, name, strlen(name) + 1) != 0 ||
        dx_buf_append(&L->archive, n, sizeof n) != 0 || dx_buf_append(&L->archive, data, len) != 0)
        L->archive_failed = true;
}

#define s_err_file(diag, file, ...) dx_diag_add((diag), true, (file), 1, 1, __VA_ARGS__)

static int s_begin(loader_t *L, dx_diag_t *diag)
{
    memset(L, 0, sizeof *L);
    memset(diag, 0, sizeof *diag);
    L->diag = diag;
    dx_buf_init(&L->archive, (size_t)DX_POLICY_MAX_FILES * (YT_MAX_FILE + 300));
    if (!(L->p = calloc(1, sizeof *L->p)) || dx_sha256_new(&L->hash) != 0)
        return DX_ERR_NOMEM;
    return 0;
}

/* One file's bytes, under the path its errors will name. */
static void s_add(loader_t *L, const char *path, const char *name, const char *data, size_t len)
{
    yt_node_t *root = NULL;
    yt_error_t yerr;
    char **files = realloc(L->files, (L->nfiles + 1) * sizeof *files);
    if (!files || !(files[L->nfiles] = strdup(path))) {
        L->files = files ? files : L->files;
        s_err_file(L->diag, path, "out of memory");
        return;
    }
    L->files = files;
    L->file = files[L->nfiles++];
    s_hash_file(L, name, data, len);
    if (yt_parse_buffer(data, len, &root, &yerr) != 0) {
        yt_node_t at = { .line = yerr.line, .col = yerr.col };
        policy_schema_err(L, &at, "%s", yerr.msg);
    } else {
        policy_schema_file(L, root);
    }
    yt_free(&root);
}

/* Cross-checks the merged set, and frees the loader. */
static int s_finish(loader_t *L, const char *label, dx_policy_t **out)
{
    dx_diag_t *diag = L->diag;
    int rv = DX_ERR_POLICY;
    L->file = label;
    if (L->p && L->hash) {
        if (dx_policy_compile(L->p) != 0) {
            s_err_file(diag, label, "out of memory while indexing the policy set");
        } else {
            dx_policy_where_t w = { L->member_at, L->ns_at, L->rule_member_at, L->broken, L->nbroken };
            dx_policy_check(L->p, &w, dx_now_ms(), diag);
        }
        if (dx_sha256_final(L->hash, L->p->sha256) != 0) {
            s_err_file(diag, label, "cannot hash the policy set");
        } else {
            memcpy(diag->sha256, L->p->sha256, sizeof diag->sha256);
            diag->hashed = true;
        }
        if (L->archive_failed)
            s_err_file(diag, label, "out of memory while keeping the policy files");
        if (diag->errors == 0) {
            L->p->archive = L->archive.data;
            L->p->archive_len = L->archive.len;
            dx_buf_init(&L->archive, 0); /* the set owns the bytes now */
            *out = L->p;
            L->p = NULL;
            rv = 0;
        }
    } else {
        rv = DX_ERR_NOMEM;
    }
    for (size_t i = 0; i < L->nfiles; i++)
        free(L->files[i]);
    free(L->files);
    for (size_t i = 0; i < L->nbroken; i++)
        free(L->broken[i]);
    free(L->broken);
    free(L->member_at);
    free(L->ns_at);
    free(L->rule_member_at);
    dx_policy_free(&L->p);
    dx_sha256_destroy(&L->hash);
    dx_buf_free(&L->archive);
    return rv;
}

int dx_policy_load_buffers(const dx_policy_file_t *files, size_t n, const char *label, dx_policy_t **out,
                           dx_diag_t *diag)
{
    loader_t L;
    *out = NULL;
    if (s_begin(&L, diag) == 0)
        for (size_t i = 0; i < n; i++)
            s_add(&L, files[i].name, files[i].name, files[i].data, files[i].len);
    return s_finish(&L, label, out);
}

int dx_policy_load(const char *dir, dx_policy_t **out, dx_diag_t *diag)
{
    loader_t L;
    char **names = NULL;
    size_t nnames = 0;
    *out = NULL;
    memset(diag, 0, sizeof *diag);
    DIR *d = opendir(dir);
    if (!d) {
        s_err_file(diag, dir, "cannot read policy directory: %s", strerror(errno));
        return DX_ERR_POLICY;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0 || e->d_name[0] == '.')
            continue;
        if (nnames == DX_POLICY_MAX_FILES) {
            s_err_file(diag, dir, "more than %d policy files", DX_POLICY_MAX_FILES);
            break;
        }
        char **nn = realloc(names, (nnames + 1) * sizeof *nn);
        if (!nn || !(nn[nnames] = strdup(e->d_name))) {
            names = nn ? nn : names;
            s_err_file(diag, dir, "out of memory");
            break;
        }
        names = nn;
        nnames++;
    }
    closedir(d);
    int rv = DX_ERR_POLICY;
    if (!diag->errors && nnames == 0)
        s_err_file(diag, dir, "no *.yaml policy files in the directory");
    if (diag->errors)
        goto out;
    qsort(names, nnames, sizeof *names, s_name_cmp);
    if (s_begin(&L, diag) == 0) {
        for (size_t i = 0; i < nnames; i++) {
            char path[4096], *data = NULL;
            size_t len = 0;
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            int r = dx_read_small_file(path, YT_MAX_FILE, &data, &len);
            if (r != 0) {
                s_err_file(diag, path, "cannot read the file: %s",
                           r == DX_ERR_TOO_BIG ? "larger than 1 MiB" : dx_strerror(r));
                continue;
            }
            s_add(&L, path, names[i], data, len);
            free(data);
        }
    }
    rv = s_finish(&L, dir, out);
out:
    for (size_t i = 0; i < nnames; i++)
        free(names[i]);
    free(names);
    return rv;
}
