/* collect.c - gathers each file source's files and the data map.
 *
 * Nothing is written here: the build writes outputs only once every stage
 * has succeeded, so a failing build leaves the previous site untouched. */
#include "collect.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../config/layout.h"
#include "../plugin/plugin.h"
#include "../sql/sqltext.h"
#include "../util/fs.h"
#include "../util/utf8.h"
#include "glob.h"
#include "servable.h"
#include "stamp.h"

/* Adds a file whose strings already live in the map or the arena. */
static void set_add(ds_source_set *set, size_t *cap, const char *key, const char *path,
                    const char *row_filter)
{
    if (set->n_files == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        set->files = ds_xrealloc(set->files, *cap * sizeof *set->files);
    }
    ds_source_file *f = &set->files[set->n_files++];
    f->key = key;
    f->path = path;
    f->row_filter = row_filter && *row_filter ? row_filter : NULL;
    f->stamp = (ds_file_stamp){-1, 0, 0};
}

/* Why an upstream_glob without wildcards, naming one path, matched
 * nothing when that path is there: "" when it is not, or is a file. */
static const char *literal_glob_why(const ds_config *cfg, const ds_file_source *fs)
{
    const char *g = fs->upstream_glob;
    if (!g || g[strcspn(g, "*?[{")])
        return "";
    char *path = g[0] == '/' ? ds_strdup(g) : ds_path_join(cfg->root, g);
    struct stat st;
    int rc = stat(path, &st), saved = errno;
    free(path);
    if (rc != 0)
        return saved == ELOOP ? "; the path is a loop of symbolic links" : "";
    if (S_ISDIR(st.st_mode))
        return "; the path is a folder: end the glob with /**/*.parquet to read its files";
    if (S_ISFIFO(st.st_mode))
        return "; the path is a FIFO (named pipe), not a Parquet file";
    return S_ISREG(st.st_mode) ? "" : "; the path is not a regular file";
}

/* The SQL a plugin's manifest hands over: each file's row_filter and the
 * row_filter_template one expression each (they go into the views' WHERE
 * in parentheses, beside the config's filters), and its template_name a
 * view name with one [expression], as the configuration's must be. */
static int check_manifest_sql(const ds_config *cfg, const ds_source_set *set,
                              const ds_manifest *man, ds_err *err)
{
    const ds_file_source *fs = set->fs;
    for (size_t i = 0; i < man->n_files; i++) {
        const char *f = man->files[i].row_filter;
        const char *why = f ? ds_sql_expression_why(f) : NULL;
        if (why)
            return ds_err_set(err,
                              "%s:%d: file source '%s': plugin '%s': files[%zu].row_filter goes "
                              "into the views' WHERE as one expression, in parentheses: %s; "
                              "found \"%s\"",
                              cfg->display_path, fs->line, fs->name, fs->plugin, i, why, f);
    }
    /* The template settings only when used: the config's win. */
    bool tmpl = man->template_name && !set->template_name;
    const char *rft = tmpl && !set->row_filter_template ? man->row_filter_template : NULL;
    const char *why = rft ? ds_sql_expression_why(rft) : NULL;
    if (why)
        return ds_err_set(err,
                          "%s:%d: file source '%s': plugin '%s': the manifest's "
                          "row_filter_template goes into each templated view's WHERE as one "
                          "expression, in parentheses: %s; found \"%s\"",
                          cfg->display_path, fs->line, fs->name, fs->plugin, why, rft);
    char bad[256];
    if (tmpl && ds_config_template_check(man->template_name, bad, sizeof bad) != 0)
        return ds_err_set(err, "%s:%d: file source '%s': plugin '%s': the manifest's "
                               "template_name: %s",
                          cfg->display_path, fs->line, fs->name, fs->plugin, bad);
    return 0;
}

static const char *source_label(const ds_file_source *fs)
{
    return fs->name ? fs->name : fs->pattern;
}

/* TEXT for a message: bytes that are not UTF-8 written as \xNN, so the
 * message itself stays readable (and valid) text.  Caller frees. */
static char *printable(const char *text)
{
    ds_buf b = {0};
    size_t n = strlen(text);
    for (size_t i = 0; i < n;) {
        size_t len = ds_utf8_decode(text + i, n - i, NULL);
        if (len == 0) {
            ds_buf_printf(&b, "\\x%02X", (unsigned char)text[i]);
            i++;
        } else {
            ds_buf_add(&b, text + i, len);
            i += len;
        }
    }
    return b.data ? ds_buf_take(&b) : ds_strdup("");
}

