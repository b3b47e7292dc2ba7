/* csv.c - RFC 4180 CSV for form targets (see csv.h). */
#include "csv.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static void push_cell(ds_csv_record *r, char *cell)
{
    r->cells = ds_xrealloc(r->cells, (r->n + 1) * sizeof *r->cells);
    r->cells[r->n++] = cell;
}

static void push_row(ds_csv *c, ds_csv_record r)
{
    c->rows = ds_xrealloc(c->rows, (c->n_rows + 1) * sizeof *c->rows);
    c->rows[c->n_rows++] = r;
}

static void free_record(ds_csv_record *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->cells[i]);
    free(r->cells);
    memset(r, 0, sizeof *r);
}

int ds_csv_parse(const char *text, size_t len, ds_csv *out, ds_err *err)
{
    memset(out, 0, sizeof *out);
    ds_csv_record rec = {0};
    ds_buf cell = {0};
    bool have_header = false;
    size_t line = 1;
    size_t i = 0;
    while (i < len) {
        bool quoted = false;
        cell.len = 0;
        if (text[i] == '"') {
            quoted = true;
            size_t start_line = line;
            for (i++;; i++) {
                if (i >= len) {
                    ds_buf_free(&cell);
                    free_record(&rec);
                    ds_csv_free(out);
                    return ds_err_set(err, "line %zu: a quoted field is not closed", start_line);
                }
                if (text[i] == '"' && i + 1 < len && text[i + 1] == '"') {
                    ds_buf_putc(&cell, '"');
                    i++;
                } else if (text[i] == '"') {
                    i++;
                    break;
                } else {
                    line += text[i] == '\n';
                    ds_buf_putc(&cell, text[i]);
                }
            }
            if (i < len && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
                ds_buf_free(&cell);
                free_record(&rec);
                ds_csv_free(out);
                return ds_err_set(err, "line %zu: text after a closing quote", line);
            }
        } else {
            /* Up to the next separator, within LEN (the text may hold NUL
             * bytes and need not end with one). */
            size_t n = 0;
            while (i + n < len && text[i + n] != ',' && text[i + n] != '\r' &&
                   text[i + n] != '\n')
                n++;
            ds_buf_add(&cell, text + i, n);
            i += n;
        }
        push_cell(&rec, quoted || cell.len ? ds_strndup(cell.data ? cell.data : "", cell.len)
                                           : NULL);
        if (i < len && text[i] == ',') {
            i++;
            if (i == len) /* "a," at the very end: one more, empty, field */
                push_cell(&rec, NULL);
            else
                continue;
        }
        if (i < len && text[i] == '\r')
            i++;
        if (i < len && text[i] == '\n')
            i++;
        line++;
        if (rec.n == 1 && !rec.cells[0]) { /* a blank line is no record */
            free_record(&rec);
            continue;
        }
        if (!have_header) {
            out->header = rec;
            have_header = true;
        } else {
            push_row(out, rec);
        }
        memset(&rec, 0, sizeof rec);
    }
    ds_buf_free(&cell);
    return 0;
}

const char *ds_csv_get(const ds_csv *csv, size_t r, const char *column)
{
    assert(r < csv->n_rows);
    for (size_t c = 0; c < csv->header.n; c++)
        if (csv->header.cells[c] && strcmp(csv->header.cells[c], column) == 0)
            return c < csv->rows[r].n ? csv->rows[r].cells[c] : NULL;
    return NULL;
}

void ds_csv_field(ds_buf *b, const char *v)
{
    if (!v)
        return;
    size_t n = strlen(v);
    bool quote = n == 0 || v[0] == ' ' || v[0] == '\t' || v[n - 1] == ' ' ||
                 v[n - 1] == '\t' || strpbrk(v, ",\"\r\n") != NULL;
    if (!quote) {
        ds_buf_add(b, v, n);
        return;
    }
    ds_buf_putc(b, '"');
    for (const char *p = v; *p; p++) {
        if (*p == '"')
            ds_buf_putc(b, '"');
        ds_buf_putc(b, *p);
    }
    ds_buf_putc(b, '"');
}

static void put_record(ds_buf *b, char *const *cells, size_t n, size_t width)
{
    for (size_t c = 0; c < width; c++) {
        if (c)
            ds_buf_putc(b, ',');
        if (c < n)
            ds_csv_field(b, cells[c]);
    }
    ds_buf_putc(b, '\n');
}

static long column_of(const ds_csv_record *header, const char *name)
{
    for (size_t c = 0; c < header->n; c++)
        if (header->cells[c] && strcmp(header->cells[c], name) == 0)
            return (long)c;
    return -1;
}

char *ds_csv_append(const char *old, size_t old_len, const ds_csv *parsed, char *const *cols,
                    size_t n_cols, char *const *values, size_t n_rows, size_t *out_len)
{
    /* The header after the append: the file's, then new names in order. */
    ds_csv_record header = {0};
    for (size_t c = 0; c < parsed->header.n; c++)
        push_cell(&header, ds_strdup(parsed->header.cells[c]));
    size_t old_width = header.n;
    for (size_t c = 0; c < n_cols; c++)
        if (column_of(&header, cols[c]) < 0)
            push_cell(&header, ds_strdup(cols[c]));
    ds_buf b = {0};
    if (header.n == old_width && old_len) {
        ds_buf_add(&b, old, old_len);
        if (old[old_len - 1] != '\n')
            ds_buf_putc(&b, '\n');
    } else {
        put_record(&b, header.cells, header.n, header.n);
        for (size_t r = 0; r < parsed->n_rows; r++)
            put_record(&b, parsed->rows[r].cells, parsed->rows[r].n, header.n);
    }
    char **row = ds_xcalloc(header.n + 1, sizeof *row);
    for (size_t r = 0; r < n_rows; r++) {
        memset(row, 0, header.n * sizeof *row);
        for (size_t c = 0; c < n_cols; c++)
            row[column_of(&header, cols[c])] = values[r * n_cols + c];
        put_record(&b, row, header.n, header.n);
    }
    free(row);
    free_record(&header);
    *out_len = b.len;
    return ds_buf_take(&b);
}

void ds_csv_free(ds_csv *csv)
{
    free_record(&csv->header);
    for (size_t r = 0; r < csv->n_rows; r++)
        free_record(&csv->rows[r]);
    free(csv->rows);
    memset(csv, 0, sizeof *csv);
}
