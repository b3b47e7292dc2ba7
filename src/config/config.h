/* config.h - ducksite.toml as a plain struct.
 *
 * The file is parsed once (toml.c), checked key by key, and turned into
 * ds_config.  Every error a user can cause names the file, line, column and
 * key path, says what was expected and what was found. */
#ifndef DS_CONFIG_H
#define DS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/util.h"

#define DS_CONFIG_FILE "ducksite.toml"
#define DS_DEFAULT_PATTERN "data/*.parquet"
#define DS_DEFAULT_PLUGIN_TIMEOUT 300.0 /* seconds */
/* Bytes a view name (a source, a templated view, a model) may have: each
 * names a file of the site, static/sql/_global/<name>.sql. */
#define DS_VIEW_NAME_MAX 128

typedef enum { DS_UNION_ALL_BY_NAME, DS_UNION_ALL } ds_union_mode;
typedef enum { DS_ON_EMPTY_WARN, DS_ON_EMPTY_ERROR } ds_on_empty;
typedef enum { DS_ON_BAD_FILE_ERROR, DS_ON_BAD_FILE_SKIP } ds_on_bad_file;

typedef struct {
    char *name;      /* DIR_LAKE */
    char *value;     /* as written */
} ds_dir;

/* A bound of a time window as TOML typed it.  text is the date or
 * date-time as written, with ' ' for 'T' ("2024-01-01",
 * "2024-01-01 10:00:00", "2024-01-01 10:00:00Z"); src/sql/timewindow.c
 * turns it into an SQL literal. */
typedef enum {
    DS_TIME_NONE,            /* the bound is absent */
    DS_TIME_DATE,            /* local date */
    DS_TIME_LOCAL_DATETIME,  /* local date-time */
    DS_TIME_OFFSET_DATETIME, /* date-time with Z or an offset */
} ds_time_kind;

typedef struct {
    ds_time_kind kind;
    char text[48];
} ds_time_bound;

/* time_window = {column = "day", start = 2024-01-01, end = 2024-02-01}. */
typedef struct {
    char *column;        /* a column name, as written */
    ds_time_bound start; /* inclusive */
    ds_time_bound end;   /* exclusive */
} ds_time_window;

/* One part of a template_values entry, as TOML typed it: text is the
 * string, the number or the date as written (' ' for 'T'). */
typedef enum {
    DS_SEED_STRING,
    DS_SEED_INTEGER,
    DS_SEED_FLOAT,
    DS_SEED_BOOL,
    DS_SEED_DATE,
    DS_SEED_TIMESTAMP,   /* local date-time */
    DS_SEED_TIMESTAMPTZ, /* date-time with Z or an offset */
    DS_SEED_TIME,
} ds_seed_kind;

typedef struct {
    ds_seed_kind kind;
    char *text;
} ds_seed_part;

/* A template_values entry: a scalar (one part, tuple false) or a tuple. */
typedef struct {
    ds_seed_part *parts;
    size_t n;
    bool tuple;
} ds_seed;

typedef struct {
    ds_seed *items;
    size_t n;
} ds_seed_list;

/* A level of a hierarchy: the source's files whose data-map key matches
 * pattern (glob.h's rules), read with row_filter ANDed to the source's. */
typedef struct {
    char *pattern;
    char *row_filter;            /* NULL when not given */
    int line;                    /* of the entry */
} ds_level;

typedef struct {
    ds_level *items;             /* NULL when the key is absent */
    size_t n;
} ds_level_list;

typedef struct {
    char *name;                  /* NULL when not given */
    char *template_name;
    char *pattern;               /* never NULL: defaults to data/ *.parquet */
    char *upstream_glob;         /* ${DIR_*} already substituted */
    char *plugin;                /* ${DIR_*} already substituted */
    ds_union_mode union_mode;
    char *row_filter;
    ds_level_list hierarchy_before; /* levels read before hierarchy's */
    ds_level_list hierarchy;        /* absent: the source's own files, one level */
    ds_level_list hierarchy_after;  /* levels read after hierarchy's */
    char *row_filter_template;
    ds_seed_list template_values;  /* extra template values (docs/building.md) */
    char *template_values_sql;     /* a query whose rows are template values */
    ds_on_empty on_empty;
    ds_on_bad_file on_bad_file;  /* a file that cannot be read */
    bool has_time_window;
    ds_time_window time_window;
    double plugin_timeout;       /* seconds a plugin may run (docs/configuration.md) */
    int line;                    /* line of the table that declares it */
} ds_file_source;

/* The keys of a [[file_sources]] table, declared once: ds_source_keys
 * drives parsing, defaults, freeing, the JSON handed to plugins
 * (plugin.c) and the unknown-key message.  python/ducksite/config.py
 * (FileSourceConfig) and docs/configuration.md list the same keys; a unit
 * test (tests/unit/test_source_keys.c) holds the three together.  Adding a
 * type without a branch in every switch over it fails to compile
 * (-Wswitch -Werror). */
typedef enum {
    DS_SKEY_IDENT,      /* string: an SQL identifier */
    DS_SKEY_TEMPLATE,   /* string: a name with one [expression] part */
    DS_SKEY_STRING,     /* string, as written */
    DS_SKEY_DIR_STRING, /* string with ${DIR_*} substituted */
    DS_SKEY_CHOICE,     /* string, one of choices; stored as the index */
    DS_SKEY_SECONDS,    /* number of seconds, above 0, at most one day */
    DS_SKEY_WINDOW,     /* the time_window table */
    DS_SKEY_SEEDS,      /* array of scalars or arrays of scalars */
    DS_SKEY_LEVELS,     /* array of tables {pattern, row_filter} */
} ds_source_key_type;

