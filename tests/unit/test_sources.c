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
    return ds_source_views(&p->cfg, &p->c, p->db, &p->q, &p->bad, err);
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
                             "'data/orders/b.parquet'], union_by_name = true)");
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
                     "'data/both/b.parquet'], union_by_name = true) WHERE (amount > 0) AND "
                     "(day >= DATE '2024-01-01' AND day < DATE '2024-02-01')");
    cr_assert_str_eq(view(&p, "rf")->sql, "SELECT * FROM read_parquet(['data/rf/a.parquet'], "
                                          "union_by_name = true) WHERE amount > 0");
    cr_assert_str_eq(view(&p, "tw")->sql, "SELECT * FROM read_parquet(['data/tw/a.parquet'], "
                                          "union_by_name = true) WHERE day < DATE "
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
    cr_assert_str_eq(p.q.items[0].sql, "SELECT * FROM read_parquet(['data/x.parquet'], "
                                       "union_by_name = true)");
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
    cr_assert_str_eq(p.q.items[1].sql, "SELECT * FROM read_parquet(['data/orders/a.parquet'], "
                                       "union_by_name = true) WHERE region = 'north'");
    cr_assert_str_eq(p.q.items[2].sql,
                     "SELECT * FROM read_parquet(['data/orders/a.parquet', "
                     "'data/orders/b.parquet'], union_by_name = true) WHERE region = 'south'");
    cr_assert_str_eq(p.q.items[3].sql, "SELECT * FROM read_parquet(['data/orders/b.parquet'], "
                                       "union_by_name = true) WHERE region = 'west'");
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
                 "NULL)) t(yr, day, flag, txt)");
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
    cr_assert_str_eq(view(&p, "y_2023")->sql, "SELECT * FROM read_parquet(['data/y/a.parquet'], "
                                              "union_by_name = true) WHERE yr = 2023");
    cr_assert_str_eq(view(&p, "y_2024")->sql,
                     "SELECT * FROM read_parquet(['data/y/a.parquet', 'data/y/b.parquet'], "
                     "union_by_name = true) WHERE yr = 2024");
    cr_assert_str_eq(view(&p, "d_2024_01_01")->sql,
                     "SELECT * FROM read_parquet(['data/d/a.parquet', 'data/d/b.parquet'], "
                     "union_by_name = true) WHERE day = DATE '2024-01-01'");
    cr_assert_str_eq(view(&p, "d_2024_03_15")->sql,
                     "SELECT * FROM read_parquet(['data/d/a.parquet'], union_by_name = true) "
                     "WHERE day = DATE '2024-03-15'");
    cr_assert_str_eq(view(&p, "f_true")->sql, "SELECT * FROM read_parquet(['data/f/a.parquet'], "
                                              "union_by_name = true) WHERE flag = TRUE");
    cr_assert_str_eq(view(&p, "f_false")->sql, "SELECT * FROM read_parquet(['data/f/a.parquet'], "
                                               "union_by_name = true) WHERE flag = FALSE");
    cr_assert_str_eq(view(&p, "q_it_s")->sql, "SELECT * FROM read_parquet(['data/q/a.parquet'], "
                                              "union_by_name = true) WHERE txt = 'it''s'");
    cr_assert_str_eq(view(&p, "q_x")->sql, "SELECT * FROM read_parquet(['data/q/a.parquet'], "
                                           "union_by_name = true) WHERE txt = 'x'");
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
                     "SELECT * FROM read_parquet(['data/o/a.parquet'], union_by_name = true) "
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

Test(sources, unreadable_file_warns_and_skips_templates)
{
    proj p;
    proj_init(&p);
    proj_parquet(&p, "lake/a.parquet", REGIONS_A);
    test_write(p.root, "lake/b.parquet", "this is not a parquet file\n");
    proj_config(&p, "[[file_sources]]\nname = \"o\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "template_name = \"o_[region]\"\n");
    ds_err err;
    cr_assert_eq(proj_views(&p, &err), 0, "%s", err.msg);
    cr_assert_eq(p.q.len, 1);
    cr_assert_str_eq(p.q.items[0].name, "o");
    bool b_bad = ds_keyset_has(&p.bad, "data/o/b.parquet");
    bool a_bad = ds_keyset_has(&p.bad, "data/o/a.parquet");
    size_t n_bad = p.bad.len;
    proj_free(&p);
    /* The broken file is b; a is fine and must stay validated. */
    cr_assert(b_bad, "b.parquet not marked unreadable");
    cr_assert(!a_bad, "readable a.parquet was blamed");
    cr_assert_eq(n_bad, 1);
}
