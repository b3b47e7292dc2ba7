/* uptodate.c - is static/ already what this build would make? (see
 * uptodate.h)
 *
 * Both digests are SHA-256 over a stream of fields, strings ended by a NUL
 * byte and numbers 8 bytes wide, so that no two different inputs give the
 * same stream.  Files are
 * known by their size and mtime, as everywhere else in the build (the
 * facts cache, stored results' freshness). */
#include "uptodate.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../config/layout.h"
#include "../datamap/glob.h"
#include "../forms/spec.h"
#include "../sql/duck.h"
#include "../util/fs.h"
#include "../util/walk.h"
#include "assets.h"
#include "livespec.h"
#include "pagesql.h"

/* Changes whenever what the record holds, or how it is made, changes. */
#define RECORD_FORMAT "ducksite-build-state-1"

/* ---- a digest made of fields ------------------------------------------------ */

typedef struct {
    EVP_MD_CTX *ctx;
    unsigned char buf[1 << 16]; /* fields are gathered: one update per 64 KiB */
    size_t len;
} digest;

static void digest_start(digest *d)
{
    d->ctx = EVP_MD_CTX_new();
    d->len = 0;
    if (!d->ctx || EVP_DigestInit_ex(d->ctx, EVP_sha256(), NULL) != 1) {
        fprintf(stderr, "ducksite: internal error: SHA-256 is not available\n");
        abort();
    }
}

static void flush(digest *d)
{
    EVP_DigestUpdate(d->ctx, d->buf, d->len);
    d->len = 0;
}

static void add_bytes(digest *d, const void *p, size_t n)
{
    if (n >= sizeof d->buf) {
        flush(d);
        EVP_DigestUpdate(d->ctx, p, n);
        return;
    }
    if (d->len + n > sizeof d->buf)
        flush(d);
    memcpy(d->buf + d->len, p, n);
    d->len += n;
}

/* A string field; NULL is told apart from "". */
static void add_str(digest *d, const char *s)
{
    if (s)
        add_bytes(d, s, strlen(s) + 1);
    else
        add_bytes(d, "\x01", 2);
}

/* A number as 8 bytes, little-endian: a fixed width needs no end. */
static void add_int(digest *d, long long v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)((unsigned long long)v >> (8 * i));
    add_bytes(d, b, sizeof b);
}

