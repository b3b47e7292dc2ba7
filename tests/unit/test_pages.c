/* test_pages.c - the site's pages: discovery and navigation order, page
 * queries handed to the compiler (names, messages, the page-query rules),
 * writing pages and the sitemap, and removal of pages whose markdown is
 * gone. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>

#include "datamap/collect.h"
#include "site/assets.h"
#include "site/build.h"
#include "site/pages.h"
#include "sql/compile.h"
#include "sql/duck.h"
#include "testutil.h"

static char *read_rel(const char *root, const char *rel)
{
    char *path = ds_path_join(root, rel);
    ds_err err;
    char *text = ds_read_file(path, NULL, &err);
    cr_assert_not_null(text, "%s", err.msg);
    free(path);
    return text;
}

static bool exists_rel(const char *root, const char *rel)
{
    char *path = ds_path_join(root, rel);
    bool ok = ds_exists(path);
    free(path);
    return ok;
}

static const ds_asset_versions versions = {"1", "2", "3", "4", "5"};

Test(pages, nav_order)
{
    const char *sorted[] = {"index", "a", "about", "z", "a/index", "a/b", "a/sub/index",
                            "a/sub/x", "ab/index", "b/c/d"};
    size_t n = DS_ARRAY_LEN(sorted);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(ds_pages_nav_cmp(sorted[i], sorted[i]), 0);
        for (size_t j = i + 1; j < n; j++) {
            cr_assert_lt(ds_pages_nav_cmp(sorted[i], sorted[j]), 0, "%s < %s", sorted[i],
                         sorted[j]);
            cr_assert_gt(ds_pages_nav_cmp(sorted[j], sorted[i]), 0, "%s > %s", sorted[j],
                         sorted[i]);
        }
    }
}

Test(pages, discovery_titles_and_queries)
{
    char *root = test_tmpdir();
    test_write(root, "content/index.md", "# Home\n```sql q\nSELECT 1 AS x\n```\n");
    test_write(root, "content/sales/report.md", "no heading\n```sql q\nSELECT 2 AS x\n```\n");
    test_write(root, "content/sales/index.md", "# Sales\n");
    test_write(root, "content/.hidden.md", "# hidden\n");
    test_write(root, "content/.git/x.md", "# hidden\n");
    test_write(root, "content/notes.txt", "not a page");
    char *link = ds_path_join(root, "content/linked");
    char *target = ds_path_join(root, "content/sales");
    cr_assert_eq(symlink(target, link), 0);
    free(link);
    free(target);

    ds_pages pages;
    ds_err err;
    cr_assert_eq(ds_pages_load(root, &pages, &err), 0, "%s", err.msg);
    cr_assert_eq(pages.len, 3);
    cr_assert_str_eq(pages.items[0].rel, "index");
    cr_assert_str_eq(pages.items[0].title, "Home");
    cr_assert_str_eq(pages.items[1].rel, "sales/index");
    cr_assert_str_eq(pages.items[2].rel, "sales/report");
    cr_assert_str_eq(pages.items[2].title, "report");
    cr_assert_str_eq(pages.items[2].display, "content/sales/report.md");

    ds_query_list q = {0};
    ds_query_add(&q, "m", DS_KIND_MODEL, "SELECT 1", "sources_sql/m.sql", 1);
    ds_pages_add_queries(&pages, &q);
    cr_assert_eq(q.len, 3);
    cr_assert_str_eq(q.items[1].name, "index/q");
    cr_assert_eq(q.items[1].kind, DS_KIND_PAGE_QUERY);
    cr_assert_str_eq(q.items[1].file, "content/index.md");
    cr_assert_eq(q.items[1].line, 2);
    cr_assert_str_eq(q.items[2].name, "sales/report/q");
    cr_assert_str_eq(q.items[2].sql, "SELECT 2 AS x");
    ds_query_list_free(&q);
    ds_pages_free(&pages);
    test_rmtree(root);
    free(root);
}

Test(pages, no_content_and_errors)
{
    char *root = test_tmpdir();
    ds_pages pages;
    ds_err err;
    cr_assert_eq(ds_pages_load(root, &pages, &err), 0, "%s", err.msg);
    cr_assert_eq(pages.len, 0);
    ds_pages_free(&pages);

    test_write(root, "content/a.md", "fine\n");
    test_write(root, "content/b.md", "```sql bad-id\nSELECT 1\n```\n");
    cr_assert_eq(ds_pages_load(root, &pages, &err), -1);
    cr_assert_str_eq(err.msg, "content/b.md:1: sql id 'bad-id' may use only letters, digits "
                              "and _ (write ```sql <id>)");
    cr_assert_eq(pages.len, 0);

    test_write(root, "content/b.md", "fine\n");
    test_write(root, "content/assets/x.md", "clash\n");
    cr_assert_eq(ds_pages_load(root, &pages, &err), -1);
    cr_assert(ds_starts_with(err.msg, "content/assets/x.md: content/assets/ would be published "
                                      "as static/assets/"),
              "%s", err.msg);
    test_rmtree(root);
    free(root);
}

/* X.MD is not a page, and the load says so rather than skip it silently. */
Test(pages, upper_case_extension_is_a_warning)
{
    char *root = test_tmpdir();
    test_write(root, "content/a.md", "# A\n");
    test_write(root, "content/sub/Notes.MD", "# Notes\n");
    test_write(root, "content/b.Md", "# B\n");
    test_write(root, "content/c.mdx", "# C\n");
    ds_buf warnings = {0};
    ds_warn_record(&warnings);
    ds_pages pages;
    ds_err err;
    int rc = ds_pages_load(root, &pages, &err);
    ds_warn_record(NULL);
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_eq(pages.len, 1);
    cr_assert_str_eq(pages.items[0].rel, "a");
    ds_pages_free(&pages);
    /* Each warning ends with a NUL; the walk's order is not fixed. */
    ds_buf_putc(&warnings, '\0');
    size_t n = 0;
    bool sub = false, b = false;
    for (const char *w = warnings.data; *w; w += strlen(w) + 1, n++) {
        sub = sub || strcmp(w, "content/sub/Notes.MD is not a page: pages are files ending in "
                               ".md, in lower case; rename it to content/sub/Notes.md") == 0;
        b = b || strcmp(w, "content/b.Md is not a page: pages are files ending in .md, in "
                           "lower case; rename it to content/b.md") == 0;
    }
    cr_assert(n == 2 && sub && b, "warnings: %zu", n);
    ds_buf_free(&warnings);
    test_rmtree(root);
    free(root);
}

