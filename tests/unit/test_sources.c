/* test_sources.c - file-source views: slugs, base view SQL, union modes,
 * filters, templated views sampled from real Parquet files, missing and
 * unreadable files. */
#include <criterion/criterion.h>
#include <unistd.h>

#include "config/config.h"
#include "datamap/collect.h"
#include "sql/duck.h"
#include "sql/sources.h"
#include "sql/sqltext.h"
#include "testutil.h"

/* ---- a small project in a temporary directory ------------------------- */

typedef struct {
    char *root;
    ds_duck *db;
    ds_config cfg;
    bool have_cfg;
    ds_collected c;
    bool have_c;
    ds_query_list q;
    ds_keyset bad;
} proj;

static void proj_init(proj *p)
{
    memset(p, 0, sizeof *p);
    p->root = test_tmpdir();
    ds_err err;
    p->db = ds_duck_open(&err);
    cr_assert_not_null(p->db, "%s", err.msg);
}

/* Writes ROOT/rel as Parquet from a SELECT. */
static void proj_parquet(proj *p, const char *rel, const char *select)
{
    ds_err err;
    char *path = ds_path_join(p->root, rel);
    char *parent = ds_path_dirname(path);
    cr_assert_eq(ds_mkdir_p(parent, &err), 0, "%s", err.msg);
    ds_buf sql = {0};
    ds_buf_printf(&sql, "COPY (%s) TO ", select);
    ds_sql_quote(&sql, path);
    ds_buf_puts(&sql, " (FORMAT parquet)");
    cr_assert_eq(ds_duck_exec(p->db, sql.data, &err), 0, "%s", err.msg);
    ds_buf_free(&sql);
    free(parent);
    free(path);
}

/* Parses the config and collects the files. */
static void proj_config(proj *p, const char *toml)
{
    ds_err err;
    cr_assert_eq(ds_config_parse(toml, strlen(toml), p->root, "ducksite.toml", &p->cfg, &err), 0,
                 "%s", err.msg);
    p->have_cfg = true;
    cr_assert_eq(ds_collect(&p->cfg, &p->c, &err), 0, "%s", err.msg);
    p->have_c = true;
}

static int proj_views(proj *p, ds_err *err)
{
    return ds_source_views(&p->cfg, &p->c, NULL, p->db, &p->q, NULL, &p->bad, err);
}

static void proj_free(proj *p)
{
    ds_keyset_free(&p->bad);
    ds_query_list_free(&p->q);
    if (p->have_c)
        ds_collected_free(&p->c);
    if (p->have_cfg)
        ds_config_free(&p->cfg);
    ds_duck_close(p->db);
    test_rmtree(p->root);
    free(p->root);
}

static const ds_query *view(const proj *p, const char *name)
{
    const ds_query *q = ds_query_find(&p->q, name);
    cr_assert_not_null(q, "no view %s", name);
    return q;
}

/* Rows of a view, run against the physical files: swaps the key prefix
 * 'data/<src>/ for the lake directory.  Returns count(*) of the view. */
static long count_rows(proj *p, const char *view_sql, const char *key_prefix,
                       const char *phys_prefix)
{
    ds_buf b = {0};
    for (const char *s = view_sql; *s;) {
        if (ds_starts_with(s, key_prefix)) {
            ds_buf_puts(&b, phys_prefix);
            s += strlen(key_prefix);
        } else {
            ds_buf_putc(&b, *s++);
        }
    }
    char *sql = ds_asprintf("SELECT count(*) FROM (%s)", ds_buf_str(&b));
    ds_buf_free(&b);
    ds_rows rows;
    ds_err err;
    cr_assert_eq(ds_duck_query(p->db, sql, &rows, &err), 0, "%s\n%s", err.msg, sql);
    long n = atol(ds_rows_get(&rows, 0, 0));
    ds_rows_free(&rows);
    free(sql);
    return n;
}

#define REGIONS_A "SELECT * FROM (VALUES ('north', 10, DATE '2024-01-05'), ('south', 20, " \
                  "DATE '2024-01-06')) t(region, amount, day)"
#define REGIONS_B "SELECT * FROM (VALUES ('south', 30, DATE '2024-02-05'), ('west', -1, "  \
                  "DATE '2024-01-07'), (NULL, 5, DATE '2024-01-08')) t(region, amount, day)"

/* ---- slugs and key sets ------------------------------------------------ */

Test(sources, slug_rules)
{
    struct {
        const char *in, *out;
    } cases[] = {
        {"a b-c", "a_b_c"}, {"__x__", "x"},       {"north", "north"},
        {"a  --  b", "a_b"}, {"2024-01-01", "2024_01_01"}, {"  lead", "lead"},
        {"trail!!", "trail"}, {"a__b", "a__b"},   {"Mixed Case", "Mixed_Case"},
        {"x.y/z", "x_y_z"},
    };
    for (size_t i = 0; i < DS_ARRAY_LEN(cases); i++) {
        char *s = ds_slug(cases[i].in);
        cr_assert_str_eq(s, cases[i].out, "slug of '%s'", cases[i].in);
        free(s);
    }
}

static bool is_hex8(const char *s)
{
    if (strlen(s) != 8)
        return false;
    for (const char *p = s; *p; p++)
        if (!strchr("0123456789abcdef", *p))
            return false;
    return true;
}

Test(sources, slug_hash_for_unusable_values)
{
    char *e = ds_slug("");
    char *x = ds_slug("!!!");
    char *x2 = ds_slug("!!!");
    char *u = ds_slug("___");
    char *y = ds_slug("???");
    cr_assert(is_hex8(e), "%s", e);
    cr_assert(is_hex8(x), "%s", x);
    cr_assert(is_hex8(u), "%s", u);
    cr_assert_str_eq(x, x2, "stable");
    cr_assert_str_neq(x, y);
    cr_assert_str_neq(x, e);
    free(e);
    free(x);
    free(x2);
    free(u);
    free(y);
}

Test(sources, keyset)
{
    ds_keyset s = {0};
    cr_assert(!ds_keyset_has(&s, "a"));
    ds_keyset_add(&s, "b");
    ds_keyset_add(&s, "a");
    ds_keyset_add(&s, "b");
    cr_assert(ds_keyset_has(&s, "a"), "lookups work before finishing too");
    cr_assert(!ds_keyset_has(&s, "c"));
    ds_keyset_finish(&s);
    cr_assert_eq(s.len, 2, "repeats are removed");
    cr_assert(ds_keyset_has(&s, "a"));
    cr_assert(ds_keyset_has(&s, "b"));
    cr_assert(!ds_keyset_has(&s, "c"));
    cr_assert(!ds_keyset_has(&s, "0"));
    ds_keyset_free(&s);
    cr_assert_eq(s.len, 0);
}

/* ---- base views --------------------------------------------------------- */

Test(sources, base_view_sql)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/b.parquet", REGIONS_B);
    proj_parquet(&p, "lake/a.parquet", REGIONS_A);
    proj_config(&p, "[[file_sources]]\nname = \"orders\"\nupstream_glob = \"lake/*.parquet\"\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    cr_assert_eq(p.q.len, 1);
    const ds_query *q = view(&p, "orders");
    cr_assert_eq(q->kind, DS_KIND_FILE_SOURCE);
    cr_assert_str_eq(q->sql, "SELECT * FROM read_parquet(['data/orders/a.parquet', "
                             "'data/orders/b.parquet'])");
    cr_assert_str_eq(q->file, "ducksite.toml");
    cr_assert_eq(q->line, 1);
    cr_assert_eq(p.bad.len, 0);
    char *lake = ds_asprintf("%s/lake/", p.root);
    cr_assert_eq(count_rows(&p, q->sql, "data/orders/", lake), 5);
    free(lake);
    proj_free(&p);
}

Test(sources, union_all_mode_and_quoting)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/it's.parquet", REGIONS_A);
    proj_config(&p, "\n[[file_sources]]\nname = \"o\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "union_mode = \"union_all\"\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    cr_assert_str_eq(view(&p, "o")->sql, "SELECT * FROM read_parquet(['data/o/it''s.parquet'])");
    cr_assert_eq(view(&p, "o")->line, 2);
    proj_free(&p);
}

Test(sources, row_filter_and_time_window)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/a.parquet", REGIONS_A);
    proj_parquet(&p, "lake/b.parquet", REGIONS_B);
    proj_config(&p, "[[file_sources]]\nname = \"both\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "row_filter = \"amount > 0\"\n"
                    "time_window = {column = \"day\", start = 2024-01-01, end = 2024-02-01}\n"
                    "[[file_sources]]\nname = \"rf\"\nupstream_glob = \"lake/a.parquet\"\n"
                    "row_filter = \"amount > 0\"\n"
                    "[[file_sources]]\nname = \"tw\"\nupstream_glob = \"lake/a.parquet\"\n"
                    "time_window = {column = \"day\", end = 2024-01-06}\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    cr_assert_eq(p.q.len, 3);
    const ds_query *both = view(&p, "both");
    cr_assert_str_eq(both->sql,
                     "SELECT * FROM read_parquet(['data/both/a.parquet', "
                     "'data/both/b.parquet']) WHERE (amount > 0) AND "
                     "(day >= DATE '2024-01-01' AND day < DATE '2024-02-01')");
    cr_assert_str_eq(view(&p, "rf")->sql, "SELECT * FROM read_parquet(['data/rf/a.parquet']"
                                          ") WHERE amount > 0");
    cr_assert_str_eq(view(&p, "tw")->sql, "SELECT * FROM read_parquet(['data/tw/a.parquet']"
                                          ") WHERE day < DATE "
                                          "'2024-01-06'");
    /* north, south (a) and the NULL-region row of b pass; west (amount -1)
     * and b's February south row do not. */
    char *lake = ds_asprintf("%s/lake/", p.root);
    cr_assert_eq(count_rows(&p, both->sql, "data/both/", lake), 3);
    free(lake);
    proj_free(&p);
}

