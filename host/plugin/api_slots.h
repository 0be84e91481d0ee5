/* Each module that implements API slots fills its part of the table;
 * core/api.c calls them all. A module reaches the table through the handle
 * it was given (c->head.api, wh_reg.api), never through wh_api(): that would
 * make every module depend on all the others. */
#ifndef WH_API_SLOTS_H
#define WH_API_SLOTS_H

#include <walor/api.h>

void wh_ctxapi_fill(walor_host_api *api);   /* ctx.c: arena, log, ctx facts, users, action log */
void wh_texts_fill(walor_host_api *api);    /* texts.c: walor_text */
void wh_msg_fill(walor_host_api *api);      /* msg.c: sends, edits, answers, keyboards, html, money */
void wh_conv_fill(walor_host_api *api);     /* conv.c */
void wh_settings_fill(walor_host_api *api); /* settings.c */
void wh_dbapi_fill(walor_host_api *api);    /* dbapi.c */
void wh_menu_fill(walor_host_api *api);     /* menu.c: main menu and admin panel */
void wh_sched_fill(walor_host_api *api);    /* sched.c: cron and one-shot jobs */
void wh_events_fill(walor_host_api *api);   /* events.c: events and services */
void wh_http_fill(walor_host_api *api);     /* http.c: routes */
void wh_ops_fill(walor_host_api *api);      /* help.c, report.c: help sections, error reports */
void wh_form_fill(walor_host_api *api);     /* form.c: bulk text forms */
void wh_files_fill(walor_host_api *api);    /* files.c: file downloads (SDK 1.1) */
void wh_httpc_fill(walor_host_api *api);    /* httpc.c: outbound HTTP (SDK 1.2) */
void wh_steps_fill(walor_host_api *api);    /* steps.c: forms (SDK 1.3) */
void wh_list_fill(walor_host_api *api);     /* list.c: paged lists (SDK 1.3) */
void wh_httpa_fill(walor_host_api *api);    /* httpa.c: asynchronous outbound HTTP (SDK 1.3) */
void wh_users_fill(walor_host_api *api);    /* users.c: a user's label for staff screens (SDK 1.3) */

/* core/api.c: builds the table once and returns it; only core calls it */
const walor_host_api *wh_api(void);

#endif
