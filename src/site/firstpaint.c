/* firstpaint.c - charts drawn at build time (see firstpaint.h).
 *
 * One node process per build draws every chart that is not in the picture
 * cache: the request is a JSON document on its stdin, the answer one JSON
 * line per chart on its stdout (web/src/firstpaint.js).  The geometry
 * follows web/src/ducksite.css: keep the constants below in step with it. */
#include "firstpaint.h"
#include "uptodate.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../util/fs.h"
#include "../util/proc.h"
#include "assets.h"
#include "html.h"
#include "memo.h"
#include "pagesql.h"
#include "prerender.h"

/* ducksite.css: .ducksite-page padding (28px each side), .ds-chart border
 * (1px) and padding (10px), .ds-chart-root height, .layout-grid gaps. */
#define PAGE_PADDING 28
#define CHART_INSET (2 * 1 + 2 * 10)
#define CHART_HEIGHT 360
#define SCRIPT "firstpaint.node.mjs"
/* Limits of the drawing run: a stuck node never holds the build. */
#define DRAW_SECONDS 120.0
#define DRAW_MAX_OUTPUT ((size_t)256 << 20)

static int gap_px(const char *gap)
{
    static const struct {
        const char *name;
        int px;
    } GAPS[] = {{"none", 0}, {"xs", 6}, {"sm", 10}, {"md", 16}, {"lg", 24}, {"xl", 32}};
    for (size_t i = 0; gap && i < sizeof GAPS / sizeof *GAPS; i++)
        if (strcmp(gap, GAPS[i].name) == 0)
            return GAPS[i].px;
    return 16;
}

int ds_firstpaint_width(const void *config, const char *id)
{
    double content = DS_FIRSTPAINT_VIEWPORT - 2 * PAGE_PADDING;
    size_t gi;
    json_t *grid;
    json_array_foreach(json_object_get((const json_t *)config, "grids"), gi, grid)
    {
        json_int_t cols = json_integer_value(json_object_get(grid, "cols"));
        if (cols <= 0)
            cols = 12;
        double gap = gap_px(json_string_value(json_object_get(grid, "gap")));
        size_t ri, ci;
        json_t *row, *cell;
        json_array_foreach(json_object_get(grid, "rows"), ri, row)
        {
            json_array_foreach(row, ci, cell)
            {
                const char *cid = json_string_value(json_object_get(cell, "id"));
                if (!cid || strcmp(cid, id) != 0)
                    continue;
                json_int_t span = json_integer_value(json_object_get(cell, "span"));
                if (span <= 0)
                    span = 1;
                if (span > cols)
                    span = cols;
                double col = (content - gap * (double)(cols - 1)) / (double)cols;
                return (int)(col * (double)span + gap * (double)(span - 1)) - CHART_INSET;
            }
        }
    }
    return (int)content - CHART_INSET;
}

/* The chart's height: its height key in pixels, else the stylesheet's. */
static int chart_height(json_t *spec)
{
    const char *h = json_string_value(json_object_get(spec, "height"));
    if (h && *h && strspn(h, "0123456789") == strlen(h) && strlen(h) < 6 && atoi(h) > 0)
        return atoi(h);
    return CHART_HEIGHT;
}

/* Bytes a data: URL may hold as they are: letters, digits and
 * " -_.~!$'()*+,;=:@/?" (nothing that ends the attribute or the URL). */
static bool url_plain(unsigned char c)
{
    static const char OTHERS[] = " -_.~!$'()*+,;=:@/?";
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && memchr(OTHERS, c, sizeof OTHERS - 1));
}

void ds_firstpaint_data_url(ds_buf *b, const char *svg)
{
    static const char HEX[] = "0123456789ABCDEF";
    ds_buf_puts(b, "data:image/svg+xml;charset=utf-8,");
    /* Runs of plain bytes are copied at once: pages carry megabytes of
     * pictures, and a byte at a time was a good part of writing them. */
    const unsigned char *p = (const unsigned char *)svg;
    while (*p) {
        const unsigned char *run = p;
        while (*p && url_plain(*p))
            p++;
        ds_buf_add(b, (const char *)run, (size_t)(p - run));
        if (*p) {
            char esc[3] = {'%', HEX[*p >> 4], HEX[*p & 15]};
            ds_buf_add(b, esc, 3);
            p++;
        }
    }
}

/* ---- the picture cache ------------------------------------------------------ */

/* The themes every chart is drawn in (web/src/charts/theme.js): the page
 * shows the picture of its theme (ducksite.css). */
