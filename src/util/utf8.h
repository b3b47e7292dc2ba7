/* utf8.h - UTF-8: checking text and encoding code points.
 *
 * One definition of well-formed UTF-8 for the whole program (the TOML
 * parser, pages, the data-map reader, what plugins are handed): the
 * shortest form only, no surrogates (U+D800..U+DFFF), nothing past
 * U+10FFFF, the same rules as RFC 3629, JSON parsers and browsers. */
#ifndef DS_UTF8_H
#define DS_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most bytes one character takes. */
#define DS_UTF8_MAX 4

/* Decodes the character at s, which has avail bytes (more may follow).
 * Returns its length in bytes (1 to 4) and, if cp is not NULL, stores its
 * code point there; returns 0 if the bytes at s are not a well-formed
 * character (a stray or invalid byte, an overlong form, a surrogate, a value
 * past U+10FFFF, a sequence cut short) or avail is 0.  Callers that report
 * where text goes wrong walk it with this and report the byte at s. */
size_t ds_utf8_decode(const char *s, size_t avail, uint32_t *cp);

/* Whether the n bytes at s are all well-formed UTF-8 (NUL bytes included). */
bool ds_utf8_valid(const char *s, size_t n);

/* Writes the UTF-8 form of code point cp to out and returns its length
 * (1 to 4); returns 0, writing nothing, for a surrogate or a value past
 * U+10FFFF, which are not characters. */
size_t ds_utf8_encode(uint32_t cp, char out[DS_UTF8_MAX]);

#endif
