/* test_mime.c - media types by file name, and which names count as
 * content-hashed (immutable). */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "server/mime.h"

static void type_is(const char *path, const char *type)
{
    cr_assert_str_eq(ds_mime_for(path)->type, type, "%s", path);
}

Test(mime, required_types)
{
    type_is("engine/duckdb-eh.wasm", "application/wasm");
    type_is("app.js", "text/javascript");
    type_is("worker.mjs", "text/javascript");
    type_is("x.json", "application/json");
    type_is("index.html", "text/html; charset=utf-8");
    type_is("a/b/page.htm", "text/html; charset=utf-8");
    type_is("style.css", "text/css");
    type_is("logo.svg", "image/svg+xml");
    type_is("data/x/a.parquet", "application/vnd.apache.parquet");
    type_is("t.csv", "text/csv");
}

Test(mime, case_insensitive_and_unknown)
{
    type_is("INDEX.HTML", "text/html; charset=utf-8");
    type_is("A.Parquet", "application/vnd.apache.parquet");
    type_is("noext", "application/octet-stream");
    type_is("a.unknownext", "application/octet-stream");
    type_is("a.verylongextensionname", "application/octet-stream");
    type_is("dir.d/file", "application/octet-stream"); /* the dot is in a directory */
    type_is("trailingdot.", "application/octet-stream");
    type_is("", "application/octet-stream");
    type_is("a.gz", "application/gzip");
}

Test(mime, compressible_and_data)
{
    cr_assert(ds_mime_for("a.html")->compressible);
    cr_assert(ds_mime_for("a.js")->compressible);
    cr_assert(ds_mime_for("a.wasm")->compressible);
    cr_assert(ds_mime_for("a.json")->compressible);
    cr_assert(!ds_mime_for("a.parquet")->compressible);
    cr_assert(!ds_mime_for("a.png")->compressible);
    cr_assert(!ds_mime_for("a.bin")->compressible);
    cr_assert(ds_mime_for("a.parquet")->data);
    cr_assert(ds_mime_for("a.csv")->data);
    cr_assert(ds_mime_for("a.json")->data);
    cr_assert(!ds_mime_for("a.js")->data);
    cr_assert(!ds_mime_for("a.html")->data);
}

Test(mime, hashed_names)
{
    cr_assert(ds_mime_hashed_name("app.3f9a1c2e.js"));
    cr_assert(ds_mime_hashed_name("assets/chunk-0123ABCD.js"));
    cr_assert(ds_mime_hashed_name("duckdb-eh-0123456789abcdef0123456789abcdef.wasm"));
    cr_assert(!ds_mime_hashed_name("app.js"));
    cr_assert(!ds_mime_hashed_name("app.1234567.js"));    /* 7 digits: too short */
    cr_assert(!ds_mime_hashed_name("deadbeef.js"));       /* the whole stem */
    cr_assert(!ds_mime_hashed_name("app_3f9a1c2e.js"));   /* not after '.' or '-' */
    cr_assert(!ds_mime_hashed_name("app.3f9a1c2g.js"));   /* not hex */
    cr_assert(!ds_mime_hashed_name("x.3f9a1c2e/app.js")); /* hash in a directory */
    cr_assert(!ds_mime_hashed_name("noext-3f9a1c2e"));
    char longhash[128] = "a.";
    for (int i = 0; i < 65; i++)
        strcat(longhash, "a");
    strcat(longhash, ".js");
    cr_assert(!ds_mime_hashed_name(longhash)); /* 65 digits: too long */
}

/* The whole table (what `ducksite export --nginx` gives nginx) is what
 * ds_mime_for answers, entry by entry, and holds the types DuckDB-Wasm needs. */
Test(mime, table_matches_lookup)
{
    size_t n = 0;
    const ds_mime *t = ds_mime_table(&n);
    cr_assert_gt(n, 10);
    bool wasm = false, parquet = false;
    for (size_t i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof name, "x.%s", t[i].ext);
        cr_assert_eq(ds_mime_for(name), &t[i], "%s", name);
        wasm |= strcmp(t[i].ext, "wasm") == 0 && strcmp(t[i].type, "application/wasm") == 0;
        parquet |= strcmp(t[i].ext, "parquet") == 0 && t[i].data;
    }
    cr_assert(wasm && parquet);
}
