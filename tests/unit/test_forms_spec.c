/* test_forms_spec.c - form blocks parsed and checked (src/site/page.c,
 * src/forms/spec.c, src/forms/prepare.c): every key, the errors with
 * file, line and did-you-mean, paths confined to the root, ids unique in
 * the site, forms.json round trip, the query checked with DuckDB. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>
#include <unistd.h>

#include "forms/prepare.h"
#include "forms/spec.h"
#include "sql/sqltext.h"
#include "testutil.h"

static const char *const DIR_NAMES[] = {"DIR_FORMS"};
static const char *const DIR_VALUES[] = {"static/forms"};

/* Forms of one page TEXT ("content/a.md") under ROOT; returns the rc. */
static int collect2(const char *root, const char *text, const char *text2, ds_forms *out,
                    ds_err *err)
{
    ds_page pages[2];
    ds_err perr;
    if (ds_page_parse(text, "content/a.md", &pages[0], err) != 0)
        return -1; /* the page's shape: page.c's errors */
    size_t n = 1;
    if (text2) {
        cr_assert_eq(ds_page_parse(text2, "content/b.md", &pages[1], &perr), 0, "%s", perr.msg);
        n = 2;
    }
    ds_form_page fp[2] = {{&pages[0], "content/a.md", "a"}, {&pages[1], "content/b.md", "b"}};
    int rc = ds_forms_collect(root, DIR_NAMES, DIR_VALUES, 1, fp, n, out, err);
    for (size_t i = 0; i < n; i++)
        ds_page_free(&pages[i]);
    return rc;
}

static int collect(const char *text, ds_forms *out, ds_err *err)
{
    return collect2("/tmp", text, NULL, out, err);
}

/* The error of a page with one form whose body is BODY. */
static char *error_of(const char *body)
{
    char *text = ds_asprintf("# T\n\n```form fb\n%s```\n", body);
    ds_forms forms;
    ds_err err;
    int rc = collect(text, &forms, &err);
    free(text);
    cr_assert_neq(rc, 0, "expected an error for:\n%s", body);
    return ds_strdup(err.msg);
}

#define ERR_HAS(body, want)                                                                      \
    do {                                                                                         \
        char *m_ = error_of(body);                                                               \
        cr_assert(strstr(m_, want), "got: %s\nwant: %s", m_, want);                            \
        free(m_);                                                                                \
    } while (0)

Test(forms_spec, every_key)
{
    const char *text = "# T\n\n```input who\ntype: text\n```\n\n"
                       "```form fb\n"
                       "# a comment\n"
                       "label: \"Send it\"\n"
                       "target_csv: ${DIR_FORMS}/fb.csv\n"
                       "inputs: [\"comment\", \"score\"]\n"
                       "image_field: photo\n"
                       "image_dir: static/forms/pics\n"
                       "auth_required: true\n"
                       "allowed_email_domains: @Example.com, example.org  sub.example.net\n"
                       "max_rows_per_user: 3\n"
                       "sql_relation_query: |\n"
                       "  SELECT ${inputs.who} AS who,\n"
                       "         ${inputs.comment} AS comment, ${ inputs.score } AS score\n"
                       "```\n";
    ds_forms forms;
    ds_err err;
    cr_assert_eq(collect(text, &forms, &err), 0, "%s", err.msg);
    cr_assert_eq(forms.len, 1);
    const ds_form *f = &forms.items[0];
    cr_assert_str_eq(f->id, "fb");
    cr_assert_str_eq(f->label, "Send it");
    cr_assert_str_eq(f->target, "static/forms/fb.csv");
    cr_assert_eq(f->n_inputs, 2);
    cr_assert_str_eq(f->inputs[1], "score");
    cr_assert_str_eq(f->image_field, "photo");
    cr_assert_str_eq(f->image_dir, "static/forms/pics");
    cr_assert(f->auth_required);
    cr_assert_eq(f->n_domains, 3);
    cr_assert_str_eq(f->domains[0], "example.com");
    cr_assert_str_eq(f->domains[2], "sub.example.net");
    cr_assert_eq(f->max_rows_per_user, 3);
    cr_assert_str_eq(f->sql, "SELECT ${inputs.who} AS who,\n         ${inputs.comment} AS comment, "
                             "${ inputs.score } AS score");
    cr_assert_str_eq(f->page, "content/a.md");
    cr_assert_eq(f->line, 7);
    cr_assert_eq(f->sql_line, 18);
    /* The browser's part: no SQL, the served path of the target. */
    char *json = ds_forms_page_json(&forms, "content/a.md");
    cr_assert_str_eq(json, "[{\"id\": \"fb\", \"label\": \"Send it\", \"inputs\": [\"comment\", "
                           "\"score\"], \"auth_required\": true, \"allowed_email_domains\": "
                           "[\"example.com\", \"example.org\", \"sub.example.net\"], "
                           "\"image_field\": \"photo\", \"max_rows_per_user\": 3, \"reads\": "
                           "\"forms/fb.csv\"}]");
    free(json);
    cr_assert_null(ds_forms_page_json(&forms, "content/other.md"));
    ds_forms_free(&forms);
}