Test(sources, sources_without_files_or_name_get_no_view)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "static/data/x.parquet", REGIONS_A);
    proj_config(&p, "[[file_sources]]\nname = \"none\"\nupstream_glob = \"nowhere/*.parquet\"\n"
                    "template_name = \"none_[region]\"\n"
                    "[[file_sources]]\npattern = \"data/*.parquet\"\n"
                    "[[file_sources]]\nname = \"local\"\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    cr_assert_eq(p.q.len, 1);
    cr_assert_str_eq(p.q.items[0].name, "local");
    cr_assert_str_eq(p.q.items[0].sql, "SELECT * FROM read_parquet(['data/x.parquet']"
                                       ")");
    cr_assert_eq(p.q.items[0].line, 7);
    proj_free(&p);
}

Test(sources, view_name_already_defined)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/a.parquet", REGIONS_A);
    proj_config(&p, "[[file_sources]]\nname = \"s\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "template_name = \"t_[region]\"\n"
                    "[[file_sources]]\nname = \"t_north\"\nupstream_glob = \"lake/*.parquet\"\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), -1);
    cr_assert_str_eq(err.msg, "ducksite.toml:5: file source 't_north': the view name is already "
                              "defined at ducksite.toml:1");
    proj_free(&p);
}

/* ---- templated views ----------------------------------------------------- */

Test(sources, templated_views_string_values)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/a.parquet", REGIONS_A);
    proj_parquet(&p, "lake/b.parquet", REGIONS_B);
    proj_config(&p, "[[file_sources]]\nname = \"orders\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "template_name = \"orders_[region]_v\"\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    /* The base view, then one per non-NULL value in value order. */
    cr_assert_eq(p.q.len, 4);
    cr_assert_str_eq(p.q.items[0].name, "orders");
    cr_assert_str_eq(p.q.items[1].name, "orders_north_v");
    cr_assert_str_eq(p.q.items[2].name, "orders_south_v");
    cr_assert_str_eq(p.q.items[3].name, "orders_west_v");
    for (size_t i = 1; i < 4; i++) {
        cr_assert_eq(p.q.items[i].kind, DS_KIND_FILE_SOURCE_TEMPLATE);
        cr_assert_str_eq(p.q.items[i].file, "ducksite.toml");
        cr_assert_eq(p.q.items[i].line, 1);
    }
    cr_assert_str_eq(p.q.items[1].sql, "SELECT * FROM read_parquet(['data/orders/a.parquet']"
                                       ") WHERE region = 'north'");
    cr_assert_str_eq(p.q.items[2].sql,
                     "SELECT * FROM read_parquet(['data/orders/a.parquet', "
                     "'data/orders/b.parquet']) WHERE region = 'south'");
    cr_assert_str_eq(p.q.items[3].sql, "SELECT * FROM read_parquet(['data/orders/b.parquet']"
                                       ") WHERE region = 'west'");
    char *lake = ds_asprintf("%s/lake/", p.root);
    cr_assert_eq(count_rows(&p, p.q.items[2].sql, "data/orders/", lake), 2);
    free(lake);
    proj_free(&p);
}

Test(sources, templated_views_typed_literals)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/a.parquet",
                 "SELECT * FROM (VALUES (2023::INTEGER, DATE '2024-01-01', true, 'it''s'), "
                 "(2024::INTEGER, DATE '2024-03-15', false, 'x')) t(yr, day, flag, txt)");
    proj_parquet(&p, "lake/b.parquet",
                 "SELECT * FROM (VALUES (2024::INTEGER, DATE '2024-01-01', NULL::BOOLEAN, "
                 "NULL::VARCHAR)) t(yr, day, flag, txt)"); /* one schema: plain views */
    proj_config(&p, "[[file_sources]]\nname = \"y\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "template_name = \"y_[yr]\"\n"
                    "[[file_sources]]\nname = \"d\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "template_name = \"d_[day]\"\n"
                    "[[file_sources]]\nname = \"f\"\nupstream_glob = \"lake/a.parquet\"\n"
                    "template_name = \"f_[flag]\"\n"
                    "[[file_sources]]\nname = \"q\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "template_name = \"q_[txt]\"\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    cr_assert_str_eq(view(&p, "y_2023")->sql, "SELECT * FROM read_parquet(['data/y/a.parquet']"
                                              ") WHERE yr = 2023");
    cr_assert_str_eq(view(&p, "y_2024")->sql,
                     "SELECT * FROM read_parquet(['data/y/a.parquet', 'data/y/b.parquet']"
                     ") WHERE yr = 2024");
    cr_assert_str_eq(view(&p, "d_2024_01_01")->sql,
                     "SELECT * FROM read_parquet(['data/d/a.parquet', 'data/d/b.parquet']"
                     ") WHERE day = DATE '2024-01-01'");
    cr_assert_str_eq(view(&p, "d_2024_03_15")->sql,
                     "SELECT * FROM read_parquet(['data/d/a.parquet']) "
                     "WHERE day = DATE '2024-03-15'");
    cr_assert_str_eq(view(&p, "f_true")->sql, "SELECT * FROM read_parquet(['data/f/a.parquet']"
                                              ") WHERE flag = TRUE");
    cr_assert_str_eq(view(&p, "f_false")->sql, "SELECT * FROM read_parquet(['data/f/a.parquet']"
                                               ") WHERE flag = FALSE");
    cr_assert_str_eq(view(&p, "q_it_s")->sql, "SELECT * FROM read_parquet(['data/q/a.parquet']"
                                              ") WHERE txt = 'it''s'");
    cr_assert_str_eq(view(&p, "q_x")->sql, "SELECT * FROM read_parquet(['data/q/a.parquet']"
                                           ") WHERE txt = 'x'");
    /* 4 base views + 2 + 2 + 2 + 2. */
    cr_assert_eq(p.q.len, 12);
    proj_free(&p);
}

Test(sources, templated_views_custom_filter_and_base_predicates)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/a.parquet", REGIONS_A);
    proj_parquet(&p, "lake/b.parquet", REGIONS_B);
    proj_config(&p, "[[file_sources]]\nname = \"o\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "template_name = \"o_[upper(region)]\"\n"
                    "row_filter_template = \"upper(region) = ? AND '?' <> ?\"\n"
                    "row_filter = \"amount > 0\"\n"
                    "time_window = {column = \"day\", end = 2024-02-01}\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    /* west has amount -1 and b's south row is in February: sampling
     * applies the source's own filters, so neither gets a view or file. */
    cr_assert_eq(p.q.len, 3);
    cr_assert_str_eq(p.q.items[1].name, "o_NORTH");
    cr_assert_str_eq(p.q.items[2].name, "o_SOUTH");
    cr_assert_str_eq(p.q.items[2].sql,
                     "SELECT * FROM read_parquet(['data/o/a.parquet']) "
                     "WHERE (amount > 0) AND (day < DATE '2024-02-01') AND (upper(region) = "
                     "'SOUTH' AND '?' <> 'SOUTH')");
    proj_free(&p);
}

Test(sources, templated_views_union_all_mode)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/a.parquet", REGIONS_A);
    proj_config(&p, "[[file_sources]]\nname = \"o\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "union_mode = \"union_all\"\ntemplate_name = \"[region]_o\"\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    cr_assert_eq(p.q.len, 3);
    cr_assert_str_eq(view(&p, "north_o")->sql,
                     "SELECT * FROM read_parquet(['data/o/a.parquet']) WHERE region = 'north'");
    proj_free(&p);
}

Test(sources, templated_slug_collision)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/a.parquet",
                 "SELECT * FROM (VALUES ('a b'), ('a-b'), ('c')) t(k)");
    proj_config(&p, "[[file_sources]]\nname = \"s\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "template_name = \"s_[k]\"\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), -1);
    cr_assert_str_eq(err.msg, "ducksite.toml:1: file source 's': template values 'a b' and "
                              "'a-b' both make the view name 's_a_b'");
    proj_free(&p);
}

Test(sources, templated_name_clashes_with_earlier_view)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/a.parquet", REGIONS_A);
    proj_config(&p, "[[file_sources]]\nname = \"o_south\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "\n[[file_sources]]\nname = \"o\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "template_name = \"o_[region]\"\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), -1);
    cr_assert_str_eq(err.msg, "ducksite.toml:5: file source 'o': template value 'south' makes "
                              "the view name 'o_south', which ducksite.toml:1 already defines");
    proj_free(&p);
}

Test(sources, sampling_error_is_reported)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/a.parquet", REGIONS_A);
    proj_config(&p, "[[file_sources]]\nname = \"o\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "template_name = \"o_[no_such_column]\"\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), -1);
    const char *want = "ducksite.toml:1: file source 'o': sampling template_name "
                       "'o_[no_such_column]' failed: ";
    cr_assert(ds_starts_with(err.msg, want), "%s", err.msg);
    cr_assert(strstr(err.msg, "no_such_column") != NULL, "%s", err.msg + strlen(want));
    proj_free(&p);
}

/* ---- missing and unreadable files ---------------------------------------- */

