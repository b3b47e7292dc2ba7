/* config.c - ducksite.toml -> ds_config.
 *
 * The TOML tree is walked once.  Each key is checked for its type and value;
 * unknown keys are errors with a "did you mean" hint, because a misspelt key
 * that is silently ignored is the hardest configuration bug to find. */
#include "config.h"

#include <assert.h>
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../plugin/ref.h"
#include "../sql/sqltext.h"
#include "../util/fs.h"
#include "toml.h"

/* Everything the walk needs to build messages. */
typedef struct {
    const char *file;   /* display path */
    ds_err *err;
    ds_config *cfg;
} walker;

static const char *const TOP_KEYS[] = {"auth", "build", "dirs", "file_sources", "serve"};
static const char *const AUTH_KEYS[] = {"site",         "session_hours",   "idle_minutes",
                                        "max_failures", "lockout_minutes", "tls_proxy"};
static const char *const SERVE_KEYS[] = {"allowed_hosts",      "live_queries",
                                         "live_timeout_ms",    "live_max_rows",
                                         "live_max_bytes",     "live_max_concurrent",
                                         "live_cache_bytes",   "live_max_queued",
                                         "live_queue_ms"};
static const char *const BUILD_KEYS[] = {"prerender_max_bytes", "prerender_max_options"};
static const char *const WINDOW_KEYS[] = {"column", "start", "end"};
static const char *const LEVEL_KEYS[] = {"pattern", "row_filter"};
static const char *const UNION_MODES[] = {"union_all_by_name", "union_all"};
static const char *const ON_EMPTY[] = {"warn", "error"};
static const char *const ON_BAD_FILE[] = {"error", "skip"};

/* Choice keys are stored as their enum; the table writes them as int. */
_Static_assert(sizeof(ds_union_mode) == sizeof(int), "enum stored as int");
_Static_assert(sizeof(ds_on_empty) == sizeof(int), "enum stored as int");
_Static_assert(sizeof(ds_on_bad_file) == sizeof(int), "enum stored as int");

#define AT(field) offsetof(ds_file_source, field)
#define CHOICES(a) a, DS_ARRAY_LEN(a)

/* In the order the unknown-key message lists them. */
const ds_source_key ds_source_keys[] = {
    {"name", DS_SKEY_IDENT, AT(name), NULL, 0, NULL, 0,
     "the view name and the data-map folder (data/<name>/)"},
    {"template_name", DS_SKEY_TEMPLATE, AT(template_name), NULL, 0, NULL, 0,
     "one view per distinct value of the bracketed expression"},
    {"pattern", DS_SKEY_STRING, AT(pattern), NULL, 0, DS_DEFAULT_PATTERN, 0,
     "files already under static/, relative to static/"},
    {"upstream_glob", DS_SKEY_DIR_STRING, AT(upstream_glob), NULL, 0, NULL, 0,
     "files anywhere on the host"},
    {"plugin", DS_SKEY_DIR_STRING, AT(plugin), NULL, 0, NULL, 0,
     "a virtual Parquet plugin that lists the files"},
    {"union_mode", DS_SKEY_CHOICE, AT(union_mode), CHOICES(UNION_MODES), NULL, 0,
     "columns matched by name or by position"},
    {"row_filter", DS_SKEY_STRING, AT(row_filter), NULL, 0, NULL, 0,
     "an SQL predicate ANDed into every view of the source"},
    {"hierarchy_before", DS_SKEY_LEVELS, AT(hierarchy_before), NULL, 0, NULL, 0,
     "levels {pattern, row_filter} read before the hierarchy's"},
    {"hierarchy", DS_SKEY_LEVELS, AT(hierarchy), NULL, 0, NULL, 0,
     "levels {pattern, row_filter} in place of the source's own files"},
    {"hierarchy_after", DS_SKEY_LEVELS, AT(hierarchy_after), NULL, 0, NULL, 0,
     "levels {pattern, row_filter} read after the hierarchy's"},
    {"row_filter_template", DS_SKEY_STRING, AT(row_filter_template), NULL, 0, NULL, 0,
     "the predicate of each templated view"},
    {"template_values", DS_SKEY_SEEDS, AT(template_values), NULL, 0, NULL, 0,
     "template values made into views even when the data lacks them"},
    {"template_values_sql", DS_SKEY_STRING, AT(template_values_sql), NULL, 0, NULL, 0,
     "a build-time query whose rows are template values"},
    {"on_empty", DS_SKEY_CHOICE, AT(on_empty), CHOICES(ON_EMPTY), NULL, 0,
     "what to do when the source matches no file"},
    {"time_window", DS_SKEY_WINDOW, AT(time_window), NULL, 0, NULL, 0,
     "keeps rows with column >= start AND column < end"},
    {"on_bad_file", DS_SKEY_CHOICE, AT(on_bad_file), CHOICES(ON_BAD_FILE), NULL, 0,
     "what to do with a file that cannot be read as Parquet"},
    {"plugin_timeout", DS_SKEY_SECONDS, AT(plugin_timeout), NULL, 0, NULL,
     DS_DEFAULT_PLUGIN_TIMEOUT, "seconds the source's plugin may run"},
};
const size_t ds_n_source_keys = DS_ARRAY_LEN(ds_source_keys);

#undef AT
#undef CHOICES

/* The value of key k inside fs. */
static void *field_of(const ds_source_key *k, ds_file_source *fs)
{
    return (char *)fs + k->offset;
}

static const void *cfield_of(const ds_source_key *k, const ds_file_source *fs)
{
    return (const char *)fs + k->offset;
}

static const ds_source_key *source_key(const char *name)
{
    for (size_t i = 0; i < ds_n_source_keys; i++)
        if (strcmp(ds_source_keys[i].name, name) == 0)
            return &ds_source_keys[i];
    return NULL;
}

/* "path: message" at the position of a key or value. */
DS_PRINTF(5, 6)
static int fail_at(walker *w, int line, int col, const char *path, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (path && *path)
        return ds_err_set(w->err, "%s:%d:%d: %s: %s", w->file, line, col, path, msg);
    return ds_err_set(w->err, "%s:%d:%d: %s", w->file, line, col, msg);
}

static int fail_type(walker *w, const ds_toml_value *v, const char *path, const char *expected)
{
    return fail_at(w, v->line, v->col, path, "expected %s, found %s", expected,
                   ds_toml_type_describe(v->type));
}

/* The table a key unknown where it stands belongs to ("[auth]"), or NULL:
 * a key written after a later table's header lands in that table. */
