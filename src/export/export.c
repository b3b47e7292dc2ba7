/* export.c - `ducksite export` (see export.h and docs/deploying.md).
 *
 * Both outputs start from the same two things: ROOT/static (the site's
 * files) and its data_map.json (HTTP key -> physical file), read with the
 * data-map module's one reader.  What `ducksite serve` never serves
 * (docs/server.md, "Never served") is left out of a tree, and refused by
 * the nginx configuration. */
#include "export.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../config/config.h"
#include "../config/layout.h"
#include "../datamap/datamap.h"
#include "../datamap/glob.h"
#include "../datamap/maptable.h"
#include "../datamap/servable.h"
#include "../server/mime.h"
#include "../server/pathnorm.h"
#include "../server/resultstore.h"
#include "../server/server.h"
#include "../site/publish.h"
#include "../util/fs.h"
#include "../util/walk.h"

/* The file that marks a folder as an earlier export, so a later one may
 * empty it.  It is a dot-file: sync it or not, no server shows it. */
#define MARKER ".ducksite-export"

/* One data-map entry, the physical path made absolute. */
typedef struct {
    const char *key;
    char *path;
    bool missing; /* no file there (the lake changed since the build) */
} mapped;

typedef struct {
    char *static_dir; /* ROOT/static, absolute */
    mapped *items;    /* sorted by key (strcmp) */
    size_t n;
} site;

/* The server refuses a data-map entry whose file resolves to a data map,
 * its meta file or a results index, wherever it lies (docs/server.md,
 * "Symlinks in data-map paths"); nginx and a CDN would follow the link,
 * so such an entry is not exported at all. */
static bool resolves_to_private(const char *path, bool *missing)
{
    char *real = realpath(path, NULL);
    *missing = !real;
    if (!real)
        return false; /* missing: --tree stops, --nginx warns */
    const char *base = strrchr(real, '/');
    bool private = ds_pathnorm_is_private(base ? base + 1 : real) ||
                   ds_ends_with(real, "/_results/_index.json");
    free(real);
    return private;
}

static int by_key(const void *a, const void *b)
{
    return strcmp(((const mapped *)a)->key, ((const mapped *)b)->key);
}

/* The folder above ROOT that holds a ducksite.toml, or NULL: the export
 * was run from inside a project (its content/, say). */
static char *project_above(const char *root)
{
    char *dir = ds_path_abs(root);
    for (;;) {
        char *parent = ds_path_dirname(dir);
        bool top = strcmp(parent, dir) == 0;
        free(dir);
        dir = parent;
        if (top)
            break;
        char *toml = ds_path_join(dir, DS_CONFIG_FILE);
        bool found = ds_is_file(toml);
        free(toml);
        if (found)
            return dir;
    }
    free(dir);
    return NULL;
}

/* No ROOT/static: not built yet, or ROOT is not the project. */
static int no_static(const char *root, const char *static_dir, ds_err *err)
{
    char *toml = ds_path_join(root, DS_CONFIG_FILE);
    bool project = ds_is_file(toml);
    free(toml);
    char *above = project ? NULL : project_above(root);
    int rc = above ? ds_err_set(err, "%s does not exist, and %s is no project folder; did you "
                                     "mean --root %s?",
                                static_dir, root, above)
                   : ds_err_set(err, "%s does not exist; run ducksite build first", static_dir);
    free(above);
    return rc;
}

/* Reads ROOT/static and its map; a missing map is an empty one, as for
 * the server.  The table must outlive the site (keys point into it). */
static int site_load(const char *root, site *s, ds_maptable **table, ds_err *err)
{
    memset(s, 0, sizeof *s);
    char *dir = ds_path_join(root, DS_STATIC_DIR);
    s->static_dir = ds_path_abs(dir);
    free(dir);
    if (!ds_is_dir(s->static_dir))
        return no_static(root, s->static_dir, err);
    /* `ducksite init` makes static/forms/: a folder is no build, its
     * record of outputs or its data map is. */
    char *outputs = ds_path_join(s->static_dir, DS_PUBLISH_OUTPUTS);
    char *map = ds_datamap_path(s->static_dir);
    bool built = ds_is_file(outputs) || ds_is_file(map);
    free(outputs);
    free(map);
    if (!built)
        return ds_err_set(err, "%s holds no build yet; run ducksite build first",
                          s->static_dir);
    char *map_path = ds_datamap_path(s->static_dir);
    *table = ds_exists(map_path) ? ds_maptable_load(map_path, err) : ds_maptable_empty();
    free(map_path);
    if (!*table)
        return -1;
    s->items = ds_xcalloc(ds_maptable_slots(*table) + 1, sizeof *s->items);
    for (size_t i = 0; i < ds_maptable_slots(*table); i++) {
        const char *key, *path;
        size_t keylen;
        if (!ds_maptable_at(*table, i, &key, &keylen, &path))
            continue;
        /* The build only writes servable keys; a hand-made map could hold
         * "../x", which must not lead a tree out of its folder. */
        const char *why = ds_servable_why(key);
        if (why) {
            ds_err_set(err, "%s: the data map's key %s cannot be served: %s; run ducksite "
                            "build again",
                       s->static_dir, key, why);
            ds_maptable_free(*table); /* after the message: KEY lies in it */
            *table = NULL;
            return -1;
        }
        char *abs = ds_path_abs(path);
        bool missing;
        if (resolves_to_private(abs, &missing)) {
            ds_warn("%s: the data map's file %s for %s is, or links to, a file the server "
                    "never serves; it is not exported",
                    s->static_dir, abs, key);
            free(abs);
            continue;
        }
        s->items[s->n].key = key;
        s->items[s->n].path = abs;
        s->items[s->n].missing = missing;
        s->n++;
    }
    qsort(s->items, s->n, sizeof *s->items, by_key);
    return 0;
}

