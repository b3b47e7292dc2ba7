/* sources.c - file-source views (see sources.h); templated views are in
 * templates.c. */
#include "sources.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "../datamap/facts.h"
#include "../datamap/glob.h"
#include "../datamap/stamp.h"
#include "../util/fs.h"
#include "duckdb_api.h"
#include "sqltext.h"
#include "templates.h"
#include "timewindow.h"

/* Keys arrive in bulk (a plugin may publish 100,000 files that do not
 * exist yet), so adding is a plain append and lookups wait for one sort. */
void ds_keyset_add(ds_keyset *s, const char *key)
{
    if (s->len == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->keys = ds_xrealloc(s->keys, s->cap * sizeof *s->keys);
    }
    s->keys[s->len++] = ds_strdup(key);
    s->sorted = false;
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void ds_keyset_finish(ds_keyset *s)
{
    if (s->len > 1)
        qsort(s->keys, s->len, sizeof *s->keys, cmp_key);
    size_t out = 0;
    for (size_t i = 0; i < s->len; i++) {
        if (out > 0 && strcmp(s->keys[out - 1], s->keys[i]) == 0)
            free(s->keys[i]);
        else
            s->keys[out++] = s->keys[i];
    }
    s->len = out;
    s->sorted = true;
}

bool ds_keyset_has(const ds_keyset *s, const char *key)
{
    if (s->sorted)
        return s->len && bsearch(&key, s->keys, s->len, sizeof *s->keys, cmp_key);
    for (size_t i = 0; i < s->len; i++)
        if (strcmp(s->keys[i], key) == 0)
            return true;
    return false;
}

void ds_keyset_free(ds_keyset *s)
{
    for (size_t i = 0; i < s->len; i++)
        free(s->keys[i]);
    free(s->keys);
    memset(s, 0, sizeof *s);
}

char *ds_slug(const char *value)
{
    ds_buf b = {0};
    bool gap = false;
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if (isalnum(*p) || *p == '_') {
            if (gap && b.len > 0)
                ds_buf_putc(&b, '_');
            gap = false;
            ds_buf_putc(&b, (char)*p);
        } else {
            gap = true;
        }
    }
    while (b.len > 0 && b.data[b.len - 1] == '_')
        b.data[--b.len] = '\0';
    size_t lead = 0;
    while (lead < b.len && b.data[lead] == '_')
        lead++;
    if (lead == b.len) {
        /* FNV-1a: a short, stable name for values with no usable character. */
        uint64_t h = ds_hash(value, strlen(value));
        ds_buf_free(&b);
        return ds_asprintf("%08x", (unsigned)(h >> 32));
    }
    char *out = ds_strdup(b.data + lead);
    ds_buf_free(&b);
    return out;
}

/* ---- file schemas ----------------------------------------------------- */

void ds_sv_free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Back to the plain view: no per-schema groups, no unified columns. */
static void drop_schemas(ds_sv_schema *sc)
{
    for (size_t i = 0; i < sc->n_schemas; i++)
        ds_sv_free_strv(sc->schemas[i].names, sc->schemas[i].n);
    free(sc->schemas);
    free(sc->schema_of);
    ds_sv_free_strv(sc->col_names, sc->n_cols);
    ds_sv_free_strv(sc->col_types, sc->n_cols);
    sc->schemas = NULL;
    sc->schema_of = NULL;
    sc->col_names = sc->col_types = NULL;
    sc->n_schemas = sc->n_cols = 0;
}

static void source_schema_free(ds_sv_schema *sc)
{
    drop_schemas(sc);
    ds_sv_free_strv(sc->col_names, sc->n_cols);
    ds_sv_free_strv(sc->col_types, sc->n_cols);
    if (sc->hive_names) {
        size_t n = 0;
        while (sc->hive_names[n])
            n++;
        ds_sv_free_strv(sc->hive_names, n);
        ds_sv_free_strv(sc->hive_types, sc->hive_types ? n : 0);
    }
    free(sc->hive_option);
    free(sc->rows);
    memset(sc, 0, sizeof *sc);
}

/* The names of the name=value folders of a path (its last segment is the
 * file), NULL-terminated; the way both engines find hive partitions. */
static char **hive_folders(const char *path)
{
    size_t n = 0, cap = 4;
    char **out = ds_xcalloc(cap + 1, sizeof *out);
    const char *seg = path;
    for (const char *slash; (slash = strchr(seg, '/')) != NULL; seg = slash + 1) {
        const char *eq = memchr(seg, '=', (size_t)(slash - seg));
        if (!eq || eq == seg)
            continue;
        if (n == cap) {
            cap *= 2;
            out = ds_xrealloc(out, (cap + 1) * sizeof *out);
        }
        out[n++] = ds_strndup(seg, (size_t)(eq - seg));
        out[n] = NULL;
    }
    return out;
}

static size_t strv_len(char **v)
{
    size_t n = 0;
    while (v[n])
        n++;
    return n;
}

