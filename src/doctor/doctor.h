/* doctor.h - `ducksite doctor URL`: replays what DuckDB-Wasm 1.28.0 (DuckDB
 * 0.9.1) asks of a web server, against any site, and says per check
 * whether it is fine, risky or broken, and what to change.
 *
 * Two halves: pure verdict functions over recorded answers (checks.c, no
 * network: the unit tests feed them canned answers), and the run
 * (doctor.c: libcurl requests, the page's data files, the report). */
#ifndef DS_DOCTOR_H
#define DS_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/util.h"

/* ---- recorded answers ----------------------------------------------------- */

typedef struct {
    char *name; /* as sent */
    char *value;
} ds_doctor_hdr;

typedef struct {
    long status; /* 0: no answer (error says why) */
    ds_doctor_hdr *hdrs;
    size_t n_hdrs;
    unsigned char *body; /* the bytes kept (up to the request's limit) */
    size_t body_len;
    bool truncated; /* more body came than was kept */
    double ms;      /* the whole exchange */
    char *error;    /* transport error, or NULL */
} ds_doctor_resp;

/* A header's value (names compared without case; the last one wins), or
 * NULL. */
const char *ds_doctor_header(const ds_doctor_resp *r, const char *name);
/* A response built by hand (tests): headers given as "Name: value" lines. */
ds_doctor_resp ds_doctor_resp_make(long status, const char *const *hdr_lines, const void *body,
                                   size_t body_len);
void ds_doctor_resp_free(ds_doctor_resp *r);

/* ---- verdicts ------------------------------------------------------------- */

/* ok: as DuckDB-Wasm wants it; warn: works, but slower or fragile; FAIL:
 * DuckDB-Wasm breaks, reads wrong bytes, or downloads whole files. */
typedef enum { DS_DOCTOR_OK, DS_DOCTOR_WARN, DS_DOCTOR_FAIL } ds_doctor_verdict;

typedef struct {
    ds_doctor_verdict verdict;
    const char *check; /* stable id: "head-range", "range", ... */
    char *subject;     /* what was checked (a URL), or NULL */
    char *detail;      /* what was seen */
    const char *fix;   /* for warn and FAIL: what to change, or NULL */
    double ms;         /* time of the requests behind it */
} ds_doctor_line;

/* A line with its detail printed from FMT; FIX is kept for warn and FAIL
 * only; no subject, no time. */
ds_doctor_line ds_doctor_line_make(ds_doctor_verdict v, const char *check, const char *fix,
                                   const char *fmt, ...) DS_PRINTF(4, 5);
void ds_doctor_line_free(ds_doctor_line *l);
const char *ds_doctor_verdict_name(ds_doctor_verdict v); /* "ok", "warn", "FAIL" */

/* The file's plain HEAD (DuckDB-Wasm's "does it exist?"). */
ds_doctor_line ds_doctor_check_head(const ds_doctor_resp *head);

/* HEAD with Range: bytes=0-, and when that was not 206, PROBE: the GET
 * with Range: bytes=0-0 DuckDB-Wasm falls back to (NULL if not made).
 * FULL_READS: the page opens DuckDB-Wasm with allowFullHTTPReads (Ducksite
 * pages do), without which anything but 206 is an error. */
ds_doctor_line ds_doctor_check_head_range(const ds_doctor_resp *head, const ds_doctor_resp *probe,
                                          bool full_reads);

/* The size the answers give: Content-Range's total, else Content-Length of
 * a 206 to bytes=0- or of a 200; -1 when unknown. */
int64_t ds_doctor_size(const ds_doctor_resp *head);

/* A ranged GET of [FROM, FROM+LEN) of a file of TOTAL bytes, and a second
 * one, OVER, of [OVER_FROM, OVER_FROM+LEN) (clipped to the file) that
 * overlaps it: 206, the right Content-Range, exactly LEN bytes, and the
 * same bytes where the two overlap.  OVER may be NULL. */
ds_doctor_line ds_doctor_check_range(const ds_doctor_resp *r, uint64_t from, uint64_t len,
                                     uint64_t total, const ds_doctor_resp *over,
                                     uint64_t over_from);

/* The footer read (the last 8 bytes): 206 with those bytes, ending in
 * "PAR1" when PARQUET. */
ds_doctor_line ds_doctor_check_tail(const ds_doctor_resp *r, uint64_t total, bool parquet);