static void site_free(site *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->items[i].path);
    free(s->items);
    free(s->static_dir);
}

/* ---- --tree ---- */

/* Removes everything inside DIR (not DIR itself), never following a
 * symlink: a link to the lake is unlinked, the lake is untouched. */
static int empty_dir(const char *dir, ds_err *err)
{
    ds_walk_listing l;
    if (ds_walk_list(dir, 0, &l) != 0)
        return ds_err_set(err, "cannot read %s: %s", dir, strerror(errno));
    int rc = 0;
    for (size_t i = 0; i < l.n && rc == 0; i++) {
        char *p = ds_path_join(dir, l.items[i].name);
        if (l.items[i].type == DS_WALK_DIR) {
            rc = empty_dir(p, err);
            if (rc == 0 && rmdir(p) != 0)
                rc = ds_err_set(err, "cannot remove %s: %s", p, strerror(errno));
        } else if (unlink(p) != 0) {
            rc = ds_err_set(err, "cannot remove %s: %s", p, strerror(errno));
        }
        free(p);
    }
    ds_walk_list_free(&l);
    return rc;
}

/* Copies SRC to the new file DST (which must not exist), keeping SRC's
 * modification time so that rsync and `aws s3 sync` see unchanged files
 * as unchanged. */
static int copy_file(const char *src, const char *dst, ds_err *err)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return ds_err_set(err, "cannot read %s: %s", src, strerror(errno));
    struct stat st;
    int out = -1;
    if (fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(in);
        return ds_err_set(err, "%s is not a regular file", src);
    }
    out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (out < 0) {
        close(in);
        return ds_err_set(err, "cannot create %s: %s", dst, strerror(errno));
    }
    char buf[1 << 16];
    int rc = 0;
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = ds_err_set(err, "cannot read %s: %s", src, strerror(errno));
            break;
        }
        for (ssize_t done = 0; done < n && rc == 0;) {
            ssize_t w = write(out, buf + done, (size_t)(n - done));
            if (w < 0 && errno != EINTR)
                rc = ds_err_set(err, "cannot write %s: %s", dst, strerror(errno));
            else if (w > 0)
                done += w;
        }
        if (rc != 0)
            break;
    }
    struct timespec times[2] = {st.st_atim, st.st_mtim};
    if (rc == 0)
        futimens(out, times);
    if (close(out) != 0 && rc == 0)
        rc = ds_err_set(err, "cannot write %s: %s", dst, strerror(errno));
    close(in);
    return rc;
}

/* Creates the folders of DIR/REL and returns DIR/REL. */
static char *prepare(const char *dir, const char *rel, ds_err *err)
{
    char *dst = ds_path_join(dir, rel);
    char *parent = ds_path_dirname(dst);
    int rc = ds_mkdir_p(parent, err);
    free(parent);
    if (rc != 0) {
        free(dst);
        return NULL;
    }
    return dst;
}

/* Does `ducksite serve` ever answer REL (a path under static/) with that
 * file?  Not for hidden files, the private names, or anything under
 * _results/ that is not a stored result. */
static bool served_static(const char *rel)
{
    return ds_servable_why(rel) == NULL &&
           ds_resultstore_path(rel, NULL) != DS_RESULT_PATH_REFUSED;
}

typedef struct {
    const site *s;
    const char *dir;
    ds_resultstore *results; /* the index, for the freshness check */
    size_t files, stale;
    bool failed; /* the callback set err */
    ds_err *err;
} tree_walk;

/* One entry of static/: a served file is copied, unless a data-map key
 * already took its path (a key wins over a file, as in the server).  A
 * symlink is copied as the file it names when that stays inside static/
 * and is served; the server follows no other. */
static int tree_static_file(const ds_walk_item *item, void *ctx)
{
    tree_walk *w = ctx;
    if (item->type == DS_WALK_DIR)
        return 0;
    if ((item->type != DS_WALK_FILE && item->type != DS_WALK_LINK) || !served_static(item->rel))
        return 0;
    /* A stored result goes only while its data is as the build saw it:
     * no one checks it afterwards (docs/deploying.md). */
    uint64_t hash;
    if (ds_resultstore_path(item->rel, &hash) == DS_RESULT_PATH_RESULT &&
        ds_resultstore_state(w->results, hash) != DS_RESULT_FRESH) {
        w->stale++;
        return 0;
    }
    if (item->type == DS_WALK_LINK) {
        char *real = realpath(item->path, NULL);
        size_t n = strlen(w->s->static_dir);
        bool inside = real && strncmp(real, w->s->static_dir, n) == 0 && real[n] == '/' &&
                      served_static(real + n + 1) && ds_is_file(real);
        free(real);
        if (!inside)
            return 0;
    }
    char *dst = prepare(w->dir, item->rel, w->err);
    int rc = dst ? 0 : -1;
    if (dst && !ds_exists(dst)) {
        rc = copy_file(item->path, dst, w->err);
        w->files++;
    }
    free(dst);
    w->failed = rc != 0;
    return rc;
}