Test(sources, missing_file_warns_and_skips_templates)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/a.parquet", REGIONS_A);
    proj_parquet(&p, "lake/b.parquet", REGIONS_B);
    proj_config(&p, "[[file_sources]]\nname = \"o\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "template_name = \"o_[region]\"\n"
                    "[[file_sources]]\nname = \"other\"\nupstream_glob = \"lake/a.parquet\"\n"
                    "template_name = \"other_[region]\"\n");
    /* The file disappears between collection and the views. */
    char *b = ds_asprintf("%s/lake/b.parquet", p.root);
    cr_assert_eq(unlink(b), 0);
    free(b);
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    cr_assert_eq(p.bad.len, 1);
    cr_assert(ds_keyset_has(&p.bad, "data/o/b.parquet"));
    /* The base view still lists both files; no templated views for o, but
     * the other source is unaffected. */
    cr_assert_str_eq(view(&p, "o")->sql, "SELECT * FROM read_parquet(['data/o/a.parquet', "
                                         "'data/o/b.parquet'], union_by_name = true)");
    cr_assert_null(ds_query_find(&p.q, "o_north"));
    cr_assert_null(ds_query_find(&p.q, "o_south"));
    cr_assert_not_null(ds_query_find(&p.q, "other_north"));
    cr_assert_not_null(ds_query_find(&p.q, "other_south"));
    cr_assert_eq(p.q.len, 4);
    proj_free(&p);
}

Test(sources, unreadable_file_fails_naming_it)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/a.parquet", REGIONS_A);
    test_write(p.root, "lake/b.parquet", "this is not a parquet file\n");
    proj_config(&p, "[[file_sources]]\nname = \"o\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "template_name = \"o_[region]\"\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), -1);
    char *want = ds_asprintf("ducksite.toml:1: file source 'o': cannot read %s/lake/b.parquet "
                             "(published as data/o/b.parquet): ",
                             p.root);
    cr_assert(ds_starts_with(err.msg, want), "%s", err.msg);
    cr_assert(strstr(err.msg, "on_bad_file = \"skip\""), "%s", err.msg);
    free(want);
    proj_free(&p);
}

/* The case: a good file truncated to 10 bytes, in a source with no
 * template. */
Test(sources, truncated_file_fails_without_template)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/a.parquet", REGIONS_A);
    proj_parquet(&p, "lake/b.parquet", REGIONS_B);
    char *b = ds_asprintf("%s/lake/b.parquet", p.root);
    cr_assert_eq(truncate(b, 10), 0);
    free(b);
    proj_config(&p, "[[file_sources]]\nname = \"o\"\nupstream_glob = \"lake/*.parquet\"\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), -1);
    cr_assert(strstr(err.msg, "file source 'o': cannot read ") &&
                  strstr(err.msg, "lake/b.parquet (published as data/o/b.parquet)"),
              "%s", err.msg);
    proj_free(&p);
}

/* on_bad_file = "skip": the file is left out of every view, and the
 * templated views come from the files that can be read. */
Test(sources, unreadable_file_skipped)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/a.parquet", REGIONS_A);
    test_write(p.root, "lake/b.parquet", "this is not a parquet file\n");
    proj_config(&p, "[[file_sources]]\nname = \"o\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "template_name = \"o_[region]\"\non_bad_file = \"skip\"\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    cr_assert_eq(p.q.len, 3);
    cr_assert_str_eq(view(&p, "o")->sql,
                     "SELECT * FROM read_parquet(['data/o/a.parquet'])");
    cr_assert_not_null(view(&p, "o_north"));
    cr_assert_not_null(view(&p, "o_south"));
    bool b_bad = ds_keyset_has(&p.bad, "data/o/b.parquet");
    bool a_bad = ds_keyset_has(&p.bad, "data/o/a.parquet");
    size_t n_bad = p.bad.len;
    proj_free(&p);
    /* The broken file is b; a is fine and must stay validated. */
    cr_assert(b_bad, "b.parquet not marked unreadable");
    cr_assert(!a_bad, "readable a.parquet was blamed");
    cr_assert_eq(n_bad, 1);
}

/* ---- files whose schemas differ ----------------------------------------- */

/* SQL of a view with its keys made physical (key_prefix -> phys_prefix). */
static char *physical(const char *view_sql, const char *key_prefix, const char *phys_prefix)
{
    ds_buf b = {0};
    for (const char *s = view_sql; *s;) {
        if (ds_starts_with(s, key_prefix)) {
            ds_buf_puts(&b, phys_prefix);
            s += strlen(key_prefix);
        } else {
            ds_buf_putc(&b, *s++);
        }
    }
    return ds_buf_take(&b);
}

/* A query's result as text: "a|b\n" per row, NULL as "-". */
static char *result_text(proj *p, const char *sql)
{
    ds_rows rows;
    ds_err err;
    cr_assert_eq(ds_duck_query(p->db, sql, &rows, &err), 0, "%s\n%s", err.msg, sql);
    ds_buf b = {0};
    for (size_t r = 0; r < rows.rows; r++)
        for (size_t c = 0; c < rows.cols; c++) {
            const char *v = ds_rows_get(&rows, r, c);
            ds_buf_printf(&b, "%s%s", v ? v : "-", c + 1 < rows.cols ? "|" : "\n");
        }
    ds_rows_free(&rows);
    return ds_buf_take(&b);
}

/* The view's rows (sorted) and its column types, run on the physical files. */
static char *view_result(proj *p, const char *view_sql, const char *key_prefix,
                         const char *lake_dir)
{
    char *lake = ds_asprintf("%s/%s", p->root, lake_dir);
    char *phys = physical(view_sql, key_prefix, lake);
    char *q = ds_asprintf("SELECT * FROM (%s) ORDER BY ALL", phys);
    char *d = ds_asprintf("SELECT column_name, column_type FROM (DESCRIBE %s)", phys);
    char *rows = result_text(p, q);
    char *types = result_text(p, d);
    char *out = ds_asprintf("%s%s", types, rows);
    free(rows);
    free(types);
    free(d);
    free(q);
    free(phys);
    free(lake);
    return out;
}

#define DRIFT_A "SELECT 1::INTEGER AS id, 1.5::DOUBLE AS x, 1.25::DECIMAL(5,2) AS price, " \
                "'a' AS label, 'north' AS region"
#define DRIFT_B "SELECT 5000000000::BIGINT AS id, 2::INTEGER AS x, " \
                "123456.789::DECIMAL(12,3) AS price, 'south'::ENUM('north', 'south') AS region"
#define DRIFT_C "SELECT 'north' AS region, 'c' AS label, 3::INTEGER AS id, 2.5::DOUBLE AS x, " \
                "2.50::DECIMAL(5,2) AS price"

/* The unified columns, in DuckDB's union_by_name order, as text. */
#define UNIFIED(files)                                                                     \
    "SELECT CAST(\"id\" AS BIGINT) AS \"id\", CAST(\"x\" AS DOUBLE) AS \"x\", "            \
    "CAST(\"price\" AS DECIMAL(12,3)) AS \"price\", CAST(\"label\" AS VARCHAR) AS \"label\", " \
    "CAST(\"region\" AS VARCHAR) AS \"region\" FROM read_parquet([" files "])"
#define UNIFIED_NO_LABEL(files)                                                            \
    "SELECT CAST(\"id\" AS BIGINT) AS \"id\", CAST(\"x\" AS DOUBLE) AS \"x\", "            \
    "CAST(\"price\" AS DECIMAL(12,3)) AS \"price\", CAST(NULL AS VARCHAR) AS \"label\", "  \
    "CAST(\"region\" AS VARCHAR) AS \"region\" FROM read_parquet([" files "])"

#define DRIFT_RESULT                                                                       \
    "id|BIGINT\nx|DOUBLE\nprice|DECIMAL(12,3)\nlabel|VARCHAR\nregion|VARCHAR\n"           \
    "1|1.5|1.250|a|north\n3|2.5|2.500|c|north\n5000000000|2.0|123456.789|-|south\n"

Test(sources, drift_gets_unified_columns_per_schema)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/a.parquet", DRIFT_A);
    proj_parquet(&p, "lake/b.parquet", DRIFT_B);
    proj_parquet(&p, "lake/c.parquet", DRIFT_C); /* a's schema, columns in another order */
    proj_config(&p, "[[file_sources]]\nname = \"s\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "template_name = \"s_[region]\"\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    cr_assert_str_eq(view(&p, "s")->sql,
                     UNIFIED("'data/s/a.parquet', 'data/s/c.parquet'") "\nUNION ALL\n"
                     UNIFIED_NO_LABEL("'data/s/b.parquet'"));
    /* The templated views get the same columns, even over one schema. */
    cr_assert_str_eq(view(&p, "s_north")->sql,
                     "SELECT * FROM (" UNIFIED("'data/s/a.parquet', 'data/s/c.parquet'")
                     ") WHERE region = 'north'");
    cr_assert_str_eq(view(&p, "s_south")->sql,
                     "SELECT * FROM (" UNIFIED_NO_LABEL("'data/s/b.parquet'")
                     ") WHERE region = 'south'");
    /* Same rows and types as the build-time engine's own union_by_name. */
    char *got = view_result(&p, view(&p, "s")->sql, "data/s/", "lake/");
    cr_assert_str_eq(got, DRIFT_RESULT);
    free(got);
    char *lake = ds_asprintf("SELECT * FROM read_parquet('%s/lake/*.parquet', "
                             "union_by_name = true) ORDER BY ALL", p.root);
    char *want = result_text(&p, lake);
    cr_assert_str_eq(want, "1|1.5|1.250|a|north\n3|2.5|2.500|c|north\n"
                           "5000000000|2.0|123456.789|-|south\n");
    free(want);
    free(lake);
    proj_free(&p);
}

