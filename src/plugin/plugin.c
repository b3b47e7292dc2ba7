/* plugin.c - running virtual Parquet plugins and normalising what they
 * return (see plugin.h).  The kinds differ only in how the manifest is
 * obtained: a long-lived Python host process, a one-shot executable, or a
 * dlopen'ed shared object. */
#include "plugin.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../config/layout.h"
#include "../datamap/servable.h"
#include "../sql/timewindow.h"
#include "../util/fs.h"
#include "../util/proc.h"
#include "../util/utf8.h"
#include "native.h"
#include "ref.h"

struct ds_plugin_session {
    bool started;
    ds_proc python;
    char *python_exe;
};

ds_plugin_session *ds_plugin_session_new(void)
{
    return ds_xcalloc(1, sizeof(ds_plugin_session));
}

void ds_plugin_session_free(ds_plugin_session *s)
{
    if (!s)
        return;
    if (s->started)
        ds_proc_finish(&s->python);
    free(s->python_exe);
    free(s);
}

void ds_manifest_free(ds_manifest *m)
{
    for (size_t i = 0; i < m->n_files; i++) {
        free(m->files[i].key);
        free(m->files[i].path);
        free(m->files[i].row_filter);
    }
    free(m->files);
    free(m->template_name);
    free(m->row_filter_template);
    memset(m, 0, sizeof *m);
}

/* ---- what plugins are given ------------------------------------------- */

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

char *ds_plugin_filter_expr(const ds_file_source *fs)
{
    char *window = ds_sql_time_window(fs);
    char *out;
    if (fs->row_filter && window)
        out = ds_asprintf("(%s) AND (%s)", fs->row_filter, window);
    else
        out = ds_strdup(fs->row_filter ? fs->row_filter : window);
    free(window);
    return out;
}

/* A template_values part as JSON: numbers and booleans as such, strings,
 * dates and times as their text. */
static json_t *seed_part_json(const ds_seed_part *p)
{
    switch (p->kind) {
    case DS_SEED_INTEGER:
        return json_integer((json_int_t)strtoll(p->text, NULL, 10));
    case DS_SEED_FLOAT:
        return json_real(strtod(p->text, NULL));
    case DS_SEED_BOOL:
        return json_boolean(strcmp(p->text, "true") == 0);
    case DS_SEED_STRING:
    case DS_SEED_DATE:
    case DS_SEED_TIMESTAMP:
    case DS_SEED_TIMESTAMPTZ:
    case DS_SEED_TIME:
        break;
    }
    return json_string(p->text);
}

/* template_values as a JSON array (tuples as arrays), or null. */
static json_t *seeds_json(const ds_seed_list *l)
{
    if (!l->items)
        return json_null();
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++) {
        const ds_seed *s = &l->items[i];
        if (!s->tuple) {
            json_array_append_new(a, seed_part_json(&s->parts[0]));
            continue;
        }
        json_t *t = json_array();
        for (size_t j = 0; j < s->n; j++)
            json_array_append_new(t, seed_part_json(&s->parts[j]));
        json_array_append_new(a, t);
    }
    return a;
}

/* hierarchy levels as [{"pattern": ..., "row_filter": ... or null}], or
 * null when the key is absent. */
static json_t *levels_json(const ds_level_list *l)
{
    if (!l->items)
        return json_null();
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(a, json_pack("{s:s, s:o}", "pattern", l->items[i].pattern,
                                           "row_filter", str_or_null(l->items[i].row_filter)));
    return a;
}

/* One source as plugins see it: every key of the table (config.h), absent
 * ones as their default or null. */
static json_t *source_json(const ds_file_source *s)
{
    json_t *o = json_object();
    for (size_t i = 0; i < ds_n_source_keys; i++) {
        const ds_source_key *k = &ds_source_keys[i];
        json_t *v = NULL;
        switch (k->type) {
        case DS_SKEY_IDENT:
        case DS_SKEY_TEMPLATE:
        case DS_SKEY_STRING:
        case DS_SKEY_DIR_STRING:
        case DS_SKEY_CHOICE:
            v = str_or_null(ds_source_key_text(k, s));
            break;
        case DS_SKEY_SECONDS:
            v = json_real(ds_source_key_number(k, s));
            break;
        case DS_SKEY_SEEDS:
            v = seeds_json((const ds_seed_list *)((const char *)s + k->offset));
            break;
        case DS_SKEY_LEVELS:
            v = levels_json((const ds_level_list *)((const char *)s + k->offset));
            break;
        case DS_SKEY_WINDOW:
            v = json_null();
            if (s->has_time_window) {
                /* The bounds as typed SQL literals ("DATE '2024-01-01'"). */
                char *start = ds_sql_time_literal(&s->time_window.start);
                char *end = ds_sql_time_literal(&s->time_window.end);
                v = json_pack("{s:s, s:o, s:o}", "column", s->time_window.column, "start",
                              str_or_null(start), "end", str_or_null(end));
                free(start);
                free(end);
            }
            break;
        }
        json_object_set_new(o, k->name, v);
    }
    return o;
}

