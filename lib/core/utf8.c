/* utf8: strict decoding (RFC 3629 table 4) and character classes. */
#include "utf8.h"

#include <stdio.h>
#include <string.h>

size_t dx_utf8_next(const uint8_t *s, size_t len, uint32_t *cp)
{
    if (len == 0)
        return 0;
    uint8_t c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t n;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2, v = c & 0x1Fu, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, v = c & 0x0Fu, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, v = c & 0x07u, min = 0x10000;
    } else {
        return 0; /* a continuation byte, an overlong lead (C0, C1) or F5..FF */
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

size_t dx_utf8_find(const uint8_t *s, size_t len, bool (*stop)(uint32_t cp), uint32_t *cp)
{
    size_t i = 0;
    while (i < len) {
        uint64_t w;
        if (len - i >= 8 && (memcpy(&w, s + i, 8), (w & 0x8080808080808080ull) == 0)) {
            i += 8;
            continue;
        }
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = dx_utf8_next(s + i, len - i, cp);
        if (n == 0) {
            *cp = UINT32_MAX;
            return i;
        }
        if (stop && stop(*cp))
            return i;
        i += n;
    }
    return len;
}

bool dx_utf8_valid(const uint8_t *s, size_t len)
{
    uint32_t cp;
    return dx_utf8_find(s, len, NULL, &cp) == len;
}

bool dx_utf8_string(const uint8_t *s, size_t len)
{
    return memchr(s, 0, len) == NULL && dx_utf8_valid(s, len);
}

bool dx_unicode_space(uint32_t cp)
{
    if (cp > 0x20 && cp < 0x85)
        return false;
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
           cp == 0x205F || cp == 0x3000;
}

bool dx_unicode_hidden(uint32_t cp)
{
    if (cp >= 0x20 && cp < 0x7F)
        return false;
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xAD || cp == 0x061C ||
           cp == 0x180E || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
           (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB);
}

size_t dx_utf8_printable(const char *s, const char *keep, char *out, size_t cap)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t len = strlen(s), i = 0, n = 0;
    while (i < len && n + 1 < cap) {
        uint32_t cp;
        size_t k = dx_utf8_next(p + i, len - i, &cp);
        char esc[16];
        size_t elen;
        if (k == 0) {
            elen = (size_t)snprintf(esc, sizeof esc, "\\x%02X", p[i]);
            k = 1;
        } else if ((dx_unicode_hidden(cp) || cp == '\\') && !(cp && cp < 0x80 && keep && strchr(keep, (int)cp))) {
            elen = cp == '\\' ? (size_t)snprintf(esc, sizeof esc, "\\\\")
                   : cp < 0x100 ? (size_t)snprintf(esc, sizeof esc, "\\x%02X", (unsigned)cp)
                                : (size_t)snprintf(esc, sizeof esc, "\\u{%04X}", (unsigned)cp);
        } else {
            memcpy(esc, p + i, k);
            elen = k;
        }
        if (n + elen >= cap)
            break;
        memcpy(out + n, esc, elen);
        n += elen;
        i += k;
    }
    out[n] = '\0';
    return n;
}

/* Always valid UTF-8 and valid JSON: controls escaped, U+2028/U+2029
 * escaped (JavaScript reads them as line ends), and any byte that is not
 * UTF-8 (records are checked when decoded, so only a damaged store could
 * hold one) printed as U+FFFD. */
void dx_json_string(FILE *out, const char *s)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t len = strlen(s);
    fputc('"', out);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = dx_utf8_next(p + i, len - i, &cp);
        if (k == 0) {
            fputs("\\ufffd", out);
            i++;
            continue;
        }
        if (cp == '"' || cp == '\\')
            fprintf(out, "\\%c", (char)cp);
        else if (cp == '\n')
            fputs("\\n", out);
        else if (cp < 0x20 || cp == 0x2028 || cp == 0x2029)
            fprintf(out, "\\u%04x", (unsigned)cp);
        else
            fwrite(p + i, 1, k, out);
        i += k;
    }
    fputc('"', out);
}
