/* demo.c - the demo project (see demo.h).
 *
 * About a million orders over two years, written as hive-style Parquet
 * folders (lake/orders/yr=2023/mo=1/...), published by a globbed source with
 * a templated view per region; a Python plugin publishing per-store sales
 * files with per-file row filters; chained models; and pages for charts,
 * tables, inputs, templated views, plugin data and a form that writes data.  The SQL sticks to what
 * the browser's DuckDB (0.9) understands. */
#include "demo.h"

#include <stdlib.h>
#include <string.h>

#include "../config/config.h"
#include "project.h"
#include "../sql/duck.h"
#include "../sql/sqltext.h"
#include "../util/fs.h"

typedef struct {
    const char *path;
    const char *text;
} demo_file;

static const demo_file FILES[] = {
    {"ducksite.toml",
     "# ducksite.toml - the Ducksite demo.  Every key: docs/configuration.md.\n"
     "\n"
     "[dirs]\n"
     "DIR_FORMS = \"static/forms\"\n"
     "DIR_LAKE = \"lake\"\n"
     "\n"
     "# A Parquet lake published in place: one file per month, hive-style.\n"
     "[[file_sources]]\n"
     "name = \"orders\"\n"
     "upstream_glob = \"${DIR_LAKE}/orders/**/*.parquet\"\n"
     "row_filter = \"amount > 0\"\n"
     "template_name = \"orders_[region]\"\n"
     "\n"
     "# Files declared by a Python plugin, each with its own row filter.\n"
     "[[file_sources]]\n"
     "name = \"sales\"\n"
     "plugin = \"plugins/store_sales.py\"\n"
     "template_name = \"sales_[store]\"\n"},
    {"plugins/store_sales.py",
     "\"\"\"store_sales.py - a virtual Parquet plugin for the demo.\n"
     "\n"
     "Publishes lake/sales/*.parquet (one file per store) and gives each file a\n"
     "row filter, the way a plugin that knows its data can bound every query.\n"
     "\"\"\"\n"
     "from ducksite.config import ProjectConfig\n"
     "from ducksite.virtual_parquet import VirtualParquetManifest, manifest_from_parquet_dir\n"
     "\n"
     "\n"
     "def build_manifest(cfg: ProjectConfig, filter_expr=None) -> VirtualParquetManifest:\n"
     "    manifest = manifest_from_parquet_dir(cfg, \"lake/sales\")\n"
     "    for f in manifest.files:\n"
     "        f.row_filter = \"quantity > 0\"\n"
     "    return manifest\n"},
    {"sources_sql/orders.sql",
     "-- Models over the orders lake; each builds on the one before.\n"
     "\n"
     "-- name: orders_daily\n"
     "SELECT order_date, region, product, count(*) AS orders, sum(amount) AS revenue\n"
     "FROM orders\n"
     "GROUP BY order_date, region, product;\n"
     "\n"
     "-- name: orders_monthly\n"
     "SELECT date_trunc('month', order_date) AS month, region,\n"
     "       sum(orders) AS orders, round(sum(revenue), 2) AS revenue\n"
     "FROM orders_daily\n"
     "GROUP BY 1, 2;\n"
     "\n"
     "-- name: region_options\n"
     "SELECT DISTINCT region FROM orders_monthly ORDER BY region;\n"
     "\n"
     "-- name: product_totals\n"
     "SELECT product, sum(orders) AS orders, round(sum(revenue), 2) AS revenue\n"
     "FROM orders_daily\n"
     "GROUP BY product\n"
     "ORDER BY revenue DESC;\n"},
    {"content/index.md",
     "# Ducksite demo\n"
     "\n"
     "About a million orders in a Parquet lake, published without copying a byte.\n"
     "The numbers below were computed by the build, next to the data, so the page\n"
     "opens at once; pick a state the build did not store (on the inputs page) and\n"
     "DuckDB runs in your browser over the same Parquet files.\n"
     "\n"
     "```input period\n"
     "label: Period\n"
     "visual_mode: date_range\n"
     "default: 2024-01-01..2024-12-31\n"
     "```\n"
     "\n"
     "```sql kpis\n"
     "SELECT month, sum(revenue) AS revenue, sum(orders) AS orders,\n"
     "       round(sum(revenue) / sum(orders), 2) AS avg_order,\n"
     "       lag(sum(revenue)) OVER (ORDER BY month) AS prev_revenue,\n"
     "       lag(sum(orders)) OVER (ORDER BY month) AS prev_orders,\n"
     "       lag(round(sum(revenue) / sum(orders), 2)) OVER (ORDER BY month) AS prev_avg\n"
     "FROM orders_monthly\n"
     "WHERE month BETWEEN ${inputs.period_start} AND ${inputs.period_end}\n"
     "GROUP BY month ORDER BY month DESC\n"
     "```\n"
     "\n"
     "```kpi revenue_kpi\n"
     "title: Revenue, latest month\n"
     "query: kpis\n"
     "value: revenue\n"
     "comparison: prev_revenue\n"
     "comparison_title: vs the month before\n"
     "sparkline: month\n"
     "fmt: currency\n"
     "decimals: 0\n"
     "```\n"
     "\n"
     "```kpi orders_kpi\n"
     "title: Orders, latest month\n"
     "query: kpis\n"
     "value: orders\n"
     "comparison: prev_orders\n"
     "comparison_title: vs the month before\n"
     "sparkline: month\n"
     "sparkline_type: bar\n"
     "fmt: integer\n"
     "```\n"
     "\n"
     "```kpi avg_kpi\n"
     "title: Average order\n"
     "query: kpis\n"
     "value: avg_order\n"
     "comparison: prev_avg\n"
     "comparison_title: vs the month before\n"
     "delta: absolute\n"
     "sparkline: month\n"
     "sparkline_type: area\n"
     "fmt: currency\n"
     "```\n"
     "\n"
     "```grid cols=3 gap=md\n"
     "| revenue_kpi | orders_kpi | avg_kpi |\n"
     "```\n"
     "\n"
     "In the latest month of the period, ${kpis.month[0] | date}, the shop took\n"
     "${kpis.revenue | currency:0} from ${kpis.orders | integer} orders.\n"
     "\n"
     "```sql revenue_by_month\n"
     "SELECT strftime(month, '%Y-%m') AS month, sum(revenue) AS revenue\n"
     "FROM orders_monthly GROUP BY 1 ORDER BY 1\n"
     "```\n"
     "\n"
     "```sql revenue_by_region\n"
     "SELECT region, sum(revenue) AS revenue FROM orders_monthly GROUP BY 1 ORDER BY 2 DESC\n"
     "```\n"
     "\n"
     "```echart monthly\n"
     "type: line\n"
     "title: Revenue by month\n"
     "data_query: revenue_by_month\n"
     "x: month\n"
     "y: revenue\n"
     "```\n"
     "\n"
     "```echart regions\n"
     "type: bar\n"
     "title: Revenue by region\n"
     "data_query: revenue_by_region\n"
     "x: region\n"
     "y: revenue\n"
     "```\n"
     "\n"
     "```grid cols=2 gap=md\n"
     "| monthly | regions |\n"
     "```\n"
     "\n"
     "## Products\n"
     "\n"
     "```table products\n"
     "query: global:product_totals\n"
     "```\n"
     "\n"
     "See also the [chart gallery](charts.html), [inputs](inputs.html),\n"
     "[templated views](templates.html) and [plugin data](plugin.html).\n"},
    {"content/charts.md",
     "# Chart gallery\n"
     "\n"
     "```sql by_product\n"
     "SELECT product, revenue, orders FROM product_totals ORDER BY product\n"
     "```\n"
     "\n"
     "```sql region_share\n"
     "SELECT region AS name, sum(revenue) AS value FROM orders_monthly GROUP BY 1 ORDER BY 1\n"
     "```\n"
     "\n"
     "```sql heat\n"
     "SELECT strftime(month, '%Y-%m') AS x, region AS y, sum(orders) AS value\n"
     "FROM orders_monthly GROUP BY 1, 2 ORDER BY 1, 2\n"
     "```\n"
     "\n"
     "```sql funnel_stages\n"
     "SELECT 'all orders' AS stage, count(*) AS value FROM orders\n"
     "UNION ALL SELECT 'over 100', count(*) FROM orders WHERE amount > 100\n"
     "UNION ALL SELECT 'over 250', count(*) FROM orders WHERE amount > 250\n"
     "ORDER BY value DESC\n"
     "```\n"
     "\n"
     "```sql avg_order\n"
     "SELECT round(avg(amount), 2) AS value FROM orders\n"
     "```\n"
     "\n"
     "```echart share\n"
     "type: pie\n"
     "donut: true\n"
     "title: Revenue share by region\n"
     "data_query: region_share\n"
     "```\n"
     "\n"
     "```echart scatter\n"
     "type: scatter\n"
     "title: Orders against revenue, by product\n"
     "data_query: by_product\n"
     "x: orders\n"
     "y: revenue\n"
     "trendline: linear\n"
     "```\n"
     "\n"
     "```echart heatmap\n"
     "type: heatmap\n"
     "title: Orders by month and region\n"
     "data_query: heat\n"
     "```\n"
     "\n"
     "```echart funnel\n"
     "type: funnel\n"
     "title: Order sizes\n"
     "data_query: funnel_stages\n"
     "```\n"
     "\n"
     "```echart gauge\n"
     "type: gauge\n"
     "title: Average order\n"
     "data_query: avg_order\n"
     "```\n"
     "\n"
     "```echart area\n"
     "type: area\n"
     "title: Revenue by product\n"
     "data_query: by_product\n"
     "x: product\n"
     "y: revenue\n"
     "```\n"
     "\n"
     "```grid cols=2 gap=md\n"
     "| share | scatter |\n"
     "| heatmap:2 |\n"
     "| funnel | gauge |\n"
     "| area:2 |\n"
     "```\n"},
    {"content/inputs.md",
     "# Inputs\n"
     "\n"
     "Pick a region: the chart and the table below re-run, and the URL keeps the\n"
     "choice, so the link can be shared.\n"
     "\n"
     "```input region\n"
     "label: Region\n"
     "visual_mode: dropdown\n"
     "options_query: global:region_options\n"
     "value_column: region\n"
     "expression_template: region = ?\n"
     "all_label: All regions\n"
     "all_expression: TRUE\n"
     "```\n"
     "\n"
     "```input min_revenue\n"
     "label: Minimum monthly revenue\n"
     "visual_mode: text\n"
     "placeholder: e.g. 100000\n"
     "```\n"
     "\n"
     "```sql filtered_months\n"
     "SELECT strftime(month, '%Y-%m') AS month, sum(revenue) AS revenue\n"
     "FROM orders_monthly\n"
     "WHERE ${params.region}\n"
     "GROUP BY 1\n"
     "HAVING sum(revenue) >= coalesce(TRY_CAST(${inputs.min_revenue} AS DOUBLE), 0)\n"
     "ORDER BY 1\n"
     "```\n"
     "\n"
     "```sql by_region\n"
     "SELECT region, sum(revenue) AS revenue FROM orders_monthly GROUP BY 1 ORDER BY 1\n"
     "```\n"
     "\n"
     "```echart filtered\n"
     "type: bar\n"
     "title: Revenue by month\n"
     "data_query: filtered_months\n"
     "x: month\n"
     "y: revenue\n"
     "```\n"
     "\n"
     "Click a bar to pick its region:\n"
     "\n"
     "```echart pick_region\n"
     "type: bar\n"
     "title: Revenue by region (click to filter)\n"
     "data_query: by_region\n"
     "x: region\n"
     "y: revenue\n"
     "click_input: region\n"
     "click_value: region\n"
     "```\n"
     "\n"
     "```table filtered_table\n"
     "query: filtered_months\n"
     "```\n"},
    {"content/templates.md",
     "# Templated views\n"
     "\n"
     "`template_name = \"orders_[region]\"` made one view per region. Each reads\n"
     "only the files that hold its region.\n"
     "\n"
     "```sql north\n"
     "SELECT product, count(*) AS orders, round(sum(amount), 2) AS revenue\n"
     "FROM orders_north GROUP BY 1 ORDER BY 3 DESC LIMIT 10\n"
     "```\n"
     "\n"
     "```sql south\n"
     "SELECT product, count(*) AS orders, round(sum(amount), 2) AS revenue\n"
     "FROM orders_south GROUP BY 1 ORDER BY 3 DESC LIMIT 10\n"
     "```\n"
     "\n"
     "## North\n"
     "\n"
     "```table north\n"
     "query: north\n"
     "```\n"
     "\n"
     "## South\n"
     "\n"
     "```table south\n"
     "query: south\n"
     "```\n"},
    {"content/plugin.md",
     "# Plugin data\n"
     "\n"
     "The `sales` source comes from `plugins/store_sales.py`, a virtual Parquet\n"
     "plugin: it lists the files and gives each a row filter.\n"
     "\n"
     "```sql store_totals\n"
     "SELECT store, sum(quantity) AS units, round(sum(quantity * price), 2) AS revenue\n"
     "FROM sales GROUP BY 1 ORDER BY 1\n"
     "```\n"
     "\n"
     "```echart stores\n"
     "type: bar\n"
     "title: Revenue by store\n"
     "data_query: store_totals\n"
     "x: store\n"
     "y: revenue\n"
     "```\n"
     "\n"
     "```table store_table\n"
     "query: store_totals\n"
     "```\n"},
    {"content/feedback.md",
     "# Feedback\n"
     "\n"
     "A form that writes data: under `ducksite serve`, Submit appends a row to\n"
     "`static/forms/feedback.csv` (the region chosen above it, your comment, who\n"
     "and when), and the summary below, which reads that file, runs again.\n"
     "\n"
     "```input region\n"
     "label: Region\n"
     "visual_mode: dropdown\n"
     "options_query: global:region_options\n"
     "value_column: region\n"
     "default: north\n"
     "```\n"
     "\n"
     "```form feedback\n"
     "label: Send feedback on this region\n"
     "target_csv: ${DIR_FORMS}/feedback.csv\n"
     "inputs: [\"comment\"]\n"
     "sql_relation_query: |\n"
     "  SELECT ${inputs.region} AS region, ${inputs.comment} AS comment\n"
     "```\n"
     "\n"
     "```sql feedback_summary\n"
     "SELECT count(*) AS entries, count(DISTINCT region) AS regions, max(submitted_at) AS latest\n"
     "FROM read_csv_auto('forms/feedback.csv', header = true, all_varchar = true)\n"
     "```\n"
     "\n"
     "```table feedback_summary\n"
     "title: Feedback so far\n"
     "```\n"},
};

