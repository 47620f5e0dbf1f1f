/* dx-filter: runs libdx's field filter outside the broker, for the
 * differential tests (tests/differential/) and by hand.
 *
 *   dx-filter csv|jsonl include|exclude FIELD[,FIELD...] < in > out
 *       exit 0 with the view on stdout, or exit 1 with the error on stderr
 *
 *   dx-filter --batch < cases > results
 *       each case: "FORMAT MODE STEP NFIELDS LEN\n", NFIELDS lines of field
 *       names, then LEN bytes of content, pushed STEP bytes at a time;
 *       each result: "OK LEN\n" and LEN bytes of view, or "ERR LINE MESSAGE\n" */
#include "filter.h"
#include "policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 32
#define MAX_INPUT (64u << 20)

static int s_filter(int format, int mode, char **fields, size_t nfields, const uint8_t *in, size_t len,
                    size_t step, dx_buf_t *out, char *err, size_t errcap, unsigned long long *line)
{
    dx_filter_t *f = NULL;
    int rv = dx_filter_new(format, mode, fields, nfields, &f);
    if (rv != 0) {
        snprintf(err, errcap, "cannot make a filter");
        return rv;
    }
    for (size_t at = 0; rv == 0 && at < len; at += step)
        rv = dx_filter_push(f, in + at, len - at < step ? len - at : step, out);
    if (rv == 0)
        rv = dx_filter_finish(f, out);
    if (rv != 0) {
        snprintf(err, errcap, "%s", dx_filter_error(f));
        *line = dx_filter_error_line(f);
    }
    dx_filter_destroy(&f);
    return rv;
}

static int s_format(const char *s) { return !strcmp(s, "csv") ? DX_FORMAT_CSV : !strcmp(s, "jsonl") ? DX_FORMAT_JSONL : -1; }
static int s_mode(const char *s) { return !strcmp(s, "include") ? DX_FIELDS_INCLUDE : !strcmp(s, "exclude") ? DX_FIELDS_EXCLUDE : -1; }

static int s_batch(void)
{
    char head[256];
    while (fgets(head, sizeof head, stdin)) {
        char fmt[16], mode[16];
        size_t step, nfields, len;
        if (sscanf(head, "%15s %15s %zu %zu %zu", fmt, mode, &step, &nfields, &len) != 5 ||
            s_format(fmt) < 0 || s_mode(mode) < 0 || step == 0 || nfields > MAX_FIELDS || len > MAX_INPUT) {
            fprintf(stderr, "dx-filter: bad case header\n");
            return 2;
        }
        char *fields[MAX_FIELDS];
        for (size_t i = 0; i < nfields; i++) {
            char name[1100];
            if (!fgets(name, sizeof name, stdin))
                return 2;
            name[strcspn(name, "\n")] = '\0';
            fields[i] = strdup(name);
        }
        uint8_t *in = malloc(len ? len : 1);
        if (!in || fread(in, 1, len, stdin) != len)
            return 2;
        dx_buf_t out;
        dx_buf_init(&out, 2 * (size_t)MAX_INPUT);
        char err[512];
        unsigned long long line = 0;
        if (s_filter(s_format(fmt), s_mode(mode), fields, nfields, in, len, step, &out, err, sizeof err,
                     &line) == 0) {
            printf("OK %zu\n", out.len);
            if (out.len)
                fwrite(out.data, 1, out.len, stdout);
        } else {
            err[strcspn(err, "\n")] = '\0';
            printf("ERR %llu %s\n", line, err);
        }
        fflush(stdout);
        dx_buf_free(&out);
        free(in);
        for (size_t i = 0; i < nfields; i++)
            free(fields[i]);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--batch") == 0)
        return s_batch();
    if (argc != 4 || s_format(argv[1]) < 0 || s_mode(argv[2]) < 0) {
        fprintf(stderr, "usage: dx-filter csv|jsonl include|exclude FIELD[,FIELD...] < in > out\n"
                        "       dx-filter --batch < cases > results\n");
        return 2;
    }
    char *list = strdup(argv[3]), *fields[MAX_FIELDS], *save = NULL;
    size_t n = 0;
    for (char *t = strtok_r(list, ",", &save); t && n < MAX_FIELDS; t = strtok_r(NULL, ",", &save))
        fields[n++] = t;
    uint8_t *in = malloc(MAX_INPUT);
    size_t len = in ? fread(in, 1, MAX_INPUT, stdin) : 0;
    dx_buf_t out;
    dx_buf_init(&out, 2 * (size_t)MAX_INPUT);
    char err[512];
    unsigned long long line = 0;
    int rv = s_filter(s_format(argv[1]), s_mode(argv[2]), fields, n, in, len, 65536, &out, err,
                      sizeof err, &line);
    if (rv == 0 && out.len)
        fwrite(out.data, 1, out.len, stdout);
    else if (rv != 0)
        fprintf(stderr, "dx-filter: %s\n", err);
    dx_buf_free(&out);
    free(in);
    free(list);
    return rv == 0 ? 0 : 1;
}
