/* toml.h - a TOML 1.0.0 parser that keeps line and column for every value.
 *
 * The whole document becomes a tree of ds_toml_value nodes.  Tables keep
 * their keys in document order.  Every node and every key remembers where it
 * was written, so configuration errors can point at the exact spot. */
#ifndef DS_TOML_H
#define DS_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    DS_TOML_STRING,
    DS_TOML_INTEGER,
    DS_TOML_FLOAT,
    DS_TOML_BOOL,
    DS_TOML_DATETIME,       /* offset date-time: 1979-05-27T07:32:00Z */
    DS_TOML_LOCAL_DATETIME, /* 1979-05-27T07:32:00 */
    DS_TOML_LOCAL_DATE,     /* 1979-05-27 */
    DS_TOML_LOCAL_TIME,     /* 07:32:00 */
    DS_TOML_ARRAY,
    DS_TOML_TABLE
} ds_toml_type;

typedef struct {
    int year, month, day;          /* unset parts are 0 */
    int hour, minute, second;
    int nanosecond;                /* fraction of a second, truncated to ns */
    int frac_digits;               /* digits written after '.', 0 if none (max 9 kept) */
    int offset_minutes;            /* only for DS_TOML_DATETIME; 'Z' is 0 */
} ds_toml_datetime;

typedef struct ds_toml_value ds_toml_value;

typedef struct {
    char *key;                     /* NUL-terminated UTF-8 */
    int line, col;                 /* where the key (last dotted part) was written */
    ds_toml_value *value;
    size_t key_len;                /* bytes in key; a quoted key like "\u0000"
                                      may hold NUL, so key_len can exceed strlen */
} ds_toml_entry;

struct ds_toml_value {
    ds_toml_type type;
    int line, col;                 /* 1-based position of the value's first character;
                                      col counts characters, not bytes.  A table made
                                      by a [header] points at its '[', an implicitly
                                      created table at the key that created it */
    union {
        struct { char *ptr; size_t len; } str;   /* NUL-terminated; may hold \u0000 */
        int64_t integer;
        double flt;
        bool boolean;
        ds_toml_datetime dt;
        struct { ds_toml_value **items; size_t len, cap; } arr;
        struct { ds_toml_entry *items; size_t len, cap; } table;
    } u;
    /* Bookkeeping for the redefinition rules (TOML 1.0 section "Table"). */
    unsigned flags;
};

/* Arrays and inline tables may nest at most this deep (counting every
 * table and array from the root), so hostile input cannot exhaust the stack. */
#define DS_TOML_MAX_DEPTH 128

typedef struct {
    int line, col;                 /* 1-based; 0 when not known */
    char msg[256];
} ds_toml_error;

/* Parse a complete document.  Returns the root table, or NULL with *err
 * filled in.  The text need not be NUL-terminated. */
ds_toml_value *ds_toml_parse(const char *text, size_t len, ds_toml_error *err);

void ds_toml_free(ds_toml_value *v);

/* Look up a key in a table (NULL if absent or v is not a table).  A key
 * that holds NUL never matches, since `key` is a C string. */
const ds_toml_entry *ds_toml_find(const ds_toml_value *table, const char *key);

/* "a string", "an integer", "a float", "a boolean", "an offset date-time",
 * "a local date-time", "a local date", "a local time", "an array", "a table" */
const char *ds_toml_type_describe(ds_toml_type t);

/* RFC 3339 text of a date/time value, as TOML writes it:
 * 1979-05-27T07:32:00.999Z, 1979-05-27T07:32:00-07:00, 1979-05-27, 07:32:00.
 * Returns the number of characters written (buffer of 40 is always enough). */
size_t ds_toml_datetime_format(ds_toml_type t, const ds_toml_datetime *dt,
                               char *buf, size_t size);

#endif