static const char *const THEMES[] = {"light", "dark"};

/* What identifies a picture: the drawing script, the chart's keys, its
 * result's content (the stored result's name is the hash of its SQL, which
 * stays when the data changes), its size and its theme. */
static void picture_key(const char *script_id, json_t *spec, const char *result, int w, int h,
                        const char *theme, char out[17])
{
    char *spec_text = json_dumps(spec, JSON_SORT_KEYS | JSON_COMPACT);
    char result_hash[17];
    ds_pagesql_hash(result, result_hash);
    char *text = ds_asprintf("%s\n%s\n%s\n%dx%d\n%s", script_id, spec_text ? spec_text : "{}",
                             result_hash, w, h, theme);
    ds_pagesql_hash(text, out);
    free(text);
    free(spec_text);
}

typedef struct {
    ds_site_page *page;
    char *id;          /* a chart's id, or "value:ID" / "kpi:ID" */
    const char *theme; /* NULL for a value's text */
    char key[17];
} wanted;

/* Reads the answer lines of the drawing script in OUT into CACHE; a key
 * the script could not draw goes to FAILED with its error. */
static void take_answers(ds_buf *out, json_t *cache, json_t *failed, size_t *drawn,
                         size_t *formatted)
{
    for (char *line = out->data; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        json_t *o = json_loads(line, 0, NULL);
        const char *key = json_string_value(json_object_get(o, "key"));
        const char *svg = json_string_value(json_object_get(o, "svg"));
        const char *text = json_string_value(json_object_get(o, "text"));
        const char *fail = json_string_value(json_object_get(o, "error"));
        if (key && svg && strncmp(svg, "<svg", 4) == 0) {
            json_object_set_new(cache, key, json_string(svg));
            (*drawn)++;
        } else if (key && text) {
            json_object_set_new(cache, key, json_string(text));
            (*formatted)++;
        } else if (key && fail) {
            json_object_set_new(failed, key, json_string(fail));
        }
        json_decref(o);
        line = nl ? nl + 1 : NULL;
    }
}

/* Asks the drawing process serve keeps (memo.h), starting it when there is
 * none, to answer INPUT (one line) into OUT.  false when it cannot (it is
 * then stopped, and the build draws the usual way). */
static bool draw_kept(ds_memo *memo, char *const argv[], const char *what, const char *input,
                      ds_buf *out)
{
    ds_proc *p = ds_memo_painter(memo, what);
    if (!p) {
        ds_proc started;
        ds_err err;
        char *lines_argv[] = {argv[0], argv[1], (char *)"--lines", NULL};
        if (ds_proc_spawn(lines_argv, NULL, NULL, &started, &err) != 0)
            return false;
        ds_memo_painter_set(memo, &started, what);
        p = ds_memo_painter(memo, what);
    }
    ds_proc_limit(p, DRAW_SECONDS, DRAW_MAX_OUTPUT);
    bool ok = ds_proc_write(p, input, strlen(input)) == 0 && ds_proc_write(p, "\n", 1) == 0;
    char *line = NULL;
    while (ok && (ok = ds_proc_read_line(p, &line) == 0) && strcmp(line, "{\"done\":true}") != 0) {
        ds_buf_puts(out, line);
        ds_buf_putc(out, '\n');
        free(line);
        line = NULL;
    }
    free(line);
    if (!ok) {
        ds_memo_painter_set(memo, NULL, NULL);
        ds_buf_free(out);
    }
    return ok;
}

/* Runs the drawing script over REQUEST (in the process serve keeps, with a
 * memo); fills CACHE with the pictures it drew.  Problems are said, never
 * fatal. */