/* The digest in hex; D is finished. */
static char *digest_hex(digest *d)
{
    flush(d);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    EVP_DigestFinal_ex(d->ctx, md, &n);
    EVP_MD_CTX_free(d->ctx);
    d->ctx = NULL;
    char *hex = ds_xmalloc(2 * n + 1);
    for (unsigned i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    hex[2 * n] = '\0';
    return hex;
}

/* A file by its size and mtime (stat follows a symlink: its target is
 * what is read), or its absence. */
static void add_stamp(digest *d, const char *path)
{
    struct stat st;
    add_str(d, path);
    if (stat(path, &st) != 0) {
        add_str(d, "missing");
        return;
    }
    add_int(d, S_ISDIR(st.st_mode) ? -1 : (long long)st.st_size);
    add_int(d, (long long)st.st_mtim.tv_sec);
    add_int(d, (long long)st.st_mtim.tv_nsec);
}

/* Every entry below TOP, by its path and stamp (a directory by its name:
 * what it holds is walked). */
static int add_entry(const ds_walk_item *it, void *ctx)
{
    digest *d = ctx;
    if (it->type == DS_WALK_DIR) {
        add_str(d, it->rel);
        add_str(d, "dir");
        return 0;
    }
    add_stamp(d, it->path);
    return 0;
}

static void add_tree(digest *d, const char *top)
{
    add_str(d, top);
    if (ds_walk(top, DS_WALK_RECURSE, add_entry, d) != 0)
        add_str(d, "unreadable");
}

/* ---- the inputs -------------------------------------------------------------- */

/* The environment a build reads (assets.c, firstpaint.c, plugin.c) and
 * the time zone its dates are made in. */
static const char *const ENV_READ[] = {
    "DUCKSITE_WEB_DIST", "DUCKSITE_NODE", "DUCKSITE_PYTHON", "DUCKSITE_PYTHONPATH",
    "VIRTUAL_ENV", "PATH", "TZ",
};

/* The program NAME runs as: itself when it has a slash, else the first
 * executable of that name on PATH (a node installed or upgraded where the
 * build finds it draws other pictures). */
static void add_program(digest *d, const char *name)
{
    add_str(d, name);
    if (strchr(name, '/')) {
        add_stamp(d, name);
        return;
    }
    const char *path = getenv("PATH");
    for (const char *p = path ? path : ""; *p;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        char *exe = ds_asprintf("%.*s/%s", (int)len, p, name);
        bool found = len > 0 && access(exe, X_OK) == 0;
        if (found)
            add_stamp(d, exe);
        free(exe);
        if (found)
            return;
        p += len + (colon ? 1 : 0);
    }
    add_str(d, "not found");
}

/* The files in static/ the last build did not make (its record,
 * static/.ducksite-outputs.json, names those): a form's target CSV, data
 * put there by hand, which queries may read. */
typedef struct {
    digest *d;
    json_t *outputs; /* rel -> true */
} static_walk;

static int add_input_entry(const ds_walk_item *it, void *ctx)
{
    static_walk *w = ctx;
    if (it->type == DS_WALK_DIR)
        return strncmp(it->name, ".ducksite-stage.", 16) == 0 ? DS_WALK_SKIP : 0;
    if (!json_object_get(w->outputs, it->rel))
        add_stamp(w->d, it->path);
    return 0;
}

static void add_static_inputs(digest *d, const char *root)
{
    char *static_dir = ds_path_join(root, DS_STATIC_DIR);
    char *record = ds_path_join(static_dir, ".ducksite-outputs.json");
    json_error_t jerr;
    json_t *doc = ds_json_load_path(record, 0, &jerr);
    static_walk w = {d, json_object()};
    json_t *list = json_object_get(doc, "outputs");
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *rel = json_string_value(json_array_get(list, i));
        if (rel)
            json_object_set_new(w.outputs, rel, json_true());
    }
    add_str(d, "static inputs");
    ds_walk(static_dir, DS_WALK_RECURSE, add_input_entry, &w);
    json_decref(w.outputs);
    json_decref(doc);
    free(record);
    free(static_dir);
}

char *ds_uptodate_project(const char *root, const char *options)
{
    digest d;
    digest_start(&d);
    add_str(&d, RECORD_FORMAT);
    add_str(&d, DS_VERSION);
    add_str(&d, ds_duck_version());
    add_stamp(&d, "/proc/self/exe");
    add_str(&d, options);
    for (size_t i = 0; i < DS_ARRAY_LEN(ENV_READ); i++) {
        add_str(&d, ENV_READ[i]);
        add_str(&d, getenv(ENV_READ[i]));
    }
    const char *node = getenv("DUCKSITE_NODE");
    add_program(&d, node && *node ? node : "node");
    /* Date inputs' relative defaults start from today. */
    char today[16];
    ds_pagesql_today(today);
    add_str(&d, today);

    char *toml = ds_path_join(root, DS_CONFIG_FILE);
    add_stamp(&d, toml);
    free(toml);
    const char *dirs[] = {DS_CONTENT_DIR, DS_SOURCES_SQL_DIR};
    for (size_t i = 0; i < DS_ARRAY_LEN(dirs); i++) {
        char *dir = ds_path_join(root, dirs[i]);
        add_tree(&d, dir);
        free(dir);
    }
    char *dist = ds_assets_dist_dir();
    add_tree(&d, dist);
    free(dist);
    add_static_inputs(&d, root);
    return digest_hex(&d);
}