static bool strv_has(char **v, const char *s)
{
    for (size_t i = 0; v[i]; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

static bool strv_same(char **a, char **b)
{
    size_t n = strv_len(a);
    if (n != strv_len(b))
        return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(a[i], b[i]) != 0)
            return false;
    return true;
}

/* Do paths A and B name files in the same folder? */
static bool same_folder(const char *a, const char *b)
{
    const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
    if (!sa || !sb)
        return !sa && !sb;
    return sa - a == sb - b && memcmp(a, b, (size_t)(sa - a)) == 0;
}

/* The hive columns of a source: the name=value folders that every key has
 * (the browser's view of the files) and that every physical path has too
 * (the build's view).  Keys that disagree with each other give none: both
 * engines then leave hive partitioning off.  *odd is a file whose path and
 * key have different folders (e.g. a name=value folder above the glob's
 * base): one engine sees a hive column the other does not. */
static char **source_hive_names(const ds_source_set *set, const ds_source_file **odd,
                                const ds_source_file **other, bool *paths_agree)
{
    char **names = hive_folders(set->files[0].key);
    char **first_path = hive_folders(set->files[0].path);
    *paths_agree = true;
    size_t n = strv_len(names);
    bool *in_paths = ds_xcalloc(n + 1, sizeof *in_paths);
    for (size_t j = 0; j < n; j++)
        in_paths[j] = true;
    bool keys_agree = true;
    *odd = NULL;
    *other = NULL;
    for (size_t i = 0; i < set->n_files; i++) {
        /* Files sorted by key come folder by folder, and a file in the
         * folders of the one before it has its folders: a lake's files
         * are looked at once per folder, not once each. */
        if (i > 0 && same_folder(set->files[i - 1].key, set->files[i].key) &&
            same_folder(set->files[i - 1].path, set->files[i].path))
            continue;
        char **k = hive_folders(set->files[i].key);
        char **p = hive_folders(set->files[i].path);
        if (!*other && !strv_same(k, names))
            *other = &set->files[i];
        keys_agree = keys_agree && strv_same(k, names);
        *paths_agree = *paths_agree && strv_same(p, first_path);
        if (!*odd && !strv_same(p, k))
            *odd = &set->files[i];
        for (size_t j = 0; j < n; j++)
            in_paths[j] = in_paths[j] && strv_has(p, names[j]);
        ds_sv_free_strv(k, strv_len(k));
        ds_sv_free_strv(p, strv_len(p));
    }
    size_t kept = 0;
    for (size_t j = 0; j < n; j++) {
        if (keys_agree && in_paths[j])
            names[kept++] = names[j];
        else
            free(names[j]);
    }
    names[kept] = NULL;
    free(in_paths);
    ds_sv_free_strv(first_path, strv_len(first_path));
    return names;
}

/* The name=value folders of KEY, for a message: "(year, region)", or
 * "(none)". */
static char *folder_names(const char *key)
{
    char **names = hive_folders(key);
    ds_buf b = {0};
    ds_buf_putc(&b, '(');
    for (size_t i = 0; names[i]; i++)
        ds_buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
    ds_buf_puts(&b, names[0] ? ")" : "none)");
    ds_sv_free_strv(names, strv_len(names));
    return ds_buf_take(&b);
}

static void put_ident(ds_buf *b, const char *name)
{
    ds_buf_putc(b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            ds_buf_putc(b, '"');
        ds_buf_putc(b, *p);
    }
    ds_buf_putc(b, '"');
}

/* parquet_schema's rows in a file's order: the root, then each column
 * followed by its nested fields (num_children says how many).  The row
 * after column i's subtree. */
static size_t subtree_end(const ds_rows *rows, size_t i, size_t end)
{
    size_t pending = 1;
    while (pending && i < end) {
        const char *kids = ds_rows_get(rows, i, 2);
        pending = pending - 1 + (kids ? (size_t)strtoul(kids, NULL, 10) : 0);
        i++;
    }
    return i;
}

static void top_level_names(const ds_rows *rows, size_t first, size_t end, ds_sv_cols *out)
{
    out->names = ds_xcalloc(end - first + 1, sizeof *out->names);
    out->n = 0;
    for (size_t i = first + 1; i < end; i = subtree_end(rows, i, end))
        out->names[out->n++] = ds_strdup(ds_rows_get(rows, i, 1));
}

/* A file's schema as text: every field of every schema row but the file
 * name.  Matched by name, the columns' order does not matter, so the
 * columns are sorted first. */
static char *fingerprint(const ds_rows *rows, size_t first, size_t end, bool by_name)
{
    char **cols = ds_xcalloc(end - first + 1, sizeof *cols);
    size_t n = 0;
    for (size_t i = first + 1; i < end;) {
        size_t next = subtree_end(rows, i, end);
        ds_buf col = {0};
        for (; i < next; i++)
            for (size_t c = 1; c < rows->cols; c++) {
                const char *v = ds_rows_get(rows, i, c);
                ds_buf_printf(&col, "%s\x1f", v ? v : "\x1e");
            }
        cols[n++] = ds_buf_take(&col);
    }
    if (by_name && n > 1)
        qsort(cols, n, sizeof *cols, cmp_key);
    ds_buf fp = {0};
    for (size_t i = 0; i < n; i++)
        ds_buf_printf(&fp, "%s\x1d", cols[i]);
    ds_sv_free_strv(cols, n);
    return ds_buf_take(&fp);
}

/* Runs DESCRIBE over some files of the source and returns its rows. */
static int describe_files(ds_duck *db, const ds_source_set *set, const size_t *which, size_t n,
                          bool by_name, const char *hive_option, ds_rows *rows)
{
    ds_buf sql = {0};
    ds_buf_puts(&sql, "DESCRIBE SELECT * FROM read_parquet([");
    for (size_t i = 0; i < n; i++) {
        if (i)
            ds_buf_puts(&sql, ", ");
        ds_sql_quote(&sql, set->files[which[i]].path);
    }
    ds_buf_puts(&sql, "]");
    if (by_name)
        ds_buf_puts(&sql, ", union_by_name = true");
    if (hive_option)
        ds_buf_printf(&sql, ", %s", hive_option);
    ds_buf_puts(&sql, ")");
    ds_err qerr;
    int rc = ds_duck_query(db, sql.data, rows, &qerr);
    ds_buf_free(&sql);
    return rc;
}

/* One name=value folder of a file, for choosing the files whose paths
 * show every partition value. */
typedef struct {
    const char *seg; /* in the file's path; ends at '/' */
    size_t len;
    size_t file;
} hive_seg;

static int cmp_hive_seg(const void *a, const void *b)
{
    const hive_seg *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->seg, y->seg, n);
    if (c || x->len != y->len)
        return c ? c : x->len < y->len ? -1 : 1;
    return x->file < y->file ? -1 : x->file > y->file;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* Adds FILE's name=value folders to SEGS and counts its folders in
 * *depth.  False when a folder is not a plain name=value (two '=', an
 * empty side) or a name comes twice: the engine's reading of such paths
 * is not simply folder by folder. */
static bool add_hive_segs(const char *path, size_t file, hive_seg **segs, size_t *n, size_t *cap,
                          size_t *depth)
{
    size_t first = *n;
    *depth = 0;
    for (const char *seg = path, *slash; (slash = strchr(seg, '/')) != NULL; seg = slash + 1) {
        size_t len = (size_t)(slash - seg);
        ++*depth;
        const char *eq = memchr(seg, '=', len);
        if (!eq)
            continue;
        if (eq == seg || eq + 1 == slash || memchr(eq + 1, '=', (size_t)(slash - eq - 1)))
            return false;
        for (size_t k = first; k < *n; k++)
            if (memcmp((*segs)[k].seg, seg, (size_t)(eq - seg) + 1) == 0)
                return false;
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 256;
            *segs = ds_xrealloc(*segs, *cap * sizeof **segs);
        }
        (*segs)[(*n)++] = (hive_seg){seg, len, file};
    }
    return true;
}

/* Deeper paths are chosen folder by folder. */
#define HIVE_DEPTH_MAX 64

/* The files whose paths together show every name=value folder and every
 * depth of the source (the first file among them), in the files' order;
 * their count in *n.  The engine infers each hive column's type from the
 * set of its values over the files, and checks every file's depth and
 * names against the first file's: these files give it the same sets as
 * all of them.  Paths it does not read folder by folder give one file per
 * folder instead. */
static size_t *hive_representatives(const ds_source_set *set, size_t *n)
{
    size_t *which = ds_xcalloc(set->n_files + 1, sizeof *which);
    size_t by_depth[HIVE_DEPTH_MAX + 1];
    bool seen_depth[HIVE_DEPTH_MAX + 1] = {false};
    hive_seg *segs = NULL;
    size_t n_segs = 0, cap = 0, n_depths = 0;
    bool plain = true;
    *n = 0;
    for (size_t i = 0; i < set->n_files; i++) {
        if (i && same_folder(set->files[i - 1].path, set->files[i].path))
            continue;
        which[(*n)++] = i;
        size_t depth = 0;
        plain = plain && add_hive_segs(set->files[i].path, i, &segs, &n_segs, &cap, &depth) &&
                depth <= HIVE_DEPTH_MAX;
        if (plain && !seen_depth[depth]) {
            seen_depth[depth] = true;
            by_depth[n_depths++] = i;
        }
    }
    if (plain) {
        qsort(segs, n_segs, sizeof *segs, cmp_hive_seg);
        /* Before duplicates go: a file may be chosen for each folder. */
        which = ds_xrealloc(which, (n_depths + n_segs + 1) * sizeof *which);
        *n = 0;
        for (size_t k = 0; k < n_depths; k++)
            which[(*n)++] = by_depth[k];
        for (size_t k = 0; k < n_segs; k++)
            if (k == 0 || segs[k].len != segs[k - 1].len ||
                memcmp(segs[k].seg, segs[k - 1].seg, segs[k].len) != 0)
                which[(*n)++] = segs[k].file;
        qsort(which, *n, sizeof *which, cmp_size);
        size_t u = 0;
        for (size_t k = 0; k < *n; k++)
            if (u == 0 || which[u - 1] != which[k])
                which[u++] = which[k];
        *n = u;
    }
    free(segs);
    return which;
}

/* The hive columns' types, as the build-time engine infers them from the
 * partition values of every path.  Inference reads paths, not files, so
 * files that show every partition value give the same answer as all of
 * them (hive_representatives), and without union_by_name only the first
 * footer is read. */
static int describe_hive(const ds_source_set *set, ds_duck *db, ds_sv_schema *sc)
{
    size_t n = 0;
    size_t *which = hive_representatives(set, &n);
    ds_rows rows;
    int rc = describe_files(db, set, which, n, false, NULL, &rows);
    free(which);
    if (rc != 0)
        return -1;
    size_t n_hive = strv_len(sc->hive_names);
    sc->hive_types = ds_xcalloc(n_hive + 1, sizeof *sc->hive_types);
    ds_buf hive = {0};
    for (size_t h = 0; h < n_hive; h++) {
        const char *type = NULL;
        for (size_t r = 0; r < rows.rows && !type; r++)
            if (strcmp(ds_rows_get(&rows, r, 0), sc->hive_names[h]) == 0)
                type = ds_rows_get(&rows, r, 1);
        if (!type)
            continue;
        sc->hive_types[h] = ds_strdup(type);
        ds_buf_puts(&hive, hive.len ? ", " : "hive_types = {");
        ds_sql_quote(&hive, sc->hive_names[h]);
        ds_buf_puts(&hive, ": ");
        ds_sql_quote(&hive, type);
    }
    if (hive.len) {
        ds_buf_puts(&hive, "}");
        sc->hive_option = ds_buf_take(&hive);
    }
    ds_rows_free(&rows);
    return 0;
}

/* The unified columns of drifting files: DESCRIBE by name over one file of
 * each schema (the union of the schemas is all that matters), hive columns
 * pinned to their types.  Returns -1 when it fails. */
