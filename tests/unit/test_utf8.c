/* test_utf8.c - the one UTF-8 checker and encoder (src/util/utf8.h). */
#include <criterion/criterion.h>
#include <string.h>

#include "util/utf8.h"

/* ds_utf8_valid on a string literal (its NUL not included). */
static bool valid(const char *s)
{
    return ds_utf8_valid(s, strlen(s));
}

Test(utf8, valid_text)
{
    cr_assert(valid(""));
    cr_assert(valid("plain ascii\t\n"));
    cr_assert(valid("caf\xC3\xA9"));      /* é, 2 bytes */
    cr_assert(valid("\xE2\x82\xAC 10"));  /* €, 3 bytes */
    cr_assert(valid("\xF0\x9F\xA6\x86")); /* 🦆, 4 bytes */
    cr_assert(valid("\xEF\xBB\xBFok"));   /* U+FEFF is a character */
    cr_assert(valid("\xED\x9F\xBF"));     /* U+D7FF, just below surrogates */
    cr_assert(valid("\xEE\x80\x80"));     /* U+E000, just above them */
    cr_assert(valid("\xF4\x8F\xBF\xBF")); /* U+10FFFF */
    cr_assert(ds_utf8_valid("a\0b", 3), "NUL is a character");
}

Test(utf8, stray_and_invalid_bytes)
{
    cr_assert_not(valid("\x80"), "a continuation byte alone");
    cr_assert_not(valid("a\xBFz"));
    cr_assert_not(valid("\xFE"));
    cr_assert_not(valid("\xFF"));
    cr_assert_not(valid("\xF5\x80\x80\x80"), "F5 would start a value past U+10FFFF");
    cr_assert_not(valid("\xF8\x88\x80\x80\x80"), "five-byte forms are not UTF-8");
}

Test(utf8, overlong_forms)
{
    cr_assert_not(valid("\xC0\x80"), "NUL in two bytes");
    cr_assert_not(valid("\xC1\xBF"), "U+007F in two bytes");
    cr_assert_not(valid("\xE0\x80\x80"));
    cr_assert_not(valid("\xE0\x9F\xBF"), "U+07FF in three bytes");
    cr_assert_not(valid("\xF0\x80\x80\x80"));
    cr_assert_not(valid("\xF0\x8F\xBF\xBF"), "U+FFFF in four bytes");
    cr_assert(valid("\xE0\xA0\x80"), "U+0800, the shortest three-byte form");
    cr_assert(valid("\xF0\x90\x80\x80"), "U+10000, the shortest four-byte form");
}

Test(utf8, surrogates)
{
    cr_assert_not(valid("\xED\xA0\x80"), "U+D800");
    cr_assert_not(valid("\xED\xAF\xBF"), "U+DBFF");
    cr_assert_not(valid("\xED\xB0\x80"), "U+DC00");
    cr_assert_not(valid("\xED\xBF\xBF"), "U+DFFF");
    cr_assert_not(valid("\xED\xA0\xBD\xED\xB2\xA9"), "a CESU-8 pair");
}

Test(utf8, past_10ffff)
{
    cr_assert_not(valid("\xF4\x90\x80\x80"), "U+110000");
    cr_assert_not(valid("\xF7\xBF\xBF\xBF"), "U+1FFFFF");
}

Test(utf8, truncated_sequences)
{
    cr_assert_not(valid("\xC3"));
    cr_assert_not(valid("\xE2\x82"));
    cr_assert_not(valid("\xF0\x9F\xA6"));
    cr_assert_not(valid("\xE2\x82!"), "a continuation replaced by ASCII");
    cr_assert_not(valid("\xF0\x9F\xA6\xC3\xA9"));
    /* the length given is a hard limit, even when more bytes follow */
    cr_assert_not(ds_utf8_valid("\xC3\xA9", 1));
    cr_assert(ds_utf8_valid("\xC3\xA9", 2));
}