Test(forms_spec, inline_query_and_defaults)
{
    ds_forms forms;
    ds_err err;
    cr_assert_eq(collect("```form fb\ntarget_csv: data/x.csv\nimage_field: pic\n"
                         "sql_relation_query: SELECT 1 AS one\n```\n",
                         &forms, &err),
                 0, "%s", err.msg);
    const ds_form *f = &forms.items[0];
    cr_assert_str_eq(f->label, "fb");
    cr_assert_str_eq(f->sql, "SELECT 1 AS one");
    cr_assert_str_eq(f->image_dir, "data"); /* the target's folder */
    cr_assert(!f->auth_required);
    cr_assert_eq(f->max_rows_per_user, 0);
    char *json = ds_forms_page_json(&forms, "content/a.md");
    cr_assert(strstr(json, "\"reads\": null"), "%s", json); /* not served: pages cannot read it */
    free(json);
    ds_forms_free(&forms);
}

Test(forms_spec, errors_name_file_line_and_fix)
{
    const char *q = "sql_relation_query: SELECT 1 AS one\n";
    char *b;
    b = ds_asprintf("target_csv: x.csv\nlabl: Hi\n%s", q);
    ERR_HAS(b, "content/a.md:5: form 'fb': unknown key 'labl'; did you mean 'label'?");
    free(b);
    b = ds_asprintf("target_csv: x.csv\nzzzzzzzzzz: 1\n%s", q);
    ERR_HAS(b, "unknown key 'zzzzzzzzzz'; form keys: label, target_csv, inputs");
    free(b);
    ERR_HAS(q, "content/a.md:3: form 'fb': target_csv is missing");
    ERR_HAS("target_csv: x.csv\n", "sql_relation_query is missing");
    ERR_HAS("target_csv: x.csv\nsql_relation_query: |\n\n", "sql_relation_query is empty");
    ERR_HAS("target_csv: x.csv\nsql_relation_query: SELECT 1\nlabel: late\n",
            "content/a.md:6: form 'fb': text after an inline sql_relation_query");
    b = ds_asprintf("target_csv: ../outside.csv\n%s", q);
    ERR_HAS(b, "content/a.md:4: form 'fb': target_csv: '../outside.csv' is outside the project root");
    free(b);
    b = ds_asprintf("target_csv: /etc/x.csv\n%s", q);
    ERR_HAS(b, "'/etc/x.csv' is outside the project root");
    free(b);
    b = ds_asprintf("target_csv: static/../../x.csv\n%s", q);
    ERR_HAS(b, "is outside the project root");
    free(b);
    b = ds_asprintf("target_csv: static/sql/x.csv\n%s", q);
    ERR_HAS(b, "'static/sql/x.csv' is inside static/sql/");
    free(b);
    b = ds_asprintf("target_csv: auth/users.csv\n%s", q);
    ERR_HAS(b, "is inside auth/");
    free(b);
    b = ds_asprintf("target_csv: data/x.txt\n%s", q);
    ERR_HAS(b, "target_csv: 'data/x.txt' must name a .csv file");
    free(b);
    b = ds_asprintf("target_csv: ${DIR_NOPE}/x.csv\n%s", q);
    ERR_HAS(b, "target_csv: ${DIR_NOPE} is not defined in [dirs] of ducksite.toml (defined: "
               "DIR_FORMS)");
    free(b);
    b = ds_asprintf("target_csv: x.csv\nimage_dir: pics\n%s", q);
    ERR_HAS(b, "image_dir is set but image_field is not");
    free(b);
    b = ds_asprintf("target_csv: x.csv\nimage_field: a b\n%s", q);
    ERR_HAS(b, "image_field: 'a b' must be a column name");
    free(b);
    b = ds_asprintf("target_csv: x.csv\nauth_required: yes\n%s", q);
    ERR_HAS(b, "auth_required: 'yes' is not one of true, false");
    free(b);
    b = ds_asprintf("target_csv: x.csv\nmax_rows_per_user: 0\n%s", q);
    ERR_HAS(b, "max_rows_per_user: '0' is not a whole number of 1 or more");
    free(b);
    b = ds_asprintf("target_csv: x.csv\nmax_rows_per_user: 2x\n%s", q);
    ERR_HAS(b, "max_rows_per_user: '2x'");
    free(b);
    b = ds_asprintf("target_csv: x.csv\nallowed_email_domains: example\n%s", q);
    ERR_HAS(b, "allowed_email_domains: 'example' is not a domain");
    free(b);
    b = ds_asprintf("target_csv: x.csv\ninputs: [\"a\", 1]\n%s", q);
    ERR_HAS(b, "inputs: every item of the list must be a string");
    free(b);
    b = ds_asprintf("target_csv: x.csv\ninputs: [oops\n%s", q);
    ERR_HAS(b, "inputs: a list in [...] must be JSON");
    free(b);
    b = ds_asprintf("target_csv: x.csv\ninputs: a-b\n%s", q);
    ERR_HAS(b, "inputs: 'a-b' is not an input name");
    free(b);
    ERR_HAS("target_csv: x.csv\ninputs: a, b\nsql_relation_query: SELECT ${inputs.a} AS a\n",
            "content/a.md:5: form 'fb': inputs: 'b' is never used as ${inputs.b}");
    ERR_HAS("target_csv: x.csv\nsql_relation_query: |\n  SELECT 1 AS one,\n  ${inputs.who} AS w\n",
            "content/a.md:6: form 'fb': sql_relation_query: ${inputs.who} names no input of this "
            "page");
    ERR_HAS("target_csv: x.csv\ninputs: a\nsql_relation_query: SELECT '${inputs.a}' AS a\n",
            "'${inputs.a}' is inside a string literal, where it cannot be a value");
    ERR_HAS("target_csv: x.csv\ninputs: a\nsql_relation_query: SELECT $$ ${inputs.a} $$ AS a\n",
            "is inside a string literal");
    ERR_HAS("target_csv: x.csv\nsql_relation_query: SELECT ${params.a} AS a\n",
            "'${params.a}' is not a placeholder forms fill");
}