static int describe_unified(const ds_source_set *set, ds_duck *db, ds_sv_schema *sc,
                            const size_t *reps, size_t n_reps)
{
    ds_rows rows;
    /* By name even in union_all mode: there the names agree, and this
     * gives the types wide enough for every file. */
    if (describe_files(db, set, reps, n_reps, true, sc->hive_option, &rows) != 0)
        return -1;
    sc->n_cols = rows.rows;
    sc->col_names = ds_xcalloc(rows.rows + 1, sizeof *sc->col_names);
    sc->col_types = ds_xcalloc(rows.rows + 1, sizeof *sc->col_types);
    for (size_t r = 0; r < rows.rows; r++) {
        sc->col_names[r] = ds_strdup(ds_rows_get(&rows, r, 0));
        sc->col_types[r] = ds_strdup(ds_rows_get(&rows, r, 1));
    }
    ds_rows_free(&rows);
    return 0;
}

/* Can the build-time engine read this file's footer?  why gets its error. */
static bool duck_reads(ds_duck *db, const char *path, ds_err *why)
{
    ds_buf one = {0};
    ds_buf_puts(&one, "SELECT count(*) FROM parquet_file_metadata(");
    ds_sql_quote(&one, path);
    ds_buf_puts(&one, ")");
    int rc = ds_duck_exec(db, one.data, why);
    ds_buf_free(&one);
    return rc == 0;
}

typedef struct {
    uint64_t hash;
    size_t file;
} hash_file;

/* Files of a set by position (pointers into its array). */
int ds_sv_cmp_ptr(const void *a, const void *b)
{
    const void *x = *(const void *const *)a, *y = *(const void *const *)b;
    return x < y ? -1 : x > y;
}


static int cmp_hash_file(const void *a, const void *b)
{
    const hash_file *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return x->file < y->file ? -1 : x->file > y->file;
}

/* Files looked up at once: bounds the facts held for them. */
#define FACTS_BLOCK 65536

/* Notes file I of the set when its codecs are not all the browser's. */
static void note_codecs(ds_sv_schema *sc, size_t i, uint16_t codecs)
{
    uint16_t odd = codecs & (uint16_t)~DS_FOOTER_BROWSER_CODECS;
    if (!odd)
        return;
    if (sc->n_odd_codec++ == 0)
        sc->odd_codec_file = i;
    sc->odd_codecs |= odd;
}

/* One file's footer facts, when ds_facts_get_all had none: read alone for
 * the reason.  A footer our reader cannot read but DuckDB can (an unusual
 * writer) gets a schema of its own, so DuckDB judges it.  Returns false
 * when the file cannot be read at all. */
static bool fact_alone(const ds_source_set *set, size_t i, ds_duck *db, ds_facts *facts,
                       bool stamped, ds_sv_schema *sc, hash_file *hf)
{
    ds_footer ft;
    char why[200];
    ds_err derr;
    if (ds_facts_get_stamped(facts, set->files[i].path, stamped ? &set->files[i].stamp : NULL,
                             &ft, why, sizeof why) == 0) {
        hf[i] = (hash_file){ft.schema_hash, i};
        sc->rows[i] = ft.num_rows;
        note_codecs(sc, i, ft.codecs);
    } else if (duck_reads(db, set->files[i].path, &derr)) {
        hf[i] = (hash_file){UINT64_MAX - i, i};
        sc->rows[i] = -1; /* unknown */
    } else {
        return false;
    }
    return true;
}

/* Every file's footer facts (the cache answers for unchanged files; the
 * others are read a block at a time, by a few threads).  Returns false
 * when a file cannot be read at all. */
static bool read_facts(const ds_source_set *set, ds_duck *db, ds_facts *facts,
                       bool stamped, ds_sv_schema *sc, hash_file *hf)
{
    sc->rows = ds_xcalloc(set->n_files + 1, sizeof *sc->rows);
    size_t block = set->n_files < FACTS_BLOCK ? set->n_files : FACTS_BLOCK;
    ds_facts_want *want = ds_xcalloc(block + 1, sizeof *want);
    ds_footer *got = ds_xcalloc(block + 1, sizeof *got);
    bool *ok = ds_xcalloc(block + 1, sizeof *ok);
    bool all = true;
    for (size_t at = 0; all && at < set->n_files; at += block) {
        size_t n = set->n_files - at < block ? set->n_files - at : block;
        for (size_t k = 0; k < n; k++)
            want[k] = (ds_facts_want){set->files[at + k].path,
                                      stamped ? set->files[at + k].stamp
                                              : (ds_file_stamp){-1, 0, 0}};
        ds_facts_get_all(facts, want, n, got, ok);
        for (size_t k = 0; all && k < n; k++) {
            if (ok[k]) {
                hf[at + k] = (hash_file){got[k].schema_hash, at + k};
                sc->rows[at + k] = got[k].num_rows;
                note_codecs(sc, at + k, got[k].codecs);
            } else {
                all = fact_alone(set, at + k, db, facts, stamped, sc, hf);
            }
        }
    }
    free(want);
    free(got);
    free(ok);
    return all;
}

/* ---- hive folders that files also hold as columns ---------------------- */

/* A file's top-level column names (n = 0 when it cannot be read). */
static void file_columns(ds_duck *db, const char *path, ds_sv_cols *out)
{
    memset(out, 0, sizeof *out);
    ds_buf sql = {0};
    ds_buf_puts(&sql, "SELECT file_name, name, num_children FROM parquet_schema(");
    ds_sql_quote(&sql, path);
    ds_buf_puts(&sql, ")");
    ds_rows rows;
    ds_err qerr;
    if (ds_duck_query(db, sql.data, &rows, &qerr) == 0) {
        if (rows.rows)
            top_level_names(&rows, 0, rows.rows, out);
        ds_rows_free(&rows);
    }
    ds_buf_free(&sql);
}

/* The column of COLS named like NAME (as DuckDB matches names, without
 * regard to case), or NULL. */
static const char *col_named(const ds_sv_cols *cols, const char *name)
{
    for (size_t i = 0; i < cols->n; i++)
        if (strcasecmp(cols->names[i], name) == 0)
            return cols->names[i];
    return NULL;
}

static void cols_free(ds_sv_cols *c)
{
    ds_sv_free_strv(c->names, c->n);
    memset(c, 0, sizeof *c);
}

/* Both engines (DuckDB 1.5 at build time, 0.9.1 in the browser) give a
 * hive column the value of its name=value folder, even when the file holds
 * a column of that name: the file's own column is never read (measured,
 * docs/building.md).  Said once per source, from one file per schema. */
static void note_shadowed(const ds_source_set *set, ds_duck *db, const ds_sv_schema *sc,
                          const size_t *reps, size_t n_reps)
{
    for (size_t r = 0; r < n_reps && r < 16; r++) {
        const ds_source_file *f = &set->files[reps[r]];
        ds_sv_cols cols;
        file_columns(db, f->path, &cols);
        for (size_t h = 0; sc->hive_names[h]; h++) {
            const char *col = col_named(&cols, sc->hive_names[h]);
            if (!col)
                continue;
            ds_info("file source '%s': %s holds a column '%s' and sits in a folder %s=...: "
                    "both engines read the folder's value and never the file's column; "
                    "rename the column in the files if its values are not the folders'",
                    set->fs->name, f->path, col, sc->hive_names[h]);
            cols_free(&cols);
            return;
        }
        cols_free(&cols);
    }
}

/* A file whose key and path have different name=value folders (ODD), and
 * which holds a column named like a folder only one of them has: one
 * engine reads the folder's value, the other the file's column. */
static void warn_shadow_differs(const ds_source_set *set, ds_duck *db, const ds_source_file *odd)
{
    char **k = hive_folders(odd->key), **p = hive_folders(odd->path);
    ds_sv_cols cols;
    file_columns(db, odd->path, &cols);
    for (int side = 0; side < 2; side++) {
        char **has = side ? p : k, **lacks = side ? k : p;
        for (size_t i = 0; has[i]; i++) {
            const char *col = col_named(&cols, has[i]);
            if (!col || strv_has(lacks, has[i]))
                continue;
            ds_warn("file source '%s': %s holds a column '%s', and only its %s has a folder "
                    "%s=...: %s reads the folder's value and %s the file's column, so stored "
                    "results and the browser can differ; put the physical files under the "
                    "same name=value folders as their keys, or rename the column in the files",
                    set->fs->name, odd->path, col, side ? "path" : "key", has[i],
                    side ? "the build" : "the browser", side ? "the browser" : "the build");
            goto done;
        }
    }
done:
    cols_free(&cols);
    ds_sv_free_strv(k, strv_len(k));
    ds_sv_free_strv(p, strv_len(p));
}

/* Learns each file's schema and, when the files differ or have hive
 * folders, the unified types.  Footers come from the facts cache or are
 * read directly; DuckDB reads one footer per distinct schema.  A source
 * whose files cannot all be read keeps the plain view: the files that are
 * missing or unreadable are reported elsewhere.  Returns whether every
 * footer was read (so no file is unreadable). */