char *ds_plugin_config_json(const ds_config *cfg, const ds_file_source *fs,
                            ds_plugin_earlier earlier)
{
    json_t *dirs = json_object();
    for (size_t i = 0; i < cfg->n_dirs; i++)
        json_object_set_new(dirs, cfg->dirs[i].name, json_string(cfg->dirs[i].value));
    json_t *sources = json_array();
    for (size_t i = 0; i < cfg->n_sources; i++)
        json_array_append_new(sources, source_json(&cfg->sources[i]));
    char *content = ds_path_join(cfg->root, DS_CONTENT_DIR);
    char *sql = ds_path_join(cfg->root, DS_SOURCES_SQL_DIR);
    char *site = ds_path_join(cfg->root, DS_STATIC_DIR);
    char *filter = ds_plugin_filter_expr(fs);
    json_t *project = json_pack("{s:s, s:o, s:o, s:s, s:s, s:s}", "root", cfg->root, "dirs",
                                dirs, "file_sources", sources, "content_dir", content,
                                "sources_sql_dir", sql, "site_root", site);
    char *project_text = json_dumps(project, JSON_COMPACT);
    json_decref(project);
    /* The earlier sources' files (100,000 entries and more) are spliced in
     * as text: parsing them into objects only to print them again cost
     * hundreds of megabytes. */
    ds_buf doc = {0};
    ds_buf_puts(&doc, "{\"project\":");
    ds_buf_add(&doc, project_text, strlen(project_text) - 1); /* without its '}' */
    ds_buf_puts(&doc, ",\"build_file_sources\":");
    ds_buf_puts(&doc, earlier ? earlier : "{}");
    ds_buf_puts(&doc, "},\"source\":");
    if (fs->name)
        ds_buf_json_string(&doc, fs->name);
    else
        ds_buf_puts(&doc, "null");
    ds_buf_puts(&doc, ",\"filter_expr\":");
    if (filter)
        ds_buf_json_string(&doc, filter);
    else
        ds_buf_puts(&doc, "null");
    ds_buf_putc(&doc, '}');
    free(project_text);
    free(content);
    free(sql);
    free(site);
    free(filter);
    return ds_buf_take(&doc);
}

/* ---- from raw entries to a manifest ------------------------------------ */

char *ds_plugin_http_key(const char *http_path, const char *source, const char **why)
{
    char *p = ds_strdup(http_path);
    for (char *c = p; *c; c++)
        if (*c == '\\')
            *c = '/';
    *why = NULL;
    if (!*p)
        *why = "it is empty";
    else if (p[0] == '/' || (isalpha((unsigned char)p[0]) && p[1] == ':'))
        *why = "it is absolute";
    for (const unsigned char *c = (const unsigned char *)p; *c && !*why; c++)
        if (*c < 0x20 || *c == 0x7f)
            *why = "it contains a control character";
    for (const char *seg = p; !*why;) {
        const char *end = strchr(seg, '/');
        size_t len = end ? (size_t)(end - seg) : strlen(seg);
        if (len == 0)
            *why = "it has an empty path segment";
        else if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
            *why = "it has a '.' or '..' segment";
        if (!end)
            break;
        seg = end + 1;
    }
    if (*why) {
        free(p);
        return NULL;
    }
    if (ds_starts_with(p, "data/"))
        return p;
    char *key = source ? ds_asprintf("data/%s/%s", source, p) : ds_asprintf("data/%s", p);
    free(p);
    return key;
}

static const char *const MANIFEST_KEYS[] = {"files", "template_name", "row_filter_template"};
static const char *const FILE_KEYS[] = {"http_path", "physical_path", "row_filter"};

