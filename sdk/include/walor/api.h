/* The host API table: the only way a plugin reaches the host.
 *
 * APPEND-ONLY. Never reorder, remove or retype a slot; a changed behaviour
 * is a new slot with a _v2 suffix at the end, and WALOR_SDK_MINOR goes up.
 * A plugin probes for a slot newer than the minor it requires with
 * WALOR_API_HAS(api, slot).
 *
 * Thread and ownership rules, in one place so every slot can be tagged:
 *   [load]   only inside the plugin's load(); afterwards WALOR_EPHASE.
 *   [cb]     only on the worker thread running the callback that got `c`,
 *            before it returns.
 *   [any]    any thread, any time.
 *   Strings passed to the host are copied. Strings returned by the host are
 *   borrowed until the callback returns (arena) unless the slot says
 *   otherwise. json_t* arguments are borrowed; json_t* results are borrowed
 *   until the callback returns. */
#ifndef WALOR_API_H
#define WALOR_API_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

struct walor_host_api {
    uint32_t struct_size;   /* sizeof the table the host was built with */
    uint16_t major;         /* WALOR_SDK_MAJOR of the host */
    uint16_t minor;         /* WALOR_SDK_MINOR of the host */

    /* ---- errors, memory, logging (SDK 1.0) ---- */
    const char *(*strerror)(int32_t err);                              /* [any] static string */
    const char *(*last_error)(void);                                   /* [any] per-thread, valid until the next call */
    void (*free)(void *p);                                             /* [any] for results of *_new and *_dup */
    void *(*ctx_alloc)(walor_ctx *c, size_t n);                        /* [cb] zeroed, freed when the callback returns */
    char *(*ctx_vprintf)(walor_ctx *c, const char *fmt, va_list ap);   /* [cb] arena string */
    void (*vlog)(const void *handle, int32_t level, const char *fmt, va_list ap); /* [any] handle: plugin or ctx; secrets must not be passed */

    /* ---- registration [load] ---- */
    int32_t (*reg_command)(walor_plugin *p, const walor_command_def *d);
    int32_t (*reg_deeplink)(walor_plugin *p, const walor_deeplink_def *d);
    int32_t (*reg_callback)(walor_plugin *p, const walor_callback_def *d);
    int32_t (*reg_conversation)(walor_plugin *p, const walor_conv_def *d);
    int32_t (*reg_menu)(walor_plugin *p, const walor_menu_def *d);
    int32_t (*reg_setting)(walor_plugin *p, const walor_setting_def *d);
    /* key must start with "<plugin>."; default_text is Russian Telegram HTML
     * with {name} placeholders; merchants override it in conf.d/texts/ */
    int32_t (*reg_text)(walor_plugin *p, const char *key, const char *default_text);
    /* numbered from 1, applied in order, each in its own transaction, once */
    int32_t (*reg_migration)(walor_plugin *p, int32_t version, const char *sql);
    int32_t (*reg_admin_header)(walor_plugin *p, walor_header_fn fn);
    int32_t (*reg_wipe)(walor_plugin *p, walor_wipe_fn fn);

    /* ---- plugin facts [any] ---- */
    const char *(*plugin_name)(const walor_plugin *p);                 /* valid while loaded */
    /* raw value of `key` in [plugin.<name>] of the ini files, NULL if absent; valid while loaded */
    const char *(*plugin_config)(const walor_plugin *p, const char *key);

    /* ---- the current callback [cb] ---- */
    walor_plugin *(*ctx_plugin)(walor_ctx *c);
    int64_t (*ctx_user_id)(walor_ctx *c);     /* Telegram id of the user who acted, 0 for jobs */
    int64_t (*ctx_chat_id)(walor_ctx *c);
    uint32_t (*ctx_role)(walor_ctx *c);       /* WALOR_ROLE_* of that user */
    int64_t (*ctx_message_id)(walor_ctx *c);  /* message whose button was pressed, or the incoming message; 0 if none */
    json_t *(*ctx_update)(walor_ctx *c);      /* the raw Telegram update, NULL for jobs */
    int64_t (*now)(walor_ctx *c);             /* UTC epoch seconds (the host clock, movable in tests) */