static bool learn_schema(const ds_source_set *set, ds_duck *db, ds_facts *facts,
                         bool stamped, bool any_missing, ds_sv_schema *sc)
{
    memset(sc, 0, sizeof *sc);
    const ds_source_file *odd, *other;
    sc->hive_names = source_hive_names(set, &odd, &other, &sc->paths_agree);
    if (!odd && other) {
        /* Keys under different name=value folders (a file at another
         * depth): no folder is a column.  DuckDB would still make one
         * from the first path it describes, which the views, reading
         * each group alone, could only fill with NULL. */
        sc->hive_option = ds_strdup("hive_partitioning = false");
        char *a = folder_names(set->files[0].key), *b = folder_names(other->key);
        ds_warn("file source '%s': %s lies under the name=value folders %s, %s under %s: "
                "with files under different folders no folder is read as a column "
                "(hive_partitioning = false, in both engines); put every file under the "
                "same name=value folders to have hive columns",
                set->fs->name, set->files[0].path, a, other->path, b);
        free(a);
        free(b);
    } else if (odd && !sc->hive_names[0]) {
        /* No folder is a column for both: both engines are told to make
         * none, so they read the same columns (the files' own). */
        sc->hive_option = ds_strdup("hive_partitioning = false");
        ds_warn("file source '%s': the name=value folders of %s differ from those of its key "
                "%s (the build reads the path, the browser the key); its views read no "
                "folder as a column (hive_partitioning = false), in both engines; put the "
                "files under the same name=value folders as their keys to have hive columns",
                set->fs->name, odd->path, odd->key);
    } else if (odd) {
        ds_warn("file source '%s': the name=value folders of %s differ from those of its key "
                "%s; a hive column that only one of them has is seen by only one engine "
                "(the build reads the path, the browser the key), and its type is not pinned",
                set->fs->name, odd->path, odd->key);
        if (!any_missing)
            warn_shadow_differs(set, db, odd);
    }
    if (any_missing)
        return false;
    hash_file *hf = ds_xcalloc(set->n_files + 1, sizeof *hf);
    if (!read_facts(set, db, facts, stamped, sc, hf)) {
        free(hf);
        return false;
    }
    /* One representative file per distinct schema hash.  The pairs come
     * in the files' order: with one schema (a lake's usual case) they are
     * already sorted, and a million of them need no sort. */
    ds_sort_unless_sorted(hf, set->n_files, sizeof *hf, cmp_hash_file);
    size_t *reps = ds_xcalloc(set->n_files + 1, sizeof *reps);
    size_t *rep_of = ds_xcalloc(set->n_files + 1, sizeof *rep_of);
    size_t n_reps = 0;
    for (size_t i = 0; i < set->n_files; i++) {
        if (i == 0 || hf[i].hash != hf[i - 1].hash)
            reps[n_reps++] = hf[i].file;
        rep_of[hf[i].file] = n_reps - 1;
    }
    free(hf);
    /* Representatives in the files' order: DuckDB orders unified columns
     * by first appearance, and the first file of each schema sees every
     * column at the same place as the whole list does. */
    size_t *sorted = ds_xcalloc(n_reps + 1, sizeof *sorted);
    memcpy(sorted, reps, n_reps * sizeof *reps);
    qsort(sorted, n_reps, sizeof *sorted, cmp_size);
    for (size_t i = 0; i < set->n_files; i++)
        rep_of[i] = (size_t)((size_t *)bsearch(&reps[rep_of[i]], sorted, n_reps,
                                               sizeof *sorted, cmp_size) - sorted);
    free(reps);
    reps = sorted;
    sc->one_schema = n_reps == 1;
    if (sc->hive_names[0])
        note_shadowed(set, db, sc, reps, n_reps);

    bool by_name = set->fs->union_mode == DS_UNION_ALL_BY_NAME;
    bool complete = true;
    if (n_reps > 1) {
        /* DuckDB's view of each distinct schema (the same bytes can only
         * mean the same schema; different bytes may still, e.g. columns
         * in another order matched by name). */
        ds_buf sql = {0};
        ds_buf_puts(&sql, "SELECT file_name, name, num_children, type, type_length, "
                          "repetition_type, converted_type, scale, precision, logical_type "
                          "FROM parquet_schema([");
        for (size_t i = 0; i < n_reps; i++) {
            if (i)
                ds_buf_puts(&sql, ", ");
            ds_sql_quote(&sql, set->files[reps[i]].path);
        }
        ds_buf_puts(&sql, "])");
        ds_rows rows;
        ds_err qerr;
        int rc = ds_duck_query(db, sql.data, &rows, &qerr);
        ds_buf_free(&sql);
        if (rc != 0) {
            free(reps);
            free(rep_of);
            return false;
        }
        size_t *schema_of_rep = ds_xcalloc(n_reps, sizeof *schema_of_rep);
        char **prints = ds_xcalloc(n_reps, sizeof *prints);
        sc->schemas = ds_xcalloc(n_reps, sizeof *sc->schemas);
        size_t r = 0;
        for (size_t k = 0; k < n_reps && complete; k++) {
            const char *path = set->files[reps[k]].path;
            size_t first = r;
            while (r < rows.rows && strcmp(ds_rows_get(&rows, r, 0), path) == 0)
                r++;
            if (r == first) {
                /* Rows come in the order of the file list; anything else
                 * (the same file listed twice) is not worth guessing about. */
                complete = false;
                break;
            }
            char *fp = fingerprint(&rows, first, r, by_name);
            size_t s = 0;
            while (s < sc->n_schemas && strcmp(prints[s], fp) != 0)
                s++;
            if (s == sc->n_schemas) {
                prints[sc->n_schemas++] = fp;
                top_level_names(&rows, first, r, &sc->schemas[s]);
            } else {
                free(fp);
            }
            schema_of_rep[k] = s;
        }
        ds_sv_free_strv(prints, sc->n_schemas);
        ds_rows_free(&rows);
        sc->schema_of = ds_xcalloc(set->n_files, sizeof *sc->schema_of);
        for (size_t i = 0; i < set->n_files && complete; i++)
            sc->schema_of[i] = schema_of_rep[rep_of[i]];
        free(schema_of_rep);
    }
    /* union_all reads the first file's columns from every file: only files
     * with the same column names (types may differ) are lined up; others
     * keep the plain view, which both engines refuse or misread. */
    bool drift = complete && sc->n_schemas > 1;
    for (size_t s = 1; drift && !by_name && s < sc->n_schemas; s++) {
        drift = sc->schemas[s].n == sc->schemas[0].n;
        for (size_t c = 0; drift && c < sc->schemas[0].n; c++)
            drift = strcmp(sc->schemas[s].names[c], sc->schemas[0].names[c]) == 0;
    }
    if (!drift)
        drop_schemas(sc);
    if (sc->hive_names[0] && describe_hive(set, db, sc) != 0)
        drop_schemas(sc);
    else if (drift && describe_unified(set, db, sc, reps, n_reps) != 0)
        drop_schemas(sc);
    free(reps);
    free(rep_of);
    return true;
}

/* ---- building SELECTs ------------------------------------------------ */

void ds_sv_pred_add(ds_sv_preds *p, const char *pred)
{
    if (pred && *pred)
        p->parts[p->n++] = pred;
}

void ds_sv_put_where(ds_buf *b, const ds_sv_preds *p)
{
    for (size_t i = 0; i < p->n; i++) {
        ds_buf_puts(b, i ? " AND " : " WHERE ");
        ds_buf_printf(b, p->n > 1 ? "(%s)" : "%s", p->parts[i]);
    }
}

typedef struct {
    const char *row_filter;
    size_t schema, at;
} group_key;

