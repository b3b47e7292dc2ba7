/* testutil.h - helpers shared by the unit tests: a fresh temporary
 * directory per test and small file writers. */
#ifndef DS_TESTUTIL_H
#define DS_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fs.h"
#include "util/util.h"

/* A new empty directory under /tmp; the caller frees the string. */
static inline char *test_tmpdir(void)
{
    char tmpl[] = "/tmp/ds-unit-XXXXXX";
    char *dir = mkdtemp(tmpl);
    if (!dir) {
        perror("mkdtemp");
        abort();
    }
    return ds_strdup(dir);
}

static inline void test_write(const char *dir, const char *rel, const char *text)
{
    char *path = ds_path_join(dir, rel);
    char *parent = ds_path_dirname(path);
    ds_err err;
    if (ds_mkdir_p(parent, &err) != 0 || ds_write_atomic(path, text, strlen(text), &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        abort();
    }
    free(parent);
    free(path);
}

static inline void test_rmtree(const char *dir)
{
    char *cmd = ds_asprintf("rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    free(cmd);
}

#endif
