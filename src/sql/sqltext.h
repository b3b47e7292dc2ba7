/* sqltext.h - small, careful operations on SQL text: quoting literals,
 * replacing ${...} placeholders, and rewriting string literals.  They scan
 * the text the way SQL does (quotes, "identifiers", -- and block comments)
 * so nothing inside a comment or identifier is touched by mistake. */
#ifndef DS_SQLTEXT_H
#define DS_SQLTEXT_H

#include <stdbool.h>

#include "../util/util.h"

/* Appends 'text' with single quotes doubled. */
void ds_sql_quote(ds_buf *b, const char *text);

/* Copy of sql with every ${...} placeholder replaced by NULL (placeholders
 * are filled in by the browser; the build validates with NULL). */
char *ds_sql_null_placeholders(const char *sql);

/* Forms (src/forms): every ${inputs.NAME} (blanks allowed inside the
 * braces) outside comments, string literals and quoted identifiers replaced
 * by fn's answer, SQL text the caller made safe (a quoted literal, NULL, a
 * number); fn's string is freed here.  Placeholders inside comments are
 * left alone.  NULL with *bad set (the caller frees) when a placeholder is
 * inside a string literal or quoted identifier, where it cannot be a
 * value, or is not ${inputs.NAME}. */
typedef char *(*ds_sql_input_fn)(void *ctx, const char *name);

/* The length of the "${ inputs.NAME }" at p (blanks allowed inside the
 * braces, as web/src/sql.js reads them), NAME's start and length set; 0
 * when p starts no such placeholder. */
size_t ds_sql_input_placeholder(const char *p, const char **name, size_t *name_len);
char *ds_sql_fill_inputs(const char *sql, ds_sql_input_fn fn, void *ctx, char **bad);

/* Calls fn for every single-quoted string literal (its unquoted text).  When
 * fn returns a non-NULL string, the literal is replaced by that text quoted.
 * Returns the rewritten SQL. */
typedef const char *(*ds_sql_literal_fn)(void *ctx, const char *literal);
char *ds_sql_map_literals(const char *sql, ds_sql_literal_fn fn, void *ctx);

/* The same walk without the rewritten copy (fn's answers are ignored). */
void ds_sql_each_literal(const char *sql, ds_sql_literal_fn fn, void *ctx);

/* The shape of an expression: SQL with every literal compared with
 * something (right after =, <, >, <=, >=, <>, !=) as '' or 0; everything
 * else kept (names, quoted identifiers, comments, a function's or a type's
 * literals: date_part('year', d) and DECIMAL(10,2) are checked by the
 * binder).  Expressions of one shape bind alike. */
char *ds_sql_shape(const char *sql);

/* If sql (after blanks and comments) starts with WITH [RECURSIVE], returns
 * a pointer just past those words and sets *recursive; else NULL. */
const char *ds_sql_leading_with(const char *sql, bool *recursive);

/* Trims blanks and trailing ';' (with blanks between them). */
char *ds_sql_trim(const char *sql);

bool ds_sql_is_identifier(const char *s);

/* Appends name as an SQL identifier: as it is when it is a plain identifier
 * and no DuckDB keyword that a column name cannot be, else in double quotes
 * (inner ones doubled). */
void ds_sql_ident(ds_buf *b, const char *name);

/* The keywords ds_sql_ident quotes (sorted, lower case). */
const char *const *ds_sql_keywords(size_t *n);

#endif
