/* Bulk `ID quantity` forms (write-off, stock-take, supply items): parsing
 * with the host's form parser, then every line resolved through the catalog
 * (variants as ID.N, a product without variants as plain ID) and checked
 * for duplicates; all errors at once, with line numbers. */
#ifndef WAREHOUSE_FORMS_H
#define WAREHOUSE_FORMS_H

#include "ledger.h"
#include "warehouse.h"

#define WR_FILE_CHARS (256 * 1024) /* characters of a form sent as a .txt file */

typedef struct wr_fline {
    uint32_t line;
    int64_t pid, vno, qty, amount;
    walor_catalog_item it;
    wr_level lv;
} wr_fline;

/* the caller's own check of a resolved line: NULL, or the error (HTML) */
typedef const char *(*wr_line_check)(walor_ctx *c, int mode, const wr_fline *x);

/* Parse and resolve `text` (walor_form_parse flags), `check` (may be NULL)
 * run on every line that resolved. Returns 0 with the lines, or
 * WALOR_EINVAL with *errors (every bad line as "строка N: …", in order,
 * HTML) and no lines; other negatives are failures. */
int32_t wr_form_resolve(walor_ctx *c, const char *text, uint32_t flags, wr_line_check check, int mode,
                        wr_fline **out, uint32_t *n, char **errors);

/* the lines as conversation data [[line, pid, vno, qty, amount], …] and back
 * (levels re-read: they may have changed since the preview; WALOR_ENOTFOUND
 * when an item is gone) */
json_t *wr_lines_json(const wr_fline *l, uint32_t n);
int32_t wr_lines_load(walor_ctx *c, json_t *arr, wr_fline **out, uint32_t *n);

/* the first "# comment" line of a form (the parser skips it), or NULL */
char *wr_form_comment(walor_ctx *c, const char *text);

#endif
