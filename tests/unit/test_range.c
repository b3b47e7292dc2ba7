/* test_range.c - the Range header parser: every valid form, every invalid
 * one, and the edges (empty files, the last byte, numbers past 64 bits). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "server/range.h"

static ds_range_kind parse(const char *h, uint64_t size, uint64_t *f, uint64_t *l)
{
    return ds_range_parse(h, strlen(h), size, f, l);
}

static void single(const char *h, uint64_t size, uint64_t want_first, uint64_t want_last)
{
    uint64_t f, l;
    ds_range_kind k = parse(h, size, &f, &l);
    cr_assert_eq(k, DS_RANGE_SINGLE, "%s (size %llu): kind %d", h, (unsigned long long)size, k);
    cr_assert_eq(f, want_first, "%s: first %llu", h, (unsigned long long)f);
    cr_assert_eq(l, want_last, "%s: last %llu", h, (unsigned long long)l);
}

static void kind(const char *h, uint64_t size, ds_range_kind want)
{
    uint64_t f, l;
    ds_range_kind k = parse(h, size, &f, &l);
    cr_assert_eq(k, want, "%s (size %llu): expected %d, got %d", h, (unsigned long long)size, want,
                 k);
}

Test(range, first_and_last)
{
    single("bytes=0-0", 100, 0, 0);
    single("bytes=0-99", 100, 0, 99);
    single("bytes=10-19", 100, 10, 19);
    single("bytes=99-99", 100, 99, 99);
    single("bytes=0-", 100, 0, 99); /* the DuckDB-Wasm handshake */
    single("bytes=50-", 100, 50, 99);
    single("bytes=99-", 100, 99, 99);
}

Test(range, last_past_the_end_is_clamped)
{
    single("bytes=0-100", 100, 0, 99);
    single("bytes=90-1000000", 100, 90, 99);
    single("bytes=0-18446744073709551615", 100, 0, 99);
    single("bytes=0-99999999999999999999999999", 100, 0, 99); /* saturates */
}

Test(range, suffix)
{
    single("bytes=-1", 100, 99, 99);
    single("bytes=-10", 100, 90, 99);
    single("bytes=-100", 100, 0, 99);
    single("bytes=-1000", 100, 0, 99); /* longer than the file: all of it */
    single("bytes=-99999999999999999999999", 100, 0, 99);
    kind("bytes=-0", 100, DS_RANGE_UNSATISFIABLE);
}

Test(range, unsatisfiable)
{
    kind("bytes=100-", 100, DS_RANGE_UNSATISFIABLE);
    kind("bytes=100-200", 100, DS_RANGE_UNSATISFIABLE);
    kind("bytes=1000-", 100, DS_RANGE_UNSATISFIABLE);
    kind("bytes=18446744073709551615-", 100, DS_RANGE_UNSATISFIABLE);
    kind("bytes=99999999999999999999999-", 100, DS_RANGE_UNSATISFIABLE);
    kind("bytes=99999999999999999999999-99999999999999999999999", 100, DS_RANGE_UNSATISFIABLE);
}

Test(range, empty_file)
{
    kind("bytes=0-", 0, DS_RANGE_UNSATISFIABLE);
    kind("bytes=0-0", 0, DS_RANGE_UNSATISFIABLE);
    kind("bytes=-5", 0, DS_RANGE_UNSATISFIABLE);
    kind("bytes=-0", 0, DS_RANGE_UNSATISFIABLE);
}

Test(range, huge_files)
{
    uint64_t big = UINT64_MAX;
    single("bytes=0-", big, 0, big - 1);
    single("bytes=-1", big, big - 1, big - 1);
    single("bytes=18446744073709551613-", big, big - 2, big - 1);
    kind("bytes=18446744073709551615-", big, DS_RANGE_UNSATISFIABLE);
    single("bytes=5-18446744073709551615", big, 5, big - 1);
}

Test(range, unit_is_case_insensitive)
{
    single("Bytes=0-0", 10, 0, 0);
    single("BYTES=1-2", 10, 1, 2);
}

