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

/* The two placeholders web/src/sql.js fills: ${inputs.NAME} (the input's
 * value as a literal) and ${params.NAME} (SQL an input's template makes). */
typedef enum { DS_PH_INPUTS, DS_PH_PARAMS } ds_placeholder_kind;

/* The length of the placeholder at p read exactly as the runtime's pattern
 * PLACEHOLDER reads it: "${", blanks, "inputs." or "params.", a name of
 * [A-Za-z0-9_], blanks, "}" -- blanks being JavaScript's \s, so a no-break
 * space counts too.  Sets kind and NAME's start and length; 0 when p
 * starts no placeholder (the runtime leaves such text as it is). */
size_t ds_sql_placeholder(const char *p, ds_placeholder_kind *kind, const char **name,
                          size_t *name_len);

/* The same for "${ inputs.NAME }" only. */
size_t ds_sql_input_placeholder(const char *p, const char **name, size_t *name_len);

/* Where a "${" stands in SQL text. */
typedef enum {
    DS_SQL_AT_CODE,
    DS_SQL_AT_STRING,     /* inside '...' or a dollar-quoted $$...$$ */
    DS_SQL_AT_IDENTIFIER, /* inside "..." */
    DS_SQL_AT_COMMENT     /* inside -- ... or a block comment */
} ds_sql_at;

/* Calls fn for every "${" of sql with where it stands; stops at the first
 * non-zero answer and returns it (0 when every call answered 0). */
typedef int (*ds_sql_brace_fn)(void *ctx, const char *at, ds_sql_at where);
int ds_sql_each_brace(const char *sql, ds_sql_brace_fn fn, void *ctx);
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

/* Why TEXT is not one self-contained SQL expression that the build can
 * put in parentheses inside a WHERE (a row filter): its parentheses do
 * not balance outside quotes, a quote is not closed, or it holds ';' or a
 * comment (two dashes, or slash-star) that would end or swallow the SQL
 * around it.  NULL
 * when it is one. */
const char *ds_sql_expression_why(const char *text);

#endif