/* A key the manifest format does not know is an error, not ignored: a
 * misspelt "row_fliter" would otherwise publish every row the plugin meant
 * to leave out, and a misspelt "templte_name" would drop the templated
 * views without a word.  WHERE names the object ("files[3]" or "the
 * manifest"). */
static int check_keys(json_t *obj, const char *where, const char *const *known, size_t n,
                      ds_buf *why)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        bool ok = false;
        for (size_t i = 0; i < n && !ok; i++)
            ok = strcmp(key, known[i]) == 0;
        if (ok)
            continue;
        ds_buf_printf(why, "%s has an unknown key ", where);
        ds_buf_json_string(why, key);
        const char *best = ds_suggest(key, known, n);
        if (best) {
            ds_buf_puts(why, "; did you mean ");
            ds_buf_json_string(why, best);
            ds_buf_puts(why, "?");
        } else {
            ds_buf_puts(why, "; the known keys are");
            for (size_t i = 0; i < n; i++) {
                ds_buf_puts(why, i == 0 ? " " : i + 1 < n ? ", " : " and ");
                ds_buf_json_string(why, known[i]);
            }
        }
        return -1;
    }
    return 0;
}

/* The manifest as JSON ({"files": [...], "template_name"?, ...}) -> raw
 * entries, checked for keys and types. */
static int manifest_from_json(json_t *doc, ds_manifest *out, ds_buf *why)
{
    memset(out, 0, sizeof *out);
    if (!json_is_object(doc)) {
        ds_buf_puts(why, "the manifest is not a JSON object");
        return -1;
    }
    if (check_keys(doc, "the manifest", MANIFEST_KEYS, DS_ARRAY_LEN(MANIFEST_KEYS), why) != 0)
        return -1;
    json_t *files = json_object_get(doc, "files");
    if (!json_is_array(files)) {
        ds_buf_puts(why, "the manifest has no \"files\" array");
        return -1;
    }
    out->files = ds_xcalloc(json_array_size(files) + 1, sizeof *out->files);
    size_t i;
    json_t *f;
    json_array_foreach(files, i, f)
    {
        json_t *http = json_object_get(f, "http_path");
        json_t *phys = json_object_get(f, "physical_path");
        json_t *rf = json_object_get(f, "row_filter");
        if (!json_is_string(http) || !json_is_string(phys) ||
            (rf && !json_is_string(rf) && !json_is_null(rf))) {
            ds_buf_printf(why, "files[%zu] needs string http_path and physical_path (and an "
                               "optional string row_filter)",
                          i);
            return -1;
        }
        char where[48];
        snprintf(where, sizeof where, "files[%zu]", i);
        if (check_keys(f, where, FILE_KEYS, DS_ARRAY_LEN(FILE_KEYS), why) != 0)
            return -1;
        ds_manifest_file *m = &out->files[out->n_files++];
        m->key = ds_strdup(json_string_value(http));
        m->path = ds_strdup(json_string_value(phys));
        m->row_filter = json_is_string(rf) && *json_string_value(rf)
                            ? ds_strdup(json_string_value(rf))
                            : NULL;
    }
    const char *keys[] = {"template_name", "row_filter_template"};
    char **dest[] = {&out->template_name, &out->row_filter_template};
    for (size_t k = 0; k < 2; k++) {
        json_t *v = json_object_get(doc, keys[k]);
        if (v && !json_is_null(v) && !json_is_string(v)) {
            ds_buf_printf(why, "%s must be a string or null", keys[k]);
            return -1;
        }
        if (json_is_string(v) && *json_string_value(v))
            *dest[k] = ds_strdup(json_string_value(v));
    }
    return 0;
}

/* Raw http_path/physical_path -> data-map key and absolute path (relative
 * paths are taken from ROOT). */
