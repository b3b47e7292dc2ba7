/* assets.h - the browser runtime's files: web/dist/ (ducksite.js,
 * ducksite.css, echarts.min.js, duckdb/ ...) copied into static/assets/,
 * each compressible file with a precompressed FILE.gz beside it, and short
 * content hashes for the ?v= cache-busting URLs in pages. */
#ifndef DS_ASSETS_H
#define DS_ASSETS_H

#include <stdbool.h>

#include "../util/util.h"
#include "publish.h"

/* Where the runtime is: $DUCKSITE_WEB_DIST, else DS_SOURCE_DIR/web/dist.
 * The caller frees the string. */
char *ds_assets_dist_dir(void);

/* Stages dist/ recursively as static/REL_DIR/ (publish.h), writing only
 * files whose content differs (so unchanged files keep their mtimes), and
 * (re)writes FILE.gz for .js .css .wasm .json .html .svg files that were
 * copied or have no .gz yet.  *copied counts the files written. */
int ds_assets_copy(const char *dist, ds_publish *pub, const char *rel_dir, int *copied,
                   ds_err *err);

/* As ds_assets_copy, with the stamp STAMP, a path inside static/
 * (assets.c): a file whose source and copy are as the stamp recorded them
 * is kept without being read.  The stamp is staged for the next build. */
#define DS_ASSETS_STAMP ".ducksite-assets.json"
int ds_assets_copy_stamped(const char *dist, ds_publish *pub, const char *rel_dir,
                           const char *stamp, int *copied, ds_err *err);

/* 8 hex digits of the file's CRC-32, or "0" when it cannot be read. */
char *ds_assets_hash(const char *path);

/* data as a gzip member (deterministic: no name, mtime 0); the best
 * compression, the fastest for 4 MiB and more. */
char *ds_gzip(const char *data, size_t len, size_t *out_len);

/* True when GZ (gz_len bytes, one gzip member) holds exactly TEXT: a
 * sidecar already in place is kept instead of compressed again. */
bool ds_gunzip_equals(const char *gz, size_t gz_len, const char *text, size_t len);

#endif