typedef struct {
    const char *name;
    ds_source_key_type type;
    size_t offset;              /* of the value in ds_file_source */
    const char *const *choices; /* DS_SKEY_CHOICE: the names, by enum value */
    size_t n_choices;
    const char *default_str;    /* a string key's value when absent (else NULL) */
    double default_num;         /* DS_SKEY_SECONDS: the value when absent */
    const char *doc;            /* one line: what it is for */
} ds_source_key;

extern const ds_source_key ds_source_keys[];
extern const size_t ds_n_source_keys;

/* A string key's value (NULL when absent), or a choice key's name; NULL
 * for the other types. */
const char *ds_source_key_text(const ds_source_key *k, const ds_file_source *fs);

/* A DS_SKEY_SECONDS key's value. */
double ds_source_key_number(const ds_source_key *k, const ds_file_source *fs);

/* [build]: how much of each page the build computes ahead (docs/building.md). */
typedef struct {
    long long prerender_max_options; /* stored states per dropdown input */
    long long prerender_max_bytes;   /* stored results per page, in bytes */
} ds_build_settings;

#define DS_DEFAULT_PRERENDER_MAX_OPTIONS 100
#define DS_DEFAULT_PRERENDER_MAX_BYTES (8LL * 1024 * 1024)

/* [serve] live_*: queries the server answers for pages with libduckdb
 * (docs/server.md, "Live queries"). */
typedef struct {
    bool enabled;             /* live_queries */
    long long timeout_ms;     /* live_timeout_ms: a query is interrupted past it */
    long long max_rows;       /* live_max_rows: a longer result is refused */
    long long max_bytes;      /* live_max_bytes: a larger result (JSON) is refused */
    long long max_concurrent; /* live_max_concurrent: more at once wait in the queue */
    long long cache_bytes;    /* live_cache_bytes: results kept, least recently used out */
    long long max_queued;     /* live_max_queued: requests waiting; one more gets 503 */
    long long queue_ms;       /* live_queue_ms: a request waiting longer gets 503 */
} ds_live_settings;

#define DS_DEFAULT_LIVE_TIMEOUT_MS 10000
#define DS_DEFAULT_LIVE_MAX_ROWS 100000
#define DS_DEFAULT_LIVE_MAX_BYTES (8LL * 1024 * 1024)
#define DS_LIVE_MAX_CONCURRENT_LIMIT 256 /* live_max_concurrent at most */
#define DS_LIVE_MAX_ROWS_LIMIT 1000000000 /* live_max_rows at most */
#define DS_DEFAULT_LIVE_MAX_CONCURRENT 4
#define DS_DEFAULT_LIVE_CACHE_BYTES (64LL * 1024 * 1024)
#define DS_DEFAULT_LIVE_MAX_QUEUED 64
#define DS_DEFAULT_LIVE_QUEUE_MS 10000

/* [serve]: settings of `ducksite serve` (docs/server.md). */
typedef struct {
    char **allowed_hosts; /* names answered besides localhost and IP addresses */
    size_t n_allowed_hosts;
    ds_live_settings live;
    /* The live_* keys other than live_queries ("live_max_rows,
     * live_queue_ms"), how many, and the first one's line (0: none):
     * serve warns that they do nothing while live_queries is off. */
    char live_key[256];
    int n_live_keys;
    int live_key_line;
} ds_serve_settings;

/* [auth]: sign-in for `ducksite serve` (docs/server.md, "Sign-in"). */
typedef struct {
    bool site;                  /* every page, SQL file and data path needs a session */
    double session_hours;       /* a session ends this long after sign-in, */
    double idle_minutes;        /* or this long after its last use */
    long long max_failures;     /* failed sign-ins per email and per address ... */
    double lockout_minutes;     /* ... within this window; then 429 until it is over */
    bool tls_proxy;             /* reached over https through a proxy: Secure cookies */
    int site_line;              /* the line of `site`, for messages (0: not set) */
} ds_auth_settings;

#define DS_DEFAULT_SESSION_HOURS 12.0
#define DS_DEFAULT_IDLE_MINUTES 120.0
#define DS_DEFAULT_MAX_FAILURES 5
#define DS_DEFAULT_LOCKOUT_MINUTES 15.0

typedef struct {
    char *root;                  /* absolute project root */
    char *path;                  /* absolute path of ducksite.toml */
    char *display_path;          /* how errors name the file */
    ds_dir *dirs;
    size_t n_dirs;
    ds_file_source *sources;
    size_t n_sources;
    ds_build_settings build;
    ds_serve_settings serve;
    ds_auth_settings auth;
} ds_config;

/* Loads ROOT/ducksite.toml.  Returns 0, or -1 with err set; on failure cfg
 * holds nothing that needs freeing. */
int ds_config_load(const char *root, ds_config *cfg, ds_err *err);

/* Parses config text; root is the project root, display_path names the
 * file in messages.  Used by ds_config_load and by tests. */
int ds_config_parse(const char *text, size_t len, const char *root,
                    const char *display_path, ds_config *cfg, ds_err *err);

void ds_config_free(ds_config *cfg);

/* The value of a [dirs] entry, or NULL. */
const char *ds_config_dir(const ds_config *cfg, const char *name);

const char *ds_union_mode_name(ds_union_mode m);
const char *ds_on_empty_name(ds_on_empty m);
const char *ds_on_bad_file_name(ds_on_bad_file m);

/* Whether TMPL is a template_name: a view name with one [expression]
 * part (the config's own and a plugin manifest's alike).  0, or -1 with
 * the reason in WHY ("expected a name with one [expression] part, ..."). */
int ds_config_template_check(const char *tmpl, char *why, size_t why_len);

#endif