Test(utf8, decode_lengths_and_code_points)
{
    uint32_t cp = 0;
    cr_assert_eq(ds_utf8_decode("A", 1, &cp), 1);
    cr_assert_eq(cp, 0x41);
    cr_assert_eq(ds_utf8_decode("\xC3\xA9!", 3, &cp), 2);
    cr_assert_eq(cp, 0xE9);
    cr_assert_eq(ds_utf8_decode("\xE2\x82\xAC", 3, &cp), 3);
    cr_assert_eq(cp, 0x20AC);
    cr_assert_eq(ds_utf8_decode("\xF0\x9F\xA6\x86", 4, &cp), 4);
    cr_assert_eq(cp, 0x1F986);
    cr_assert_eq(ds_utf8_decode("\xF4\x8F\xBF\xBF", 4, NULL), 4, "cp may be NULL");
    cr_assert_eq(ds_utf8_decode("A", 0, &cp), 0, "nothing to decode");
    cr_assert_eq(ds_utf8_decode("\xE2\x82\xAC", 2, &cp), 0);
    cr_assert_eq(ds_utf8_decode("\xED\xA0\x80", 3, &cp), 0);
}

/* Encodes cp and checks the bytes, then decodes them back. */
static void roundtrip(uint32_t cp, const char *want, size_t len)
{
    char out[DS_UTF8_MAX];
    uint32_t back = 0;
    cr_assert_eq(ds_utf8_encode(cp, out), len, "U+%04X", (unsigned)cp);
    cr_assert_eq(memcmp(out, want, len), 0, "U+%04X", (unsigned)cp);
    cr_assert_eq(ds_utf8_decode(out, len, &back), len, "U+%04X", (unsigned)cp);
    cr_assert_eq(back, cp);
}

Test(utf8, encode_boundaries)
{
    roundtrip(0x00, "\0", 1);
    roundtrip(0x7F, "\x7F", 1);
    roundtrip(0x80, "\xC2\x80", 2);
    roundtrip(0x7FF, "\xDF\xBF", 2);
    roundtrip(0x800, "\xE0\xA0\x80", 3);
    roundtrip(0xD7FF, "\xED\x9F\xBF", 3);
    roundtrip(0xE000, "\xEE\x80\x80", 3);
    roundtrip(0xFFFF, "\xEF\xBF\xBF", 3);
    roundtrip(0x10000, "\xF0\x90\x80\x80", 4);
    roundtrip(0x10FFFF, "\xF4\x8F\xBF\xBF", 4);
}

Test(utf8, encode_refuses_non_characters)
{
    char out[DS_UTF8_MAX] = {'x', 'x', 'x', 'x'};
    cr_assert_eq(ds_utf8_encode(0xD800, out), 0);
    cr_assert_eq(ds_utf8_encode(0xDBFF, out), 0);
    cr_assert_eq(ds_utf8_encode(0xDC00, out), 0);
    cr_assert_eq(ds_utf8_encode(0xDFFF, out), 0);
    cr_assert_eq(ds_utf8_encode(0x110000, out), 0);
    cr_assert_eq(ds_utf8_encode(0xFFFFFFFF, out), 0);
    cr_assert_eq(memcmp(out, "xxxx", 4), 0, "nothing is written");
}

/* Every code point encodes and decodes back; every surrogate is refused. */
Test(utf8, every_code_point)
{
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        char out[DS_UTF8_MAX];
        uint32_t back = 0;
        size_t n = ds_utf8_encode(cp, out);
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            cr_assert_eq(n, 0);
            continue;
        }
        cr_assert_eq(n, cp < 0x80 ? 1u : cp < 0x800 ? 2u : cp < 0x10000 ? 3u : 4u);
        cr_assert_eq(ds_utf8_decode(out, n, &back), n);
        cr_assert_eq(back, cp);
    }
}

/* Every sequence of up to three bytes that decodes is the encoder's form of
 * its code point: with every_code_point, the checker accepts exactly the
 * shortest forms of scalar values, whatever the lead byte. */
Test(utf8, only_shortest_forms_decode)
{
    for (uint32_t bytes = 0; bytes < (1u << 24); bytes++) {
        char in[3] = {(char)(bytes >> 16), (char)(bytes >> 8), (char)bytes};
        char out[DS_UTF8_MAX];
        uint32_t cp = 0;
        size_t n = ds_utf8_decode(in, 3, &cp);
        if (n == 0)
            continue;
        cr_assert_eq(ds_utf8_encode(cp, out), n, "%02X %02X %02X", bytes >> 16, (bytes >> 8) & 0xFF,
                     bytes & 0xFF);
        cr_assert_eq(memcmp(in, out, n), 0);
    }
}