/* The resolved form of the absolute PATH; for a path not there yet,
 * where it would be made (its folder resolved). */
static char *resolved(const char *path)
{
    char *real = realpath(path, NULL);
    if (real)
        return real;
    char *parent = ds_path_dirname(path);
    char *rp = realpath(parent, NULL);
    const char *base = strrchr(path, '/');
    real = rp ? ds_path_join(rp, base ? base + 1 : path) : ds_strdup(path);
    free(rp);
    free(parent);
    return real;
}

/* Is the absolute PATH static/ itself or inside it? */
static bool in_static(const site *s, const char *path)
{
    char *real = resolved(path);
    char *static_real = resolved(s->static_dir);
    size_t n = strlen(static_real);
    bool inside = strncmp(real, static_real, n) == 0 && (real[n] == '\0' || real[n] == '/');
    free(static_real);
    free(real);
    return inside;
}

/* The first source of CFG whose upstream_glob walks a folder that holds
 * DIR (or is it), with that folder in *BASE; NULL when none does.  A tree
 * there would be read by the next build as part of the lake. */
static const ds_file_source *lake_holding(const ds_config *cfg, const char *dir, char **base)
{
    char *real = resolved(dir);
    const ds_file_source *found = NULL;
    for (size_t i = 0; i < cfg->n_sources && !found; i++) {
        const ds_file_source *fs = &cfg->sources[i];
        ds_err ignore;
        char *b = fs->upstream_glob ? ds_glob_base(fs->upstream_glob, cfg->root, &ignore) : NULL;
        char *rb = b ? resolved(b) : NULL;
        size_t n = rb ? strlen(rb) : 0;
        if (rb && strncmp(real, rb, n) == 0 && (real[n] == '\0' || real[n] == '/' || n == 1)) {
            found = fs;
            *base = ds_strdup(rb);
        }
        free(rb);
        free(b);
    }
    free(real);
    return found;
}

/* DIR must not lie in static/ (the export would copy itself), and a
 * folder with anything in it must be an earlier export. */
static int tree_check_dir(const site *s, const char *dir, ds_err *err)
{
    bool inside = in_static(s, dir);
    char *real = resolved(dir);
    char *static_real = resolved(s->static_dir);
    size_t m = strlen(real);
    /* Emptying a folder that holds static/ would delete the site. */
    bool holds = strncmp(static_real, real, m) == 0 && static_real[m] == '/';
    free(static_real);
    free(real);
    if (inside || holds)
        return ds_err_set(err, "%s is %s %s; export the tree to a folder outside it",
                          dir, inside ? "inside" : "a folder that holds", s->static_dir);
    if (!ds_exists(dir))
        return 0;
    if (!ds_is_dir(dir))
        return ds_err_set(err, "%s exists and is not a folder; choose another --tree folder",
                          dir);
    ds_walk_listing l;
    if (ds_walk_list(dir, 0, &l) != 0)
        return ds_err_set(err, "cannot read %s: %s", dir, strerror(errno));
    bool empty = l.n == 0;
    ds_walk_list_free(&l);
    char *marker = ds_path_join(dir, MARKER);
    bool ours = ds_is_file(marker);
    free(marker);
    if (!empty && !ours)
        return ds_err_set(err,
                          "%s is not empty and not an earlier export (no %s in it); "
                          "choose an empty or new folder for --tree",
                          dir, MARKER);
    return 0;
}

static int missing_error(const site *s, size_t i, ds_err *err)
{
    return ds_err_set(err, "%s: the data map's file %s for %s is missing; run ducksite build again",
                      s->static_dir, s->items[i].path, s->items[i].key);
}

