/* Pure text helpers of the bulk forms (no host calls), unit-tested in
 * tests/unit/plugins/warehouse/test_warehouse_formtext.c. */
#ifndef WAREHOUSE_FORMTEXT_H
#define WAREHOUSE_FORMTEXT_H

#include <stddef.h>

/* The supply's price step takes "ID amount" lines; the host's form parser
 * reads money only as the third column of "ID quantity amount". So a " 1"
 * is put after the first word of every line that has one (blank and "#"
 * lines are copied), keeping line numbers. wr_amount_form_size() is the
 * buffer wr_amount_form() needs, NUL included. */
size_t wr_amount_form_size(const char *in);
void wr_amount_form(const char *in, char *out);

/* The text of the first "# comment" line of a form (the parser skips such
 * lines), without the '#', leading blanks and the line end, cut to at most
 * max bytes on a UTF-8 boundary. 1 with *start and *len set, 0 when there is none
 * or it is empty. */
int wr_comment_span(const char *text, size_t max, const char **start, size_t *len);

#endif