static int cmp_group_key(const void *a, const void *b)
{
    const group_key *x = a, *y = b;
    if (!x->row_filter != !y->row_filter)
        return x->row_filter ? 1 : -1;
    int c = x->row_filter ? strcmp(x->row_filter, y->row_filter) : 0;
    if (c)
        return c;
    if (x->schema != y->schema)
        return x->schema < y->schema ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

static bool same_group(const group_key *x, const group_key *y)
{
    return x->schema == y->schema &&
           (x->row_filter ? y->row_filter && strcmp(x->row_filter, y->row_filter) == 0
                          : !y->row_filter);
}

static int cmp_group_first(const void *a, const void *b)
{
    const ds_sv_group *x = a, *y = b;
    return x->first < y->first ? -1 : x->first > y->first;
}

/* Groups in the order of their first file, each file in its group in the
 * given order.  Sorted, not compared pairwise: a plugin may give each of
 * 100,000 files a filter of its own. */
void ds_sv_group_files(const ds_source_set *set, const ds_sv_schema *sc,
                       const ds_source_file *const *files, size_t n, ds_sv_groups *out)
{
    group_key *keys = ds_xcalloc(n + 1, sizeof *keys);
    for (size_t i = 0; i < n; i++)
        keys[i] = (group_key){files[i]->row_filter,
                              sc && sc->n_schemas > 1 ? sc->schema_of[files[i] - set->files] : 0,
                              i};
    /* Files of one schema and no filters of their own (a lake's usual
     * case) are one group, and already in order. */
    ds_sort_unless_sorted(keys, n, sizeof *keys, cmp_group_key);
    out->items = ds_xcalloc(n ? n : 1, sizeof *out->items);
    out->n = 0;
    for (size_t i = 0; i < n;) {
        size_t end = i + 1;
        while (end < n && same_group(&keys[i], &keys[end]))
            end++;
        ds_sv_group *g = &out->items[out->n++];
        g->row_filter = keys[i].row_filter;
        g->schema = keys[i].schema;
        g->first = keys[i].at;
        g->files = ds_xcalloc(end - i, sizeof *g->files);
        for (size_t k = i; k < end; k++)
            g->files[g->n++] = files[keys[k].at];
        i = end;
    }
    free(keys);
    qsort(out->items, out->n, sizeof *out->items, cmp_group_first);
}

void ds_sv_groups_free(ds_sv_groups *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->items[i].files);
    free(g->items);
}

/* The options after read_parquet's list. */
static void put_read_options(ds_buf *b, bool by_name, const char *hive_option,
                             const char *extra_option)
{
    if (by_name)
        ds_buf_puts(b, ", union_by_name = true");
    if (hive_option)
        ds_buf_printf(b, ", %s", hive_option);
    if (extra_option)
        ds_buf_printf(b, ", %s", extra_option);
    ds_buf_puts(b, ")");
}

/* read_parquet(['a', 'b'], union_by_name = true), with HTTP-visible keys or
 * physical paths. */
void ds_sv_put_read_parquet(ds_buf *b, const ds_sv_group *g, bool physical, bool by_name,
                            const char *hive_option, const char *extra_option)
{
    ds_buf_puts(b, "read_parquet([");
    for (size_t i = 0; i < g->n; i++) {
        if (i)
            ds_buf_puts(b, ", ");
        ds_sql_quote(b, physical ? g->files[i]->path : g->files[i]->key);
    }
    ds_buf_puts(b, "]");
    put_read_options(b, by_name, hive_option, extra_option);
}

/* The group's read_parquet with its keys: a long list goes to TO, the SQL
 * naming it by its placeholder (filelist.h). */
static void put_group_read(ds_buf *b, const ds_sv_group *g, bool by_name, const char *hive_option,
                           const char *extra_option, const ds_sv_lists *to)
{
    if (!to || g->n <= DS_FILELIST_MIN) {
        ds_sv_put_read_parquet(b, g, false, by_name, hive_option, extra_option);
        return;
    }
    const char **keys = ds_xcalloc(g->n, sizeof *keys);
    for (size_t i = 0; i < g->n; i++)
        keys[i] = g->files[i]->key;
    ds_buf_puts(b, "read_parquet(");
    ds_filelists_put(to->lists, to->view, to->templated, keys, g->n, hive_option, b);
    free(keys);
    put_read_options(b, by_name, hive_option, extra_option);
}

/* The unified column list for one group of files of the same schema:
 * every column cast to its unified type, a column the group lacks as a
 * typed NULL, in the unified order. */
static void put_unified_columns(ds_buf *b, const ds_sv_schema *sc, const ds_sv_group *g)
{
    const ds_sv_cols *own = &sc->schemas[g->schema];
    for (size_t c = 0; c < sc->n_cols; c++) {
        const char *name = sc->col_names[c];
        const char *src = NULL;
        for (size_t k = 0; k < own->n && !src; k++)
            if (strcasecmp(own->names[k], name) == 0)
                src = own->names[k];
        if (!src && strv_has(sc->hive_names, name))
            src = name;
        ds_buf_puts(b, c ? ", CAST(" : "CAST(");
        if (src)
            put_ident(b, src);
        else
            ds_buf_puts(b, "NULL");
        ds_buf_printf(b, " AS %s) AS ", sc->col_types[c]);
        put_ident(b, name);
    }
}

/* The validation copy of a view: one SELECT per schema over one of its
 * files, whose WHERE ORs the per-file filters of all its groups, so DuckDB
 * binds every filter against the columns once (the rows do not matter to
 * EXPLAIN).  A plugin may give each of 100,000 files a filter of its own:
 * a union of 100,000 SELECTs is minutes of parsing, one OR is not.
 * Returns the merged filters, one per group left, for the caller to free. */
static char **merge_for_check(ds_sv_groups *g)
{
    ds_buf *ors = ds_xcalloc(g->n + 1, sizeof *ors);
    /* Filters that differ only in their literals (id = 1, id = 2, ...)
     * are checked once, by their first instance. */
    json_t *shapes = json_object();
    size_t kept = 0;
    for (size_t i = 0; i < g->n; i++) {
        /* Read before the group may be overwritten in place (k == i). */
        const char *f = g->items[i].row_filter;
        size_t k = 0;
        while (k < kept && g->items[k].schema != g->items[i].schema)
            k++;
        if (k == kept) {
            g->items[kept] = g->items[i];
            g->items[kept].n = 1;
            g->items[kept].row_filter = NULL;
            kept++;
        } else {
            free(g->items[i].files);
        }
        char *shape = f ? ds_sql_shape(f) : NULL;
        char *key = shape ? ds_asprintf("%zu:%s", k, shape) : NULL;
        if (key && !json_object_get(shapes, key)) {
            json_object_set_new(shapes, key, json_true());
            ds_buf_printf(&ors[k], ors[k].len ? " OR (%s)" : "(%s)", f);
        }
        free(key);
        free(shape);
    }
    json_decref(shapes);
    g->n = kept;
    char **filters = ds_xcalloc(kept + 1, sizeof *filters);
    for (size_t k = 0; k < kept; k++)
        g->items[k].row_filter = filters[k] = ors[k].len ? ds_buf_take(&ors[k]) : NULL;
    free(ors);
    return filters;
}

/* The view over some files: one SELECT per group, joined.  With drifting
 * schemas each SELECT lists the unified columns and the predicates apply to
 * them (a filter on a column some files lack sees NULL there, as with
 * union_by_name). */
static char *select_sql(const ds_source_set *set, const ds_sv_schema *sc,
                        const ds_source_file *const *files, size_t n, const char *level_filter,
                        const char *extra_pred, bool check, const ds_sv_lists *to)
{
    const ds_file_source *fs = set->fs;
    char *window = ds_sql_time_window(fs);
    bool by_name = fs->union_mode == DS_UNION_ALL_BY_NAME;
    /* Files whose schemas have the same bytes need no matching by name;
     * without it both engines read one footer to bind, not every one, and
     * can skip files by their partition folders before reading them. */
    bool match_names = by_name && !(sc && sc->one_schema);
    bool unified = sc && sc->n_schemas > 1;
    const char *hive = sc ? sc->hive_option : NULL;
    /* The validation copy reads one file per group: a DuckDB that sees
     * a single path would find hive folders the whole list does not have
     * in common, so it is told what the whole list decides. */
    const char *check_option = check && !hive && !sc->paths_agree ? "hive_partitioning = false"
                                                                  : NULL;
    ds_sv_groups groups;
    ds_sv_group_files(set, sc, files, n, &groups);
    char **merged_filters = NULL;
    if (check)
        merged_filters = merge_for_check(&groups);
    ds_buf b = {0};
    for (size_t i = 0; i < groups.n; i++) {
        /* The source's row_filter and the level's: "(base) AND (extra)",
         * either alone when the other is unset. */
        ds_sv_preds p = {0};
        ds_sv_pred_add(&p, fs->row_filter);
        ds_sv_pred_add(&p, level_filter);
        ds_sv_pred_add(&p, window);
        ds_sv_pred_add(&p, groups.items[i].row_filter);
        ds_sv_pred_add(&p, extra_pred);
        if (unified) {
            if (i)
                ds_buf_puts(&b, "\nUNION ALL\n");
            ds_buf_puts(&b, p.n ? "SELECT * FROM (SELECT " : "SELECT ");
            put_unified_columns(&b, sc, &groups.items[i]);
            ds_buf_puts(&b, " FROM ");
            put_group_read(&b, &groups.items[i], false, hive, check_option, to);
            if (p.n)
                ds_buf_puts(&b, ")");
        } else {
            if (i)
                ds_buf_puts(&b, by_name ? "\nUNION ALL BY NAME\n" : "\nUNION ALL\n");
            ds_buf_puts(&b, "SELECT * FROM ");
            put_group_read(&b, &groups.items[i], match_names, hive, check_option, to);
        }
        ds_sv_put_where(&b, &p);
    }
    if (merged_filters)
        ds_sv_free_strv(merged_filters, groups.n);
    ds_sv_groups_free(&groups);
    free(window);
    return ds_buf_take(&b);
}