/* A file whose key the server would refuse is a dead link, and one whose
 * key or path holds "${" cannot be read by queries: an error naming the
 * source, the file and the key. */
static int check_servable(const ds_config *cfg, const ds_source_set *set, const char *key,
                          const char *path, ds_err *err)
{
    if (ds_servable_has_placeholder(key, path)) {
        char *shown_path = printable(path), *shown_key = printable(key);
        ds_err_set(err,
                   "%s:%d: file source '%s': %s matched %s, published as %s: the name holds "
                   "\"${\", " DS_PLACEHOLDER_IN_NAME "; rename the file or its folder (or "
                   "publish it through a symbolic link without \"${\"), or change the %s",
                   cfg->display_path, set->fs->line, source_label(set->fs), set->origin,
                   shown_path, shown_key, set->fs->upstream_glob ? "upstream_glob" : "pattern");
        free(shown_path);
        free(shown_key);
        return -1;
    }
    const char *why = ds_servable_why(key);
    if (!why)
        return 0;
    char *shown_path = printable(path), *shown_key = printable(key);
    ds_err_set(err,
               "%s:%d: file source '%s': %s matched %s, which would be published as "
               "%s and can never be served: %s; rename the file or change the %s",
               cfg->display_path, set->fs->line, source_label(set->fs), set->origin,
               shown_path, shown_key, why, set->fs->upstream_glob ? "upstream_glob" : "pattern");
    free(shown_path);
    free(shown_key);
    return -1;
}

/* upstream_glob: data/<name>/<path below the glob's base>. */
static int collect_upstream(const ds_config *cfg, ds_source_set *set, size_t *cap,
                            ds_datamap *map, bool stamp, ds_err *err)
{
    ds_glob_result g;
    if (ds_glob_scan(set->fs->upstream_glob, cfg->root, &g, err) != 0)
        return -1;
    set->origin = ds_asprintf("upstream_glob '%s' (searched %s)", set->fs->upstream_glob, g.base);
    /* Room for every file at once: arrays of a million entries are not
     * copied as they grow. */
    ds_datamap_reserve(map, g.len);
    set->files = ds_xmalloc((g.len ? g.len : 1) * sizeof *set->files);
    *cap = g.len ? g.len : 1;
    for (size_t i = 0; i < g.len; i++)
        set->files[i] = (ds_source_file){NULL, g.items[i].abs, NULL, {-1, 0, 0}};
    /* With DS_COLLECT_STAMP the files are stat-ed by two threads while
     * this one makes their keys (which only reads the paths): the stats
     * are most of a rebuild's time, the keys a single-threaded half
     * second for a million files. */
    ds_stamper *stamper = stamp ? ds_stamp_start(set->files, g.len) : NULL;
    ds_buf key = {0};
    ds_buf_printf(&key, "data/%s/", set->fs->name);
    size_t prefix = key.len;
    int rc = 0;
    for (size_t i = 0; i < g.len && rc == 0; i++) {
        key.len = prefix;
        ds_buf_puts(&key, g.items[i].rel);
        rc = check_servable(cfg, set, key.data, g.items[i].abs, err);
        if (rc != 0)
            break;
        /* The path stays in the scan's arena, which the map takes over
         * below: a lake's million paths are not copied. */
        const ds_datamap_entry *e = ds_datamap_add_ref(
            map, ds_arena_strndup(&map->strings, key.data, key.len), g.items[i].abs, NULL);
        set->files[set->n_files++].key = e->key; /* the path is already there */
    }
    ds_stamp_wait(stamper);
    set->stamped = stamper && rc == 0;
    ds_arena_take(&map->strings, &g.strings);
    ds_buf_free(&key);
    ds_glob_result_free(&g);
    return rc;
}