Test(forms_spec, duplicate_ids)
{
    ds_forms forms;
    ds_err err;
    const char *page = "# A\n\n```form fb\ntarget_csv: a.csv\nsql_relation_query: SELECT 1 AS x\n```\n";
    cr_assert_neq(collect2("/tmp", page, page, &forms, &err), 0);
    cr_assert_str_eq(err.msg, "content/b.md:3: form 'fb' is also defined at content/a.md:3; form "
                              "ids are site-wide (a submission names its form by id): rename one");
    ds_page p;
    char *twice = ds_asprintf("%s%s", page, page + 4);
    cr_assert_neq(ds_page_parse(twice, "content/a.md", &p, &err), 0);
    cr_assert(strstr(err.msg, "form 'fb' is defined twice, at lines 3 and 8"), "%s", err.msg);
    free(twice);
}

Test(forms_spec, confine)
{
    char *root = test_tmpdir();
    char *rel = ds_form_confine(root, "static/forms/a.csv");
    cr_assert_str_eq(rel, "static/forms/a.csv");
    free(rel);
    char *abs = ds_path_join(root, "data/./x/../a.csv");
    rel = ds_form_confine(root, abs);
    cr_assert_str_eq(rel, "data/a.csv");
    free(rel);
    free(abs);
    cr_assert_null(ds_form_confine(root, ".."));
    cr_assert_null(ds_form_confine(root, "."));
    cr_assert_null(ds_form_confine(root, "/tmp/a.csv"));
    /* A symlink inside the root that leads out of it. */
    char *link = ds_path_join(root, "out");
    cr_assert_eq(symlink("/tmp", link), 0);
    cr_assert_null(ds_form_confine(root, "out/a.csv"));
    cr_assert_null(ds_form_confine(root, "out/new/dir/a.csv"));
    free(link);
    test_rmtree(root);
    free(root);
}

