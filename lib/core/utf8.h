/* utf8: strict UTF-8 and the few Unicode properties dx decides on.
 *
 * "Valid" is what Python's and Go's strict decoders accept: no overlong
 * forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no
 * truncated sequence. Every string dx stores, signs or prints is checked
 * with it, so that what one reader sees is what every other reader sees. */
#ifndef DX_UTF8_H
#define DX_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes the code point at s[0..len). Returns its length in bytes (1..4)
 * and sets *cp, or 0 when the bytes there are not valid UTF-8. */
size_t dx_utf8_next(const uint8_t *s, size_t len, uint32_t *cp);

/* The whole of s[0..len) is valid UTF-8. */
bool dx_utf8_valid(const uint8_t *s, size_t len);

/* The offset of the first code point above U+007F for which stop(cp) is
 * true (stop may be NULL), or of the first bytes that are not UTF-8 (*cp is
 * then UINT32_MAX); len when there is neither. ASCII runs are skipped
 * eight bytes at a time. */
size_t dx_utf8_find(const uint8_t *s, size_t len, bool (*stop)(uint32_t cp), uint32_t *cp);

/* A proto3 string as dx accepts one: valid UTF-8 without NUL. */
bool dx_utf8_string(const uint8_t *s, size_t len);

/* Unicode White_Space (Go's unicode.IsSpace): TAB..CR, SPACE, U+0085,
 * U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000. */
bool dx_unicode_space(uint32_t cp);

/* Characters that break or hide text: C0 and C1 controls, DEL, line and
 * paragraph separators, and the invisible format characters (soft hyphen,
 * zero-width and bidirectional marks, word joiners, byte-order mark). */
bool dx_unicode_hidden(uint32_t cp);

/* Writes s as printable UTF-8 into out (cap > 0, always terminated):
 * controls and hidden characters become \xNN or \u{XXXX}, a backslash
 * becomes \\, bytes that are not UTF-8 become \xNN. ASCII characters in
 * keep (for example "\n") are left as they are. Returns the length written. */
size_t dx_utf8_printable(const char *s, const char *keep, char *out, size_t cap);

#include <stdio.h>
/* s as a JSON string, quotes included: always valid UTF-8 and valid JSON
 * (controls, U+2028 and U+2029 escaped; bytes that are not UTF-8 printed
 * as U+FFFD). */
void dx_json_string(FILE *out, const char *s);

#endif