/* pattern: files already under static/, keyed by their path there. */
static int collect_static(const ds_config *cfg, ds_source_set *set, size_t *cap,
                          ds_arena *strings, ds_err *err)
{
    char *static_dir = ds_path_join(cfg->root, DS_STATIC_DIR);
    ds_glob_result g;
    int rc = ds_glob_scan(set->fs->pattern, static_dir, &g, err);
    if (rc == 0) {
        set->origin = ds_asprintf("pattern '%s' (searched %s)", set->fs->pattern, g.base);
        size_t n = strlen(static_dir);
        for (size_t i = 0; i < g.len && rc == 0; i++) {
            const char *abs = g.items[i].abs;
            if (strncmp(abs, static_dir, n) != 0 || abs[n] != '/')
                rc = ds_err_set(err,
                                "%s:%d: file source '%s': pattern '%s' must stay inside "
                                "static/",
                                cfg->display_path, set->fs->line, source_label(set->fs),
                                set->fs->pattern);
            else if ((rc = check_servable(cfg, set, abs + n + 1, abs, err)) == 0)
                set_add(set, cap, ds_arena_strdup(strings, abs + n + 1),
                        ds_arena_strdup(strings, abs), NULL);
        }
        ds_glob_result_free(&g);
    }
    free(static_dir);
    return rc;
}

/* Is there a plugin source after source i?  Only then is it worth
 * remembering source i's files for it. */
static bool plugin_follows(const ds_config *cfg, size_t i)
{
    for (size_t j = i + 1; j < cfg->n_sources; j++)
        if (cfg->sources[j].plugin)
            return true;
    return false;
}

static void json_string_or_null(ds_buf *b, const char *s)
{
    if (s)
        ds_buf_json_string(b, s);
    else
        ds_buf_puts(b, "null");
}

/* Adds a finished set to what later plugins see (only named sources):
 * EARLIER is the text of a JSON object without its closing brace, written
 * directly because a set can have 100,000 files and more. */
static void remember_set(ds_buf *earlier, const ds_source_set *set)
{
    if (!set->fs->name)
        return;
    ds_buf_putc(earlier, earlier->len ? ',' : '{');
    ds_buf_json_string(earlier, set->fs->name);
    ds_buf_puts(earlier, ":{\"files\":[");
    for (size_t i = 0; i < set->n_files; i++) {
        const ds_source_file *f = &set->files[i];
        ds_buf_puts(earlier, i ? ",{\"http_path\":" : "{\"http_path\":");
        ds_buf_json_string(earlier, f->key);
        ds_buf_puts(earlier, ",\"physical_path\":");
        ds_buf_json_string(earlier, f->path);
        ds_buf_puts(earlier, ",\"row_filter\":");
        json_string_or_null(earlier, f->row_filter);
        ds_buf_putc(earlier, '}');
    }
    ds_buf_puts(earlier, "],\"template_name\":");
    json_string_or_null(earlier, set->template_name);
    ds_buf_puts(earlier, ",\"row_filter_template\":");
    json_string_or_null(earlier, set->row_filter_template);
    ds_buf_putc(earlier, '}');
}

/* What a physical path is when it exists but is not a regular file (or a
 * symbolic link to one), or NULL: a regular file, or nothing there at all
 * (a missing file may appear later, and is a warning of the views). */
static const char *not_a_file(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return errno == ELOOP ? "a symbolic link that loops (or a chain of too many links)"
                              : NULL;
    if (S_ISREG(st.st_mode))
        return NULL;
    if (S_ISDIR(st.st_mode))
        return "a directory";
    if (S_ISFIFO(st.st_mode))
        return "a FIFO (named pipe)";
    if (S_ISSOCK(st.st_mode))
        return "a socket";
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
        return "a device";
    return "not a regular file";
}

/* A manifest's physical path that is a directory, a FIFO or a link loop
 * can never be read as Parquet nor served: it follows on_bad_file, as an
 * unreadable file does, but with "skip" it is also left out of the data
 * map (a key that would only ever answer 404, or hang on a FIFO).  STAMPS
 * are the files' (stamp.h), so that only a path that is not a regular
 * file is looked at again.  KEEP[i] says whether file i stays. */