/* Every folder the build writes or the server answers itself is refused,
 * with what it holds; a page named like one (content/api.md) is fine. */
Test(pages, reserved_folders_are_refused)
{
    static const char *const folders[] = {"_results", "api", "assets", "data", "forms", "sql"};
    char *root = test_tmpdir();
    ds_pages pages;
    ds_err err;
    test_write(root, "content/api.md", "# fine\n");
    test_write(root, "content/_resultsx/a.md", "# fine\n");
    cr_assert_eq(ds_pages_load(root, &pages, &err), 0, "%s", err.msg);
    ds_pages_free(&pages);
    for (size_t i = 0; i < DS_ARRAY_LEN(folders); i++) {
        char *rel = ds_asprintf("content/%s/p.md", folders[i]);
        test_write(root, rel, "# clash\n");
        cr_assert_eq(ds_pages_load(root, &pages, &err), -1, "%s", folders[i]);
        char *want = ds_asprintf("%s: content/%s/ would be published as static/%s/, which ", rel,
                                 folders[i], folders[i]);
        cr_assert(ds_starts_with(err.msg, want), "%s", err.msg);
        cr_assert(ds_ends_with(err.msg, "; rename the folder"), "%s", err.msg);
        free(want);
        char *path = ds_path_join(root, rel);
        cr_assert_eq(unlink(path), 0);
        free(path);
        free(rel);
    }
    cr_assert_eq(ds_pages_load(root, &pages, &err), 0, "%s", err.msg);
    ds_pages_free(&pages);
    test_rmtree(root);
    free(root);
}