/* Gives the view just added a validation copy over one file per group,
 * when that copy has the same columns and types: every file's schema is
 * known and either the same or lined up per schema.  With a missing file
 * nothing reading the source is validated (compile.c), and the copy only
 * serves the dependency parse and the dialect check. */
bool ds_sv_level_has(const ds_sv_level *l, const ds_source_set *set, const ds_source_file *f)
{
    return !l->has || l->has[f - set->files];
}

bool ds_sv_levels_plain(const ds_sv_levels *lv)
{
    return lv->n == 1 && !lv->items[0].has && !lv->items[0].filter;
}

char *ds_sv_view_sql(const ds_source_set *set, const ds_sv_schema *sc, const ds_sv_levels *lv,
                     const ds_source_file *const *files, size_t n, const unsigned *file_level,
                     const char *extra_pred, bool check, const ds_sv_lists *to)
{
    if (check)
        to = NULL; /* its one file per group stays in the SQL */
    if (ds_sv_levels_plain(lv))
        return select_sql(set, sc, files, n, NULL, extra_pred, check, to);
    /* Levels are joined as the groups of one level are: by position when
     * every SELECT has the same columns in the same order. */
    bool by_name = set->fs->union_mode == DS_UNION_ALL_BY_NAME && !sc->one_schema &&
                   sc->n_schemas <= 1;
    const ds_source_file **sub = ds_xcalloc(n + 1, sizeof *sub);
    ds_buf b = {0};
    for (size_t l = 0; l < lv->n; l++) {
        size_t m = 0;
        for (size_t k = 0; k < n; k++)
            if (file_level ? file_level[k] == l : ds_sv_level_has(&lv->items[l], set, files[k]))
                sub[m++] = files[k];
        if (m == 0)
            continue;
        char *one = select_sql(set, sc, sub, m, lv->items[l].filter, extra_pred, check, to);
        if (b.len)
            ds_buf_puts(&b, by_name ? "\nUNION ALL BY NAME\n" : "\nUNION ALL\n");
        ds_buf_puts(&b, one);
        free(one);
    }
    free(sub);
    return ds_buf_take(&b);
}

void ds_sv_set_check_sql(ds_query_list *out, const ds_source_set *set, const ds_sv_schema *sc,
                         const ds_sv_levels *lv, const ds_source_file *const *files, size_t n,
                         const unsigned *file_level, const char *pred, bool missing)
{
    if (!(sc->one_schema || sc->n_schemas > 1 || missing))
        return;
    char *check = ds_sv_view_sql(set, sc, lv, files, n, file_level, pred, true, NULL);
    ds_query *q = &out->items[out->len - 1];
    if (strcmp(check, q->sql) != 0)
        q->check_sql = check;
    else
        free(check);
}

/* Files that do not exist (yet): a warning each (up to a few), and their
 * keys are remembered so queries reading them skip validation.  The files'
 * stamps (ds_source_views) say which. */
static const char *note_missing_files(const ds_source_set *set, ds_keyset *unreadable)
{
    const char *first = NULL;
    size_t missing = 0;
    for (size_t i = 0; i < set->n_files; i++) {
        if (set->files[i].stamp.size >= 0)
            continue;
        if (++missing <= 5)
            ds_warn("file source '%s': %s does not exist (published as %s); queries that "
                    "read it are not validated",
                    set->fs->name, set->files[i].path, set->files[i].key);
        ds_keyset_add(unreadable, set->files[i].key);
        if (!first)
            first = set->files[i].path;
    }
    if (missing > 5)
        ds_warn("file source '%s': %zu more files do not exist", set->fs->name, missing - 5);
    return first;
}

/* Stamps every file of SET (one stat each, stamp.h): the facts cache, the
 * missing files' warnings and the later stages' sizes all read the stamp. */
static void stamp_files(ds_source_set *set)
{
    ds_stamp_files(set->files, set->n_files);
}

/* Stamps every file of SET on a first build (ds_facts_empty): each file
 * is opened once, stat-ed through its descriptor and its footer read,
 * the facts kept for the schema that follows.  A file that cannot be read
 * as Parquet is stat-ed by name, for the stamp its checks need. */
static void stamp_reading(ds_source_set *set, ds_facts *facts)
{
    size_t block = set->n_files < FACTS_BLOCK ? set->n_files : FACTS_BLOCK;
    ds_facts_want *want = ds_xcalloc(block + 1, sizeof *want);
    ds_footer *got = ds_xcalloc(block + 1, sizeof *got);
    bool *ok = ds_xcalloc(block + 1, sizeof *ok);
    for (size_t at = 0; at < set->n_files; at += block) {
        size_t n = set->n_files - at < block ? set->n_files - at : block;
        for (size_t k = 0; k < n; k++)
            want[k] = (ds_facts_want){set->files[at + k].path, {-1, 0, 0}};
        ds_facts_read_unstamped(facts, want, n, got, ok);
        for (size_t k = 0; k < n; k++) {
            ds_source_file *f = &set->files[at + k];
            if (ok[k])
                f->stamp = (ds_file_stamp){got[k].size, got[k].mtime_ns, got[k].ctime_ns};
            else if (ds_file_stamp_of(f->path, &f->stamp) != 0)
                f->stamp = (ds_file_stamp){-1, 0, 0};
        }
    }
    free(want);
    free(got);
    free(ok);
}

/* Marks in bad[] the files of the set that exist but cannot be read as
 * Parquet (truncated, not Parquet at all, no permission).  Footers are read
 * directly (or known from the facts cache); a file our reader refuses is
 * asked of DuckDB, whose message why gets for the first bad file. */
static size_t find_bad_files(const ds_source_set *set, ds_duck *db, ds_facts *facts, bool *bad,
                             ds_err *why)
{
    size_t n_bad = 0;
    for (size_t i = 0; i < set->n_files; i++) {
        if (!ds_is_file(set->files[i].path))
            continue; /* missing files are noted elsewhere */
        ds_footer ft;
        char reason[200];
        ds_err ignore;
        if (ds_facts_get(facts, set->files[i].path, &ft, reason, sizeof reason) == 0 ||
            duck_reads(db, set->files[i].path, n_bad ? &ignore : why))
            continue;
        bad[i] = true;
        n_bad++;
    }
    return n_bad;
}

/* A file that cannot be read fails the build, naming it; with on_bad_file
 * = "skip" it is left out of the source's views (good: the set without
 * it, whose files array the caller frees) with a warning, and counted. */
static int check_bad_files(const ds_config *cfg, const ds_source_set *set, ds_duck *db,
                           ds_facts *facts, ds_keyset *unreadable, ds_source_set *good,
                           ds_err *err)
{
    *good = *set;
    good->files = NULL;
    bool *bad = ds_xcalloc(set->n_files + 1, sizeof *bad);
    ds_err why;
    size_t n_bad = find_bad_files(set, db, facts, bad, &why);
    const ds_file_source *fs = set->fs;
    int rc = 0;
    if (n_bad && fs->on_bad_file == DS_ON_BAD_FILE_ERROR) {
        size_t first = 0;
        while (!bad[first])
            first++;
        ds_buf more = {0};
        if (n_bad > 1)
            ds_buf_printf(&more, " (and %zu more unreadable files)", n_bad - 1);
        rc = ds_err_set(err,
                        "%s:%d: file source '%s': cannot read %s (published as %s): %s%s; "
                        "replace or remove the file, or set on_bad_file = \"skip\" to build "
                        "without it",
                        cfg->display_path, fs->line, fs->name, set->files[first].path,
                        set->files[first].key, why.msg, more.data ? more.data : "");
        ds_buf_free(&more);
    } else if (n_bad) {
        good->files = ds_xcalloc(set->n_files, sizeof *good->files);
        good->n_files = 0;
        size_t shown = 0;
        for (size_t i = 0; i < set->n_files; i++) {
            if (!bad[i]) {
                good->files[good->n_files++] = set->files[i];
                continue;
            }
            ds_keyset_add(unreadable, set->files[i].key);
            if (++shown <= 5)
                ds_warn("file source '%s': %s cannot be read and is left out of its views "
                        "(on_bad_file = \"skip\")%s%s",
                        fs->name, set->files[i].path, shown == 1 ? ": " : "",
                        shown == 1 ? why.msg : "");
        }
        ds_warn("file source '%s': %zu of %zu files left out as unreadable", fs->name, n_bad,
                set->n_files);
    }
    free(bad);
    return rc;
}

