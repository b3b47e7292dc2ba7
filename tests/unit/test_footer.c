/* test_footer.c - the Parquet footer reader (datamap/footer.h): row counts
 * agree with DuckDB's, the schema hash tells schemas apart (and only
 * schemas), damaged or foreign files are refused with a reason, and hostile
 * footer bytes are walked without reading out of bounds. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datamap/footer.h"
#include "sql/duck.h"
#include "sql/sqltext.h"
#include "testutil.h"

/* ---- Parquet files made with the build-time engine -------------------- */

static char *tmp;
static ds_duck *db;

static void setup(void)
{
    tmp = test_tmpdir();
    ds_err err;
    db = ds_duck_open(&err);
    cr_assert_not_null(db, "%s", err.msg);
}

static void teardown(void)
{
    ds_duck_close(db);
    test_rmtree(tmp);
    free(tmp);
}

TestSuite(footer, .init = setup, .fini = teardown);

/* Writes TMP/name from a SELECT with COPY options OPTS (after FORMAT
 * parquet, e.g. ", ROW_GROUP_SIZE 10"); returns the path (caller frees). */
static char *parquet(const char *name, const char *select, const char *opts)
{
    char *path = ds_path_join(tmp, name);
    ds_buf sql = {0};
    ds_buf_printf(&sql, "COPY (%s) TO ", select);
    ds_sql_quote(&sql, path);
    ds_buf_printf(&sql, " (FORMAT parquet%s)", opts ? opts : "");
    ds_err err;
    cr_assert_eq(ds_duck_exec(db, sql.data, &err), 0, "%s\n%s", err.msg, sql.data);
    ds_buf_free(&sql);
    return path;
}

/* One number from DuckDB about PATH: SELECT <expr> FROM parquet_<fn>(path). */
static long long duck_number(const char *expr, const char *fn, const char *path)
{
    ds_buf sql = {0};
    ds_buf_printf(&sql, "SELECT %s FROM %s(", expr, fn);
    ds_sql_quote(&sql, path);
    ds_buf_puts(&sql, ")");
    ds_rows rows;
    ds_err err;
    cr_assert_eq(ds_duck_query(db, sql.data, &rows, &err), 0, "%s\n%s", err.msg, sql.data);
    cr_assert_eq(rows.rows, 1);
    long long n = atoll(ds_rows_get(&rows, 0, 0));
    ds_rows_free(&rows);
    ds_buf_free(&sql);
    return n;
}

static ds_footer read_ok(const char *path)
{
    ds_footer ft;
    char why[256] = "";
    cr_assert_eq(ds_footer_read(path, &ft, why, sizeof why), 0, "%s: %s", path, why);
    return ft;
}

/* ds_footer_read fails on PATH with a reason containing WANT. */
static void read_fails(const char *path, const char *want)
{
    ds_footer ft;
    char why[256] = "";
    cr_assert_eq(ds_footer_read(path, &ft, why, sizeof why), -1, "%s was read", path);
    cr_assert(strstr(why, want) != NULL, "why = '%s', expected '%s'", why, want);
}

/* The whole file at PATH, its length in *LEN. */
static unsigned char *slurp(const char *path, size_t *len)
{
    ds_err err;
    char *text = ds_read_file(path, len, &err);
    cr_assert_not_null(text, "%s", err.msg);
    return (unsigned char *)text;
}