static const char *home_table(const char *key, const char *const *known, size_t n_known)
{
    static const struct {
        const char *table;
        const char *const *keys;
        size_t n;
    } TABLES[] = {
        {"[auth]", AUTH_KEYS, DS_ARRAY_LEN(AUTH_KEYS)},
        {"[serve]", SERVE_KEYS, DS_ARRAY_LEN(SERVE_KEYS)},
        {"[build]", BUILD_KEYS, DS_ARRAY_LEN(BUILD_KEYS)},
    };
    for (size_t i = 0; i < n_known; i++)
        if (strcmp(known[i], key) == 0)
            return NULL;
    for (size_t t = 0; t < DS_ARRAY_LEN(TABLES); t++)
        if (TABLES[t].keys != known)
            for (size_t i = 0; i < TABLES[t].n; i++)
                if (strcmp(TABLES[t].keys[i], key) == 0)
                    return TABLES[t].table;
    if (source_key(key))
        return "[[file_sources]]";
    return NULL;
}

/* A key of table HOME written where it does not belong. */
static int misplaced_key(walker *w, const ds_toml_entry *e, const char *path, const char *home)
{
    return fail_at(w, e->line, e->col, path,
                   "unknown key '%s' here; it is a key of %s: move it under that table's "
                   "header (a key belongs to the last [table] above it)",
                   e->key, home);
}

static int unknown_key(walker *w, const ds_toml_entry *e, const char *path,
                       const char *const *known, size_t n_known)
{
    const char *home = home_table(e->key, known, n_known);
    if (home)
        return misplaced_key(w, e, path, home);
    const char *best = ds_suggest(e->key, known, n_known);
    ds_buf list = {0};
    for (size_t i = 0; i < n_known; i++)
        ds_buf_printf(&list, "%s%s", i ? ", " : "", known[i]);
    int rc;
    if (best)
        rc = fail_at(w, e->line, e->col, path, "unknown key '%s'; did you mean '%s'?", e->key,
                     best);
    else
        rc = fail_at(w, e->line, e->col, path, "unknown key '%s'; known keys: %s", e->key,
                     ds_buf_str(&list));
    ds_buf_free(&list);
    return rc;
}

static bool is_known(const char *key, const char *const *known, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(key, known[i]) == 0)
            return true;
    return false;
}

/* Letters, digits and _, not starting with a digit: a name that SQL, paths
 * and ${...} can all carry as it is.  Config keeps the name; quoting it for
 * SQL is src/sql/'s job. */
static bool is_name(const char *s)
{
    if (!(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return false;
    for (const char *p = s + 1; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_'))
            return false;
    return true;
}

static bool is_dir_name(const char *s)
{
    return ds_starts_with(s, "DIR_") && s[4] != '\0' && is_name(s);
}

/* A string value with no NUL inside, or an error. */
static int get_string(walker *w, const ds_toml_value *v, const char *path, char **out)
{
    if (v->type != DS_TOML_STRING)
        return fail_type(w, v, path, "a string");
    if (strlen(v->u.str.ptr) != v->u.str.len)
        return fail_at(w, v->line, v->col, path, "the string contains a NUL character");
    *out = ds_strdup(v->u.str.ptr);
    return 0;
}

static char *defined_dirs(const ds_config *cfg)
{
    ds_buf b = {0};
    for (size_t i = 0; i < cfg->n_dirs; i++)
        ds_buf_printf(&b, "%s%s", i ? ", " : "", cfg->dirs[i].name);
    if (cfg->n_dirs == 0)
        ds_buf_puts(&b, "(none)");
    return ds_buf_take(&b);
}

/* Replaces every ${DIR_X} in *s with its [dirs] value. */
static int substitute_dirs(walker *w, const ds_toml_value *v, const char *path, char **s)
{
    ds_buf out = {0};
    const char *p = *s;
    while (*p) {
        if (p[0] != '$' || p[1] != '{') {
            ds_buf_putc(&out, *p++);
            continue;
        }
        const char *close = strchr(p + 2, '}');
        if (!close) {
            ds_buf_free(&out);
            return fail_at(w, v->line, v->col, path, "'${' without a closing '}'");
        }
        char *name = ds_strndup(p + 2, (size_t)(close - p - 2));
        const char *value = ds_config_dir(w->cfg, name);
        if (!is_dir_name(name) || !value) {
            char *defined = defined_dirs(w->cfg);
            if (!is_dir_name(name))
                fail_at(w, v->line, v->col, path,
                        "${%s} is not allowed: only ${DIR_*} variables from [dirs] can be used "
                        "(defined: %s)",
                        name, defined);
            else
                fail_at(w, v->line, v->col, path,
                        "${%s} is not defined in [dirs] (defined: %s)", name, defined);
            free(defined);
            free(name);
            ds_buf_free(&out);
            return -1;
        }
        ds_buf_puts(&out, value);
        free(name);
        p = close + 1;
    }
    free(*s);
    *s = ds_buf_take(&out);
    return 0;
}

static int load_dirs(walker *w, const ds_toml_value *t)
{
    if (t->type != DS_TOML_TABLE)
        return fail_type(w, t, "dirs", "a table of DIR_* = \"path\" entries");
    w->cfg->dirs = ds_xcalloc(t->u.table.len, sizeof *w->cfg->dirs);
    for (size_t i = 0; i < t->u.table.len; i++) {
        const ds_toml_entry *e = &t->u.table.items[i];
        char *path = ds_asprintf("dirs.%s", e->key);
        int rc = 0;
        const char *home = is_dir_name(e->key) ? NULL : home_table(e->key, NULL, 0);
        if (home)
            rc = misplaced_key(w, e, path, home);
        else if (!is_dir_name(e->key))
            rc = fail_at(w, e->line, e->col, path,
                         "names in [dirs] must start with DIR_ and be letters, digits or _ "
                         "(e.g. DIR_LAKE), found '%s'",
                         e->key);
        char *value = NULL;
        if (rc == 0)
            rc = get_string(w, e->value, path, &value);
        if (rc == 0 && strstr(value, "${")) {
            rc = fail_at(w, e->value->line, e->value->col, path,
                         "[dirs] values are used as written, without ${...} substitution: "
                         "write the path out in full");
            free(value);
        }
        free(path);
        if (rc != 0)
            return -1;
        ds_dir *d = &w->cfg->dirs[w->cfg->n_dirs++];
        d->name = ds_strdup(e->key);
        d->value = value;
    }
    return 0;
}

/* A TOML date or date-time, kept typed. */
static int load_bound(walker *w, const ds_toml_value *v, const char *path, ds_time_bound *out)
{
    if (v->type == DS_TOML_LOCAL_DATE || v->type == DS_TOML_LOCAL_DATETIME ||
        v->type == DS_TOML_DATETIME) {
        ds_toml_datetime_format(v->type, &v->u.dt, out->text, sizeof out->text);
        char *t = strchr(out->text, 'T');
        if (t)
            *t = ' ';
        out->kind = v->type == DS_TOML_LOCAL_DATE       ? DS_TIME_DATE
                    : v->type == DS_TOML_LOCAL_DATETIME ? DS_TIME_LOCAL_DATETIME
                                                        : DS_TIME_OFFSET_DATETIME;
        return 0;
    }
    if (v->type == DS_TOML_STRING)
        return fail_at(w, v->line, v->col, path,
                       "expected a date or date-time, found a string (write it without "
                       "quotes, e.g. 2024-01-01)");
    return fail_type(w, v, path, "a date or date-time");
}

static int load_window(walker *w, const ds_toml_value *t, const char *path, ds_file_source *fs)
{
    if (t->type != DS_TOML_TABLE)
        return fail_type(w, t, path,
                         "a table like {column = \"day\", start = 2024-01-01, end = 2024-02-01}");
    ds_time_window *tw = &fs->time_window;
    fs->has_time_window = true;
    const ds_toml_value *start = NULL, *end = NULL;
    for (size_t i = 0; i < t->u.table.len; i++) {
        const ds_toml_entry *e = &t->u.table.items[i];
        char *kp = ds_asprintf("%s.%s", path, e->key);
        int rc;
        if (!is_known(e->key, WINDOW_KEYS, DS_ARRAY_LEN(WINDOW_KEYS)))
            rc = unknown_key(w, e, kp, WINDOW_KEYS, DS_ARRAY_LEN(WINDOW_KEYS));
        else if (strcmp(e->key, "column") == 0)
            rc = get_string(w, e->value, kp, &tw->column);
        else if (strcmp(e->key, "start") == 0)
            rc = load_bound(w, start = e->value, kp, &tw->start);
        else
            rc = load_bound(w, end = e->value, kp, &tw->end);
        free(kp);
        if (rc != 0)
            return -1;
    }
    if (!tw->column || !*tw->column)
        return fail_at(w, t->line, t->col, path,
                       "needs a column, e.g. {column = \"day\", start = 2024-01-01}");
    if (!start && !end)
        return fail_at(w, t->line, t->col, path, "needs a start, an end, or both");
    if (start && end && start->type == end->type) {
        char a[48], b[48];
        ds_toml_datetime_format(start->type, &start->u.dt, a, sizeof a);
        ds_toml_datetime_format(end->type, &end->u.dt, b, sizeof b);
        if (start->type != DS_TOML_DATETIME && strcmp(a, b) >= 0)
            return fail_at(w, end->line, end->col, path,
                           "end (%s) must be after start (%s): start is inclusive, end "
                           "exclusive",
                           b, a);
    }
    return 0;
}

static int load_choice(walker *w, const ds_toml_value *v, const char *path,
                       const char *const *choices, size_t n, int *out)
{
    if (v->type != DS_TOML_STRING)
        return fail_type(w, v, path, "a string");
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v->u.str.ptr, choices[i]) == 0) {
            *out = (int)i;
            return 0;
        }
    }
    ds_buf list = {0};
    for (size_t i = 0; i < n; i++)
        ds_buf_printf(&list, "%s\"%s\"", i ? " or " : "", choices[i]);
    int rc = fail_at(w, v->line, v->col, path, "expected %s, found \"%s\"", ds_buf_str(&list),
                     v->u.str.ptr);
    ds_buf_free(&list);
    return rc;
}