/* ---- hierarchy levels ---------------------------------------------------- */

/* A level's row_filter as the reference reads it: unset, blank or TRUE
 * adds nothing to the source's. */
static const char *level_filter(const char *f)
{
    if (!f)
        return NULL;
    const char *b = f;
    while (isspace((unsigned char)*b))
        b++;
    size_t n = strlen(b);
    while (n && isspace((unsigned char)b[n - 1]))
        n--;
    return n == 0 || (n == 4 && strncasecmp(b, "TRUE", 4) == 0) ? NULL : f;
}

static void levels_free(ds_sv_levels *lv)
{
    for (size_t i = 0; i < lv->n; i++) {
        free(lv->items[i].label);
        free(lv->items[i].has);
    }
    free(lv->items);
    memset(lv, 0, sizeof *lv);
}

static void add_levels(ds_sv_levels *lv, const ds_level_list *l, const char *key)
{
    for (size_t i = 0; i < l->n; i++)
        lv->items[lv->n++] = (ds_sv_level){ds_asprintf("%s[%zu]", key, i), l->items[i].pattern,
                                           level_filter(l->items[i].row_filter),
                                           l->items[i].line, NULL};
}

static bool has_hierarchy(const ds_file_source *fs)
{
    return fs->hierarchy_before.n || fs->hierarchy.n || fs->hierarchy_after.n;
}

/* A level whose pattern matches none of the source's files follows
 * on_empty, as a source that matches nothing does. */
static int report_empty_level(const ds_config *cfg, const ds_source_set *set,
                              const ds_sv_level *l, ds_err *err)
{
    const ds_file_source *fs = set->fs;
    if (fs->on_empty == DS_ON_EMPTY_ERROR)
        return ds_err_set(err,
                          "%s:%d: file source '%s': %s pattern '%s' matches none of the "
                          "source's %zu files (keys such as %s); the pattern is matched "
                          "against whole data-map keys: fix it, or set on_empty = \"warn\" to "
                          "leave the level out",
                          cfg->display_path, l->line, fs->name, l->label, l->pattern,
                          set->n_files, set->files[0].key);
    ds_warn("%s:%d: file source '%s': %s pattern '%s' matches none of the source's %zu files "
            "(keys such as %s); the level is left out",
            cfg->display_path, l->line, fs->name, l->label, l->pattern, set->n_files,
            set->files[0].key);
    return 0;
}

/* The source's levels over the files of SET: hierarchy_before's, then
 * hierarchy's (or the source's own files, one level), then
 * hierarchy_after's, each marking the files whose key its pattern
 * matches.  A level that matches nothing is left out; with REPORT it
 * follows on_empty first. */
static int make_levels(const ds_config *cfg, const ds_source_set *set, bool report,
                       ds_sv_levels *lv, ds_err *err)
{
    const ds_file_source *fs = set->fs;
    size_t cap = fs->hierarchy_before.n + (fs->hierarchy.n ? fs->hierarchy.n : 1) +
                 fs->hierarchy_after.n;
    lv->items = ds_xcalloc(cap, sizeof *lv->items);
    lv->n = 0;
    add_levels(lv, &fs->hierarchy_before, "hierarchy_before");
    if (fs->hierarchy.n)
        add_levels(lv, &fs->hierarchy, "hierarchy");
    else
        lv->items[lv->n++] = (ds_sv_level){0};
    add_levels(lv, &fs->hierarchy_after, "hierarchy_after");
    size_t kept = 0;
    int rc = 0;
    for (size_t i = 0; i < lv->n; i++) {
        ds_sv_level *l = &lv->items[i];
        size_t hits = set->n_files;
        if (l->pattern) {
            l->has = ds_xcalloc(set->n_files + 1, sizeof *l->has);
            hits = 0;
            for (size_t f = 0; f < set->n_files; f++)
                hits += l->has[f] = ds_glob_match_path(l->pattern, set->files[f].key);
        }
        if (hits == 0 && report && rc == 0)
            rc = report_empty_level(cfg, set, l, err);
        if (hits == 0) {
            free(l->label);
            free(l->has);
            continue;
        }
        lv->items[kept++] = *l;
    }
    lv->n = kept;
    return rc;
}

/* The files some level reads, in the set's order, into *out (whose files
 * the caller frees); out->files stays NULL when that is every file. */
static void level_subset(const ds_source_set *set, const ds_sv_levels *lv, ds_source_set *out)
{
    *out = *set;
    out->files = NULL;
    bool *in = ds_xcalloc(set->n_files + 1, sizeof *in);
    size_t n = 0;
    for (size_t f = 0; f < set->n_files; f++) {
        for (size_t l = 0; l < lv->n && !in[f]; l++)
            in[f] = ds_sv_level_has(&lv->items[l], set, &set->files[f]);
        n += in[f];
    }
    if (n < set->n_files) {
        out->files = ds_xcalloc(n + 1, sizeof *out->files);
        out->n_files = 0;
        for (size_t f = 0; f < set->n_files; f++)
            if (in[f])
                out->files[out->n_files++] = set->files[f];
    }
    free(in);
}

/* Each level's row_filter is checked on its own over the level's files
 * (one per schema), so a mistake names the level; the view's validation
 * would name only the view.  Skipped while a file is missing. */
static int check_level_filters(const ds_config *cfg, const ds_source_set *set,
                               const ds_sv_schema *sc, const ds_sv_levels *lv, ds_duck *db,
                               ds_err *err)
{
    bool *seen = ds_xcalloc(sc->n_schemas + 1, sizeof *seen);
    int rc = 0;
    for (size_t l = 0; l < lv->n && rc == 0; l++) {
        const ds_sv_level *lev = &lv->items[l];
        if (!lev->filter)
            continue;
        memset(seen, 0, (sc->n_schemas + 1) * sizeof *seen);
        ds_buf sql = {0};
        size_t picked = 0;
        ds_buf_puts(&sql, "EXPLAIN SELECT * FROM read_parquet([");
        for (size_t f = 0; f < set->n_files; f++) {
            if (!ds_sv_level_has(lev, set, &set->files[f]))
                continue;
            size_t k = sc->n_schemas > 1 ? sc->schema_of[f] : 0;
            if (seen[k])
                continue;
            seen[k] = true;
            ds_buf_puts(&sql, picked++ ? ", " : "");
            ds_sql_quote(&sql, set->files[f].path);
        }
        ds_buf_printf(&sql, "]%s%s%s) WHERE %s", picked > 1 ? ", union_by_name = true" : "",
                      sc->hive_option ? ", " : "", sc->hive_option ? sc->hive_option : "",
                      lev->filter);
        ds_err qerr;
        if (ds_duck_exec(db, sql.data, &qerr) != 0)
            rc = ds_err_set(err,
                            "%s:%d: file source '%s': %s.row_filter '%s' fails on the level's "
                            "files: %s",
                            cfg->display_path, lev->line, set->fs->name, lev->label,
                            lev->filter, qerr.msg);
        ds_buf_free(&sql);
    }
    free(seen);
    return rc;
}

/* The row filters a plugin gave its entries, each distinct shape checked
 * over the file of its first entry (id = 1 and id = 2 once), so a mistake
 * names the entry and the plugin; the view's validation would name only the
 * source.  Only where the files share one schema: over drifting schemas the
 * view reads a column some files lack as NULL, which one file cannot show.
 * Skipped while a file is missing. */
static int check_entry_filters(const ds_config *cfg, const ds_source_set *set,
                               const ds_sv_schema *sc, ds_duck *db, ds_err *err)
{
    if (!set->fs->plugin || sc->n_schemas > 1)
        return 0;
    json_t *shapes = json_object();
    int rc = 0;
    for (size_t f = 0; f < set->n_files && rc == 0; f++) {
        const ds_source_file *file = &set->files[f];
        if (!file->row_filter)
            continue;
        char *shape = ds_sql_shape(file->row_filter);
        bool seen = json_object_get(shapes, shape) != NULL;
        if (!seen)
            json_object_set_new(shapes, shape, json_true());
        free(shape);
        if (seen)
            continue;
        ds_buf sql = {0};
        ds_buf_puts(&sql, "EXPLAIN SELECT * FROM read_parquet([");
        ds_sql_quote(&sql, file->path);
        ds_buf_printf(&sql, "]%s%s) WHERE (%s)", sc->hive_option ? ", " : "",
                      sc->hive_option ? sc->hive_option : "", file->row_filter);
        ds_err qerr;
        if (ds_duck_exec(db, sql.data, &qerr) != 0)
            rc = ds_err_set(err,
                            "%s:%d: file source '%s': plugin %s: entry '%s': row_filter '%s' "
                            "fails on its file %s: %s; fix the filter the plugin gives this "
                            "entry",
                            cfg->display_path, set->fs->line, set->fs->name, set->fs->plugin,
                            file->key, file->row_filter, file->path, qerr.msg);
        ds_buf_free(&sql);
    }
    json_decref(shapes);
    return rc;
}