    /* ---- messages [cb] ----
     * text is Telegram HTML: put user data through walor_html_escape().
     * Sends to one chat are delivered in the order they were made. With a
     * non-NULL out_message_id the call waits for Telegram's answer;
     * otherwise it queues and returns at once. */
    int32_t (*send)(walor_ctx *c, int64_t chat_id, const char *html, const walor_kb *kb,
                    uint32_t flags, int64_t *out_message_id);
    /* an edit that changes nothing is success; a photo or document message
     * gets html as its caption (and kb) when it fits one (1024 characters);
     * a message that no longer exists (or cannot be edited) is replaced by
     * a new one */
    int32_t (*edit)(walor_ctx *c, int64_t chat_id, int64_t message_id, const char *html,
                    const walor_kb *kb, uint32_t flags);
    /* answer the pressed button (toast, or alert with WALOR_ANSWER_ALERT);
     * if a handler does not, the host answers with no text */
    int32_t (*answer)(walor_ctx *c, const char *text, uint32_t flags);
    /* photo: Telegram file_id, http(s) URL, or "file:" + local path to upload */
    int32_t (*send_photo)(walor_ctx *c, int64_t chat_id, const char *photo, const char *caption_html,
                          const walor_kb *kb, uint32_t flags, int64_t *out_message_id);
    /* data is copied; filename is what the user sees */
    int32_t (*send_document)(walor_ctx *c, int64_t chat_id, const char *filename, const void *data,
                             size_t len, const char *caption_html, uint32_t flags);
    int32_t (*delete_message)(walor_ctx *c, int64_t chat_id, int64_t message_id);
    /* any other Bot API method; waits for the answer; *out_result borrowed */
    int32_t (*tg_call)(walor_ctx *c, const char *method, json_t *params, json_t **out_result);

    /* ---- inline keyboards [cb]: Telegram's limits are enforced here ----
     * A button whose data is longer than 64 bytes is stored server-side
     * behind a short token, transparently. A failed add marks the keyboard
     * bad, and sending it fails with WALOR_ELIMIT or WALOR_EINVAL. */
    walor_kb *(*kb_new)(walor_ctx *c);
    int32_t (*kb_button)(walor_kb *kb, const char *text, const char *data); /* data "prefix:payload" */
    int32_t (*kb_url)(walor_kb *kb, const char *text, const char *url);
    int32_t (*kb_row)(walor_kb *kb);                                 /* start a new row */
    int32_t (*kb_conv_button)(walor_kb *kb, const char *text, const char *payload); /* for the active conversation */

    /* ---- text helpers [cb] ---- */
    char *(*html_escape)(walor_ctx *c, const char *s);   /* arena; also replaces invalid UTF-8 */
    char *(*money)(walor_ctx *c, int64_t kopecks);       /* arena; "1 500 ₽", "1 500,50 ₽", "−20 ₽" */
    /* merchant text by full key with {name} → value pairs (values inserted as
     * given: escape user data first), NULL-terminated; arena. An unknown key
     * returns the key itself so the gap shows. */
    char *(*text_vfmt)(walor_ctx *c, const char *key, va_list pairs);

    /* ---- conversations [cb] ---- */
    /* start conversation `name` of the calling plugin in this chat at
     * `state` (NULL = the first), replacing any other; data borrowed and
     * copied (NULL = {}); the new state's on_enter runs after the current
     * handler returns */
    int32_t (*conv_start)(walor_ctx *c, const char *name, const char *state, json_t *data);
    int32_t (*conv_goto)(walor_ctx *c, const char *state);
    json_t *(*conv_data)(walor_ctx *c);  /* mutable; saved when the callback returns */
    int32_t (*conv_end)(walor_ctx *c);

    /* ---- menus [cb] ---- */
    int32_t (*show_main_menu)(walor_ctx *c);   /* edits in place after a button press */
    int32_t (*show_admin_menu)(walor_ctx *c);

    /* ---- settings [cb] ---- key: full "<plugin>.<key>" or "shop.<key>" */
    int32_t (*setting_int)(walor_ctx *c, const char *key, int64_t *out); /* INT, BOOL (0/1), MONEY */
    const char *(*setting_str)(walor_ctx *c, const char *key);          /* arena copy, NULL if unknown */
    /* validated; on WALOR_EINVAL walor_last_error() has the reason in Russian */
    int32_t (*setting_set)(walor_ctx *c, const char *key, const char *value);