Test(sources, same_schema_in_another_column_order_keeps_the_plain_view)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/a.parquet", DRIFT_A);
    proj_parquet(&p, "lake/c.parquet", DRIFT_C);
    proj_config(&p, "[[file_sources]]\nname = \"s\"\nupstream_glob = \"lake/*.parquet\"\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    cr_assert_str_eq(view(&p, "s")->sql, "SELECT * FROM read_parquet(['data/s/a.parquet', "
                                         "'data/s/c.parquet'], union_by_name = true)");
    proj_free(&p);
}

Test(sources, drift_with_row_filters_and_time_window)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/a.parquet", DRIFT_A);
    proj_parquet(&p, "lake/b.parquet", DRIFT_B);
    proj_parquet(&p, "lake/c.parquet", DRIFT_C);
    proj_config(&p, "[[file_sources]]\nname = \"s\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "row_filter = \"x > 0\"\n");
    /* Per-file filters (as a plugin gives them): a and c share the schema
     * but not the filter, so the groups are (a), (b), (c). */
    cr_assert_eq(p.c.sets[0].n_files, 3);
    p.c.sets[0].files[0].row_filter = "label = 'a'";
    p.c.sets[0].files[1].row_filter = "label IS NULL";
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    cr_assert_str_eq(view(&p, "s")->sql,
                     "SELECT * FROM (" UNIFIED("'data/s/a.parquet'")
                     ") WHERE (x > 0) AND (label = 'a')\nUNION ALL\n"
                     "SELECT * FROM (" UNIFIED_NO_LABEL("'data/s/b.parquet'")
                     ") WHERE (x > 0) AND (label IS NULL)\nUNION ALL\n"
                     "SELECT * FROM (" UNIFIED("'data/s/c.parquet'") ") WHERE x > 0");
    /* The filter on label, which b lacks, sees NULL there. */
    char *got = view_result(&p, view(&p, "s")->sql, "data/s/", "lake/");
    cr_assert_str_eq(got, DRIFT_RESULT);
    free(got);
    proj_free(&p);
}

Test(sources, drift_in_union_all_mode)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/a.parquet", "SELECT 1::INTEGER AS id, 'x' AS name");
    proj_parquet(&p, "lake/b.parquet", "SELECT 5000000000::BIGINT AS id, 'y' AS name");
    proj_parquet(&p, "lake/c.parquet", "SELECT 1 AS ident, 'z' AS name");
    proj_config(&p, "[[file_sources]]\nname = \"o\"\nupstream_glob = \"lake/[ab].parquet\"\n"
                    "union_mode = \"union_all\"\n"
                    "[[file_sources]]\nname = \"other\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "union_mode = \"union_all\"\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    /* Same names, types wide enough for both files. */
    cr_assert_str_eq(view(&p, "o")->sql,
                     "SELECT CAST(\"id\" AS BIGINT) AS \"id\", CAST(\"name\" AS VARCHAR) AS "
                     "\"name\" FROM read_parquet(['data/o/a.parquet'])\nUNION ALL\n"
                     "SELECT CAST(\"id\" AS BIGINT) AS \"id\", CAST(\"name\" AS VARCHAR) AS "
                     "\"name\" FROM read_parquet(['data/o/b.parquet'])");
    char *got = view_result(&p, view(&p, "o")->sql, "data/o/", "lake/");
    cr_assert_str_eq(got, "id|BIGINT\nname|VARCHAR\n1|x\n5000000000|y\n");
    free(got);
    /* Other names cannot be lined up: the plain view (which fails). */
    cr_assert_str_eq(view(&p, "other")->sql,
                     "SELECT * FROM read_parquet(['data/other/a.parquet', "
                     "'data/other/b.parquet', 'data/other/c.parquet'])");
    proj_free(&p);
}

Test(sources, drift_with_a_missing_file_keeps_the_plain_view)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/a.parquet", DRIFT_A);
    proj_parquet(&p, "lake/b.parquet", DRIFT_B);
    proj_parquet(&p, "lake/c.parquet", DRIFT_C);
    proj_config(&p, "[[file_sources]]\nname = \"s\"\nupstream_glob = \"lake/*.parquet\"\n");
    char *c = ds_asprintf("%s/lake/c.parquet", p.root);
    cr_assert_eq(unlink(c), 0);
    free(c);
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    cr_assert_str_eq(view(&p, "s")->sql,
                     "SELECT * FROM read_parquet(['data/s/a.parquet', 'data/s/b.parquet', "
                     "'data/s/c.parquet'], union_by_name = true)");
    cr_assert(ds_keyset_has(&p.bad, "data/s/c.parquet"));
    proj_free(&p);
}

Test(sources, drift_with_an_unreadable_file_skipped)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/a.parquet", DRIFT_A);
    proj_parquet(&p, "lake/b.parquet", DRIFT_B);
    test_write(p.root, "lake/c.parquet", "not parquet\n");
    proj_config(&p, "[[file_sources]]\nname = \"s\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "template_name = \"s_[region]\"\non_bad_file = \"skip\"\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    cr_assert_null(strstr(view(&p, "s")->sql, "c.parquet"), "%s", view(&p, "s")->sql);
    cr_assert(strstr(view(&p, "s")->sql, "'data/s/b.parquet'"), "%s", view(&p, "s")->sql);
    /* The templated views come from a and b. */
    cr_assert(ds_keyset_has(&p.bad, "data/s/c.parquet"));
    cr_assert_gt(p.q.len, 1);
    proj_free(&p);
}

/* ---- hive partition columns --------------------------------------------- */

Test(sources, hive_types_are_the_build_time_types)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/h/year=2024/month=01/a.parquet", "SELECT 1 AS v");
    proj_parquet(&p, "lake/h/year=2024/month=12/a.parquet", "SELECT 2 AS v");
    proj_parquet(&p, "lake/h/year=2025/month=02/a.parquet", "SELECT 3::BIGINT AS v");
    proj_config(&p, "[[file_sources]]\nname = \"h\"\nupstream_glob = \"lake/h/**/*.parquet\"\n"
                    "template_name = \"h_[month]\"\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    /* v drifts (INTEGER, BIGINT): every view lists the unified columns,
     * and month=01 is the string '01' in the template literal too. */
    cr_assert_str_eq(view(&p, "h_01")->sql,
                     "SELECT * FROM (SELECT CAST(\"v\" AS BIGINT) AS \"v\", CAST(\"month\" AS "
                     "VARCHAR) AS \"month\", CAST(\"year\" AS BIGINT) AS \"year\" FROM "
                     "read_parquet(['data/h/year=2024/month=01/a.parquet'], hive_types = "
                     "{'year': 'BIGINT', 'month': 'VARCHAR'})) WHERE month = '01'");
    /* v drifts (INTEGER, BIGINT): the hive columns come through by name. */
    const char *base = view(&p, "h")->sql;
    cr_assert(strstr(base, "CAST(\"v\" AS BIGINT) AS \"v\", CAST(\"month\" AS VARCHAR) AS "
                           "\"month\", CAST(\"year\" AS BIGINT) AS \"year\" FROM read_parquet(["
                           "'data/h/year=2024/month=01/a.parquet', "
                           "'data/h/year=2024/month=12/a.parquet'], "
                           "hive_types = {'year': 'BIGINT', 'month': 'VARCHAR'})") != NULL,
              "%s", base);
    char *got = view_result(&p, base, "data/h/", "lake/h/");
    cr_assert_str_eq(got, "v|BIGINT\nmonth|VARCHAR\nyear|BIGINT\n"
                          "1|01|2024\n2|12|2024\n3|02|2025\n");
    free(got);
    proj_free(&p);
}

/* The hive types are inferred from files that show every partition value
 * once (not one file per folder): a value seen in one folder only, next
 * to values seen before, still decides its column's type. */
