/* Static inline wrappers so plugin code reads walor_reply(c, text, kb)
 * instead of c->api->send(...). They compile into the plugin, so they may
 * change freely; only the table in api.h is frozen.
 *
 * Naming rule (SDK 1.3, docs/plugin-guide.md "Names"): the wrapper of slot
 * X is walor_X, and of a registration slot reg_X it is walor_X, with the
 * slot's parameters in the slot's order (plus the handle first when the
 * slot has none: walor_strerror(p, err)). Conveniences that are not one
 * slot (walor_reply, walor_alert, walor_textf, walor_text, walor_ctx_printf,
 * walor_log, walor_db_int, walor_http_get) have names no slot has. Three
 * slots cannot have their mechanical name because an older wrapper holds
 * it with other parameters: reg_text (walor_text reads a text; register
 * with walor_texts), edit (walor_edit is the old name of walor_show; the
 * slot is walor_edit_message, flags 0) and answer (walor_answer is the
 * slot without flags, walor_alert with WALOR_ANSWER_ALERT). Names marked
 * "deprecated" below still work; with WALOR_WARN_DEPRECATED defined the
 * compiler warns about them.
 *
 * A wrapper of a slot newer than SDK 1.0 probes it, so a plugin built with
 * these headers still runs on an older host: where the slot was inline
 * code before (walor_show, walor_http_post, walor_http_resp_header,
 * walor_texts) that code is the fallback (walor__*_compat), elsewhere the
 * wrapper returns WALOR_ENOSYS (or NULL). */
#ifndef WALOR_WRAPPERS_H
#define WALOR_WRAPPERS_H

#include <string.h>

#include "api.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WALOR__A(h) WALOR_API(h)
#define WALOR__HAS(h, slot) WALOR_API_HAS(WALOR__A(h), slot)

#if defined(WALOR_WARN_DEPRECATED) && defined(__GNUC__)
#define WALOR__DEPRECATED(use) __attribute__((deprecated("use " use)))
#else
#define WALOR__DEPRECATED(use)
#endif

static inline const char *walor_strerror(const walor_plugin *p, int32_t err) { return WALOR__A(p)->strerror(err); }
static inline const char *walor_last_error(walor_ctx *c) { return WALOR__A(c)->last_error(); }
static inline void walor_free(walor_ctx *c, void *ptr) { WALOR__A(c)->free(ptr); }
static inline void *walor_ctx_alloc(walor_ctx *c, size_t n) { return WALOR__A(c)->ctx_alloc(c, n); }

__attribute__((format(printf, 2, 3)))
static inline char *walor_ctx_printf(walor_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = WALOR__A(c)->ctx_vprintf(c, fmt, ap);
    va_end(ap);
    return s;
}

static inline char *walor_ctx_vprintf(walor_ctx *c, const char *fmt, va_list ap) { return WALOR__A(c)->ctx_vprintf(c, fmt, ap); }
static inline void walor_vlog(const void *handle, int32_t level, const char *fmt, va_list ap) { WALOR__A(handle)->vlog(handle, level, fmt, ap); }

/* handle: the walor_plugin* or walor_ctx* you have */
__attribute__((format(printf, 3, 4)))
static inline void walor_log(const void *handle, int32_t level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    WALOR__A(handle)->vlog(handle, level, fmt, ap);
    va_end(ap);
}

/* registration (inside load() only) */
static inline int32_t walor_command(walor_plugin *p, const walor_command_def *d) { return WALOR__A(p)->reg_command(p, d); }
static inline int32_t walor_deeplink(walor_plugin *p, const walor_deeplink_def *d) { return WALOR__A(p)->reg_deeplink(p, d); }
static inline int32_t walor_callback(walor_plugin *p, const walor_callback_def *d) { return WALOR__A(p)->reg_callback(p, d); }
static inline int32_t walor_conversation(walor_plugin *p, const walor_conv_def *d) { return WALOR__A(p)->reg_conversation(p, d); }
static inline int32_t walor_menu(walor_plugin *p, const walor_menu_def *d) { return WALOR__A(p)->reg_menu(p, d); }
static inline int32_t walor_setting(walor_plugin *p, const walor_setting_def *d) { return WALOR__A(p)->reg_setting(p, d); }
/* deprecated: one text at a time; walor_texts() registers a table */
WALOR__DEPRECATED("walor_texts")
static inline int32_t walor_text_default(walor_plugin *p, const char *key, const char *text) { return WALOR__A(p)->reg_text(p, key, text); }
static inline int32_t walor_migration(walor_plugin *p, int32_t version, const char *sql) { return WALOR__A(p)->reg_migration(p, version, sql); }
static inline int32_t walor_admin_header(walor_plugin *p, walor_header_fn fn) { return WALOR__A(p)->reg_admin_header(p, fn); }
static inline int32_t walor_wipe(walor_plugin *p, walor_wipe_fn fn) { return WALOR__A(p)->reg_wipe(p, fn); }
/* deprecated name of walor_wipe */
WALOR__DEPRECATED("walor_wipe")
static inline int32_t walor_on_wipe(walor_plugin *p, walor_wipe_fn fn) { return WALOR__A(p)->reg_wipe(p, fn); }
static inline const char *walor_plugin_name(const walor_plugin *p) { return WALOR__A(p)->plugin_name(p); }
static inline const char *walor_plugin_config(const walor_plugin *p, const char *key) { return WALOR__A(p)->plugin_config(p, key); }

