/* assets.c - runtime assets into static/assets/ (see assets.h). */
#include "assets.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <zlib.h>

#include "../util/fs.h"

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
            char *z = ds_gzip(data, len, &zlen);
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

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int ds_assets_copy(const char *dist, ds_publish *pub, const char *rel_dir, int *copied,
                   ds_err *err)
{
    DIR *d = opendir(dist);
    if (!d)
        return ds_err_set(err, "cannot open %s", dist);
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        /* Dot-files are not part of the runtime; .gz files we make ourselves. */
        if (e->d_name[0] == '.' || ds_ends_with(e->d_name, ".gz"))
            continue;
        /* Build-only scripts (run by the build under node) are not published. */
        if (ds_ends_with(e->d_name, ".node.mjs"))
            continue;
        names = ds_xrealloc(names, (n + 1) * sizeof *names);
        names[n++] = ds_strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char *src = ds_path_join(dist, names[i]);
        char *dst = ds_asprintf("%s/%s", rel_dir, names[i]);
        if (rc == 0)
            rc = ds_is_dir(src) ? ds_assets_copy(src, pub, dst, copied, err)
                                : copy_file(src, pub, dst, copied, err);
        free(src);
        free(dst);
        free(names[i]);
    }
    free(names);
    return rc;
}