static int check_file_kinds(const ds_config *cfg, const ds_source_set *set, const ds_manifest *m,
                            const ds_source_file *stamps, bool *keep, ds_err *err)
{
    const ds_file_source *fs = set->fs;
    for (size_t i = 0; i < m->n_files; i++) {
        const char *what = stamps[i].stamp.size >= 0 ? NULL : not_a_file(m->files[i].path);
        keep[i] = what == NULL;
        if (!what)
            continue;
        if (fs->on_bad_file == DS_ON_BAD_FILE_ERROR)
            return ds_err_set(err,
                              "%s:%d: file source '%s': plugin '%s': files[%zu].physical_path %s "
                              "is %s, not a Parquet file (published as %s); give the plugin a "
                              "file's path, or set on_bad_file = \"skip\" to build without it",
                              cfg->display_path, fs->line, source_label(fs), fs->plugin, i,
                              m->files[i].path, what, m->files[i].key);
        ds_warn("file source '%s': plugin '%s': files[%zu].physical_path %s is %s, not a Parquet "
                "file: %s is left out of the data map and the views (on_bad_file = \"skip\")",
                source_label(fs), fs->plugin, i, m->files[i].path, what, m->files[i].key);
    }
    return 0;
}

/* A plugin's files are stamped as soon as it has returned (it made or
 * fetched them first): what is not a file is found at the cost a rebuild
 * pays anyway, and with KEEP_STAMPS (DS_COLLECT_STAMP, and no later plugin
 * that may rewrite them) the stamps are the set's, not taken again. */
static int collect_plugin(ds_plugin_session *session, const ds_config *cfg, ds_source_set *set,
                          size_t *cap, ds_datamap *map, ds_buf *earlier, bool keep_stamps,
                          ds_err *err)
{
    ds_manifest man;
    /* Closed for the plugin, reopened for the next set. */
    const char *seen = NULL;
    if (earlier->len > 0) {
        ds_buf_putc(earlier, '}');
        seen = ds_buf_str(earlier);
    }
    int run_rc = ds_plugin_run(session, cfg, set->fs, seen, &man, err);
    if (earlier->len > 0)
        earlier->data[--earlier->len] = '\0';
    if (run_rc != 0)
        return -1;
    if (check_manifest_sql(cfg, set, &man, err) != 0) {
        ds_manifest_free(&man);
        return -1;
    }
    set->origin = ds_asprintf("plugin '%s'", set->fs->plugin);
    ds_source_file *stamps = ds_xcalloc(man.n_files + 1, sizeof *stamps);
    for (size_t i = 0; i < man.n_files; i++)
        stamps[i].path = man.files[i].path;
    ds_stamp_files(stamps, man.n_files);
    bool *keep = ds_xcalloc(man.n_files + 1, sizeof *keep);
    if (check_file_kinds(cfg, set, &man, stamps, keep, err) != 0) {
        free(keep);
        free(stamps);
        ds_manifest_free(&man);
        return -1;
    }
    for (size_t i = 0; i < man.n_files; i++) {
        if (!keep[i]) {
            if (!set->claim_entry) {
                set->claim_entry = ds_xcalloc(man.n_files, sizeof *set->claim_entry);
                for (size_t k = 0; k < set->n_files; k++)
                    set->claim_entry[k] = k;
            }
            continue;
        }
        if (set->claim_entry)
            set->claim_entry[set->n_files] = i;
        const ds_datamap_entry *e =
            ds_datamap_add(map, man.files[i].key, man.files[i].path, man.files[i].row_filter);
        set_add(set, cap, e->key, e->path, e->row_filter);
        if (keep_stamps)
            set->files[set->n_files - 1].stamp = stamps[i].stamp;
    }
    set->stamped = keep_stamps;
    free(keep);
    free(stamps);
    /* The config's own template settings win over the manifest's; the
     * manifest's row_filter_template goes with its own template_name only
     * (a predicate over another expression's values means nothing). */
    if (!set->template_name && man.template_name) {
        set->template_name = ds_strdup(man.template_name);
        if (!set->row_filter_template && man.row_filter_template)
            set->row_filter_template = ds_strdup(man.row_filter_template);
    }
    /* A predicate for templated views, and no template to make them. */
    if (!set->template_name && (set->row_filter_template || man.row_filter_template))
        ds_warn("%s:%d: file source '%s': %s row_filter_template has no effect: neither the "
                "source nor its plugin gives a template_name; add one, or remove it",
                cfg->display_path, set->fs->line, set->fs->name,
                set->row_filter_template ? "its" : "the plugin's");
    ds_manifest_free(&man);
    return 0;
}

/* ---- a key that is a file and a folder ------------------------------ */

static void describe_claim(ds_buf *b, const ds_source_set *set, size_t seq);
static const ds_source_set *claim_owner(const ds_collected *c, size_t seq);

