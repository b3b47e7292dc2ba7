/* timewindow.c - a time_window as SQL.  Config keeps the bounds as TOML
 * typed them; here they become typed literals, so a date compares as a date
 * and an offset date-time as an instant.  The column is a name, quoted as an
 * identifier, never SQL spliced in as written. */
#include "timewindow.h"

#include <assert.h>
#include <stdlib.h>

#include "sqltext.h"

char *ds_sql_time_literal(const ds_time_bound *b)
{
    const char *type = NULL;
    switch (b->kind) {
    case DS_TIME_NONE:
        return NULL;
    case DS_TIME_DATE:
        type = "DATE";
        break;
    case DS_TIME_LOCAL_DATETIME:
        type = "TIMESTAMP";
        break;
    case DS_TIME_OFFSET_DATETIME:
        type = "TIMESTAMPTZ";
        break;
    }
    assert(type);
    ds_buf out = {0};
    ds_buf_printf(&out, "%s ", type);
    ds_sql_quote(&out, b->text);
    return ds_buf_take(&out);
}

char *ds_sql_time_window(const ds_file_source *fs)
{
    if (!fs->has_time_window)
        return NULL;
    const ds_time_window *tw = &fs->time_window;
    assert(tw->column && (tw->start.kind != DS_TIME_NONE || tw->end.kind != DS_TIME_NONE));
    ds_buf column = {0};
    ds_sql_ident(&column, tw->column);
    char *start = ds_sql_time_literal(&tw->start);
    char *end = ds_sql_time_literal(&tw->end);
    ds_buf out = {0};
    if (start)
        ds_buf_printf(&out, "%s >= %s", ds_buf_str(&column), start);
    if (end)
        ds_buf_printf(&out, "%s%s < %s", start ? " AND " : "", ds_buf_str(&column), end);
    free(start);
    free(end);
    ds_buf_free(&column);
    return ds_buf_take(&out);
}