/* One scalar of template_values, typed as TOML typed it. */
static int load_seed_part(walker *w, const ds_toml_value *v, const char *path,
                          ds_seed_part *out)
{
    char buf[64];
    switch (v->type) {
    case DS_TOML_STRING:
        out->kind = DS_SEED_STRING;
        return get_string(w, v, path, &out->text);
    case DS_TOML_INTEGER:
        out->kind = DS_SEED_INTEGER;
        out->text = ds_asprintf("%lld", (long long)v->u.integer);
        return 0;
    case DS_TOML_FLOAT:
        out->kind = DS_SEED_FLOAT;
        /* The shortest text that reads back as the same number. */
        for (int digits = 15; digits <= 17; digits++) {
            snprintf(buf, sizeof buf, "%.*g", digits, v->u.flt);
            if (strtod(buf, NULL) == v->u.flt || v->u.flt != v->u.flt)
                break;
        }
        out->text = ds_strdup(buf);
        return 0;
    case DS_TOML_BOOL:
        out->kind = DS_SEED_BOOL;
        out->text = ds_strdup(v->u.boolean ? "true" : "false");
        return 0;
    case DS_TOML_LOCAL_DATE:
    case DS_TOML_LOCAL_DATETIME:
    case DS_TOML_DATETIME:
    case DS_TOML_LOCAL_TIME:
        out->kind = v->type == DS_TOML_LOCAL_DATE       ? DS_SEED_DATE
                    : v->type == DS_TOML_LOCAL_DATETIME ? DS_SEED_TIMESTAMP
                    : v->type == DS_TOML_DATETIME       ? DS_SEED_TIMESTAMPTZ
                                                        : DS_SEED_TIME;
        ds_toml_datetime_format(v->type, &v->u.dt, buf, sizeof buf);
        for (char *t = strchr(buf, 'T'); t; t = strchr(t, 'T'))
            *t = ' ';
        out->text = ds_strdup(buf);
        return 0;
    case DS_TOML_ARRAY:
    case DS_TOML_TABLE:
        break;
    }
    return fail_type(w, v, path, "a string, number, boolean, date or date-time");
}

/* template_values: an array whose items are scalars or arrays of scalars
 * (tuples, one part per ? of row_filter_template). */
