/* ref.c - plugin references (see ref.h). */
#include "ref.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The colon that separates the callable: the last one, unless it is the
 * drive-letter colon of "C:\..." or "C:/...". */
static const char *callable_colon(const char *ref)
{
    const char *colon = strrchr(ref, ':');
    if (!colon)
        return NULL;
    if (colon == ref + 1 && isalpha((unsigned char)ref[0]) && (ref[2] == '\\' || ref[2] == '/'))
        return NULL;
    return colon;
}

static bool is_path_like(const char *target)
{
    return strchr(target, '/') || strchr(target, '\\') || ds_ends_with(target, ".py");
}

int ds_plugin_ref_parse(const char *ref, ds_plugin_ref *out, ds_err *err)
{
    memset(out, 0, sizeof *out);
    const char *colon = callable_colon(ref);
    out->target = colon ? ds_strndup(ref, (size_t)(colon - ref)) : ds_strdup(ref);
    if (colon)
        out->callable = ds_strdup(colon + 1);
    if (!*out->target || (out->callable && !*out->callable)) {
        ds_plugin_ref_free(out);
        return ds_err_set(err, "'%s' is not a plugin reference: expected "
                               "path/to/plugin.py[:callable] or module.name[:callable]",
                          ref);
    }
    if (!is_path_like(out->target))
        out->kind = DS_PLUGIN_PY_MODULE;
    else if (ds_ends_with(out->target, ".py"))
        out->kind = DS_PLUGIN_PY_FILE;
    else if (ds_ends_with(out->target, ".so"))
        out->kind = DS_PLUGIN_NATIVE;
    else
        out->kind = DS_PLUGIN_EXEC;
    return 0;
}

void ds_plugin_ref_free(ds_plugin_ref *r)
{
    free(r->target);
    free(r->callable);
    memset(r, 0, sizeof *r);
}

const char *ds_plugin_ref_callable(const ds_plugin_ref *r)
{
    if (r->callable)
        return r->callable;
    switch (r->kind) {
    case DS_PLUGIN_PY_FILE:
    case DS_PLUGIN_PY_MODULE:
        return "build_manifest";
    case DS_PLUGIN_NATIVE:
        return "ducksite_build_manifest";
    default:
        return NULL;
    }
}
