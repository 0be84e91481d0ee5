/* support-groq: declarations shared by the plugin's files (README.md).
 *
 *   support.c   load(): settings, texts, migrations; small shared helpers
 *   texts.c     every text the customer and the staff see
 *   keyring.c   the configured keys, their state (keys.c) under a lock,
 *               the staff notice for a revoked key
 *   index.c     the FTS5 index of the catalog and the search
 *   facts.c     live product facts and shop facts for the prompt
 *   prompt.c    the request: system prompt, trimmed history, question, tools
 *   tools.c     the tools the model may call (products, own orders, operator)
 *   turn.c      one question's life: attempts, keys, stream, tool rounds
 *   reply.c     the answer on screen: drafts or edits, the final message
 *   ticket.c    tickets and their messages, escalation, take, close
 *   customer.c  the customer's side: menu, the chat conversation, commands
 *   operator.c  the operator's side: reply mode, relays, close
 *   staff.c     the admin panel: ticket lists, history, topics
 *   jobs.c      timers: operator timeout, silence, summary, archive
 *   pure parts: sse.c answer.c keys.c trim.c ftsq.c fmt.c */
#ifndef SUPPORT_SUP_H
#define SUPPORT_SUP_H

#include <walor/plugin.h>

#include "answer.h"
#include "sse.h"

#define SUP_PLUGIN "support-groq"

/* ---- helpers (support.c) ---- */
char *sup_esc(walor_ctx *c, const char *s);                    /* "" for NULL */
int64_t sup_setting(walor_ctx *c, const char *key, int64_t dflt); /* "support-groq.<key>" */
const char *sup_setting_str(walor_ctx *c, const char *key);   /* "" when unset */
int64_t sup_mono_ms(void);
/* "Анна (@anna, 100002)" for staff screens, escaped */
char *sup_time(walor_ctx *c, int64_t t);                       /* "07.12 18:40" in the shop's zone */
/* the text of the incoming message and what it carries; kind "text",
 * "photo", "document" or "other" (a sticker, a voice…) */
typedef struct sup_incoming {
    const char *kind;
    const char *text;           /* text or caption, "" when none */
    const char *file_id;        /* photo (largest size) or document, else NULL */
    const char *file_name;      /* documents */
} sup_incoming;
void sup_incoming_read(walor_ctx *c, const char *arg, sup_incoming *in);
/* configuration read once in load() */
typedef struct sup_conf {
    char base_url[512];
    char model[128];
    int tools;                  /* 0 off, 1 on, 2 auto (on until the server refuses them) */
    uint32_t timeout_ms, idle_ms, draft_ms;
} sup_conf;
extern sup_conf sup_cfg;

/* ---- keys (keyring.c) ---- */
int32_t sup_keys_load(walor_plugin *p);     /* from [plugin.support-groq] keys / keys_file / env */
int sup_keys_configured(void);
/* a key for an attempt (copied into out, the index in *idx), see keys.h */
int sup_keys_take(uint32_t tried, int retry, int *idx, char *out, size_t cap);
/* after an attempt: updates the key; tells the staff once when it was revoked */
void sup_keys_outcome(walor_ctx *c, int idx, int outcome, int64_t retry_after_s, const char *why);
void sup_keys_status(int *usable, int *cooling, int *revoked);

/* ---- the catalog index (index.c) ---- */
extern const char sup_index_migration[];
extern const char sup_index_migration_pg[];
int32_t sup_index_register(walor_plugin *p);   /* events, nightly rebuild */
/* products for a question, best first: at most max ids into pids */
int32_t sup_index_search(walor_ctx *c, const char *question, int64_t *pids, int max, int *n);
int32_t sup_index_rebuild(walor_ctx *c);

/* ---- facts (facts.c) ---- */
struct walor_catalog_item;
/* the visible stock items of one product (catalog service), ENOTFOUND */
int32_t sup_product_items(walor_ctx *c, int64_t pid, struct walor_catalog_item **items, uint32_t *n);
/* "• name — variants, prices, stock" lines of visible products, live from
 * the catalog and stock services; *shown gets the ids that made it */
char *sup_facts_products(walor_ctx *c, const int64_t *pids, int n, int64_t *shown, int *nshown);
char *sup_facts_shop(walor_ctx *c);

/* ---- the request (prompt.c) ---- */
#define SUP_MAX_PRODUCTS 12
typedef struct sup_prompt_in {
    int64_t ticket_id;
    const char *topic;          /* slug, "" = general */
    const char *question;
    int with_tools;
} sup_prompt_in;
/* messages array (new ref) and the product ids the facts named */
json_t *sup_prompt_build(walor_ctx *c, const sup_prompt_in *in, int64_t *pids, int *npids);
json_t *sup_tools_json(void);                  /* the "tools" array (new ref) */

/* ---- tools (tools.c) ---- */
typedef struct sup_tool_out {
    char *content;              /* arena: the tool message's content */
    int escalate;               /* call_operator */
    const char *reason;
    int64_t pids[SUP_MAX_PRODUCTS];
    int npids;
} sup_tool_out;
int32_t sup_tool_run(walor_ctx *c, int64_t user_id, const char *name, const char *args, sup_tool_out *out);