static int normalise(const char *root, const char *source, ds_manifest *m, ds_buf *why)
{
    for (size_t i = 0; i < m->n_files; i++) {
        ds_manifest_file *f = &m->files[i];
        const char *bad;
        char *key = ds_plugin_http_key(f->key, source, &bad);
        if (!key) {
            ds_buf_printf(why, "files[%zu].http_path ", i);
            ds_buf_json_string(why, f->key); /* shows control characters escaped */
            ds_buf_printf(why, " is not allowed: %s", bad);
            return -1;
        }
        const char *dead = ds_servable_why(key);
        if (dead) {
            ds_buf_printf(why, "files[%zu].http_path ", i);
            ds_buf_json_string(why, f->key);
            ds_buf_puts(why, " would be published as ");
            ds_buf_json_string(why, key);
            ds_buf_printf(why, ", which can never be served: %s; give it another http_path",
                          dead);
            free(key);
            return -1;
        }
        if (ds_servable_has_placeholder(key, f->path)) {
            bool in_key = strstr(key, "${") != NULL;
            ds_buf_printf(why, "files[%zu].%s ", i, in_key ? "http_path" : "physical_path");
            ds_buf_json_string(why, in_key ? f->key : f->path);
            ds_buf_puts(why, " holds \"${\", " DS_PLACEHOLDER_IN_NAME "; give it ");
            ds_buf_puts(why, in_key ? "another http_path"
                                    : "a path without it (a symbolic link to the file, say)");
            free(key);
            return -1;
        }
        if (!ds_utf8_valid(f->path, strlen(f->path))) {
            /* data_map.json and the SQL hold UTF-8 only: the server would
             * refuse the map, DuckDB the path. */
            ds_buf_printf(why, "files[%zu].physical_path ", i);
            ds_buf_json_string(why, f->path);
            ds_buf_puts(why, " is not valid UTF-8 (a file name in another encoding): the data "
                             "map and the SQL hold UTF-8 only; rename the file (convmv -f "
                             "latin1 -t utf8 --notest -r DIR), or leave it out of the manifest");
            free(key);
            return -1;
        }
        free(f->key);
        f->key = key;
        if (!*f->path) {
            ds_buf_printf(why, "files[%zu].physical_path is empty", i);
            return -1;
        }
        char *joined = ds_path_join(root, f->path);
        free(f->path);
        f->path = ds_path_abs(joined);
        free(joined);
    }
    return 0;
}

/* ---- limits --------------------------------------------------------------- */

/* Why we stopped a plugin, and what to do about it. */
static void describe_stop(ds_buf *why, ds_proc_stop stop, const ds_file_source *fs)
{
    if (stop == DS_PROC_TIMED_OUT)
        ds_buf_printf(why,
                      "the plugin did not finish within %g s (plugin_timeout), so it and every "
                      "process it started were killed; make it faster, or raise plugin_timeout "
                      "for this source",
                      fs->plugin_timeout);
    else if (stop == DS_PROC_TOO_MUCH_OUTPUT)
        ds_buf_printf(why,
                      "the plugin printed more than %zu MiB, the most a manifest may be, so it "
                      "and every process it started were killed; print only the manifest, and "
                      "split a bigger one over several sources",
                      DS_PLUGIN_MAX_OUTPUT >> 20);
    else
        ds_buf_puts(why, "stopped by a signal (SIGINT, SIGTERM or SIGHUP) while the plugin ran; "
                         "it and every process it started were killed");
}

int ds_plugin_manifest_parse(const char *text, size_t len, const char *root,
                             const char *source, ds_manifest *out, ds_buf *why)
{
    json_error_t jerr;
    /* A key given twice (two http_path of one entry) would be read as
     * either: refused, as unknown keys are. */
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    int rc = -1;
    memset(out, 0, sizeof *out);
    if (!doc)
        ds_buf_printf(why, "the plugin printed invalid JSON (%s at line %d)", jerr.text,
                      jerr.line);
    else if (manifest_from_json(doc, out, why) == 0)
        rc = normalise(root, source, out, why);
    json_decref(doc);
    if (rc != 0)
        ds_manifest_free(out);
    return rc;
}

/* ---- Python ------------------------------------------------------------ */

static const char *python_executable(char **owned)
{
    const char *env = getenv("DUCKSITE_PYTHON");
    if (env && *env)
        return env;
    const char *venv = getenv("VIRTUAL_ENV");
    if (venv && *venv) {
        *owned = ds_asprintf("%s/bin/python", venv);
        if (access(*owned, X_OK) == 0)
            return *owned;
        free(*owned);
        *owned = NULL;
    }
    return "python3";
}

/* Where the `ducksite` Python package lives: $DUCKSITE_PYTHONPATH, else the
 * source tree the binary was built from. */