/* ---- page queries through the compiler ----------------------------------- */

static int compile(const ds_query_list *l, ds_compiled_list *out, ds_err *err)
{
    ds_collected none = {0};
    ds_keyset bad = {0};
    ds_err oerr;
    ds_duck *db = ds_duck_open(&oerr);
    cr_assert_not_null(db, "%s", oerr.msg);
    int rc = ds_compile_all(l, &none, &bad, db, out, err);
    ds_duck_close(db);
    return rc;
}

static void page_query(ds_query_list *l, const char *name, const char *sql, int line)
{
    char *file = ds_asprintf("content/%.*s.md", (int)(strrchr(name, '/') - name), name);
    ds_query_add(l, name, DS_KIND_PAGE_QUERY, sql, file, line);
    free(file);
}

Test(pages, page_queries_compile_with_models)
{
    ds_query_list l = {0};
    ds_query_add(&l, "base", DS_KIND_MODEL, "SELECT 1 AS x", "sources_sql/m.sql", 1);
    ds_query_add(&l, "q", DS_KIND_MODEL, "SELECT x FROM base", "sources_sql/m.sql", 3);
    page_query(&l, "a/one/q", "SELECT * FROM q WHERE x > ${inputs.min}", 4);
    page_query(&l, "a/two/q", "SELECT 2 AS y", 9);
    ds_compiled_list out;
    ds_err err;
    cr_assert_eq(compile(&l, &out, &err), 0, "%s", err.msg);
    cr_assert_eq(out.len, 4);
    cr_assert_str_eq(out.items[2].name, "a/one/q");
    cr_assert_eq(out.items[2].n_deps, 2);
    cr_assert_str_eq(out.items[2].deps[0], "base");
    cr_assert_str_eq(out.items[2].deps[1], "q");
    cr_assert_str_eq(out.items[3].sql, "SELECT 2 AS y");
    ds_compiled_list_free(&out);
    ds_query_list_free(&l);
}

static void expect_error(ds_query_list *l, const char *want_prefix, const char *want_part)
{
    ds_compiled_list out;
    ds_err err;
    int rc = compile(l, &out, &err);
    ds_compiled_list_free(&out);
    ds_query_list_free(l);
    cr_assert_eq(rc, -1);
    cr_assert(ds_starts_with(err.msg, want_prefix), "message: %s\nwanted: %s", err.msg,
              want_prefix);
    if (want_part)
        cr_assert(strstr(err.msg, want_part), "message: %s\nlacks: %s", err.msg, want_part);
}

Test(pages, page_query_errors_name_the_block)
{
    ds_query_list l = {0};
    page_query(&l, "a/b/qid", "SELECT nope FROM range(3)", 12);
    expect_error(&l, "content/a/b.md:12: sql block 'qid': ", "nope");

    page_query(&l, "a/b/qid", "SELEC 1", 7);
    expect_error(&l, "content/a/b.md:7: sql block 'qid': ", "syntax error");

    page_query(&l, "a/b/qid", "SELECT 1; SELECT 2", 3);
    expect_error(&l, "content/a/b.md:3: sql block 'qid': expected exactly one SELECT", NULL);

    /* Another block of the same page, read as a table. */
    page_query(&l, "x/first", "SELECT 1 AS v", 2);
    page_query(&l, "y/first", "SELECT 1 AS v", 2);
    page_query(&l, "y/second", "SELECT * FROM first", 6);
    expect_error(&l, "content/y.md:6: sql block 'second' reads page query 'y/first' as a table",
                 "move it to sources_sql/");

    /* A model reading a page's block. */
    page_query(&l, "p/totals", "SELECT 1 AS v", 2);
    ds_query_add(&l, "m", DS_KIND_MODEL, "SELECT * FROM totals", "sources_sql/m.sql", 1);
    expect_error(&l, "sources_sql/m.sql:1: query 'm' reads page query 'p/totals' as a table",
                 NULL);

    /* A model of the same name wins over the page's block. */
    ds_query_add(&l, "first", DS_KIND_MODEL, "SELECT 1 AS v", "sources_sql/m.sql", 1);
    page_query(&l, "y/first", "SELECT 2 AS v", 2);
    page_query(&l, "y/second", "SELECT * FROM first", 6);
    ds_compiled_list out;
    ds_err err;
    cr_assert_eq(compile(&l, &out, &err), 0, "%s", err.msg);
    cr_assert_str_eq(out.items[2].deps[0], "first");
    ds_compiled_list_free(&out);
    ds_query_list_free(&l);
}

