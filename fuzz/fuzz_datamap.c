/* fuzz_datamap.c - libFuzzer target for the two readers of the data map:
 * the server's fast parser (src/server/maptable.c, with its jansson
 * fallback) and the builder's loader (src/datamap/datamap.c), which reads
 * static/data_map.json and data_map_meta.json.
 *
 * Input: the data_map.json text, optionally followed by a NUL byte and the
 * data_map_meta.json text (JSON never contains a raw NUL, so the split is
 * unambiguous).  The loader reads files, so both texts are written to a
 * private temporary folder first.
 *
 * The two readers are checked against each other: they accept the same
 * maps, with the same number of keys and the same path for every key (a
 * later duplicate wins in both).  A map the loader accepts is then written
 * back with ds_datamap_write (the builder's writer) and read again: the
 * server's fast parser must take the writer's output without its jansson
 * fallback, and both readers must give back the same keys, paths and row
 * filters. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datamap/datamap.h"
#include "server/maptable.h"
#include "util/fs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *dir, *dir2;

static void remove_one(const char *d)
{
    char *map = ds_path_join(d, DS_DATAMAP_FILE), *meta = ds_path_join(d, DS_DATAMAP_META_FILE);
    unlink(map);
    unlink(meta);
    rmdir(d);
    free(map);
    free(meta);
}

static void remove_dir(void)
{
    remove_one(dir2);
    remove_one(dir);
}

/* The folder the loader reads, made once per fuzzing process, in memory
 * when /dev/shm exists ($TMPDIR otherwise): rewriting a file on disk
 * thousands of times a second makes the file system the bottleneck. */
static const char *static_dir(void)
{
    if (!dir) {
        const char *tmp = getenv("TMPDIR");
        if (ds_is_dir("/dev/shm"))
            tmp = "/dev/shm";
        char *tmpl = ds_asprintf("%s/fuzz_datamap.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(tmpl))
            abort();
        dir = tmpl;
        dir2 = ds_path_join(dir, "again");
        atexit(remove_dir);
    }
    return dir;
}

static void write_or_remove(const char *dir, const char *name, const uint8_t *data, size_t n,
                            bool present)
{
    char *path = ds_path_join(dir, name);
    if (present) {
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0)
            abort();
    } else {
        unlink(path);
    }
    free(path);
}

static bool same_filter(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* M written by the builder's writer reads back the same through both readers. */
static void check_round_trip(const ds_datamap *m)
{
    ds_err err;
    if (ds_datamap_write(m, dir2, &err) != 0)
        abort();
    char *path = ds_path_join(dir2, DS_DATAMAP_FILE);
    ds_maptable *t = ds_maptable_load(path, &err);
    free(path);
    if (!t || ds_maptable_used_fallback(t) || ds_maptable_count(t) != m->len)
        abort();
    ds_datamap back;
    if (ds_datamap_load(dir2, &back, &err) != 0 || back.len != m->len)
        abort();
    for (size_t i = 0; i < m->len; i++) {
        const ds_datamap_entry *e = &m->items[i], *b = &back.items[i];
        const char *p = ds_maptable_get(t, e->key, strlen(e->key));
        if (!p || strcmp(p, e->path) != 0 || strcmp(b->key, e->key) != 0 ||
            strcmp(b->path, e->path) != 0 || !same_filter(b->row_filter, e->row_filter))
            abort();
    }
    ds_datamap_free(&back);
    ds_maptable_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, '\0', size);
    size_t map_len = nul ? (size_t)(nul - data) : size;

    char *text = ds_xmalloc(map_len + 1);
    memcpy(text, data, map_len);
    text[map_len] = '\0';
    ds_err terr;
    ds_maptable *t = ds_maptable_parse(text, map_len, "data_map.json", &terr);
    if (!t && terr.msg[0] == '\0')
        abort(); /* a refusal always says why */

    const char *dir = static_dir();
    write_or_remove(dir, DS_DATAMAP_FILE, data, map_len, true);
    write_or_remove(dir, DS_DATAMAP_META_FILE, nul ? nul + 1 : NULL,
                    nul ? size - map_len - 1 : 0, nul != NULL);
    ds_datamap m;
    ds_err derr;
    int rc = ds_datamap_load(dir, &m, &derr);
    if (rc != 0 && derr.msg[0] == '\0')
        abort();

    /* Same verdict on the map file (the meta file only concerns the loader). */
    if ((rc == 0 && !t) || (!nul && (t != NULL) != (rc == 0)))
        abort();
    if (t && rc == 0) {
        if (ds_maptable_count(t) != m.len)
            abort();
        for (size_t i = 0; i < m.len; i++) {
            const ds_datamap_entry *e = &m.items[i];
            const char *p = ds_maptable_get(t, e->key, strlen(e->key));
            if (!p || strcmp(p, e->path) != 0)
                abort();
            if (ds_datamap_get(&m, e->key) != e)
                abort();
            if (i > 0 && strcmp(m.items[i - 1].key, e->key) >= 0)
                abort(); /* sorted, no duplicates */
        }
    }
    if (rc == 0) {
        check_round_trip(&m);
        ds_datamap_free(&m);
    }
    ds_maptable_free(t);
    return 0;
}