    /* ---- database [cb]: ? placeholders, typed binds, SQL both SQLite and
     * PostgreSQL accept. Tables are named <plugin>_<thing>. ---- */
    int32_t (*db_exec)(walor_ctx *c, const char *sql, const walor_val *args, uint32_t nargs); /* >= 0: rows changed */
    int32_t (*db_query)(walor_ctx *c, const char *sql, const walor_val *args, uint32_t nargs,
                        walor_rows **out);
    int32_t (*row_next)(walor_rows *r);                  /* 1 row ready, 0 done, < 0 error */
    int64_t (*col_int)(walor_rows *r, uint32_t col);
    const char *(*col_text)(walor_rows *r, uint32_t col);/* NULL for NULL; valid until row_next/rows_close */
    int32_t (*col_is_null)(walor_rows *r, uint32_t col);
    void (*rows_close)(walor_rows *r);                   /* optional: the ctx closes what is left */
    /* A writer transaction. Since 1.3 levels nest inside the host's unit of
     * work (a savepoint each): commit releases a level into the unit, which
     * commits with the work's done mark when the callback returns;
     * rollback undoes that level only. A failed commit leaves its level
     * closed and undone, so the rollback after it (walor_tx_end) does
     * nothing. A callback returning inside a level has it rolled back and
     * counts as failed. */
    int32_t (*tx_begin)(walor_ctx *c);
    int32_t (*tx_commit)(walor_ctx *c);
    int32_t (*tx_rollback)(walor_ctx *c);

    /* ---- users and staff [cb] ---- */
    /* the user's registration row as JSON: id, username, first_name,
     * last_name, language_code, registered_at, role, blocked, and
     * start_payload (what followed /start in the user's first message, when
     * there was one: "ref42"); borrowed */
    json_t *(*user_get)(walor_ctx *c, int64_t user_id);
    /* F-HOST-03: record a staff action ("изменил статус заказа 42 → paid") */
    int32_t (*action_log)(walor_ctx *c, const char *what);

    /* ---- scheduler ---- */
    int32_t (*reg_cron)(walor_plugin *p, const walor_cron_def *d);              /* [load] */
    int32_t (*reg_job)(walor_plugin *p, const char *name, walor_job_fn fn);     /* [load] handler of one-shot jobs */
    /* [cb] run the plugin's job `name` at `when` (epoch s) with payload
     * (borrowed, copied; NULL = {}); stored in the caller's transaction when
     * one is open, so it exists exactly when the change that needs it does.
     * key (may be NULL) identifies it for walor_job_cancel(); scheduling the
     * same name+key again replaces the earlier one. */
    int32_t (*job_at)(walor_ctx *c, int64_t when, const char *name, const char *key, json_t *payload);
    int32_t (*job_cancel)(walor_ctx *c, const char *name, const char *key); /* [cb] 0, or ENOTFOUND */

    /* ---- events (transactional outbox) ---- */
    int32_t (*reg_subscribe)(walor_plugin *p, const char *event, walor_event_fn fn); /* [load] */
    /* [cb] written in the caller's transaction (or on its own when none is
     * open) and delivered after commit to every subscriber, in order per
     * aggregate ("order:42"; NULL = one global order). Payloads carry
     * "v": <schema version>. */
    int32_t (*event_emit)(walor_ctx *c, const char *event, const char *aggregate, json_t *payload);

    /* ---- services: versioned function tables one plugin offers others ---- */
    /* [load] vtable must stay valid while the plugin is loaded; it begins
     * with uint32_t struct_size like every SDK struct */
    int32_t (*service_provide)(walor_plugin *p, const char *name, uint32_t major, uint32_t minor,
                               const void *vtable);
    /* [load] the plugin is refused if no loaded plugin provides name with
     * this major and at least min_minor */
    int32_t (*service_require)(walor_plugin *p, const char *name, uint32_t major, uint32_t min_minor);
    /* [any, after load] the table, or NULL when nobody provides that major;
     * *out_minor (may be NULL) tells which minor it is */
    const void *(*service_get)(const walor_plugin *p, const char *name, uint32_t major, uint32_t *out_minor);

    /* ---- HTTP routes ---- */
    int32_t (*reg_route)(walor_plugin *p, const walor_route_def *d);            /* [load] */
    const char *(*http_method)(walor_ctx *c);                                   /* [cb] NULL outside a route */
    const char *(*http_path)(walor_ctx *c);                                     /* [cb] below /p/<plugin>/ */
    const char *(*http_header)(walor_ctx *c, const char *name);                 /* [cb] case-insensitive */
    const char *(*http_query)(walor_ctx *c, const char *name);                  /* [cb] decoded */
    const void *(*http_body)(walor_ctx *c, size_t *len);                        /* [cb] NUL-terminated too */
    /* [cb] once per request; without it the host answers 500 */
    int32_t (*http_respond)(walor_ctx *c, uint32_t status, const char *content_type, const void *body,
                            size_t len);