static void draw(const char *script, const char *script_id, ds_memo *memo, json_t *request,
                 json_t *cache, json_t *failed, size_t *drawn, size_t *formatted)
{
    const char *node = getenv("DUCKSITE_NODE");
    char *argv[] = {(char *)(node && *node ? node : "node"), (char *)script, NULL};
    char *input = json_dumps(request, JSON_COMPACT);
    ds_buf out = {0};
    char *what = ds_asprintf("%s\n%s\n%s", argv[0], script, script_id);
    if (memo && draw_kept(memo, argv, what, input, &out)) {
        take_answers(&out, cache, failed, drawn, formatted);
        ds_buf_free(&out);
        free(what);
        free(input);
        return;
    }
    free(what);
    int status = 0;
    ds_err err;
    ds_proc_limits lim = {DRAW_SECONDS, DRAW_MAX_OUTPUT, DS_PROC_RUNNING};
    if (ds_proc_run(argv, NULL, input, &lim, &out, &status, &err) != 0) {
        ds_info("first paint: charts are drawn when ECharts loads (%s)", err.msg);
    } else if (lim.stop != DS_PROC_RUNNING) {
        ds_uptodate_incomplete(); /* the next build draws them again */
        ds_warn("first paint: %s was stopped (%s); charts are drawn when ECharts loads", argv[0],
                lim.stop == DS_PROC_TIMED_OUT         ? "it took more than 120 s"
                : lim.stop == DS_PROC_TOO_MUCH_OUTPUT ? "it wrote more than 256 MiB"
                                                      : "interrupted");
    } else {
        if (status != 0) {
            ds_uptodate_incomplete();
            char *why = ds_proc_describe_status(status);
            ds_warn("first paint: %s %s; charts without a picture are drawn when ECharts loads",
                    argv[0], why);
            free(why);
        }
        take_answers(&out, cache, failed, drawn, formatted);
    }
    ds_buf_free(&out);
    free(input);
}

/* The text of stored result HASH: staged by this build, or kept from the
 * previous one. */
static char *read_result(ds_publish *pub, const char *hash)
{
    const char *dirs[] = {ds_publish_stage_dir(pub), ds_publish_live_dir(pub)};
    for (size_t i = 0; i < 2; i++) {
        char *file = ds_asprintf("%s/" DS_RESULTS_DIR "/%s.json", dirs[i], hash);
        char *text = ds_read_file(file, NULL, NULL);
        free(file);
        if (text)
            return text;
    }
    return NULL;
}

/* What want_value() adds to: the build's request, cache and wanted list. */
typedef struct {
    ds_publish *pub;
    const char *script_id;
    json_t *old, *cache, *pending, *request;
    wanted **want;
    size_t *n_want;
    size_t *kept;
} want_ctx;

/* A value or KPI card ("value:ID" / "kpi:ID") whose default result HASH is
 * stored: its text is formatted by the same script (kpi.js's valueText) and
 * written into the page, so it shows before any script runs. */
static void want_value(ds_site_page *sp, json_t *config, const char *key_id, const char *hash,
                       const want_ctx *w)
{
    bool kpi = strncmp(key_id, "kpi:", 4) == 0;
    if (!kpi && strncmp(key_id, "value:", 6) != 0)
        return;
    const char *id = strchr(key_id, ':') + 1;
    json_t *spec = json_object_get(json_object_get(config, kpi ? "kpis" : "values"), id);
    char *text = spec && hash ? read_result(w->pub, hash) : NULL;
    if (!text)
        return;
    *w->want = ds_xrealloc(*w->want, (*w->n_want + 1) * sizeof **w->want);
    wanted *wn = &(*w->want)[(*w->n_want)++];
    wn->page = sp;
    wn->id = ds_strdup(key_id);
    wn->theme = NULL;
    picture_key(w->script_id, spec, text, 0, 0, kpi ? "kpi" : "value", wn->key);
    json_t *had = json_object_get(w->old, wn->key);
    json_t *result = NULL;
    if (json_object_get(w->cache, wn->key) || json_object_get(w->pending, wn->key)) {
        /* the same value on another page */
    } else if (json_is_string(had)) {
        json_object_set(w->cache, wn->key, had);
        (*w->kept)++;
    } else if ((result = json_loads(text, 0, NULL))) {
        json_object_set_new(w->pending, wn->key, json_true());
        json_array_append_new(json_object_get(w->request, "values"),
                              json_pack("{s:s, s:s, s:O, s:o}", "key", wn->key, "kind",
                                        kpi ? "kpi" : "value", "spec", spec, "result", result));
    }
    free(text);
}

/* The previous build's pictures: as the memo keeps them when static/ still
 * holds the file it published (ID: that file's identity, "" for none),
 * else read from static/. */
static json_t *load_cache(const char *path, ds_memo *memo, const ds_buf *id)
{
    json_t *kept = memo && id->len ? ds_memo_doc_get(memo, "first_paint", id->data) : NULL;
    if (kept)
        return json_incref(kept);
    return id->len ? ds_json_load_path(path, 0, NULL) : NULL;
}

/* Remembers this build's pictures with the identity the file will have
 * once published (staged, or kept in place). */
