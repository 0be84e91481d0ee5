/* TEMPORARY until the SDK 1.3 toolkit lands in main: the typed-dates form
 * and the manual revenue screens are written with it (dates_ui.c,
 * manual_ui.c). */
#include "analytics.h"

int32_t an_dates_register(walor_plugin *p) { (void)p; return 0; }
int32_t an_dates_start(walor_ctx *c, const char *kind) { (void)kind; return an_summary(c); }
int32_t an_manual_register(walor_plugin *p) { (void)p; return 0; }
int32_t an_manual_cb(walor_ctx *c, const char *arg) { (void)arg; return an_summary(c); }
