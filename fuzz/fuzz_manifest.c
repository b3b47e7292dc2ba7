/* fuzz_manifest.c - libFuzzer target for the plugin manifest reader
 * (ds_plugin_manifest_parse in src/plugin/plugin.c): the JSON an executable
 * plugin prints, type-checked, and every http_path turned into a data-map
 * key and every physical_path made absolute.
 *
 * Checks what the rest of the build relies on for every accepted manifest:
 * keys start with "data/", have no empty, '.' or '..' segment, no backslash
 * and no control character, and normalising a key again gives the same key;
 * paths are absolute and folded (no "//", "/./" or "/../"); empty row
 * filters and template strings read as absent.  A refusal says why and
 * leaves nothing behind. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/plugin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_key(const char *key)
{
    if (strncmp(key, "data/", 5) != 0)
        abort();
    const char *why;
    char *again = ds_plugin_http_key(key, "src", &why);
    if (!again || strcmp(again, key) != 0)
        abort(); /* a normalised key is its own normal form */
    free(again);
    for (const unsigned char *c = (const unsigned char *)key; *c; c++)
        if (*c < 0x20 || *c == 0x7f || *c == '\\')
            abort();
}

static void check_path(const char *path)
{
    if (path[0] != '/' || strstr(path, "//") || strstr(path, "/./") || strstr(path, "/../"))
        abort();
    size_t n = strlen(path);
    if (n > 1 && path[n - 1] == '/')
        abort();
    if ((n >= 2 && strcmp(path + n - 2, "/.") == 0) || (n >= 3 && strcmp(path + n - 3, "/..") == 0))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ds_manifest m;
    ds_buf why = {0};
    if (ds_plugin_manifest_parse((const char *)data, size, "/project", "src", &m, &why) == 0) {
        if (why.len)
            abort();
        for (size_t i = 0; i < m.n_files; i++) {
            check_key(m.files[i].key);
            check_path(m.files[i].path);
            if (m.files[i].row_filter && !*m.files[i].row_filter)
                abort();
        }
        if ((m.template_name && !*m.template_name) ||
            (m.row_filter_template && !*m.row_filter_template))
            abort();
        ds_manifest_free(&m);
    } else if (why.len == 0 || m.files || m.n_files || m.template_name ||
               m.row_filter_template) {
        abort();
    }
    ds_buf_free(&why);
    return 0;
}
