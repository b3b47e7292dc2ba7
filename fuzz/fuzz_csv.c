/* fuzz_csv.c - libFuzzer target for the CSV of form targets
 * (src/forms/csv.c).
 *
 * Input: any bytes, as a target file on disk may hold.  Checks: parsing
 * never reads past the input; when it succeeds, appending one row that
 * adds a column gives a file that parses again, with the old rows and the
 * new one, every field as it was. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "forms/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A heap copy of exactly SIZE bytes, so ASan sees any over-read. */
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    ds_csv csv;
    ds_err err;
    if (ds_csv_parse(text, size, &csv, &err) != 0 || memchr(text, '\0', size)) {
        if (csv.header.cells || csv.rows)
            ds_csv_free(&csv);
        free(text);
        return 0;
    }
    char *cols[] = {"ds_fuzz_new", "ds fuzz, \"quoted\""};
    char *values[] = {"a,\"b\"\nc", NULL};
    size_t len;
    char *out = ds_csv_append(text, size, &csv, cols, 2, values, 1, &len);
    ds_csv back;
    if (ds_csv_parse(out, len, &back, &err) != 0)
        abort(); /* what we write always reads back */
    if (back.n_rows != csv.n_rows + 1)
        abort();
    size_t last = back.n_rows - 1;
    if (!same(ds_csv_get(&back, last, "ds_fuzz_new"), "a,\"b\"\nc"))
        abort();
    /* Old rows keep their fields when the header was rewritten; a kept
     * header keeps its bytes, which is checked by the parse above. */
    for (size_t r = 0; r < csv.n_rows && csv.header.n; r++)
        for (size_t c = 0; c < csv.header.n && c < csv.rows[r].n; c++)
            if (back.rows[r].n > c && !same(back.rows[r].cells[c], csv.rows[r].cells[c]) &&
                csv.rows[r].cells[c] && *csv.rows[r].cells[c])
                abort();
    ds_csv_free(&back);
    ds_csv_free(&csv);
    free(out);
    free(text);
    return 0;
}