/* ---- writing ------------------------------------------------------------- */

static ds_pages load(const char *root)
{
    ds_pages pages;
    ds_err err;
    cr_assert_eq(ds_pages_load(root, &pages, &err), 0, "%s", err.msg);
    return pages;
}

/* ds_pages_write into static/, published at once. */
static int write_pages(const char *static_dir, const ds_pages *pages, ds_err *err)
{
    ds_publish *pub = ds_publish_begin(static_dir, err);
    cr_assert_not_null(pub, "%s", err->msg);
    if (ds_pages_write(pub, pages, &versions, NULL, err) != 0) {
        ds_publish_abort(pub);
        return -1;
    }
    return ds_publish_commit(pub, err);
}

Test(pages, write_pages_sitemap_and_remove_stale)
{
    char *root = test_tmpdir();
    char *st = ds_path_join(root, "static");
    test_write(root, "content/index.md", "# Home\n");
    test_write(root, "content/a b/c.md", "# C\n");
    test_write(root, "static/old.html", "stale");
    test_write(root, "static/gone/deep/x.html", "stale");
    test_write(root, "static/empty/deep/x.html", "stale");
    test_write(root, "static/gone/keep.txt", "not a page");
    test_write(root, "static/assets/x.html", "runtime");
    test_write(root, "static/sql/x.html", "sql");
    test_write(root, "static/data/x.html", "data");
    test_write(root, "static/forms/x.html", "form");
    test_write(root, "static/index.htm", "other extension");

    ds_pages pages = load(root);
    ds_err err;
    cr_assert_eq(write_pages(st, &pages, &err), 0, "%s", err.msg);
    char *text = read_rel(root, "static/sitemap.json");
    cr_assert_str_eq(text, "{\n  \"routes\": [\n    \"/index.html\",\n"
                           "    \"/a%20b/c.html\"\n  ]\n}\n");
    free(text);
    text = read_rel(root, "static/a b/c.html");
    cr_assert(strstr(text, "<title>C</title>"), "%s", text);
    cr_assert(strstr(text, "<a href=\"/a%20b/c.html\" aria-current=\"page\">C</a>"), "%s", text);
    cr_assert(strstr(text, "<a href=\"/index.html\">Home</a>"), "%s", text);
    cr_assert(strstr(text, "\"page\": \"a b/c\""), "%s", text);
    free(text);

    /* Pages no build wrote are someone's own files: they stay. */
    cr_assert(exists_rel(root, "static/old.html"));
    cr_assert(exists_rel(root, "static/gone/deep/x.html"));
    cr_assert(exists_rel(root, "static/gone/keep.txt"));
    cr_assert(exists_rel(root, "static/empty/deep/x.html"));
    cr_assert(exists_rel(root, "static/assets/x.html"));
    cr_assert(exists_rel(root, "static/sql/x.html"));
    cr_assert(exists_rel(root, "static/data/x.html"));
    cr_assert(exists_rel(root, "static/forms/x.html"));
    cr_assert(exists_rel(root, "static/index.htm"));

    /* Unchanged pages are not rewritten: their mtime stays. */
    char *page = ds_path_join(st, "index.html");
    struct timespec old_times[2] = {{1000000, 0}, {1000000, 0}};
    cr_assert_eq(utimensat(AT_FDCWD, page, old_times, 0), 0);
    cr_assert_eq(write_pages(st, &pages, &err), 0, "%s", err.msg);
    struct stat sb;
    cr_assert_eq(stat(page, &sb), 0);
    cr_assert_eq(sb.st_mtime, 1000000);
    ds_pages_free(&pages);

    /* A deleted page goes, and its folder with it. */
    char *md = ds_path_join(root, "content/a b/c.md");
    cr_assert_eq(unlink(md), 0);
    free(md);
    pages = load(root);
    cr_assert_eq(write_pages(st, &pages, &err), 0, "%s", err.msg);
    cr_assert_not(exists_rel(root, "static/a b"));
    cr_assert(exists_rel(root, "static/old.html"));
    text = read_rel(root, "static/sitemap.json");
    cr_assert_str_eq(text, "{\n  \"routes\": [\n    \"/index.html\"\n  ]\n}\n");
    free(text);
    text = read_rel(root, "static/index.html");
    cr_assert_null(strstr(text, "a%20b"), "%s", text);
    free(text);
    ds_pages_free(&pages);

    free(page);
    free(st);
    test_rmtree(root);
    free(root);
}

