/* publish.h - a build's outputs published all at once, or not at all.
 *
 * Every output of a build is first written to a staging folder inside
 * static/ (static/.ducksite-stage.PID/, which the server never serves: it
 * is a dot-folder).  Nothing in static/ changes while the build writes, so
 * a build that fails at any write leaves the previous site as it was.
 * Only when every file is staged does ds_publish_commit move them into
 * place, one rename each: dependencies first (data map, SQL, stored
 * results, assets), then the stored-results index, then the pages and the
 * sitemap, so a page is never served before the files it reads.  A file
 * replaced is first linked aside, so a failure in the middle of the
 * renames puts every earlier one back.
 *
 * The build's outputs (staged or unchanged) are recorded in
 * static/.ducksite-outputs.json.  Only files the previous build recorded
 * there, and this build no longer makes, are removed: a file someone put
 * in static/ by hand is never deleted as stale. */
#ifndef DS_PUBLISH_H
#define DS_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/util.h"

#define DS_PUBLISH_OUTPUTS ".ducksite-outputs.json"
#define DS_PUBLISH_STAGE_PREFIX ".ducksite-stage."

typedef struct ds_publish ds_publish;

/* Makes a fresh staging folder in static_dir (creating static_dir if it is
 * missing) and reads the previous build's list of outputs.  Staging
 * folders left by builds that died are removed. */
ds_publish *ds_publish_begin(const char *static_dir, ds_err *err);

/* static/ itself (read previous outputs here) and the staging folder
 * (write new ones there, at the same relative path). */
const char *ds_publish_live_dir(const ds_publish *p);
const char *ds_publish_stage_dir(const ds_publish *p);

/* Stages data as the output REL (a path inside static/). */
int ds_publish_write(ds_publish *p, const char *rel, const char *data, size_t len, ds_err *err);

/* As ds_publish_write, but when static/REL already holds exactly data it
 * is only recorded as an output and left alone (its mtime, and the
 * server's Last-Modified, move only when its content does).  Sets
 * *changed (may be NULL) when it was staged. */
int ds_publish_write_if_changed(ds_publish *p, const char *rel, const char *data, size_t len,
                                bool *changed, ds_err *err);

/* Records REL as an output of this build that is already in place. */
void ds_publish_keep(ds_publish *p, const char *rel);

/* Records as outputs of this build the previous build's pages, assets and
 * stored results (everything but the data map and sql/): a build without
 * content/ publishes data only and leaves the site's pages alone. */
void ds_publish_keep_previous_site(ds_publish *p);

/* Also removes, at commit, the file static/REL (for --clean: files no
 * build recorded). */
void ds_publish_remove(ds_publish *p, const char *rel);

/* Moves every staged file into static/, removes the previous build's
 * outputs that this build did not make, records this build's outputs,
 * and removes the staging folder.  On failure everything already moved is
 * put back.  Frees p either way. */
int ds_publish_commit(ds_publish *p, ds_err *err);

/* As ds_publish_commit, and on success sets *changed to the outputs this
 * build wrote (paths inside static/; not those left as they were), a
 * array of *n_changed strings the caller frees, each and all. */
int ds_publish_commit_changed(ds_publish *p, char ***changed, size_t *n_changed, ds_err *err);

/* Drops the staging folder; static/ is left as it was.  Frees p. */
void ds_publish_abort(ds_publish *p);

#endif
