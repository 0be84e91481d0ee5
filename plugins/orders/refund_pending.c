/* TEMPORARY until the SDK 1.3 toolkit lands in main: refund_ui.c is
 * written with its forms. */
#include "orders.h"

int32_t orders_refund_ui_register(walor_plugin *p) { (void)p; return 0; }
char *orders_refunds_html(walor_ctx *c, const walor_order *o) { (void)o; return walor_ctx_printf(c, "%s", ""); }
int32_t orders_refund_screen(walor_ctx *c, int64_t id) { return orders_staff_card(c, id); }
int32_t orders_refund_manual_start(walor_ctx *c, int64_t id) { return orders_staff_card(c, id); }