static void remember_cache(ds_memo *memo, ds_publish *pub, json_t *cache)
{
    const char *rel = DS_RESULTS_DIR "/" DS_FIRSTPAINT_CACHE;
    char *staged = ds_path_join(ds_publish_stage_dir(pub), rel);
    char *live = ds_path_join(ds_publish_live_dir(pub), rel);
    ds_buf id = {0};
    if (json_object_size(cache) && (ds_memo_file_id(staged, &id) || ds_memo_file_id(live, &id)))
        ds_memo_doc_put(memo, "first_paint", id.data, cache);
    else
        ds_memo_doc_put(memo, "first_paint", NULL, NULL);
    ds_buf_free(&id);
    free(live);
    free(staged);
}

/* Sets page.first_paint of the page of WANT[0..N) from CACHE.  Its text
 * (megabytes of pictures, escaped) is taken from the memo when every
 * picture and value is the same entry of the same previous cache (OLD_ID)
 * as when the memo kept it. */
static void page_paint(const wanted *want, size_t n, json_t *cache, json_t *old,
                       const char *old_id, ds_memo *memo)
{
    ds_site_page *sp = want[0].page;
    ds_buf key = {0};
    bool all_old = memo && *old_id;
    ds_buf_printf(&key, "%s\n", old_id);
    for (size_t i = 0; i < n && all_old; i++) {
        all_old = json_object_get(old, want[i].key) != NULL;
        ds_buf_printf(&key, "%s %s %s\n", want[i].id, want[i].theme ? want[i].theme : "-",
                      want[i].key);
    }
    char *name = ds_asprintf("first_paint:%s", sp->rel);
    json_t *kept = all_old ? ds_memo_doc_get(memo, name, key.data) : NULL;
    if (kept) {
        sp->page.first_paint = ds_strdup(json_string_value(kept));
    } else {
        json_t *paint = json_object();
        for (size_t i = 0; i < n; i++) {
            json_t *svg = json_object_get(cache, want[i].key);
            if (svg && !want[i].theme) {
                json_object_set(paint, want[i].id, svg); /* a value's text */
            } else if (svg) {
                json_t *themes = json_object_get(paint, want[i].id);
                if (!themes)
                    json_object_set_new(paint, want[i].id, themes = json_object());
                json_object_set(themes, want[i].theme, svg);
            }
        }
        if (json_object_size(paint))
            sp->page.first_paint = json_dumps(paint, JSON_COMPACT);
        json_decref(paint);
        json_t *text = all_old && sp->page.first_paint ? json_string(sp->page.first_paint) : NULL;
        if (memo)
            ds_memo_doc_put(memo, name, all_old ? key.data : NULL, text);
        json_decref(text);
    }
    free(name);
    ds_buf_free(&key);
}