/* Front matter order moves pages within their folder; hidden pages are
 * built and in the sitemap but not in the navigation; title is the link
 * text and the <title>, escaped. */
Test(pages, front_matter_order_hidden_and_title)
{
    char *root = test_tmpdir();
    char *st = ds_path_join(root, "static");
    test_write(root, "content/index.md", "# Home\n");
    test_write(root, "content/a.md", "# A\n");
    test_write(root, "content/b.md", "---\norder: 2\n---\n# B\n");
    test_write(root, "content/c.md", "---\norder: -1\ntitle: <b>&\"C\"\n---\n# Heading\n");
    test_write(root, "content/d.md", "---\norder: 2\n---\n# D\n");
    test_write(root, "content/secret.md", "---\nhidden: true\n---\n# Secret\n");
    test_write(root, "content/g/index.md", "---\norder: 5\n---\n# G\n");
    test_write(root, "content/g/first.md", "---\norder: 1\n---\n# First\n");
    test_write(root, "content/g/z.md", "# Z\n");

    ds_pages pages = load(root);
    const char *want[] = {"index", "c", "b", "d", "a", "secret", "g/first", "g/index", "g/z"};
    cr_assert_eq(pages.len, DS_ARRAY_LEN(want));
    for (size_t i = 0; i < pages.len; i++)
        cr_assert_str_eq(pages.items[i].rel, want[i], "place %zu", i);
    cr_assert_str_eq(pages.items[1].title, "<b>&\"C\"");

    ds_err err;
    cr_assert_eq(write_pages(st, &pages, &err), 0, "%s", err.msg);
    char *text = read_rel(root, "static/index.html");
    cr_assert(strstr(text,
                     "<ul class=\"ducksite-nav-list\">"
                     "<li><a href=\"/index.html\" aria-current=\"page\">Home</a></li>"
                     "<li><a href=\"/c.html\">&lt;b&gt;&amp;&quot;C&quot;</a></li>"
                     "<li><a href=\"/b.html\">B</a></li><li><a href=\"/d.html\">D</a></li>"
                     "<li><a href=\"/a.html\">A</a></li>"
                     "<li class=\"ducksite-nav-folder\"><span class=\"ducksite-nav-folder-name\">"
                     "g</span><ul><li><a href=\"/g/first.html\">First</a></li>"
                     "<li><a href=\"/g/index.html\">G</a></li>"
                     "<li><a href=\"/g/z.html\">Z</a></li></ul></li></ul><div class=\"ds-nav-tools\">"),
              "%s", text);
    free(text);
    text = read_rel(root, "static/c.html");
    cr_assert(strstr(text, "<title>&lt;b&gt;&amp;&quot;C&quot;</title>"), "%s", text);
    cr_assert(strstr(text, "<h1>Heading</h1>"), "%s", text);
    free(text);
    /* The hidden page is built, shows the navigation without itself. */
    text = read_rel(root, "static/secret.html");
    cr_assert(strstr(text, "<title>Secret</title>"), "%s", text);
    cr_assert_null(strstr(text, "secret.html"), "%s", text);
    cr_assert_null(strstr(text, "aria-current"), "%s", text);
    free(text);
    text = read_rel(root, "static/sitemap.json");
    cr_assert(strstr(text, "\"/index.html\",\n    \"/c.html\",\n    \"/b.html\",\n    \"/d.html\",\n"
                           "    \"/a.html\",\n    \"/secret.html\",\n    \"/g/first.html\""),
              "%s", text);
    free(text);
    /* The search index lists the pages the navigation lists, not the
     * hidden one. */
    text = read_rel(root, "static/_search.json");
    cr_assert(strstr(text, "{\"url\":\"/c.html\",\"title\":\"<b>&\\\"C\\\"\",\"headings\":[\"Heading\"]"),
              "%s", text);
    cr_assert(strstr(text, "\"/g/z.html\""), "%s", text);
    cr_assert_null(strstr(text, "ecret"), "%s", text);
    free(text);
    /* Pages and the index have gzip sidecars with the same content. */
    const char *zipped[] = {"static/index.html", "static/secret.html", "static/_search.json"};
    for (size_t i = 0; i < DS_ARRAY_LEN(zipped); i++) {
        text = read_rel(root, zipped[i]);
        char *gz_rel = ds_asprintf("%s.gz", zipped[i]), *gz_path = ds_path_join(root, gz_rel);
        size_t want_len = 0, got_len = 0;
        char *want = ds_gzip(text, strlen(text), &want_len);
        char *got = ds_read_file(gz_path, &got_len, NULL);
        cr_assert_not_null(got, "%s", gz_rel);
        cr_assert(got_len == want_len && memcmp(got, want, got_len) == 0, "%s", gz_rel);
        free(got);
        free(want);
        free(gz_path);
        free(gz_rel);
        free(text);
    }
    ds_pages_free(&pages);
    free(st);
    test_rmtree(root);
    free(root);
}