    /* ---- help, errors, forms ---- */
    /* [load] a help section (Russian Telegram HTML) shown in /help and the
     * admin "Инструкции" for users with at least min_role */
    int32_t (*reg_help)(walor_plugin *p, const char *title, const char *html, uint32_t min_role);
    /* [cb] report a failure the plugin handled but the owner must see */
    int32_t (*report_error)(walor_ctx *c, const char *what);
    /* [cb] parse a bulk form; on WALOR_EINVAL *errors (arena) lists every bad
     * line as "строка N: …" and *out is NULL; nothing is half-parsed */
    int32_t (*form_parse)(walor_ctx *c, const char *text, uint32_t flags, walor_form_line **out, uint32_t *n,
                          const char **errors);

    /* ---- SDK 1.1 ---- */
    /* [cb] the bytes of a Telegram file (a document's or photo's file_id),
     * fetched by the host so the bot token never reaches plugins. *data is
     * allocated by the host: release it with walor_free(). A file over
     * max_bytes (0 = 20 MB, the Bot API's download limit) is refused with
     * WALOR_ELIMIT without downloading the rest; WALOR_ETG or
     * WALOR_ETIMEDOUT when Telegram fails. */
    int32_t (*file_download)(walor_ctx *c, const char *file_id, size_t max_bytes, void **data, size_t *len);

    /* ---- SDK 1.2 ---- */
    /* [cb] an outbound HTTP request on the worker's own connection cache
     * (blocking, bounded by req->timeout_ms). 0 when a response arrived,
     * whatever its status; WALOR_ETIMEDOUT, WALOR_ENET, WALOR_ELIMIT (the
     * response is over req->max_response), WALOR_EINVAL, or WALOR_EPHASE
     * inside an open transaction (a network wait must never hold the
     * database write lock). The host logs method, host, path, status and
     * time, never the query string, headers or bodies. */
    int32_t (*http_fetch)(walor_ctx *c, const walor_http_request *req, walor_http_response *out);
    /* [cb] percent-encoding of s for a URL query or path segment, ctx arena */
    char *(*url_escape)(walor_ctx *c, const char *s);
    /* [cb] 1 when a walor_tx_begin level is open on this ctx (the plugin's
     * own or its caller's, e.g. around a service call), else 0. Since 1.3
     * begin/commit nest, so a service no longer needs it to decide whether
     * to open its own transaction. */
    int32_t (*tx_active)(walor_ctx *c);
    /* [cb] send html (+ kb) to every staff member whose role is at least
     * min_role (WALOR_ROLE_MANAGER: owners and managers; WALOR_ROLE_OWNER:
     * owners), skipping those who blocked the bot. Returns how many it was
     * sent to (>= 0), or an error. Not transactional, like every send. */
    int32_t (*notify_staff)(walor_ctx *c, uint32_t min_role, const char *html, const walor_kb *kb);

    /* ---- SDK 1.3 ---- */
    /* [load] the plugin's value of `key` in [plugin.<name>] (or its absence)
     * cannot work; why is one line for the operator. The host reports it
     * with the file and line the value came from: walord --check-config
     * runs every enabled plugin's load() without a database to collect
     * these, and walord refuses to start while one is an error. flags:
     * 0 = always an error; WALOR_CONFIG_LIVE = an error only in a live
     * shop (an example address, a provider's test account, an empty field
     * a live shop needs), a warning in test mode and the demo;
     * WALOR_CONFIG_WARNING = only a warning. Returns WALOR_EINVAL when it
     * counts as an error in this run (return it from load()), else 0. */
    int32_t (*config_invalid)(walor_plugin *p, const char *key, uint32_t flags, const char *why);