int ds_firstpaint(ds_pages *pages, ds_publish *pub, ds_memo *memo, ds_err *err)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char *cache_path = ds_asprintf("%s/" DS_RESULTS_DIR "/" DS_FIRSTPAINT_CACHE,
                                   ds_publish_live_dir(pub));
    char *dist = ds_assets_dist_dir();
    char *script = ds_path_join(dist, SCRIPT);
    free(dist);
    struct stat st;
    bool have_script = stat(script, &st) == 0;
    char *script_id = ds_asprintf("%lld:%lld.%09ld", (long long)st.st_size,
                                  (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);

    ds_buf old_id = {0};
    ds_memo_file_id(cache_path, &old_id);
    json_t *old = load_cache(cache_path, memo, &old_id);
    json_t *cache = json_object(); /* this build's pictures, key -> svg */
    json_t *request = json_pack("{s:[], s:[]}", "charts", "values");
    json_t *pending = json_object(); /* keys asked for in request */
    wanted *want = NULL;
    size_t n_want = 0, reused = 0, drawn = 0, formatted = 0, values_kept = 0;

    for (size_t i = 0; i < pages->len; i++) {
        ds_site_page *sp = &pages->items[i];
        free(sp->page.first_paint);
        sp->page.first_paint = NULL;
        json_t *charts = sp->page.chart_results ? json_loads(sp->page.chart_results, 0, NULL)
                                                : NULL;
        if (!charts || !have_script) {
            json_decref(charts);
            continue;
        }
        char *text = ds_html_page_config(&sp->page, sp->rel);
        json_t *config = json_loads(text, 0, NULL);
        free(text);
        const char *id;
        json_t *hash;
        json_object_foreach(charts, id, hash)
        {
            if (strchr(id, ':')) {
                want_value(sp, config, id, json_string_value(hash), &(want_ctx){pub, script_id, old,
                           cache, pending, request, &want, &n_want, &values_kept});
                continue;
            }
            json_t *spec = json_object_get(json_object_get(config, "charts"), id);
            if (!spec)
                continue;
            int w = ds_firstpaint_width(config, id), h = chart_height(spec);
            if (w < 40)
                continue;
            char *text = read_result(pub, json_string_value(hash));
            if (!text)
                continue;
            for (size_t t = 0; t < DS_ARRAY_LEN(THEMES); t++) {
                want = ds_xrealloc(want, (n_want + 1) * sizeof *want);
                wanted *wn = &want[n_want++];
                wn->page = sp;
                wn->id = ds_strdup(id);
                wn->theme = THEMES[t];
                picture_key(script_id, spec, text, w, h, THEMES[t], wn->key);
                json_t *had = json_object_get(old, wn->key);
                json_t *result = NULL;
                if (json_object_get(cache, wn->key) || json_object_get(pending, wn->key)) {
                    /* the same picture on another page */
                } else if (json_is_string(had)) {
                    json_object_set(cache, wn->key, had);
                    reused++;
                } else if ((result = json_loads(text, 0, NULL))) {
                    json_object_set_new(pending, wn->key, json_true());
                    json_array_append_new(json_object_get(request, "charts"),
                                          json_pack("{s:s, s:O, s:o, s:i, s:i, s:s}", "key",
                                                    wn->key, "spec", spec, "result", result,
                                                    "width", w, "height", h, "theme",
                                                    THEMES[t]));
                }
            }
            free(text);
        }
        json_decref(config);
        json_decref(charts);
    }

    json_t *failed = json_object(); /* key -> the drawing script's error */
    if (json_array_size(json_object_get(request, "charts")) ||
        json_array_size(json_object_get(request, "values")))
        draw(script, script_id, memo, request, cache, failed, &drawn, &formatted);
    /* The runtime draws with the same code: what failed here fails on the
     * page.  Said once per block (not per theme), where it is written. */
    for (size_t i = 0; i < n_want; i++) {
        const char *fail = json_string_value(json_object_get(failed, want[i].key));
        if (!fail || (i > 0 && want[i - 1].page == want[i].page &&
                      strcmp(want[i - 1].id, want[i].id) == 0 &&
                      json_object_get(failed, want[i - 1].key)))
            continue;
        const char *colon = strchr(want[i].id, ':');
        const char *id = colon ? colon + 1 : want[i].id;
        ds_part_kind kind = !colon                             ? DS_PART_ECHART
                            : strncmp(want[i].id, "kpi:", 4) == 0 ? DS_PART_KPI
                                                                  : DS_PART_VALUE;
        const ds_part *part = ds_page_find(&want[i].page->page, kind, id);
        ds_warn("%s:%d: %s '%s': %s; the page shows this error in its place",
                want[i].page->display, part ? part->line : 1, ds_part_kind_name(kind), id, fail);
    }
    json_decref(failed);

    /* Each page's pictures, by chart id and theme. */
    for (size_t i = 0; i < n_want;) {
        size_t first = i;
        while (i < n_want && want[i].page == want[first].page)
            i++;
        page_paint(want + first, i - first, cache, old, ds_buf_str(&old_id), memo);
    }
    for (size_t i = 0; i < n_want; i++)
        free(want[i].id);
    free(want);

    /* The cache holds exactly this build's pictures (none: no file, and the
     * previous one goes as a stale output); unchanged, untouched. */
    int rc = 0;
    const char *cache_rel = DS_RESULTS_DIR "/" DS_FIRSTPAINT_CACHE;
    if (old && json_object_size(cache) && json_equal(old, cache)) {
        ds_publish_keep(pub, cache_rel); /* read from static/ just now, as this build has it */
    } else if (json_object_size(cache)) {
        char *text = json_dumps(cache, JSON_SORT_KEYS | JSON_COMPACT);
        rc = ds_publish_write_if_changed(pub, cache_rel, text, strlen(text), NULL, err);
        free(text);
    }
    if (memo && rc == 0)
        remember_cache(memo, pub, cache);
    ds_buf_free(&old_id);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (drawn + reused)
        ds_info("first paint: %zu chart pictures (%zu drawn, %zu unchanged) in %.0f ms",
                drawn + reused, drawn, reused,
                (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    if (formatted + values_kept)
        ds_info("first paint: %zu values and KPI cards written into their pages (%zu formatted, "
                "%zu unchanged)",
                formatted + values_kept, formatted, values_kept);
    json_decref(request);
    json_decref(pending);
    json_decref(cache);
    json_decref(old);
    free(script_id);
    free(script);
    free(cache_path);
    return rc;
}