static void spit(const char *path, const void *data, size_t len)
{
    ds_err err;
    cr_assert_eq(ds_write_atomic(path, data, len, &err), 0, "%s", err.msg);
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* ---- row counts -------------------------------------------------------- */

static void rows_match(const char *name, const char *select, const char *opts, long long want)
{
    char *path = parquet(name, select, opts);
    ds_footer ft = read_ok(path);
    cr_assert_eq(ft.num_rows, want, "%s: %lld rows, expected %lld", name, (long long)ft.num_rows,
                 want);
    cr_assert_eq(ft.num_rows, duck_number("count(*)", "read_parquet", path), "%s", name);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(ft.size, (int64_t)st.st_size);
    cr_assert_eq(ft.mtime_ns, (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec);
    free(path);
}

Test(footer, num_rows_equals_duckdb_count)
{
    rows_match("zero.parquet", "SELECT 1 AS a WHERE false", NULL, 0);
    rows_match("one.parquet", "SELECT 1 AS a", NULL, 1);
    rows_match("many.parquet", "SELECT range AS a, range::VARCHAR AS b FROM range(100000)", NULL,
               100000);
    rows_match("groups.parquet", "SELECT range AS a FROM range(10000)", ", ROW_GROUP_SIZE 2048",
               10000);
}

Test(footer, several_row_groups_are_summed)
{
    char *path =
        parquet("g.parquet", "SELECT range AS a FROM range(10000)", ", ROW_GROUP_SIZE 2048");
    cr_assert_gt(duck_number("count(DISTINCT row_group_id)", "parquet_metadata", path), 1);
    cr_assert_eq(read_ok(path).num_rows, 10000);
    free(path);
}

Test(footer, a_footer_larger_than_the_first_read)
{
    /* 1,500 columns: the footer is well over the 64 KiB read first. */
    ds_buf sel = {0};
    ds_buf_puts(&sel, "SELECT ");
    for (int i = 0; i < 1500; i++)
        ds_buf_printf(&sel, "%s%d AS column_with_a_long_name_%d", i ? ", " : "", i, i);
    ds_buf_puts(&sel, " FROM range(3)");
    char *path = parquet("wide.parquet", sel.data, NULL);
    ds_footer ft = read_ok(path);
    size_t len;
    unsigned char *data = slurp(path, &len);
    cr_assert_gt(le32(data + len - 8), 65536, "the footer should not fit in the first read");
    cr_assert_eq(ft.num_rows, 3);
    cr_assert_eq(ft.n_columns, 1501);
    free(data);
    free(path);
    ds_buf_free(&sel);
}

/* ---- schema hash ------------------------------------------------------- */

static ds_footer facts_of(const char *select, const char *opts)
{
    static int n;
    char name[32];
    snprintf(name, sizeof name, "s%d.parquet", n++);
    char *path = parquet(name, select, opts);
    ds_footer ft = read_ok(path);
    free(path);
    return ft;
}

static void same_schema(const char *a, const char *b)
{
    ds_footer fa = facts_of(a, NULL), fb = facts_of(b, NULL);
    cr_assert_eq(fa.schema_hash, fb.schema_hash, "same schema, different hash:\n%s\n%s", a, b);
    cr_assert_eq(fa.n_columns, fb.n_columns);
}

static void other_schema(const char *a, const char *b)
{
    ds_footer fa = facts_of(a, NULL), fb = facts_of(b, NULL);
    cr_assert_neq(fa.schema_hash, fb.schema_hash, "different schemas, same hash:\n%s\n%s", a, b);
}

Test(footer, same_schema_same_hash)
{
    same_schema("SELECT 1 AS a, 'x' AS b", "SELECT range::INTEGER AS a, 'yy' AS b FROM range(50)");
    same_schema("SELECT 1 AS a WHERE false", "SELECT 2 AS a");
    same_schema("SELECT {'x': 1, 'y': 'a'} AS s, [1, 2] AS l",
                "SELECT {'x': 5, 'y': 'bcd'} AS s, [3] AS l FROM range(10)");
    ds_footer f = facts_of("SELECT 1 AS a, 'x' AS b", NULL);
    cr_assert_eq(f.n_columns, 3, "two columns and the root");
}

Test(footer, different_schema_different_hash)
{
    const char *base = "SELECT 1::INTEGER AS a, 'x' AS b";
    other_schema(base, "SELECT 1::BIGINT AS a, 'x' AS b");  /* a type */
    other_schema(base, "SELECT 1::INTEGER AS c, 'x' AS b"); /* a name */
    other_schema(base, "SELECT 'x' AS b, 1::INTEGER AS a"); /* the order */
    other_schema(base, "SELECT 1::INTEGER AS a");           /* a column fewer */
    other_schema(base, "SELECT 1.5::DECIMAL(10,2) AS a, 'x' AS b");
    other_schema("SELECT 1.5::DECIMAL(10,2) AS a", "SELECT 1.5::DECIMAL(12,2) AS a");
    other_schema("SELECT {'x': 1} AS s", "SELECT {'x': 1, 'y': 2} AS s");
    other_schema("SELECT {'x': 1} AS s", "SELECT {'z': 1} AS s");
    other_schema("SELECT {'x': 1} AS s", "SELECT {'x': 'one'} AS s");
    other_schema("SELECT [1] AS l", "SELECT 1 AS l");
    other_schema("SELECT [1] AS l", "SELECT ['one'] AS l");
    other_schema("SELECT [1] AS l", "SELECT [[1]] AS l");
    other_schema("SELECT [{'x': 1}] AS l", "SELECT {'x': [1]} AS l");
}

Test(footer, compression_does_not_change_the_hash)
{
    const char *sel = "SELECT range AS a, 'text ' || range AS b, [range] AS l FROM range(2000)";
    const char *codecs[] = {", COMPRESSION uncompressed", ", COMPRESSION snappy",
                            ", COMPRESSION zstd", ", COMPRESSION gzip"};
    ds_footer first = facts_of(sel, codecs[0]);
    for (size_t i = 1; i < sizeof codecs / sizeof *codecs; i++) {
        ds_footer f = facts_of(sel, codecs[i]);
        cr_assert_eq(f.schema_hash, first.schema_hash, "%s", codecs[i]);
        cr_assert_eq(f.n_columns, first.n_columns);
        cr_assert_eq(f.num_rows, 2000);
        cr_assert_neq(f.size, first.size, "%s should change the file", codecs[i]);
    }
}

/* Each column chunk's codec is noted: the browser engine reads only some
 * (DS_FOOTER_BROWSER_CODECS).  DuckDB writes LZ4 as LZ4_RAW (7). */
Test(footer, codecs_are_noted)
{
    const char *sel = "SELECT range AS a, 'text ' || range AS b FROM range(100)";
    static const struct {
        const char *option;
        int codec;
        bool browser;
    } CASES[] = {{", COMPRESSION uncompressed", 0, true}, {", COMPRESSION snappy", 1, true},
                 {", COMPRESSION gzip", 2, true},         {", COMPRESSION brotli", 4, false},
                 {", COMPRESSION zstd", 6, true},         {", COMPRESSION lz4", 7, false}};
    for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++) {
        ds_footer f = facts_of(sel, CASES[i].option);
        cr_assert_eq(f.codecs, 1u << CASES[i].codec, "%s: %#x", CASES[i].option, f.codecs);
        cr_assert_eq((f.codecs & ~DS_FOOTER_BROWSER_CODECS) == 0, CASES[i].browser, "%s",
                     CASES[i].option);
    }
    /* No row group, no column chunk: no codec. */
    cr_assert_eq(facts_of("SELECT 1 AS a WHERE false", NULL).codecs, 0);
    cr_assert_str_eq(ds_footer_codec_name(5), "LZ4");
    cr_assert_str_eq(ds_footer_codec_name(7), "LZ4_RAW");
    cr_assert_str_eq(ds_footer_codec_name(4), "Brotli");
    cr_assert_str_eq(ds_footer_codec_name(42), "an unknown codec");
}

/* ---- files that are not (readable) Parquet ----------------------------- */

Test(footer, missing_and_not_regular)
{
    char *missing = ds_path_join(tmp, "missing.parquet");
    read_fails(missing, "cannot open it");
    read_fails(missing, "No such file");
    read_fails(tmp, "not a regular file");
    free(missing);
}

/* A named pipe (a lake file swapped for one after the scan) is refused
 * without waiting for a writer. */
Test(footer, a_fifo_is_refused_at_once, .timeout = 10)
{
    char *fifo = ds_path_join(tmp, "pipe.parquet");
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    read_fails(fifo, "not a regular file");
    free(fifo);
}

Test(footer, too_small_or_not_parquet)
{
    char *path = ds_path_join(tmp, "x.parquet");
    spit(path, "", 0);
    read_fails(path, "too small");
    spit(path, "PAR1\0\0PAR1", 10);
    read_fails(path, "too small");
    spit(path, "hello, this is plain text and not Parquet\n", 42);
    read_fails(path, "no PAR1 at its end");
    free(path);
}

Test(footer, truncated_or_damaged)
{
    char *path = parquet("t.parquet", "SELECT range AS a, 'v' || range AS b FROM range(100)", NULL);
    size_t len;
    unsigned char *data = slurp(path, &len);
    uint32_t flen = le32(data + len - 8);
    cr_assert_lt(flen + 12, len);
    char *cut = ds_path_join(tmp, "cut.parquet");

    /* The last bytes cut off. */
    for (size_t drop = 1; drop <= 8; drop++) {
        spit(cut, data, len - drop);
        read_fails(cut, "no PAR1 at its end");
    }
    /* Half the file. */
    spit(cut, data, len / 2);
    read_fails(cut, "no PAR1 at its end");

    /* The footer cut in its middle, its length and magic kept right. */
    size_t body = len - 8 - flen;
    for (uint32_t keep = 1; keep < flen; keep += flen / 7 + 1) {
        unsigned char *t = ds_xmalloc(body + keep + 8);
        memcpy(t, data, body + keep);
        put_le32(t + body + keep, keep);
        memcpy(t + body + keep + 4, "PAR1", 4);
        spit(cut, t, body + keep + 8);
        read_fails(cut, "footer is damaged");
        free(t);
    }

    /* A footer length larger than the file. */
    unsigned char *t = ds_xmalloc(len);
    memcpy(t, data, len);
    const uint32_t lies[] = {(uint32_t)len - 11, (uint32_t)len, (uint32_t)len * 2, 0x7fffffff,
                             0xffffffff};
    for (size_t i = 0; i < sizeof lies / sizeof *lies; i++) {
        put_le32(t + len - 8, lies[i]);
        spit(cut, t, len);
        read_fails(cut, "footer length is larger than the file");
    }
    /* The largest length that fits takes the file's start for its footer:
     * whatever it makes of that, it reads no byte outside the file. */
    put_le32(t + len - 8, (uint32_t)len - 12);
    spit(cut, t, len);
    ds_footer ft;
    char why[128];
    (void)ds_footer_read(cut, &ft, why, sizeof why);

    /* An encrypted footer ("PARE"). */
    memcpy(t, data, len);
    memcpy(t + len - 4, "PARE", 4);
    spit(cut, t, len);
    read_fails(cut, "encrypted");

    free(t);
    free(cut);
    free(data);
    free(path);
}

Test(footer, read_at_a_folder_with_a_known_stamp)
{
    char *path = parquet("at.parquet", "SELECT range AS a FROM range(7)", ", ROW_GROUP_SIZE 3");
    ds_footer whole = read_ok(path);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    int dirfd = open(tmp, O_RDONLY | O_DIRECTORY);
    cr_assert_geq(dirfd, 0);
    ds_footer ft;
    char why[128] = "";
    /* Without a stamp: its own fstat, as ds_footer_read. */
    cr_assert_eq(ds_footer_read_at(dirfd, "at.parquet", -1, 0, 0, &ft, why, sizeof why), 0, "%s",
                 why);
    cr_assert_eq(memcmp(&ft, &whole, sizeof ft), 0);
    /* With the caller's stamp: the same facts, that stamp kept. */
    cr_assert_eq(ds_footer_read_at(dirfd, "at.parquet", st.st_size, 42, 0, &ft, why, sizeof why), 0,
                 "%s", why);
    cr_assert_eq(ft.num_rows, 7);
    cr_assert_eq(ft.schema_hash, whole.schema_hash);
    cr_assert_eq(ft.size, st.st_size);
    cr_assert_eq(ft.mtime_ns, 42);
    /* A stamp the file no longer has (it grew, it shrank) is no footer. */
    cr_assert_eq(ds_footer_read_at(dirfd, "at.parquet", st.st_size - 1, 0, 0, &ft, why, sizeof why),
                 -1);
    cr_assert(strstr(why, "PAR1"), "%s", why);
    cr_assert_eq(ds_footer_read_at(dirfd, "at.parquet", st.st_size + 1, 0, 0, &ft, why, sizeof why),
                 -1);
    cr_assert(strstr(why, "read whole"), "%s", why);
    cr_assert_eq(ds_footer_read_at(dirfd, "gone.parquet", 100, 0, 0, &ft, why, sizeof why), -1);
    cr_assert(strstr(why, "cannot open it"), "%s", why);
    close(dirfd);
    free(path);
}

Test(footer, reading_leaves_the_access_time_alone)
{
    /* An access time older than the mtime: relatime would update it on
     * the next read (a first build over a lake just written). */
    char *path = parquet("atime.parquet", "SELECT 1 AS a", NULL);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    struct timespec ts[2] = {{st.st_mtim.tv_sec - 100, 0}, st.st_mtim};
    cr_assert_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
    read_ok(path);
    ds_footer ft;
    char why[128] = "";
    cr_assert_eq(ds_footer_read_at(AT_FDCWD, path, st.st_size, 0, 0, &ft, why, sizeof why), 0,
                 "%s", why);
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_atim.tv_sec, ts[0].tv_sec, "the access time moved");
    free(path);
}