static const char *python_package_dir(void)
{
    const char *env = getenv("DUCKSITE_PYTHONPATH");
    return env && *env ? env : DS_SOURCE_DIR "/python";
}

/* The host cannot start without the package: say where it was looked for
 * (an import error would read like a broken interpreter). */
static int check_python_package(ds_buf *why)
{
    const char *dir = python_package_dir();
    char *host = ds_path_join(dir, "ducksite/_host.py");
    int rc = 0;
    if (!ds_is_file(host)) {
        const char *env = getenv("DUCKSITE_PYTHONPATH");
        if (env && *env)
            ds_buf_printf(why, "DUCKSITE_PYTHONPATH is %s, which holds no ducksite package (%s "
                               "does not exist); set it to the folder that holds ducksite/ "
                               "(python/ in Ducksite's source tree), or unset it",
                          dir, host);
        else
            ds_buf_printf(why, "the ducksite Python package is not in %s, where this Ducksite "
                               "was built (%s does not exist); set DUCKSITE_PYTHONPATH to the "
                               "folder that holds ducksite/ (python/ in Ducksite's source tree)",
                          dir, host);
        rc = -1;
    }
    free(host);
    return rc;
}

static int start_python(ds_plugin_session *s, const ds_config *cfg, const ds_file_source *fs,
                        ds_buf *why)
{
    if (check_python_package(why) != 0)
        return -1;
    const char *exe = python_executable(&s->python_exe);
    /* The version is checked before anything is imported, in syntax every
     * Python reads, so that an old interpreter is named as such. */
    static const char BOOT[] =
        "import sys\n"
        "if sys.version_info < (3, 9):\n"
        "    sys.stdout.write('{\"too_old\": \"%d.%d\"}\\n' % tuple(sys.version_info[:2]))\n"
        "    sys.exit(1)\n"
        "sys.path[0:1] = [sys.argv[1]]\n"
        "from ducksite._host import main\n"
        "main()\n";
    char *argv[] = {(char *)exe, "-u", "-c", (char *)BOOT, (char *)python_package_dir(), NULL};
    ds_err err;
    if (ds_proc_spawn(argv, cfg->root, NULL, &s->python, &err) != 0) {
        ds_buf_printf(why, "cannot start Python (%s): %s; set DUCKSITE_PYTHON to a Python 3.9+ "
                           "interpreter",
                      exe, err.msg);
        return -1;
    }
    /* Starting Python is not the plugin's time: it has its own limit, so
     * that a short plugin_timeout holds on a busy machine too. */
    ds_proc_limit(&s->python, DS_PLUGIN_PYTHON_START_TIMEOUT, DS_PLUGIN_MAX_OUTPUT);
    char *hello = NULL;
    json_t *doc = NULL;
    if (ds_proc_read_line(&s->python, &hello) == 0)
        doc = json_loads(hello, 0, NULL);
    free(hello);
    if (!json_object_get(doc, "hello")) {
        const char *old = json_string_value(json_object_get(doc, "too_old"));
        if (old) {
            ds_proc_finish(&s->python);
            ds_buf_printf(why, "%s is Python %s, and plugins need Python 3.9 or later; set "
                               "DUCKSITE_PYTHON to one",
                          exe, old);
            json_decref(doc);
            return -1;
        }
        json_decref(doc);
        if (s->python.stop == DS_PROC_TIMED_OUT) {
            ds_proc_finish(&s->python);
            ds_buf_printf(why, "the Python plugin host (%s) did not start within %d s; check "
                               "DUCKSITE_PYTHON",
                          exe, (int)DS_PLUGIN_PYTHON_START_TIMEOUT);
            return -1;
        }
        if (s->python.stop) {
            ds_proc_finish(&s->python);
            describe_stop(why, s->python.stop, fs);
            return -1;
        }
        char *st = ds_proc_describe_status(ds_proc_finish(&s->python));
        ds_buf_printf(why, "the Python plugin host did not start with %s (it %s); see what it "
                           "printed above, and check that it is Python 3.9 or later (set "
                           "DUCKSITE_PYTHON)",
                      exe, st);
        free(st);
        return -1;
    }
    json_decref(doc);
    s->started = true;
    return 0;
}

/* Undoes the host's escaping of one tab-separated field, in place. */
static char *unescape_field(char *f)
{
    char *out = f;
    for (char *p = f; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            *out++ = *p == 't' ? '\t' : *p == 'n' ? '\n' : *p == 'r' ? '\r' : *p;
        } else {
            *out++ = *p;
        }
    }
    *out = '\0';
    return f;
}