/* A key that is a file while another key puts files under it as a folder
 * (data/s/a.parquet and data/s/a.parquet/b.parquet): a server looks keys up
 * one by one, but a folder tree (export --tree, nginx, an object store
 * synced from one) cannot hold both.  The map is sorted, so the keys under
 * K follow K. */
static int check_file_and_folder(const ds_config *cfg, const ds_collected *c, ds_err *err)
{
    const ds_datamap *m = &c->map;
    for (size_t i = 0; i + 1 < m->len; i++) {
        const char *k = m->items[i].key;
        size_t n = strlen(k);
        for (size_t j = i + 1; j < m->len && strncmp(m->items[j].key, k, n) == 0; j++) {
            if (m->items[j].key[n] != '/')
                continue;
            ds_buf b = {0};
            describe_claim(&b, claim_owner(c, m->items[i].seq), m->items[i].seq);
            ds_buf_puts(&b, " and ");
            describe_claim(&b, claim_owner(c, m->items[j].seq), m->items[j].seq);
            int rc = ds_err_set(err,
                                "%s: data map key %s is a file, and %s puts a file inside it "
                                "as a folder (%s): a path cannot be both, and a folder tree "
                                "(export --tree, nginx, an object store) could not hold them; "
                                "give one of them another key",
                                cfg->display_path, k, m->items[j].key, ds_buf_str(&b));
            ds_buf_free(&b);
            return rc;
        }
    }
    return 0;
}

/* ---- keys claimed twice ----------------------------------------------- */

/* A key claimed twice is served from one file (the later claim's), but
 * each source's views read it with that source's own row filter: one
 * source's per-file filter never changes another source's rows.  What
 * does change something is said, naming the sources and plugin entries
 * behind both claims; after a few, only a count. */
#define CLAIMS_SHOWN 5

typedef struct {
    const ds_collected *c;
    size_t shown;
    /* The key whose claims are being compared, and the claims of it that
     * came before the pair at hand ("file source 'a' (...)", "; "-joined):
     * a key claimed three times names all three. */
    const char *run_key;
    ds_buf before;
    size_t n_before;
} claims_ctx;

/* The set whose claims include map entry SEQ. */
static const ds_source_set *claim_owner(const ds_collected *c, size_t seq)
{
    size_t lo = 0, hi = c->n_sets; /* the first set that claims after seq */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->sets[mid].claims_from <= seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo > 0; lo--) {
        const ds_source_set *s = &c->sets[lo - 1];
        if (seq >= s->claims_from && seq < s->claims_from + s->n_claims)
            return s;
    }
    assert(!"every claim has a set");
    return NULL;
}

/* The manifest entry of a plugin set's claim SEQ. */
static size_t claim_entry(const ds_source_set *set, size_t seq)
{
    size_t k = seq - set->claims_from;
    return set->claim_entry ? set->claim_entry[k] : k;
}

/* "file source 's' (plugin 'p.py', files[3])", or the source's glob. */
static void describe_claim(ds_buf *b, const ds_source_set *set, size_t seq)
{
    ds_buf_printf(b, "file source '%s' (", source_label(set->fs));
    if (set->fs->plugin)
        ds_buf_printf(b, "plugin '%s', files[%zu])", set->fs->plugin, claim_entry(set, seq));
    else if (set->fs->upstream_glob)
        ds_buf_printf(b, "upstream_glob '%s')", set->fs->upstream_glob);
    else
        ds_buf_printf(b, "pattern '%s')", set->fs->pattern);
}

static bool same_filter(const char *a, const char *b)
{
    return a ? b && strcmp(a, b) == 0 : !b;
}

/* " with row_filter \"...\"" or " without a row_filter". */
static void describe_filter(ds_buf *b, const char *filter)
{
    if (!filter) {
        ds_buf_puts(b, " without a row_filter");
        return;
    }
    ds_buf_puts(b, " with row_filter ");
    ds_buf_json_string(b, filter);
}

static bool claims_say(claims_ctx *x)
{
    return ++x->shown <= CLAIMS_SHOWN;
}

static void say_claimed(claims_ctx *x, const ds_source_set *a, const ds_source_set *b,
                        const ds_datamap_entry *earlier, const ds_datamap_entry *later);

