/* glob: compiled dataset globs. Every question is answered with a table
 * over (segment, segment) or (character, character) positions, so no
 * pattern can make it take exponential time. */
#include "glob.h"

#include <string.h>

bool dx_name_split(const char *name, dx_name_t *out)
{
    out->n = 0;
    if (!dx_dataset_name_valid(name))
        return false;
    const char *p = name;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        out->segs[out->n] = p;
        out->lens[out->n] = (uint8_t)len;
        out->n++;
        if (!slash)
            return true;
        p = slash + 1;
    }
}

bool dx_cglob_compile(const char *glob, dx_cglob_t *out)
{
    memset(out, 0, sizeof *out);
    if (!dx_glob_valid(glob))
        return false;
    const char *p = glob;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        dx_seg_t *s = &out->segs[out->n++];
        s->text = p;
        s->len = (uint8_t)len;
        if (len == 2 && p[0] == '*' && p[1] == '*') {
            s->kind = SEG_ANY;
            out->has_any = true;
        } else {
            s->kind = memchr(p, '*', len) ? SEG_WILD : SEG_LIT;
        }
        if (!slash)
            return true;
        p = slash + 1;
    }
}

/* Wildcard match of one segment: '*' in p matches any run of s. A '*' in s
 * is an ordinary character here (which is what covering needs). */
static bool s_seg_match(const char *p, size_t plen, const char *s, size_t slen)
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

static bool s_seg_matches(const dx_seg_t *g, const char *s, size_t len)
{
    if (g->kind == SEG_LIT)
        return g->len == len && memcmp(g->text, s, len) == 0;
    return s_seg_match(g->text, g->len, s, len);
}

bool dx_cglob_match(const dx_cglob_t *g, const dx_name_t *name)
{
    if (!g->has_any) {
        if (g->n != name->n)
            return false;
        for (uint8_t i = 0; i < g->n; i++)
            if (!s_seg_matches(&g->segs[i], name->segs[i], name->lens[i]))
                return false;
        return true;
    }
    /* dp[j]: the first i glob segments match the first j name segments */
    bool dp[DX_SEGMENTS_MAX + 1], next[DX_SEGMENTS_MAX + 1];
    memset(dp, 0, sizeof dp);
    dp[0] = true;
    for (uint8_t i = 0; i < g->n; i++) {
        const dx_seg_t *s = &g->segs[i];
        memset(next, 0, sizeof next);
        for (uint8_t j = 0; j <= name->n; j++) {
            if (s->kind == SEG_ANY)
                next[j] = dp[j] || (j > 0 && next[j - 1]);
            else
                next[j] = j > 0 && dp[j - 1] && s_seg_matches(s, name->segs[j - 1], name->lens[j - 1]);
        }
        memcpy(dp, next, sizeof dp);
    }
    return dp[name->n];
}

/* Do two segment patterns share a (non-empty) string? A product automaton
 * over positions: literals must agree, a '*' may absorb the other side's
 * characters. */
static bool s_seg_overlap(const dx_seg_t *a, const dx_seg_t *b)
{
    bool reach[256 + 1][256 + 1];
    size_t n = a->len, m = b->len;
    memset(reach, 0, sizeof reach);
    reach[0][0] = true;
    for (size_t i = 0; i <= n; i++) {
        for (size_t j = 0; j <= m; j++) {
            if (!reach[i][j])
                continue;
            bool as = i < n && a->text[i] == '*', bs = j < m && b->text[j] == '*';
            if (as)
                reach[i + 1][j] = true;               /* star matches nothing more */
            if (bs)
                reach[i][j + 1] = true;
            if (as && j < m && !bs)
                reach[i][j + 1] = true;               /* a's star eats b's literal */
            if (bs && i < n && !as)
                reach[i + 1][j] = true;
            if (i < n && j < m && !as && !bs && a->text[i] == b->text[j])
                reach[i + 1][j + 1] = true;
        }
    }
    return reach[n][m];
}

bool dx_cglob_overlap(const dx_cglob_t *a, const dx_cglob_t *b)
{
    bool reach[DX_SEGMENTS_MAX + 1][DX_SEGMENTS_MAX + 1];
    memset(reach, 0, sizeof reach);
    reach[0][0] = true;
    for (uint8_t i = 0; i <= a->n; i++) {
        for (uint8_t j = 0; j <= b->n; j++) {
            if (!reach[i][j])
                continue;
            bool aa = i < a->n && a->segs[i].kind == SEG_ANY;
            bool ba = j < b->n && b->segs[j].kind == SEG_ANY;
            if (aa)
                reach[i + 1][j] = true;
            if (ba)
                reach[i][j + 1] = true;
            if (aa && j < b->n && !ba)
                reach[i][j + 1] = true;
            if (ba && i < a->n && !aa)
                reach[i + 1][j] = true;
            if (i < a->n && j < b->n && !aa && !ba && s_seg_overlap(&a->segs[i], &b->segs[j]))
                reach[i + 1][j + 1] = true;
        }
    }
    return reach[a->n][b->n];
}

/* inner's segment inside outer's: outer matches inner's text with inner's
 * '*' taken literally, so each of inner's stars lies under one of outer's. */
static bool s_seg_covers(const dx_seg_t *outer, const dx_seg_t *inner)
{
    if (inner->kind == SEG_LIT)
        return s_seg_matches(outer, inner->text, inner->len);
    return outer->kind != SEG_LIT && s_seg_match(outer->text, outer->len, inner->text, inner->len);
}

bool dx_cglob_covers(const dx_cglob_t *outer, const dx_cglob_t *inner)
{
    /* dp[i][j]: outer's first i segments cover inner's first j */
    bool dp[DX_SEGMENTS_MAX + 1][DX_SEGMENTS_MAX + 1];
    memset(dp, 0, sizeof dp);
    dp[0][0] = true;
    for (uint8_t i = 1; i <= outer->n; i++) {
        const dx_seg_t *o = &outer->segs[i - 1];
        for (uint8_t j = 0; j <= inner->n; j++) {
            if (o->kind == SEG_ANY)
                dp[i][j] = dp[i - 1][j] || (j > 0 && dp[i][j - 1]);
            else
                dp[i][j] = j > 0 && dp[i - 1][j - 1] && inner->segs[j - 1].kind != SEG_ANY &&
                           s_seg_covers(o, &inner->segs[j - 1]);
        }
    }
    return dp[outer->n][inner->n];
}

bool dx_glob_match(const char *glob, const char *name)
{
    dx_cglob_t g;
    dx_name_t n;
    return dx_cglob_compile(glob, &g) && dx_name_split(name, &n) && dx_cglob_match(&g, &n);
}

/* Two bits from one hash of the first segment (a tiny Bloom filter). */
static uint64_t s_first_bits(const char *text, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)text[i]) * 1099511628211ULL;
    return (1ULL << (h & 63)) | (1ULL << ((h >> 6) & 63));
}

uint64_t dx_cglob_bits(const dx_cglob_t *g)
{
    if (g->n == 0 || g->segs[0].kind != SEG_LIT)
        return ~0ULL;
    return s_first_bits(g->segs[0].text, g->segs[0].len);
}

uint64_t dx_name_bits(const dx_name_t *name)
{
    return name->n ? s_first_bits(name->segs[0], name->lens[0]) : 0;
}