static int export_tree(const site *s, const char *tree, bool copy, ds_buf *report, ds_err *err)
{
    char *dir = ds_path_abs(tree);
    int rc = tree_check_dir(s, dir, err);
    /* A mapped file gone is found before the folder is emptied: an earlier
     * export may be what a server serves right now. */
    for (size_t i = 0; i < s->n && rc == 0; i++)
        if (s->items[i].missing)
            rc = missing_error(s, i, err);
    if (rc == 0 && ds_exists(dir))
        rc = empty_dir(dir, err);
    if (rc == 0)
        rc = ds_mkdir_p(dir, err);
    if (rc == 0) {
        char *marker = ds_path_join(dir, MARKER);
        const char *text = "written by `ducksite export --tree`; the next export of this "
                           "folder replaces everything in it\n";
        rc = ds_write_atomic(marker, text, strlen(text), err);
        free(marker);
    }
    /* Data first: a key's path wins over a file of static/ at that path. */
    for (size_t i = 0; i < s->n && rc == 0; i++) {
        struct stat st;
        if (stat(s->items[i].path, &st) != 0 || !S_ISREG(st.st_mode)) {
            rc = missing_error(s, i, err);
            break;
        }
        char *dst = prepare(dir, s->items[i].key, err);
        if (!dst) {
            rc = -1;
            break;
        }
        if (copy)
            rc = copy_file(s->items[i].path, dst, err);
        else if (symlink(s->items[i].path, dst) != 0)
            rc = ds_err_set(err, "cannot create %s: %s", dst, strerror(errno));
        free(dst);
    }
    tree_walk w = {s, dir, ds_resultstore_open(s->static_dir), 0, 0, false, err};
    if (rc == 0 && ds_walk(s->static_dir, DS_WALK_RECURSE | DS_WALK_NO_HIDDEN,
                           tree_static_file, &w) != 0)
        rc = w.failed ? -1 : ds_err_set(err, "cannot read %s: %s", s->static_dir, strerror(errno));
    ds_resultstore_close(w.results);
    if (rc == 0)
        ds_buf_printf(report, "exported %s to %s: %zu site files, %zu data files (%s)\n",
                      s->static_dir, dir, w.files, s->n, copy ? "copies" : "symlinks");
    if (rc == 0 && w.stale > 0)
        ds_buf_printf(report,
                      "left out %zu stored result files whose data changed since the build "
                      "(their pages query live); run ducksite build, then export again\n",
                      w.stale);
    free(dir);
    return rc;
}

/* ---- --nginx ---- */

/* nginx expands $ in most strings and has no escape for it; a double
 * quote or backslash would end or change a quoted string.  Such a name
 * is refused rather than written wrong. */
static int nginx_safe(const char *what, const char *s, ds_err *err)
{
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if (*c == '$' || *c == '"' || *c == '\\' || *c < 0x20 || *c == 0x7f)
            return ds_err_set(err,
                              "%s '%s' holds '$', '\"', '\\' or a control character, which an "
                              "nginx configuration cannot spell; rename it, or serve the site "
                              "with ducksite serve",
                              what, s);
    return 0;
}

/* The headers of docs/server.md, "Security headers", at INDENT: data
 * answers carry nosniff alone.  `always` puts them on errors too. */
static void add_headers(ds_buf *b, const char *indent, bool data, const char *cache)
{
    ds_buf_printf(b, "%sadd_header Cache-Control %s always;\n", indent, cache);
    ds_buf_printf(b, "%sadd_header X-Content-Type-Options nosniff always;\n", indent);
    if (data)
        return;
    ds_buf_printf(b, "%sadd_header Content-Security-Policy \"%s\" always;\n", indent,
                  DS_SERVER_CSP);
    ds_buf_printf(b, "%sadd_header Referrer-Policy no-referrer always;\n", indent);
}

/* The mime table as a types block, and the data extensions as a regex
 * alternation ("parquet|csv|..."). */
static void nginx_types(ds_buf *b, ds_buf *data_exts)
{
    size_t n;
    const ds_mime *t = ds_mime_table(&n);
    ds_buf_printf(b, "    types {\n");
    for (size_t i = 0; i < n; i++) {
        ds_buf_printf(b, "        \"%s\" %s;\n", t[i].type, t[i].ext);
        if (t[i].data)
            ds_buf_printf(data_exts, "%s%s", data_exts->len ? "|" : "", t[i].ext);
    }
    ds_buf_printf(b, "    }\n    default_type application/octet-stream;\n");
}

/* Length of the folder part of a key ("data/x/a.parquet" -> 6). */
static size_t folder_len(const char *key)
{
    const char *slash = strrchr(key, '/');
    return slash ? (size_t)(slash - key) : 0;
}

/* The first item at or after I whose key does not start with the LEN
 * bytes of PREFIX followed by '/': keys under a folder are contiguous in
 * strcmp order. */
static size_t past_folder(const site *s, size_t i, const char *prefix, size_t len)
{
    while (i < s->n && strncmp(s->items[i].key, prefix, len) == 0 && s->items[i].key[len] == '/')
        i++;
    return i;
}

/* Can the keys items[from..to) (all of one folder K, no deeper keys) be
 * one `location ^~ /K/ { alias P/; }`?  Only when every key maps to the
 * same folder P under its own name, and P holds nothing else (no other
 * file, no folder): an alias serves whatever P holds, and the map must
 * stay the list of what is published. */