/* the current callback */
static inline walor_plugin *walor_ctx_plugin(walor_ctx *c) { return WALOR__A(c)->ctx_plugin(c); }
static inline int64_t walor_ctx_user_id(walor_ctx *c) { return WALOR__A(c)->ctx_user_id(c); }
static inline int64_t walor_ctx_chat_id(walor_ctx *c) { return WALOR__A(c)->ctx_chat_id(c); }
static inline uint32_t walor_ctx_role(walor_ctx *c) { return WALOR__A(c)->ctx_role(c); }
static inline int64_t walor_ctx_message_id(walor_ctx *c) { return WALOR__A(c)->ctx_message_id(c); }
static inline json_t *walor_ctx_update(walor_ctx *c) { return WALOR__A(c)->ctx_update(c); }
static inline int64_t walor_now(walor_ctx *c) { return WALOR__A(c)->now(c); }
/* deprecated short names of the five above */
WALOR__DEPRECATED("walor_ctx_user_id") static inline int64_t walor_user_id(walor_ctx *c) { return WALOR__A(c)->ctx_user_id(c); }
WALOR__DEPRECATED("walor_ctx_chat_id") static inline int64_t walor_chat_id(walor_ctx *c) { return WALOR__A(c)->ctx_chat_id(c); }
WALOR__DEPRECATED("walor_ctx_role") static inline uint32_t walor_role(walor_ctx *c) { return WALOR__A(c)->ctx_role(c); }
WALOR__DEPRECATED("walor_ctx_message_id") static inline int64_t walor_message_id(walor_ctx *c) { return WALOR__A(c)->ctx_message_id(c); }
WALOR__DEPRECATED("walor_ctx_update") static inline json_t *walor_update(walor_ctx *c) { return WALOR__A(c)->ctx_update(c); }

/* messages */
static inline int32_t walor_send(walor_ctx *c, int64_t chat_id, const char *html, const walor_kb *kb,
                                 uint32_t flags, int64_t *out_message_id)
{
    return WALOR__A(c)->send(c, chat_id, html, kb, flags, out_message_id);
}
/* a new message to the current chat */
static inline int32_t walor_reply(walor_ctx *c, const char *html, const walor_kb *kb)
{
    return WALOR__A(c)->send(c, walor_ctx_chat_id(c), html, kb, 0, NULL);
}
/* what walor_show did inline before SDK 1.3, for older hosts */
static inline int32_t walor__show_compat(walor_ctx *c, const char *html, const walor_kb *kb)
{
    int64_t mid = walor_ctx_message_id(c);
    json_t *u = walor_ctx_update(c);
    if (mid == 0 || u == NULL || json_object_get(u, "callback_query") == NULL)
        return WALOR__A(c)->send(c, walor_ctx_chat_id(c), html, kb, 0, NULL);
    return WALOR__A(c)->edit(c, walor_ctx_chat_id(c), mid, html, kb, 0);
}
/* SDK 1.3: edit the message whose button was pressed; a new message otherwise */
static inline int32_t walor_show(walor_ctx *c, const char *html, const walor_kb *kb)
{
    return WALOR__HAS(c, show) ? WALOR__A(c)->show(c, html, kb) : walor__show_compat(c, html, kb);
}
/* deprecated: the pre-1.3 name of walor_show */
WALOR__DEPRECATED("walor_show")
static inline int32_t walor_edit(walor_ctx *c, const char *html, const walor_kb *kb) { return walor_show(c, html, kb); }
static inline int32_t walor_edit_message(walor_ctx *c, int64_t chat_id, int64_t message_id,
                                         const char *html, const walor_kb *kb)
{
    return WALOR__A(c)->edit(c, chat_id, message_id, html, kb, 0);
}
static inline int32_t walor_answer(walor_ctx *c, const char *text) { return WALOR__A(c)->answer(c, text, 0); }
static inline int32_t walor_alert(walor_ctx *c, const char *text) { return WALOR__A(c)->answer(c, text, WALOR_ANSWER_ALERT); }
static inline int32_t walor_send_photo(walor_ctx *c, int64_t chat_id, const char *photo, const char *caption,
                                       const walor_kb *kb, uint32_t flags, int64_t *out_message_id)
{
    return WALOR__A(c)->send_photo(c, chat_id, photo, caption, kb, flags, out_message_id);
}
static inline int32_t walor_send_document(walor_ctx *c, int64_t chat_id, const char *filename, const void *data,
                                          size_t len, const char *caption, uint32_t flags)
{
    return WALOR__A(c)->send_document(c, chat_id, filename, data, len, caption, flags);
}
static inline int32_t walor_delete_message(walor_ctx *c, int64_t chat_id, int64_t message_id)
{
    return WALOR__A(c)->delete_message(c, chat_id, message_id);
}
static inline int32_t walor_tg_call(walor_ctx *c, const char *method, json_t *params, json_t **out)
{
    return WALOR__A(c)->tg_call(c, method, params, out);
}