Test(sources, hive_types_see_every_value)
{
    proj p;
    proj_init(&p);
    const char *dirs[] = {"year=2024/month=1", "year=2024/month=2", "year=2025/month=1",
                          "year=2025/month=2", "year=2025/month=x", "year=2026/month=2", NULL};
    for (size_t i = 0; dirs[i]; i++) {
        char *rel = ds_asprintf("lake/h/%s/a.parquet", dirs[i]);
        proj_parquet(&p, rel, "SELECT 1 AS v");
        free(rel);
    }
    proj_config(&p, "[[file_sources]]\nname = \"h\"\nupstream_glob = \"lake/h/**/*.parquet\"\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    const char *sql = view(&p, "h")->sql;
    cr_assert(strstr(sql, "hive_types = {'year': 'BIGINT', 'month': 'VARCHAR'}") != NULL, "%s",
              sql);
    proj_free(&p);
}

Test(sources, hive_folders_above_the_glob_base_are_not_pinned)
{
    proj p;
    proj_init(&p);
    /* The key is data/h/year=2024/a.parquet: env=prod is only in the path. */
    proj_parquet(&p, "lake/env=prod/h/year=2024/a.parquet", "SELECT 1 AS v");
    proj_parquet(&p, "lake/env=prod/h/year=2025/a.parquet", "SELECT 2 AS v");
    /* Keys that disagree (one file without a year folder): no hive columns,
     * said to both engines (with a warning). */
    proj_parquet(&p, "lake/m/year=2024/a.parquet", "SELECT 1 AS v");
    proj_parquet(&p, "lake/m/top.parquet", "SELECT 2 AS v");
    /* Keys data/y/month=01/a.parquet: year=2024 is above the base. */
    proj_parquet(&p, "lake/y/year=2024/month=01/a.parquet", "SELECT 1 AS v");
    proj_config(&p, "[[file_sources]]\nname = \"y\"\n"
                    "upstream_glob = \"lake/y/year=2024/**/*.parquet\"\n"
                    "[[file_sources]]\nname = \"h\"\n"
                    "upstream_glob = \"lake/env=prod/h/**/*.parquet\"\n"
                    "[[file_sources]]\nname = \"m\"\nupstream_glob = \"lake/m/**/*.parquet\"\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    cr_assert_str_eq(view(&p, "h")->sql,
                     "SELECT * FROM read_parquet(['data/h/year=2024/a.parquet', "
                     "'data/h/year=2025/a.parquet'], "
                     "hive_types = {'year': 'BIGINT'})");
    cr_assert_str_eq(view(&p, "y")->sql,
                     "SELECT * FROM read_parquet(['data/y/month=01/a.parquet']"
                     ", hive_types = {'month': 'VARCHAR'})");
    cr_assert_str_eq(view(&p, "m")->sql,
                     "SELECT * FROM read_parquet(['data/m/top.parquet', "
                     "'data/m/year=2024/a.parquet'], hive_partitioning = false)");
    proj_free(&p);
}

/* ---- validation copies (check_sql) ---------------------------------------- */

/* How many times needle occurs in s. */
static size_t occurrences(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

#define IDS(id, name) "SELECT " id " AS id, " name " AS name"

Test(sources, check_copy_of_one_schema_lists_one_file)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/a.parquet", REGIONS_A);
    proj_parquet(&p, "lake/b.parquet", REGIONS_A);
    proj_parquet(&p, "lake/c.parquet", REGIONS_B);
    proj_config(&p, "[[file_sources]]\nname = \"o\"\nupstream_glob = \"lake/*.parquet\"\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    const ds_query *q = view(&p, "o");
    /* Same schema bytes: no matching by name. */
    cr_assert_str_eq(q->sql, "SELECT * FROM read_parquet(['data/o/a.parquet', "
                             "'data/o/b.parquet', 'data/o/c.parquet'])");
    cr_assert_not_null(q->check_sql);
    cr_assert_str_eq(q->check_sql, "SELECT * FROM read_parquet(['data/o/a.parquet'])");
    cr_assert_eq(ds_query_check_sql(q), q->check_sql);
    proj_free(&p);
}

Test(sources, check_copy_of_drift_has_one_select_per_schema)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/a.parquet", DRIFT_A);
    proj_parquet(&p, "lake/b.parquet", DRIFT_B);
    proj_parquet(&p, "lake/c.parquet", DRIFT_C);
    proj_parquet(&p, "lake/d.parquet", DRIFT_B);
    proj_config(&p, "[[file_sources]]\nname = \"s\"\nupstream_glob = \"lake/*.parquet\"\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    const ds_query *q = view(&p, "s");
    cr_assert_str_eq(q->sql, UNIFIED("'data/s/a.parquet', 'data/s/c.parquet'") "\nUNION ALL\n"
                             UNIFIED_NO_LABEL("'data/s/b.parquet', 'data/s/d.parquet'"));
    cr_assert_not_null(q->check_sql);
    cr_assert_str_eq(q->check_sql, UNIFIED("'data/s/a.parquet'") "\nUNION ALL\n"
                                   UNIFIED_NO_LABEL("'data/s/b.parquet'"));
    proj_free(&p);
}

/* Per-file filters (as a plugin gives them) become one SELECT in the copy,
 * ORing one filter per shape: id = 2 binds as id = 1 does. */
Test(sources, check_copy_ors_per_file_filters_one_per_shape)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/a.parquet", IDS("1", "'a'"));
    proj_parquet(&p, "lake/b.parquet", IDS("2", "'b'"));
    proj_parquet(&p, "lake/c.parquet", IDS("3", "'a'"));
    proj_config(&p, "[[file_sources]]\nname = \"o\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "[[file_sources]]\nname = \"f\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "row_filter = \"id > 0\"\n");
    for (size_t s = 0; s < 2; s++) {
        cr_assert_eq(p.c.sets[s].n_files, 3);
        p.c.sets[s].files[0].row_filter = "id = 1";
        p.c.sets[s].files[1].row_filter = "id = 2";
        p.c.sets[s].files[2].row_filter = "name = 'a'";
    }
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    const ds_query *q = view(&p, "o");
    cr_assert_eq(occurrences(q->sql, "SELECT"), 3, "%s", q->sql);
    cr_assert(strstr(q->sql, "id = 2") != NULL, "%s", q->sql);
    cr_assert_not_null(q->check_sql);
    cr_assert_str_eq(q->check_sql, "SELECT * FROM read_parquet(['data/o/a.parquet']) "
                                   "WHERE (id = 1) OR (name = 'a')");
    /* With the source's own filter, the ORs stay together. */
    q = view(&p, "f");
    cr_assert_not_null(q->check_sql);
    cr_assert_str_eq(q->check_sql, "SELECT * FROM read_parquet(['data/f/a.parquet']) "
                                   "WHERE (id > 0) AND ((id = 1) OR (name = 'a'))");
    proj_free(&p);
}

Test(sources, check_copy_with_a_missing_file)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/a.parquet", REGIONS_A);
    proj_parquet(&p, "lake/b.parquet", REGIONS_A);
    proj_parquet(&p, "lake/c.parquet", REGIONS_A);
    proj_config(&p, "[[file_sources]]\nname = \"o\"\nupstream_glob = \"lake/*.parquet\"\n");
    char *c = ds_asprintf("%s/lake/c.parquet", p.root);
    cr_assert_eq(unlink(c), 0);
    free(c);
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    const ds_query *q = view(&p, "o");
    cr_assert_eq(occurrences(q->sql, ".parquet'"), 3, "%s", q->sql);
    cr_assert_not_null(q->check_sql);
    cr_assert_eq(occurrences(q->check_sql, ".parquet'"), 1, "%s", q->check_sql);
    cr_assert(ds_keyset_has(&p.bad, "data/o/c.parquet"));
    proj_free(&p);
}

Test(sources, check_sql_falls_back_to_sql)
{
    ds_query_list l = {0};
    ds_query_add(&l, "m", DS_KIND_MODEL, "SELECT 1", "m.sql", 1);
    cr_assert_null(l.items[0].check_sql);
    cr_assert_str_eq(ds_query_check_sql(&l.items[0]), "SELECT 1");
    l.items[0].check_sql = ds_strdup("SELECT 2");
    cr_assert_str_eq(ds_query_check_sql(&l.items[0]), "SELECT 2");
    ds_query_list_free(&l);
}

/* ---- group order ------------------------------------------------------------ */

/* Groups come in the order of their first file, whatever order the filters
 * sort in; a group's files keep their order. */
Test(sources, groups_keep_the_order_of_their_first_file)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/a.parquet", IDS("1", "'z'"));
    proj_parquet(&p, "lake/b.parquet", IDS("2", "'b'"));
    proj_parquet(&p, "lake/c.parquet", IDS("3", "'z'"));
    proj_parquet(&p, "lake/d.parquet", IDS("4", "'d'"));
    proj_parquet(&p, "lake/e.parquet", IDS("5", "'z'"));
    proj_config(&p, "[[file_sources]]\nname = \"o\"\nupstream_glob = \"lake/*.parquet\"\n");
    cr_assert_eq(p.c.sets[0].n_files, 5);
    p.c.sets[0].files[0].row_filter = "name = 'z'";
    p.c.sets[0].files[1].row_filter = "id = 2";
    p.c.sets[0].files[2].row_filter = "name = 'z'";
    /* d has none */
    p.c.sets[0].files[4].row_filter = "name = 'z'";
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    cr_assert_str_eq(view(&p, "o")->sql,
                     "SELECT * FROM read_parquet(['data/o/a.parquet', 'data/o/c.parquet', "
                     "'data/o/e.parquet']) WHERE name = 'z'\nUNION ALL BY NAME\n"
                     "SELECT * FROM read_parquet(['data/o/b.parquet']) WHERE id = 2\n"
                     "UNION ALL BY NAME\n"
                     "SELECT * FROM read_parquet(['data/o/d.parquet'])");
    char *lake = ds_asprintf("%s/lake/", p.root);
    cr_assert_eq(count_rows(&p, view(&p, "o")->sql, "data/o/", lake), 5);
    free(lake);
    proj_free(&p);
}

/* ---- templated views from partition folders ------------------------------- */

/* The templated views of one source, in list order: "name tail: files"
 * per line, the view name without prefix and the keys without key_prefix,
 * so a source and its twin compare equal. */
static char *template_summary(const proj *p, const char *prefix, const char *key_prefix)
{
    ds_buf b = {0};
    for (size_t i = 0; i < p->q.len; i++) {
        const ds_query *q = &p->q.items[i];
        if (q->kind != DS_KIND_FILE_SOURCE_TEMPLATE || !ds_starts_with(q->name, prefix))
            continue;
        ds_buf_printf(&b, "%s:", q->name + strlen(prefix));
        for (const char *s = q->sql; (s = strchr(s, '\'')) != NULL;) {
            const char *end = strchr(s + 1, '\'');
            cr_assert_not_null(end);
            if (ds_starts_with(s + 1, key_prefix)) {
                size_t skip = strlen(key_prefix);
                ds_buf_printf(&b, " %.*s", (int)(end - s - 1 - skip), s + 1 + skip);
            }
            s = end + 1;
        }
        ds_buf_putc(&b, '\n');
    }
    return b.data ? ds_buf_take(&b) : ds_strdup("");
}