static int load_seeds(walker *w, const ds_toml_value *v, const char *path, ds_seed_list *out)
{
    if (v->type != DS_TOML_ARRAY)
        return fail_type(w, v, path, "an array of values or of arrays of values");
    out->items = ds_xcalloc(v->u.arr.len + 1, sizeof *out->items);
    for (size_t i = 0; i < v->u.arr.len; i++) {
        const ds_toml_value *item = v->u.arr.items[i];
        char *ip = ds_asprintf("%s[%zu]", path, i);
        ds_seed *seed = &out->items[out->n++];
        int rc = 0;
        if (item->type == DS_TOML_ARRAY) {
            seed->tuple = true;
            seed->parts = ds_xcalloc(item->u.arr.len + 1, sizeof *seed->parts);
            if (item->u.arr.len == 0)
                rc = fail_at(w, item->line, item->col, ip,
                             "expected a value or a non-empty array of values, found an "
                             "empty array");
            for (size_t j = 0; j < item->u.arr.len && rc == 0; j++) {
                char *pp = ds_asprintf("%s[%zu]", ip, j);
                rc = load_seed_part(w, item->u.arr.items[j], pp, &seed->parts[seed->n++]);
                free(pp);
            }
        } else {
            seed->parts = ds_xcalloc(1, sizeof *seed->parts);
            seed->n = 1;
            rc = load_seed_part(w, item, ip, &seed->parts[0]);
        }
        free(ip);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static void free_seeds(ds_seed_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        for (size_t j = 0; j < l->items[i].n; j++)
            free(l->items[i].parts[j].text);
        free(l->items[i].parts);
    }
    free(l->items);
    memset(l, 0, sizeof *l);
}

/* One entry of hierarchy_before, hierarchy or hierarchy_after. */
static int load_level(walker *w, const ds_toml_value *t, const char *path, ds_level *out)
{
    if (t->type != DS_TOML_TABLE)
        return fail_type(w, t, path,
                         "a table like {pattern = \"data/orders/2024/*.parquet\", row_filter = "
                         "\"...\"}");
    out->line = t->line;
    for (size_t i = 0; i < t->u.table.len; i++) {
        const ds_toml_entry *e = &t->u.table.items[i];
        char *kp = ds_asprintf("%s.%s", path, e->key);
        int rc;
        if (!is_known(e->key, LEVEL_KEYS, DS_ARRAY_LEN(LEVEL_KEYS)))
            rc = unknown_key(w, e, kp, LEVEL_KEYS, DS_ARRAY_LEN(LEVEL_KEYS));
        else if (strcmp(e->key, "pattern") == 0)
            rc = get_string(w, e->value, kp, &out->pattern);
        else
            rc = get_string(w, e->value, kp, &out->row_filter);
        const char *why = rc == 0 && strcmp(e->key, "row_filter") == 0 && out->row_filter
                              ? ds_sql_expression_why(out->row_filter)
                              : NULL;
        if (why)
            rc = fail_at(w, e->value->line, e->value->col, kp,
                         "row_filter goes into the level's WHERE as one expression, in "
                         "parentheses: %s; found \"%s\"",
                         why, out->row_filter);
        if (rc == 0 && out->pattern && !*out->pattern)
            rc = fail_at(w, e->value->line, e->value->col, kp, "expected a pattern, found \"\"");
        free(kp);
        if (rc != 0)
            return -1;
    }
    if (!out->pattern)
        return fail_at(w, t->line, t->col, path,
                       "needs a pattern, matched against the source's data-map keys, e.g. "
                       "{pattern = \"data/orders/2024/*.parquet\"}");
    return 0;
}

/* hierarchy_before, hierarchy, hierarchy_after: non-empty arrays of
 * levels. */
static int load_levels(walker *w, const ds_toml_value *v, const char *path, ds_level_list *out)
{
    if (v->type != DS_TOML_ARRAY)
        return fail_type(w, v, path,
                         "an array of tables like [{pattern = \"data/orders/2024/*.parquet\"}]");
    if (v->u.arr.len == 0)
        return fail_at(w, v->line, v->col, path,
                       "expected at least one level, found an empty array; remove the key");
    out->items = ds_xcalloc(v->u.arr.len, sizeof *out->items);
    for (size_t i = 0; i < v->u.arr.len; i++) {
        char *ip = ds_asprintf("%s[%zu]", path, i);
        int rc = load_level(w, v->u.arr.items[i], ip, &out->items[out->n++]);
        free(ip);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static void free_levels(ds_level_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].pattern);
        free(l->items[i].row_filter);
    }
    free(l->items);
    memset(l, 0, sizeof *l);
}

/* One key of a [[file_sources]] table, parsed by its type in the table. */
static int load_source_key(walker *w, const ds_toml_entry *e, const ds_source_key *k,
                           const char *kp, ds_file_source *fs)
{
    const ds_toml_value *v = e->value;
    void *field = field_of(k, fs);
    char **str = field;
    switch (k->type) {
    case DS_SKEY_IDENT:
        if (get_string(w, v, kp, str) != 0)
            return -1;
        if (!is_name(*str))
            return fail_at(w, v->line, v->col, kp,
                           "expected an SQL identifier (letters, digits and _, not starting "
                           "with a digit), found \"%s\"",
                           *str);
        if (strlen(*str) > DS_VIEW_NAME_MAX)
            return fail_at(w, v->line, v->col, kp, "a name of %zu bytes; at most %d", strlen(*str),
                           DS_VIEW_NAME_MAX);
        return 0;
    case DS_SKEY_TEMPLATE: {
        if (get_string(w, v, kp, str) != 0)
            return -1;
        char why[256];
        if (ds_config_template_check(*str, why, sizeof why) != 0)
            return fail_at(w, v->line, v->col, kp, "%s", why);
        return 0;
    }
    case DS_SKEY_STRING:
        free(*str); /* the default */
        *str = NULL;
        return get_string(w, v, kp, str);
    case DS_SKEY_DIR_STRING:
        return get_string(w, v, kp, str) || substitute_dirs(w, v, kp, str);
    case DS_SKEY_CHOICE:
        return load_choice(w, v, kp, k->choices, k->n_choices, (int *)field);
    case DS_SKEY_SECONDS: {
        if (v->type != DS_TOML_INTEGER && v->type != DS_TOML_FLOAT)
            return fail_type(w, v, kp, "a number of seconds");
        double t = v->type == DS_TOML_INTEGER ? (double)v->u.integer : v->u.flt;
        if (!(t > 0 && t <= 86400)) /* also refuses nan */
            return fail_at(w, v->line, v->col, kp,
                           "expected a number of seconds above 0 and at most 86400 (one day), "
                           "found %g",
                           t);
        *(double *)field = t;
        return 0;
    }
    case DS_SKEY_WINDOW:
        return load_window(w, v, kp, fs);
    case DS_SKEY_SEEDS:
        return load_seeds(w, v, kp, field);
    case DS_SKEY_LEVELS:
        return load_levels(w, v, kp, field);
    }
    abort(); /* not a ds_source_key_type */
}

/* A source's values before its keys are read: every key absent. */
static void set_defaults(ds_file_source *fs)
{
    for (size_t i = 0; i < ds_n_source_keys; i++) {
        const ds_source_key *k = &ds_source_keys[i];
        void *field = field_of(k, fs);
        switch (k->type) {
        case DS_SKEY_IDENT:
        case DS_SKEY_TEMPLATE:
        case DS_SKEY_STRING:
        case DS_SKEY_DIR_STRING:
            *(char **)field = k->default_str ? ds_strdup(k->default_str) : NULL;
            break;
        case DS_SKEY_CHOICE:
            *(int *)field = 0; /* the first choice is the default */
            break;
        case DS_SKEY_SECONDS:
            *(double *)field = k->default_num;
            break;
        case DS_SKEY_WINDOW:
            break; /* has_time_window is false */
        case DS_SKEY_SEEDS:
            memset(field, 0, sizeof(ds_seed_list));
            break;
        case DS_SKEY_LEVELS:
            memset(field, 0, sizeof(ds_level_list));
            break;
        }
    }
}