/* keyboards */
static inline walor_kb *walor_kb_new(walor_ctx *c) { return WALOR__A(c)->kb_new(c); }
static inline int32_t walor_kb_button(walor_kb *kb, const char *text, const char *data) { return WALOR__A(kb)->kb_button(kb, text, data); }
static inline int32_t walor_kb_url(walor_kb *kb, const char *text, const char *url) { return WALOR__A(kb)->kb_url(kb, text, url); }
static inline int32_t walor_kb_row(walor_kb *kb) { return WALOR__A(kb)->kb_row(kb); }
static inline int32_t walor_kb_conv_button(walor_kb *kb, const char *text, const char *payload) { return WALOR__A(kb)->kb_conv_button(kb, text, payload); }

/* text helpers */
static inline char *walor_html_escape(walor_ctx *c, const char *s) { return WALOR__A(c)->html_escape(c, s); }
static inline char *walor_money(walor_ctx *c, int64_t kopecks) { return WALOR__A(c)->money(c, kopecks); }
/* walor_textf(c, "catalog.card.left", "n", "3", NULL) */
__attribute__((sentinel))
static inline char *walor_textf(walor_ctx *c, const char *key, ...)
{
    va_list ap;
    va_start(ap, key);
    char *s = WALOR__A(c)->text_vfmt(c, key, ap);
    va_end(ap);
    return s;
}
static inline char *walor_text(walor_ctx *c, const char *key) { return walor_textf(c, key, (const char *)NULL); }
static inline char *walor_text_vfmt(walor_ctx *c, const char *key, va_list pairs) { return WALOR__A(c)->text_vfmt(c, key, pairs); }

/* conversations */
static inline int32_t walor_conv_start(walor_ctx *c, const char *name, const char *state, json_t *data)
{
    return WALOR__A(c)->conv_start(c, name, state, data);
}
static inline int32_t walor_conv_goto(walor_ctx *c, const char *state) { return WALOR__A(c)->conv_goto(c, state); }
static inline json_t *walor_conv_data(walor_ctx *c) { return WALOR__A(c)->conv_data(c); }
static inline int32_t walor_conv_end(walor_ctx *c) { return WALOR__A(c)->conv_end(c); }

/* menus */
static inline int32_t walor_show_main_menu(walor_ctx *c) { return WALOR__A(c)->show_main_menu(c); }
static inline int32_t walor_show_admin_menu(walor_ctx *c) { return WALOR__A(c)->show_admin_menu(c); }

/* settings */
static inline int32_t walor_setting_int(walor_ctx *c, const char *key, int64_t *out) { return WALOR__A(c)->setting_int(c, key, out); }
static inline const char *walor_setting_str(walor_ctx *c, const char *key) { return WALOR__A(c)->setting_str(c, key); }
static inline int32_t walor_setting_set(walor_ctx *c, const char *key, const char *value) { return WALOR__A(c)->setting_set(c, key, value); }

/* database */
static inline int32_t walor_db_exec(walor_ctx *c, const char *sql, const walor_val *args, uint32_t nargs)
{
    return WALOR__A(c)->db_exec(c, sql, args, nargs);
}
static inline int32_t walor_db_query(walor_ctx *c, const char *sql, const walor_val *args, uint32_t nargs,
                                     walor_rows **out)
{
    return WALOR__A(c)->db_query(c, sql, args, nargs, out);
}
static inline int32_t walor_row_next(walor_rows *r) { return WALOR__A(r)->row_next(r); }
static inline int64_t walor_col_int(walor_rows *r, uint32_t col) { return WALOR__A(r)->col_int(r, col); }
static inline const char *walor_col_text(walor_rows *r, uint32_t col) { return WALOR__A(r)->col_text(r, col); }
static inline int32_t walor_col_is_null(walor_rows *r, uint32_t col) { return WALOR__A(r)->col_is_null(r, col); }
static inline void walor_rows_close(walor_rows *r) { WALOR__A(r)->rows_close(r); }
/* the first column of the first row as an integer; WALOR_ENOTFOUND without a row */
static inline int32_t walor_db_int(walor_ctx *c, const char *sql, const walor_val *args, uint32_t nargs,
                                   int64_t *out)
{
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c, sql, args, nargs, &r);
    if (rc < 0)
        return rc;
    rc = walor_row_next(r);
    if (rc == 1)
        *out = walor_col_int(r, 0);
    walor_rows_close(r);
    return rc == 1 ? 0 : rc == 0 ? WALOR_ENOTFOUND : rc;
}
/* SDK 1.3: read the current row's columns into pointers, one letter of fmt
 * a column from column 0: 'i' int64_t *, 'd' int32_t * (narrowed), 's'
 * const char ** copied into the arena (NULL for NULL), 'z' the same with ""
 * for NULL, 't' const char ** borrowed (NULL for NULL; valid until the next
 * walor_row_next or walor_rows_close), '_' skips the column (no pointer).
 * 0, WALOR_ENOMEM (a copy), or WALOR_EINVAL (a letter it does not know). */