Test(forms_spec, domain_allowed)
{
    char *d[] = {"example.com", "example.org"};
    ds_form f = {.domains = d, .n_domains = 2};
    cr_assert(ds_form_domain_allowed(&f, "a@example.com"));
    cr_assert(ds_form_domain_allowed(&f, "A@EXAMPLE.ORG"));
    cr_assert(!ds_form_domain_allowed(&f, "a@evil-example.com"));
    cr_assert(!ds_form_domain_allowed(&f, "a@example.com.evil.net"));
    cr_assert(!ds_form_domain_allowed(&f, "a@sub.example.com"));
    cr_assert(!ds_form_domain_allowed(&f, "example.com"));
    cr_assert(!ds_form_domain_allowed(&f, "a@"));
}

Test(forms_spec, save_and_load)
{
    char *root = test_tmpdir();
    ds_forms forms, back;
    ds_err err;
    cr_assert_eq(collect2(root,
                          "# A\n\n```form fb\ntarget_csv: a.csv\ninputs: x\nimage_field: p\n"
                          "auth_required: true\nallowed_email_domains: a.com\n"
                          "max_rows_per_user: 2\nsql_relation_query: SELECT ${inputs.x} AS x\n"
                          "```\n",
                          NULL, &forms, &err),
                 0, "%s", err.msg);
    cr_assert_eq(ds_forms_save(&forms, root, &err), 0, "%s", err.msg);
    char *path = ds_path_join(root, DS_FORMS_FILE);
    cr_assert_eq(ds_forms_load(path, &back, &err), 0, "%s", err.msg);
    const ds_form *a = &forms.items[0], *b = ds_forms_find(&back, "fb");
    cr_assert_not_null(b);
    cr_assert_str_eq(b->target, a->target);
    cr_assert_str_eq(b->sql, a->sql);
    cr_assert_str_eq(b->image_dir, ".");
    cr_assert_str_eq(b->inputs[0], "x");
    cr_assert_str_eq(b->domains[0], "a.com");
    cr_assert(b->auth_required);
    cr_assert_eq(b->max_rows_per_user, 2);
    ds_forms_free(&back);
    /* A missing file is no forms; a broken one is an error. */
    char *missing = ds_path_join(root, "nope.json");
    cr_assert_eq(ds_forms_load(missing, &back, &err), 0);
    cr_assert_eq(back.len, 0);
    free(missing);
    test_write(root, DS_FORMS_FILE, "[1]");
    cr_assert_neq(ds_forms_load(path, &back, &err), 0);
    cr_assert(strstr(err.msg, "not a forms file"), "%s", err.msg);
    free(path);
    ds_forms_free(&forms);
    test_rmtree(root);
    free(root);
}