/* The Python host failed mid-request: it is ended (killed if we stopped
 * it), and the next plugin starts a new one. */
static int python_failed(ds_plugin_session *s, const ds_file_source *fs, ds_buf *why,
                         const char *what)
{
    ds_proc_stop stop = s->python.stop;
    char *st = ds_proc_describe_status(ds_proc_finish(&s->python));
    s->started = false;
    if (stop)
        describe_stop(why, stop, fs);
    else
        ds_buf_printf(why, "the Python plugin process %s (it %s)", what, st);
    free(st);
    return -1;
}

/* Reads the answer's file lines into out.  -1 when the host stops
 * answering, -2 for a malformed line (a bug: the host escapes every
 * field). */
static int read_file_lines(ds_proc *p, size_t n, ds_manifest *out)
{
    out->files = ds_xcalloc(n + 1, sizeof *out->files);
    for (size_t i = 0; i < n; i++) {
        char *line;
        if (ds_proc_read_line(p, &line) != 0)
            return -1;
        char *tab1 = strchr(line, '\t');
        char *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
        if (!tab2) {
            free(line);
            return -2;
        }
        *tab1 = *tab2 = '\0';
        ds_manifest_file *f = &out->files[out->n_files++];
        f->key = ds_strdup(unescape_field(line));
        f->path = ds_strdup(unescape_field(tab1 + 1));
        f->row_filter = tab2[1] ? ds_strdup(unescape_field(tab2 + 1)) : NULL;
        free(line);
    }
    return 0;
}

static int run_python(ds_plugin_session *s, const ds_config *cfg, const ds_file_source *fs,
                      ds_plugin_earlier earlier, const ds_plugin_ref *ref, ds_manifest *out,
                      ds_buf *why)
{
    if (!s->started && start_python(s, cfg, fs, why) != 0)
        return -1;
    char *path = ds_path_join(cfg->root, ref->target);
    char *abs = ds_path_abs(path);
    json_t *req = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kind",
                            ref->kind == DS_PLUGIN_PY_FILE ? "file" : "module", "target",
                            ref->target, "path", abs, "callable", ds_plugin_ref_callable(ref),
                            "ref", fs->plugin, "root", cfg->root);
    char *req_text = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    free(path);
    free(abs);
    /* One line: the request's own keys, then project, source and
     * filter_expr, joined as text (see ds_plugin_config_json). */
    char *config = ds_plugin_config_json(cfg, fs, earlier);
    ds_buf msg = {0};
    ds_buf_add(&msg, req_text, strlen(req_text) - 1); /* without its '}' */
    ds_buf_putc(&msg, ',');
    ds_buf_puts(&msg, config + 1);
    ds_buf_putc(&msg, '\n');
    free(req_text);
    free(config);
    char *answer = NULL;
    /* Each plugin has its own time, from its request on. */
    ds_proc_limit(&s->python, fs->plugin_timeout, DS_PLUGIN_MAX_OUTPUT);
    int rc = ds_proc_write(&s->python, msg.data, msg.len);
    ds_buf_free(&msg);
    if (rc == 0)
        rc = ds_proc_read_line(&s->python, &answer);
    if (rc != 0)
        return python_failed(s, fs, why, "died while running it");
    json_t *head = json_loads(answer, 0, NULL);
    free(answer);
    rc = -1;
    if (!json_is_true(json_object_get(head, "ok"))) {
        const char *e = json_string_value(json_object_get(head, "error"));
        ds_buf_puts(why, e ? e : "the plugin host gave no answer");
    } else if ((rc = read_file_lines(&s->python, (size_t)json_integer_value(
                                                         json_object_get(head, "files")),
                                     out)) != 0) {
        if (rc == -2)
            ds_buf_puts(why, "the Python plugin host sent a malformed line");
        else
            python_failed(s, fs, why, "stopped in the middle of its answer");
        rc = -1;
    } else {
        const char *tn = json_string_value(json_object_get(head, "template_name"));
        const char *rft = json_string_value(json_object_get(head, "row_filter_template"));
        out->template_name = tn && *tn ? ds_strdup(tn) : NULL;
        out->row_filter_template = rft && *rft ? ds_strdup(rft) : NULL;
        rc = 0;
    }
    json_decref(head);
    return rc;
}