/* If-Range: MATCH sent the file's validator (VALIDATOR, NULL when the file
 * has none: no request made), OTHER one that cannot match.  Both asked for
 * bytes=0-3. */
ds_doctor_line ds_doctor_check_if_range(const char *validator, const ds_doctor_resp *match,
                                        const ds_doctor_resp *other);

/* A range starting past the end of a file of TOTAL bytes. */
ds_doctor_line ds_doctor_check_416(const ds_doctor_resp *r, uint64_t total);

/* Content-Encoding on the data answers (the ranged HEAD and GET). */
ds_doctor_line ds_doctor_check_data_encoding(const ds_doctor_resp *head,
                                             const ds_doctor_resp *range);

/* Content-Type of a data file at URL. */
ds_doctor_line ds_doctor_check_data_type(const char *url, const ds_doctor_resp *head);

/* Cache headers of a data file at URL (the rules are in docs/deploy.md). */
ds_doctor_line ds_doctor_check_cache(const char *url, const ds_doctor_resp *head);

/* Do the answers about one file agree (size, ETag)?  RESPS: every answer
 * that names them. */
ds_doctor_line ds_doctor_check_consistent(const ds_doctor_resp *const *resps, size_t n);

/* CORS for data at another origin than the page's (PAGE_ORIGIN):
 * GET is a ranged GET sent with Origin, PREFLIGHT the OPTIONS a browser
 * sends first (NULL when the data is on the page's origin). */
ds_doctor_line ds_doctor_check_cors(const char *page_origin, const char *data_origin,
                                    const ds_doctor_resp *get, const ds_doctor_resp *preflight);

/* An engine file at URL: its Content-Type (KIND "wasm", "module" or
 * "worker") and its compression. */
ds_doctor_line ds_doctor_check_engine_type(const char *url, const char *kind,
                                           const ds_doctor_resp *r);
/* A published file list fetched as a browser fetches it (Accept-Encoding:
 * gzip, deflate, br; R keeps the first bytes of the body, undecoded), whose
 * JSON is JSON_LEN bytes: compressed (ok), sent as is (warn: the build
 * wrote a .gz sidecar), or labelled gzip without gzip bytes, or gzip bytes
 * without the label (FAIL: fetch() cannot read it). */
ds_doctor_line ds_doctor_check_list_encoding(const ds_doctor_resp *r, size_t json_len);
ds_doctor_line ds_doctor_check_engine_compression(const char *url, const ds_doctor_resp *r);

/* ---- the run -------------------------------------------------------------- */

typedef struct {
    const char *url;         /* the page */
    const char *const *data; /* --data URLs (absolute, or relative to the page) */
    size_t n_data;
    int max_files;    /* data files checked (the rest counted only) */
    double timeout_s; /* per request */
    bool json;        /* the report as JSON */
} ds_doctor_options;

/* Runs every check and writes the report (text, or JSON) to OUT.  Returns
 * 0 when no check failed, 1 otherwise (err then says how many); 1 with
 * nothing in OUT for an error before any check (err says what). */
int ds_doctor(const ds_doctor_options *o, ds_buf *out, ds_err *err);

/* ---- helpers shared by the run and its tests ------------------------------ */

/* Data file references in a page's SQL: the literals that are http(s)
 * URLs or end in a data file extension (.parquet, .csv, ...), deduplicated,
 * appended to *list (n *n). */
void ds_doctor_sql_files(const char *sql, char ***list, size_t *n);

/* The views whose file lists a page's SQL names by placeholder
 * ('ducksite:files/VIEW/K', docs/building.md "File lists published
 * once"), deduplicated, appended to *views (n *n). */
void ds_doctor_sql_lists(const char *sql, char ***views, size_t *n);

/* A sample of each list of a published list document
 * (static/sql/_files/VIEW.json): its first file, which the engine opens to
 * bind the view, its middle one and its last one, appended to *list (n *n)
 * without repeats; *lists and *files count the document's lists and files.
 * false when DOC is not one. */
bool ds_doctor_list_files(const char *doc, char ***list, size_t *n, size_t *lists,
                          size_t *files);

/* The JSON text of a Ducksite page's config (the page-config-json script),
 * or NULL; and the src of its first module script, or NULL. */
char *ds_doctor_page_config(const char *html);
char *ds_doctor_module_src(const char *html);
/* The engine chunk the runtime module imports on first use
 * ("./duckdb-HASH.js", as esbuild names it), or NULL. */
char *ds_doctor_engine_chunk(const char *js);

#endif