/* The folder of each file of SET, and for a glob source the folders
 * above it up to its base, each once with its mtime: the "dirs" of the
 * results stored from them (prerender.c), which the server compares
 * before it serves one. */
static void add_folders(digest *d, const char *root, const ds_source_set *set)
{
    ds_err ignore;
    char *base = set->fs->upstream_glob ? ds_glob_base(set->fs->upstream_glob, root, &ignore)
                                        : NULL;
    size_t base_len = base ? strlen(base) : 0;
    json_t *seen = json_object();
    add_str(d, "folders");
    const char *last = NULL; /* the last file's path, whose folder was added */
    size_t last_len = 0;
    for (size_t i = 0; i < set->n_files; i++) {
        /* Files come by folder: most share the last one's. */
        const char *path = set->files[i].path, *slash = strrchr(path, '/');
        size_t len = slash ? (size_t)(slash - path) : 0;
        if (last && len == last_len && strncmp(path, last, len) == 0)
            continue;
        last = path;
        last_len = len;
        char *dir = ds_path_dirname(path);
        while (!json_object_get(seen, dir)) {
            json_object_set_new(seen, dir, json_true());
            struct stat st;
            add_str(d, dir);
            add_int(d, stat(dir, &st) == 0 ? (long long)st.st_mtim.tv_sec * 1000000000LL +
                                                 st.st_mtim.tv_nsec
                                           : -1);
            bool inside = base && strncmp(dir, base, base_len) == 0 && dir[base_len] == '/';
            if (!inside)
                break;
            char *up = ds_path_dirname(dir);
            free(dir);
            dir = up;
        }
        free(dir);
    }
    json_decref(seen);
    free(base);
}

char *ds_uptodate_inputs(const char *root, const char *project, const ds_collected *files)
{
    digest d;
    digest_start(&d);
    add_str(&d, project);
    /* Every mapped file as the sources (and their plugins) gave it. */
    for (size_t s = 0; s < files->n_sets; s++) {
        const ds_source_set *set = &files->sets[s];
        add_str(&d, set->fs->name);
        add_str(&d, set->template_name);
        add_str(&d, set->row_filter_template);
        add_str(&d, set->origin);
        add_int(&d, (long long)set->n_files);
        for (size_t i = 0; i < set->n_files; i++) {
            const ds_source_file *f = &set->files[i];
            add_str(&d, f->key);
            add_str(&d, f->path);
            add_str(&d, f->row_filter);
            add_int(&d, f->stamp.size);
            add_int(&d, f->stamp.mtime_ns);
            add_int(&d, f->stamp.ctime_ns); /* a chmod may let the build read it, or not */
        }
        add_folders(&d, root, set);
    }
    return digest_hex(&d);
}

/* Set by a build that ended in a state a later build may not reproduce
 * (a picture not drawn, a stored result whose query failed, the facts
 * cache not written): no record is kept, so the next build runs again. */
static atomic_bool incomplete;

void ds_uptodate_incomplete(void)
{
    atomic_store(&incomplete, true);
}

bool ds_uptodate_take_incomplete(void)
{
    return atomic_exchange(&incomplete, false);
}

/* ---- the outputs ------------------------------------------------------------- */

/* static/ as it is now, and the specs the server reads beside it. */
static char *outputs_now(const char *root)
{
    digest d;
    digest_start(&d);
    char *static_dir = ds_path_join(root, DS_STATIC_DIR);
    add_tree(&d, static_dir);
    free(static_dir);
    const char *specs[] = {DS_LIVESPEC_FILE, DS_FORMS_FILE};
    for (size_t i = 0; i < DS_ARRAY_LEN(specs); i++) {
        char *path = ds_path_join(root, specs[i]);
        add_stamp(&d, path);
        free(path);
    }
    return digest_hex(&d);
}

/* ---- the record -------------------------------------------------------------- */

