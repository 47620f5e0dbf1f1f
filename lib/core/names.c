/* names: validation and glob matching for ids and dataset names.
 *
 * Matching lives in glob.c. */
#include "names.h"

#include <string.h>

static bool s_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool dx_id_valid(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > DX_ID_MAX || !(id[0] >= 'a' && id[0] <= 'z'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') || id[i] == '-'))
            return false;
    return true;
}

bool dx_token_valid(const char *token)
{
    size_t n = token ? strlen(token) : 0;
    if (n == 0 || n > DX_PURPOSE_MAX || token[0] == '.' || token[0] == '_' || token[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!s_name_char(token[i]))
            return false;
    return true;
}

bool dx_iri_safe(const char *s)
{
    if (!s || !*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr("-._~:/?#[]@!$&()*+,;=%", *s)))
            return false;
    return true;
}

/* Splits s on '/' into at most DX_SEGMENTS_MAX (start, length) pairs. */
static int s_split(const char *s, const char *seg[], size_t len[])
{
    int n = 0;
    const char *p = s;
    for (;;) {
        if (n == DX_SEGMENTS_MAX)
            return -1;
        const char *slash = strchr(p, '/');
        seg[n] = p;
        len[n] = slash ? (size_t)(slash - p) : strlen(p);
        n++;
        if (!slash)
            return n;
        p = slash + 1;
    }
}

static bool s_names(const char *s, bool glob)
{
    const char *seg[DX_SEGMENTS_MAX];
    size_t len[DX_SEGMENTS_MAX];
    if (!s || strlen(s) == 0 || strlen(s) > DX_NAME_MAX)
        return false;
    int n = s_split(s, seg, len);
    if (n < 0)
        return false;
    for (int i = 0; i < n; i++) {
        if (len[i] == 0)
            return false;
        if (glob && len[i] == 2 && seg[i][0] == '*' && seg[i][1] == '*')
            continue;
        for (size_t j = 0; j < len[i]; j++) {
            char c = seg[i][j];
            if (glob && c == '*') {
                if (j + 1 < len[i] && seg[i][j + 1] == '*')
                    return false; /* "**" only as a whole segment */
                continue;
            }
            if (!s_name_char(c))
                return false;
            if (j == 0 && (c == '.' || c == '_' || c == '-'))
                return false;
        }
    }
    return true;
}

bool dx_dataset_name_valid(const char *name) { return s_names(name, false); }
bool dx_glob_valid(const char *glob) { return s_names(glob, true); }
