/* fuzz_datamap.c - libFuzzer target for the reader of the data map
 * (src/datamap/maptable.c: its fast parser and its jansson fallback) and
 * the builder's writer (src/datamap/datamap.c).
 *
 * Input: the data_map.json text.
 *
 * The reader is checked against a plain jansson reading done here, the
 * meaning of the format: the same maps are accepted (an object whose values
 * are strings without NUL bytes), with the same number of keys and the same
 * path for every key (a later duplicate wins).  A refusal always says why.
 * An accepted map is then written back with ds_datamap_write and read
 * again: the reader must take the writer's output on its fast path, without
 * the fallback, and give back the same pairs; so must the table made from
 * the value without a file (ds_maptable_from_datamap). */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datamap/datamap.h"
#include "datamap/maptable.h"
#include "util/fs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *dir;

static void remove_dir(void)
{
    char *map = ds_datamap_path(dir);
    unlink(map);
    rmdir(dir);
    free(map);
}

/* The folder the writer writes to, made once per fuzzing process, in memory
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
        atexit(remove_dir);
    }
    return dir;
}

/* The reference reading: the map as a ds_datamap, or false when the text is
 * not one. */
static bool reference_read(const uint8_t *data, size_t size, ds_datamap *m)
{
    memset(m, 0, sizeof *m);
    json_t *doc = json_loadb((const char *)data, size, 0, NULL);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return false;
    }
    bool ok = true;
    const char *key;
    json_t *value;
    json_object_foreach(doc, key, value)
    {
        if (!json_is_string(value) ||
            memchr(json_string_value(value), '\0', json_string_length(value))) {
            ok = false;
            break;
        }
        ds_datamap_add(m, key, json_string_value(value), NULL);
    }
    json_decref(doc);
    if (ok)
        ds_datamap_finish(m);
    else
        ds_datamap_free(m);
    return ok;
}

/* M written by the builder's writer reads back the same, on the fast path,
 * and M made into a table directly gives the same pairs. */
static void check_round_trip(const ds_datamap *m)
{
    ds_err err;
    if (ds_datamap_write(m, static_dir(), &err) != 0)
        abort();
    char *path = ds_datamap_path(dir);
    ds_maptable *t = ds_maptable_load(path, &err);
    free(path);
    if (!t || ds_maptable_used_fallback(t) || ds_maptable_count(t) != m->len)
        abort();
    for (size_t i = 0; i < m->len; i++) {
        const ds_datamap_entry *e = &m->items[i];
        const char *p = ds_maptable_get(t, e->key, strlen(e->key));
        if (!p || strcmp(p, e->path) != 0)
            abort();
    }
    ds_maptable_free(t);

    /* The table made from the value (a rebuild inside `ducksite serve`)
     * is the same table. */
    t = ds_maptable_from_datamap(m);
    if (ds_maptable_count(t) != m->len)
        abort();
    for (size_t i = 0; i < m->len; i++) {
        const ds_datamap_entry *e = &m->items[i];
        const char *p = ds_maptable_get(t, e->key, strlen(e->key));
        if (!p || strcmp(p, e->path) != 0)
            abort();
    }
    ds_maptable_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = ds_xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    ds_err terr;
    ds_maptable *t = ds_maptable_parse(text, size, DS_DATAMAP_FILE, &terr);
    if (!t && terr.msg[0] == '\0')
        abort(); /* a refusal always says why */

    ds_datamap m;
    bool ok = reference_read(data, size, &m);
    if (ok != (t != NULL))
        abort(); /* same verdict */
    if (ok) {
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
        check_round_trip(&m);
        ds_datamap_free(&m);
    }
    ds_maptable_free(t);
    return 0;
}
