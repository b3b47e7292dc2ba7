/* glob.c - expands an `upstream_glob` pattern into the regular files it
 * names (see glob.h for the pattern language).
 *
 * How the walk works.  The pattern is split on '/' into segments; the
 * leading wildcard-free ones form the base directory, the rest are matched
 * while walking down from it.  Instead of trying the pattern once per
 * possible way a `**` could expand (which revisits directories and produces
 * duplicates), every directory is visited at most once, carrying the *set*
 * of pattern positions that are still alive there ("states").  State i means
 * "the path below this directory must match segments i, i+1, ...".
 *
 * Speed matters (a lake can hold 100,000 files and the scan should keep up
 * with `find`), hence:
 *   - directories are listed with ds_walk_list_fd (util/walk.h), whose
 *     entry type comes from readdir's d_type; we only stat when the file
 *     system does not say (DS_WALK_LAZY_TYPES) or the entry is a symlink;
 *   - subdirectories are opened with openat() relative to their parent, so
 *     the kernel never re-resolves long paths;
 *   - directories are only opened when the remaining pattern can match
 *     something inside them, and a directory whose states are all literal
 *     names is not listed at all: those names are looked up directly;
 *   - the current path lives in one growing buffer, and matched paths are
 *     appended to one string block (no malloc per file); the result is
 *     sorted once at the end. */
#include "glob.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/fs.h"
#include "../util/walk.h"

/* ---- matching one segment ---------------------------------------------- */

/* Tests byte c against the set that starts just after a '['.  Returns a
 * pointer just past the closing ']' and sets *hit, or NULL when the set is
 * never closed (the caller then treats '[' as an ordinary character).  As in
 * POSIX, a ']' right after "[" or "[!" is a member, not the end. */
static const char *match_set(const char *p, unsigned char c, bool *hit)
{
    bool negate = false;
    if (*p == '!' || *p == '^') {
        negate = true;
        p++;
    }
    bool in = false;
    bool first = true;
    while (*p != '\0' && (*p != ']' || first)) {
        first = false;
        unsigned char lo = (unsigned char)*p;
        unsigned char hi = lo;
        if (p[1] == '-' && p[2] != '\0' && p[2] != ']') {
            hi = (unsigned char)p[2];
            p += 3;
        } else {
            p += 1;
        }
        if (lo <= c && c <= hi)
            in = true;
    }
    if (*p != ']')
        return NULL;
    *hit = (in != negate);
    return p + 1;
}

/* The classic wildcard matcher: walk both strings; on a mismatch go back to
 * the most recent '*' and let it swallow one more character.  Remembering
 * only the last star is enough, because an earlier star can never need to
 * match more than it did once a later star has matched. */
