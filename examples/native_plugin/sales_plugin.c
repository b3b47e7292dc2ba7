/* sales_plugin.c - an example native virtual Parquet plugin.
 *
 * It publishes every *.parquet file of the directory named by the
 * environment variable SALES_DIR (default: <project>/lake/sales) under
 * data/<source>/, with a row filter on each file, and asks for one view per
 * region.  Build: cc -shared -fPIC -I include sales_plugin.c -o libsales.so */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ducksite/plugin.h"

int ducksite_plugin_abi_version(void)
{
    return DUCKSITE_PLUGIN_ABI_VERSION;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

int ducksite_build_manifest(const ducksite_plugin_context *ctx)
{
    char dir[4096];
    const char *env = getenv("SALES_DIR");
    if (env)
        snprintf(dir, sizeof dir, "%s", env);
    else
        snprintf(dir, sizeof dir, "%s/lake/sales", ctx->project_root);

    DIR *d = opendir(dir);
    if (!d) {
        char msg[4200];
        snprintf(msg, sizeof msg, "cannot open %s", dir);
        ctx->fail(ctx->host, msg);
        return 1;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!ends_with(e->d_name, ".parquet"))
            continue;
        char http[1024], physical[8192];
        snprintf(http, sizeof http, "%s", e->d_name); /* becomes data/<source>/<name> */
        snprintf(physical, sizeof physical, "%s/%s", dir, e->d_name);
        ctx->add_file(ctx->host, http, physical, "amount >= 0");
    }
    closedir(d);
    ctx->set_template(ctx->host, "sales_[region]", "region = ?");
    return 0;
}