/* ---- ds_footer_parse on bytes in memory -------------------------------- */

/* Parses a heap copy of exactly N bytes, so ASan sees any read past it. */
static int parse(const void *bytes, size_t n, ds_footer *ft, char *why, size_t why_len)
{
    unsigned char *copy = ds_xmalloc(n ? n : 1);
    memcpy(copy, bytes, n);
    memset(ft, 0, sizeof *ft);
    int rc = ds_footer_parse(copy, n, ft, why, why_len);
    free(copy);
    return rc;
}

static void parse_fails(const void *bytes, size_t n)
{
    ds_footer ft;
    char why[128] = "";
    cr_assert_eq(parse(bytes, n, &ft, why, sizeof why), -1);
    cr_assert(strstr(why, "footer") != NULL, "why = '%s'", why);
}

Test(footer, parse_a_minimal_footer)
{
    /* field 1 i32 = 1; field 2 list<struct> of one empty struct; field 3
     * i64 = 42 (zigzag 84); stop. */
    const unsigned char ok[] = {0x15, 0x02, 0x19, 0x1c, 0x00, 0x16, 0x54, 0x00};
    ds_footer ft;
    char why[128] = "";
    cr_assert_eq(parse(ok, sizeof ok, &ft, why, sizeof why), 0, "%s", why);
    cr_assert_eq(ft.num_rows, 42);
    cr_assert_eq(ft.n_columns, 1);
    /* Every proper prefix is damaged. */
    for (size_t n = 0; n < sizeof ok; n++)
        parse_fails(ok, n);
    /* Without a row count, or without a schema. */
    const unsigned char no_rows[] = {0x29, 0x1c, 0x00, 0x00};
    parse_fails(no_rows, sizeof no_rows);
    const unsigned char no_schema[] = {0x36, 0x54, 0x00};
    parse_fails(no_schema, sizeof no_schema);
}

