/* pagecheck.c - a parsed page checked against what its blocks may say (see
 * pagecheck.h).
 *
 * The key lists are the ones docs/pages.md and docs/runtime.md document; the
 * runtime reads a few more spellings (old aliases) that are deliberately not
 * accepted here, so that one page has one way to say a thing.  Suggestions
 * come from ds_suggest, like the ducksite.toml loader's. */
#include "pagecheck.h"

#include "pagesql.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../sql/sqltext.h"

#define N(a) DS_ARRAY_LEN(a)

/* clang-format off: one group of related keys per line */
static const char *const ECHART_KEYS[] = {
    "type", "title", "data_query", "height",
    "click_input", "click_value", "click_anti_input", "click_anti_value", "click_action",
    "x", "y", "series", "stack", "smooth", "horizontal", "labels", "x_label", "y_label",
    "size", "trendline",
    "name", "category", "value", "donut", "inner_radius", "outer_radius",
    "min", "max", "stage", "sort", "option_column",
    "y2", "y2_label", "y2_type", "facet", "facet_columns", "bins",
    "source", "target", "date", "parent",
    "map", "region", "lat", "lon"};

static const char *const TABLE_KEYS[] = {
    "query", "title", "page_size", "height", "search", "totals",
    "link_column", "link_page", "link_input",
    "click_input", "click_value", "click_anti_input", "click_anti_value", "click_action"};

/* With the '-' spellings docs/runtime.md documents. */
static const char *const INPUT_KEYS[] = {
    "label", "visual_mode", "visual-mode", "type", "url_key", "url-key", "default",
    "options_query", "options-query", "value_column", "value-column",
    "label_column", "label-column", "multiple", "multi",
    "all_label", "all-label", "all_value", "all-value", "all_option", "all-option",
    "expression_template", "expression-template", "all_expression", "all-expression",
    "placeholder", "param_name", "param-name", "param_template", "param-template",
    "min", "max", "step", "options", "searchable"};

/* Values and KPI cards (web/src/kpi.js). */
static const char *const VALUE_KEYS[] = {
    "query", "column", "row", "title", "fmt", "decimals", "prefix", "suffix", "currency"};

static const char *const KPI_KEYS[] = {
    "query", "value", "row", "title", "fmt", "decimals", "prefix", "suffix", "currency",
    "comparison", "comparison_title", "delta", "down_is_good", "sparkline", "sparkline_type"};

/* The runtime's own chart types, then ECharts series types, which it draws
 * like bar with that series type. */
static const char *const CHART_TYPES[] = {
    "bar", "line", "area", "scatter", "effectScatter", "pie", "donut", "heatmap", "gauge",
    "funnel", "histogram", "calendar", "point_map",
    "boxplot", "candlestick", "custom", "graph", "lines", "map", "parallel", "pictorialBar",
    "radar", "sankey", "sunburst", "themeRiver", "tree", "treemap"};
/* clang-format on */

static const char *const INPUT_MODES[] = {"dropdown", "text",     "hidden",   "date",  "date_range",
                                          "slider",   "buttons",  "checkbox", "toggle"};
static const char *const DATE_PRESETS[] = {"last_7_days", "last_30_days", "last_90_days",
                                           "this_month",  "this_year",    "all"};
static const char *const BOOLS[] = {"true", "false"};
static const char *const TRENDLINES[] = {"linear"};
static const char *const VALUE_FMTS[] = {"auto", "number", "integer", "percent", "currency",
                                         "compact", "date"};
static const char *const DELTAS[] = {"percent", "absolute"};
static const char *const SPARKLINES[] = {"line", "area", "bar"};
static const char *const SORTS[] = {"descending", "ascending", "none"};
static const char *const STACKS[] = {"true", "false", "percent"};
static const char *const Y2_TYPES[] = {"line", "bar"};
static const char *const MAPS[] = {"world", "us_states"};

static const char *const CHART_FORMAT_KEYS[] = {"color_expr", "highlight_expr",
                                                "label_color_expr"};
/* clang-format off */
static const char *const TABLE_FORMAT_KEYS[] = {
    "bg_color_expr", "fg_color_expr", "highlight_expr", "decimals", "prefix", "bold",
    "fmt", "currency", "color_scale", "data_bar", "above", "above_color", "below", "below_color",
    "total"};
/* clang-format on */

/* Table format keys whose value is one of a fixed set. */
static const char *const FMTS[] = {"number", "integer", "compact", "percent",
                                   "currency", "date", "datetime", "month"};
static const char *const SCALES[] = {"blue", "green", "red", "red_to_green", "green_to_red"};
static const char *const TOTALS[] = {"sum", "avg", "min", "max", "count", "none"};
typedef struct {
    const char *key;
    const char *const *values;
    size_t n;
} format_choice_t;
static const format_choice_t FORMAT_CHOICES[] = {
    {"bold", BOOLS, 2},
    {"data_bar", BOOLS, 2},
    {"fmt", FMTS, DS_ARRAY_LEN(FMTS)},
    {"color_scale", SCALES, DS_ARRAY_LEN(SCALES)},
    {"total", TOTALS, DS_ARRAY_LEN(TOTALS)},
};

/* Keys whose value is one of a fixed set, per block kind. */
typedef struct {
    ds_part_kind kind;
    const char *key;
    const char *const *values;
    size_t n;
} choice_t;

static const choice_t CHOICES[] = {
    {DS_PART_ECHART, "type", CHART_TYPES, N(CHART_TYPES)},
    {DS_PART_ECHART, "stack", STACKS, N(STACKS)},
    {DS_PART_ECHART, "y2_type", Y2_TYPES, N(Y2_TYPES)},
    {DS_PART_ECHART, "map", MAPS, N(MAPS)},
    {DS_PART_TABLE, "search", BOOLS, 2},
    {DS_PART_TABLE, "totals", BOOLS, 2},
    {DS_PART_ECHART, "smooth", BOOLS, 2},
    {DS_PART_ECHART, "horizontal", BOOLS, 2},
    {DS_PART_ECHART, "labels", BOOLS, 2},
    {DS_PART_ECHART, "donut", BOOLS, 2},
    {DS_PART_ECHART, "trendline", TRENDLINES, N(TRENDLINES)},
    {DS_PART_ECHART, "sort", SORTS, N(SORTS)},
    {DS_PART_VALUE, "fmt", VALUE_FMTS, N(VALUE_FMTS)},
    {DS_PART_KPI, "fmt", VALUE_FMTS, N(VALUE_FMTS)},
    {DS_PART_KPI, "delta", DELTAS, N(DELTAS)},
    {DS_PART_KPI, "down_is_good", BOOLS, 2},
    {DS_PART_KPI, "sparkline_type", SPARKLINES, N(SPARKLINES)},
    {DS_PART_INPUT, "visual_mode", INPUT_MODES, N(INPUT_MODES)},
    {DS_PART_INPUT, "visual-mode", INPUT_MODES, N(INPUT_MODES)},
    {DS_PART_INPUT, "type", INPUT_MODES, N(INPUT_MODES)},
    {DS_PART_INPUT, "multiple", BOOLS, 2},
    {DS_PART_INPUT, "multi", BOOLS, 2},
    {DS_PART_INPUT, "all_option", BOOLS, 2},
    {DS_PART_INPUT, "all-option", BOOLS, 2},
    {DS_PART_INPUT, "searchable", BOOLS, 2},
};

typedef struct {
    const ds_page *page;
    const char *display;
    const char *value_name; /* a page per value: its [name]; NULL otherwise */
    const ds_query_list *queries;
    ds_err *err;
} check_t;