static inline int32_t walor_row_vread(walor_ctx *c, walor_rows *r, const char *fmt, va_list ap)
{
    for (uint32_t i = 0; fmt[i]; i++) {
        const char **t;
        switch (fmt[i]) {
        case 'i':
            *va_arg(ap, int64_t *) = walor_col_int(r, i);
            break;
        case 'd':
            *va_arg(ap, int32_t *) = (int32_t)walor_col_int(r, i);
            break;
        case 's':
        case 'z':
        case 't':
            t = va_arg(ap, const char **);
            *t = walor_col_text(r, i);
            if (!*t && fmt[i] == 'z')
                *t = "";
            else if (*t && fmt[i] != 't' && !(*t = walor_ctx_printf(c, "%s", *t)))
                return WALOR_ENOMEM;
            break;
        case '_':
            break;
        default:
            return WALOR_EINVAL;
        }
    }
    return 0;
}
static inline int32_t walor_row_read(walor_ctx *c, walor_rows *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int32_t rc = walor_row_vread(c, r, fmt, ap);
    va_end(ap);
    return rc;
}
/* SDK 1.3: the next row read into pointers as walor_row_read does: 1 a row
 * was read, 0 no more rows, < 0 an error. A stream of rows:
 *     while ((rc = walor_row_step(c, r, "it", &id, &name)) == 1 && (rc = fn(ud, id, name)) == 0)
 *         ;
 *     walor_rows_close(r);   // rc: 0 at the end, fn's stop, or the error */
static inline int32_t walor_row_step(walor_ctx *c, walor_rows *r, const char *fmt, ...)
{
    int32_t rc = walor_row_next(r);
    if (rc == 1) {
        va_list ap;
        va_start(ap, fmt);
        int32_t e = walor_row_vread(c, r, fmt, ap);
        va_end(ap);
        if (e < 0)
            rc = e;
    }
    return rc;
}
/* SDK 1.3: the first row of a query read into pointers as walor_row_read
 * does ('t' is not allowed: the rows are closed when it returns); 0,
 * WALOR_ENOTFOUND without a row, or the error. The pointers are written
 * only when there is a row:
 *     rc = walor_db_row(c, "SELECT name, price FROM x WHERE id = ?", WALOR_ARGS(walor_i(id)), "si", &name, &price); */
static inline int32_t walor_db_vrow(walor_ctx *c, const char *sql, const walor_val *args, uint32_t nargs,
                                    const char *fmt, va_list ap)
{
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c, sql, args, nargs, &r);
    if (rc < 0)
        return rc;
    rc = walor_row_next(r);
    if (rc == 1)
        rc = strchr(fmt, 't') ? WALOR_EINVAL : walor_row_vread(c, r, fmt, ap);
    else if (rc == 0)
        rc = WALOR_ENOTFOUND;
    walor_rows_close(r);
    return rc;
}
static inline int32_t walor_db_row(walor_ctx *c, const char *sql, const walor_val *args, uint32_t nargs,
                                   const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int32_t rc = walor_db_vrow(c, sql, args, nargs, fmt, ap);
    va_end(ap);
    return rc;
}
/* walor_db_row's answer for a function that says 1 found, 0 not found,
 * < 0 error */
static inline int32_t walor_found(int32_t rc) { return rc == WALOR_ENOTFOUND ? 0 : rc < 0 ? rc : 1; }
/* SDK 1.3: the first column of up to max rows as integers into out[]; *n
 * says how many (also on an error, what was read before it); 0 or the error */
static inline int32_t walor_db_ints(walor_ctx *c, const char *sql, const walor_val *args, uint32_t nargs,
                                    int64_t *out, uint32_t max, uint32_t *n)
{
    walor_rows *r = NULL;
    *n = 0;
    int32_t rc = walor_db_query(c, sql, args, nargs, &r);
    if (rc < 0)
        return rc;
    while (*n < max && (rc = walor_row_next(r)) == 1)
        out[(*n)++] = walor_col_int(r, 0);
    walor_rows_close(r);
    return rc < 0 ? rc : 0;
}
static inline int32_t walor_tx_begin(walor_ctx *c) { return WALOR__A(c)->tx_begin(c); }
static inline int32_t walor_tx_commit(walor_ctx *c) { return WALOR__A(c)->tx_commit(c); }
static inline int32_t walor_tx_rollback(walor_ctx *c) { return WALOR__A(c)->tx_rollback(c); }
/* ends the transaction walor_tx_begin opened: committed when rc >= 0, else
 * (or when the commit fails) rolled back; returns rc, or the commit's error:
 *     rc = walor_tx_begin(c); … if ((rc = walor_tx_end(c, rc)) < 0) return rc; */
static inline int32_t walor_tx_end(walor_ctx *c, int32_t rc)
{
    if (rc >= 0) {
        int32_t cm = walor_tx_commit(c);
        if (cm >= 0)
            return rc;
        rc = cm;
    }
    walor_tx_rollback(c);
    return rc;
}

/* users and staff */
static inline json_t *walor_user_get(walor_ctx *c, int64_t user_id) { return WALOR__A(c)->user_get(c, user_id); }
static inline int32_t walor_action_log(walor_ctx *c, const char *what) { return WALOR__A(c)->action_log(c, what); }


