/* project.c - `ducksite init`: a minimal project that builds.  It never
 * overwrites: a user's ducksite.toml or content is worth more than a
 * template. */
#include "project.h"

#include <stdlib.h>
#include <string.h>

#include "../util/fs.h"
#include "../config/config.h"
#include "../config/layout.h"

static const char STARTER_TOML[] =
    "# ducksite.toml - the project's configuration.\n"
    "# Every key is described in Ducksite's docs/configuration.md.\n"
    "\n"
    "[dirs]\n"
    "DIR_FORMS = \"static/forms\"\n"
    "# DIR_LAKE = \"/srv/lake\"   # then: upstream_glob = \"${DIR_LAKE}/sales/**/*.parquet\"\n"
    "\n"
    "# Publish Parquet files that live anywhere on this machine, without copying them:\n"
    "# [[file_sources]]\n"
    "# name = \"sales\"\n"
    "# upstream_glob = \"${DIR_LAKE}/sales/**/*.parquet\"\n"
    "# template_name = \"sales_[region]\"\n";

/* The first page: a new project serves it instead of a bare 404.  It
 * needs no data, so it builds before any source is set up, and it shows
 * the front matter keys docs/pages.md describes. */
static const char STARTER_PAGE[] =
    "---\n"
    "title: Home\n"
    "description: A Ducksite dashboard\n"
    "---\n"
    "# Welcome to Ducksite\n"
    "\n"
    "This page is `content/index.md`; every Markdown file under `content/`\n"
    "becomes a page of the site.\n"
    "\n"
    "Next steps:\n"
    "\n"
    "1. Publish some data: add a `[[file_sources]]` section to `ducksite.toml`\n"
    "   (the commented example there shows how).\n"
    "2. Query it in a page with a fenced block whose info string is `sql ID`.\n"
    "3. Draw the result with an `echart ID` block (`type`, `data_query`, `x`,\n"
    "   `y`), or list it with a `table ID` block.\n"
    "\n"
    "Run `ducksite build` after each change, and `ducksite serve` to look at\n"
    "the site.\n";

static const char *const DIRS[] = {DS_CONTENT_DIR, DS_SOURCES_SQL_DIR, DS_STATIC_DIR "/forms"};

/* content/index.md, unless there is one. */
static int write_starter_page(const char *root, ds_buf *report, ds_err *err)
{
    const char *rel = DS_CONTENT_DIR "/index.md";
    char *path = ds_path_join(root, rel);
    int rc = 0;
    if (ds_exists(path))
        ds_buf_printf(report, "kept    %s (already exists)\n", rel);
    else if ((rc = ds_write_atomic(path, STARTER_PAGE, sizeof STARTER_PAGE - 1, err)) == 0)
        ds_buf_printf(report, "created %s\n", rel);
    free(path);
    return rc;
}

int ds_project_init(const char *root, ds_buf *report, ds_err *err)
{
    if (ds_mkdir_p(root, err) != 0)
        return -1;
    char *toml = ds_path_join(root, DS_CONFIG_FILE);
    int rc = 0;
    if (ds_exists(toml)) {
        ds_buf_printf(report, "kept    %s (already exists)\n", DS_CONFIG_FILE);
    } else if (ds_write_atomic(toml, STARTER_TOML, sizeof STARTER_TOML - 1, err) == 0) {
        ds_buf_printf(report, "created %s\n", DS_CONFIG_FILE);
    } else {
        rc = -1;
    }
    free(toml);
    for (size_t i = 0; i < DS_ARRAY_LEN(DIRS) && rc == 0; i++) {
        char *dir = ds_path_join(root, DIRS[i]);
        if (ds_is_dir(dir)) {
            ds_buf_printf(report, "kept    %s/ (already exists)\n", DIRS[i]);
        } else if (ds_mkdir_p(dir, err) == 0) {
            ds_buf_printf(report, "created %s/\n", DIRS[i]);
        } else {
            rc = -1;
        }
        free(dir);
    }
    if (rc == 0)
        rc = write_starter_page(root, report, err);
    return rc;
}

static const char PLUGIN_STUB[] =
    "\"\"\"%s - a virtual Parquet plugin for Ducksite.\n"
    "\n"
    "Return the Parquet files this source publishes: each VirtualParquetFile maps\n"
    "an HTTP path (under data/<source name>/ unless it starts with data/) to a\n"
    "physical file, optionally with a row filter.  See Ducksite's docs/plugins.md.\n"
    "\"\"\"\n"
    "from typing import Optional\n"
    "\n"
    "from ducksite.config import ProjectConfig\n"
    "from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest\n"
    "\n"
    "\n"
    "def build_manifest(cfg: ProjectConfig, filter_expr: Optional[str] = None) -> "
    "VirtualParquetManifest:\n"
    "    files: list[VirtualParquetFile] = []\n"
    "    # files.append(VirtualParquetFile(\"2024-01.parquet\", \"/srv/lake/2024-01.parquet\"))\n"
    "    return VirtualParquetManifest(files=files)\n";

int ds_project_add_plugin(const char *root, const char *dir, const char *name, ds_buf *report,
                          ds_err *err)
{
    bool ok = (name[0] == '_' || (name[0] >= 'A' && name[0] <= 'z' && name[0] != '[' &&
                                  name[0] != '\\' && name[0] != ']' && name[0] != '^' &&
                                  name[0] != '`'));
    for (const char *p = name; *p && ok; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
             *p == '_';
    if (!ok)
        return ds_err_set(err,
                          "plugin name '%s' must be a Python identifier (letters, digits and _, "
                          "not starting with a digit)",
                          name);
    /* The stub goes inside the project, where the reference printed below
     * (relative to the project) finds it. */
    bool inside = dir[0] != '\0' && dir[0] != '/';
    for (const char *p = dir; inside && *p; p += strcspn(p, "/"), p += *p == '/')
        inside = !(p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == '\0'));
    if (!inside)
        return ds_err_set(err,
                          "--dir '%s' is not a folder inside the project: give a relative path "
                          "such as plugins",
                          dir);
    char *folder = ds_path_join(root, dir);
    char *rel = ds_asprintf("%s/%s.py", dir, name);
    char *path = ds_path_join(root, rel);
    int rc = -1;
    if (ds_exists(path)) {
        ds_err_set(err, "plugin file already exists: %s (not overwritten)", path);
    } else if (ds_mkdir_p(folder, err) == 0) {
        char *text = ds_asprintf(PLUGIN_STUB, rel);
        rc = ds_write_atomic(path, text, strlen(text), err);
        free(text);
        if (rc == 0)
            ds_buf_printf(report,
                          "created %s\n"
                          "use it from ducksite.toml:\n"
                          "  [[file_sources]]\n"
                          "  name = \"%s\"\n"
                          "  plugin = \"%s\"\n",
                          rel, name, rel);
    }
    free(folder);
    free(rel);
    free(path);
    return rc;
}
