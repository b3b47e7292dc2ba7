/* watch.h - noticing edits to a project, for `ducksite serve`: content/
 * (recursively), sources_sql/, ducksite.toml, the plugin files the config
 * names, and the base folder of every upstream_glob (recursively: .parquet
 * files and folders that change, appear or go).  The files plugin sources
 * publish are not watched.  Linux inotify; nothing is polled. */
#ifndef DS_WATCH_H
#define DS_WATCH_H

#include "../util/util.h"

typedef struct ds_watch ds_watch;

/* Watches the project at root (which need not have a valid config: then
 * only ducksite.toml, content/ and sources_sql/ are watched).  Reaching the
 * inotify watch limit is a warning, not an error. */
ds_watch *ds_watch_open(const char *root, ds_err *err);
void ds_watch_close(ds_watch *w);

/* A descriptor that becomes readable when something happened, for poll(). */
int ds_watch_fd(const ds_watch *w);

/* Reads what happened, waiting until quiet_ms pass without a new event so
 * an editor's save (several writes and a rename) counts once; once the
 * last relevant event ends a save (a file closed after writing, or moved
 * into place), a fifth of it.  Returns the
 * project-relative path of the first relevant change (caller frees), or
 * NULL when the events were all irrelevant (e.g. an editor's swap file). */
char *ds_watch_collect(ds_watch *w, int quiet_ms);

/* As ds_watch_collect, and sets *paths to every relevant path that
 * changed, each once, in the order first seen (*n_paths of them; lake and
 * plugin paths are absolute), for ds_watch_paths_free. */
char *ds_watch_collect_all(ds_watch *w, int quiet_ms, char ***paths, size_t *n_paths);
void ds_watch_paths_free(char **paths, size_t n);

#endif