/* ---- the whole build ------------------------------------------------------ */

/* Every file below dir with its size, CRC and mtime, in sorted order. */
static void snapshot(const char *dir, const char *rel, ds_buf *out)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s", dir);
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.' && n < DS_ARRAY_LEN(names))
            names[n++] = ds_strdup(e->d_name);
    closedir(d);
    for (size_t i = 0; i + 1 < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(names[j], names[i]) < 0) {
                char *t = names[i];
                names[i] = names[j];
                names[j] = t;
            }
    for (size_t i = 0; i < n; i++) {
        char *path = ds_path_join(dir, names[i]);
        char *sub = *rel ? ds_asprintf("%s/%s", rel, names[i]) : ds_strdup(names[i]);
        struct stat st;
        cr_assert_eq(stat(path, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            snapshot(path, sub, out);
        } else {
            /* The CRC of the bytes keeps the snapshot text (.gz files are binary). */
            char *crc = ds_assets_hash(path);
            ds_buf_printf(out, "== %s %lld %s", sub, (long long)st.st_size, crc);
            /* Pages, the sitemap and assets are only rewritten when they
             * change (compiled SQL and the data map always are). */
            if (!ds_starts_with(sub, "sql/") && strcmp(sub, "data_map.json") != 0)
                ds_buf_printf(out, " %lld.%09ld", (long long)st.st_mtim.tv_sec,
                              st.st_mtim.tv_nsec);
            ds_buf_putc(out, '\n');
            free(crc);
        }
        free(sub);
        free(path);
        free(names[i]);
    }
}