/* ---- executables --------------------------------------------------------- */

static json_t *run_executable(const ds_config *cfg, const ds_file_source *fs,
                              ds_plugin_earlier earlier, const ds_plugin_ref *ref, ds_buf *why)
{
    char *path = ds_path_join(cfg->root, ref->target);
    char *abs = ds_path_abs(path);
    free(path);
    json_t *doc = NULL;
    if (!ds_is_file(abs) || access(abs, X_OK) != 0) {
        ds_buf_printf(why, "%s: %s", ds_is_file(abs) ? "plugin file is not executable"
                                                     : "plugin file not found",
                      abs);
        free(abs);
        return NULL;
    }
    char *argv[] = {abs, ref->callable, NULL};
    char *input = ds_plugin_config_json(cfg, fs, earlier);
    ds_buf out = {0};
    int status = 0;
    ds_err err;
    ds_proc_limits lim = {fs->plugin_timeout, DS_PLUGIN_MAX_OUTPUT, DS_PROC_RUNNING};
    if (ds_proc_run(argv, cfg->root, input, &lim, &out, &status, &err) != 0) {
        ds_buf_puts(why, err.msg);
    } else if (lim.stop) {
        describe_stop(why, lim.stop, fs);
    } else {
        json_error_t jerr;
        doc = status == 0 ? json_loads(ds_buf_str(&out), JSON_REJECT_DUPLICATES, &jerr) : NULL;
        if (!doc) {
            char *st = ds_proc_describe_status(status);
            const char *text = ds_buf_str(&out);
            if (status != 0)
                ds_buf_printf(why, "the plugin %s", st);
            else
                ds_buf_printf(why, "the plugin printed invalid JSON (%s at line %d)",
                              jerr.text, jerr.line);
            ds_buf_printf(why, "; it printed:\n%.2000s%s", *text ? text : "(nothing)",
                          strlen(text) > 2000 ? "\n..." : "");
            free(st);
        }
    }
    ds_buf_free(&out);
    free(input);
    free(abs);
    return doc;
}

/* ---- the common path ----------------------------------------------------- */

int ds_plugin_run(ds_plugin_session *s, const ds_config *cfg, const ds_file_source *fs,
                  ds_plugin_earlier earlier, ds_manifest *out, ds_err *err)
{
    memset(out, 0, sizeof *out);
    ds_plugin_ref ref;
    ds_err ref_err;
    ds_buf why = {0};
    json_t *doc = NULL;
    int rc = -1;
    if (ds_plugin_ref_parse(fs->plugin, &ref, &ref_err) != 0) {
        ds_buf_puts(&why, ref_err.msg);
        goto done;
    }
    /* Plugins are given JSON, which holds only UTF-8; the project's path is
     * the one string that does not come from the (UTF-8) config file. */
    if (!ds_utf8_valid(cfg->root, strlen(cfg->root))) {
        ds_buf_puts(&why, "the project folder's path is not valid UTF-8, and plugins are given "
                          "it as JSON; rename the folder");
        ds_plugin_ref_free(&ref);
        goto done;
    }
    if (ref.kind == DS_PLUGIN_NATIVE) {
        char *config = ds_plugin_config_json(cfg, fs, earlier);
        char *filter = ds_plugin_filter_expr(fs);
        rc = ds_native_run(cfg->root, ref.target, ds_plugin_ref_callable(&ref), fs->name,
                           config, filter, out, &why);
        free(config);
        free(filter);
    } else if (ref.kind == DS_PLUGIN_EXEC) {
        doc = run_executable(cfg, fs, earlier, &ref, &why);
        rc = doc ? manifest_from_json(doc, out, &why) : -1;
    } else {
        rc = run_python(s, cfg, fs, earlier, &ref, out, &why);
    }
    if (rc == 0)
        rc = normalise(cfg->root, fs->name, out, &why);
    ds_plugin_ref_free(&ref);
done:
    json_decref(doc);
    if (rc != 0) {
        ds_manifest_free(out);
        ds_err_set(err, "%s:%d: file source '%s': plugin '%s': %s", cfg->display_path, fs->line,
                   fs->name ? fs->name : "?", fs->plugin, ds_buf_str(&why));
    }
    ds_buf_free(&why);
    return rc;
}