static bool aliasable(const site *s, size_t from, size_t to, char **folder)
{
    const char *p0 = s->items[from].path;
    size_t plen = folder_len(p0);
    if (plen == 0)
        return false;
    for (size_t i = from; i < to; i++) {
        const char *path = s->items[i].path, *key = s->items[i].key;
        size_t kf = folder_len(key);
        if (folder_len(path) != plen || strncmp(path, p0, plen) != 0 ||
            strcmp(path + plen + 1, key + kf + 1) != 0)
            return false;
    }
    *folder = ds_asprintf("%.*s", (int)plen, p0);
    ds_walk_listing l;
    bool same = ds_walk_list(*folder, 0, &l) == 0 && l.n == to - from;
    /* Both lists are sorted by name (the listing compares a folder as
     * "name/", but a folder is a mismatch anyway). */
    for (size_t i = 0; same && i < l.n; i++) {
        const char *key = s->items[from + i].key;
        same = (l.items[i].type == DS_WALK_FILE || l.items[i].type == DS_WALK_LINK) &&
               strcmp(l.items[i].name, key + folder_len(key) + 1) == 0;
    }
    ds_walk_list_free(&l);
    if (!same) {
        free(*folder);
        *folder = NULL;
    }
    return same;
}

/* The smallest power of two >= N, at least MIN. */
static size_t pow2_at_least(size_t n, size_t min)
{
    size_t p = min;
    while (p < n)
        p *= 2;
    return p;
}

/* --listen and --server-name go into the configuration as they are: one
 * directive's words, nothing that ends it or opens a block. */
static int nginx_words(const char *option, const char *value, ds_err *err)
{
    if (!value)
        return 0;
    if (!*value || strpbrk(value, ";{}#'"))
        return ds_err_set(err, "%s '%s' must be nginx words without ';', '{', '}', '#' or quotes",
                          option, value);
    return nginx_safe(option, value, err);
}

/* Stored results found in static/_results: served by nginx when fresh. */
typedef struct {
    size_t fresh, stale;
} result_counts;

/* The stored results that are fresh now (every file and folder they read
 * is as the build saw them) as lines of an nginx map, as --tree copies
 * them: the pages that rely on them (a query over more files than the
 * browser fetches) work.  nginx cannot check them afterwards; the others
 * answer 404 and their pages query live (docs/deploying.md).  A map, not
 * a location each: a site may store thousands. */
static void nginx_results(const site *s, ds_buf *out, result_counts *counts)
{
    char *dir = ds_path_join(s->static_dir, "_results");
    ds_walk_listing l;
    if (ds_walk_list(dir, 0, &l) != 0) {
        free(dir);
        return;
    }
    ds_resultstore *store = ds_resultstore_open(s->static_dir);
    for (size_t i = 0; i < l.n; i++) {
        char *rel = ds_asprintf("_results/%s", l.items[i].name);
        uint64_t hash;
        bool result = l.items[i].type == DS_WALK_FILE && ds_ends_with(rel, ".json") &&
                      ds_resultstore_path(rel, &hash) == DS_RESULT_PATH_RESULT;
        if (result && ds_resultstore_state(store, hash) == DS_RESULT_FRESH) {
            ds_buf_printf(out, "    \"/%s\" 1;\n", rel);
            counts->fresh++;
        } else if (result) {
            counts->stale++;
        }
        free(rel);
    }
    ds_resultstore_close(store);
    ds_walk_list_free(&l);
    free(dir);
}

/* A mapped file that is gone makes nginx answer 404, and every query that
 * reads it fails in the browser.  The configuration is still right for
 * the map (the files may come back, or lie on another mount), so this is
 * a warning naming the first one and what to do, where --tree stops. */
static void warn_missing(const site *s)
{
    size_t missing = 0, first = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->items[i].missing && missing++ == 0)
            first = i;
    if (missing > 0)
        ds_warn("%s: %zu of the data map's %zu files are missing (first: %s for %s); nginx will "
                "answer 404 for them and the queries that read them fail: run ducksite build "
                "again, then export again",
                s->static_dir, missing, s->n, s->items[first].path, s->items[first].key);
}

/* Whether every folder above PATH lets other users through (o+x); the
 * last folder answered is remembered in *LAST (a lake's files come folder
 * by folder). */
static bool folders_open(const char *path, char **last, bool *last_ok)
{
    const char *slash = strrchr(path, '/');
    size_t len = slash ? (size_t)(slash - path) : 0;
    if (*last && strlen(*last) == len && strncmp(*last, path, len) == 0)
        return *last_ok;
    free(*last);
    *last = ds_strndup(path, len);
    bool ok = true;
    for (size_t i = len; i > 0 && ok; i--) {
        if (i != len && path[i] != '/')
            continue;
        char *dir = ds_strndup(path, i);
        struct stat st;
        ok = stat(dir, &st) != 0 || (st.st_mode & S_IXOTH);
        free(dir);
    }
    *last_ok = ok;
    return ok;
}

/* nginx's workers run as a user of their own (www-data on Debian): a
 * mapped file only its owner or group may read, or one in a folder closed
 * to others, is answered 403.  The export cannot know nginx's user, so
 * this is a warning naming the first such file and what to do. */