/* scheduler */
static inline int32_t walor_cron(walor_plugin *p, const walor_cron_def *d) { return WALOR__A(p)->reg_cron(p, d); }
static inline int32_t walor_job(walor_plugin *p, const char *name, walor_job_fn fn) { return WALOR__A(p)->reg_job(p, name, fn); }
static inline int32_t walor_job_at(walor_ctx *c, int64_t when, const char *name, const char *key, json_t *payload)
{
    return WALOR__A(c)->job_at(c, when, name, key, payload);
}
static inline int32_t walor_job_cancel(walor_ctx *c, const char *name, const char *key) { return WALOR__A(c)->job_cancel(c, name, key); }

/* events and services */
static inline int32_t walor_subscribe(walor_plugin *p, const char *event, walor_event_fn fn) { return WALOR__A(p)->reg_subscribe(p, event, fn); }
static inline int32_t walor_event_emit(walor_ctx *c, const char *event, const char *aggregate, json_t *payload)
{
    return WALOR__A(c)->event_emit(c, event, aggregate, payload);
}
static inline int32_t walor_service_provide(walor_plugin *p, const char *name, uint32_t major, uint32_t minor, const void *vtable)
{
    return WALOR__A(p)->service_provide(p, name, major, minor, vtable);
}
static inline int32_t walor_service_require(walor_plugin *p, const char *name, uint32_t major, uint32_t min_minor)
{
    return WALOR__A(p)->service_require(p, name, major, min_minor);
}
static inline const void *walor_service_get(const walor_plugin *p, const char *name, uint32_t major, uint32_t *out_minor)
{
    return WALOR__A(p)->service_get(p, name, major, out_minor);
}

/* HTTP routes */
static inline int32_t walor_route(walor_plugin *p, const walor_route_def *d) { return WALOR__A(p)->reg_route(p, d); }
static inline const char *walor_http_method(walor_ctx *c) { return WALOR__A(c)->http_method(c); }
static inline const char *walor_http_path(walor_ctx *c) { return WALOR__A(c)->http_path(c); }
static inline const char *walor_http_header(walor_ctx *c, const char *name) { return WALOR__A(c)->http_header(c, name); }
static inline const char *walor_http_query(walor_ctx *c, const char *name) { return WALOR__A(c)->http_query(c, name); }
static inline const void *walor_http_body(walor_ctx *c, size_t *len) { return WALOR__A(c)->http_body(c, len); }
static inline int32_t walor_http_respond(walor_ctx *c, uint32_t status, const char *type, const void *body, size_t len)
{
    return WALOR__A(c)->http_respond(c, status, type, body, len);
}

/* help, errors, forms */
static inline int32_t walor_help(walor_plugin *p, const char *title, const char *html, uint32_t min_role)
{
    return WALOR__A(p)->reg_help(p, title, html, min_role);
}
static inline int32_t walor_report_error(walor_ctx *c, const char *what) { return WALOR__A(c)->report_error(c, what); }
/* SDK 1.1: plugins that also run on 1.0 hosts check WALOR_API_HAS(api, file_download) */
static inline int32_t walor_file_download(walor_ctx *c, const char *file_id, size_t max_bytes, void **data, size_t *len)
{
    if (!WALOR_API_HAS(WALOR__A(c), file_download))
        return WALOR_ENOSYS;
    return WALOR__A(c)->file_download(c, file_id, max_bytes, data, len);
}
/* SDK 1.2: outbound HTTP. Declare .min_host_minor = 2 in WALOR_PLUGIN_DEFINE
 * (or check WALOR_API_HAS(api, http_fetch)). Never inside walor_tx_begin/commit. */