/* ---- tickets (ticket.c) ---- */
#define SUP_AI "ai"
#define SUP_WAIT "wait"
#define SUP_OPERATOR "operator"
#define SUP_CLOSED "closed"
typedef struct sup_ticket {
    int64_t id, user_id, operator_id, created_at, updated_at, escalated_at, taken_at, closed_at;
    int64_t last_customer_at, last_staff_at, alerted, archived;
    const char *status, *topic, *reason;
} sup_ticket;
extern const char sup_ticket_migration[];
int32_t sup_ticket_get(walor_ctx *c, int64_t id, sup_ticket *t);           /* ENOTFOUND */
int32_t sup_ticket_open_of(walor_ctx *c, int64_t user_id, sup_ticket *t);  /* the open one, ENOTFOUND */
/* the customer's open ticket, a new "ai" one when there is none */
int32_t sup_ticket_current(walor_ctx *c, int64_t user_id, const char *topic, sup_ticket *t);
int32_t sup_ticket_add(walor_ctx *c, int64_t ticket_id, const char *author, int64_t author_id,
                       const sup_incoming *in, int64_t tokens, int for_ai);
/* to "wait" with the reason; the staff get a push (after the commit); 0,
 * or 1 when it was with an operator already (nothing changed) */
int32_t sup_ticket_escalate(walor_ctx *c, int64_t user_id, const char *reason);
/* "wait"/"ai" → "operator" for staff_id; 0, or WALOR_EBUSY when another took it first, ENOTFOUND */
int32_t sup_ticket_take(walor_ctx *c, int64_t id, int64_t staff_id, int64_t *taken_by);
int32_t sup_ticket_close(walor_ctx *c, int64_t id, int64_t by);            /* 1 when already closed */
int32_t sup_ticket_back_to_ai(walor_ctx *c, int64_t id, const char *why);
const char *sup_status_label(walor_ctx *c, const char *status);
/* the staff's push for a ticket waiting for them */
int32_t sup_ticket_notify_staff(walor_ctx *c, int64_t id, const char *head_key);
/* reschedules a ticket's timers after activity */
int32_t sup_ticket_timers(walor_ctx *c, const sup_ticket *t);

/* ---- one question (turn.c) ---- */
/* 0 started (the answer comes later), or < 0 */
int32_t sup_turn_start(walor_ctx *c, int64_t ticket_id, const char *topic, const char *question);
int sup_turn_busy(int64_t chat_id);
void sup_turn_cancel(walor_ctx *c, int64_t chat_id);
int sup_turns_active(void);

/* ---- the answer on screen (reply.c) ---- */
typedef struct sup_screen {
    int64_t chat_id;
    int64_t draft_id;
    int mode;                   /* 0 drafts, 1 one edited message, 2 nothing shown yet */
    int64_t message_id;         /* mode 1 */
    int64_t last_ms;            /* of the last draft or edit */
    size_t shown_len;           /* content bytes on screen */
} sup_screen;
void sup_screen_init(sup_screen *s, int64_t chat_id, int64_t draft_id);
/* the text so far (plain model text): a draft or an edit when it is time */
void sup_screen_progress(walor_ctx *c, sup_screen *s, const char *content, int force);
/* the finished answer with its buttons; 0 or < 0 */
int32_t sup_screen_final(walor_ctx *c, sup_screen *s, const char *content, const int64_t *pids, int npids);
/* the edited message (mode 1) says the answer failed, before the apology */
void sup_screen_abandon(walor_ctx *c, sup_screen *s);

/* ---- usage and limits (turn.c) ---- */
int32_t sup_usage_add(walor_ctx *c, int64_t tokens);
int sup_budget_left(walor_ctx *c);            /* 1 while today's tokens are under the budget */
int64_t sup_day(int64_t t);                   /* yyyymmdd of epoch t in the shop's zone */
int64_t sup_today(walor_ctx *c);

/* ---- the customer (customer.c) ---- */
int32_t sup_customer_register(walor_plugin *p);
/* enters the chat conversation (topic may be NULL) and says hello */
int32_t sup_customer_open(walor_ctx *c, const char *topic);
/* the customer's buttons on an AI answer / an operator message */
walor_kb *sup_kb_answer(walor_ctx *c, const int64_t *pids, int npids);
walor_kb *sup_kb_operator_msg(walor_ctx *c);

/* ---- the operator (operator.c) ---- */
int32_t sup_operator_register(walor_plugin *p);
/* sends what a customer wrote to the ticket's operator */
int32_t sup_relay_to_operator(walor_ctx *c, const sup_ticket *t, const sup_incoming *in);


/* ---- the admin panel (staff.c) ---- */
int32_t sup_staff_register(walor_plugin *p);
/* the ticket screen for staff: the history paged, page 0 = the newest */
int32_t sup_ticket_screen(walor_ctx *c, int64_t id, int64_t page);

/* ---- topics (customer.c) ---- */
typedef struct sup_topic {
    const char *slug, *title, *prompt;
} sup_topic;
int32_t sup_topic_get(walor_ctx *c, const char *slug, sup_topic *out); /* ENOTFOUND */

/* ---- jobs (jobs.c) ---- */
int32_t sup_jobs_register(walor_plugin *p);

/* ---- texts (texts.c) ---- */
extern const walor_text_pair sup_texts[];
extern const size_t sup_ntexts;
#define T(c, key) walor_text(c, "support-groq." key)
#define TF(c, key, ...) walor_textf(c, "support-groq." key, __VA_ARGS__, (const char *)NULL)

#endif
