/* assets.c - runtime assets into static/assets/ (see assets.h). */
#include "assets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <zlib.h>

#include "../util/fs.h"
#include "../util/walk.h"

char *ds_assets_dist_dir(void)
{
    const char *env = getenv("DUCKSITE_WEB_DIST");
    return ds_strdup(env && *env ? env : DS_SOURCE_DIR "/web/dist");
}

char *ds_gzip(const char *data, size_t len, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    /* windowBits 15 + 16: a gzip header and trailer instead of zlib's. */
    if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        fprintf(stderr, "ducksite: internal error: deflateInit2 failed\n");
        abort();
    }
    size_t cap = deflateBound(&z, (uLong)len) + 32;
    char *out = ds_xmalloc(cap);
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
        fprintf(stderr, "ducksite: internal error: deflate did not finish\n");
        abort();
    }
    *out_len = z.total_out;
    deflateEnd(&z);
    return out;
}

char *ds_assets_hash(const char *path)
{
    size_t len;
    char *data = ds_read_file(path, &len, NULL);
    if (!data)
        return ds_strdup("0");
    uLong crc = crc32(0L, Z_NULL, 0);
    /* crc32 takes uInt lengths; feed big files in pieces. */
    for (size_t off = 0; off < len;) {
        size_t n = len - off > (1u << 30) ? (1u << 30) : len - off;
        crc = crc32(crc, (const Bytef *)data + off, (uInt)n);
        off += n;
    }
    free(data);
    return ds_asprintf("%08lx", crc & 0xffffffffUL);
}

static bool compressible(const char *name)
{
    static const char *const exts[] = {".js", ".css", ".wasm", ".json", ".html", ".svg"};
    for (size_t i = 0; i < DS_ARRAY_LEN(exts); i++)
        if (ds_ends_with(name, exts[i]))
            return true;
    return false;
}

/* The gzip sidecar the runtime's bundle made next to SRC (SRC.gz, not older
 * than SRC), or NULL: compressing the 40 MB engine at the best level takes
 * seconds, and every new project would do it again. */
static char *dist_sidecar(const char *src, size_t *len)
{
    char *gz = ds_asprintf("%s.gz", src);
    struct stat s, z;
    char *data = NULL;
    if (stat(src, &s) == 0 && stat(gz, &z) == 0 && S_ISREG(z.st_mode) &&
        (z.st_mtim.tv_sec > s.st_mtim.tv_sec ||
         (z.st_mtim.tv_sec == s.st_mtim.tv_sec && z.st_mtim.tv_nsec >= s.st_mtim.tv_nsec)))
        data = ds_read_file(gz, len, NULL);
    free(gz);
    return data;
}

static int copy_file(const char *src, ds_publish *pub, const char *rel, int *copied,
                     ds_err *err)
{
    size_t len;
    char *data = ds_read_file(src, &len, err);
    if (!data)
        return -1;
    bool changed = false;
    int rc = ds_publish_write_if_changed(pub, rel, data, len, &changed, err);
    if (rc == 0 && changed)
        (*copied)++;
    if (rc == 0 && compressible(rel)) {
        char *gz = ds_asprintf("%s.gz", rel);
        char *live_gz = ds_path_join(ds_publish_live_dir(pub), gz);
        /* The server sends a .gz only when it is not older than its file:
         * it is staged after the file, so it is the newer of the two. */
        if (changed || !ds_is_file(live_gz)) {
            size_t zlen;
            char *z = dist_sidecar(src, &zlen);
            if (!z)
                z = ds_gzip(data, len, &zlen);
            rc = ds_publish_write(pub, gz, z, zlen, err);
            free(z);
        } else {
            ds_publish_keep(pub, gz);
        }
        free(live_gz);
        free(gz);
    }
    free(data);
    return rc;
}

typedef struct {
    ds_publish *pub;
    const char *rel_dir;
    int *copied;
    ds_err *err;
} copy_ctx;

/* One entry below web/dist/: copied, entered (a folder) or left out. */
static int copy_entry(const ds_walk_item *it, void *arg)
{
    copy_ctx *c = arg;
    if (it->type == DS_WALK_UNREADABLE)
        return ds_err_set(c->err, "cannot open %s", it->path);
    /* Dot-files are not part of the runtime (the walk leaves them out);
     * .gz files we make ourselves. */
    if (ds_ends_with(it->name, ".gz"))
        return DS_WALK_SKIP;
    /* Build-only scripts (run by the build under node) are not published. */
    if (ds_ends_with(it->name, ".node.mjs"))
        return DS_WALK_SKIP;
    if (it->type == DS_WALK_DIR)
        return 0;
    char *dst = ds_asprintf("%s/%s", c->rel_dir, it->rel);
    /* The walk does not enter a symlinked folder; the copy always has. */
    int rc = it->type == DS_WALK_LINK && ds_is_dir(it->path)
                 ? ds_assets_copy(it->path, c->pub, dst, c->copied, c->err)
                 : copy_file(it->path, c->pub, dst, c->copied, c->err);
    free(dst);
    return rc;
}

int ds_assets_copy(const char *dist, ds_publish *pub, const char *rel_dir, int *copied,
                   ds_err *err)
{
    copy_ctx c = {pub, rel_dir, copied, err};
    return ds_walk(dist, DS_WALK_RECURSE | DS_WALK_NO_HIDDEN | DS_WALK_ERRORS, copy_entry, &c);
}