/* ds_datamap_dup_fn: a key claimed again by LATER. */
static void on_claimed_twice(void *arg, const ds_datamap_entry *earlier,
                             const ds_datamap_entry *later)
{
    claims_ctx *x = arg;
    const ds_source_set *a = claim_owner(x->c, earlier->seq);
    const ds_source_set *b = claim_owner(x->c, later->seq);
    if (!x->run_key || strcmp(x->run_key, earlier->key) != 0) {
        x->run_key = earlier->key;
        ds_buf_free(&x->before);
        x->n_before = 0;
    }
    say_claimed(x, a, b, earlier, later);
    /* EARLIER is superseded: the next claim of the key is compared with
     * LATER, and names EARLIER among those before. */
    ds_buf_puts(&x->before, x->n_before++ ? "; " : "");
    describe_claim(&x->before, a, earlier->seq);
}

static void say_claimed(claims_ctx *x, const ds_source_set *a, const ds_source_set *b,
                        const ds_datamap_entry *earlier, const ds_datamap_entry *later)
{
    bool same_file = strcmp(earlier->path, later->path) == 0;
    bool filters_differ = !same_filter(earlier->row_filter, later->row_filter);
    /* Two sources may publish one file under one key, each with its own
     * filter (a plugin re-publishing another source's files): neither
     * changes the other's views, so there is nothing to say. */
    if (same_file && (a != b || !filters_differ))
        return;
    if (!claims_say(x))
        return;
    ds_buf m = {0};
    ds_buf_printf(&m, "data map key %s is claimed ", earlier->key);
    if (x->n_before)
        ds_buf_printf(&m, "%zu times (before these two by %s), ", x->n_before + 2,
                      ds_buf_str(&x->before));
    else
        ds_buf_puts(&m, "twice, ");
    ds_buf_printf(&m, "with different %s: ",
                  same_file                    ? "row filters"
                  : a == b && filters_differ ? "files and row filters"
                                             : "files");
    if (a == b) {
        /* One manifest lists the key twice: its later entry wins, row
         * filter and all, and the view reads the file once. */
        describe_claim(&m, a, earlier->seq);
        ds_buf_printf(&m, " publishes %s", earlier->path);
        if (same_file) {
            describe_filter(&m, earlier->row_filter);
            ds_buf_printf(&m, ", and files[%zu]", claim_entry(b, later->seq));
            describe_filter(&m, later->row_filter);
            ds_buf_puts(&m, "; the later entry wins: the view reads the file once,");
        } else {
            ds_buf_printf(&m, ", and files[%zu] publishes %s; the later entry wins: the key "
                              "serves %s, and the view reads it",
                          claim_entry(b, later->seq), later->path, later->path);
        }
        describe_filter(&m, later->row_filter);
        ds_buf_puts(&m, "; publish each key once");
        if (same_file)
            ds_buf_puts(&m, " (to keep the rows of both, join the row filters with OR)");
    } else {
        describe_claim(&m, a, earlier->seq);
        ds_buf_printf(&m, " publishes %s and ", earlier->path);
        describe_claim(&m, b, later->seq);
        ds_buf_printf(&m, " publishes %s; the later source wins: the key serves %s, also to "
                          "the views of file source '%s'%s (each source keeps its own row "
                          "filters); give one of the files another key",
                      later->path, later->path, source_label(a->fs),
                      x->n_before ? " and of those before it" : "");
    }
    ds_warn("%s", ds_buf_str(&m));
    ds_buf_free(&m);
}

/* A pattern source's file under static/ whose key the data map claims for
 * another file: the server answers the key from the map. */
static void on_static_shadowed(claims_ctx *x, const ds_source_set *set, const ds_source_file *f,
                               const ds_datamap_entry *e)
{
    if (!claims_say(x))
        return;
    ds_buf m = {0};
    ds_buf_printf(&m, "data map key %s is claimed twice, with different files: ", f->key);
    describe_claim(&m, set, 0);
    ds_buf_printf(&m, " has the file %s, and ", f->path);
    describe_claim(&m, claim_owner(x->c, e->seq), e->seq);
    ds_buf_printf(&m, " publishes %s; the data map wins over files in static/: the key serves "
                      "%s, also to the views of file source '%s'; give one of the files "
                      "another key",
                  e->path, e->path, source_label(set->fs));
    ds_warn("%s", ds_buf_str(&m));
    ds_buf_free(&m);
}