/* A hive lake: values from the folders come in numeric order, and match
 * what sampling finds (the twin's row_filter = "TRUE" forces sampling). */
Test(sources, templated_views_from_partition_folders)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/k=1/a.parquet", "SELECT 1 AS v");
    proj_parquet(&p, "lake/k=10/a.parquet", "SELECT 10 AS v");
    proj_parquet(&p, "lake/k=10/b.parquet", "SELECT 11 AS v");
    proj_parquet(&p, "lake/k=2/a.parquet", "SELECT 2 AS v");
    proj_parquet(&p, "lake/k=2/empty.parquet", "SELECT 3 AS v WHERE false");
    proj_parquet(&p, "lake/k=3/empty.parquet", "SELECT 3 AS v WHERE false");
    proj_config(&p, "[[file_sources]]\nname = \"p\"\nupstream_glob = \"lake/**/*.parquet\"\n"
                    "template_name = \"t_[k]\"\n"
                    "[[file_sources]]\nname = \"s\"\nupstream_glob = \"lake/**/*.parquet\"\n"
                    "template_name = \"u_[k]\"\nrow_filter = \"TRUE\"\n"
                    "[[file_sources]]\nname = \"q\"\nupstream_glob = \"lake/**/*.parquet\"\n"
                    "template_name = \"q_[ \\\"k\\\" ]\"\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    char *paths = template_summary(&p, "t_", "data/p/");
    char *sampled = template_summary(&p, "u_", "data/s/");
    char *quoted = template_summary(&p, "q_", "data/q/");
    const char *want = "1: k=1/a.parquet\n"
                       "2: k=2/a.parquet\n"
                       "10: k=10/a.parquet k=10/b.parquet\n";
    cr_assert_str_eq(sampled, want);
    cr_assert_str_eq(paths, want);
    cr_assert_str_eq(quoted, want);
    free(paths);
    free(sampled);
    free(quoted);
    cr_assert_null(ds_query_find(&p.q, "t_3"), "a folder of empty files holds no value");
    cr_assert_str_eq(view(&p, "t_10")->sql,
                     "SELECT * FROM read_parquet(['data/p/k=10/a.parquet', "
                     "'data/p/k=10/b.parquet'], hive_types = {'k': 'BIGINT'}) WHERE k = 10");
    cr_assert_str_eq(view(&p, "q_2")->sql,
                     "SELECT * FROM read_parquet(['data/q/k=2/a.parquet'], "
                     "hive_types = {'k': 'BIGINT'}) WHERE  \"k\"  = 2");
    proj_free(&p);
}

/* Values DuckDB does not print as spelled in the folder name (NULL, the
 * default partition, empty) are sampled, and either way the views are those
 * sampling gives.  ('%' cannot occur: such keys are refused when files are
 * collected.) */
Test(sources, templated_views_from_odd_partition_values_are_sampled)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/r/r=c/a.parquet", "SELECT 1 AS v");
    proj_parquet(&p, "lake/r/r=NULL/a.parquet", "SELECT 2 AS v");
    proj_parquet(&p, "lake/r/r=__HIVE_DEFAULT_PARTITION__/a.parquet", "SELECT 3 AS v");
    proj_parquet(&p, "lake/r/r=/a.parquet", "SELECT 4 AS v");
    proj_parquet(&p, "lake/r/r=b/a.parquet", "SELECT 5 AS v");
    proj_parquet(&p, "lake/n/n=01/a.parquet", "SELECT 1 AS v");
    proj_parquet(&p, "lake/n/n=2/a.parquet", "SELECT 2 AS v");
    proj_config(&p, "[[file_sources]]\nname = \"p\"\nupstream_glob = \"lake/r/**/*.parquet\"\n"
                    "template_name = \"t_[r]\"\n"
                    "[[file_sources]]\nname = \"s\"\nupstream_glob = \"lake/r/**/*.parquet\"\n"
                    "template_name = \"u_[r]\"\nrow_filter = \"TRUE\"\n"
                    "[[file_sources]]\nname = \"pn\"\nupstream_glob = \"lake/n/**/*.parquet\"\n"
                    "template_name = \"n_[n]\"\n"
                    "[[file_sources]]\nname = \"sn\"\nupstream_glob = \"lake/n/**/*.parquet\"\n"
                    "template_name = \"m_[n]\"\nrow_filter = \"TRUE\"\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    char *paths = template_summary(&p, "t_", "data/p/");
    char *sampled = template_summary(&p, "u_", "data/s/");
    cr_assert_str_eq(paths, sampled);
    cr_assert(strstr(sampled, "b: r=b/a.parquet\n") != NULL, "%s", sampled);
    /* NULL partitions hold no value. */
    cr_assert_null(strstr(sampled, "NULL"), "%s", sampled);
    cr_assert_null(strstr(sampled, "HIVE"), "%s", sampled);
    free(paths);
    free(sampled);
    paths = template_summary(&p, "n_", "data/pn/");
    sampled = template_summary(&p, "m_", "data/sn/");
    cr_assert_str_eq(paths, sampled);
    /* A leading zero makes the column VARCHAR. */
    cr_assert_str_eq(sampled, "01: n=01/a.parquet\n2: n=2/a.parquet\n");
    free(paths);
    free(sampled);
    proj_free(&p);
}

/* Two values whose slugs clash are named in the error even when other
 * values sort between them ("a b" < "a c" < "a-b"). */
Test(sources, slug_clash_names_both_values)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/a.parquet",
                 "SELECT * FROM (VALUES ('a b', 1), ('a c', 2), ('a-b', 3)) t(region, amount)");
    proj_config(&p, "[[file_sources]]\nname = \"orders\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "template_name = \"orders_[region]\"\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), -1);
    cr_assert(strstr(err.msg, "template values 'a b' and 'a-b' both make the view name "
                              "'orders_a_b'") != NULL,
              "%s", err.msg);
    proj_free(&p);
}

/* ---- seeded template values ---------------------------------------------- */

/* Source o over REGIONS_A with template o_[region], plus more keys. */
static void seeded_proj(proj *p, const char *keys)
{
    proj_init(p);
    proj_parquet(p, "lake/a.parquet", REGIONS_A);
    char *toml = ds_asprintf("[[file_sources]]\nname = \"o\"\nupstream_glob = "
                             "\"lake/*.parquet\"\ntemplate_name = \"o_[region]\"\n%s",
                             keys);
    proj_config(p, toml);
    free(toml);
}

/* Sampled values first, then template_values_sql's rows, then
 * template_values; a value seen before is dropped; a seeded value the data
 * lacks reads every file of the source. */
Test(sources, seeded_values_follow_sampled_ones_without_repeats)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/a.parquet", REGIONS_A);
    proj_parquet(&p, "lake/b.parquet", REGIONS_B);
    proj_config(&p, "[[file_sources]]\nname = \"o\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "template_name = \"o_[region]\"\n"
                    "template_values_sql = \"SELECT * FROM (VALUES ('east'), ('north')) t(r)\"\n"
                    "template_values = [\"south\", \"it's\", \"east\"]\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    const char *names[] = {"o", "o_north", "o_south", "o_west", "o_east", "o_it_s"};
    cr_assert_eq(p.q.len, DS_ARRAY_LEN(names));
    for (size_t i = 0; i < DS_ARRAY_LEN(names); i++)
        cr_expect_str_eq(p.q.items[i].name, names[i]);
    cr_expect_str_eq(view(&p, "o_south")->sql,
                     "SELECT * FROM read_parquet(['data/o/a.parquet', 'data/o/b.parquet']) "
                     "WHERE region = 'south'");
    cr_expect_str_eq(view(&p, "o_north")->sql,
                     "SELECT * FROM read_parquet(['data/o/a.parquet']) WHERE region = 'north'");
    cr_expect_str_eq(view(&p, "o_east")->sql,
                     "SELECT * FROM read_parquet(['data/o/a.parquet', 'data/o/b.parquet']) "
                     "WHERE region = 'east'");
    cr_expect_str_eq(view(&p, "o_it_s")->sql,
                     "SELECT * FROM read_parquet(['data/o/a.parquet', 'data/o/b.parquet']) "
                     "WHERE region = 'it''s'");
    char *lake = ds_asprintf("%s/lake/", p.root);
    cr_expect_eq(count_rows(&p, view(&p, "o_east")->sql, "data/o/", lake), 0);
    free(lake);
    proj_free(&p);
}

/* TOML types give the literals; SQL rows are typed by their columns. */
Test(sources, seeded_literals_by_type)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/a.parquet", REGIONS_A);
    proj_config(&p, "[[file_sources]]\nname = \"o\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "template_name = \"o_[amount]\"\nrow_filter_template = \"true\"\n"
                    "template_values = [7, 2.5, true, 2024-12-05, 2024-12-05T10:30:00, -inf]\n"
                    "[[file_sources]]\nname = \"d\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "template_name = \"d_[day]\"\n"
                    "template_values_sql = \"SELECT DATE '2024-01-05' UNION ALL "
                    "SELECT DATE '2025-01-01'\"\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    /* No ? in the template: used as written. */
    cr_expect_str_eq(view(&p, "o_7")->sql,
                     "SELECT * FROM read_parquet(['data/o/a.parquet']) WHERE true");
    view(&p, "o_2_5");
    view(&p, "o_true");
    view(&p, "o_2024_12_05");
    view(&p, "o_2024_12_05_10_30_00");
    view(&p, "o_inf"); /* -inf: its literal is '-inf'::DOUBLE */
    cr_expect_str_eq(view(&p, "d_2025_01_01")->sql,
                     "SELECT * FROM read_parquet(['data/d/a.parquet']) "
                     "WHERE day = DATE '2025-01-01'");
    /* 2024-01-05 is in the data: kept once, with the data's files. */
    cr_expect_eq(p.q.len, (1 + 2 + 6) + (1 + 2 + 1));
    proj_free(&p);
}