Test(pages, build_twice_is_identical_and_untouched)
{
    char *root = test_tmpdir();
    test_write(root, "ducksite.toml", "");
    test_write(root, "content/index.md", "# Home\n```sql q\nSELECT 1 AS x\n```\n"
                                         "```echart c\ntitle: </script>\ndata_query: q\n```\n");
    test_write(root, "content/sub/page.md", "# Sub\n```sql q\nSELECT 2 AS x\n```\n");
    test_write(root, "dist/ducksite.js", "js\n");
    test_write(root, "dist/ducksite.css", "css\n");
    test_write(root, "dist/echarts.min.js", "echarts\n");
    char *dist = ds_path_join(root, "dist");
    setenv("DUCKSITE_WEB_DIST", dist, 1);
    free(dist);
    ds_build_options opt = {.clean = false};
    ds_err err;
    cr_assert_eq(ds_build(root, &opt, &err), 0, "%s", err.msg);
    char *st = ds_path_join(root, "static");
    ds_buf first = {0}, second = {0};
    snapshot(st, "", &first);
    cr_assert(strstr(first.data, "== assets/ducksite.js.gz "), "%s", first.data);
    cr_assert(strstr(first.data, "== sub/page.html "), "%s", first.data);
    cr_assert(strstr(first.data, "== sql/pages/sub/page/q.sql "), "%s", first.data);
    /* Same bytes, and the same mtimes where files are left alone. */
    cr_assert_eq(ds_build(root, &opt, &err), 0, "%s", err.msg);
    snapshot(st, "", &second);
    cr_assert_str_eq(first.data, second.data);
    ds_buf_free(&first);
    ds_buf_free(&second);
    unsetenv("DUCKSITE_WEB_DIST");
    free(st);
    test_rmtree(root);
    free(root);
}

/* Every entry below dir, dot-files included, with its size, CRC, mtime and
 * inode: two equal snapshots mean nothing was written, replaced or left
 * behind. */
static void full_snapshot(const char *dir, const char *rel, ds_buf *out)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s", dir);
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        names = ds_xrealloc(names, (n + 1) * sizeof *names);
        names[n++] = ds_strdup(e->d_name);
    }
    closedir(d);
    for (size_t i = 0; i + 1 < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(names[j], names[i]) < 0) {
                char *t = names[i];
                names[i] = names[j];
                names[j] = t;
            }
    for (size_t i = 0; i < n; i++) {
        char *path = ds_path_join(dir, names[i]);
        char *sub = *rel ? ds_asprintf("%s/%s", rel, names[i]) : ds_strdup(names[i]);
        struct stat st;
        cr_assert_eq(lstat(path, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            ds_buf_printf(out, "== %s/\n", sub);
            full_snapshot(path, sub, out);
        } else {
            char *crc = ds_assets_hash(path);
            ds_buf_printf(out, "== %s %lld %s %lld.%09ld ino %llu\n", sub, (long long)st.st_size,
                          crc, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                          (unsigned long long)st.st_ino);
            free(crc);
        }
        free(sub);
        free(path);
        free(names[i]);
    }
    free(names);
}

static void make_orders(const char *root, const char *rel, const char *select)
{
    ds_err err;
    ds_duck *db = ds_duck_open(&err);
    cr_assert_not_null(db, "%s", err.msg);
    char *dir = ds_path_join(root, "lake/orders");
    cr_assert_eq(ds_mkdir_p(dir, &err), 0, "%s", err.msg);
    free(dir);
    char *sql = ds_asprintf("COPY (%s) TO '%s/%s' (FORMAT parquet)", select, root, rel);
    cr_assert_eq(ds_duck_exec(db, sql, &err), 0, "%s", err.msg);
    free(sql);
    ds_duck_close(db);
}

/* A build that fails at any one of its writes (DUCKSITE_FAIL_WRITE=N, for
 * every N in turn) leaves static/ exactly as the previous build left it:
 * same files, same bytes, same mtimes, no staging folder. */