static int by_key(const void *a, const void *b)
{
    return strcmp(((const ds_source_file *)a)->key, ((const ds_source_file *)b)->key);
}

static bool files_sorted(const ds_source_set *set)
{
    for (size_t i = 1; i < set->n_files; i++)
        if (by_key(&set->files[i - 1], &set->files[i]) >= 0)
            return false;
    return true;
}

/* A file with its place in the set: of a key a set claims twice, the
 * later claim must sort last, and qsort is not stable. */
typedef struct {
    ds_source_file f;
    size_t at;
} placed_file;

static int by_key_then_place(const void *a, const void *b)
{
    const placed_file *x = a, *y = b;
    int c = strcmp(x->f.key, y->f.key);
    return c ? c : x->at < y->at ? -1 : x->at > y->at;
}

/* After every source has claimed its keys, each set lists each key once
 * (its own later claim, with that claim's row filter) and reads it from
 * the file the key serves: the final claim of all sources'. */
static void settle_set(ds_source_set *set, const ds_datamap *map, claims_ctx *x)
{
    /* A globbed or plugin set, sorted, when no key was claimed twice: every
     * file already is its own final map entry.  Static sets are always
     * checked, since a map entry may shadow a file under static/. */
    bool in_map = set->fs->upstream_glob || set->fs->plugin;
    bool sorted = files_sorted(set);
    if (set->n_files == 0 || (in_map && sorted && !map->had_duplicates))
        return;
    if (!sorted) {
        placed_file *p = ds_xmalloc(set->n_files * sizeof *p);
        for (size_t i = 0; i < set->n_files; i++)
            p[i] = (placed_file){set->files[i], i};
        qsort(p, set->n_files, sizeof *p, by_key_then_place);
        for (size_t i = 0; i < set->n_files; i++)
            set->files[i] = p[i].f;
        free(p);
    }
    size_t out = 0;
    for (size_t i = 0; i < set->n_files; i++) {
        ds_source_file *f = &set->files[i];
        if (i + 1 < set->n_files && strcmp(f->key, set->files[i + 1].key) == 0)
            continue; /* the set claims the key again below */
        const ds_datamap_entry *e = ds_datamap_get(map, f->key);
        if (e && strcmp(e->path, f->path) != 0) {
            if (!in_map)
                on_static_shadowed(x, set, f, e);
            f->path = e->path;
            f->stamp = (ds_file_stamp){-1, 0, 0}; /* taken of the file it no longer reads */
            set->stamped = false;
        }
        set->files[out++] = *f;
    }
    set->n_files = out;
}

int ds_collect(const ds_config *cfg, ds_collected *out, ds_err *err)
{
    return ds_collect_with(cfg, 0, out, err);
}

