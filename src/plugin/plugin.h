/* plugin.h - virtual Parquet plugins: a file source whose files are declared
 * by a program (Python callable, executable, or native .so) as a manifest of
 * http_path -> physical_path entries with optional per-file row filters.
 * Every kind ends in the same normalised ds_manifest, so nothing downstream
 * knows or cares which kind of plugin produced it. */
#ifndef DS_PLUGIN_H
#define DS_PLUGIN_H

#include <stddef.h>

#include "../config/config.h"

typedef struct {
    char *key;          /* normalised data-map key (data/...) */
    char *path;         /* absolute physical path */
    char *row_filter;   /* or NULL */
} ds_manifest_file;

typedef struct {
    ds_manifest_file *files;
    size_t n_files;
    char *template_name;        /* or NULL */
    char *row_filter_template;  /* or NULL */
} ds_manifest;

/* The most a plugin may print (an executable's JSON, the Python host's
 * answer): past it the plugin is killed.  A 100,000-file manifest is about
 * 15 MiB. */
#define DS_PLUGIN_MAX_OUTPUT ((size_t)128 << 20)

/* Seconds the Python plugin host may take to start (not counted in any
 * plugin's plugin_timeout). */
#define DS_PLUGIN_PYTHON_START_TIMEOUT 60.0

/* One per build: holds the Python interpreter that runs every Python plugin
 * of the build, started on first use. */
typedef struct ds_plugin_session ds_plugin_session;

ds_plugin_session *ds_plugin_session_new(void);
void ds_plugin_session_free(ds_plugin_session *s);

/* What a plugin can see of the sources collected before it in the same
 * build: a JSON object {name: {"files": [{"http_path", "physical_path",
 * "row_filter"}], "template_name", "row_filter_template"}} (or NULL). */
typedef const char *ds_plugin_earlier;

/* Runs the plugin of fs and returns its normalised manifest.  Errors name
 * the file source and the plugin reference.  A Python or executable plugin
 * that runs longer than fs->plugin_timeout or prints more than
 * DS_PLUGIN_MAX_OUTPUT is killed with every process it started, and so is
 * one running when we receive SIGINT, SIGTERM or SIGHUP.  A native plugin
 * runs inside this process and has no time limit. */
int ds_plugin_run(ds_plugin_session *s, const ds_config *cfg, const ds_file_source *fs,
                  ds_plugin_earlier earlier, ds_manifest *out, ds_err *err);
void ds_manifest_free(ds_manifest *m);

/* The JSON document plugins receive: {"project": {...}, "source": name,
 * "filter_expr": ...}; project.build_file_sources holds earlier.  Caller
 * frees. */
char *ds_plugin_config_json(const ds_config *cfg, const ds_file_source *fs,
                            ds_plugin_earlier earlier);

/* The source's filter for plugins: row_filter AND time_window, or NULL. */
char *ds_plugin_filter_expr(const ds_file_source *fs);

/* http_path -> data-map key: backslashes become '/', "data/..." is kept,
 * anything else goes under data/<source>/.  NULL with *why set when the path
 * is absolute, has '.', '..' or empty segments, or control characters. */
char *ds_plugin_http_key(const char *http_path, const char *source, const char **why);

/* An executable plugin's output: the manifest JSON (TEXT, LEN bytes) read,
 * type-checked and normalised as ds_plugin_run does (keys through
 * ds_plugin_http_key under SOURCE, physical paths made absolute from ROOT).
 * On failure returns -1, leaves OUT empty and appends the reason to WHY. */
int ds_plugin_manifest_parse(const char *text, size_t len, const char *root,
                             const char *source, ds_manifest *out, ds_buf *why);

#endif