Test(sources, seeded_tuples_fill_the_marks_in_order)
{
    proj p;
    seeded_proj(&p, "row_filter_template = \"region = ? AND '?' <> ? AND day = ?\"\n"
                    "template_values = [[\"na\", 3, 2024-12-07]]\n"
                    "template_values_sql = \"SELECT 'eu', 4, DATE '2024-12-08'\"\n");
    ds_err err;
    /* The sampled north and south fill every ? on their own. */
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    cr_expect_str_eq(view(&p, "o_north")->sql,
                     "SELECT * FROM read_parquet(['data/o/a.parquet']) WHERE region = 'north' "
                     "AND '?' <> 'north' AND day = 'north'");
    cr_expect_str_eq(view(&p, "o_na_3_2024_12_07")->sql,
                     "SELECT * FROM read_parquet(['data/o/a.parquet']) WHERE region = 'na' "
                     "AND '?' <> 3 AND day = DATE '2024-12-07'");
    cr_expect_str_eq(view(&p, "o_eu_4_2024_12_08")->sql,
                     "SELECT * FROM read_parquet(['data/o/a.parquet']) WHERE region = 'eu' "
                     "AND '?' <> 4 AND day = DATE '2024-12-08'");
    proj_free(&p);
}

/* A tuple with a part per ? of the template, and no NULL from the query. */
Test(sources, seeds_of_the_wrong_shape_fail)
{
    const struct {
        const char *keys, *want;
    } cases[] = {
        {"template_values = [\"x\", [\"na\", 3]]\n",
         "ducksite.toml:1: file source 'o': row_filter_template 'region = ?' has 1 ? but "
         "template value ('na', 3) has 2 parts"},
        {"template_values_sql = \"SELECT 'a', NULL\"\n",
         "ducksite.toml:1: file source 'o': template_values_sql row 1 has a NULL in column 2; "
         "template values cannot be NULL"},
    };
    for (size_t i = 0; i < DS_ARRAY_LEN(cases); i++) {
        proj p;
        seeded_proj(&p, cases[i].keys);
        ds_err err;
        cr_assert_eq(proj_views(&p, &err), -1);
        cr_expect_str_eq(err.msg, cases[i].want);
        proj_free(&p);
    }
}