static bool listed(const char *s, const char *const *known, size_t n, bool nocase)
{
    for (size_t i = 0; i < n; i++)
        if (nocase ? strcasecmp(s, known[i]) == 0 : strcmp(s, known[i]) == 0)
            return true;
    return false;
}

static void join(ds_buf *b, const char *const *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ds_buf_printf(b, "%s%s", i ? ", " : "", items[i]);
}

/* "; did you mean 'x'?" when one is close, else "; <what>: a, b, c". */
static void hint(ds_buf *b, const char *word, const char *const *known, size_t n,
                 const char *what)
{
    const char *best = ds_suggest(word, known, n);
    if (best) {
        ds_buf_printf(b, "; did you mean '%s'?", best);
    } else if (n) {
        ds_buf_printf(b, "; %s: ", what);
        join(b, known, n);
    }
}

/* "content/a.md:12: echart 'revenue': ", "content/a.md:3: value ${q.total}: " */
static void where(ds_buf *b, const check_t *c, int line, const ds_part *p)
{
    if (p->inline_ref) {
        ds_buf_printf(b, "%s:%d: value ${%s.%s}: ", c->display, line, p->kv[0].value,
                      p->kv[1].value);
        return;
    }
    ds_buf_printf(b, "%s:%d: %s '%s': ", c->display, line, ds_part_kind_name(p->kind), p->id);
}

static int fail(const check_t *c, ds_buf *msg)
{
    ds_err_set(c->err, "%s", ds_buf_str(msg));
    ds_buf_free(msg);
    return -1;
}

/* ---- keys and values ---------------------------------------------------- */

/* V is a whole number from LO to HI. */
static bool whole_in(const char *v, long lo, long hi)
{
    if (!*v || strlen(v) > 9 || strspn(v, "0123456789") != strlen(v))
        return false;
    long n = strtol(v, NULL, 10);
    return n >= lo && n <= hi;
}

/* Keys whose value is a whole number in a range (or a word that stands for
 * no limit), per block kind. */
typedef struct {
    ds_part_kind kind;
    const char *key;
    long lo, hi;
    const char *word;
    const char *what;
} number_key_t;

static const number_key_t NUMBER_KEYS[] = {
    {DS_PART_ECHART, "bins", 1, 200, NULL, "a number of bins from 1 to 200"},
    {DS_PART_ECHART, "facet_columns", 1, 12, NULL, "a number of columns from 1 to 12"},
    {DS_PART_TABLE, "height", 60, 100000, "auto",
     "a height in pixels (60 or more), or auto for no scroll box"},
};

static int check_number_key(const check_t *c, const ds_part *p, const ds_kv *kv)
{
    for (size_t k = 0; k < N(NUMBER_KEYS); k++) {
        const number_key_t *nk = &NUMBER_KEYS[k];
        if (nk->kind != p->kind || strcmp(nk->key, kv->key) != 0)
            continue;
        if (whole_in(kv->value, nk->lo, nk->hi) || (nk->word && strcmp(kv->value, nk->word) == 0))
            return 0;
        ds_buf m = {0};
        where(&m, c, kv->line, p);
        ds_buf_printf(&m, "%s: '%s' is not %s", kv->key, kv->value, nk->what);
        return fail(c, &m);
    }
    return 0;
}

static const ds_kv *kv_find(const ds_part *p, const char *key)
{
    for (size_t i = 0; i < p->n_kv; i++)
        if (strcmp(p->kv[i].key, key) == 0)
            return &p->kv[i];
    return NULL;
}

/* A table's link keys come together: link_column says which column links,
 * link_page where to. */
static int check_links(const check_t *c, const ds_part *p)
{
    const ds_kv *col = kv_find(p, "link_column"), *page = kv_find(p, "link_page");
    const ds_kv *input = kv_find(p, "link_input");
    const ds_kv *lone = col && !page ? col : !col && page ? page : !col && input ? input : NULL;
    if (!lone)
        return 0;
    ds_buf m = {0};
    where(&m, c, lone->line, p);
    if (lone == col)
        ds_buf_puts(&m, "link_column needs link_page: the page its values link to (e.g. "
                        "link_page: customers/detail)");
    else
        ds_buf_printf(&m, "%s needs link_column: the column whose values link", lone->key);
    return fail(c, &m);
}

