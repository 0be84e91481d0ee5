/* crm: declarations shared by the plugin's files (README.md). */
#ifndef CRM_CRM_H
#define CRM_CRM_H

#include <walor/plugin.h>
#include <walor/services/crm.h>
#include <walor/services/loyalty.h>
#include <walor/services/orders.h>

#include "norm.h"

/* ---- small helpers (crm.c) ---- */
char *crm_num(walor_ctx *c, int64_t n);                 /* "1 234" */
char *crm_esc(walor_ctx *c, const char *s);             /* walor_html_escape, "" for NULL */
char *crm_date(walor_ctx *c, int64_t t);                /* "dd.mm.yyyy" in the shop's zone, "—" for 0 */
int32_t crm_log_action(walor_ctx *c, const char *what); /* the action log; a failure is only logged */
const char *crm_jstr(json_t *o, const char *key);       /* "" when absent */
/* the optional services, NULL without their plugin (or too old) */
const walor_orders_v1 *crm_orders(walor_ctx *c);        /* 1.2+ (client figures) */
const walor_loyalty_v1 *crm_loyalty(walor_ctx *c);
/* "Имя Фамилия" of a user from walor_user_get, plain text, "" when unknown */
const char *crm_user_name(walor_ctx *c, json_t *u);
/* a staff member as the card shows him: "Борис", or "ID 123" */
const char *crm_staff_name(walor_ctx *c, int64_t id);
/* crm_state: small durable values of the plugin (sync marks) */
int64_t crm_state_get(walor_ctx *c, const char *key);
int32_t crm_state_set(walor_ctx *c, const char *key, int64_t v);

/* ---- the clients' table: names from the host, contacts from orders (clients.c) ---- */
extern const char crm_clients_migration[];
/* Follows walor_users (new and renamed users) into crm_client, at most
 * `budget` rows; returns how many it read, or < 0. */
int32_t crm_sync_names(walor_ctx *c, int32_t budget);
/* The contacts of one customer from their orders (order.created, the card). */
int32_t crm_sync_contacts(walor_ctx *c, int64_t user_id);
int32_t crm_clients_register(walor_plugin *p);

/* ---- search (search.c) ---- */
extern const char crm_search_migration[];
extern const char crm_username_migration[];
int32_t crm_search_register(walor_plugin *p);
int32_t crm_search_start(walor_ctx *c);
int32_t crm_search_page(walor_ctx *c, const char *page); /* the last query of this staff member */

/* ---- the client card and its history (card.c, history.c) ---- */
/* "crm:c:<uid>" or "crm:c:<uid>:<back>" */
const char *crm_card_data(walor_ctx *c, int64_t uid, const char *back);
int32_t crm_card_show(walor_ctx *c, int64_t uid, const char *back);
/* the same with a line above it ("✅ Заметка сохранена.") */
int32_t crm_card_notice(walor_ctx *c, int64_t uid, const char *back, const char *notice);
int32_t crm_history_show(walor_ctx *c, int64_t uid, const char *back, const char *page);

/* ---- the card's actions: note, message, bonuses, discount (actions.c) ---- */
int32_t crm_actions_register(walor_plugin *p);
/* verb "n", "m", "b", "d" for user uid; back = the card's back */
int32_t crm_action_start(walor_ctx *c, const char *verb, int64_t uid, const char *back);

/* ---- Excel export (export.c) ---- */
int32_t crm_export_register(walor_plugin *p);
int32_t crm_export_menu(walor_ctx *c);
int32_t crm_export_start(walor_ctx *c, const char *period);

/* ---- tracking links (links.c) ---- */
extern const char crm_links_migration[];
int32_t crm_links_register(walor_plugin *p);
int32_t crm_links_cb(walor_ctx *c, const char *arg);     /* "l…" callbacks */
int32_t crm_links_list(walor_ctx *c, int32_t archived, const char *page);
/* the tracking link a client came with ("" when none): title and code */
int32_t crm_link_of(walor_ctx *c, const char *start_payload, const char **title, const char **code);
int32_t crm_links_svc(walor_ctx *c, int32_t include_archived, walor_crm_link **out, uint32_t *n);

/* ---- the section in the admin panel (admin.c) ---- */
int32_t crm_admin_register(walor_plugin *p);
int32_t crm_section(walor_ctx *c);

/* ---- the `crm` service (service.c) ---- */
int32_t crm_service_register(walor_plugin *p);

/* ---- texts (texts.c) ---- */
int32_t crm_texts_register(walor_plugin *p);

#endif