    /* ---- SDK 1.3: the conversation toolkit ---- */
    /* [load] register n texts at once: {"<plugin>.<key>", default}, as
     * reg_text; all or none (the first bad or taken key is named) */
    int32_t (*reg_texts)(walor_plugin *p, const walor_text_pair *table, uint32_t n);
    /* [load] a form: a conversation of declarative steps (types.h) */
    int32_t (*reg_form)(walor_plugin *p, const walor_form_def *d);
    /* [cb] from a form's on_done or a step's validate: say why (text key
     * or text, NULL = nothing) and ask step `key` again; its answer goes
     * back to the summary, or to on_done when the form has none. key NULL
     * (a form with a summary): show the summary again with the reason */
    int32_t (*form_retry)(walor_ctx *c, const char *key, const char *why);
    /* [cb] ask the question of a step of the active conversation: sends
     * html with kb plus the host's "✖️ Отмена" row (the host's /cancel and
     * on_cancel handle it); a plugin draws no cancel button of its own */
    int32_t (*conv_ask)(walor_ctx *c, const char *html, const walor_kb *kb);
    /* [cb] show page `page` of a list (types.h): page is the text after
     * d->page_data in the pressed button's data, NULL for the first page.
     * A page past the end shows the last one; anything but digits is
     * answered as a stale button and shows the first page */
    int32_t (*list_show)(walor_ctx *c, const walor_list_def *d, const char *page);
    /* [cb] show a screen: after a button press, edit that message in
     * place (a message that cannot be edited is replaced by a new one);
     * otherwise send a new message */
    int32_t (*show)(walor_ctx *c, const char *html, const walor_kb *kb);
    /* [cb] POST body with "Content-Type: content_type" (NULL = none) added
     * in front of headers (at most 32); as http_fetch otherwise */
    int32_t (*http_post)(walor_ctx *c, const char *url, const char *const *headers, const char *content_type,
                         const void *body, uint64_t body_len, uint32_t timeout_ms, walor_http_response *out);
    /* [cb] the value of response header `name` (case-insensitive, the first
     * one of that name), ctx arena; NULL if absent */
    const char *(*http_resp_header)(walor_ctx *c, const walor_http_response *r, const char *name);
    /* [cb] "n word" with the Russian plural form of forms
     * "позиция|позиции|позиций" (one|few|many): "1 позиция", "2 позиции",
     * "11 позиций", "21 позиция"; n grouped as money is ("1 500 позиций");
     * with WALOR_PLURAL_WORD only the word. Arena. */
    char *(*plural)(walor_ctx *c, int64_t n, const char *forms, uint32_t flags);
    /* [cb] value / 10^scale (scale 0-6) with a decimal comma, thousands
     * grouped as money is, trailing zeros dropped: (300, 3) → "0,3",
     * (1500000, 0) → "1 500 000", (-1250, 2) → "−12,5". Arena. */
    char *(*number)(walor_ctx *c, int64_t value, uint32_t scale);

    /* ---- SDK 1.3: the online backup ---- */
    /* [cb] a consistent copy of the shop's database at dest_path, e.g. for
     * a backup job to zip and upload: SQLite's online backup in one step,
     * so the copy is the database of one moment while other workers go on
     * writing, checked with PRAGMA integrity_check before it is renamed
     * into place (a reader of dest_path sees the old file or the whole new
     * one). The only way a plugin gets the database's bytes: it never
     * opens, copies or renames the database files itself. An existing
     * dest_path is refused (WALOR_EEXIST) unless flags has
     * WALOR_BACKUP_REPLACE; unknown flags, or a path that is the live
     * database or one of its files: WALOR_EINVAL; inside a transaction:
     * WALOR_EPHASE; the directory does not exist: WALOR_ENOTFOUND; disk
     * full, I/O error, a copy that failed the check: WALOR_EDB (nothing is
     * left behind). Takes as long as the copy does: call it from a job. */
    int32_t (*db_backup)(walor_ctx *c, const char *dest_path, uint32_t flags);

    /* ---- SDK 1.3: asynchronous HTTP and streamed replies ---- */
    /* [cb] start an asynchronous HTTP request (types.h walor_http_async):
     * the request is copied and handed to the loop; the call returns at
     * once and never waits for the network, so it is fine inside a
     * transaction too (the request goes out even if it rolls back).
     * *out_id (may be NULL) identifies it for http_cancel. 0, or
     * WALOR_EINVAL (bad URL, method, header, missing callback), WALOR_ELIMIT
     * (too many requests in flight), WALOR_EBUSY (walord is stopping); on
     * an error no callback ever runs and ud stays the caller's. Logged like
     * http_fetch: method, host, path, status, time — never the query
     * string, headers or bodies. */
    int32_t (*http_start)(walor_ctx *c, const walor_http_async *req, uint64_t *out_id);
    /* [cb] stop request id: 0 when it was still in flight (on_done then
     * runs with WALOR_ECANCELED, unless its answer was complete first),
     * WALOR_ENOTFOUND when it had already finished */
    int32_t (*http_cancel)(walor_ctx *c, uint64_t id);
    /* [cb] sendMessageDraft: show html as the partial, animated reply of a
     * private chat while it is generated (draft_id non-zero; the same id
     * updates the same draft; "" is a "typing…" placeholder). Queued in
     * order with the chat's sends; returns at once. The draft is ephemeral:
     * send the finished text with walor_send. WALOR_ENOSYS once the host
     * has learned that this Telegram server does not know the method (fall
     * back to a message edited at most once a second); WALOR_EINVAL /
     * WALOR_ELIMIT for HTML or length, as for send. */
    int32_t (*send_draft)(walor_ctx *c, int64_t chat_id, int64_t draft_id, const char *html, uint32_t flags);

