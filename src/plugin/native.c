/* native.c - dlopen'ed plugins (see native.h).  A crash inside a native
 * plugin takes the build down with it: that is the price of running in
 * process, and why Python and executable plugins run in children. */
#include "native.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "../util/fs.h"
#include "ducksite/plugin.h"

typedef struct {
    ds_manifest *m;
    size_t cap;
    ds_buf *why;
    bool failed;
} native_host;

static int host_add_file(void *h, const char *http_path, const char *physical_path,
                         const char *row_filter)
{
    native_host *nh = h;
    ds_manifest *m = nh->m;
    if (m->n_files == nh->cap) {
        nh->cap = nh->cap ? nh->cap * 2 : 64;
        m->files = ds_xrealloc(m->files, nh->cap * sizeof *m->files);
    }
    ds_manifest_file *f = &m->files[m->n_files++];
    f->key = ds_strdup(http_path ? http_path : "");
    f->path = ds_strdup(physical_path ? physical_path : "");
    f->row_filter = row_filter && *row_filter ? ds_strdup(row_filter) : NULL;
    return 0;
}

static void host_set_template(void *h, const char *template_name, const char *rft)
{
    native_host *nh = h;
    free(nh->m->template_name);
    free(nh->m->row_filter_template);
    nh->m->template_name = template_name && *template_name ? ds_strdup(template_name) : NULL;
    nh->m->row_filter_template = rft && *rft ? ds_strdup(rft) : NULL;
}

static void host_fail(void *h, const char *message)
{
    native_host *nh = h;
    if (!nh->failed)
        ds_buf_puts(nh->why, message ? message : "the plugin failed");
    nh->failed = true;
}

int ds_native_run(const char *root, const char *path, const char *symbol, const char *source,
                  const char *config_json, const char *filter_expr, ds_manifest *out,
                  ds_buf *why)
{
    char *joined = ds_path_join(root, path);
    char *abs = ds_path_abs(joined);
    free(joined);
    int rc = -1;
    void *lib = NULL;
    if (!ds_is_file(abs)) {
        ds_buf_printf(why, "plugin file not found: %s", abs);
        goto done;
    }
    lib = dlopen(abs, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        ds_buf_printf(why, "cannot load %s: %s", abs, dlerror());
        goto done;
    }
    ducksite_plugin_abi_version_fn version;
    *(void **)&version = dlsym(lib, "ducksite_plugin_abi_version");
    if (!version) {
        ds_buf_printf(why, "%s does not export ducksite_plugin_abi_version()", abs);
        goto done;
    }
    if (version() != DUCKSITE_PLUGIN_ABI_VERSION) {
        ds_buf_printf(why, "%s was built for plugin ABI version %d, this Ducksite speaks %d",
                      abs, version(), DUCKSITE_PLUGIN_ABI_VERSION);
        goto done;
    }
    ducksite_build_manifest_fn build;
    *(void **)&build = dlsym(lib, symbol);
    if (!build) {
        ds_buf_printf(why, "virtual parquet plugin target '%s' not found in %s", symbol, abs);
        goto done;
    }
    native_host nh = {out, 0, why, false};
    ducksite_plugin_context ctx = {DUCKSITE_PLUGIN_ABI_VERSION,
                                   root,
                                   source,
                                   config_json,
                                   filter_expr,
                                   &nh,
                                   host_add_file,
                                   host_set_template,
                                   host_fail};
    int result = build(&ctx);
    if (result != 0 || nh.failed) {
        if (!nh.failed)
            ds_buf_printf(why, "%s returned %d", symbol, result);
        goto done;
    }
    rc = 0;
done:
    if (lib)
        dlclose(lib);
    free(abs);
    return rc;
}