static int check_kv(const check_t *c, const ds_part *p)
{
    const char *const *keys = p->kind == DS_PART_ECHART ? ECHART_KEYS
                              : p->kind == DS_PART_TABLE ? TABLE_KEYS
                              : p->kind == DS_PART_VALUE ? VALUE_KEYS
                              : p->kind == DS_PART_KPI   ? KPI_KEYS
                                                         : INPUT_KEYS;
    size_t n_keys = p->kind == DS_PART_ECHART ? N(ECHART_KEYS)
                    : p->kind == DS_PART_TABLE ? N(TABLE_KEYS)
                    : p->kind == DS_PART_VALUE ? N(VALUE_KEYS)
                    : p->kind == DS_PART_KPI   ? N(KPI_KEYS)
                                               : N(INPUT_KEYS);
    for (size_t i = 0; i < p->n_kv; i++) {
        const ds_kv *kv = &p->kv[i];
        if (!listed(kv->key, keys, n_keys, false)) {
            ds_buf m = {0};
            where(&m, c, kv->line, p);
            ds_buf_printf(&m, "unknown key '%s'", kv->key);
            hint(&m, kv->key, keys, n_keys, "known keys");
            ds_buf_puts(&m, " (see docs/pages.md)");
            return fail(c, &m);
        }
        for (size_t k = 0; k < N(CHOICES); k++) {
            const choice_t *ch = &CHOICES[k];
            if (ch->kind != p->kind || strcmp(ch->key, kv->key) != 0)
                continue;
            /* The runtime compares chart types and input modes without case. */
            if (listed(kv->value, ch->values, ch->n, ch->values != BOOLS && ch->values != STACKS))
                break;
            ds_buf m = {0};
            where(&m, c, kv->line, p);
            ds_buf_printf(&m, "%s: '%s' is not one of ", kv->key, kv->value);
            join(&m, ch->values, ch->n);
            const char *best = ds_suggest(kv->value, ch->values, ch->n);
            if (best)
                ds_buf_printf(&m, "; did you mean '%s'?", best);
            return fail(c, &m);
        }
        if (check_number_key(c, p, kv) != 0)
            return -1;
        /* A value's or KPI card's currency goes to Intl.NumberFormat, which
         * takes an ISO 4217 code in any case and throws on anything else. */
        if ((p->kind == DS_PART_VALUE || p->kind == DS_PART_KPI) &&
            strcmp(kv->key, "currency") == 0 &&
            !(strlen(kv->value) == 3 &&
              strspn(kv->value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == 3)) {
            ds_buf m = {0};
            where(&m, c, kv->line, p);
            ds_buf_printf(&m, "currency: '%s' is not a currency code; write its three letters, "
                              "such as USD or EUR",
                          kv->value);
            return fail(c, &m);
        }
        if (p->kind == DS_PART_TABLE && strcmp(kv->key, "page_size") == 0) {
            const char *v = kv->value;
            bool ok = strcmp(v, "all") == 0 || (*v && strspn(v, "0123456789") == strlen(v) &&
                                                 strtol(v, NULL, 10) > 0 && strlen(v) < 10);
            if (!ok) {
                ds_buf m = {0};
                where(&m, c, kv->line, p);
                ds_buf_printf(&m, "page_size: '%s' is not a number of rows; write a whole "
                                  "number above 0, or all for no paging",
                              v);
                return fail(c, &m);
            }
        }
    }
    return p->kind == DS_PART_TABLE ? check_links(c, p) : 0;
}

/* ---- values and KPI cards ----------------------------------------------- */


static bool whole_number(const char *v, size_t max_digits)
{
    size_t n = strlen(v);
    return n && n <= max_digits && strspn(v, "0123456789") == n;
}

/* A value needs its column, a KPI its value column; row is a row number or
 * last, decimals 0-20 (web/src/kpi.js reads them). */
static int check_value(const check_t *c, const ds_part *p)
{
    const char *need = p->kind == DS_PART_VALUE ? "column" : "value";
    ds_buf m = {0};
    if (!ds_part_get(p, need)) {
        where(&m, c, p->line, p);
        ds_buf_printf(&m, "%s: is missing; name the column to show (%s: total)", need, need);
        return fail(c, &m);
    }
    const ds_kv *row = ds_part_get(p, "row"), *dec = ds_part_get(p, "decimals");
    if (row && strcmp(row->value, "last") != 0 && !whole_number(row->value, 9)) {
        where(&m, c, row->line, p);
        ds_buf_printf(&m, "row: '%s' is not a row number; write 0 for the first row (the "
                          "default), 1 for the second, ..., or last",
                      row->value);
        return fail(c, &m);
    }
    if (dec && !(whole_number(dec->value, 2) && atoi(dec->value) <= 20)) {
        where(&m, c, dec->line, p);
        ds_buf_printf(&m, "decimals: '%s' is not a whole number from 0 to 20", dec->value);
        return fail(c, &m);
    }
    return 0;
}

/* ---- inputs: keys of one kind, defaults ----------------------------------- */

/* Keys that mean something for some modes only. */
static const struct {
    const char *key;
    const char *modes; /* space-separated */
} MODE_KEYS[] = {
    {"min", "slider"},       {"max", "slider"},
    {"step", "slider"},      {"options", "dropdown buttons"},
    {"searchable", "dropdown"},
};

static bool mode_in(const char *mode, const char *modes)
{
    size_t n = strlen(mode);
    for (const char *m = modes; (m = strstr(m, mode)); m += n)
        if ((m == modes || m[-1] == ' ') && (m[n] == ' ' || m[n] == '\0'))
            return true;
    return false;
}

/* Keys an input may spell more than one way; the runtime reads the first it
 * finds, so a second spelling would be silently ignored. */
enum {
    IK_MODE, IK_URL_KEY, IK_OPTIONS_QUERY, IK_VALUE_COLUMN, IK_LABEL_COLUMN, IK_MULTIPLE,
    IK_ALL_LABEL, IK_ALL_VALUE, IK_ALL_OPTION, IK_EXPRESSION_TEMPLATE, IK_ALL_EXPRESSION,
    IK_PARAM_NAME, IK_PARAM_TEMPLATE
};
static const char *const INPUT_ALIASES[][3] = {
    [IK_MODE] = {"visual_mode", "visual-mode", "type"},
    [IK_URL_KEY] = {"url_key", "url-key", NULL},
    [IK_OPTIONS_QUERY] = {"options_query", "options-query", NULL},
    [IK_VALUE_COLUMN] = {"value_column", "value-column", NULL},
    [IK_LABEL_COLUMN] = {"label_column", "label-column", NULL},
    [IK_MULTIPLE] = {"multiple", "multi", NULL},
    [IK_ALL_LABEL] = {"all_label", "all-label", NULL},
    [IK_ALL_VALUE] = {"all_value", "all-value", NULL},
    [IK_ALL_OPTION] = {"all_option", "all-option", NULL},
    [IK_EXPRESSION_TEMPLATE] = {"expression_template", "expression-template", NULL},
    [IK_ALL_EXPRESSION] = {"all_expression", "all-expression", NULL},
    [IK_PARAM_NAME] = {"param_name", "param-name", NULL},
    [IK_PARAM_TEMPLATE] = {"param_template", "param-template", NULL},
};

/* The first of the spellings of ALIASES[A] P gives, or NULL. */
static const ds_kv *input_key(const ds_part *p, size_t a)
{
    const ds_kv *first = NULL;
    for (size_t k = 0; k < 3 && INPUT_ALIASES[a][k]; k++) {
        const ds_kv *kv = ds_part_get(p, INPUT_ALIASES[a][k]);
        if (kv && (!first || kv->line < first->line))
            first = kv;
    }
    return first;
}

static int check_aliases(const check_t *c, const ds_part *p)
{
    for (size_t a = 0; a < N(INPUT_ALIASES); a++) {
        const ds_kv *first = input_key(p, a);
        for (size_t k = 0; first && k < 3 && INPUT_ALIASES[a][k]; k++) {
            const ds_kv *kv = ds_part_get(p, INPUT_ALIASES[a][k]);
            if (!kv || kv == first)
                continue;
            ds_buf m = {0};
            where(&m, c, kv->line, p);
            ds_buf_printf(&m, "%s: is another spelling of %s: (line %d), which the runtime "
                              "reads instead; keep one",
                          kv->key, first->key, first->line);
            return fail(c, &m);
        }
    }
    return 0;
}

static double number_of(const ds_kv *kv)
{
    return kv ? strtod(kv->value, NULL) : 0;
}

static int bad_input(const check_t *c, const ds_part *p, const ds_kv *kv, const char *fmt,
                     const char *v, const char *what)
{
    ds_buf m = {0};
    where(&m, c, kv ? kv->line : p->line, p);
    ds_buf_printf(&m, fmt, v, what);
    return fail(c, &m);
}

/* A dropdown's or button group's default among the options written in its
 * block (each item of a multiple input's): another value would filter on
 * something no choice gives, and the page would open on no rows.  The
 * "all" choice (empty, all_value, all_label) is allowed. */
static int check_default_option(const check_t *c, const ds_part *p, const ds_kv *options,
                                const ds_kv *def, const ds_kv *multi)
{
    bool multiple = multi && (strcasecmp(multi->value, "true") == 0 ||
                              strcasecmp(multi->value, "yes") == 0 || strcmp(multi->value, "1") == 0);
    const ds_kv *all_value = input_key(p, IK_ALL_VALUE), *all_label = input_key(p, IK_ALL_LABEL);
    ds_val opts = ds_pagesql_split_list(options->value);
    /* One value, commas and all, unless the input is multiple. */
    ds_val vals = multiple ? ds_pagesql_split_list(def->value) : ds_pagesql_split_list(NULL);
    if (!multiple) {
        const char *a = def->value + strspn(def->value, " \t");
        size_t len = strlen(a);
        while (len && isspace((unsigned char)a[len - 1]))
            len--;
        if (len) {
            vals.items = ds_xcalloc(1, sizeof *vals.items);
            vals.items[vals.n++] = ds_strndup(a, len);
        }
    }
    int rc = 0;
    for (size_t i = 0; i < vals.n && rc == 0; i++) {
        const char *v = vals.items[i];
        bool all = (all_value && strcmp(v, all_value->value) == 0) ||
                   strcmp(v, all_label ? all_label->value : "All") == 0;
        if (all || listed(v, (const char *const *)opts.items, opts.n, false))
            continue;
        ds_buf m = {0};
        where(&m, c, def->line, p);
        ds_buf_printf(&m, "default: '%s' is not one of its options (", v);
        join(&m, (const char *const *)opts.items, opts.n);
        ds_buf_puts(&m, "), and the page would open filtered on it");
        const char *best = ds_suggest(v, (const char *const *)opts.items, opts.n);
        if (best)
            ds_buf_printf(&m, "; did you mean '%s'?", best);
        rc = fail(c, &m);
    }
    ds_val_free(&opts);
    ds_val_free(&vals);
    return rc;
}

/* A typed input's keys and default (docs/pages.md, "Inputs"): a default the
 * runtime could not use would silently become NULL. */
static int check_input(const check_t *c, const ds_part *p)
{
    if (check_aliases(c, p) != 0)
        return -1;
    const ds_kv *mk = input_key(p, IK_MODE);
    /* An input without visual_mode is a dropdown (web/src/sql.js). */
    char mode[16] = "dropdown";
    if (mk && *mk->value) {
        memset(mode, 0, sizeof mode);
        for (size_t i = 0; i + 1 < sizeof mode && mk->value[i]; i++)
            mode[i] = (char)tolower((unsigned char)mk->value[i]);
    }
    for (size_t k = 0; k < N(MODE_KEYS); k++) {
        const ds_kv *kv = ds_part_get(p, MODE_KEYS[k].key);
        if (kv && !mode_in(mode, MODE_KEYS[k].modes))
            return bad_input(c, p, kv, "%s applies to %s inputs only (set visual_mode)",
                             MODE_KEYS[k].key, MODE_KEYS[k].modes);
    }
    const ds_kv *options = ds_part_get(p, "options"), *query = input_key(p, IK_OPTIONS_QUERY);
    if (options && query) {
        ds_buf m = {0};
        where(&m, c, options->line > query->line ? options->line : query->line, p);
        ds_buf_printf(&m, "options: and %s: both give the choices (line %d and %d); keep one",
                      query->key, options->line, query->line);
        return fail(c, &m);
    }
    for (size_t a = IK_VALUE_COLUMN; a <= IK_LABEL_COLUMN && !query; a++) {
        const ds_kv *kv = input_key(p, a);
        if (kv)
            return bad_input(c, p, kv,
                             "%s: names a column of the input's options_query, and it has "
                             "none; give %s, or remove the key",
                             kv->key, "options_query: <query>");
    }
    const ds_kv *multi = input_key(p, IK_MULTIPLE);
    if (multi && !mode_in(mode, "dropdown hidden"))
        return bad_input(c, p, multi, "%s applies to %s inputs only (set visual_mode)", multi->key,
                         "dropdown and hidden");
    const ds_kv *def = ds_part_get(p, "default");
    const char *dv = def ? def->value : NULL;
    if (options && def && mode_in(mode, "dropdown buttons") && check_default_option(c, p, options, def, multi) != 0)
        return -1;
    if (strcmp(mode, "date") == 0 && dv && *dv && !ds_pagesql_valid_date(dv))
        return bad_input(c, p, def, "default: '%s' is not a date; write %s", dv,
                         "YYYY-MM-DD, e.g. 2024-01-31");
    if (strcmp(mode, "date_range") == 0 && dv && *dv &&
        !listed(dv, DATE_PRESETS, N(DATE_PRESETS), false)) {
        const char *dots = strstr(dv, "..");
        char *a = dots ? ds_strndup(dv, (size_t)(dots - dv)) : NULL;
        bool ok = dots && (!*a || ds_pagesql_valid_date(a)) &&
                  (!dots[2] || ds_pagesql_valid_date(dots + 2)) && !strstr(dots + 2, "..");
        /* Both ends given: the start must not be after the end (dates as
         * YYYY-MM-DD compare as text). */
        const char *from = a ? a + strspn(a, " \t") : "", *to = dots ? dots + 2 + strspn(dots + 2, " \t") : "";
        if (ok && *from && *to && strncmp(from, to, 10) > 0) {
            ds_buf m = {0};
            where(&m, c, def->line, p);
            ds_buf_printf(&m, "default: '%s' starts after it ends; write %.10s..%.10s", dv, to, from);
            free(a);
            return fail(c, &m);
        }
        free(a);
        if (!ok) {
            ds_buf m = {0};
            where(&m, c, def->line, p);
            ds_buf_printf(&m, "default: '%s' is not a date range; write START..END "
                              "(2024-01-01..2024-03-31, either side may be empty) or one of ",
                          dv);
            join(&m, DATE_PRESETS, N(DATE_PRESETS));
            const char *best = ds_suggest(dv, DATE_PRESETS, N(DATE_PRESETS));
            if (best)
                ds_buf_printf(&m, "; did you mean '%s'?", best);
            return fail(c, &m);
        }
    }
    if ((strcmp(mode, "checkbox") == 0 || strcmp(mode, "toggle") == 0) && dv &&
        !listed(dv, BOOLS, 2, false))
        return bad_input(c, p, def, "default: '%s' is not %s", dv, "true or false");
    if (strcmp(mode, "buttons") == 0 && !ds_part_get(p, "options") && !ds_part_get(p, "options_query") &&
        !ds_part_get(p, "options-query"))
        return bad_input(c, p, NULL, "%s has no choices; give options: a, b, c or %s", "buttons",
                         "options_query: <query>");
    if (strcmp(mode, "slider") == 0) {
        static const char *const NUMS[] = {"min", "max", "step", "default"};
        for (size_t k = 0; k < N(NUMS); k++) {
            const ds_kv *kv = ds_part_get(p, NUMS[k]);
            if (kv && !ds_pagesql_valid_number(kv->value))
                return bad_input(c, p, kv, "%s is not a number (%s)", kv->value, NUMS[k]);
        }
        const ds_kv *lo = ds_part_get(p, "min"), *hi = ds_part_get(p, "max"), *st = ds_part_get(p, "step");
        bool from_query = ds_part_get(p, "options_query") || ds_part_get(p, "options-query");
        if (!from_query && (!lo || !hi))
            return bad_input(c, p, NULL, "a slider needs %s, or %s", "min: and max:",
                             "an options_query whose first row has min and max columns");
        if (lo && hi && number_of(lo) >= number_of(hi))
            return bad_input(c, p, hi, "max: %s is not above min (%s)", hi->value, lo->value);
        if (st && number_of(st) <= 0)
            return bad_input(c, p, st, "step: %s is not above 0%s", st->value, "");
        if (def && lo && number_of(def) < number_of(lo))
            return bad_input(c, p, def, "default: %s is below min (%s)", dv, lo->value);
        if (def && hi && number_of(def) > number_of(hi))
            return bad_input(c, p, def, "default: %s is above max (%s)", dv, hi->value);
        /* The browser's slider can only stop on min + k * step. */
        if (def && lo && st) {
            double k = (number_of(def) - number_of(lo)) / number_of(st);
            if (fabs(k - round(k)) > 1e-9) {
                ds_buf m = {0};
                where(&m, c, def->line, p);
                ds_buf_printf(&m, "default: %s is not a step of the slider (min %s, step %s)",
                              dv, lo->value, st->value);
                return fail(c, &m);
            }
        }
    }
    return 0;
}

/* ---- format: sections --------------------------------------------------- */

static int check_format(const check_t *c, const ds_part *p)
{
    if (!p->n_formats)
        return 0;
    if (p->kind == DS_PART_INPUT || p->kind == DS_PART_VALUE || p->kind == DS_PART_KPI) {
        ds_buf m = {0};
        where(&m, c, p->formats[0].line, p);
        if (p->kind == DS_PART_INPUT)
            ds_buf_puts(&m, "an input takes no format: section; remove it");
        else
            ds_buf_puts(&m, "takes no format: section; write fmt, decimals, prefix or suffix "
                            "as keys of the block");
        return fail(c, &m);
    }
    bool chart = p->kind == DS_PART_ECHART;
    const char *const *keys = chart ? CHART_FORMAT_KEYS : TABLE_FORMAT_KEYS;
    size_t n_keys = chart ? N(CHART_FORMAT_KEYS) : N(TABLE_FORMAT_KEYS);
    for (size_t t = 0; t < p->n_formats; t++) {
        const ds_format *f = &p->formats[t];
        for (size_t i = 0; i < f->n_items; i++) {
            const ds_kv *kv = &f->items[i];
            ds_buf m = {0};
            where(&m, c, kv->line, p);
            if (!listed(kv->key, keys, n_keys, false)) {
                ds_buf_printf(&m, "unknown format key '%s' (target '%s')", kv->key, f->target);
                if (chart && listed(kv->key, TABLE_FORMAT_KEYS, N(TABLE_FORMAT_KEYS), false)) {
                    ds_buf_printf(&m, "; '%s' is a table setting, a chart's format keys are: ",
                                  kv->key);
                    join(&m, keys, n_keys);
                } else {
                    hint(&m, kv->key, keys, n_keys,
                         chart ? "a chart's format keys are" : "a table's format keys are");
                }
                return fail(c, &m);
            }
            const char *v = kv->value;
            if (strcmp(kv->key, "decimals") == 0 &&
                !(*v && strlen(v) <= 2 && strspn(v, "0123456789") == strlen(v) && atoi(v) <= 20)) {
                ds_buf_printf(&m, "format '%s': decimals: '%s' is not a whole number from 0 to "
                                  "20",
                              f->target, v);
                return fail(c, &m);
            }
            for (size_t k = 0; k < N(FORMAT_CHOICES); k++) {
                const format_choice_t *ch = &FORMAT_CHOICES[k];
                if (strcmp(kv->key, ch->key) != 0 || listed(v, ch->values, ch->n, false))
                    continue;
                ds_buf_printf(&m, "format '%s': %s: '%s' is not one of ", f->target, kv->key, v);
                join(&m, ch->values, ch->n);
                const char *best = ds_suggest(v, ch->values, ch->n);
                if (best)
                    ds_buf_printf(&m, "; did you mean '%s'?", best);
                return fail(c, &m);
            }
            if (strcmp(kv->key, "above") == 0 || strcmp(kv->key, "below") == 0) {
                char *end = NULL;
                (void)strtod(v, &end);
                if (!*v || *end) {
                    ds_buf_printf(&m, "format '%s': %s: '%s' is not a number", f->target,
                                  kv->key, v);
                    return fail(c, &m);
                }
            }
            if (strcmp(kv->key, "currency") == 0 &&
                !(strlen(v) == 3 && strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 3)) {
                ds_buf_printf(&m, "format '%s': currency: '%s' is not a currency code; write "
                                  "three capital letters, such as USD or EUR",
                              f->target, v);
                return fail(c, &m);
            }
            ds_buf_free(&m);
        }
    }
    return 0;
}

/* ---- names: queries, grid cells, inputs --------------------------------- */

typedef struct {
    const char **items;
    size_t n;
    char **owned; /* names made here (a date range's <name>_start) */
    size_t n_owned;
} names_t;

static void names_add(names_t *ns, const char *s);

static void names_add_owned(names_t *ns, char *s)
{
    ns->owned = ds_xrealloc(ns->owned, (ns->n_owned + 1) * sizeof *ns->owned);
    ns->owned[ns->n_owned++] = s;
    names_add(ns, s);
}

static void names_add(names_t *ns, const char *s)
{
    for (size_t i = 0; i < ns->n; i++)
        if (strcmp(ns->items[i], s) == 0)
            return;
    ns->items = ds_xrealloc(ns->items, (ns->n + 1) * sizeof *ns->items);
    ns->items[ns->n++] = s;
}

static bool is_global(const check_t *c, const char *name)
{
    const ds_query *q = ds_query_find(c->queries, name);
    return q && q->kind != DS_KIND_PAGE_QUERY;
}

/* What a query id may name: the page's sql blocks, then models and sources. */
static void query_names(const check_t *c, names_t *ns, bool page_blocks)
{
    for (size_t i = 0; page_blocks && i < c->page->n_parts; i++)
        if (c->page->parts[i].kind == DS_PART_SQL)
            names_add(ns, c->page->parts[i].id);
    for (size_t i = 0; i < c->queries->len; i++)
        if (c->queries->items[i].kind != DS_KIND_PAGE_QUERY)
            names_add(ns, c->queries->items[i].name);
}

/* A chart's data_query, a table's query or an input's options_query, as the
 * runtime resolves it (docs/runtime.md, "The query pipeline"): global:NAME
 * is a model or source; a plain id is an sql block of the page, else a model
 * or source.  Ids built from ${inputs.x} are known only in the browser. */
static int check_query_id(const check_t *c, const ds_part *p, const char *key, const char *id,
                          int line)
{
    if (strstr(id, "${"))
        return 0;
    bool global = strncmp(id, "global:", 7) == 0;
    const char *name = global ? id + 7 : id;
    if (global ? is_global(c, name)
               : ds_page_find(c->page, DS_PART_SQL, name) || is_global(c, name))
        return 0;
    names_t ns = {0};
    query_names(c, &ns, !global);
    ds_buf m = {0};
    where(&m, c, line, p);
    if (key)
        ds_buf_printf(&m, "%s: '%s' names no ", key, id);
    else
        ds_buf_printf(&m, "without data_query/query it shows the query '%s', but there is no ",
                      id);
    ds_buf_puts(&m, global ? "model or source" : "sql block of this page and no model or source");
    hint(&m, name, ns.items, ns.n, "queries");
    free(ns.items);
    return fail(c, &m);
}

static int check_queries(const check_t *c, const ds_part *p)
{
    const char *key = p->kind == DS_PART_ECHART ? "data_query"
                      : p->kind == DS_PART_INPUT ? NULL
                                                 : "query";
    const char *keys[2] = {key, NULL};
    if (p->kind == DS_PART_INPUT)
        keys[0] = "options_query", keys[1] = "options-query";
    for (size_t i = 0; i < p->n_kv; i++)
        for (size_t k = 0; k < 2; k++)
            if (keys[k] && strcmp(p->kv[i].key, keys[k]) == 0)
                return check_query_id(c, p, keys[k], p->kv[i].value, p->kv[i].line);
    /* Charts and tables default to the query of their own id. */
    if (p->kind == DS_PART_INPUT)
        return 0;
    return check_query_id(c, p, NULL, p->id, p->line);
}

/* A grid cell is a chart, an input, or a table of a query (with the table
 * block of that id, if any). */
static int check_grid(const check_t *c, const ds_part *p)
{
    static const ds_part_kind kinds[] = {DS_PART_ECHART, DS_PART_INPUT, DS_PART_TABLE,
                                         DS_PART_SQL,    DS_PART_KPI,   DS_PART_VALUE};
    for (size_t r = 0; r < p->n_rows; r++) {
        for (size_t k = 0; k < p->rows[r].n_cells; k++) {
            const char *id = p->rows[r].cells[k].id;
            bool found = is_global(c, id);
            for (size_t i = 0; i < N(kinds) && !found; i++)
                found = ds_page_find(c->page, kinds[i], id) != NULL;
            if (found)
                continue;
            names_t ns = {0};
            for (size_t i = 0; i < c->page->n_parts; i++)
                if (c->page->parts[i].id)
                    names_add(&ns, c->page->parts[i].id);
            query_names(c, &ns, false);
            ds_buf m = {0};
            ds_buf_printf(&m, "%s:%d: grid: cell '%s' names no chart, input, table, kpi, "
                              "value or sql block of this page and no model or source",
                          c->display, p->rows[r].line, id);
            hint(&m, id, ns.items, ns.n, "names");
            free(ns.items);
            return fail(c, &m);
        }
    }
    return 0;
}

/* The inputs a page's text may name: its input blocks, and the names
 * param_name gives (a param_template like left(?, 2) also sets
 * ${inputs.<param_name>}). */
static void input_names(const check_t *c, names_t *ns)
{
    for (size_t i = 0; i < c->page->n_parts; i++) {
        const ds_part *p = &c->page->parts[i];
        if (p->kind != DS_PART_INPUT)
            continue;
        names_add(ns, p->id);
        for (size_t k = 0; k < p->n_kv; k++) {
            if (strcmp(p->kv[k].key, "param_name") == 0 ||
                strcmp(p->kv[k].key, "param-name") == 0)
                names_add(ns, p->kv[k].value);
            /* A date range gives <name>_start and <name>_end. */
            if ((strcmp(p->kv[k].key, "visual_mode") == 0 ||
                 strcmp(p->kv[k].key, "visual-mode") == 0 || strcmp(p->kv[k].key, "type") == 0) &&
                strcasecmp(p->kv[k].value, "date_range") == 0) {
                names_add_owned(ns, ds_asprintf("%s_start", p->id));
                names_add_owned(ns, ds_asprintf("%s_end", p->id));
            }
        }
    }
}

/* The names ${params.NAME} may take (web/src/sql.js, buildEnv): an input
 * with an expression_template, the param_name of an input with a
 * param_template (not a typed one: date, date_range, slider, checkbox,
 * toggle), and on a page per value its own value's name (left in a title,
 * which shows it as text).  Any other ${params.x} is always NULL. */
static void param_names(const check_t *c, names_t *ns)
{
    static const char *const TYPED[] = {"date", "date_range", "slider", "checkbox", "toggle"};
    for (size_t i = 0; i < c->page->n_parts; i++) {
        const ds_part *p = &c->page->parts[i];
        if (p->kind != DS_PART_INPUT)
            continue;
        const ds_kv *tpl = ds_part_get(p, "expression_template");
        if (!tpl)
            tpl = ds_part_get(p, "expression-template");
        if (tpl && *tpl->value)
            names_add(ns, p->id);
        const ds_kv *mode = ds_part_get(p, "visual_mode");
        mode = mode ? mode : ds_part_get(p, "visual-mode");
        mode = mode ? mode : ds_part_get(p, "type");
        const ds_kv *pn = ds_part_get(p, "param_name");
        pn = pn ? pn : ds_part_get(p, "param-name");
        const ds_kv *pt = ds_part_get(p, "param_template");
        pt = pt ? pt : ds_part_get(p, "param-template");
        if (pn && pt && *pt->value && !(mode && listed(mode->value, TYPED, N(TYPED), true)))
            names_add(ns, pn->value);
    }
    if (c->value_name)
        names_add(ns, c->value_name);
}

/* Where a text stands, for its placeholders: SQL the runtime fills (an sql
 * block, a format expression), a query id (substituteId fills only
 * ${inputs.x}), SQL the runtime splices into a query without filling it
 * (an input's templates: their ? takes the value), or any other value. */
typedef enum { PH_SQL, PH_QUERY_ID, PH_TEMPLATE, PH_TITLE, PH_TEXT } ph_place;

typedef struct {
    const check_t *c;
    const ds_part *p;
    const char *key;      /* the key of a block's value; NULL for an sql block */
    const char *text;
    int line;             /* text's first line */
    ph_place place;
    const names_t *inputs, *params;
} ph_scan;

/* "content/a.md:7: sql 'q': " (or "table 't': query: ") for the line of AT. */
static void ph_where(ds_buf *m, const ph_scan *s, const char *at)
{
    int line = s->line;
    for (const char *k = s->text; k < at; k++)
        line += *k == '\n';
    where(m, s->c, line, s->p);
    if (s->key)
        ds_buf_printf(m, "%s: ", s->key);
}

/* The text of the "${...}" at AT, for a message: up to its '}' on the
 * same line, at most 60 bytes. */
static char *brace_text(const char *at)
{
    size_t n = strcspn(at, "}\n");
    if (at[n] == '}')
        n++;
    return ds_strndup(at, n > 60 ? 60 : n);
}

/* A "${...}" that is no placeholder: what it was probably meant to be. */
static void form_hint(ds_buf *m, const char *text, const ph_scan *s)
{
    ds_buf inner = {0};
    ds_buf_puts(&inner, "");
    for (const char *k = text + 2; *k && *k != '}'; k++)
        if (!isspace((unsigned char)*k))
            ds_buf_putc(&inner, *k);
    const char *in = ds_buf_str(&inner);
    const char *dot = strchr(in, '.');
    static const char *const KINDS[] = {"inputs", "params"};
    char *kind = dot ? ds_strndup(in, (size_t)(dot - in)) : NULL;
    const char *best = kind ? ds_suggest(kind, KINDS, N(KINDS)) : NULL;
    if (best && ds_page_is_id(dot + 1))
        ds_buf_printf(m, "; did you mean '${%s.%s}'?", best, dot + 1);
    else if (!dot && listed(in, s->inputs->items, s->inputs->n, false))
        ds_buf_printf(m, "; did you mean '${inputs.%s}'?", in);
    else if (!dot && listed(in, s->params->items, s->params->n, false))
        ds_buf_printf(m, "; did you mean '${params.%s}'?", in);
    free(kind);
    ds_buf_free(&inner);
}

/* NAME is a date range input's NAME_start or NAME_end (a day a title may
 * show). */
static bool range_day(const ds_page *page, const char *name)
{
    for (size_t i = 0; i < page->n_parts; i++) {
        const ds_part *p = &page->parts[i];
        if (p->kind != DS_PART_INPUT)
            continue;
        const ds_kv *mode = input_key(p, IK_MODE);
        size_t k = strlen(p->id);
        if (mode && strcasecmp(mode->value, "date_range") == 0 && strncmp(name, p->id, k) == 0 &&
            (strcmp(name + k, "_start") == 0 || strcmp(name + k, "_end") == 0))
            return true;
    }
    return false;
}

/* One "${" of a text: a placeholder of the runtime's form, outside quotes
 * in SQL, naming an input that gives it a value. */
static int check_brace(void *ctx, const char *at, ds_sql_at sql_at)
{
    const ph_scan *s = ctx;
    if (sql_at == DS_SQL_AT_COMMENT)
        return 0; /* filled or not, a comment stays a comment */
    ds_placeholder_kind kind = DS_PH_INPUTS;
    const char *q;
    size_t n;
    size_t len = ds_sql_placeholder(at, &kind, &q, &n);
    /* Quoted text the browser leaves alone is text (a page per value's
     * value, say); only a placeholder there, which it would fill, is wrong. */
    if (!len && (sql_at == DS_SQL_AT_STRING || sql_at == DS_SQL_AT_IDENTIFIER))
        return 0;
    char *text = len ? ds_strndup(at, len) : brace_text(at);
    char *name = len ? ds_strndup(q, n) : NULL;
    const char *what = kind == DS_PH_INPUTS ? "inputs" : "params";
    ds_buf m = {0};
    ph_where(&m, s, at);
    if (s->place == PH_TEMPLATE) {
        ds_buf_printf(&m, "'%s': placeholders are not filled in %s (the input's value goes "
                          "where ? is); use ? here, or write the condition in the sql block",
                      text, s->key);
    } else if (!len) {
        ds_buf_printf(&m, "'%s' is not a placeholder: write ${inputs.NAME} (an input's value) "
                          "or ${params.NAME} (the SQL its expression_template makes)",
                      text);
        form_hint(&m, text, s);
    } else if (sql_at == DS_SQL_AT_STRING && kind == DS_PH_INPUTS) {
        ds_buf_printf(&m, "'%s' is inside quotes, but a placeholder is already a quoted "
                          "literal (or a typed value); remove the quotes around it (inside "
                          "text, join it: '%%' || %s || '%%')",
                      text, text);
    } else if (sql_at == DS_SQL_AT_STRING) {
        ds_buf_printf(&m, "'%s' is inside quotes, but ${params.%s} is SQL (the input's "
                          "expression_template); remove the quotes around it",
                      text, name);
    } else if (sql_at == DS_SQL_AT_IDENTIFIER) {
        ds_buf_printf(&m, "'%s' is inside a quoted identifier, where it cannot be a value; "
                          "write it bare",
                      text);
    } else if (s->place == PH_QUERY_ID && kind == DS_PH_PARAMS) {
        ds_buf_printf(&m, "'%s': a query id is filled with ${inputs.NAME} only; ${params.%s} "
                          "there is always empty",
                      text, name);
    } else if (s->place == PH_TITLE && kind == DS_PH_PARAMS &&
               !(s->c->value_name && strcmp(name, s->c->value_name) == 0)) {
        ds_buf_printf(&m, "'%s': a title shows input values, and ${params.%s} is SQL; write "
                          "${inputs.NAME}",
                      text, name);
    } else if (s->place == PH_TITLE && kind == DS_PH_INPUTS &&
               !ds_page_find(s->c->page, DS_PART_INPUT, name) && !range_day(s->c->page, name)) {
        names_t blocks = {0};
        for (size_t i = 0; i < s->c->page->n_parts; i++)
            if (s->c->page->parts[i].kind == DS_PART_INPUT)
                names_add(&blocks, s->c->page->parts[i].id);
        ds_buf_printf(&m, "'%s': a title shows the value of an input block of this page, and "
                          "there is none named '%s'",
                      text, name);
        hint(&m, name, blocks.items, blocks.n, "its inputs");
        free(blocks.items);
    } else if (kind == DS_PH_INPUTS && listed(name, s->inputs->items, s->inputs->n, false)) {
        ds_buf_free(&m);
    } else if (kind == DS_PH_PARAMS && listed(name, s->params->items, s->params->n, false)) {
        ds_buf_free(&m);
    } else if (kind == DS_PH_PARAMS && ds_page_find(s->c->page, DS_PART_INPUT, name)) {
        ds_buf_printf(&m, "${params.%s} is always NULL: input '%s' has no "
                          "expression_template; give it one (expression_template: column = "
                          "?) or write ${inputs.%s} for its value",
                      name, name, name);
    } else if (kind == DS_PH_PARAMS && listed(name, s->inputs->items, s->inputs->n, false)) {
        ds_buf_printf(&m, "${params.%s} is always NULL: '%s' is set by a param_name, which "
                          "makes ${params.%s} only with a param_template (on an input that "
                          "is not a date, slider, checkbox or toggle)",
                      name, name, name);
    } else {
        const names_t *known = kind == DS_PH_INPUTS ? s->inputs : s->params;
        ds_buf_printf(&m, "${%s.%s} names no input of this page", what, name);
        if (kind == DS_PH_PARAMS)
            ds_buf_puts(&m, " with an expression_template");
        if (known->n)
            hint(&m, name, known->items, known->n,
                 kind == DS_PH_INPUTS ? "its inputs" : "those with one");
        else if (kind == DS_PH_INPUTS)
            ds_buf_printf(&m, "; define it with an ```input %s block", name);
    }
    free(text);
    free(name);
    return m.data ? fail(s->c, &m) : 0;
}

/* Every "${" of TEXT (line: its first line) in the place it stands. */
static int check_placeholders(const check_t *c, const ds_part *p, const char *key,
                              const char *text, int line, ph_place place, const names_t *inputs,
                              const names_t *params)
{
    ph_scan s = {c, p, key, text, line, place, inputs, params};
    if (place == PH_SQL)
        return ds_sql_each_brace(text, check_brace, &s);
    for (const char *at = text; (at = strstr(at, "${")); at += 2)
        if (check_brace(&s, at, DS_SQL_AT_CODE) != 0)
            return -1;
    return 0;
}

static bool is_key(const char *key, const char *a, const char *b)
{
    return strcmp(key, a) == 0 || strcmp(key, b) == 0;
}

/* Where a block's key stands (ph_place). */
static ph_place key_place(const ds_part *p, const char *key)
{
    if (is_key(key, "query", "data_query") || is_key(key, "options_query", "options-query"))
        return PH_QUERY_ID;
    if (p->kind == DS_PART_INPUT &&
        (is_key(key, "expression_template", "expression-template") ||
         is_key(key, "all_expression", "all-expression") ||
         is_key(key, "param_template", "param-template")))
        return PH_TEMPLATE;
    /* The runtime fills ${inputs.NAME} in titles (page.js fillTitles). */
    if (p->kind != DS_PART_INPUT && (strcmp(key, "title") == 0 || strcmp(key, "comparison_title") == 0))
        return PH_TITLE;
    return PH_TEXT;
}

static int check_inputs_used(const check_t *c, const ds_part *p, const names_t *inputs,
                             const names_t *params)
{
    if (p->kind == DS_PART_SQL)
        return check_placeholders(c, p, NULL, p->text, p->text_line, PH_SQL, inputs, params);
    for (size_t i = 0; i < p->n_kv; i++) {
        const ds_kv *kv = &p->kv[i];
        if (check_placeholders(c, p, kv->key, kv->value, kv->line, key_place(p, kv->key), inputs,
                               params) != 0)
            return -1;
    }
    for (size_t t = 0; t < p->n_formats; t++)
        for (size_t i = 0; i < p->formats[t].n_items; i++) {
            const ds_kv *kv = &p->formats[t].items[i];
            /* The *_expr keys are SQL the runtime puts in the query and fills. */
            ph_place place = ds_ends_with(kv->key, "_expr") ? PH_SQL : PH_TEXT;
            if (check_placeholders(c, p, kv->key, kv->value, kv->line, place, inputs, params) != 0)
                return -1;
        }
    return 0;
}

/* click_input and click_anti_input set an input of the page (the runtime
 * looks it up by its block's name); another name makes a click do nothing. */
static int check_clicks(const check_t *c, const ds_part *p)
{
    static const char *const KEYS[] = {"click_input", "click_anti_input"};
    for (size_t k = 0; k < N(KEYS); k++) {
        const ds_kv *kv = ds_part_get(p, KEYS[k]);
        if (!kv || ds_page_find(c->page, DS_PART_INPUT, kv->value))
            continue;
        names_t ns = {0};
        for (size_t i = 0; i < c->page->n_parts; i++)
            if (c->page->parts[i].kind == DS_PART_INPUT)
                names_add(&ns, c->page->parts[i].id);
        ds_buf m = {0};
        where(&m, c, kv->line, p);
        ds_buf_printf(&m, "%s: '%s' names no input of this page", kv->key, kv->value);
        if (ns.n)
            hint(&m, kv->value, ns.items, ns.n, "its inputs");
        else
            ds_buf_printf(&m, "; define it with an ```input %s block", kv->value);
        free(ns.items);
        return fail(c, &m);
    }
    return 0;
}

/* An input's URL key: its url_key, else its name (web/src/sql.js). */
static const char *url_key_of(const ds_part *p, const ds_kv **kv)
{
    *kv = input_key(p, IK_URL_KEY);
    return *kv && *(*kv)->value ? (*kv)->value : p->id;
}

/* Two inputs reading one URL key would both take every value set there. */
static int check_url_keys(const check_t *c)
{
    for (size_t i = 0; i < c->page->n_parts; i++) {
        const ds_part *p = &c->page->parts[i];
        if (p->kind != DS_PART_INPUT)
            continue;
        const ds_kv *kv;
        const char *key = url_key_of(p, &kv);
        for (size_t j = 0; j < i; j++) {
            const ds_part *q = &c->page->parts[j];
            const ds_kv *qkv;
            if (q->kind != DS_PART_INPUT || strcmp(url_key_of(q, &qkv), key) != 0)
                continue;
            ds_buf m = {0};
            where(&m, c, kv ? kv->line : p->line, p);
            ds_buf_printf(&m, "its URL key '%s' is also the URL key of input '%s' (line %d); "
                              "give one of them another url_key",
                          key, q->id, qkv ? qkv->line : q->line);
            return fail(c, &m);
        }
    }
    return 0;
}

int ds_pagecheck(const ds_page *page, const char *display, const char *value_name,
                 const ds_query_list *queries, ds_err *err)
{
    check_t c = {page, display, value_name, queries, err};
    if (check_url_keys(&c) != 0)
        return -1;
    names_t inputs = {0}, params = {0};
    input_names(&c, &inputs);
    param_names(&c, &params);
    int rc = 0;
    for (size_t i = 0; i < page->n_parts && rc == 0; i++) {
        const ds_part *p = &page->parts[i];
        switch (p->kind) {
        case DS_PART_PROSE:
        case DS_PART_FORM: /* checked with its target and query (src/forms/spec.c) */
            break;
        case DS_PART_GRID:
            rc = check_grid(&c, p);
            break;
        case DS_PART_SQL:
            rc = check_inputs_used(&c, p, &inputs, &params);
            break;
        default:
            rc = check_kv(&c, p);
            if (rc == 0)
                rc = check_format(&c, p);
            if (rc == 0 && (p->kind == DS_PART_VALUE || p->kind == DS_PART_KPI))
                rc = check_value(&c, p);
            if (rc == 0 && p->kind == DS_PART_INPUT)
                rc = check_input(&c, p);
            if (rc == 0)
                rc = check_queries(&c, p);
            if (rc == 0 && (p->kind == DS_PART_ECHART || p->kind == DS_PART_TABLE))
                rc = check_clicks(&c, p);
            if (rc == 0)
                rc = check_inputs_used(&c, p, &inputs, &params);
        }
    }
    free(inputs.items);
    free(params.items);
    for (size_t i = 0; i < inputs.n_owned; i++)
        free(inputs.owned[i]);
    free(inputs.owned);
    return rc;
}

/* ---- links between pages ------------------------------------------------- */

/* The page a table's link_page names, as web/src/table.js (linkHref) makes
 * its URL: blanks, leading '/' and a trailing ".html" dropped. */
static char *link_target(const char *v)
{
    while (isspace((unsigned char)*v) || *v == '/')
        v++;
    size_t n = strlen(v);
    while (n && isspace((unsigned char)v[n - 1]))
        n--;
    if (n >= 5 && memcmp(v + n - 5, ".html", 5) == 0)
        n -= 5;
    return ds_strndup(v, n);
}

/* The URL keys of page's inputs: url_key (or url-key), else the name. */
static void url_keys(const ds_page *page, names_t *ns)
{
    for (size_t i = 0; i < page->n_parts; i++) {
        const ds_part *p = &page->parts[i];
        if (p->kind != DS_PART_INPUT)
            continue;
        const ds_kv *k = ds_part_get(p, "url_key");
        k = k ? k : ds_part_get(p, "url-key");
        names_add(ns, k && *k->value ? k->value : p->id);
    }
}

/* One table's link: link_page is a page of the site, and the URL key it
 * sets (link_input, else the link_column's name) is one of that page's
 * inputs, which reads it; otherwise the link leads nowhere or sets nothing. */
static int check_link(const ds_pages *pages, const ds_site_page *from, const ds_part *p,
                      ds_err *err)
{
    const ds_kv *page_kv = ds_part_get(p, "link_page");
    const ds_kv *col = ds_part_get(p, "link_column");
    if (!page_kv || !col)
        return 0; /* one without the other is reported by the page check */
    check_t c = {&from->page, from->display, NULL, NULL, err};
    char *rel = link_target(page_kv->value);
    const ds_site_page *to = NULL;
    for (size_t i = 0; i < pages->len && !to; i++)
        if (strcmp(pages->items[i].rel, rel) == 0)
            to = &pages->items[i];
    ds_buf m = {0};
    if (!to) {
        names_t ns = {0};
        for (size_t i = 0; i < pages->len; i++)
            names_add(&ns, pages->items[i].rel);
        where(&m, &c, page_kv->line, p);
        ds_buf_printf(&m, "link_page: '%s' names no page of the site (a page is its path under "
                          "content/ without .md, e.g. customers/detail)",
                      page_kv->value);
        const char *best = ds_suggest(rel, ns.items, ns.n);
        if (best)
            ds_buf_printf(&m, "; did you mean '%s'?", best);
        free(ns.items);
        free(rel);
        return fail(&c, &m);
    }
    free(rel);
    const ds_kv *input = ds_part_get(p, "link_input");
    const char *key = input ? input->value : col->value;
    names_t keys = {0};
    url_keys(&to->page, &keys);
    if (listed(key, keys.items, keys.n, false)) {
        free(keys.items);
        return 0;
    }
    where(&m, &c, input ? input->line : col->line, p);
    if (input)
        ds_buf_printf(&m, "link_input: '%s' is the URL key of no input of %s", key,
                      to->display);
    else
        ds_buf_printf(&m, "link_column: the links set ?%s=, the column's name, but that is "
                          "the URL key of no input of %s",
                      key, to->display);
    if (!keys.n) {
        ds_buf_puts(&m, ", which has no inputs; add one there, or link to a page that has one");
    } else {
        ds_buf_puts(&m, " (an input's URL key is its url_key, else its name)");
        const ds_part *named = ds_page_find(&to->page, DS_PART_INPUT, key);
        const ds_kv *own = named ? ds_part_get(named, "url_key") : NULL;
        own = own || !named ? own : ds_part_get(named, "url-key");
        if (own)
            ds_buf_printf(&m, "; input '%s' reads the URL key '%s'", key, own->value);
        else
            hint(&m, key, keys.items, keys.n, "their URL keys");
        if (!input)
            ds_buf_puts(&m, "; set link_input: to the input the value is for");
    }
    free(keys.items);
    return fail(&c, &m);
}

int ds_pagecheck_links(const ds_pages *pages, ds_err *err)
{
    for (size_t i = 0; i < pages->len; i++) {
        const ds_site_page *from = &pages->items[i];
        for (size_t k = 0; k < from->page.n_parts; k++) {
            const ds_part *p = &from->page.parts[k];
            if (p->kind == DS_PART_TABLE && check_link(pages, from, p, err) != 0)
                return -1;
        }
    }
    return 0;
}