/* ---- one source's views --------------------------------------------------- */

/* A source some of whose files the browser engine cannot decode (their
 * codec is not one DuckDB 0.9.1 has): one finding for the build to report
 * (collect.h).  The build-time engine reads them, so stored results and
 * live queries work; the browser fails on every query it must run itself
 * over them. */
static void note_engine_codecs(const ds_config *cfg, const ds_source_set *set,
                               const ds_sv_schema *sc, ds_collected *c)
{
    if (!sc->n_odd_codec)
        return;
    ds_buf names = {0};
    int left = __builtin_popcount(sc->odd_codecs);
    for (int k = 0; k <= DS_FOOTER_CODEC_OTHER; k++) {
        if (!(sc->odd_codecs & (1u << k)))
            continue;
        if (names.len)
            ds_buf_puts(&names, left == 1 ? " or " : ", ");
        left--;
        ds_buf_puts(&names, k == DS_FOOTER_CODEC_OTHER ? "a codec unknown to Parquet"
                                                       : ds_footer_codec_name(k));
    }
    const ds_source_file *f = &set->files[sc->odd_codec_file];
    ds_buf more = {0};
    if (sc->n_odd_codec > 1)
        ds_buf_printf(&more, " and %zu more of its %zu files are", sc->n_odd_codec - 1,
                      set->n_files);
    else
        ds_buf_puts(&more, " is");
    c->engine_findings =
        ds_xrealloc(c->engine_findings, (c->n_engine_findings + 1) * sizeof *c->engine_findings);
    c->engine_findings[c->n_engine_findings++] = ds_asprintf(
        "%s:%d: file source '%s': %s (published as %s)%s compressed with %s, which the browser "
        "engine (DuckDB 0.9.1) cannot read: it reads uncompressed, Snappy, gzip and ZSTD files "
        "only; results the build stores still show, but every query the browser runs over them "
        "fails; write them again with ZSTD or Snappy (COPY (FROM 'in.parquet') TO "
        "'out.parquet' (FORMAT parquet, COMPRESSION zstd))",
        cfg->display_path, set->fs->line, set->fs->name, f->path, f->key, more.data, names.data);
    ds_buf_free(&more);
    ds_buf_free(&names);
}

/* The base view and the templated views of one source whose files are
 * SET (those some level reads).  Returns -1 on a user error; a source left
 * without readable files gets no views. */
static int set_views(const ds_config *cfg, const ds_source_set *set, ds_facts *facts,
                     ds_duck *db, ds_query_list *out, ds_filelists *lists, ds_keyset *unreadable,
                     ds_collected *c, ds_err *err)
{
    const ds_file_source *fs = set->fs;
    const char *first_missing = note_missing_files(set, unreadable);
    ds_sv_schema schema;
    ds_source_set good = {0};
    /* Learning the schema reads every footer: only when that fails can
     * a file be unreadable, and only then is each one checked. */
    bool learnt = learn_schema(set, db, facts, true, first_missing != NULL, &schema);
    if (!learnt) {
        if (check_bad_files(cfg, set, db, facts, unreadable, &good, err) != 0) {
            source_schema_free(&schema);
            return -1;
        }
        if (good.files && good.n_files == 0) {
            ds_warn("file source '%s': no file can be read; no views for this source",
                    fs->name);
            source_schema_free(&schema);
            free(good.files);
            return 0;
        }
        if (good.files) {
            set = &good;
            source_schema_free(&schema);
            learn_schema(set, db, facts, false, first_missing != NULL, &schema);
        }
    }
    note_engine_codecs(cfg, set, &schema, c);
    ds_sv_levels levels;
    make_levels(cfg, set, false, &levels, NULL);
    int rc = 0;
    if (levels.n == 0) { /* every file of the levels was left out as unreadable */
        ds_warn("file source '%s': no level of its hierarchy has a readable file; no views "
                "for this source",
                fs->name);
        goto done;
    }
    if (!first_missing && (check_level_filters(cfg, set, &schema, &levels, db, err) != 0 ||
                           check_entry_filters(cfg, set, &schema, db, err) != 0)) {
        rc = -1;
        goto done;
    }
    const ds_source_file **files = ds_xcalloc(set->n_files, sizeof *files);
    for (size_t i = 0; i < set->n_files; i++)
        files[i] = &set->files[i];
    ds_sv_lists to = {lists, fs->name, false};
    char *sql = ds_sv_view_sql(set, &schema, &levels, files, set->n_files, NULL, NULL, false,
                               lists ? &to : NULL);
    ds_query_add(out, fs->name, DS_KIND_FILE_SOURCE, sql, cfg->display_path, fs->line);
    ds_sv_set_check_sql(out, set, &schema, &levels, files, set->n_files, NULL, NULL,
                        first_missing != NULL);
    free(sql);
    free(files);

    if (!set->template_name && (fs->template_values.items || fs->template_values_sql)) {
        rc = ds_err_set(err,
                        "%s:%d: file source '%s': %s seeds templated views, but neither "
                        "the source nor its plugin gives a template_name",
                        cfg->display_path, fs->line, fs->name,
                        fs->template_values.items ? "template_values" : "template_values_sql");
        goto done;
    }
    if (set->template_name) {
        ds_sv_ctx v = {cfg, set, db, out, lists, unreadable, first_missing, &schema, &levels};
        rc = ds_template_views(&v, set->template_name, err);
    }
done:
    levels_free(&levels);
    source_schema_free(&schema);
    free(good.files);
    return rc;
}

void ds_sources_stamp(ds_collected *c)
{
    for (size_t s = 0; s < c->n_sets; s++) {
        if (!c->sets[s].stamped)
            stamp_files(&c->sets[s]);
        c->sets[s].stamped = true;
    }
}

int ds_source_views(const ds_config *cfg, ds_collected *c, ds_facts *facts_in,
                    ds_duck *db, ds_query_list *out, ds_filelists *lists, ds_keyset *unreadable,
                    ds_err *err)
{
    ds_facts *facts = facts_in ? facts_in : ds_facts_open(NULL);
    int rc = 0;
    for (size_t s = 0; s < c->n_sets && rc == 0; s++) {
        const ds_source_set *set = &c->sets[s];
        const ds_file_source *fs = set->fs;
        if (!fs->name || set->n_files == 0)
            continue;
        /* A hierarchy reads the footers of its levels' files only. */
        if (set->stamped)
            ; /* by ds_sources_stamp */
        else if (ds_facts_empty(facts) && !has_hierarchy(fs))
            stamp_reading(&c->sets[s], facts);
        else
            stamp_files(&c->sets[s]);
        c->sets[s].stamped = true;
        const ds_query *clash = ds_query_find(out, fs->name);
        if (clash) {
            rc = ds_err_set(err, "%s:%d: file source '%s': the view name is already defined "
                                 "at %s:%d",
                            cfg->display_path, fs->line, fs->name, clash->file, clash->line);
            break;
        }
        /* A hierarchy reads only its levels' files: the others are not
         * looked at (their footers, their schemas). */
        ds_source_set levelled = {0};
        if (has_hierarchy(fs)) {
            ds_sv_levels probe;
            rc = make_levels(cfg, set, true, &probe, err);
            if (rc == 0 && probe.n == 0)
                ds_warn("file source '%s': no level of its hierarchy matches a file; no views "
                        "for this source",
                        fs->name);
            if (rc == 0 && probe.n > 0)
                level_subset(set, &probe, &levelled);
            bool none = probe.n == 0;
            levels_free(&probe);
            if (rc != 0 || none)
                continue;
            if (levelled.files)
                set = &levelled;
        }
        rc = set_views(cfg, set, facts, db, out, lists, unreadable, c, err);
        free(levelled.files);
    }
    if (!facts_in)
        ds_facts_close(facts);
    if (rc != 0)
        return -1;
    ds_keyset_finish(unreadable);
    return 0;
}