/* The data, made by the build-time DuckDB.  Partition columns yr/mo only
 * shape the folders; the files keep order_date. */
static const char DATA_SQL[] =
    "COPY (\n"
    "  SELECT order_id, order_date, region, product,\n"
    "         round(base * (1 + 0.25 * sin(month(order_date) / 12.0 * 6.2832))\n"
    "               * (1 + 0.15 * (year(order_date) - 2023)), 2) AS amount,\n"
    "         year(order_date) AS yr, month(order_date) AS mo\n"
    "  FROM (\n"
    "    SELECT i AS order_id,\n"
    "           DATE '2023-01-01' + CAST(hash(i * 3 + 1) % 730 AS INTEGER) AS order_date,\n"
    "           ['north', 'north', 'south', 'east', 'east', 'east', 'west']\n"
    "               [1 + CAST(hash(i * 5 + 2) % 7 AS INTEGER)] AS region,\n"
    "           'product_' || lpad(CAST(CAST(sqrt(hash(i * 7 + 3) % 400) AS INTEGER) AS VARCHAR),\n"
    "                             2, '0') AS product,\n"
    "           5 + (hash(i * 11 + 4) % 20000) / 100.0 AS base\n"
    "    FROM range(1000000) t(i))\n"
    ") TO 'lake/orders' (FORMAT parquet, PARTITION_BY (yr, mo));\n"
    "COPY (SELECT 'store_a' AS store, i AS sale_id, 1 + i % 5 AS quantity, 9.5 AS price\n"
    "      FROM range(2000) t(i)) TO 'lake/sales/store_a.parquet' (FORMAT parquet);\n"
    "COPY (SELECT 'store_b' AS store, i AS sale_id, 1 + i % 3 AS quantity, 12.0 AS price\n"
    "      FROM range(3000) t(i)) TO 'lake/sales/store_b.parquet' (FORMAT parquet);\n"
    "COPY (SELECT 'store_c' AS store, i AS sale_id, i % 4 AS quantity, 7.25 AS price\n"
    "      FROM range(1500) t(i)) TO 'lake/sales/store_c.parquet' (FORMAT parquet);\n";

