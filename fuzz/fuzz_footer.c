/* fuzz_footer.c - libFuzzer target for the Parquet footer walk
 * (src/datamap/footer.c: ds_footer_parse, a Thrift compact reading of
 * FileMetaData).
 *
 * Input: the footer's bytes (what sits before the length and "PAR1").
 *
 * Beyond the sanitizers (the input is copied to a buffer of its exact
 * size, so a read one byte past it is reported): the result is 0 or -1, a
 * refusal says why, the walk is deterministic, a schema counts no more
 * elements than there are bytes, and bytes after an accepted footer's
 * final stop change nothing (the walk never looks past it). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "datamap/footer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int parse(const uint8_t *data, size_t size, ds_footer *ft, char *why, size_t why_len)
{
    memset(ft, 0, sizeof *ft);
    why[0] = '\0';
    return ds_footer_parse(data, size, ft, why, why_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);

    ds_footer a, b;
    char why_a[128], why_b[128];
    int rc = parse(buf, size, &a, why_a, sizeof why_a);
    if (rc != 0 && rc != -1)
        abort();
    if (rc == -1 && why_a[0] == '\0')
        abort(); /* a refusal always says why */
    if (parse(buf, size, &b, why_b, sizeof why_b) != rc || memcmp(&a, &b, sizeof a) != 0 ||
        strcmp(why_a, why_b) != 0)
        abort(); /* deterministic */
    if (rc == 0) {
        if (a.n_columns > size)
            abort(); /* every schema element takes a byte at least */
        /* One more byte after the footer: the same answer. */
        buf[size] = size ? data[0] : 0x19;
        if (parse(buf, size + 1, &b, why_b, sizeof why_b) != 0 || memcmp(&a, &b, sizeof a) != 0)
            abort();
    }
    free(buf);
    return 0;
}