static inline int32_t walor_http_fetch(walor_ctx *c, const walor_http_request *req, walor_http_response *out)
{
    if (!WALOR_API_HAS(WALOR__A(c), http_fetch))
        return WALOR_ENOSYS;
    return WALOR__A(c)->http_fetch(c, req, out);
}
static inline int32_t walor_http_get(walor_ctx *c, const char *url, const char *const *headers, uint32_t timeout_ms,
                                     walor_http_response *out)
{
    walor_http_request rq = {.struct_size = sizeof rq, .timeout_ms = timeout_ms, .method = "GET", .url = url,
                             .headers = headers};
    out->struct_size = sizeof *out;
    return walor_http_fetch(c, &rq, out);
}
/* what walor_http_post did inline before SDK 1.3, for older hosts */
static inline int32_t walor__http_post_compat(walor_ctx *c, const char *url, const char *const *headers,
                                              const char *content_type, const void *body, uint64_t body_len,
                                              uint32_t timeout_ms, walor_http_response *out)
{
    const char *hs[33];
    uint32_t n = 0;
    if (content_type) {
        char *ct = walor_ctx_printf(c, "Content-Type: %s", content_type);
        if (!ct)
            return WALOR_ENOMEM;
        hs[n++] = ct;
    }
    for (uint32_t i = 0; headers && headers[i]; i++) {
        if (n == 32)
            return WALOR_EINVAL;
        hs[n++] = headers[i];
    }
    hs[n] = NULL;
    walor_http_request rq = {.struct_size = sizeof rq, .timeout_ms = timeout_ms, .method = "POST", .url = url,
                             .headers = hs, .body = body ? body : "", .body_len = body_len};
    out->struct_size = sizeof *out;
    return walor_http_fetch(c, &rq, out);
}
/* POST body with a Content-Type header added in front of headers (content_type NULL = none) */
static inline int32_t walor_http_post(walor_ctx *c, const char *url, const char *const *headers,
                                      const char *content_type, const void *body, uint64_t body_len,
                                      uint32_t timeout_ms, walor_http_response *out)
{
    out->struct_size = sizeof *out;
    return WALOR__HAS(c, http_post)
               ? WALOR__A(c)->http_post(c, url, headers, content_type, body, body_len, timeout_ms, out)
               : walor__http_post_compat(c, url, headers, content_type, body, body_len, timeout_ms, out);
}
/* what walor_http_resp_header did inline before SDK 1.3, for older hosts */
static inline const char *walor__http_resp_header_compat(walor_ctx *c, const walor_http_response *r, const char *name)
{
    size_t nl = strlen(name);
    for (const char *p = r->headers; p && *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > nl && p[nl] == ':') {
            size_t i = 0;
            while (i < nl && ((p[i] | 0x20) == (name[i] | 0x20)))
                i++;
            if (i == nl) {
                const char *v = p + nl + 1;
                while (v < p + len && (*v == ' ' || *v == '\t'))
                    v++;
                size_t vl = (size_t)(p + len - v);
                while (vl && (v[vl - 1] == '\r' || v[vl - 1] == ' '))
                    vl--;
                char *out = (char *)walor_ctx_alloc(c, vl + 1);
                if (!out)
                    return NULL;
                memcpy(out, v, vl);
                out[vl] = '\0';
                return out;
            }
        }
        p = eol ? eol + 1 : p + len;
    }
    return NULL;
}
/* the value of response header `name` (case-insensitive), ctx arena, NULL if absent */
static inline const char *walor_http_resp_header(walor_ctx *c, const walor_http_response *r, const char *name)
{
    return WALOR__HAS(c, http_resp_header) ? WALOR__A(c)->http_resp_header(c, r, name)
                                            : walor__http_resp_header_compat(c, r, name);
}
static inline char *walor_url_escape(walor_ctx *c, const char *s)
{
    if (!WALOR_API_HAS(WALOR__A(c), url_escape))
        return NULL;
    return WALOR__A(c)->url_escape(c, s);
}
/* SDK 1.2: is a transaction open on this ctx? 1 yes, 0 no, and
 * WALOR_ENOSYS on a 1.0/1.1 host, where nobody can tell — so the test is
 * `== 1`, never `!walor_tx_active(c)` (that reads "unknown" as "open" and
 * skips the transaction). To work in the caller's transaction if there is
 * one, else in one's own, on any host:
 *     int own = walor_tx_active(c) != 1;
 *     if (own && (rc = walor_tx_begin(c)) < 0) {
 *         if (rc != WALOR_EBUSY) return rc;   // a 1.1 host: one is open after all
 *         own = 0;
 *     }
 *     …
 *     if (own) rc < 0 ? walor_tx_rollback(c) : (rc = walor_tx_commit(c)); */
static inline int32_t walor_tx_active(walor_ctx *c)
{
    return WALOR__HAS(c, tx_active) ? WALOR__A(c)->tx_active(c) : WALOR_ENOSYS;
}
/* SDK 1.2: a notice to the shop's staff (new payment to check, CDEK
 * failure, paid-after-cancel). WALOR_ENOSYS on older hosts. */
static inline int32_t walor_notify_staff(walor_ctx *c, uint32_t min_role, const char *html, const walor_kb *kb)
{
    if (!WALOR_API_HAS(WALOR__A(c), notify_staff))
        return WALOR_ENOSYS;
    return WALOR__A(c)->notify_staff(c, min_role, html, kb);
}
/* SDK 1.3: a config value of this plugin that cannot work (api.h); load()
 * returns what it returns. On older hosts it only logs and returns 0. */
static inline int32_t walor_config_invalid(walor_plugin *p, const char *key, uint32_t flags, const char *why)
{
    if (!WALOR_API_HAS(WALOR__A(p), config_invalid)) {
        walor_log(p, flags & WALOR_CONFIG_WARNING ? WALOR_LOG_WARN : WALOR_LOG_ERROR, "[plugin.%s] %s: %s",
                  walor_plugin_name(p), key ? key : "", why);
        return 0;
    }
    return WALOR__A(p)->config_invalid(p, key, flags, why);
}
/* SDK 1.3: a verified copy of the database at dest_path (from a job, never
 * inside a transaction); WALOR_ENOSYS on older hosts. */
static inline int32_t walor_db_backup(walor_ctx *c, const char *dest_path, uint32_t flags)
{
    return WALOR_API_HAS(WALOR__A(c), db_backup) ? WALOR__A(c)->db_backup(c, dest_path, flags) : WALOR_ENOSYS;
}
/* SDK 1.3: asynchronous HTTP (types.h walor_http_async). WALOR_ENOSYS on
 * older hosts: set .min_host_minor = 3 or probe WALOR_API_HAS(api, http_start). */
static inline int32_t walor_http_start(walor_ctx *c, const walor_http_async *req, uint64_t *out_id)
{
    if (!WALOR_API_HAS(WALOR__A(c), http_start))
        return WALOR_ENOSYS;
    return WALOR__A(c)->http_start(c, req, out_id);
}
static inline int32_t walor_http_cancel(walor_ctx *c, uint64_t id)
{
    if (!WALOR_API_HAS(WALOR__A(c), http_cancel))
        return WALOR_ENOSYS;
    return WALOR__A(c)->http_cancel(c, id);
}
/* SDK 1.3: a streaming draft of a reply (sendMessageDraft); WALOR_ENOSYS on
 * older hosts and on Telegram servers without the method. */