static void warn_unreadable(const site *s)
{
    size_t closed = 0, first = 0;
    char *last = NULL;
    bool last_ok = true;
    for (size_t i = 0; i < s->n; i++) {
        struct stat st;
        if (s->items[i].missing || stat(s->items[i].path, &st) != 0)
            continue;
        if (!(st.st_mode & S_IROTH) || !folders_open(s->items[i].path, &last, &last_ok))
            if (closed++ == 0)
                first = i;
    }
    free(last);
    if (closed > 0)
        ds_warn("%s: %zu of the data map's %zu files cannot be read by other users (first: %s "
                "for %s); nginx's workers run as their own user (www-data on Debian) and answer "
                "403 for them unless that user owns them or is in their group: make them "
                "readable (chmod o+r, and o+x on their folders) or run nginx as a user who can "
                "read them",
                s->static_dir, closed, s->n, s->items[first].path, s->items[first].key);
}

static int export_nginx(const site *s, const ds_export_options *o, ds_buf *out,
                        result_counts *results, ds_err *err)
{
    if (nginx_safe("the folder", s->static_dir, err) != 0 ||
        nginx_words("--listen", o->listen, err) != 0 ||
        nginx_words("--server-name", o->server_name, err) != 0)
        return -1;
    for (size_t i = 0; i < s->n; i++)
        if (nginx_safe("the data-map key", s->items[i].key, err) != 0 ||
            nginx_safe("the data-map file", s->items[i].path, err) != 0)
            return -1;
    warn_missing(s);
    warn_unreadable(s);
    /* Decide per key folder: alias, or through the map.  A folder is
     * aliased only when no key lies deeper under it, so that its `^~`
     * location never hides a deeper key that goes through the map. */
    bool *in_map = ds_xcalloc(s->n + 1, sizeof *in_map);
    ds_buf aliases = {0}, map = {0};
    size_t n_alias = 0, n_map = 0, longest = 0;
    for (size_t i = 0; i < s->n;) {
        const char *key = s->items[i].key;
        size_t flen = folder_len(key);
        /* The direct children of this folder are contiguous unless a
         * deeper key sorts between them; then the folder uses the map. */
        size_t end = past_folder(s, i, key, flen), direct = i;
        while (direct < end && folder_len(s->items[direct].key) == flen)
            direct++;
        /* Only from the folder's first key, so [i, end) is all of it. */
        bool first = i == 0 || strncmp(s->items[i - 1].key, key, flen) != 0 ||
                     s->items[i - 1].key[flen] != '/';
        char *folder = NULL;
        if (flen > 0 && first && direct == end && aliasable(s, i, end, &folder)) {
            ds_buf_printf(&aliases, "    location ^~ \"/%.*s/\" {\n        alias \"%s/\";\n",
                          (int)flen, key, folder);
            ds_buf_printf(&aliases, "        disable_symlinks off;\n");
            add_headers(&aliases, "        ", true, "no-cache");
            ds_buf_printf(&aliases, "    }\n");
            free(folder);
            n_alias++;
            i = end;
            continue;
        }
        size_t stop = flen > 0 ? direct : i + 1;
        for (; i < stop; i++)
            in_map[i] = true;
    }
    for (size_t i = 0; i < s->n; i++) {
        if (!in_map[i])
            continue;
        size_t len = strlen(s->items[i].key) + 1;
        longest = len > longest ? len : longest;
        ds_buf_printf(&map, "    \"/%s\" \"%s\";\n", s->items[i].key, s->items[i].path);
        n_map++;
    }
    free(in_map);
    ds_buf stored = {0};
    nginx_results(s, &stored, results);

    ds_buf_printf(out,
                  "# Written by `ducksite export --nginx` for %s\n"
                  "# (%zu data files: %zu folders by alias, %zu files through the map;\n"
                  "# %zu stored results fresh now and served, %zu stale and left out).\n"
                  "# Include it inside http { } (Debian: /etc/nginx/conf.d/); see\n"
                  "# docs/deploying.md.  Write it again after every build that changes the\n"
                  "# data map.\n\n",
                  s->static_dir, s->n, n_alias, n_map, results->fresh, results->stale);
    /* The map is a hash: one lookup per request whatever its size.  nginx
     * stores a key as a pointer, a 2-byte length and the bytes, aligned to
     * 8, and ends a bucket with a pointer; buckets room for four of the
     * longest keys and up to two slots per key let nginx build it without
     * a warning (measured with 1,000,000 keys: docs/deploying.md). */
    size_t element = 8 + ((2 + longest + 7) / 8) * 8;
    size_t n_hash = n_map > results->fresh ? n_map : results->fresh;
    ds_buf_printf(out, "map_hash_max_size %zu;\nmap_hash_bucket_size %zu;\n\n",
                  pow2_at_least(2 * n_hash, 2048), pow2_at_least(4 * element + 8, 64));
    ds_buf_printf(out,
                  "# Data-map keys -> physical files; any other /data/ path is the file\n"
                  "# under static/, as for `ducksite serve`.\n"
                  "map $uri $ducksite_file {\n    default \"%s$uri\";\n",
                  s->static_dir);
    ds_buf_puts(out, ds_buf_str(&map));
    ds_buf_printf(out, "}\n\n");
    ds_buf_free(&map);
    /* disable_symlinks checks the components after `from`: none for a
     * mapped file (a link into the lake is the point), all of those under
     * static/ for the fallback, whose links the server does not follow
     * out of static/.  \Q..\E: the folder as it is (nginx_safe refused a
     * backslash, so no \E inside). */
    ds_buf_printf(out,
                  "# Where nginx starts refusing symlinks: nowhere in a mapped file,\n"
                  "# under static/ for any other /data/ path.\n"
                  "map $ducksite_file $ducksite_links {\n    \"~^\\Q%s/\\E\" \"%s\";\n"
                  "    default $ducksite_file;\n}\n\n",
                  s->static_dir, s->static_dir);
    ds_buf_printf(out, "# What the server never serves: a hidden path segment, and\n"
                       "# data_map.json, data_map_meta.json and names starting with them.\n"
                       "map $uri $ducksite_private {\n    default 0;\n    \"~(^|/)\\.\" 1;\n"
                       "    \"~/data_map(_meta)?\\.json[^/]*$\" 1;\n}\n\n");
    ds_buf_printf(out, "# The stored results fresh at the export, served from their .gz.\n"
                       "map $uri $ducksite_result {\n    default 0;\n");
    ds_buf_puts(out, ds_buf_str(&stored));
    ds_buf_printf(out, "}\n\n");
    ds_buf_free(&stored);
    ds_buf_printf(out,
                  "# Cache-Control for pages and assets (docs/server.md, \"Cache policy\"):\n"
                  "# only names with a content hash, or a ?v= query, are cached for good.\n"
                  "map $arg_v $ducksite_cache_v {\n    \"\" no-cache;\n"
                  "    default \"public, max-age=31536000, immutable\";\n}\n"
                  "map $uri $ducksite_cache {\n"
                  "    \"~*\\.html?$\" no-cache;\n    \"~/$\" no-cache;\n"
                  "    \"~[.-][0-9a-fA-F]{8,64}\\.[^./]+$\" \"public, max-age=31536000, "
                  "immutable\";\n"
                  "    default $ducksite_cache_v;\n}\n\n");

    ds_buf_printf(out, "server {\n    listen %s;\n    server_name %s;\n    root \"%s\";\n",
                  o->listen ? o->listen : "80", o->server_name ? o->server_name : "_",
                  s->static_dir);
    ds_buf_printf(out,
                  "    index index.html;\n    absolute_redirect off;\n    server_tokens off;\n"
                  "    sendfile on;\n    tcp_nodelay on;\n    charset off;\n"
                  "    # Never compressed on the fly: assets have .gz sidecars (below),\n"
                  "    # data is sent as it is so ranges address its bytes.\n"
                  "    gzip off;\n"
                  "    # Symlinks under static/ are not followed (the server follows only\n"
                  "    # those that stay inside); data files may be links into the lake.\n"
                  "    disable_symlinks on from=$document_root;\n");
    ds_buf data_exts = {0};
    nginx_types(out, &data_exts);

    ds_buf_printf(out, "\n    # Never served (docs/server.md): hidden files, the data map and its\n"
                       "    # sidecars, and stored results other than those fresh at the export.\n");
    /* Before any location is chosen: a `^~` alias location would skip a
     * refusing regex location, so a hidden file or a data map put in an
     * aliased lake folder after the export would be served.  One map, not
     * a regex per alias (which doubled nginx's memory for 20,000). */
    add_headers(out, "    ", false, "no-cache"); /* every location sets its own */
    ds_buf_printf(out, "    if ($ducksite_private) {\n        return 404;\n    }\n");
    ds_buf_printf(out, "    location ^~ /_results/ {\n        gzip_static on;\n"
                       "        gzip_vary on;\n");
    add_headers(out, "        ", true, "no-cache");
    ds_buf_printf(out, "        if ($ducksite_result = 0) {\n");
    add_headers(out, "            ", false, "no-store");
    ds_buf_printf(out, "            return 404;\n        }\n    }\n");

    /* The site's own JSON (a view's file list, the assets' maps and
     * dialect, the search index) has a data extension but is no data: its
     * .gz sidecar goes to browsers that take gzip (22 MB against 150 KB
     * for the file lists of a lake of 1,000,000 files), as `ducksite
     * serve` sends it.  Nothing reads these by range. */
    ds_buf_printf(out, "\n    # The site's own JSON (file lists, assets, search index), with\n"
                       "    # their .gz sidecars.\n"
                       "    location ~ \"^/(sql/_files/[^/]+|assets/.+|_search)\\.json$\" {\n"
                       "        gzip_static on;\n        gzip_vary on;\n");
    add_headers(out, "        ", false, "$ducksite_cache");
    ds_buf_printf(out, "    }\n");
    ds_buf_printf(out, "\n    # Data folders whose every file is mapped, by alias.\n");
    ds_buf_puts(out, ds_buf_str(&aliases));
    ds_buf_free(&aliases);
    ds_buf_printf(out, "\n    # The rest of the data map (and files under static/data/).\n"
                       "    location ~ ^/data/ {\n        alias $ducksite_file;\n"
                       "        disable_symlinks on from=$ducksite_links;\n");
    add_headers(out, "        ", true, "no-cache");
    ds_buf_printf(out, "    }\n\n    # Data files under static/: revalidated, never compressed.\n"
                       "    location ~* \"\\.(%s)$\" {\n",
                  ds_buf_str(&data_exts));
    ds_buf_free(&data_exts);
    add_headers(out, "        ", true, "no-cache");
    ds_buf_printf(out, "    }\n\n    # Pages and assets, with their .gz sidecars.\n"
                       "    location / {\n        gzip_static on;\n        gzip_vary on;\n");
    add_headers(out, "        ", false, "$ducksite_cache");
    ds_buf_printf(out, "    }\n}\n");
    return 0;
}