Test(range, spaces)
{
    single("  bytes=0-1", 10, 0, 1); /* leading OWS */
    single("bytes=0-1  ", 10, 0, 1);
    single("bytes= 0-1", 10, 0, 1); /* OWS before a list element */
    single("bytes=\t0-1", 10, 0, 1);
    kind("bytes =0-1", 10, DS_RANGE_NONE);
    kind("bytes=0 -1", 10, DS_RANGE_NONE);
    kind("bytes=0- 1", 10, DS_RANGE_NONE);
}

Test(range, several_ranges)
{
    kind("bytes=0-0,5-9", 100, DS_RANGE_MULTI);
    kind("bytes=0-0, -1", 100, DS_RANGE_MULTI);
    kind("bytes=0-10,5-20", 100, DS_RANGE_MULTI);
    kind("bytes=200-300,0-0", 100, DS_RANGE_MULTI); /* one satisfiable is enough */
    kind("bytes=200-300,400-", 100, DS_RANGE_UNSATISFIABLE);
    /* empty list elements are allowed and do not count */
    single("bytes=,0-0", 100, 0, 0);
    single("bytes=0-0,", 100, 0, 0);
    single("bytes=, ,0-0, ,", 100, 0, 0);
}

Test(range, too_many_ranges_are_ignored)
{
    char h[4096] = "bytes=0-0";
    for (int i = 0; i < DS_RANGE_MAX_SPECS; i++)
        strcat(h, ",1-1");
    kind(h, 100, DS_RANGE_NONE);
}

Test(range, invalid_headers_mean_no_range)
{
    const char *bad[] = {
        "",
        "bytes",
        "bytes=",
        "bytes=,",
        "bytes=-",
        "bytes=a-b",
        "bytes=1-a",
        "bytes=1",
        "bytes=--1",
        "bytes=1--2",
        "bytes=5-4",
        "bytes=0-0;",
        "bytes=0-0 x",
        "bytes=1-2-3",
        "bytes=0x10-",
        "bytes=+1-2",
        "bytes=-+1",
        "bytes=1.5-2",
        "items=0-1",
        "bytesx=0-1",
        "byte=0-1",
        "=0-1",
        "bytes0-1",
        "bytes=0-1,x",
        "bytes=0-1,,a",
        "bytes=10-5,0-0",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        kind(bad[i], 100, DS_RANGE_NONE);
}

Test(range, length_is_respected)
{
    uint64_t f, l;
    /* "bytes=0-9" cut after "bytes=0-": open-ended */
    cr_assert_eq(ds_range_parse("bytes=0-9", 8, 100, &f, &l), DS_RANGE_SINGLE);
    cr_assert_eq(l, 99);
    cr_assert_eq(ds_range_parse("bytes=0-9", 3, 100, &f, &l), DS_RANGE_NONE);
    cr_assert_eq(ds_range_parse(NULL, 0, 100, &f, &l), DS_RANGE_NONE);
}

Test(range, leading_zeros)
{
    single("bytes=000-0009", 100, 0, 9);
    single("bytes=-0010", 100, 90, 99);
}

/* Exhaustive over small sizes: every first/last pair agrees with a direct
 * reading of RFC 9110. */
Test(range, exhaustive_small)
{
    char h[64];
    for (uint64_t size = 0; size <= 12; size++) {
        for (uint64_t a = 0; a <= 14; a++) {
            for (uint64_t b = 0; b <= 14; b++) {
                snprintf(h, sizeof h, "bytes=%llu-%llu", (unsigned long long)a,
                         (unsigned long long)b);
                if (b < a)
                    kind(h, size, DS_RANGE_NONE);
                else if (a >= size)
                    kind(h, size, DS_RANGE_UNSATISFIABLE);
                else
                    single(h, size, a, b < size ? b : size - 1);
            }
            snprintf(h, sizeof h, "bytes=%llu-", (unsigned long long)a);
            if (a >= size)
                kind(h, size, DS_RANGE_UNSATISFIABLE);
            else
                single(h, size, a, size - 1);
            snprintf(h, sizeof h, "bytes=-%llu", (unsigned long long)a);
            if (a == 0 || size == 0)
                kind(h, size, DS_RANGE_UNSATISFIABLE);
            else
                single(h, size, a >= size ? 0 : size - a, size - 1);
        }
    }
}