Test(forms_spec, prepare_checks_query_and_starts_target)
{
    char *root = test_tmpdir();
    ds_forms forms;
    ds_err err;
    cr_assert_eq(collect2(root,
                          "# A\n\n```form fb\ntarget_csv: static/forms/fb.csv\ninputs: x\n"
                          "image_field: pic\nsql_relation_query: |\n"
                          "  SELECT ${inputs.x}::INT + 1 AS \"next, one\", 'a' AS b\n```\n"
                          "```form bad\ntarget_csv: static/forms/bad.csv\n"
                          "sql_relation_query: SELECT nope FROM nowhere\n```\n",
                          NULL, &forms, &err),
                 0, "%s", err.msg);
    ds_duck *db = ds_duck_open(&err);
    cr_assert_not_null(db);
    cr_assert_neq(ds_forms_prepare(&forms, root, db, &err), 0);
    cr_assert(strstr(err.msg, "content/a.md:12: form 'bad': sql_relation_query does not run "
                              "(inputs as NULL): Catalog Error"),
              "%s", err.msg);
    char *fb = ds_path_join(root, "static/forms/fb.csv");
    size_t len;
    char *text = ds_read_file(fb, &len, &err);
    cr_assert_str_eq(text, "\"next, one\",b,pic,submitted_by,submitted_at\n");
    free(text);
    /* An existing target is never touched. */
    test_write(root, "static/forms/fb.csv", "mine\n");
    forms.len = 1;
    cr_assert_eq(ds_forms_prepare(&forms, root, db, &err), 0, "%s", err.msg);
    text = ds_read_file(fb, &len, &err);
    cr_assert_str_eq(text, "mine\n");
    free(text);
    forms.len = 2;
    free(fb);
    /* Columns the server writes are errors (DuckDB renames a name used
     * twice itself). */
    ds_form f = {.id = "x", .page = "content/a.md", .line = 3, .sql_line = 4,
                 .sql = "SELECT 1 AS submitted_by"};
    size_t n;
    cr_assert_null(ds_form_query_columns(&f, db, &n, &err));
    cr_assert(strstr(err.msg, "content/a.md:4: form 'x': sql_relation_query: column "
                              "'submitted_by' is written by the server"),
              "%s", err.msg);
    ds_duck_close(db);
    ds_forms_free(&forms);
    test_rmtree(root);
    free(root);
}

/* ${inputs.x} outside literals and comments only (src/sql/sqltext.c). */
static char *upper_name(void *ctx, const char *name)
{
    (void)ctx;
    return ds_asprintf("<%s>", name);
}

Test(forms_spec, fill_inputs)
{
    char *bad = NULL;
    char *out = ds_sql_fill_inputs("SELECT ${inputs.a}, ${ inputs.b_2 } -- ${inputs.c}\n"
                                   "/* ${inputs.d} */ FROM t WHERE x = ${inputs.a}",
                                   upper_name, NULL, &bad);
    cr_assert_null(bad);
    cr_assert_str_eq(out, "SELECT <a>, <b_2> -- ${inputs.c}\n/* ${inputs.d} */ FROM t WHERE x = "
                          "<a>");
    free(out);
    cr_assert_null(ds_sql_fill_inputs("SELECT \"${inputs.a}\"", upper_name, NULL, &bad));
    cr_assert(strstr(bad, "inside a quoted identifier"), "%s", bad);
    free(bad);
    cr_assert_null(ds_sql_fill_inputs("SELECT $tag$ ${inputs.a} $tag$", upper_name, NULL, &bad));
    cr_assert(strstr(bad, "inside a string literal"), "%s", bad);
    free(bad);
    /* $1 is a parameter, not a dollar quote. */
    out = ds_sql_fill_inputs("SELECT $1, ${inputs.a}", upper_name, NULL, &bad);
    cr_assert_str_eq(out, "SELECT $1, <a>");
    free(out);
}

Test(forms_spec, kept_paths)
{
    ds_forms forms;
    ds_err err;
    cr_assert_eq(collect("```form fb\ntarget_csv: static/in/fb.csv\nimage_field: p\n"
                         "image_dir: static/pics\nsql_relation_query: SELECT 1 AS x\n```\n",
                         &forms, &err),
                 0, "%s", err.msg);
    size_t n;
    char **kept = ds_forms_kept_paths(&forms, "/srv/site", &n);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(kept[0], "/srv/site/static/in/fb.csv");
    cr_assert_str_eq(kept[1], "/srv/site/static/in/.fb.csv.lock");
    cr_assert_str_eq(kept[2], "/srv/site/static/pics");
    for (size_t i = 0; i < n; i++)
        free(kept[i]);
    free(kept);
    ds_forms_free(&forms);
}