static size_t count_of(json_t *doc, const char *name)
{
    json_t *v = json_object_get(doc, name);
    return json_is_integer(v) && json_integer_value(v) >= 0 ? (size_t)json_integer_value(v) : 0;
}

bool ds_uptodate_check(const char *root, const char *inputs, ds_uptodate_record *out)
{
    memset(out, 0, sizeof *out);
    char *path = ds_path_join(root, DS_UPTODATE_FILE);
    json_error_t jerr;
    json_t *doc = ds_json_load_path(path, 0, &jerr);
    free(path);
    json_t *warnings = json_object_get(doc, "warnings");
    const char *format = json_string_value(json_object_get(doc, "format"));
    const char *was_in = json_string_value(json_object_get(doc, "inputs"));
    const char *was_out = json_string_value(json_object_get(doc, "outputs"));
    bool same = format && strcmp(format, RECORD_FORMAT) == 0 && was_in && was_out &&
                json_is_array(warnings) && strcmp(was_in, inputs) == 0;
    if (same) {
        char *now = outputs_now(root);
        same = strcmp(now, was_out) == 0;
        free(now);
    }
    if (same) {
        out->n_warnings = json_array_size(warnings);
        out->warnings = ds_xcalloc(out->n_warnings + 1, sizeof *out->warnings);
        for (size_t i = 0; i < out->n_warnings; i++) {
            const char *w = json_string_value(json_array_get(warnings, i));
            out->warnings[i] = ds_strdup(w ? w : "");
        }
        out->entries = count_of(doc, "entries");
        out->queries = count_of(doc, "queries");
        out->pages = count_of(doc, "pages");
    }
    json_decref(doc);
    return same;
}

void ds_uptodate_record_free(ds_uptodate_record *r)
{
    for (size_t i = 0; i < r->n_warnings; i++)
        free(r->warnings[i]);
    free(r->warnings);
    memset(r, 0, sizeof *r);
}

void ds_uptodate_forget(const char *root)
{
    char *path = ds_path_join(root, DS_UPTODATE_FILE);
    unlink(path);
    free(path);
}

/* Writes TEXT to PATH through a temporary file and a rename.  Not
 * ds_write_atomic: the record is not one of the site's outputs, whose
 * writes the fault-injection tests fail one by one, and failing to keep
 * it only makes the next build a whole one. */
static bool write_record(const char *path, const char *text)
{
    char *tmp = ds_asprintf("%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    bool ok = f && fputs(text, f) >= 0;
    ok = (f && fclose(f) == 0) && ok && rename(tmp, path) == 0;
    if (!ok)
        unlink(tmp);
    free(tmp);
    return ok;
}

void ds_uptodate_save(const char *root, const char *inputs, const ds_buf *warnings,
                      const ds_uptodate_record *counts)
{
    json_t *list = json_array();
    bool all = true; /* a warning that is not UTF-8 cannot be kept: no record */
    for (size_t at = 0; warnings && at < warnings->len;) {
        const char *w = warnings->data + at;
        all = json_array_append_new(list, json_string(w)) == 0 && all;
        at += strlen(w) + 1;
    }
    char *outputs = outputs_now(root);
    json_t *doc = json_pack("{s:s, s:s, s:s, s:o, s:I, s:I, s:I}", "format", RECORD_FORMAT,
                            "inputs", inputs, "outputs", outputs, "warnings", list, "entries",
                            (json_int_t)counts->entries, "queries", (json_int_t)counts->queries,
                            "pages", (json_int_t)counts->pages);
    free(outputs);
    char *text = doc && all ? json_dumps(doc, JSON_INDENT(1)) : NULL;
    json_decref(doc);
    char *dir = ds_path_join(root, ".ducksite");
    char *path = ds_path_join(root, DS_UPTODATE_FILE);
    ds_err err;
    if (!text || ds_mkdir_p(dir, &err) != 0 || !write_record(path, text))
        unlink(path);
    free(dir);
    free(path);
    free(text);
}
