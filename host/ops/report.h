/* F-HOST-04: failures the owner must hear about (ops.c). */
#ifndef WH_REPORT_H
#define WH_REPORT_H

#include <jansson.h>

#include "ctx.h"

/* Any thread. Reports a failure of `where` (handler, job, route,
 * subscriber) in `plugin`: a .txt document to the owners, rate-limited and
 * deduplicated. c may be NULL; when given, its update, user and
 * conversation state go into the report (secrets removed). */
void wh_report_failure(walor_ctx *c, const char *plugin, const char *where, const char *error);

/* Any thread. A plain message (Telegram HTML) to every owner, not gated:
 * for the host's own notices whose caller already says each thing once
 * (storage_watch.c: the database cannot be written / can again). */
void wh_report_notice(const char *html);

/* registers the host's operations screens into the core plugin (ops.c) */
int32_t wh_ops_register(walor_plugin *core);

#endif