Test(footer, parse_skips_every_thrift_type)
{
    /* Before the schema: field 1 a struct holding a bool, a byte, a
     * double, a binary, a list of bools, a set of i16, a map<i32,bool>, an
     * empty map and a long-form field id; then the schema and row count. */
    const unsigned char ok[] = {
        0x1c,                                           /* field 1: struct */
        0x11,                                           /* bool true */
        0x13, 0x7f,                                     /* byte */
        0x17, 1,    2,    3,    4,    5,    6,    7, 8, /* double */
        0x18, 0x03, 'a',  'b',  'c',                    /* binary */
        0x19, 0x31, 0x01, 0x02, 0x01,                   /* list<bool> of 3 */
        0x1a, 0x24, 0x02, 0x04,                         /* set<i16> of 2 */
        0x1b, 0x02, 0x51, 0x02, 0x01, 0x04, 0x02,       /* map<i32,bool> of 2 */
        0x1b, 0x00,                                     /* empty map */
        0x05, 0x90, 0x03, 0x02,                         /* field 200: i32 */
        0x00,                                           /* end of struct */
        0x19, 0x2c, 0x00, 0x00,                         /* field 2: 2 structs */
        0x16, 0x02,                                     /* field 3: 1 row */
        0x00,
    };
    ds_footer ft;
    char why[128] = "";
    cr_assert_eq(parse(ok, sizeof ok, &ft, why, sizeof why), 0, "%s", why);
    cr_assert_eq(ft.num_rows, 1);
    cr_assert_eq(ft.n_columns, 2);
}