static int unknown_source_key(walker *w, const ds_toml_entry *e, const char *path)
{
    const char *names[DS_ARRAY_LEN(ds_source_keys)];
    for (size_t i = 0; i < ds_n_source_keys; i++)
        names[i] = ds_source_keys[i].name;
    return unknown_key(w, e, path, names, ds_n_source_keys);
}

/* A key of source table T at its value's position, as an error. */
DS_PRINTF(4, 5)
static int fail_key(walker *w, const ds_toml_value *t, const char *key, const char *fmt, ...)
{
    const ds_toml_entry *e = ds_toml_find(t, key);
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char *kp = ds_asprintf("file_sources[%zu].%s", w->cfg->n_sources - 1, key);
    int rc = fail_at(w, e->value->line, e->value->col, kp, "%s", msg);
    free(kp);
    return rc;
}

/* Keys whose value the build would not use, or could not use, as given:
 * each is an error here rather than a quiet no-op later. */
static int check_source(walker *w, const ds_toml_value *t, const char *path,
                        const ds_file_source *fs)
{
    (void)path;
    if (fs->upstream_glob && !*fs->upstream_glob)
        return fail_key(w, t, "upstream_glob",
                        "expected a glob naming Parquet files, e.g. \"/srv/lake/**/*.parquet\", "
                        "found \"\"");
    if (fs->plugin) {
        ds_plugin_ref ref;
        ds_err why;
        if (ds_plugin_ref_parse(fs->plugin, &ref, &why) != 0)
            return fail_key(w, t, "plugin", "%s", why.msg);
        ds_plugin_ref_free(&ref);
    }
    if ((fs->upstream_glob || fs->plugin) && ds_toml_find(t, "pattern"))
        return fail_key(w, t, "pattern",
                        "pattern picks files under static/ for a source with neither "
                        "upstream_glob nor plugin; here %s lists the files: remove pattern, or "
                        "narrow the %s",
                        fs->upstream_glob ? "upstream_glob" : "plugin",
                        fs->upstream_glob ? "glob" : "plugin's list");
    if (ds_toml_find(t, "pattern") && strstr(fs->pattern, "${"))
        return fail_key(w, t, "pattern",
                        "[dirs] variables are substituted only in upstream_glob, plugin, "
                        "target_csv and image_dir; pattern is relative to static/: write it "
                        "out, or use upstream_glob = \"%s\"",
                        fs->pattern);
    if (fs->pattern && !*fs->pattern)
        return fail_key(w, t, "pattern",
                        "expected a glob relative to static/, e.g. \"data/*.parquet\", found "
                        "\"\"");
    /* A view is the same SQL for every reader: nothing fills a placeholder
     * in it, so ${inputs.x} would stay NULL and every query read no rows. */
    static const char *const FIXED_SQL[] = {"row_filter", "row_filter_template",
                                            "template_values_sql"};
    for (size_t i = 0; i < DS_ARRAY_LEN(FIXED_SQL); i++) {
        const ds_source_key *k = source_key(FIXED_SQL[i]);
        const char *text = *(char *const *)cfield_of(k, fs);
        if (text && strstr(text, "${") && ds_toml_find(t, FIXED_SQL[i]))
            return fail_key(w, t, FIXED_SQL[i],
                            "%s is part of the source's views, which are the same for every "
                            "page: ${...} is never filled in there; filter on inputs in the "
                            "page's query (WHERE col = ${inputs.x})",
                            FIXED_SQL[i]);
        /* A filter goes into a WHERE, in parentheses, beside others: one
         * that closes them (x) OR (TRUE) would drop the others. */
        const char *why = i < 2 && text ? ds_sql_expression_why(text) : NULL;
        if (why && ds_toml_find(t, FIXED_SQL[i]))
            return fail_key(w, t, FIXED_SQL[i],
                            "%s goes into the views' WHERE as one expression, in parentheses: "
                            "%s; found \"%s\"",
                            FIXED_SQL[i], why, text);
    }
    if (fs->template_values_sql && !*fs->template_values_sql)
        return fail_key(w, t, "template_values_sql",
                        "expected a query whose rows are template values, found \"\"");
    /* A plugin's manifest may give the template; the build checks those. */
    if (!fs->template_name && !fs->plugin && ds_toml_find(t, "row_filter_template"))
        return fail_key(w, t, "row_filter_template",
                        "row_filter_template is the predicate of each templated view, but the "
                        "source has no template_name: add template_name, or use row_filter");
    if (!fs->name) {
        /* Without a name the source only publishes files: nothing would use
         * a key that shapes its views. */
        static const char *const VIEW_KEYS[] = {
            "template_name",  "row_filter_template", "template_values", "template_values_sql",
            "row_filter",     "time_window",         "union_mode",      "hierarchy_before",
            "hierarchy",      "hierarchy_after"};
        for (size_t i = 0; i < DS_ARRAY_LEN(VIEW_KEYS); i++)
            if (ds_toml_find(t, VIEW_KEYS[i]))
                return fail_key(w, t, VIEW_KEYS[i],
                                "%s shapes the source's views, which need a name; add name = "
                                "\"...\"",
                                VIEW_KEYS[i]);
    }
    return 0;
}

