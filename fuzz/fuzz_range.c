/* fuzz_range.c - libFuzzer target for the request-header parsers the file
 * server runs on every request: Range, plus HTTP dates, entity-tag lists,
 * If-Range and Accept-Encoding (src/server/range.c, src/server/http.c).
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *            src/server/range.c src/server/http.c fuzz/fuzz_range.c -o fuzz_range
 *
 * The first 8 input bytes choose the file size (so sizes 0, 1, small and
 * near 2^64 are all reached); the rest is the header value.  Checks what
 * must hold for every input: a single range lies inside the file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/http.h"
#include "server/range.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t file_size = 0;
    if (size >= 8) {
        memcpy(&file_size, data, 8);
        /* mostly small sizes, where edge cases are dense */
        if (file_size & 1)
            file_size = (file_size >> 1) % 4096;
        data += 8;
        size -= 8;
    }
    uint64_t first, last;
    ds_range_kind k = ds_range_parse((const char *)data, size, file_size, &first, &last);
    if (k == DS_RANGE_SINGLE && (first > last || last >= file_size))
        abort();
    if ((k == DS_RANGE_SINGLE || k == DS_RANGE_MULTI) && file_size == 0)
        abort(); /* nothing of an empty file is satisfiable */
    if (k != DS_RANGE_NONE && k != DS_RANGE_SINGLE && k != DS_RANGE_MULTI &&
        k != DS_RANGE_UNSATISFIABLE)
        abort();

    /* The other parsers take NUL-terminated header values. */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    time_t t;
    if (ds_http_date_parse(text, &t)) {
        char back[DS_HTTP_DATE_LEN];
        ds_http_date_format(t, back);
        time_t again;
        if (!ds_http_date_parse(back, &again) || again != t)
            abort(); /* what we format, we read back */
    }
    const char *etag = "\"1f-2a-3b\"";
    (void)ds_http_etag_list_match(text, etag);
    (void)ds_http_not_modified(text, text, etag, 784111777);
    (void)ds_http_if_range_ok(text, etag, 784111777);
    (void)ds_http_accepts_gzip(text);
    free(text);
    return 0;
}
