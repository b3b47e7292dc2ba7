/* ducksite/plugin.h - the C ABI of native virtual Parquet plugins.
 *
 * A native plugin is a shared object named in ducksite.toml:
 *
 *     [[file_sources]]
 *     name = "sales"
 *     plugin = "plugins/libsales.so"              # calls ducksite_build_manifest
 *     plugin = "plugins/libsales.so:my_manifest"  # calls my_manifest
 *
 * It exports ducksite_plugin_abi_version() returning
 * DUCKSITE_PLUGIN_ABI_VERSION, and the manifest function.  Ducksite calls
 * the function once per build with a context; the plugin declares its files
 * through the context's callbacks (strings are copied by Ducksite, so the
 * plugin may free them as soon as a callback returns) and returns 0, or
 * reports an error with ctx->fail and returns non-zero.
 *
 * The version changes whenever this struct or the callbacks change in a way
 * that breaks existing plugins; Ducksite refuses plugins built for another
 * version. */
#ifndef DUCKSITE_PLUGIN_H
#define DUCKSITE_PLUGIN_H

#ifdef __cplusplus
extern "C" {
#endif

#define DUCKSITE_PLUGIN_ABI_VERSION 1

typedef struct ducksite_plugin_context {
    int abi_version;             /* DUCKSITE_PLUGIN_ABI_VERSION of the host */
    const char *project_root;    /* absolute path of the project */
    const char *source_name;     /* the [[file_sources]] entry's name */
    const char *config_json;     /* project config and source, as given to executables */
    const char *filter_expr;     /* the source's row_filter AND time_window, or NULL */
    void *host;                  /* pass back to the callbacks */

    /* Declares one file.  row_filter may be NULL.  Returns 0. */
    int (*add_file)(void *host, const char *http_path, const char *physical_path,
                    const char *row_filter);
    /* Sets template_name / row_filter_template (either may be NULL). */
    void (*set_template)(void *host, const char *template_name, const char *row_filter_template);
    /* Records an error message shown to the user; return non-zero after it. */
    void (*fail)(void *host, const char *message);
} ducksite_plugin_context;

/* The two symbols a plugin exports. */
typedef int (*ducksite_plugin_abi_version_fn)(void);
typedef int (*ducksite_build_manifest_fn)(const ducksite_plugin_context *ctx);

#ifdef __cplusplus
}
#endif

#endif