static int load_source(walker *w, const ds_toml_value *t, size_t index)
{
    char *path = ds_asprintf("file_sources[%zu]", index);
    ds_file_source *fs = &w->cfg->sources[w->cfg->n_sources++];
    fs->line = t->line;
    set_defaults(fs);
    int rc = 0;
    if (t->type != DS_TOML_TABLE) {
        rc = fail_type(w, t, path, "a table");
        goto done;
    }
    for (size_t i = 0; i < t->u.table.len && rc == 0; i++) {
        const ds_toml_entry *e = &t->u.table.items[i];
        char *kp = ds_asprintf("%s.%s", path, e->key);
        const ds_source_key *k = source_key(e->key);
        if (!k)
            rc = unknown_source_key(w, e, kp);
        else
            rc = load_source_key(w, e, k, kp, fs);
        free(kp);
    }
    if (rc != 0)
        goto done;
    if (fs->upstream_glob && fs->plugin) {
        const ds_toml_entry *e = ds_toml_find(t, "plugin");
        rc = fail_at(w, e->line, e->col, path,
                     "set either upstream_glob or plugin, not both");
        goto done;
    }
    rc = check_source(w, t, path, fs);
    if (rc != 0)
        goto done;
    if (!fs->plugin && ds_toml_find(t, "plugin_timeout")) {
        const ds_toml_entry *e = ds_toml_find(t, "plugin_timeout");
        rc = fail_at(w, e->line, e->col, path,
                     "plugin_timeout applies only to a source with a plugin; remove it or add "
                     "plugin = \"...\"");
        goto done;
    }
    /* A plugin's manifest may give the template; the build checks those. */
    if (!fs->template_name && !fs->plugin) {
        const ds_toml_entry *e = ds_toml_find(t, "template_values");
        if (!e)
            e = ds_toml_find(t, "template_values_sql");
        if (e) {
            rc = fail_at(w, e->line, e->col, path,
                         "%s seeds templated views, but the source has no template_name",
                         e->key);
            goto done;
        }
    }
    if (!fs->name && (fs->upstream_glob || fs->plugin)) {
        rc = fail_at(w, t->line, t->col, path,
                     "a source with %s needs a name (its files are published under "
                     "data/<name>/)",
                     fs->upstream_glob ? "upstream_glob" : "plugin");
        goto done;
    }
    for (size_t j = 0; fs->name && j + 1 < w->cfg->n_sources; j++) {
        const ds_file_source *other = &w->cfg->sources[j];
        if (other->name && strcasecmp(other->name, fs->name) == 0) {
            const ds_toml_entry *e = ds_toml_find(t, "name");
            rc = fail_at(w, e->value->line, e->value->col, path,
                         "name \"%s\" is already used by file_sources[%zu] (line %d, as "
                         "\"%s\"); names must be unique, without regard to case as in SQL",
                         fs->name, j, other->line, other->name);
            goto done;
        }
    }
done:
    free(path);
    return rc;
}

/* [build]: non-negative integers (0 turns stored results off). */
static int load_build(walker *w, const ds_toml_value *t)
{
    if (t->type != DS_TOML_TABLE)
        return fail_type(w, t, "build", "a table");
    int rc = 0;
    for (size_t i = 0; i < t->u.table.len && rc == 0; i++) {
        const ds_toml_entry *e = &t->u.table.items[i];
        char *kp = ds_asprintf("build.%s", e->key);
        if (!is_known(e->key, BUILD_KEYS, DS_ARRAY_LEN(BUILD_KEYS))) {
            rc = unknown_key(w, e, kp, BUILD_KEYS, DS_ARRAY_LEN(BUILD_KEYS));
        } else if (e->value->type != DS_TOML_INTEGER) {
            rc = fail_type(w, e->value, kp, "a non-negative integer");
        } else if (e->value->u.integer < 0) {
            rc = fail_at(w, e->value->line, e->value->col, kp,
                         "expected a non-negative integer (%s), found %lld",
                         strcmp(e->key, "prerender_max_options") == 0
                             ? "0 stores only the page's default state"
                             : "0 stores nothing",
                         (long long)e->value->u.integer);
        } else if (strcmp(e->key, "prerender_max_options") == 0) {
            w->cfg->build.prerender_max_options = e->value->u.integer;
        } else {
            w->cfg->build.prerender_max_bytes = e->value->u.integer;
        }
        free(kp);
    }
    return rc;
}

/* A host name as a Host header carries it: letters, digits, '-' and '.'. */
static bool is_host_name(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '.'))
            return false;
    return true;
}

/* One [serve] live_* key (docs/server.md, "Live queries"). */
static int load_live(walker *w, const char *key, const ds_toml_value *v, ds_live_settings *live)
{
    char *kp = ds_asprintf("serve.%s", key);
    int rc = 0;
    /* The queue's limits may be 0: no waiting, 503 at once. */
    bool queue_key = strcmp(key, "live_max_queued") == 0 || strcmp(key, "live_queue_ms") == 0;
    if (strcmp(key, "live_queries") == 0) {
        if (v->type != DS_TOML_BOOL)
            rc = fail_type(w, v, kp, "true or false");
        else
            live->enabled = v->u.boolean;
    } else if (v->type != DS_TOML_INTEGER) {
        rc = fail_type(w, v, kp, queue_key ? "an integer, 0 or more" : "a positive integer");
    } else if (v->u.integer < (queue_key ? 0 : 1)) {
        rc = fail_at(w, v->line, v->col, kp, "expected %s, found %lld",
                     queue_key ? "an integer, 0 or more (0: no queue)" : "a positive integer",
                     (long long)v->u.integer);
    } else if (strcmp(key, "live_max_concurrent") == 0 &&
               v->u.integer > DS_LIVE_MAX_CONCURRENT_LIMIT) {
        /* Each is a thread with a DuckDB connection of its own. */
        rc = fail_at(w, v->line, v->col, kp,
                     "expected a positive integer, at most %d (each is a query thread), found "
                     "%lld",
                     DS_LIVE_MAX_CONCURRENT_LIMIT, (long long)v->u.integer);
    } else if (strcmp(key, "live_max_rows") == 0 && v->u.integer > DS_LIVE_MAX_ROWS_LIMIT) {
        rc = fail_at(w, v->line, v->col, kp,
                     "expected a positive integer, at most %d (a result's rows are held in "
                     "memory; live_max_bytes bounds them too), found %lld",
                     DS_LIVE_MAX_ROWS_LIMIT, (long long)v->u.integer);
    } else {
        long long *to = strcmp(key, "live_timeout_ms") == 0       ? &live->timeout_ms
                        : strcmp(key, "live_max_rows") == 0       ? &live->max_rows
                        : strcmp(key, "live_max_bytes") == 0      ? &live->max_bytes
                        : strcmp(key, "live_max_concurrent") == 0 ? &live->max_concurrent
                        : strcmp(key, "live_max_queued") == 0     ? &live->max_queued
                        : strcmp(key, "live_queue_ms") == 0       ? &live->queue_ms
                                                                  : &live->cache_bytes;
        *to = v->u.integer;
    }
    free(kp);
    return rc;
}

int ds_config_template_check(const char *tmpl, char *why, size_t why_len)
{
    const char *open = strchr(tmpl, '[');
    const char *close = open ? strchr(open, ']') : NULL;
    if (!open || !close || close == open + 1 || strchr(close + 1, '[') || strchr(close + 1, ']')) {
        snprintf(why, why_len,
                 "expected a name with one [expression] part, e.g. \"sales_[region]\", found "
                 "\"%s\"",
                 tmpl);
        return -1;
    }
    /* The text around the brackets, with a value in between, is a view
     * name: an SQL identifier. */
    bool ok = true;
    for (const char *c = tmpl; ok && *c; c++) {
        if (c == open) {
            c = close; /* the expression itself is SQL */
            continue;
        }
        ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || *c == '_' ||
             (*c >= '0' && *c <= '9' && c != tmpl);
    }
    size_t around = strlen(tmpl) - (size_t)(close + 1 - open);
    if (ok && around > DS_VIEW_NAME_MAX - 16) {
        snprintf(why, why_len,
                 "the text around [expression] is %zu bytes; at most %d, so that a view name "
                 "(with its value) stays within %d",
                 around, DS_VIEW_NAME_MAX - 16, DS_VIEW_NAME_MAX);
        return -1;
    }
    if (!ok) {
        snprintf(why, why_len,
                 "the text around [expression] makes the view names, so it must be letters, "
                 "digits and _ (not starting with a digit), e.g. \"sales_[region]\"; found "
                 "\"%s\"",
                 tmpl);
        return -1;
    }
    return 0;
}