static inline int32_t walor_send_draft(walor_ctx *c, int64_t chat_id, int64_t draft_id, const char *html)
{
    if (!WALOR_API_HAS(WALOR__A(c), send_draft))
        return WALOR_ENOSYS;
    return WALOR__A(c)->send_draft(c, chat_id, draft_id, html, 0);
}
/* SDK 1.3: check a text someone wrote before it is stored or sent (api.h);
 * WALOR_ENOSYS on older hosts */
static inline int32_t walor_html_check(walor_ctx *c, const char *html, uint32_t limit, const char **why)
{
    if (!WALOR_API_HAS(WALOR__A(c), html_check))
        return WALOR_ENOSYS;
    return WALOR__A(c)->html_check(c, html, limit, why);
}
/* SDK 1.3: the bot's username for t.me links (api.h); NULL on older hosts */
static inline const char *walor_bot_username(walor_ctx *c)
{
    return WALOR_API_HAS(WALOR__A(c), bot_username) ? WALOR__A(c)->bot_username(c) : NULL;
}

/* SDK 1.3: the walord version, the loaded plugins' versions and the schema
 * version of every migration owner (api.h); NULL on an older host */
static inline json_t *walor_host_info(walor_ctx *c)
{
    return WALOR_API_HAS(WALOR__A(c), host_info) ? WALOR__A(c)->host_info(c) : NULL;
}

/* SDK 1.3: WALOR_DB_SQLITE or WALOR_DB_POSTGRESQL; older hosts run SQLite only */
static inline int32_t walor_db_dialect(walor_plugin *p)
{
    return WALOR_API_HAS(WALOR__A(p), db_dialect) ? WALOR__A(p)->db_dialect(p) : WALOR_DB_SQLITE;
}
/* SDK 1.3: a migration with a text per dialect (NULL: the other one serves
 * both); on older hosts, which run SQLite only, the SQLite text */
static inline int32_t walor_migration_v2(walor_plugin *p, int32_t version, const char *sqlite_sql, const char *pg_sql)
{
    if (!WALOR_API_HAS(WALOR__A(p), reg_migration_v2))
        return WALOR__A(p)->reg_migration(p, version, sqlite_sql ? sqlite_sql : pg_sql);
    return WALOR__A(p)->reg_migration_v2(p, version, sqlite_sql, pg_sql);
}

/* SDK 1.3: "05.01.2026 14:30", "пн, 5 января" in the shop's zone (api.h);
 * NULL on an older host */
static inline char *walor_time_format(walor_ctx *c, int64_t t, const char *fmt)
{
    return WALOR__HAS(c, time_format) ? WALOR__A(c)->time_format(c, t, fmt) : NULL;
}

/* SDK 1.3: "Имя (@username, 42)" for staff screens (api.h); NULL on an
 * older host */
static inline char *walor_user_label(walor_ctx *c, int64_t user_id, uint32_t flags)
{
    return WALOR__HAS(c, user_label) ? WALOR__A(c)->user_label(c, user_id, flags) : NULL;
}

static inline int32_t walor_form_parse(walor_ctx *c, const char *text, uint32_t flags, walor_form_line **out,
                                       uint32_t *n, const char **errors)
{
    return WALOR__A(c)->form_parse(c, text, flags, out, n, errors);
}

/* ---- SDK 1.3: the conversation toolkit (docs/plugin-guide.md "Forms") ---- */

/* what walor_texts does on a host older than 1.3 */
static inline int32_t walor__texts_compat(walor_plugin *p, const walor_text_pair *table, uint32_t n)
{
    int32_t rc = 0;
    for (uint32_t i = 0; rc == 0 && i < n; i++)
        rc = WALOR__A(p)->reg_text(p, table[i][0], table[i][1]);
    return rc;
}
/* [load] register a table of {"<plugin>.<key>", "default"} texts */
static inline int32_t walor_texts(walor_plugin *p, const walor_text_pair *table, uint32_t n)
{
    return WALOR__HAS(p, reg_texts) ? WALOR__A(p)->reg_texts(p, table, n) : walor__texts_compat(p, table, n);
}
static inline int32_t walor_form(walor_plugin *p, const walor_form_def *d)
{
    return WALOR__HAS(p, reg_form) ? WALOR__A(p)->reg_form(p, d) : WALOR_ENOSYS;
}
static inline int32_t walor_form_retry(walor_ctx *c, const char *key, const char *why)
{
    return WALOR__HAS(c, form_retry) ? WALOR__A(c)->form_retry(c, key, why) : WALOR_ENOSYS;
}
static inline int32_t walor_conv_ask(walor_ctx *c, const char *html, const walor_kb *kb)
{
    return WALOR__HAS(c, conv_ask) ? WALOR__A(c)->conv_ask(c, html, kb) : walor_reply(c, html, kb);
}
/* s (NULL as "") cut to max bytes on a UTF-8 boundary, "…" added when cut
 * (so up to max + 3 bytes): a name on a button, a label in a list; arena */
