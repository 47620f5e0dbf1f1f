/* names: validation and glob matching for ids and dataset names.
 *
 * Matching works on segments with a dynamic-programming table, so a pattern
 * with several "**" costs O(segments^2), never exponential time. */
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

/* Wildcard match of one segment: '*' matches any run of characters. */
static bool s_segment_match(const char *p, size_t plen, const char *s, size_t slen)
{
    size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;
    while (si < slen) {
        if (pi < plen && p[pi] == '*') {
            star = pi++;
            mark = si;
        } else if (pi < plen && p[pi] == s[si]) {
            pi++;
            si++;
        } else if (star != (size_t)-1) {
            pi = star + 1;
            si = ++mark;
        } else {
            return false;
        }
    }
    while (pi < plen && p[pi] == '*')
        pi++;
    return pi == plen;
}

bool dx_glob_match(const char *glob, const char *name)
{
    const char *pseg[DX_SEGMENTS_MAX], *nseg[DX_SEGMENTS_MAX];
    size_t plen[DX_SEGMENTS_MAX], nlen[DX_SEGMENTS_MAX];
    int m = s_split(glob, pseg, plen), k = s_split(name, nseg, nlen);
    if (m < 0 || k < 0)
        return false;
    /* dp[i][j]: the first i pattern segments match the first j name segments. */
    bool dp[DX_SEGMENTS_MAX + 1][DX_SEGMENTS_MAX + 1];
    memset(dp, 0, sizeof dp);
    dp[0][0] = true;
    for (int i = 1; i <= m; i++) {
        bool any = plen[i - 1] == 2 && memcmp(pseg[i - 1], "**", 2) == 0;
        for (int j = 0; j <= k; j++) {
            if (any)
                dp[i][j] = dp[i - 1][j] || (j > 0 && dp[i][j - 1]);
            else
                dp[i][j] = j > 0 && dp[i - 1][j - 1] &&
                           s_segment_match(pseg[i - 1], plen[i - 1], nseg[j - 1], nlen[j - 1]);
        }
    }
    return dp[m][k];
}