/* [serve]: allowed_hosts, the names `ducksite serve` answers to besides
 * localhost and IP addresses (docs/server.md, "Host names"). */
static int load_serve(walker *w, const ds_toml_value *t)
{
    if (t->type != DS_TOML_TABLE)
        return fail_type(w, t, "serve", "a table");
    for (size_t i = 0; i < t->u.table.len; i++) {
        const ds_toml_entry *e = &t->u.table.items[i];
        if (!is_known(e->key, SERVE_KEYS, DS_ARRAY_LEN(SERVE_KEYS))) {
            char *kp = ds_asprintf("serve.%s", e->key);
            int rc = unknown_key(w, e, kp, SERVE_KEYS, DS_ARRAY_LEN(SERVE_KEYS));
            free(kp);
            return rc;
        }
        const ds_toml_value *v = e->value;
        if (strncmp(e->key, "live_", 5) == 0) {
            int rc = load_live(w, e->key, v, &w->cfg->serve.live);
            if (rc != 0)
                return rc;
            ds_serve_settings *sv = &w->cfg->serve;
            if (strcmp(e->key, "live_queries") != 0) {
                size_t used = strlen(sv->live_key);
                /* Known keys only (load_live refused others): they fit. */
                snprintf(sv->live_key + used, sizeof sv->live_key - used, "%s%s",
                         used ? ", " : "", e->key);
                if (!sv->live_key_line)
                    sv->live_key_line = v->line;
                sv->n_live_keys++;
            }
            continue;
        }
        if (v->type != DS_TOML_ARRAY)
            return fail_type(w, v, "serve.allowed_hosts",
                             "an array of host names, e.g. [\"dash.example.com\"]");
        ds_serve_settings *sv = &w->cfg->serve;
        sv->allowed_hosts = ds_xcalloc(v->u.arr.len + 1, sizeof *sv->allowed_hosts);
        for (size_t j = 0; j < v->u.arr.len; j++) {
            const ds_toml_value *h = v->u.arr.items[j];
            char *kp = ds_asprintf("serve.allowed_hosts[%zu]", j);
            char *name = NULL;
            int rc = get_string(w, h, kp, &name);
            if (rc == 0 && !is_host_name(name))
                rc = fail_at(w, h->line, h->col, kp,
                             "'%s' is not a host name: write the name alone, as in "
                             "\"dash.example.com\" (no scheme, port, path or wildcard)",
                             name);
            free(kp);
            if (rc != 0) {
                free(name);
                return rc;
            }
            sv->allowed_hosts[sv->n_allowed_hosts++] = name;
        }
    }
    return 0;
}

/* A positive number (integer or float) no larger than MAX, for durations. */
static int get_duration(walker *w, const ds_toml_value *v, const char *path, double max,
                        const char *unit, double *out)
{
    if (v->type != DS_TOML_INTEGER && v->type != DS_TOML_FLOAT)
        return fail_type(w, v, path, "a number");
    double x = v->type == DS_TOML_INTEGER ? (double)v->u.integer : v->u.flt;
    if (!(x > 0 && x <= max))
        return fail_at(w, v->line, v->col, path, "expected more than 0 and at most %g %s, found %g",
                       max, unit, x);
    *out = x;
    return 0;
}

/* [auth]: site-wide sign-in and its limits (docs/server.md, "Sign-in"). */
static int load_auth(walker *w, const ds_toml_value *t)
{
    if (t->type != DS_TOML_TABLE)
        return fail_type(w, t, "auth", "a table");
    ds_auth_settings *a = &w->cfg->auth;
    int rc = 0;
    for (size_t i = 0; i < t->u.table.len && rc == 0; i++) {
        const ds_toml_entry *e = &t->u.table.items[i];
        const ds_toml_value *v = e->value;
        char *kp = ds_asprintf("auth.%s", e->key);
        if (!is_known(e->key, AUTH_KEYS, DS_ARRAY_LEN(AUTH_KEYS))) {
            rc = unknown_key(w, e, kp, AUTH_KEYS, DS_ARRAY_LEN(AUTH_KEYS));
        } else if (strcmp(e->key, "site") == 0 || strcmp(e->key, "tls_proxy") == 0) {
            if (v->type != DS_TOML_BOOL)
                rc = fail_type(w, v, kp, "true or false");
            else if (e->key[0] == 's') {
                a->site = v->u.boolean;
                a->site_line = v->line;
            }
            else
                a->tls_proxy = v->u.boolean;
        } else if (strcmp(e->key, "session_hours") == 0) {
            rc = get_duration(w, v, kp, 8760, "hours (a year)", &a->session_hours);
        } else if (strcmp(e->key, "idle_minutes") == 0) {
            rc = get_duration(w, v, kp, 525600, "minutes (a year)", &a->idle_minutes);
        } else if (strcmp(e->key, "lockout_minutes") == 0) {
            rc = get_duration(w, v, kp, 10080, "minutes (a week)", &a->lockout_minutes);
        } else if (v->type != DS_TOML_INTEGER) {
            rc = fail_type(w, v, kp, "an integer from 1 to 1000");
        } else if (v->u.integer < 1 || v->u.integer > 1000) {
            rc = fail_at(w, v->line, v->col, kp, "expected an integer from 1 to 1000, found %lld",
                         (long long)v->u.integer);
        } else {
            a->max_failures = v->u.integer;
        }
        free(kp);
    }
    return rc;
}

static int load_sources(walker *w, const ds_toml_value *v)
{
    if (v->type != DS_TOML_ARRAY)
        return fail_type(w, v, "file_sources",
                         "an array of tables (write each source as [[file_sources]])");
    w->cfg->sources = ds_xcalloc(v->u.arr.len, sizeof *w->cfg->sources);
    for (size_t i = 0; i < v->u.arr.len; i++)
        if (load_source(w, v->u.arr.items[i], i) != 0)
            return -1;
    return 0;
}