/* Writes CONF to PATH, never under static/: it would be served there,
 * host paths and all. */
static int nginx_to_file(const site *s, const char *path, ds_buf *conf, result_counts results,
                         ds_buf *report, ds_err *err)
{
    char *file = ds_path_abs(path);
    char *folder = ds_path_dirname(file);
    int rc;
    if (in_static(s, file))
        rc = ds_err_set(err, "%s is inside %s, which is served; write the configuration "
                             "outside it",
                        path, s->static_dir);
    else if (ds_exists(folder) && !ds_is_dir(folder))
        rc = ds_err_set(err, "--nginx %s: %s is a file, not a folder; write the "
                             "configuration elsewhere",
                        path, folder);
    else if (!ds_is_dir(folder)) /* else the error names the temporary file */
        rc = ds_err_set(err, "--nginx %s: the folder %s does not exist; create it, or write "
                             "the configuration elsewhere",
                        path, folder);
    else if (ds_is_dir(file))
        rc = ds_err_set(err, "--nginx %s is a folder; give the file to write, e.g. %s/site.conf",
                        path, path);
    else
        rc = ds_write_atomic(file, ds_buf_str(conf), conf->len, err);
    if (rc == 0)
        ds_buf_printf(report, "wrote %s: nginx server for %s, %zu data files, %zu stored results\n",
                      path, s->static_dir, s->n, results.fresh);
    if (rc == 0 && results.stale > 0)
        ds_buf_printf(report,
                      "left out %zu stored results whose data changed since the build "
                      "(their pages query live); run ducksite build, then export again\n",
                      results.stale);
    free(folder);
    free(file);
    return rc;
}

