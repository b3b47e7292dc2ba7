/* livemsg.c - the live-reload messages (see livemsg.h). */
#include "livemsg.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"

/* Gzip sidecars follow their file; the outputs record and the staging
 * folders are the build's own. */
static bool is_page(const char *rel)
{
    return ds_ends_with(rel, ".html");
}

char *ds_livemsg_reload(const char *const *changed, size_t n)
{
    json_t *pages = json_array();
    bool all = false;
    for (size_t i = 0; i < n; i++) {
        if (is_page(changed[i]))
            json_array_append_new(pages, json_string(changed[i]));
        else if (strncmp(changed[i], "assets/", 7) == 0 && !ds_ends_with(changed[i], ".gz"))
            all = true;
    }
    if (!all && json_array_size(pages) == 0) {
        json_decref(pages);
        return NULL;
    }
    json_t *doc = json_pack("{s:o, s:b}", "pages", pages, "all", all);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return text;
}

/* "FILE:LINE: rest" at the start of MSG: sets *file_len, *line and *rest.
 * FILE holds no spaces (paths the CLI prints are relative to the project). */
static bool split_location(const char *msg, size_t *file_len, long *line, const char **rest)
{
    for (const char *p = msg; *p && *p != ' ' && *p != '\n'; p++) {
        if (*p != ':' || !isdigit((unsigned char)p[1]) || p == msg)
            continue;
        char *end;
        long l = strtol(p + 1, &end, 10);
        if (*end != ':')
            continue;
        *file_len = (size_t)(p - msg);
        *line = l;
        /* FILE:LINE:COL: keeps the column in the message. */
        *rest = end + 1;
        while (**rest == ' ')
            (*rest)++;
        return true;
    }
    return false;
}

char *ds_livemsg_error(const char *msg)
{
    size_t file_len = 0;
    long line = 0;
    const char *rest = msg;
    if (!split_location(msg, &file_len, &line, &rest)) {
        file_len = 0;
        line = 0;
        rest = msg;
    }
    json_t *doc = json_pack("{s:s%, s:I, s:s, s:s}", "file", msg, file_len, "line",
                            (json_int_t)line, "message", rest, "text", msg);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return text;
}

char *ds_livemsg_frame(const char *name, const char *data)
{
    ds_buf b = {0};
    ds_buf_printf(&b, "event: %s\n", name);
    const char *p = data;
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        ds_buf_puts(&b, "data: ");
        ds_buf_add(&b, p, len);
        ds_buf_puts(&b, "\n");
        if (!nl)
            break;
        p = nl + 1;
    }
    ds_buf_puts(&b, "\n");
    return ds_buf_take(&b);
}