Test(footer, parse_deep_nesting)
{
    /* 100 structs each opened by field 1 and never closed, then closed. */
    unsigned char deep[300];
    size_t n = 0;
    for (int i = 0; i < 100; i++)
        deep[n++] = 0x1c;
    for (int i = 0; i < 101; i++)
        deep[n++] = 0x00;
    parse_fails(deep, n);
    /* Lists of lists of lists... */
    n = 0;
    deep[n++] = 0x19;
    for (int i = 0; i < 200; i++)
        deep[n++] = 0x19; /* one element, a list */
    parse_fails(deep, n);
    /* A long run of nesting with nothing after it. */
    memset(deep, 0x1c, sizeof deep);
    parse_fails(deep, sizeof deep);
}

Test(footer, parse_huge_counts_and_lengths)
{
    /* field 2: a list of 2^32-1 structs in a few bytes. */
    const unsigned char list[] = {0x29, 0xfc, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x00};
    parse_fails(list, sizeof list);
    /* A list of 2^63 elements, and a varint that never ends. */
    const unsigned char list2[] = {0x19, 0xf5, 0xff, 0xff, 0xff, 0xff,
                                   0xff, 0xff, 0xff, 0xff, 0x7f, 0x00};
    parse_fails(list2, sizeof list2);
    const unsigned char varint[] = {0x15, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                    0xff, 0xff, 0xff, 0xff, 0xff, 0x00};
    parse_fails(varint, sizeof varint);
    /* A binary and a map claiming more bytes than there are. */
    const unsigned char bin[] = {0x18, 0xff, 0xff, 0xff, 0xff, 0x0f, 'a', 0x00};
    parse_fails(bin, sizeof bin);
    const unsigned char map[] = {0x1b, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x55, 0x00};
    parse_fails(map, sizeof map);
    /* A double cut short, an unknown type id, a list of stops. */
    const unsigned char dbl[] = {0x17, 1, 2, 3};
    parse_fails(dbl, sizeof dbl);
    const unsigned char unknown[] = {0x1d, 0x00};
    parse_fails(unknown, sizeof unknown);
    const unsigned char stops[] = {0x19, 0x30, 0x00, 0x00, 0x00, 0x00};
    parse_fails(stops, sizeof stops);
}

