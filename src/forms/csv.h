/* csv.h - the target files of forms: RFC 4180 CSV read and appended to.
 *
 * Fields are quoted when they hold a comma, a quote, a line break, leading
 * or trailing blanks, or are empty strings (an empty unquoted field is SQL
 * NULL to DuckDB's reader); quotes inside are doubled.  Records end with
 * "\n"; "\r\n" is read too.  Text is kept as bytes (UTF-8 passes through). */
#ifndef DS_FORMS_CSV_H
#define DS_FORMS_CSV_H

#include <stddef.h>

#include "../util/util.h"

typedef struct {
    char **cells; /* NULL: an empty unquoted field */
    size_t n;
} ds_csv_record;

typedef struct {
    ds_csv_record header;
    ds_csv_record *rows;
    size_t n_rows;
} ds_csv;

/* Parses TEXT (LEN bytes): the first record is the header.  An empty text
 * has no header and no rows.  -1 with err set for an unterminated quote or
 * text after a closing quote ("a"b). */
int ds_csv_parse(const char *text, size_t len, ds_csv *out, ds_err *err);

/* Column C of row R by header name, or NULL (no such column, or empty). */
const char *ds_csv_get(const ds_csv *csv, size_t r, const char *column);

/* Appends one field, quoted when it must be (VALUE NULL: nothing). */
void ds_csv_field(ds_buf *b, const char *value);

/* The file after appending N_ROWS rows of N_COLS columns (names COLS,
 * VALUES[r * N_COLS + c], NULL for SQL NULL) to OLD (OLD_LEN bytes, parsed
 * as PARSED; both empty for a new file).  Columns the file lacks are added
 * at the end of its header (earlier rows get empty fields); columns of the
 * file the rows lack are left empty.  When no column is added, OLD's bytes
 * are kept as they are and the rows follow them. */
char *ds_csv_append(const char *old, size_t old_len, const ds_csv *parsed, char *const *cols,
                    size_t n_cols, char *const *values, size_t n_rows, size_t *out_len);

void ds_csv_free(ds_csv *csv);

#endif