Test(pages, failed_write_changes_nothing)
{
    if (ds_fault_count() < 0)
        cr_skip_test("built without DS_FAULT_INJECTION");
    char *root = test_tmpdir();
    test_write(root, "ducksite.toml",
               "[[file_sources]]\nname = \"orders\"\nupstream_glob = \"lake/orders/*.parquet\"\n");
    make_orders(root, "lake/orders/a.parquet",
                "SELECT * FROM (VALUES ('north', 1.0), ('south', 2.0)) t(region, amount)");
    test_write(root, "content/index.md",
               "# Home\n```sql regions\nSELECT DISTINCT region FROM orders ORDER BY 1\n```\n"
               "```input region\nlabel: Region\nvisual_mode: dropdown\noptions_query: regions\n"
               "value_column: region\nexpression_template: region = ?\nall_label: All\n"
               "all_expression: TRUE\n```\n"
               "```sql totals\nSELECT region, sum(amount) AS total FROM orders WHERE "
               "${params.region} GROUP BY 1 ORDER BY 1\n```\n"
               "```table totals\nquery: totals\n```\n");
    test_write(root, "content/old.md", "# Old\n```sql q\nSELECT 1 AS x\n```\n"
                                       "```table t\nquery: q\n```\n");
    test_write(root, "dist/ducksite.js", "js\n");
    test_write(root, "dist/ducksite.css", "css\n");
    test_write(root, "dist/echarts.min.js", "echarts\n");
    char *dist = ds_path_join(root, "dist");
    setenv("DUCKSITE_WEB_DIST", dist, 1);
    free(dist);
    ds_build_options opt = {.clean = false};
    ds_err err;
    unsetenv("DUCKSITE_FAIL_WRITE");
    cr_assert_eq(ds_build(root, &opt, &err), 0, "%s", err.msg);
    test_write(root, "static/custom.html", "<p>by hand</p>\n");

    /* Every kind of output changes: data, page SQL, stored results, an
     * asset, pages (one new, one gone), the sitemap. */
    make_orders(root, "lake/orders/b.parquet", "SELECT 'east' AS region, 3.0 AS amount");
    test_write(root, "content/index.md",
               "# Home\n```sql regions\nSELECT DISTINCT region FROM orders ORDER BY 1 DESC\n```\n"
               "```input region\nlabel: Region\nvisual_mode: dropdown\noptions_query: regions\n"
               "value_column: region\nexpression_template: region = ?\nall_label: All\n"
               "all_expression: TRUE\n```\n"
               "```sql totals\nSELECT region, sum(amount) AS total FROM orders WHERE "
               "${params.region} GROUP BY 1 ORDER BY 2\n```\n"
               "```table totals\nquery: totals\n```\n");
    char *old_md = ds_path_join(root, "content/old.md");
    cr_assert_eq(unlink(old_md), 0);
    free(old_md);
    test_write(root, "content/new.md", "# New\n```sql q\nSELECT 2 AS y\n```\n"
                                       "```table t\nquery: q\n```\n");
    test_write(root, "dist/ducksite.css", "css v2\n");

    char *st = ds_path_join(root, "static");
    ds_buf before = {0};
    full_snapshot(st, "", &before);
    long n = 1;
    for (;; n++) {
        char num[32];
        snprintf(num, sizeof num, "%ld", n);
        setenv("DUCKSITE_FAIL_WRITE", num, 1);
        if (ds_build(root, &opt, &err) == 0)
            break;
        cr_assert(strstr(err.msg, "injected failure"), "write %ld: %s", n, err.msg);
        ds_buf after = {0};
        full_snapshot(st, "", &after);
        cr_assert_str_eq(before.data, after.data, "a build failing at write %ld changed static/",
                         n);
        ds_buf_free(&after);
        cr_assert_lt(n, 1000);
    }
    unsetenv("DUCKSITE_FAIL_WRITE");
    /* The build that succeeded made n - 1 writes, each of which was failed
     * once above. */
    cr_assert_eq(ds_fault_count(), n - 1);
    cr_assert_geq(n, 20, "only %ld writes", n - 1);
    cr_log_info("a build of %ld writes, failed at each in turn", n - 1);
    char *text = read_rel(root, "static/sitemap.json");
    cr_assert(strstr(text, "/new.html") && !strstr(text, "/old.html"), "%s", text);
    free(text);
    cr_assert(exists_rel(root, "static/new.html"));
    cr_assert_not(exists_rel(root, "static/old.html"));
    cr_assert_not(exists_rel(root, "static/sql/pages/old/q.sql"));
    cr_assert(exists_rel(root, "static/custom.html"));
    text = read_rel(root, "static/sql/pages/index/totals.sql");
    cr_assert(strstr(text, "ORDER BY 2"), "%s", text);
    free(text);
    text = read_rel(root, "static/assets/ducksite.css");
    cr_assert_str_eq(text, "css v2\n");
    free(text);
    ds_buf_free(&before);
    unsetenv("DUCKSITE_WEB_DIST");
    free(st);
    test_rmtree(root);
    free(root);
}
