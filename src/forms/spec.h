/* spec.h - forms that write data: a page's ```form <id> blocks made into
 * checked specs, and the file that hands them from the build to the server.
 *
 * The build (ds_forms_collect) checks every key, the target and image
 * folders (inside the project root, ${DIR_*} substituted), the inputs and
 * the query's ${inputs.x}, and that each id is used once in the site;
 * ds_forms_prepare then validates each query with DuckDB and writes a
 * header-only target CSV where none exists, so page queries over it
 * validate too.  After a build is published, ds_forms_save writes
 * <root>/.ducksite/forms.json (outside static/: it is never served), which
 * `ducksite serve` reads (ds_forms_load).  docs/forms.md describes it. */
#ifndef DS_FORMS_SPEC_H
#define DS_FORMS_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "../site/page.h"
#include "../util/util.h"

/* <root>/DS_FORMS_FILE: the specs the server reads. */
#define DS_FORMS_FILE ".ducksite/forms.json"

typedef struct {
    char *id;
    char *label;           /* as written, else the id */
    char *target;          /* target CSV, relative to the project root, normalised */
    char *image_field;     /* NULL when the form takes no image */
    char *image_dir;       /* relative to the root; the target's folder by default */
    char **inputs;         /* the inputs it requires (may be none) */
    size_t n_inputs;
    char *sql;             /* sql_relation_query, ${inputs.x} left in */
    bool auth_required;
    char **domains;        /* allowed email domains, lower case, no '@' */
    size_t n_domains;
    long long max_rows_per_user; /* 0: no limit */
    char *page;            /* "content/a.md", for messages */
    int line;              /* of the fence */
    int sql_line;          /* of the query's first line */
} ds_form;

typedef struct {
    ds_form *items;
    size_t len;
} ds_forms;

/* The documented keys of a form block (docs/forms.md). */
const char *const *ds_form_keys(size_t *n);

/* Parses "a, b c" or a JSON list ["a","b"] into names; -1 with *why set
 * to a static message when it is neither. */
int ds_form_parse_list(const char *text, bool json_allowed, char ***out, size_t *n,
                       const char **why);

/* EMAIL's domain (after the last '@') is one of DOMAINS, compared in lower
 * case (a whole domain: "evil-example.com" is not "example.com"). */
bool ds_form_domain_allowed(const ds_form *f, const char *email);

/* REL (relative to ROOT, or absolute) as a path relative to ROOT, lexically
 * normalised; NULL when it leaves ROOT or when an existing part of it is a
 * symlink leading out of ROOT. */
char *ds_form_confine(const char *root, const char *rel);

/* Every form of every page checked and collected.  DIRS are the [dirs]
 * names and values (n each).  PAGES are parsed pages with their DISPLAY
 * names.  Errors name the page file and line. */
typedef struct {
    const ds_page *page;
    const char *display;
    const char *rel;       /* the page's path without .md ("a/b") */
} ds_form_page;
int ds_forms_collect(const char *root, const char *const *dir_names,
                     const char *const *dir_values, size_t n_dirs, const ds_form_page *pages,
                     size_t n_pages, ds_forms *out, ds_err *err);

/* The columns a submission of F writes, in order: the query's, then
 * image_field when the query has no such column, then submitted_by and
 * submitted_at.  QUERY_COLS are the query's column names. */
char **ds_form_columns(const ds_form *f, char *const *query_cols, size_t n_query,
                       size_t *n);

/* The forms of page DISPLAY as the browser needs them (JSON array text; no
 * SQL, no host paths), or NULL when it has none. */
char *ds_forms_page_json(const ds_forms *forms, const char *display);

/* The lock file of TARGET (relative to ROOT): ".NAME.lock" beside it,
 * which every writer of the target holds (flock) while it appends. */
char *ds_forms_lock_path(const char *root, const char *target);

/* The forms' targets, their lock files and image folders as absolute paths
 * (for --clean to keep: removing a lock file while it is held would let a
 * second writer lock another file); the caller frees each and the array. */
char **ds_forms_kept_paths(const ds_forms *forms, const char *root, size_t *n);

/* Writes ROOT/.ducksite/forms.json atomically. */
int ds_forms_save(const ds_forms *forms, const char *root, ds_err *err);

/* Reads the file ds_forms_save wrote; a missing file is no forms. */
int ds_forms_load(const char *path, ds_forms *out, ds_err *err);

const ds_form *ds_forms_find(const ds_forms *forms, const char *id);

void ds_form_copy(ds_form *dst, const ds_form *src);
void ds_form_free(ds_form *f);
void ds_forms_free(ds_forms *forms);

#endif
