/* uptodate.h - is static/ already what this build would make?
 *
 * A build over a lake spends most of its time on work whose answer it
 * already published: the views, their validation, the file lists and the
 * data map of a million files that did not change.  After a successful
 * `ducksite build`, a record of everything the build read is kept in
 * .ducksite/build_state.json: a digest of its inputs (the configuration,
 * content/, sources_sql/, the runtime in web/dist, the files in static/
 * the previous build did not make, every mapped file's path, size, mtime
 * and ctime and its plugin's settings, the build's options, the environment
 * it reads and the node it draws with, the date that relative date inputs
 * start from, the ducksite and DuckDB versions), a digest of what it left (every
 * file in static/ and the server's specs in .ducksite/, by size and
 * mtime), and the warnings it printed.  The next build collects and stamps
 * the files as always; when both digests are the same it repeats the
 * warnings and stops: nothing it would write could differ.
 *
 * Any other build (a whole one, `ducksite serve`'s) forgets the record
 * before it may change static/, and only a successful `ducksite build`
 * writes a new one, so a record always describes the site in static/. */
#ifndef DS_UPTODATE_H
#define DS_UPTODATE_H

#include <stdbool.h>
#include <stddef.h>

#include "../config/config.h"
#include "../datamap/collect.h"
#include "../util/util.h"

#define DS_UPTODATE_FILE ".ducksite/build_state.json"

/* What the project ROOT (absolute) holds that a build reads, taken before
 * the build reads any of it (an edit during the build then makes the next
 * build a whole one): the digest in hex.  OPTIONS names the build's
 * options that change its outputs. */
char *ds_uptodate_project(const char *root, const char *options);

/* What a build reads that decides what it writes: PROJECT's digest,
 * every mapped file of FILES as stamped, and their folders (for the
 * project at ROOT's upstream_glob sources, up to their bases): a file
 * added there that no source maps, a Spark _SUCCESS, changes their mtime,
 * and with it whether the server serves the results stored from them;
 * the digest in hex. */
char *ds_uptodate_inputs(const char *root, const char *project, const ds_collected *files);

/* Said by a stage that ended in a state a later build may not reproduce
 * (a picture not drawn, a stored result's query failed, the facts cache
 * not written): the build keeps no record, so the next one is whole.
 * ds_build takes (and clears) it. */
void ds_uptodate_incomplete(void);
bool ds_uptodate_take_incomplete(void);

/* What the last successful build recorded, when it read exactly INPUTS
 * and static/ is still as it left it; NULL otherwise. */
typedef struct {
    char **warnings;
    size_t n_warnings;
    size_t entries, queries, pages;
} ds_uptodate_record;

bool ds_uptodate_check(const char *root, const char *inputs, ds_uptodate_record *out);
void ds_uptodate_record_free(ds_uptodate_record *r);

/* Removes the record (every build that does not write a new one). */
void ds_uptodate_forget(const char *root);

/* Writes the record of a build just published: its inputs, static/ as it
 * is now, the warnings it printed (each ended by a NUL byte, as
 * ds_warn_record keeps them) and its counts.  A failure to write it is
 * not the build's: the next build is then a whole one. */
void ds_uptodate_save(const char *root, const char *inputs, const ds_buf *warnings,
                      const ds_uptodate_record *counts);

#endif