int ds_collect_with(const ds_config *cfg, unsigned flags, ds_collected *out, ds_err *err)
{
    memset(out, 0, sizeof *out);
    out->sets = ds_xcalloc(cfg->n_sources, sizeof *out->sets);
    out->n_sets = cfg->n_sources;
    out->config_path = cfg->display_path;
    int rc = 0;
    ds_plugin_session *session = NULL;
    ds_buf earlier = {0};
    for (size_t i = 0; i < cfg->n_sources && rc == 0; i++) {
        ds_source_set *set = &out->sets[i];
        size_t cap = 0;
        set->fs = &cfg->sources[i];
        set->template_name = ds_strdup(set->fs->template_name);
        set->row_filter_template = ds_strdup(set->fs->row_filter_template);
        set->claims_from = out->map.len;
        if (set->fs->plugin) {
            if (!session)
                session = ds_plugin_session_new();
            rc = collect_plugin(session, cfg, set, &cap, &out->map, &earlier,
                                (flags & DS_COLLECT_STAMP) && !plugin_follows(cfg, i), err);
        }
        else if (set->fs->upstream_glob)
            /* A plugin that runs later may write the files the glob
             * found (materialise, download): those are stamped after
             * it, by the views. */
            rc = collect_upstream(cfg, set, &cap, &out->map,
                                  (flags & DS_COLLECT_STAMP) && !plugin_follows(cfg, i), err);
        else
            rc = collect_static(cfg, set, &cap, &out->strings, err);
        set->n_claims = out->map.len - set->claims_from;
        out->files_scanned += set->n_files;
        if (rc == 0 && plugin_follows(cfg, i))
            remember_set(&earlier, set);
    }
    ds_buf_free(&earlier);
    ds_plugin_session_free(session);
    if (rc == 0) {
        claims_ctx x = {out, 0, NULL, {0}, 0};
        ds_datamap_finish_with(&out->map, on_claimed_twice, &x);
        ds_buf_free(&x.before);
        for (size_t i = 0; i < out->n_sets; i++)
            settle_set(&out->sets[i], &out->map, &x);
        if (x.shown > CLAIMS_SHOWN)
            ds_warn("%zu more data map keys are claimed twice in ways that change what is "
                    "read (the later claim wins each)",
                    x.shown - CLAIMS_SHOWN);
    }
    if (rc == 0)
        rc = check_file_and_folder(cfg, out, err);
    for (size_t i = 0; i < out->n_sets && rc == 0; i++) {
        ds_source_set *set = &out->sets[i];
        if (set->n_files > 0)
            continue;
        const char *why = literal_glob_why(cfg, set->fs);
        if (set->fs->on_empty == DS_ON_EMPTY_ERROR)
            rc = ds_err_set(err,
                            "%s:%d: file source '%s' matched no files: %s%s (on_empty = "
                            "\"error\")",
                            cfg->display_path, set->fs->line, source_label(set->fs),
                            set->origin, why);
        else
            ds_warn("%s:%d: file source '%s' matched no files: %s%s; no views are created "
                    "for it",
                    cfg->display_path, set->fs->line, source_label(set->fs), set->origin, why);
    }
    if (rc != 0)
        ds_collected_free(out);
    return rc;
}

void ds_collected_free(ds_collected *c)
{
    for (size_t i = 0; i < c->n_sets; i++) {
        ds_source_set *set = &c->sets[i];
        free(set->files);
        free(set->template_name);
        free(set->row_filter_template);
        free(set->origin);
        free(set->claim_entry);
    }
    free(c->sets);
    for (size_t i = 0; i < c->n_engine_findings; i++)
        free(c->engine_findings[i]);
    free(c->engine_findings);
    ds_datamap_free(&c->map);
    ds_datamap_free(&c->index);
    ds_arena_free(&c->strings);
    memset(c, 0, sizeof *c);
}

#ifndef NDEBUG
/* Lookups need ds_collected_index first (a collection of no sources, as
 * tests make, has nothing to index). */
static bool indexed(const ds_collected *c)
{
    return c->index.finished || c->n_sets == 0;
}
#endif

void ds_collected_index(ds_collected *c)
{
    if (c->index.finished)
        return;
    for (size_t i = 0; i < c->n_sets; i++) {
        const ds_source_set *set = &c->sets[i];
        for (size_t j = 0; j < set->n_files; j++) {
            /* The sets' strings live in c->map or c->strings, as long
             * as the index: not copied again (a lake's million keys). */
            ds_datamap_add_ref(&c->index, set->files[j].key, set->files[j].path, NULL);
            c->index.items[c->index.len - 1].size = set->files[j].stamp.size;
        }
    }
    /* Keys of two sets may repeat (a plugin re-publishing another
     * source's files); they name the same final file, so stay quiet. */
    ds_datamap_finish(&c->index);
}

const char *ds_collected_physical(const ds_collected *c, const char *key)
{
    assert(indexed(c));
    const ds_datamap_entry *e = ds_datamap_get(&c->index, key);
    return e ? e->path : NULL;
}

size_t ds_collected_count(const ds_collected *c)
{
    assert(indexed(c));
    return c->index.len;
}

const ds_datamap_entry *ds_collected_find(const ds_collected *c, const char *key, size_t *pos)
{
    assert(indexed(c) && pos);
    const ds_datamap_entry *e = ds_datamap_get(&c->index, key);
    if (e)
        *pos = (size_t)(e - c->index.items);
    return e;
}

const ds_datamap_entry *ds_collected_find_near(const ds_collected *c, const char *key,
                                               size_t *pos)
{
    assert(indexed(c) && pos);
    for (size_t at = *pos; at < c->index.len && at <= *pos + 1; at++) {
        if (strcmp(c->index.items[at].key, key) == 0) {
            *pos = at;
            return &c->index.items[at];
        }
    }
    return ds_collected_find(c, key, pos);
}
