/* facts.c - the per-file facts cache (see facts.h).
 *
 * The file is text, sorted by path, so it loads with one read and is found
 * by binary search: a line is
 *   size \t mtime_ns \t ctime_ns \t num_rows \t n_columns \t codecs(hex) \t
 *   schema_hash(hex) \t path \n
 * The first line names the format; any other first line (an older
 * format's) discards the file, whose footers are then read again. */
#include "facts.h"

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../util/fs.h"
#include "batchread.h"

#define HEADER "ducksite file facts 3\n"

typedef struct {
    const char *path;
    uint64_t hash;      /* of the path (fresh entries: their index slot) */
    ds_footer facts;
    bool used;          /* old: looked up this build; fresh: to be saved */
    bool unasked;       /* fresh, read before it was looked up: not yet a hit */
} fact;

struct ds_facts {
    char *file;         /* .ducksite/file_facts */
    char *text;         /* the loaded cache; old entries' paths point in it */
    fact *old;          /* sorted by path */
    size_t n_old;
    size_t next_old;    /* after the last old entry found */
    size_t next_fresh;  /* after the last fresh entry found */
    fact *fresh;        /* read this build, one per path */
    size_t n_fresh, cap_fresh;
    size_t *slots;      /* hash index of fresh: position + 1, 0 if free */
    size_t n_slots;     /* a power of two, at least twice n_fresh */
    size_t n_new;       /* fresh entries to be saved */
    ds_arena strings;   /* paths of fresh entries */
    size_t hits, reads, n_used_old;
    double read_ms;     /* time spent reading footers */
    bool damaged;       /* the loaded file had lines we could not read */
    bool one_by_one;    /* footers read one file at a time (ds_facts_one_by_one) */
};

static int cmp_fact(const void *a, const void *b)
{
    return strcmp(((const fact *)a)->path, ((const fact *)b)->path);
}

/* One tab-ended field of a line in BASE (10 or 16), digits only (a
 * leading '-' in base 10): strtoll would also take spaces and a '+'. */
static bool field(const char **p, int base, bool sign, uint64_t max, uint64_t *out)
{
    const char *s = *p;
    bool neg = sign && base == 10 && *s == '-';
    s += neg;
    uint64_t v = 0;
    const char *start = s;
    for (;; s++) {
        int d = *s >= '0' && *s <= '9'                ? *s - '0'
                : base == 16 && *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
                                                        : -1;
        if (d < 0)
            break;
        /* No division per digit: a million lines are read at every build. */
        if (__builtin_mul_overflow(v, (uint64_t)base, &v) ||
            __builtin_add_overflow(v, (uint64_t)d, &v) || v > max)
            return false;
    }
    if (s == start || *s != '\t')
        return false;
    *out = neg ? (uint64_t)0 - v : v;
    *p = s + 1;
    return true;
}

/* A line's facts (without sscanf: a million lines are read at every
 * build); returns where its path starts, or NULL when it does not read. */
static const char *parse_line(const char *p, ds_footer *out)
{
    uint64_t size, mtime, ctime, rows, cols, codecs, hash;
    if (!field(&p, 10, true, INT64_MAX, &size) || !field(&p, 10, true, INT64_MAX, &mtime) ||
        !field(&p, 10, true, INT64_MAX, &ctime) || !field(&p, 10, true, INT64_MAX, &rows) || !field(&p, 10, false, UINT32_MAX, &cols) ||
        !field(&p, 16, false, UINT16_MAX, &codecs) || !field(&p, 16, false, UINT64_MAX, &hash) ||
        *p != '/')
        return NULL;
    out->size = (int64_t)size;
    out->mtime_ns = (int64_t)mtime;
    out->ctime_ns = (int64_t)ctime;
    out->num_rows = (int64_t)rows;
    out->n_columns = (uint32_t)cols;
    out->codecs = (uint16_t)codecs;
    out->schema_hash = hash;
    return p;
}

/* Parses the loaded text in place; stops at the first line that does not
 * read (the rest is read again from the files) and marks the cache
 * damaged, so that the next save rewrites it. */