/* A site behind a sign-in ([auth] site = true) is only ever served by
 * `ducksite serve`: nginx or an object store would hand every page and
 * data file to anyone.  Exporting it is an error unless PUBLIC_OK says the
 * user means it.  A folder without ducksite.toml (a built site alone) has
 * no [auth] to honour.  A --tree folder inside a lake an upstream_glob
 * walks is refused too. */
static int config_checks(const char *root, bool public_ok, const char *tree, ds_err *err)
{
    char *toml = ds_path_join(root, DS_CONFIG_FILE);
    bool has_config = ds_is_file(toml);
    free(toml);
    if (!has_config)
        return 0;
    ds_config cfg;
    if (ds_config_load(root, &cfg, err) != 0)
        return -1;
    int rc = 0;
    if (cfg.auth.site && !public_ok)
        rc = ds_err_set(err,
                        "%s:%d: [auth] site = true, but an exported site cannot ask for a "
                        "sign-in: nginx, a CDN or an object store would serve every page and "
                        "data file to anyone who asks.  Keep `ducksite serve` in front (behind a "
                        "TLS proxy, docs/server.md \"Sign-in\"), or pass --public to export it "
                        "for everyone anyway",
                        cfg.display_path, cfg.auth.site_line);
    else if (cfg.auth.site)
        ds_warn("exporting a site with [auth] site = true (--public): the export is open to "
                "everyone who can reach it");
    char *base = NULL;
    const ds_file_source *fs = rc == 0 && tree ? lake_holding(&cfg, tree, &base) : NULL;
    if (fs)
        rc = ds_err_set(err,
                        "%s:%d: file source '%s' reads upstream_glob '%s', which walks %s, and "
                        "--tree %s is inside it: the next build would read the tree's copies "
                        "as part of the lake; export the tree to a folder outside %s",
                        cfg.display_path, fs->line, fs->name, fs->upstream_glob, base, tree,
                        base);
    free(base);
    ds_config_free(&cfg);
    return rc;
}

int ds_export(const ds_export_options *o, ds_buf *report, ds_err *err)
{
    assert(o && o->root && report && (o->nginx == NULL) != (o->tree == NULL));
    if (config_checks(o->root, o->public_ok, o->tree, err) != 0)
        return -1;
    site s;
    ds_maptable *table = NULL;
    int rc = site_load(o->root, &s, &table, err);
    if (rc == 0 && o->tree) {
        rc = export_tree(&s, o->tree, o->copy, report, err);
    } else if (rc == 0) {
        ds_buf conf = {0};
        result_counts results = {0, 0};
        rc = export_nginx(&s, o, &conf, &results, err);
        if (rc == 0 && strcmp(o->nginx, "-") == 0)
            ds_buf_puts(report, ds_buf_str(&conf));
        else if (rc == 0)
            rc = nginx_to_file(&s, o->nginx, &conf, results, report, err);
        ds_buf_free(&conf);
    }
    site_free(&s);
    ds_maptable_free(table);
    return rc;
}