bool ds_glob_match_segment(const char *pattern, const char *name)
{
    assert(!strchr(pattern, '/') && !strchr(name, '/')); /* one segment each */
    const char *p = pattern;
    const char *n = name;
    const char *star_p = NULL; /* pattern just after the last '*' */
    const char *star_n = NULL; /* where in name that star started */

    while (*n != '\0') {
        if (*p == '*') {
            while (*p == '*')
                p++;
            star_p = p;
            star_n = n;
            continue;
        }
        if (*p == '?') {
            p++;
            n++;
            continue;
        }
        if (*p == '[') {
            bool hit = false;
            const char *after = match_set(p + 1, (unsigned char)*n, &hit);
            if (after == NULL && *n == '[') { /* unclosed: a literal '[' */
                p++;
                n++;
                continue;
            }
            if (after != NULL && hit) {
                p = after;
                n++;
                continue;
            }
        } else if (*p != '\0' && *p == *n) {
            p++;
            n++;
            continue;
        }
        /* Mismatch: retry with the last star covering one more byte. */
        if (star_p == NULL)
            return false;
        p = star_p;
        n = ++star_n;
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

/* One segment each of pattern and path, up to their '/' or end. */
static bool segment_at(const char *p, size_t plen, const char *s, size_t slen)
{
    char *pat = ds_strndup(p, plen), *name = ds_strndup(s, slen);
    bool hit = ds_glob_match_segment(pat, name);
    free(pat);
    free(name);
    return hit;
}

bool ds_glob_match_path(const char *pattern, const char *path)
{
    size_t plen = strcspn(pattern, "/");
    const char *rest = pattern[plen] ? pattern + plen + 1 : NULL;
    if (plen == 2 && pattern[0] == '*' && pattern[1] == '*') {
        /* '**' covers zero segments, then one more at a time. */
        for (const char *s = path;;) {
            if (!rest || ds_glob_match_path(rest, s))
                return true;
            const char *slash = strchr(s, '/');
            if (!slash)
                return false;
            s = slash + 1;
        }
    }
    size_t slen = strcspn(path, "/");
    if (!segment_at(pattern, plen, path, slen))
        return false;
    if (!rest)
        return path[slen] == '\0';
    return path[slen] == '/' && ds_glob_match_path(rest, path + slen + 1);
}

/* ---- the walk ----------------------------------------------------------- */

typedef struct {
    /* The segments below the base, consecutive `**` collapsed into one. */
    char **segs;
    bool *literal;  /* segment has no wildcard: compare with strcmp */
    bool *globstar; /* segment is `**` */
    size_t nseg;
    bool *mark; /* scratch, nseg entries: de-duplicates state sets */

    ds_buf path;       /* absolute path of the current directory plus '/' */
    size_t prefix_len; /* length of base + '/': where rel starts in path */

    ds_arena strings;   /* every matched absolute path */
    ds_glob_match *found;
    size_t nfound, capfound;
} scan_ctx;

static bool is_wild(const char *seg)
{
    return strpbrk(seg, "*?[") != NULL;
}

/* Adds state i to set (of length *n) unless already there. */
static void add_state(scan_ctx *c, size_t *set, size_t *n, size_t i)
{
    if (c->mark[i])
        return;
    c->mark[i] = true;
    set[(*n)++] = i;
}

/* A `**` may match zero directories, so wherever state i (a `**`) is alive,
 * the segment after it is alive too.  Collapsing repeated `**` at parse time
 * means one pass is enough.  Also clears the scratch marks. */
static void close_states(scan_ctx *c, size_t *set, size_t *n)
{
    size_t start_len = *n;
    for (size_t k = 0; k < start_len; k++) {
        size_t i = set[k];
        if (c->globstar[i] && i + 1 < c->nseg)
            add_state(c, set, n, i + 1);
    }
    for (size_t k = 0; k < *n; k++)
        c->mark[set[k]] = false;
}

static void record(scan_ctx *c, const char *name)
{
    if (c->nfound == c->capfound) {
        c->capfound = c->capfound ? 2 * c->capfound : 1024;
        c->found = ds_xrealloc(c->found, c->capfound * sizeof *c->found);
    }
    /* The arena never moves what it holds, so pointers are final at once. */
    size_t saved = c->path.len;
    ds_buf_puts(&c->path, name);
    char *abs = ds_arena_strndup(&c->strings, c->path.data, c->path.len);
    c->path.len = saved;
    c->path.data[saved] = '\0';
    c->found[c->nfound].abs = abs;
    c->found[c->nfound].rel = abs + c->prefix_len;
    c->nfound++;
}

static void walk(scan_ctx *c, int dirfd, const size_t *states, size_t nstates);

/* Considers one entry of the directory dirfd.  `type` is what the listing
 * said (DS_WALK_UNKNOWN when we only know the name).  child is scratch space for
 * nseg states. */
static void visit(scan_ctx *c, int dirfd, const char *name, ds_walk_type type,
                  const size_t *states, size_t nstates, size_t *child)
{
    /* First decide from the name alone what the entry could be good for:
     * a match (if it is a file) and/or a directory worth entering. */
    bool file_ok = false;
    size_t nchild = 0;
    for (size_t k = 0; k < nstates; k++) {
        size_t i = states[k];
        bool last = (i + 1 == c->nseg);
        if (c->globstar[i]) {
            add_state(c, child, &nchild, i); /* `**` eats this directory */
            if (last)
                file_ok = true; /* a trailing `**` takes every file below */
            continue;
        }
        bool hit =
            c->literal[i] ? strcmp(c->segs[i], name) == 0 : ds_glob_match_segment(c->segs[i], name);
        if (!hit)
            continue;
        if (last)
            file_ok = true;
        else
            add_state(c, child, &nchild, i + 1);
    }
    close_states(c, child, &nchild);
    if (!file_ok && nchild == 0)
        return;

    /* Only now find out the type, stat-ing only when readdir did not say
     * or the entry is a symlink.  Symlinks count if they lead to a regular
     * file; a symlinked directory is never entered nor matched. */
    if (type == DS_WALK_UNKNOWN && (type = ds_walk_type_at(dirfd, name)) == DS_WALK_UNKNOWN)
        return; /* vanished, or a literal name that does not exist */
    if (type == DS_WALK_LINK) {
        struct stat st;
        if (fstatat(dirfd, name, &st, 0) != 0 || !S_ISREG(st.st_mode))
            return; /* dangling, looping, or not a file */
        type = DS_WALK_FILE;
    }

    if (type == DS_WALK_FILE && file_ok) {
        record(c, name);
    } else if (type == DS_WALK_DIR && nchild > 0) {
        /* O_NOFOLLOW: should the directory be swapped for a symlink
         * between readdir and here, we still do not follow it. */
        int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int open_errno = errno; /* before the buffer's realloc can touch it */
        size_t saved = c->path.len;
        ds_buf_puts(&c->path, name);
        /* ENOENT, ENOTDIR and ELOOP mean the entry vanished or was replaced
         * since readdir: not worth a warning. */
        if (fd >= 0) {
            ds_buf_putc(&c->path, '/');
            walk(c, fd, child, nchild);
        } else if (open_errno != ENOENT && open_errno != ENOTDIR && open_errno != ELOOP) {
            ds_warn("skipping directory %s: %s", c->path.data, strerror(open_errno));
        }
        c->path.len = saved;
        c->path.data[saved] = '\0';
    }
}

static void visit_all(scan_ctx *c, int dirfd, const ds_walk_entry *entries, size_t n,
                      const size_t *states, size_t nstates)
{
    size_t *child = ds_xmalloc(c->nseg * sizeof *child);
    for (size_t i = 0; i < n; i++)
        visit(c, dirfd, entries[i].name, entries[i].type, states, nstates, child);
    free(child);
}

typedef struct {
    scan_ctx *c;
    int dirfd;
    const ds_walk_entry *entries;
    size_t n;
    const size_t *states;
    size_t nstates;
} visit_job;

static void *visit_job_run(void *arg)
{
    visit_job *j = arg;
    visit_all(j->c, j->dirfd, j->entries, j->n, j->states, j->nstates);
    return NULL;
}

static void visit_split(scan_ctx *c, int dirfd, const ds_walk_entry *entries, size_t n,
                        const size_t *states, size_t nstates)
{
    /* The helper shares the pattern, and has its own scratch and results. */
    scan_ctx h = {0};
    h.segs = c->segs;
    h.literal = c->literal;
    h.globstar = c->globstar;
    h.nseg = c->nseg;
    h.mark = ds_xcalloc(c->nseg, sizeof *h.mark);
    ds_buf_add(&h.path, c->path.data, c->path.len);
    h.prefix_len = c->prefix_len;
    size_t half = n / 2;
    visit_job job = {&h, dirfd, entries + half, n - half, states, nstates};
    pthread_t thread;
    bool threaded = pthread_create(&thread, NULL, visit_job_run, &job) == 0;
    visit_all(c, dirfd, entries, threaded ? half : n, states, nstates);
    if (threaded) {
        pthread_join(thread, NULL);
        if (c->nfound + h.nfound > c->capfound) {
            c->capfound = c->nfound + h.nfound;
            c->found = ds_xrealloc(c->found, c->capfound * sizeof *c->found);
        }
        if (h.nfound)
            memcpy(c->found + c->nfound, h.found, h.nfound * sizeof *h.found);
        c->nfound += h.nfound;
        ds_arena_take(&c->strings, &h.strings);
    }
    free(h.found);
    free(h.mark);
    ds_buf_free(&h.path);
}

/* Visits the directory dirfd (whose path is c->path) with the given closed
 * set of states, and closes dirfd. */
static void walk(scan_ctx *c, int dirfd, const size_t *states, size_t nstates)
{
    size_t *child = ds_xmalloc(c->nseg * sizeof *child);

    bool all_literal = true;
    for (size_t k = 0; k < nstates; k++)
        if (!c->literal[states[k]])
            all_literal = false;

    if (all_literal) {
        /* Only fixed names can match here: look them up instead of listing
         * a directory that may be huge.  Two states may name the same
         * entry; visit it once (visit() handles both states). */
        for (size_t k = 0; k < nstates; k++) {
            const char *name = c->segs[states[k]];
            bool seen = false;
            for (size_t j = 0; j < k; j++)
                if (strcmp(c->segs[states[j]], name) == 0)
                    seen = true;
            if (!seen)
                visit(c, dirfd, name, DS_WALK_UNKNOWN, states, nstates, child);
        }
        close(dirfd);
        free(child);
        return;
    }

    /* Entries are visited in sorted order, so matches come out (nearly
     * always) already sorted and the final sort is skipped.  Directories
     * sort as "name/", the way their files' paths compare.  The listing
     * leaves dirfd open: visit() needs it. */
    ds_walk_listing l;
    if (ds_walk_list_fd(dirfd, DS_WALK_LAZY_TYPES, &l) != 0) {
        ds_warn("skipping directory %s: %s", c->path.data, strerror(errno));
        close(dirfd);
        free(child);
        return;
    }
    if (l.error != 0)
        ds_warn("cannot finish reading directory %s: %s", c->path.data, strerror(l.error));
    free(child);
    /* The base directory's entries are shared between two threads (the
     * machine this targets has two cores): each walks its half of the
     * sorted entries, and the second half's matches follow the first's, so
     * the order is kept. */
    if (c->path.len == c->prefix_len && l.n >= 2)
        visit_split(c, dirfd, l.items, l.n, states, nstates);
    else
        visit_all(c, dirfd, l.items, l.n, states, nstates);
    close(dirfd);
    ds_walk_list_free(&l);
}

/* ---- entry points ------------------------------------------------------- */

static int cmp_rel(const void *a, const void *b)
{
    const ds_glob_match *x = a;
    const ds_glob_match *y = b;
    return strcmp(x->rel, y->rel);
}

/* Splits s (modified in place) on '/', dropping empty and "." segments.
 * Returns how many segments it stored in segs (room for strlen(s)/2 + 1). */
static size_t split_segments(char *s, char **segs)
{
    size_t n = 0;
    while (*s != '\0') {
        char *end = strchr(s, '/');
        char *next = end ? end + 1 : s + strlen(s);
        if (end)
            *end = '\0';
        if (s[0] != '\0' && strcmp(s, ".") != 0)
            segs[n++] = s;
        s = next;
    }
    return n;
}

/* Splits PATTERN (in COPY, a writable duplicate) into ALL, finds how many
 * leading segments form the base (*NBASE) and returns the base as an
 * absolute, lexically normalised path (caller frees), or NULL with err set. */
static char *split_base(const char *pattern, const char *root, char *copy, char **all,
                        size_t *nall, size_t *nbase, ds_err *err)
{
    *nall = split_segments(copy, all);
    if (*nall == 0) {
        ds_err_set(err, "glob \"%s\" names no file", pattern);
        return NULL;
    }

    /* The base: leading literal segments, but never the last one, which
     * names files (a pattern without wildcards names a single file). */
    *nbase = 0;
    while (*nbase + 1 < *nall && !is_wild(all[*nbase]))
        (*nbase)++;
    for (size_t i = *nbase; i < *nall; i++) {
        if (strcmp(all[i], "..") == 0) {
            ds_err_set(err, "glob \"%s\": \"..\" is only allowed before the first wildcard",
                       pattern);
            return NULL;
        }
    }
    ds_buf base = {0};
    if (pattern[0] == '/')
        ds_buf_putc(&base, '/');
    else
        ds_buf_puts(&base, root != NULL && root[0] != '\0' ? root : ".");
    for (size_t i = 0; i < *nbase; i++) {
        ds_buf_putc(&base, '/');
        ds_buf_puts(&base, all[i]);
    }
    char *abs = ds_path_abs(ds_buf_str(&base));
    ds_buf_free(&base);
    return abs;
}

char *ds_glob_base(const char *pattern, const char *root, ds_err *err)
{
    char *copy = ds_strdup(pattern);
    char **all = ds_xmalloc((strlen(copy) / 2 + 1) * sizeof *all);
    size_t nall, nbase;
    char *base = split_base(pattern, root, copy, all, &nall, &nbase, err);
    free(all);
    free(copy);
    return base;
}

int ds_glob_scan(const char *pattern, const char *root, ds_glob_result *out, ds_err *err)
{
    assert(pattern && root && out);
    memset(out, 0, sizeof *out);

    /* The root is a plain path, never a pattern, so only the pattern's own
     * segments are inspected for wildcards. */
    char *copy = ds_strdup(pattern);
    char **all = ds_xmalloc((strlen(copy) / 2 + 1) * sizeof *all);
    size_t nall, nbase;
    out->base = split_base(pattern, root, copy, all, &nall, &nbase, err);
    if (!out->base) {
        free(all);
        free(copy);
        return -1;
    }

    scan_ctx c = {0};
    size_t nrest = nall - nbase;
    c.segs = ds_xmalloc(nrest * sizeof *c.segs);
    c.literal = ds_xmalloc(nrest * sizeof *c.literal);
    c.globstar = ds_xmalloc(nrest * sizeof *c.globstar);
    c.mark = ds_xcalloc(nrest, sizeof *c.mark);
    for (size_t i = nbase; i < nall; i++) {
        bool star2 = strcmp(all[i], "**") == 0;
        if (star2 && c.nseg > 0 && c.globstar[c.nseg - 1])
            continue; /* `**` / `**` means the same as one `**` */
        c.segs[c.nseg] = all[i];
        c.globstar[c.nseg] = star2;
        c.literal[c.nseg] = !is_wild(all[i]);
        c.nseg++;
    }

    ds_buf_puts(&c.path, out->base);
    if (c.path.data[c.path.len - 1] != '/')
        ds_buf_putc(&c.path, '/');
    c.prefix_len = c.path.len;

    /* The base itself may be reached through symlinks: it is the user's
     * own path.  Only the walk below it refuses to follow them. */
    int fd = open(out->base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        size_t start[2];
        size_t nstart = 0;
        add_state(&c, start, &nstart, 0);
        close_states(&c, start, &nstart);
        walk(&c, fd, start, nstart);
    } else if (errno != ENOENT && errno != ENOTDIR) {
        ds_warn("cannot read directory %s: %s", out->base, strerror(errno));
    }

    out->strings = c.strings;
    out->len = out->cap = c.nfound;
    out->items = c.found ? c.found : ds_xmalloc(sizeof *out->items);
    ds_sort_unless_sorted(out->items, out->len, sizeof *out->items, cmp_rel);

    ds_buf_free(&c.path);
    free(c.mark);
    free(c.globstar);
    free(c.literal);
    free(c.segs);
    free(all);
    free(copy);
    return 0;
}

void ds_glob_result_free(ds_glob_result *r)
{
    if (r == NULL)
        return;
    free(r->base);
    free(r->items);
    ds_arena_free(&r->strings);
    memset(r, 0, sizeof *r);
}
