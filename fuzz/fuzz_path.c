/* fuzz_path.c - libFuzzer target for the request path normaliser
 * (src/server/pathnorm.c) and the name-based lookups that follow it
 * (src/server/mime.c).
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *            src/server/pathnorm.c src/server/mime.c fuzz/fuzz_path.c -o fuzz_path
 *
 * For every accepted path, checks the promises the server relies on: no
 * segment starts with '.', no empty segment, no '\\' or control byte, no
 * leading or trailing '/', and normalising the result again (with '%'
 * re-encoded) gives the same result. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/mime.h"
#include "server/pathnorm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_result(const char *out)
{
    size_t n = strlen(out);
    if (n && (out[0] == '/' || out[n - 1] == '/'))
        abort();
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)out[i];
        if (c == '\\' || c < 0x20 || c == 0x7f)
            abort();
        bool seg_start = i == 0 || out[i - 1] == '/';
        if (seg_start && (c == '.' || c == '/'))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[512];
    bool dir;
    ds_pathnorm_result r = ds_pathnorm((const char *)data, size, out, sizeof out, &dir);
    if (r != DS_PATHNORM_OK) {
        if (r != DS_PATHNORM_BAD_REQUEST && r != DS_PATHNORM_NOT_FOUND)
            abort();
        return 0;
    }
    if (memchr(out, '\0', sizeof out) == NULL)
        abort();
    check_result(out);
    (void)ds_pathnorm_is_private(out);
    const ds_mime *m = ds_mime_for(out);
    if (!m || !m->type)
        abort();
    (void)ds_mime_hashed_name(out);

    /* Idempotence: "/" + out with '%', '?' and '#' escaped normalises to out. */
    char again[3 * sizeof out + 2], out2[sizeof out];
    size_t k = 0;
    again[k++] = '/';
    for (const char *p = out; *p; p++) {
        if (*p == '%' || *p == '?' || *p == '#') {
            static const char hex[] = "0123456789ABCDEF";
            again[k++] = '%';
            again[k++] = hex[(unsigned char)*p >> 4];
            again[k++] = hex[(unsigned char)*p & 15];
        } else {
            again[k++] = *p;
        }
    }
    bool dir2;
    if (ds_pathnorm(again, k, out2, sizeof out2, &dir2) != DS_PATHNORM_OK || strcmp(out, out2))
        abort();
    return 0;
}