static int make_data(const char *root, ds_err *err)
{
    char *lake = ds_path_join(root, "lake/sales");
    int rc = ds_mkdir_p(lake, err);
    free(lake);
    if (rc != 0)
        return -1;
    ds_duck *db = ds_duck_open(err);
    if (!db)
        return -1;
    /* COPY writes relative to the engine's working directory: give it the
     * project's absolute paths instead. */
    char *abs = ds_path_abs(root);
    ds_buf sql = {0};
    const char *p = DATA_SQL;
    while (*p) {
        if (strncmp(p, "'lake/", 6) == 0) {
            ds_buf_printf(&sql, "'%s/lake/", abs);
            p += 6;
        } else {
            ds_buf_putc(&sql, *p++);
        }
    }
    rc = ds_duck_exec(db, sql.data, err);
    ds_buf_free(&sql);
    free(abs);
    ds_duck_close(db);
    return rc;
}

int ds_demo_create(const char *root, ds_buf *report, ds_err *err)
{
    char *toml = ds_path_join(root, DS_CONFIG_FILE);
    bool exists = ds_exists(toml);
    free(toml);
    if (exists)
        return ds_err_set(err,
                          "%s already holds a project (ducksite.toml); choose an empty folder "
                          "with --root",
                          root);
    if (ds_mkdir_p(root, err) != 0)
        return -1;
    for (size_t i = 0; i < DS_ARRAY_LEN(FILES); i++) {
        char *path = ds_path_join(root, FILES[i].path);
        char *dir = ds_path_dirname(path);
        int rc = ds_mkdir_p(dir, err);
        if (rc == 0)
            rc = ds_write_atomic(path, FILES[i].text, strlen(FILES[i].text), err);
        free(dir);
        free(path);
        if (rc != 0)
            return -1;
        ds_buf_printf(report, "created %s\n", FILES[i].path);
    }
    /* The folders init makes (static/forms/ ...); what it reports about the
     * files written above is noise here. */
    ds_buf ignored = {0};
    int init_rc = ds_project_init(root, &ignored, err);
    ds_buf_free(&ignored);
    if (init_rc != 0)
        return -1;
    ds_buf_puts(report, "generating 1,000,000 orders in lake/orders/ and 3 store files ...\n");
    if (make_data(root, err) != 0)
        return -1;
    ds_buf_puts(report, "created lake/ (Parquet data)\n");
    ds_buf_printf(report,
                  "demo project ready in %s: run 'ducksite build --root %s' then 'ducksite serve "
                  "--root %s'\n",
                  root, root, root);
    return 0;
}
