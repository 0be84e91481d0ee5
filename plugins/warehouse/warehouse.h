/* warehouse: what the plugin's files share (helpers in util.c). */
#ifndef WAREHOUSE_H
#define WAREHOUSE_H

#include <walor/plugin.h>
#include <walor/services/catalog.h>

#define WR_LIST_SHOWN 40   /* lines of a form shown in a preview or error list */

/* the catalog service, NULL when no catalog is loaded */
const walor_catalog_v1 *wr_catalog(walor_ctx *c);

/* "Роза — 50 мл", HTML-escaped, cut to a sane length */
char *wr_title(walor_ctx *c, const walor_catalog_item *it);
/* the same unescaped, for the action log (the host escapes it when shown) */
char *wr_title_raw(walor_ctx *c, const walor_catalog_item *it);

/* "12" or "12.2" (ledger.h's wr_item_ref, for messages) */
char *wr_ref(walor_ctx *c, int64_t pid, int64_t vno);

/* "+3", "−3", "0" */
char *wr_signed(walor_ctx *c, int64_t d);

/* the update is a button press */

/* F-HOST-03; a failure is logged, never fatal to the staff action */
void wr_action(walor_ctx *c, const char *what);

/* "⬅️ Склад" back to the section */
void wr_kb_back(walor_ctx *c, walor_kb *kb);
/* a list of lines cut to WR_LIST_SHOWN lines and ~max_bytes, with
 * "… и ещё N" when cut */
char *wr_cut_lines(walor_ctx *c, const char *s, size_t max_bytes);

/* an arena string that grows by doubling (long error lists stay linear) */
typedef struct wr_buf {
    char *s;
    size_t len, cap;
} wr_buf;
void wr_buf_add(walor_ctx *c, wr_buf *b, const char *str);

/* demo.c: [plugin.warehouse] demo = yes puts demo stock into an empty
 * warehouse the first time stock is looked at */
void wr_demo_configure(walor_plugin *p);
void wr_demo_maybe(walor_ctx *c);

/* registration of each screen file [load] */
int32_t wr_texts_register(walor_plugin *p);
int32_t wr_admin_register(walor_plugin *p);
int32_t wr_forms_register(walor_plugin *p);
int32_t wr_supply_register(walor_plugin *p);
int32_t wr_qr_register(walor_plugin *p);

/* entry points between screen files */
int32_t wr_section(walor_ctx *c);
/* page: the digits of a list's ◀️ ▶️ button, NULL for the first page */
int32_t wr_overview(walor_ctx *c, const char *page);
int32_t wr_item_card(walor_ctx *c, int64_t pid, int64_t vno);
int32_t wr_suppliers(walor_ctx *c, const char *page);
int32_t wr_writeoff_start(walor_ctx *c);
int32_t wr_stocktake_start(walor_ctx *c);
int32_t wr_qr_sheet(walor_ctx *c);

#endif
