/* assets.c - runtime assets into static/assets/ (see assets.h).
 *
 * The runtime is 40 MB (DuckDB-Wasm): reading it and comparing it with
 * static/assets/ on every build cost a third of a build that changed
 * nothing.  A stamp (static/.ducksite-assets.json, published with the
 * build like its record of outputs, so it never describes a build that
 * failed) records, for each file copied, the size, mtime and inode of its
 * source and of what is in static/assets/ (the file and its .gz; a staged
 * file keeps its inode and mtime when it is moved into place).  When all of them are still as recorded, the file is kept with a
 * stat; anything else (a rebuilt web/dist, a file changed or removed by
 * hand) takes the byte comparison as before. */
#include "assets.h"

#include <jansson.h>
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

/* Past this size the fastest level: a lake's file list (24 MB of names for
 * 1,000,000 files) compresses to 196 KB at level 1 in 0.06 s, and to 152
 * KB at level 9 in 0.18 s, on a build that is otherwise CPU-bound. */
#define GZIP_FAST_FROM (4u << 20)

char *ds_gzip(const char *data, size_t len, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    int level = len >= GZIP_FAST_FROM ? Z_BEST_SPEED : Z_BEST_COMPRESSION;
    /* windowBits 15 + 16: a gzip header and trailer instead of zlib's. */
    if (deflateInit2(&z, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
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

bool ds_gunzip_equals(const char *gz, size_t gz_len, const char *text, size_t len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 31) != Z_OK)
        return false;
    char chunk[65536];
    size_t at = 0;
    bool same = true;
    int zrc = Z_OK;
    z.next_in = (Bytef *)gz;
    z.avail_in = (uInt)gz_len;
    while (same && zrc == Z_OK) {
        z.next_out = (Bytef *)chunk;
        z.avail_out = sizeof chunk;
        zrc = inflate(&z, Z_NO_FLUSH);
        size_t got = sizeof chunk - z.avail_out;
        if ((zrc != Z_OK && zrc != Z_STREAM_END) || got > len - at ||
            memcmp(chunk, text + at, got) != 0)
            same = false;
        at += got;
        if (zrc == Z_OK && got == 0 && z.avail_in == 0)
            same = false; /* truncated */
    }
    /* the whole text, and nothing after the gzip member */
    same = same && zrc == Z_STREAM_END && at == len && z.avail_in == 0;
    inflateEnd(&z);
    return same;
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

/* A file's identity for the stamp: [size, mtime s, mtime ns, inode], or
 * JSON null when it is not a regular file. */
static json_t *file_id(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return json_null();
    return json_pack("[I, I, I, I]", (json_int_t)st.st_size, (json_int_t)st.st_mtim.tv_sec,
                     (json_int_t)st.st_mtim.tv_nsec, (json_int_t)st.st_ino);
}

/* Whether static/REL (and its .gz, when the stamp has one) and SRC are as
 * the stamp ENTRY recorded them. */
static bool stamp_matches(json_t *entry, const char *src, const ds_publish *pub, const char *rel)
{
    if (!json_is_object(entry))
        return false;
    char *live = ds_path_join(ds_publish_live_dir(pub), rel);
    char *live_gz = ds_asprintf("%s.gz", live);
    json_t *now[3] = {file_id(src), file_id(live), file_id(live_gz)};
    const char *keys[3] = {"src", "live", "gz"};
    bool same = json_is_array(now[0]) && json_is_array(now[1]);
    for (size_t i = 0; i < 3; i++) {
        same = same && json_equal(now[i], json_object_get(entry, keys[i]));
        json_decref(now[i]);
    }
    free(live_gz);
    free(live);
    return same;
}

/* The stamp entry for REL as this build leaves it: the staged file where
 * there is one (a rename keeps its identity), else the one in place. */
static json_t *stamp_entry(const char *src, const ds_publish *pub, const char *rel, bool has_gz)
{
    json_t *e = json_object();
    json_object_set_new(e, "src", file_id(src));
    char *gz = ds_asprintf("%s.gz", rel);
    const char *rels[2] = {rel, gz};
    const char *keys[2] = {"live", "gz"};
    for (size_t i = 0; i < 2; i++) {
        char *staged = ds_path_join(ds_publish_stage_dir(pub), rels[i]);
        char *live = ds_path_join(ds_publish_live_dir(pub), rels[i]);
        json_t *id = file_id(staged);
        if (json_is_null(id)) {
            json_decref(id);
            id = file_id(live);
        }
        json_object_set_new(e, keys[i], i == 1 && !has_gz ? json_null() : id);
        if (i == 1 && !has_gz)
            json_decref(id);
        free(live);
        free(staged);
    }
    free(gz);
    return e;
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
    json_t *old_stamp, *new_stamp; /* files: rel -> entry; NULL: no stamp */
} copy_ctx;

/* One runtime file: kept with a stat when the stamp says nothing changed,
 * else compared and copied (copy_file); recorded in the new stamp. */
static int copy_stamped(copy_ctx *c, const char *src, const char *rel)
{
    if (!c->new_stamp)
        return copy_file(src, c->pub, rel, c->copied, c->err);
    json_t *old = json_object_get(c->old_stamp, rel);
    if (stamp_matches(old, src, c->pub, rel)) {
        ds_publish_keep(c->pub, rel);
        if (compressible(rel)) {
            char *gz = ds_asprintf("%s.gz", rel);
            ds_publish_keep(c->pub, gz);
            free(gz);
        }
        json_object_set(c->new_stamp, rel, old);
        return 0;
    }
    int rc = copy_file(src, c->pub, rel, c->copied, c->err);
    if (rc == 0)
        json_object_set_new(c->new_stamp, rel, stamp_entry(src, c->pub, rel, compressible(rel)));
    return rc;
}

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
    if (ds_ends_with(it->name, ".node.mjs") || ds_ends_with(it->name, ".node.cjs"))
        return DS_WALK_SKIP;
    if (it->type == DS_WALK_DIR)
        return 0;
    char *dst = ds_asprintf("%s/%s", c->rel_dir, it->rel);
    /* The walk does not enter a symlinked folder; the copy always has. */
    int rc;
    if (it->type == DS_WALK_LINK && ds_is_dir(it->path)) {
        copy_ctx inner = *c;
        inner.rel_dir = dst;
        rc = ds_walk(it->path, DS_WALK_RECURSE | DS_WALK_NO_HIDDEN | DS_WALK_ERRORS, copy_entry,
                     &inner);
    } else {
        rc = copy_stamped(c, it->path, dst);
    }
    free(dst);
    return rc;
}

int ds_assets_copy(const char *dist, ds_publish *pub, const char *rel_dir, int *copied,
                   ds_err *err)
{
    return ds_assets_copy_stamped(dist, pub, rel_dir, NULL, copied, err);
}

int ds_assets_copy_stamped(const char *dist, ds_publish *pub, const char *rel_dir,
                           const char *stamp, int *copied, ds_err *err)
{
    copy_ctx c = {pub, rel_dir, copied, err, NULL, NULL};
    json_t *doc = NULL;
    if (stamp) {
        char *old = ds_path_join(ds_publish_live_dir(pub), stamp);
        doc = ds_json_load_path(old, 0, NULL);
        free(old);
        c.old_stamp = json_object_get(doc, "files");
        if (json_integer_value(json_object_get(doc, "version")) != 1 ||
            !json_is_object(c.old_stamp))
            c.old_stamp = NULL;
        c.new_stamp = json_object();
    }
    int rc = ds_walk(dist, DS_WALK_RECURSE | DS_WALK_NO_HIDDEN | DS_WALK_ERRORS, copy_entry, &c);
    if (rc == 0 && c.new_stamp) {
        json_t *out = json_pack("{s:i, s:O}", "version", 1, "files", c.new_stamp);
        char *text = json_dumps(out, JSON_INDENT(1) | JSON_SORT_KEYS);
        rc = ds_publish_write_if_changed(pub, stamp, text, strlen(text), NULL, err);
        free(text);
        json_decref(out);
    }
    json_decref(c.new_stamp);
    json_decref(doc);
    return rc;
}