int ds_config_parse(const char *text, size_t len, const char *root, const char *display_path,
                    ds_config *cfg, ds_err *err)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->root = ds_path_abs(root);
    cfg->path = ds_path_join(cfg->root, DS_CONFIG_FILE);
    cfg->display_path = ds_strdup(display_path);
    walker w = {display_path, err, cfg};
    cfg->build.prerender_max_options = DS_DEFAULT_PRERENDER_MAX_OPTIONS;
    cfg->build.prerender_max_bytes = DS_DEFAULT_PRERENDER_MAX_BYTES;
    cfg->serve.live = (ds_live_settings){false,
                                         DS_DEFAULT_LIVE_TIMEOUT_MS,
                                         DS_DEFAULT_LIVE_MAX_ROWS,
                                         DS_DEFAULT_LIVE_MAX_BYTES,
                                         DS_DEFAULT_LIVE_MAX_CONCURRENT,
                                         DS_DEFAULT_LIVE_CACHE_BYTES,
                                         DS_DEFAULT_LIVE_MAX_QUEUED,
                                         DS_DEFAULT_LIVE_QUEUE_MS};
    cfg->auth.session_hours = DS_DEFAULT_SESSION_HOURS;
    cfg->auth.idle_minutes = DS_DEFAULT_IDLE_MINUTES;
    cfg->auth.max_failures = DS_DEFAULT_MAX_FAILURES;
    cfg->auth.lockout_minutes = DS_DEFAULT_LOCKOUT_MINUTES;

    ds_toml_error terr;
    ds_toml_value *doc = ds_toml_parse(text, len, &terr);
    if (!doc) {
        ds_err_set(err, "%s:%d:%d: %s", display_path, terr.line, terr.col, terr.msg);
        ds_config_free(cfg);
        return -1;
    }
    int rc = 0;
    /* [dirs] first: file sources refer to it wherever it is written. */
    const ds_toml_entry *dirs = ds_toml_find(doc, "dirs");
    if (dirs)
        rc = load_dirs(&w, dirs->value);
    for (size_t i = 0; i < doc->u.table.len && rc == 0; i++) {
        const ds_toml_entry *e = &doc->u.table.items[i];
        if (!is_known(e->key, TOP_KEYS, DS_ARRAY_LEN(TOP_KEYS)))
            rc = unknown_key(&w, e, e->key, TOP_KEYS, DS_ARRAY_LEN(TOP_KEYS));
        else if (strcmp(e->key, "file_sources") == 0)
            rc = load_sources(&w, e->value);
        else if (strcmp(e->key, "build") == 0)
            rc = load_build(&w, e->value);
        else if (strcmp(e->key, "serve") == 0)
            rc = load_serve(&w, e->value);
        else if (strcmp(e->key, "auth") == 0)
            rc = load_auth(&w, e->value);
    }
    ds_toml_free(doc);
    if (rc != 0)
        ds_config_free(cfg);
    return rc;
}

int ds_config_load(const char *root, ds_config *cfg, ds_err *err)
{
    memset(cfg, 0, sizeof *cfg);
    char *abs = ds_path_abs(root);
    char *path = ds_path_join(abs, DS_CONFIG_FILE);
    char *display = strcmp(root, ".") == 0 ? ds_strdup(DS_CONFIG_FILE)
                                           : ds_path_join(root, DS_CONFIG_FILE);
    int rc = -1;
    if (ds_is_file(abs)) {
        char *folder = ds_path_dirname(root);
        ds_err_set(err, "--root takes the project's folder, and %s is a file: give --root %s",
                   root, folder);
        free(folder);
        goto done;
    }
    if (!ds_is_file(path)) {
        ds_err_set(err,
                   "no %s in %s (looked for %s); run 'ducksite init%s%s' to create a "
                   "project there",
                   DS_CONFIG_FILE, abs, path, strcmp(root, ".") ? " --root " : "",
                   strcmp(root, ".") ? root : "");
        goto done;
    }
    size_t len;
    char *text = ds_read_file(path, &len, err);
    if (!text)
        goto done;
    rc = ds_config_parse(text, len, abs, display, cfg, err);
    free(text);
done:
    free(abs);
    free(path);
    free(display);
    return rc;
}

void ds_config_free(ds_config *cfg)
{
    for (size_t i = 0; i < cfg->n_dirs; i++) {
        free(cfg->dirs[i].name);
        free(cfg->dirs[i].value);
    }
    for (size_t i = 0; i < cfg->n_sources; i++) {
        ds_file_source *fs = &cfg->sources[i];
        for (size_t j = 0; j < ds_n_source_keys; j++) {
            const ds_source_key *k = &ds_source_keys[j];
            switch (k->type) {
            case DS_SKEY_IDENT:
            case DS_SKEY_TEMPLATE:
            case DS_SKEY_STRING:
            case DS_SKEY_DIR_STRING:
                free(*(char **)field_of(k, fs));
                break;
            case DS_SKEY_CHOICE:
            case DS_SKEY_SECONDS:
                break;
            case DS_SKEY_WINDOW: {
                ds_time_window *tw = field_of(k, fs);
                free(tw->column);
                break;
            }
            case DS_SKEY_SEEDS:
                free_seeds(field_of(k, fs));
                break;
            case DS_SKEY_LEVELS:
                free_levels(field_of(k, fs));
                break;
            }
        }
    }
    for (size_t i = 0; i < cfg->serve.n_allowed_hosts; i++)
        free(cfg->serve.allowed_hosts[i]);
    free(cfg->serve.allowed_hosts);
    free(cfg->dirs);
    free(cfg->sources);
    free(cfg->root);
    free(cfg->path);
    free(cfg->display_path);
    memset(cfg, 0, sizeof *cfg);
}

const char *ds_config_dir(const ds_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_dirs; i++)
        if (strcmp(cfg->dirs[i].name, name) == 0)
            return cfg->dirs[i].value;
    return NULL;
}

const char *ds_union_mode_name(ds_union_mode m)
{
    return UNION_MODES[m];
}

const char *ds_on_empty_name(ds_on_empty m)
{
    return ON_EMPTY[m];
}

const char *ds_on_bad_file_name(ds_on_bad_file m)
{
    return ON_BAD_FILE[m];
}

const char *ds_source_key_text(const ds_source_key *k, const ds_file_source *fs)
{
    const void *field = cfield_of(k, fs);
    switch (k->type) {
    case DS_SKEY_IDENT:
    case DS_SKEY_TEMPLATE:
    case DS_SKEY_STRING:
    case DS_SKEY_DIR_STRING:
        return *(char *const *)field;
    case DS_SKEY_CHOICE:
        return k->choices[*(const int *)field];
    case DS_SKEY_SECONDS:
    case DS_SKEY_WINDOW:
    case DS_SKEY_SEEDS:
    case DS_SKEY_LEVELS:
        return NULL;
    }
    abort(); /* not a ds_source_key_type */
}

double ds_source_key_number(const ds_source_key *k, const ds_file_source *fs)
{
    assert(k->type == DS_SKEY_SECONDS);
    return *(const double *)cfield_of(k, fs);
}