static void load(ds_facts *f)
{
    size_t len;
    ds_err err;
    f->text = ds_read_file(f->file, &len, &err);
    if (!f->text)
        return;
    if (strncmp(f->text, HEADER, strlen(HEADER)) != 0) {
        f->damaged = true;
        return;
    }
    size_t cap = 0;
    for (const char *q = f->text, *end = f->text + len; (q = memchr(q, '\n', (size_t)(end - q)));
         q++)
        cap++;
    f->old = ds_xcalloc(cap + 1, sizeof *f->old);
    char *p = f->text + strlen(HEADER);
    while (*p) {
        char *nl = strchr(p, '\n');
        if (!nl)
            break;
        *nl = '\0';
        fact *e = &f->old[f->n_old];
        const char *path = parse_line(p, &e->facts);
        if (!path)
            break;
        e->path = path;
        /* Written sorted; a hand-edited file that is not is ignored. */
        if (f->n_old && strcmp(f->old[f->n_old - 1].path, e->path) >= 0)
            break;
        f->n_old++;
        p = nl + 1;
    }
    /* A NUL byte, a bad line or a last line without its newline. */
    f->damaged = p != f->text + len;
}

char *ds_facts_path(const char *root)
{
    char *dir = ds_path_join(root, DS_FACTS_DIR);
    char *file = ds_path_join(dir, DS_FACTS_FILE);
    free(dir);
    return file;
}

ds_facts *ds_facts_open(const char *root)
{
    ds_facts *f = ds_xcalloc(1, sizeof *f);
    if (!root)
        return f; /* kept for this build only */
    f->file = ds_facts_path(root);
    load(f);
    return f;
}

/* A source's files are asked for in the order of their paths, mostly:
 * the entry after the last one found is tried before a binary search. */
static fact *find_old(ds_facts *f, const char *path)
{
    if (f->next_old < f->n_old && strcmp(f->old[f->next_old].path, path) == 0)
        return &f->old[f->next_old++];
    fact key = {path, 0, {0}, false, false};
    fact *e = f->n_old ? bsearch(&key, f->old, f->n_old, sizeof *f->old, cmp_fact) : NULL;
    if (e)
        f->next_old = (size_t)(e - f->old) + 1;
    return e;
}

/* The fresh entries are found by a hash of their path: a build looks a
 * file up more than once when a source has an unreadable file (its schema,
 * then its bad files, then its schema without them), and a footer read
 * this build must not be read again. */
static size_t slot_of(const ds_facts *f, const char *path, uint64_t h)
{
    size_t i = (size_t)h & (f->n_slots - 1);
    while (f->slots[i]) {
        const fact *e = &f->fresh[f->slots[i] - 1];
        if (e->hash == h && strcmp(e->path, path) == 0)
            break;
        i = (i + 1) & (f->n_slots - 1);
    }
    return i;
}

/* The paths of the fresh entries are unique: each goes to the first free
 * slot of its hash, without comparing paths. */
static void reindex(ds_facts *f)
{
    free(f->slots);
    f->n_slots = 512;
    while (f->n_slots < 2 * f->cap_fresh)
        f->n_slots *= 2;
    f->slots = ds_xcalloc(f->n_slots, sizeof *f->slots);
    for (size_t i = 0; i < f->n_fresh; i++) {
        size_t at = (size_t)f->fresh[i].hash & (f->n_slots - 1);
        while (f->slots[at])
            at = (at + 1) & (f->n_slots - 1);
        f->slots[at] = i + 1;
    }
}

/* The fresh entry of PATH, whose hash is H. */
static fact *find_fresh(ds_facts *f, const char *path, uint64_t h)
{
    if (!f->n_fresh)
        return NULL;
    size_t i = f->slots[slot_of(f, path, h)];
    return i ? &f->fresh[i - 1] : NULL;
}

/* A line load() reads back: an absolute path without a newline (any
 * other file is simply read again at every build). */
static bool storable(const char *path)
{
    return path[0] == '/' && !strchr(path, '\n');
}

/* Room for N more fresh entries (indexed once, not at every doubling). */
static void reserve_fresh(ds_facts *f, size_t n)
{
    if (f->n_fresh + n <= f->cap_fresh)
        return;
    size_t cap = f->cap_fresh ? f->cap_fresh * 2 : 256;
    while (cap < f->n_fresh + n)
        cap *= 2;
    f->cap_fresh = cap;
    f->fresh = ds_xrealloc(f->fresh, f->cap_fresh * sizeof *f->fresh);
    reindex(f);
}

static void add_fresh(ds_facts *f, const char *path, uint64_t h, const ds_footer *facts)
{
    reserve_fresh(f, 1);
    bool keep = storable(path);
    f->fresh[f->n_fresh] = (fact){ds_arena_strdup(&f->strings, path), h, *facts, keep, false};
    f->slots[slot_of(f, path, h)] = ++f->n_fresh;
    f->n_new += keep;
}