Test(footer, parse_random_bytes)
{
    /* Never crashes; checked for reads out of bounds under ASan. */
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    unsigned char buf[512];
    for (int round = 0; round < 20000; round++) {
        size_t n = (size_t)(seed % sizeof buf);
        for (size_t i = 0; i < n; i++) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            /* Mostly small values, so the walk goes deep before failing. */
            buf[i] = (unsigned char)(round % 2 ? seed : seed % 32);
        }
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        ds_footer ft;
        char why[64];
        int rc = parse(buf, n, &ft, why, sizeof why);
        cr_assert(rc == 0 || rc == -1);
    }
}

Test(footer, parse_real_footers_mutated)
{
    /* A real footer with each byte in turn replaced: any result, no crash. */
    char *path =
        parquet("m.parquet", "SELECT range AS a, {'x': [range]} AS s FROM range(10)", NULL);
    size_t len;
    unsigned char *data = slurp(path, &len);
    uint32_t flen = le32(data + len - 8);
    unsigned char *meta = data + len - 8 - flen;
    ds_footer ft;
    char why[64];
    cr_assert_eq(parse(meta, flen, &ft, why, sizeof why), 0, "%s", why);
    cr_assert_eq(ft.num_rows, 10);
    const unsigned char subst[] = {0x00, 0xff, 0x1c, 0x19, 0xf9};
    for (uint32_t i = 0; i < flen; i++) {
        unsigned char keep = meta[i];
        for (size_t k = 0; k < sizeof subst; k++) {
            meta[i] = subst[k];
            int rc = parse(meta, flen, &ft, why, sizeof why);
            cr_assert(rc == 0 || rc == -1);
        }
        meta[i] = keep;
    }
    free(data);
    free(path);
}
