/* test_forms_csv.c - the CSV of form targets (src/forms/csv.c): quoting,
 * reading back what was written, and appends with and without new
 * columns. */
#include <criterion/criterion.h>
#include <string.h>

#include "forms/csv.h"

static char *field(const char *v)
{
    ds_buf b = {0};
    ds_csv_field(&b, v);
    return ds_buf_take(&b);
}

Test(forms_csv, quoting)
{
    const char *cases[][2] = {
        {"plain", "plain"},
        {"a,b", "\"a,b\""},
        {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"two\nlines", "\"two\nlines\""},
        {"cr\rlf", "\"cr\rlf\""},
        {"", "\"\""},
        {" padded", "\" padded\""},
        {"trail\t", "\"trail\t\""},
        {"h\xC3\xA9llo \xE2\x82\xAC", "h\xC3\xA9llo \xE2\x82\xAC"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = field(cases[i][0]);
        cr_assert_str_eq(got, cases[i][1], "%s", cases[i][0]);
        free(got);
    }
    char *null = field(NULL);
    cr_assert_str_eq(null, "");
    free(null);
}

Test(forms_csv, parse)
{
    const char *text = "a,b,c\r\n1,\"x, \"\"y\"\"\nz\",\n\n2,,\"\"\n3";
    ds_csv csv;
    ds_err err;
    cr_assert_eq(ds_csv_parse(text, strlen(text), &csv, &err), 0, "%s", err.msg);
    cr_assert_eq(csv.header.n, 3);
    cr_assert_eq(csv.n_rows, 3);
    cr_assert_str_eq(csv.rows[0].cells[1], "x, \"y\"\nz");
    cr_assert_null(csv.rows[0].cells[2]);
    cr_assert_null(csv.rows[1].cells[1]);
    cr_assert_str_eq(csv.rows[1].cells[2], ""); /* quoted empty: an empty string */
    cr_assert_eq(csv.rows[2].n, 1);
    cr_assert_str_eq(ds_csv_get(&csv, 0, "b"), "x, \"y\"\nz");
    cr_assert_null(ds_csv_get(&csv, 2, "c"));
    cr_assert_null(ds_csv_get(&csv, 0, "nope"));
    ds_csv_free(&csv);
}

Test(forms_csv, parse_errors)
{
    ds_csv csv;
    ds_err err;
    cr_assert_neq(ds_csv_parse("a\n\"open", 7, &csv, &err), 0);
    cr_assert(strstr(err.msg, "line 2: a quoted field is not closed"), "%s", err.msg);
    cr_assert_neq(ds_csv_parse("a\n\"x\"y\n", 7, &csv, &err), 0);
    cr_assert(strstr(err.msg, "text after a closing quote"), "%s", err.msg);
    cr_assert_eq(ds_csv_parse("", 0, &csv, &err), 0);
    cr_assert_eq(csv.header.n, 0);
    cr_assert_eq(csv.n_rows, 0);
    ds_csv_free(&csv);
}

static char *append(const char *old, char **cols, size_t n_cols, char **values, size_t n_rows)
{
    ds_csv csv;
    ds_err err;
    cr_assert_eq(ds_csv_parse(old, strlen(old), &csv, &err), 0, "%s", err.msg);
    size_t len;
    char *out = ds_csv_append(old, strlen(old), &csv, cols, n_cols, values, n_rows, &len);
    cr_assert_eq(strlen(out), len);
    ds_csv_free(&csv);
    return out;
}

Test(forms_csv, append_keeps_old_bytes)
{
    char *cols[] = {"b", "a"};
    char *values[] = {"x,y", "1", NULL, "2"};
    /* Same columns in another order: the old text is kept byte for byte
     * (even its CRLF and quoting) and the rows follow in the file's order. */
    char *out = append("a,b\r\n\"0\",zero", cols, 2, values, 2);
    cr_assert_str_eq(out, "a,b\r\n\"0\",zero\n1,\"x,y\"\n2,\n");
    free(out);
}

Test(forms_csv, append_new_columns)
{
    char *cols[] = {"a", "c"};
    char *values[] = {"1", "new \"c\""};
    char *out = append("a,b\n0,zero\n", cols, 2, values, 1);
    cr_assert_str_eq(out, "a,b,c\n0,zero,\n1,,\"new \"\"c\"\"\"\n");
    free(out);
}

Test(forms_csv, append_to_new_file)
{
    char *cols[] = {"n", "text"};
    char *values[] = {"1", "\xC3\xBC, \xE2\x9C\x93"};
    char *out = append("", cols, 2, values, 1);
    cr_assert_str_eq(out, "n,text\n1,\"\xC3\xBC, \xE2\x9C\x93\"\n");
    /* What was written reads back as written. */
    ds_csv csv;
    ds_err err;
    cr_assert_eq(ds_csv_parse(out, strlen(out), &csv, &err), 0);
    cr_assert_str_eq(ds_csv_get(&csv, 0, "text"), "\xC3\xBC, \xE2\x9C\x93");
    ds_csv_free(&csv);
    free(out);
}

Test(forms_csv, nul_bytes_and_no_final_newline)
{
    /* A damaged target (a NUL inside, no newline at the end) is read to
     * its end, never past it and never in circles. */
    const char text[] = {'a', ',', 'b', '\n', 'x', '\0', 'y', ',', 'z'};
    ds_csv csv;
    ds_err err;
    cr_assert_eq(ds_csv_parse(text, sizeof text, &csv, &err), 0, "%s", err.msg);
    cr_assert_eq(csv.n_rows, 1);
    cr_assert_eq(csv.rows[0].n, 2);
    cr_assert_str_eq(csv.rows[0].cells[1], "z");
    ds_csv_free(&csv);
}