/* Is the file (its stamp in NOW, or NULL to stat it) as KNOWN says?  The
 * ctime too: bytes copied over a file with its size and mtime kept (cp
 * -p, touch -d) change it, and so does a chmod that may make the file
 * unreadable. */
static bool unchanged(const char *path, const ds_file_stamp *now, const ds_footer *known)
{
    ds_file_stamp own;
    if (!now) {
        if (ds_file_stamp_of(path, &own) != 0)
            return false;
        now = &own;
    }
    return now->size == known->size && now->mtime_ns == known->mtime_ns &&
           now->ctime_ns == known->ctime_ns;
}

int ds_file_stamp_of(const char *path, ds_file_stamp *out)
{
    return ds_file_stamp_at(AT_FDCWD, path, out);
}

int ds_file_stamp_at(int dirfd, const char *name, ds_file_stamp *out)
{
    struct stat st;
    if (fstatat(dirfd, name, &st, 0) != 0 || !S_ISREG(st.st_mode))
        return -1;
    out->size = (int64_t)st.st_size;
    out->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    out->ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
    return 0;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The facts of PATH when the cache knows them as the file is now (NOW, or
 * NULL to stat it).  What this build read is newer than the saved cache. */
/* The fresh entry of PATH: the one after the last found first (a first
 * build looks its files up in the order it read them), else by *H, the
 * path's hash, computed here when *HASHED is false. */
static fact *find_fresh_near(ds_facts *f, const char *path, uint64_t *h, bool *hashed)
{
    if (f->next_fresh < f->n_fresh && strcmp(f->fresh[f->next_fresh].path, path) == 0)
        return &f->fresh[f->next_fresh++];
    if (!f->n_fresh)
        return NULL;
    if (!*hashed) {
        *h = ds_hash(path, strlen(path));
        *hashed = true;
    }
    fact *e = find_fresh(f, path, *h);
    if (e)
        f->next_fresh = (size_t)(e - f->fresh) + 1;
    return e;
}

static bool known_facts(ds_facts *f, const char *path, uint64_t *h, bool *hashed,
                        const ds_file_stamp *now, ds_footer *out)
{
    fact *fresh = find_fresh_near(f, path, h, hashed);
    fact *known = fresh ? fresh : find_old(f, path);
    if (!known || !unchanged(path, now, &known->facts))
        return false;
    if (!fresh && !known->used) {
        known->used = true;
        f->n_used_old++;
    }
    *out = known->facts;
    if (fresh && fresh->unasked)
        fresh->unasked = false; /* read this build: counted as read */
    else
        f->hits++;
    return true;
}

/* Keeps the facts of a footer read this build. */
static void remember(ds_facts *f, const char *path, uint64_t h, const ds_footer *facts)
{
    fact *fresh = find_fresh(f, path, h);
    if (fresh)
        fresh->facts = *facts; /* it changed during this build */
    else
        add_fresh(f, path, h, facts);
}

int ds_facts_get(ds_facts *f, const char *path, ds_footer *out, char *why, size_t why_len)
{
    return ds_facts_get_stamped(f, path, NULL, out, why, why_len);
}

int ds_facts_get_stamped(ds_facts *f, const char *path, const ds_file_stamp *now,
                         ds_footer *out, char *why, size_t why_len)
{
    uint64_t h = ds_hash(path, strlen(path));
    bool hashed = true;
    if (known_facts(f, path, &h, &hashed, now, out))
        return 0;
    f->reads++;
    double t = now_ms();
    int rc = ds_footer_read(path, out, why, why_len);
    f->read_ms += now_ms() - t;
    if (rc != 0)
        return -1;
    remember(f, path, h, out);
    return 0;
}

/* ---- many files at once ---------------------------------------------------- */

/* Files a reading thread takes at a time (a folder's files stay together,
 * so its folder is opened once and its files read as one batch), and the
 * threads reading them, whatever the cores: a lake that is not in the
 * page cache is read one 4 KiB page per file, and the disk answers as
 * many reads as are asked at once (a 1,000,000-file first build on two
 * cores, reading one file at a time: footers 21 s with 2 threads, 13.7 s
 * with 8, 11 s with 16, 10.7 s with 64); from the page cache the reads
 * cost CPU, and 16 threads on two cores read as fast as 2. */
#define RUN DS_BATCHREAD_MAX
#define READ_THREADS 16
/* Batches keep the disk as busy with fewer threads: measured on the same
 * lake out of the page cache, 8.1 s with 4 threads, 8.3 s with 16; from
 * the cache 2.5 s with 4, 2.6 s with 16, 2.8 s with 2. */
#define BATCH_THREADS 4

typedef struct {
    const ds_facts_want *want;
    const size_t *todo;     /* positions in want and out */
    size_t n;
    ds_footer *out;
    bool *ok;
    bool use_ring;
    atomic_size_t next;
} reading;

/* Reads TODO[from..to), files of the folder open as DIRFD (AT_FDCWD:
 * their paths are used whole), NAME_AT being where each name starts. */
static void read_batch(reading *r, ds_batchread *br, int dirfd, size_t from, size_t to,
                       size_t name_at)
{
    ds_batchread_file files[RUN];
    ds_footer got[RUN];
    bool ok[RUN];
    size_t n = to - from;
    for (size_t k = 0; k < n; k++) {
        const ds_facts_want *w = &r->want[r->todo[from + k]];
        files[k] = (ds_batchread_file){dirfd == AT_FDCWD ? w->path : w->path + name_at,
                                       w->stamp.size, w->stamp.mtime_ns, w->stamp.ctime_ns};
    }
    ds_batchread_footers(br, dirfd, files, n, got, ok);
    for (size_t k = 0; k < n; k++) {
        size_t i = r->todo[from + k];
        r->ok[i] = ok[k];
        r->out[i] = got[k];
    }
}

/* Reads the footers of a run of files, each folder's files as one batch
 * opened relative to the folder (opened once; a path lookup is most of
 * an open's cost). */
static void read_run(reading *r, ds_batchread *br, size_t from, size_t to)
{
    size_t k = from;
    while (k < to) {
        const char *path = r->want[r->todo[k]].path;
        const char *slash = strrchr(path, '/');
        size_t len = slash ? (size_t)(slash - path) : 0;
        size_t end = k + 1;
        while (end < to && slash) {
            const char *next = r->want[r->todo[end]].path;
            if (strncmp(next, path, len + 1) != 0 || strchr(next + len + 1, '/'))
                break;
            end++;
        }
        int dirfd = -1;
        if (slash && len < PATH_MAX) {
            char dir[PATH_MAX];
            memcpy(dir, path, len);
            dir[len] = '\0';
            dirfd = open(len ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        }
        read_batch(r, br, dirfd >= 0 ? dirfd : AT_FDCWD, k, end, len + 1);
        if (dirfd >= 0)
            close(dirfd);
        k = end;
    }
}

static void *read_runs(void *arg)
{
    reading *r = arg;
    ds_batchread *br = ds_batchread_new(r->use_ring);
    for (;;) {
        size_t at = atomic_fetch_add(&r->next, RUN);
        if (at >= r->n)
            break;
        read_run(r, br, at, at + RUN < r->n ? at + RUN : r->n);
    }
    ds_batchread_free(br);
    return NULL;
}

/* Reads the files of TODO, on this thread and up to READ_THREADS - 1
 * more (a thread that cannot start is not needed). */
static void read_all(reading *r)
{
    size_t n_threads = r->use_ring && ds_batchread_available() ? BATCH_THREADS : READ_THREADS;
    if (n_threads > r->n / RUN)
        n_threads = r->n / RUN ? r->n / RUN : 1;
    pthread_t threads[READ_THREADS > BATCH_THREADS ? READ_THREADS : BATCH_THREADS];
    size_t started = 0;
    while (started + 1 < n_threads &&
           pthread_create(&threads[started], NULL, read_runs, r) == 0)
        started++;
    read_runs(r);
    for (size_t t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
}

/* Reads the footers of WANT[TODO[k]] (HASHES[k]: each path's hash) and
 * keeps those read, in the files' order: the cache's entries come out as
 * they went in.  UNASKED: read before anyone asked (not yet a hit). */
static void read_and_keep(ds_facts *f, const ds_facts_want *want, const size_t *todo,
                          size_t n_todo, const uint64_t *hashes, ds_footer *out, bool *ok,
                          bool unasked)
{
    reading r = {want, todo, n_todo, out, ok, !f->one_by_one, 0};
    double t = now_ms();
    read_all(&r);
    f->read_ms += now_ms() - t;
    reserve_fresh(f, n_todo);
    for (size_t k = 0; k < n_todo; k++) {
        size_t i = todo[k];
        if (!ok[i])
            continue;
        f->reads++;
        size_t before = f->n_fresh;
        remember(f, want[i].path, hashes[k], &out[i]);
        if (f->n_fresh > before)
            f->fresh[f->n_fresh - 1].unasked = unasked;
    }
}

void ds_facts_get_all(ds_facts *f, const ds_facts_want *want, size_t n, ds_footer *out,
                      bool *ok)
{
    size_t *todo = ds_xcalloc(n + 1, sizeof *todo);
    uint64_t *hashes = ds_xcalloc(n + 1, sizeof *hashes);
    size_t n_todo = 0;
    for (size_t i = 0; i < n; i++) {
        ok[i] = false;
        if (want[i].stamp.size < 0)
            continue; /* the caller's lookup stats it */
        /* Hashed only when needed: entries read this build are mostly
         * found next to the last one, and a rebuild has none. */
        uint64_t h = 0;
        bool hashed = false;
        if (known_facts(f, want[i].path, &h, &hashed, &want[i].stamp, &out[i])) {
            ok[i] = true;
        } else {
            hashes[n_todo] = hashed ? h : ds_hash(want[i].path, strlen(want[i].path));
            todo[n_todo++] = i;
        }
    }
    if (n_todo)
        read_and_keep(f, want, todo, n_todo, hashes, out, ok, false);
    free(todo);
    free(hashes);
}

bool ds_facts_empty(const ds_facts *f)
{
    return f->n_old == 0;
}

void ds_facts_read_unstamped(ds_facts *f, const ds_facts_want *want, size_t n, ds_footer *out,
                             bool *ok)
{
    size_t *todo = ds_xcalloc(n + 1, sizeof *todo);
    uint64_t *hashes = ds_xcalloc(n + 1, sizeof *hashes);
    for (size_t i = 0; i < n; i++) {
        todo[i] = i;
        hashes[i] = ds_hash(want[i].path, strlen(want[i].path));
        ok[i] = false;
    }
    /* A stamp of -1 makes the reader stat each file it opens. */
    read_and_keep(f, want, todo, n, hashes, out, ok, true);
    free(todo);
    free(hashes);
}

void ds_facts_one_by_one(ds_facts *f)
{
    f->one_by_one = true;
}

size_t ds_facts_hits(const ds_facts *f)
{
    return f->hits;
}

size_t ds_facts_reads(const ds_facts *f)
{
    return f->reads;
}

double ds_facts_read_ms(const ds_facts *f)
{
    return f->read_ms;
}

/* Appends V in decimal (a million lines are written by a first build:
 * without printf's parsing of its format each time). */
static void put_dec(ds_buf *b, uint64_t v, bool neg)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[sizeof tmp - ++n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (neg)
        tmp[sizeof tmp - ++n] = '-';
    ds_buf_add(b, tmp + sizeof tmp - n, n);
    ds_buf_putc(b, '\t');
}

static void put_i64(ds_buf *b, int64_t v)
{
    put_dec(b, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, v < 0);
}

/* How much of the cache's text is gathered before it is written. */
#define SAVE_BLOCK (1 << 20)

static void put_fact(ds_buf *b, const fact *e)
{
    static const char hex[] = "0123456789abcdef";
    put_i64(b, e->facts.size);
    put_i64(b, e->facts.mtime_ns);
    put_i64(b, e->facts.ctime_ns);
    put_i64(b, e->facts.num_rows);
    put_dec(b, e->facts.n_columns, false);
    char c[5];
    for (int i = 0; i < 4; i++)
        c[i] = hex[(e->facts.codecs >> (12 - 4 * i)) & 0xf];
    c[4] = '\t';
    ds_buf_add(b, c, sizeof c);
    char h[17];
    for (int i = 0; i < 16; i++)
        h[i] = hex[(e->facts.schema_hash >> (60 - 4 * i)) & 0xf];
    h[16] = '\t';
    ds_buf_add(b, h, sizeof h);
    ds_buf_puts(b, e->path);
    ds_buf_putc(b, '\n');
}

/* Are the fresh entries in order already?  They are read in the order of
 * the sources' files, which is the paths' for a glob. */
static bool fresh_sorted(const ds_facts *f)
{
    for (size_t i = 1; i < f->n_fresh; i++)
        if (strcmp(f->fresh[i - 1].path, f->fresh[i].path) > 0)
            return false;
    return true;
}

/* Has the cache anything to write?  Unchanged: every old entry used,
 * nothing read, nothing damaged. */
static bool save_needed(const ds_facts *f)
{
    return f->file && (f->n_new > 0 || f->n_used_old != f->n_old || f->damaged);
}

/* The first half of a save, on the caller's thread: entries in order and
 * the file open (its open is where a write can fail first, fs.h). */
static bool save_open(ds_facts *f, ds_stream *out, ds_err *err)
{
    if (f->n_fresh > 1 && !fresh_sorted(f)) {
        qsort(f->fresh, f->n_fresh, sizeof *f->fresh, cmp_fact);
        reindex(f); /* lookups after a save still find them */
    }
    char *dir = ds_path_dirname(f->file);
    bool ok = ds_mkdir_p(dir, err) == 0 && ds_stream_open(out, f->file, 0644, err) == 0;
    free(dir);
    return ok;
}

/* The second half: the entries written and the file put in place.
 * Written a block at a time: a million files' facts are 95 MB of text,
 * which held whole cost a tenth of a first build in page faults and
 * copies as the buffer grew. */
static bool save_write(const ds_facts *f, ds_stream *out, ds_err *err)
{
    ds_buf b = {0};
    ds_buf_puts(&b, HEADER);
    /* Merge the two sorted lists; a path in both (a file that changed)
     * keeps its fresh facts, which come first. */
    size_t i = 0, j = 0;
    const char *last = NULL;
    while (!out->error && (i < f->n_old || j < f->n_fresh)) {
        const fact *e;
        if (j == f->n_fresh || (i < f->n_old && strcmp(f->old[i].path, f->fresh[j].path) < 0))
            e = &f->old[i++];
        else
            e = &f->fresh[j++];
        if (!e->used || (last && strcmp(last, e->path) == 0))
            continue;
        put_fact(&b, e);
        last = e->path;
        if (b.len >= SAVE_BLOCK) {
            ds_stream_write(out, b.data, b.len);
            b.len = 0;
        }
    }
    ds_stream_write(out, b.data, b.len);
    ds_buf_free(&b);
    return ds_stream_commit(out, false, err) == 0;
}

static void warn_not_saved(const ds_err *err)
{
    ds_warn("the file facts cache could not be written (%s); the next build reads every "
            "footer again",
            err->msg);
}

bool ds_facts_save(ds_facts *f)
{
    if (!save_needed(f))
        return true;
    ds_err err;
    ds_stream out;
    bool ok = save_open(f, &out, &err) && save_write(f, &out, &err);
    if (!ok)
        warn_not_saved(&err);
    return ok;
}

struct ds_facts_saving {
    ds_facts *facts;
    ds_stream out;
    bool ok, threaded;
    ds_err err;
    double t0, ms;
    pthread_t thread;
};

static void *save_in_background(void *arg)
{
    ds_facts_saving *s = arg;
    s->ok = save_write(s->facts, &s->out, &s->err);
    ds_facts_close(s->facts); /* its 100+ MB freed as soon as written */
    s->facts = NULL;
    s->ms = ds_monotonic() * 1e3 - s->t0;
    return NULL;
}

ds_facts_saving *ds_facts_save_start(ds_facts *f)
{
    ds_facts_saving *s = ds_xcalloc(1, sizeof *s);
    s->t0 = ds_monotonic() * 1e3;
    s->ok = true;
    if (!f || !save_needed(f)) {
        ds_facts_close(f);
        return s;
    }
    if (!save_open(f, &s->out, &s->err)) {
        s->ok = false;
        ds_facts_close(f);
        return s;
    }
    s->facts = f;
    s->threaded = pthread_create(&s->thread, NULL, save_in_background, s) == 0;
    if (!s->threaded)
        save_in_background(s); /* no thread: written here */
    return s;
}

bool ds_facts_save_finish(ds_facts_saving *s, double *ms)
{
    if (!s)
        return true;
    if (s->threaded)
        pthread_join(s->thread, NULL);
    bool ok = s->ok;
    if (!ok)
        warn_not_saved(&s->err);
    if (ms)
        *ms = s->ms;
    free(s);
    return ok;
}

void ds_facts_close(ds_facts *f)
{
    if (!f)
        return;
    free(f->file);
    free(f->text);
    free(f->old);
    free(f->fresh);
    free(f->slots);
    ds_arena_free(&f->strings);
    free(f);
}