    /* ---- SDK 1.3: compose-time checks ---- */
    /* [cb] what a send of html would say, without sending: 0 when Telegram
     * accepts it as HTML and its visible text is 1..limit UTF-16 units
     * (limit 0 = 4096, a message; 1024 for a caption); WALOR_EINVAL for
     * markup Telegram refuses or an empty text, WALOR_ELIMIT for a text too
     * long. *why (may be NULL) is the reason in Russian for the person who
     * wrote it (ctx arena): "тег <b> не закрыт (позиция 5)". */
    int32_t (*html_check)(walor_ctx *c, const char *html, uint32_t limit, const char **why);
    /* [cb] the bot's username (without "@") for t.me links: asked from
     * Telegram (getMe) at the first call and kept; arena copy, NULL while
     * Telegram cannot be reached */
    const char *(*bot_username)(walor_ctx *c);
    /* ---- SDK 1.3: what a backup records ---- */
    /* [cb] facts about the running host, borrowed until the callback
     * returns: {"walord": "1.0.0", "sdk": "1.3", "plugins": {"<name>":
     * "<version>", …} (the loaded plugins), "schema": {"<owner>": <version>,
     * …}, "owners": [<Telegram id>, …]} — schema is the highest migration
     * of every owner recorded in the database (wh_migrations: "host.core",
     * "catalog", …), read on the callback's connection; owners are
     * [walor] owners, e.g. to send each of them a file. NULL with
     * walor_last_error() on failure. */
    json_t *(*host_info)(walor_ctx *c);

    /* ---- SDK 1.3: the database's dialect (SQLite or PostgreSQL) ---- */
    /* [any] WALOR_DB_SQLITE or WALOR_DB_POSTGRESQL: which engine [walor] db
     * names. Most SQL is written once, in the subset both accept
     * (docs/plugin-guide.md "SQL for both engines"); this is for the rest,
     * e.g. full-text search (FTS5 MATCH or tsvector @@). */
    int32_t (*db_dialect)(walor_plugin *p);
    /* [load] a migration with one text per dialect; NULL for one of them
     * means the other text serves both. Same rules as reg_migration. */
    int32_t (*reg_migration_v2)(walor_plugin *p, int32_t version, const char *sqlite_sql, const char *pg_sql);

    /* ---- SDK 1.3: dates as the shop's people read them ---- */
    /* [cb] t (UTC epoch seconds) in the shop's time zone through the
     * strftime(3) format fmt, with Russian names instead of the C locale's
     * English: %a "пн", %A "понедельник", %b "янв", %B "января" (genitive:
     * "%-d %B" → "5 января"), %OB "январь" (nominative: "%OB %Y"). Arena;
     * NULL (walor_last_error) for a time the zone cannot convert or a text
     * over 255 bytes. */
    char *(*time_format)(walor_ctx *c, int64_t t, const char *fmt);
    /* [cb] a user as staff screens name them, HTML-escaped: "Имя
     * (@username, 42)", "Имя (42)" without a username, "—" for the name
     * when there is none (or no such user); WALOR_USER_LABEL_FULL puts the
     * last name after the first. Arena; NULL for unknown flags. */
    char *(*user_label)(walor_ctx *c, int64_t user_id, uint32_t flags);
};

/* A plugin built against a newer minor may probe a slot before using it. */
#define WALOR_API_HAS(api, slot) \
    ((api)->struct_size >= offsetof(walor_host_api, slot) + sizeof((api)->slot) && (api)->slot != NULL)

#ifdef __cplusplus
}
#endif
#endif