Test(sources, failing_seed_query_names_the_source)
{
    proj p;
    seeded_proj(&p, "template_values_sql = \"SELECT no_such_column\"\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), -1);
    const char *want = "ducksite.toml:1: file source 'o': template_values_sql failed: ";
    cr_expect(ds_starts_with(err.msg, want) && strstr(err.msg, "no_such_column"), "%s",
              err.msg);
    proj_free(&p);
}

/* ---- hierarchies ---------------------------------------------------------- */

#define HIER_2023 "SELECT * FROM (VALUES ('north', 10, DATE '2023-03-01'), ('west', 5, " \
                  "DATE '2023-04-01'), ('south', -1, DATE '2023-05-01')) t(region, amount, day)"
#define HIER_2024 "SELECT * FROM (VALUES ('north', 20, DATE '2024-02-01'), ('west', 7, " \
                  "DATE '2024-03-01')) t(region, amount, day)"
#define HIER_LIVE "SELECT * FROM (VALUES ('north', 30, DATE '2024-07-01'), ('south', 40, " \
                  "DATE '2024-05-01')) t(region, amount, day)"

/* before, hierarchy (two levels; TRUE adds nothing), after: each level
 * its own files and the source's row_filter combined with its own. */
static void hier_proj(proj *p, const char *extra)
{
    proj_init(p);
    proj_parquet(p, "lake/o/2023/a.parquet", HIER_2023);
    proj_parquet(p, "lake/o/2024/b.parquet", HIER_2024);
    proj_parquet(p, "lake/o/live/c.parquet", HIER_LIVE);
    proj_parquet(p, "lake/o/old/z.parquet", HIER_2023); /* in no level */
    char *toml = ds_asprintf(
        "[[file_sources]]\nname = \"o\"\nupstream_glob = \"lake/o/**/*.parquet\"\n"
        "row_filter = \"amount > 0\"\n%s"
        "hierarchy_before = [{pattern = \"data/o/live/*.parquet\", "
        "row_filter = \"day >= DATE '2024-06-01'\"}]\n"
        "hierarchy = [{pattern = \"data/o/2024/*.parquet\"}, "
        "{pattern = \"data/o/2023/*.parquet\", row_filter = \" true \"}]\n"
        "hierarchy_after = [{pattern = \"data/o/20*/*.parquet\", "
        "row_filter = \"region = 'west'\"}]\n",
        extra);
    proj_config(p, toml);
    free(toml);
}

Test(sources, hierarchy_levels_in_order_with_combined_filters)
{
    proj p;
    hier_proj(&p, "");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    cr_assert_eq(p.q.len, 1);
    cr_expect_str_eq(view(&p, "o")->sql,
                     "SELECT * FROM read_parquet(['data/o/live/c.parquet']) WHERE (amount > 0) "
                     "AND (day >= DATE '2024-06-01')\nUNION ALL\n"
                     "SELECT * FROM read_parquet(['data/o/2024/b.parquet']) WHERE amount > 0\n"
                     "UNION ALL\n"
                     "SELECT * FROM read_parquet(['data/o/2023/a.parquet']) WHERE amount > 0\n"
                     "UNION ALL\n"
                     "SELECT * FROM read_parquet(['data/o/2023/a.parquet', "
                     "'data/o/2024/b.parquet']) WHERE (amount > 0) AND (region = 'west')");
    char *rows = view_result(&p, view(&p, "o")->sql, "data/o/", "lake/o/");
    cr_expect_str_eq(rows, "region|VARCHAR\namount|INTEGER\nday|DATE\n"
                           "north|10|2023-03-01\nnorth|20|2024-02-01\nnorth|30|2024-07-01\n"
                           "west|5|2023-04-01\nwest|5|2023-04-01\nwest|7|2024-03-01\n"
                           "west|7|2024-03-01\n");
    free(rows);
    proj_free(&p);
}

/* Values are sampled per level under the level's predicate (south is in
 * the files but filtered out by every level); each value's view unions the
 * levels that hold it, a seeded value every level. */
Test(sources, hierarchy_templated_views_union_the_levels)
{
    proj p;
    hier_proj(&p, "template_name = \"o_[region]\"\ntemplate_values = [\"east\"]\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    const char *names[] = {"o", "o_north", "o_west", "o_east"};
    cr_assert_eq(p.q.len, DS_ARRAY_LEN(names));
    for (size_t i = 0; i < DS_ARRAY_LEN(names); i++)
        cr_expect_str_eq(p.q.items[i].name, names[i]);
    cr_expect_str_eq(view(&p, "o_north")->sql,
                     "SELECT * FROM read_parquet(['data/o/live/c.parquet']) WHERE (amount > 0) "
                     "AND (day >= DATE '2024-06-01') AND (region = 'north')\nUNION ALL\n"
                     "SELECT * FROM read_parquet(['data/o/2024/b.parquet']) WHERE (amount > 0) "
                     "AND (region = 'north')\nUNION ALL\n"
                     "SELECT * FROM read_parquet(['data/o/2023/a.parquet']) WHERE (amount > 0) "
                     "AND (region = 'north')");
    char *rows = view_result(&p, view(&p, "o_west")->sql, "data/o/", "lake/o/");
    cr_expect_str_eq(rows, "region|VARCHAR\namount|INTEGER\nday|DATE\n"
                           "west|5|2023-04-01\nwest|5|2023-04-01\nwest|7|2024-03-01\n"
                           "west|7|2024-03-01\n");
    free(rows);
    const char *east = view(&p, "o_east")->sql;
    cr_expect(strstr(east, "read_parquet(['data/o/live/c.parquet']) WHERE (amount > 0) AND "
                           "(day >= DATE '2024-06-01') AND (region = 'east')"),
              "%s", east);
    cr_expect(strstr(east, "WHERE (amount > 0) AND (region = 'west') AND (region = 'east')"),
              "%s", east);
    cr_expect(!strstr(east, "old/z"), "%s", east);
    proj_free(&p);
}

/* Without hierarchy, the source's own files are the middle level. */
Test(sources, hierarchy_after_only_keeps_the_own_files_as_a_level)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/o/2023/a.parquet", HIER_2023);
    proj_parquet(&p, "lake/o/live/c.parquet", HIER_LIVE);
    proj_config(&p, "[[file_sources]]\nname = \"o\"\nupstream_glob = \"lake/o/**/*.parquet\"\n"
                    "hierarchy_after = [{pattern = \"data/o/live/*\", "
                    "row_filter = \"amount > 35\"}]\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    cr_expect_str_eq(view(&p, "o")->sql,
                     "SELECT * FROM read_parquet(['data/o/2023/a.parquet', "
                     "'data/o/live/c.parquet'])\nUNION ALL\n"
                     "SELECT * FROM read_parquet(['data/o/live/c.parquet']) WHERE amount > 35");
    proj_free(&p);
}

/* A level that matches nothing follows on_empty: a warning (the level is
 * left out) or an error naming the line of the level. */
Test(sources, hierarchy_level_without_files)
{
    const char *level = "hierarchy = [{pattern = \"data/o/2023/*.parquet\"}, "
                        "{pattern = \"data/o/1999/*.parquet\"}]\n";
    proj p;
    hier_proj(&p, "");
    ds_config_free(&p.cfg);
    ds_collected_free(&p.c);
    p.have_cfg = p.have_c = false;
    char *toml = ds_asprintf("[[file_sources]]\nname = \"o\"\nupstream_glob = "
                             "\"lake/o/**/*.parquet\"\n%s", level);
    proj_config(&p, toml);
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    cr_expect_str_eq(view(&p, "o")->sql, "SELECT * FROM read_parquet(['data/o/2023/a.parquet'])");
    free(toml);
    ds_config_free(&p.cfg);
    ds_collected_free(&p.c);
    ds_query_list_free(&p.q);
    memset(&p.q, 0, sizeof p.q);
    toml = ds_asprintf("[[file_sources]]\nname = \"o\"\nupstream_glob = "
                       "\"lake/o/**/*.parquet\"\non_empty = \"error\"\n%s", level);
    proj_config(&p, toml);
    cr_assert_eq(proj_views(&p, &err), -1);
    cr_expect(strstr(err.msg, "ducksite.toml:5: file source 'o': hierarchy[1] pattern "
                              "'data/o/1999/*.parquet' matches none of the source's 4 files"),
              "%s", err.msg);
    free(toml);
    proj_free(&p);
}

/* A bad level row_filter is blamed on the level and its line. */
Test(sources, hierarchy_bad_row_filter_names_the_level)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/o/2023/a.parquet", HIER_2023);
    proj_config(&p, "[[file_sources]]\nname = \"o\"\nupstream_glob = \"lake/o/**/*.parquet\"\n"
                    "hierarchy = [\n  {pattern = \"data/o/**\"},\n"
                    "  {pattern = \"data/o/2023/*\", row_filter = \"amout > 0\"},\n]\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), -1);
    cr_expect(strstr(err.msg, "ducksite.toml:6: file source 'o': hierarchy[1].row_filter "
                              "'amout > 0' fails on the level's files: ") == err.msg,
              "%s", err.msg);
    cr_expect(strstr(err.msg, "amout"), "%s", err.msg);
    proj_free(&p);
}

/* Levels over drifting files: every level's SELECTs list the unified
 * columns (learnt over all the levels' files), so UNION ALL lines them up;
 * the validation copy has one SELECT per level over one file per schema. */
Test(sources, hierarchy_over_drifting_schemas)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/x/a.parquet", DRIFT_A);
    proj_parquet(&p, "lake/x/d.parquet", DRIFT_A);
    proj_parquet(&p, "lake/y/b.parquet", DRIFT_B);
    proj_parquet(&p, "lake/y/c.parquet", DRIFT_C);
    proj_config(&p, "[[file_sources]]\nname = \"s\"\nupstream_glob = \"lake/**/*.parquet\"\n"
                    "hierarchy = [{pattern = \"data/s/y/*\", row_filter = \"label IS NULL\"}, "
                    "{pattern = \"data/s/x/*\"}]\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    const ds_query *q = view(&p, "s");
    cr_expect(strstr(q->sql, "\nUNION ALL\n") && !strstr(q->sql, "BY NAME"), "%s", q->sql);
    char *rows = view_result(&p, q->sql, "data/s/", "lake/");
    cr_expect_str_eq(rows, "id|BIGINT\nx|DOUBLE\nprice|DECIMAL(12,3)\nlabel|VARCHAR\n"
                           "region|VARCHAR\n1|1.5|1.250|a|north\n1|1.5|1.250|a|north\n"
                           "5000000000|2.0|123456.789|-|south\n");
    free(rows);
    cr_assert_not_null(q->check_sql);
    cr_expect_eq(occurrences(q->check_sql, "read_parquet("), 3, "%s", q->check_sql);
    cr_expect(strstr(q->check_sql, "'data/s/x/a.parquet']") &&
                  !strstr(q->check_sql, "d.parquet"),
              "%s", q->check_sql);
    proj_free(&p);
}

/* Levels without filters take a hive column's values from the paths; each
 * value's view reads, per level, the level's files that hold it. */
Test(sources, hierarchy_templated_values_from_partition_folders)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/h/year=2023/a.parquet", "SELECT 1 AS v");
    proj_parquet(&p, "lake/h/year=2024/b.parquet", "SELECT 2 AS v");
    proj_config(&p, "[[file_sources]]\nname = \"h\"\nupstream_glob = \"lake/h/**/*.parquet\"\n"
                    "template_name = \"h_[year]\"\n"
                    "hierarchy = [{pattern = \"data/h/year=2024/*\"}, "
                    "{pattern = \"data/h/year=2023/*\"}]\n"
                    "hierarchy_after = [{pattern = \"data/h/**\"}]\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    const char *names[] = {"h", "h_2023", "h_2024"};
    cr_assert_eq(p.q.len, DS_ARRAY_LEN(names));
    for (size_t i = 0; i < DS_ARRAY_LEN(names); i++)
        cr_expect_str_eq(p.q.items[i].name, names[i]);
    const char *sql = view(&p, "h_2023")->sql;
    cr_expect_eq(occurrences(sql, "read_parquet(['data/h/year=2023/a.parquet']"), 2, "%s", sql);
    cr_expect_eq(occurrences(sql, "\nUNION ALL\n"), 1, "%s", sql);
    cr_expect(!strstr(sql, "2024"), "%s", sql);
    char *rows = view_result(&p, view(&p, "h_2024")->sql, "data/h/", "lake/h/");
    cr_expect_str_eq(rows, "v|INTEGER\nyear|BIGINT\n2|2024\n2|2024\n");
    free(rows);
    proj_free(&p);
}

/* Views made with a place for their long lists name them by placeholders
 * as they are made: the same SQL and the same lists as spelling every key
 * out and taking the lists out afterwards (ds_filelists_extract), for a
 * base view with two schemas (a list each) and its templated views. */
Test(sources, long_lists_leave_as_views_are_made)
{
    proj p;
    proj_init(&p);
    ds_err err;
    char *lake = ds_path_join(p.root, "lake");
    ds_buf sql = {0};
    ds_buf_puts(&sql, "COPY (SELECT i AS id, 2000 + i // 150 AS year, i AS n FROM range(300) t(i)) TO ");
    ds_sql_quote(&sql, lake);
    ds_buf_puts(&sql, " (FORMAT parquet, PARTITION_BY (year, n))");
    cr_assert_eq(ds_duck_exec(p.db, sql.data, &err), 0, "%s", err.msg);
    ds_buf_free(&sql);
    free(lake);
    for (int k = 0; k < 3; k++) {
        char *rel = ds_asprintf("lake/year=2002/n=%d/x.parquet", 300 + k);
        proj_parquet(&p, rel, "SELECT 1 AS id, 'x' AS note");
        free(rel);
    }
    proj_config(&p, "[[file_sources]]\nname = \"lake\"\nupstream_glob = \"lake/**/*.parquet\"\n"
                    "template_name = \"lake_[year]\"\n");

    ds_filelists made = {0};
    cr_assert_eq(ds_source_views(&p.cfg, &p.c, NULL, p.db, &p.q, &made, &p.bad, &err), 0, "%s",
                 err.msg);
    ds_query_list spelt = {0};
    ds_keyset bad = {0};
    cr_assert_eq(ds_source_views(&p.cfg, &p.c, NULL, p.db, &spelt, NULL, &bad, &err), 0, "%s",
                 err.msg);
    ds_filelists taken = {0};
    ds_filelists_extract(&spelt, &taken);

    cr_assert_eq(p.q.len, spelt.len);
    for (size_t i = 0; i < p.q.len; i++) {
        cr_assert_str_eq(p.q.items[i].name, spelt.items[i].name);
        cr_assert_str_eq(p.q.items[i].sql, spelt.items[i].sql, "view %s", p.q.items[i].name);
    }
    cr_assert(strstr(view(&p, "lake")->sql, "'ducksite:files/lake/0'") &&
                  strstr(view(&p, "lake")->sql, "read_parquet(['data/lake/year=2002/n=300/"),
              "the 300 files of one schema leave, the 3 of the other stay: %s",
              view(&p, "lake")->sql);
    cr_assert(strstr(view(&p, "lake_2001")->sql, "'ducksite:files/lake_2001/0'"), "%s",
              view(&p, "lake_2001")->sql);
    cr_assert_eq(made.len, 3, "lake/0, lake_2000/0 and lake_2001/0 (2002 has 3 files)");
    cr_assert_eq(made.len, taken.len);
    for (size_t i = 0; i < made.len; i++) {
        const ds_filelist *a = &made.items[i], *b = ds_filelists_find(&taken, a->name);
        cr_assert_not_null(b, "%s", a->name);
        cr_assert_eq(a->templated, b->templated, "%s", a->name);
        cr_assert_eq(a->n, b->n, "%s", a->name);
        for (size_t k = 0; k < a->n; k++)
            cr_assert_str_eq(a->keys[k], b->keys[k]);
        cr_assert_str_eq(a->hive ? a->hive : "", b->hive ? b->hive : "", "%s", a->name);
    }
    ds_filelists_free(&made);
    ds_filelists_free(&taken);
    ds_query_list_free(&spelt);
    ds_keyset_free(&bad);
    proj_free(&p);
}