static inline char *walor_cut(walor_ctx *c, const char *s, size_t max)
{
    size_t n = strlen(s ? s : "");
    if (n <= max)
        return walor_ctx_printf(c, "%s", s ? s : "");
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return walor_ctx_printf(c, "%.*s…", (int)max, s);
}
/* a value of a form's data, or of any JSON object (an event's payload):
 * the integer, 0 when absent or not an integer */
static inline int64_t walor_data_int(json_t *d, const char *key)
{
    return (int64_t)json_integer_value(json_object_get(d, key));
}
/* the string, "" when absent, null (a skipped step) or not a string */
static inline const char *walor_data_str(json_t *d, const char *key)
{
    const char *s = json_string_value(json_object_get(d, key));
    return s ? s : "";
}
/* ---- SDK 1.3: small idioms every plugin used to write again ---- */

/* the number of elements of an array (not a pointer) */
#define WALOR_COUNT(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

/* room for element n of an arena array v of *cap elements of size bytes:
 * v itself while n < *cap, else a copy twice as large (8 at first) with
 * its n elements, *cap updated; NULL when the arena is out of memory:
 *     if (!(v = walor_grow(c, v, n, &cap, sizeof *v))) return WALOR_ENOMEM;
 *     v[n++] = x; */
static inline void *walor_grow(walor_ctx *c, void *v, uint32_t n, uint32_t *cap, size_t size)
{
    if (n < *cap)
        return v;
    uint32_t ncap = *cap ? *cap * 2 : 8;
    void *nv = walor_ctx_alloc(c, (size_t)ncap * size);
    if (!nv)
        return NULL;
    if (v && n)
        memcpy(nv, v, (size_t)n * size);
    *cap = ncap;
    return nv;
}
/* buttons from a table of {text key, callback data} added to kb: the label
 * is walor_text(c, key), a {NULL, NULL} row starts a new row of buttons;
 * conv non-zero: buttons of the active conversation (walor_kb_conv_button,
 * data is the payload). Returns kb:
 *     static const walor_text_pair MENU[] = {{"x.btn.list", "x:l"}, {"x.btn.new", "x:n"}, {NULL, NULL},
 *                                            {"x.btn.back", "m:core.admin"}};
 *     walor_kb *kb = walor_kb_add(c, walor_kb_new(c), MENU, WALOR_COUNT(MENU), 0); */
static inline walor_kb *walor_kb_add(walor_ctx *c, walor_kb *kb, const walor_text_pair *t, uint32_t n, int conv)
{
    for (uint32_t i = 0; kb && i < n; i++) {
        if (!t[i][0])
            walor_kb_row(kb);
        else if (conv)
            walor_kb_conv_button(kb, walor_text(c, t[i][0]), t[i][1]);
        else
            walor_kb_button(kb, walor_text(c, t[i][0]), t[i][1]);
    }
    return kb;
}
/* 1 when the update being handled is a button press (a callback query) */
static inline int walor_in_callback(walor_ctx *c)
{
    json_t *u = walor_ctx_update(c);
    return u && json_object_get(u, "callback_query") != NULL;
}
/* a positive decimal id ("[1-9][0-9]*" within int64_t, a button's payload)
 * ended by the end of s or, with stop non-zero, by that character ("12:x"):
 * 0 and *out, else WALOR_EINVAL and *out untouched */
static inline int32_t walor_parse_id_to(const char *s, char stop, int64_t *out)
{
    if (!s || *s < '1' || *s > '9')
        return WALOR_EINVAL;
    int64_t v = 0;
    for (; *s && (!stop || *s != stop); s++) {
        if (*s < '0' || *s > '9' || v > (INT64_MAX - 9) / 10)
            return WALOR_EINVAL;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return 0;
}
/* the whole of s a positive decimal id: 0 and *out, else WALOR_EINVAL */
static inline int32_t walor_parse_id(const char *s, int64_t *out) { return walor_parse_id_to(s, 0, out); }
/* setting key (full name) as an integer; def when it cannot be read */
static inline int64_t walor_setting_or(walor_ctx *c, const char *key, int64_t def)
{
    int64_t v = def;
    return walor_setting_int(c, key, &v) == 0 ? v : def;
}
/* the same, and def also when the value is below min */
static inline int64_t walor_setting_min(walor_ctx *c, const char *key, int64_t min, int64_t def)
{
    int64_t v = walor_setting_or(c, key, def);
    return v < min ? def : v;
}
static inline int32_t walor_list_show(walor_ctx *c, const walor_list_def *d, const char *page)
{
    return WALOR__HAS(c, list_show) ? WALOR__A(c)->list_show(c, d, page) : WALOR_ENOSYS;
}
/* "21 позиция": forms "one|few|many" */
static inline char *walor_plural(walor_ctx *c, int64_t n, const char *forms, uint32_t flags)
{
    return WALOR__HAS(c, plural) ? WALOR__A(c)->plural(c, n, forms, flags) : NULL;
}
/* "0,3" for (300, 3) */
static inline char *walor_number(walor_ctx *c, int64_t value, uint32_t scale)
{
    return WALOR__HAS(c, number) ? WALOR__A(c)->number(c, value, scale) : NULL;
}

#ifdef __cplusplus
}
#endif
#endif
