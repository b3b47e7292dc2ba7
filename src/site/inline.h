/* inline.h - values written inside prose: ${query.column}, with an optional
 * row (${q.total[2]}, ${q.total[last]}) and format (${q.total | currency},
 * ${q.share | percent:1}).  Each one outside code (fenced or indented code
 * blocks, `code spans`) is replaced by an empty placeholder span the runtime
 * fills, and reported so the page can hold it as a value part.  ${inputs.x}
 * and ${params.x} are not values and stay text; other ${NAME. text that is
 * no value is an error.  Syntax: docs/pages.md. */
#ifndef DS_INLINE_H
#define DS_INLINE_H

#include <stddef.h>

#include "../util/util.h"

typedef struct {
    char *query, *column;
    char *row;      /* digits or "last"; NULL when not given */
    char *fmt;      /* NULL when not given */
    char *decimals; /* digits; NULL when not given */
    int line;
} ds_inline_ref;

/* MD with every value replaced by
 *   <span class="ds-value ds-value-inline" data-ds-value="inline-N"></span>
 * N counting on from *next; FIRST_LINE is MD's first line in its file.
 * Text that starts like a value (${NAME. with NAME not inputs or params)
 * but is none is an error naming DISPLAY:line and the form: NULL. */
char *ds_inline_rewrite(const char *md, int first_line, int *next, ds_inline_ref **refs,
                        size_t *n_refs, const char *display, ds_err *err);
void ds_inline_refs_free(ds_inline_ref *refs, size_t n);

#endif
