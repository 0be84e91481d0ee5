/* The SDK 1.3 additions, frozen the same way as sdk_1_0_layout.c: the
 * offset and exact type of every slot, struct member and constant added in
 * 1.3 (sdk/abi/gen_layout.py, less what 1.0-1.2 freeze). NEVER EDIT these once
 * 1.3 is released; a later minor freezes its additions in its own file. */
#include <stddef.h>

#include <walor/plugin.h>

#if defined(__x86_64__) || defined(__aarch64__)

#define WALOR_ABI_FIELD(S, m, off, ...)                                                      \
    _Static_assert(offsetof(S, m) == (off), "SDK 1.3 ABI: " #S "." #m " moved (was at offset " #off ")"); \
    _Static_assert(_Generic(((S *)0)->m, __VA_ARGS__: 1, default: 0),                         \
                   "SDK 1.3 ABI: " #S "." #m " changed type (was " #__VA_ARGS__ ")")
#define WALOR_ABI_SIZE_MIN(S, n) \
    _Static_assert(sizeof(S) >= (n), "SDK 1.3 ABI: " #S " shrank (was " #n " bytes; only appending is allowed)")
#define WALOR_ABI_CONST(name, v) _Static_assert((name) == (v), "SDK 1.3 ABI: " #name " changed value (was " #v ")")

_Static_assert(WALOR_SDK_MINOR >= 3, "SDK minors only go up");

WALOR_ABI_FIELD(walor_conv_def, on_cancel, 32, walor_ctx_fn);
WALOR_ABI_SIZE_MIN(walor_conv_def, 40);
WALOR_ABI_FIELD(walor_menu_def, group, 48, uint32_t);
WALOR_ABI_FIELD(walor_menu_def, reserved, 52, uint32_t);
WALOR_ABI_SIZE_MIN(walor_menu_def, 56);
WALOR_ABI_FIELD(walor_step_choice, value, 0, const char *);
WALOR_ABI_FIELD(walor_step_choice, label, 8, const char *);
WALOR_ABI_SIZE_MIN(walor_step_choice, 16);
WALOR_ABI_FIELD(walor_step_def, struct_size, 0, uint32_t);
WALOR_ABI_FIELD(walor_step_def, type, 4, uint32_t);
WALOR_ABI_FIELD(walor_step_def, key, 8, const char *);
WALOR_ABI_FIELD(walor_step_def, prompt, 16, const char *);
WALOR_ABI_FIELD(walor_step_def, label, 24, const char *);
WALOR_ABI_FIELD(walor_step_def, error, 32, const char *);
WALOR_ABI_FIELD(walor_step_def, min, 40, int64_t);
WALOR_ABI_FIELD(walor_step_def, max, 48, int64_t);
WALOR_ABI_FIELD(walor_step_def, flags, 56, uint32_t);
WALOR_ABI_FIELD(walor_step_def, nchoices, 60, uint32_t);
WALOR_ABI_FIELD(walor_step_def, choices, 64, const walor_step_choice *);
WALOR_ABI_FIELD(walor_step_def, validate, 72, int32_t (*)(walor_ctx *c, json_t *value, const char **why));
WALOR_ABI_FIELD(walor_step_def, prompt_fn, 80, const char *(*)(walor_ctx *c, json_t *data));
WALOR_ABI_FIELD(walor_step_def, choices_fn, 88, const walor_step_choice *(*)(walor_ctx *c, json_t *data, uint32_t *n));
WALOR_ABI_FIELD(walor_step_def, skip_label, 96, const char *);
WALOR_ABI_FIELD(walor_step_def, keep_label, 104, const char *);
WALOR_ABI_FIELD(walor_step_def, ask_if, 112, int32_t (*)(walor_ctx *c, json_t *data));
WALOR_ABI_SIZE_MIN(walor_step_def, 120);
WALOR_ABI_FIELD(walor_form_def, struct_size, 0, uint32_t);
WALOR_ABI_FIELD(walor_form_def, min_role, 4, uint32_t);
WALOR_ABI_FIELD(walor_form_def, name, 8, const char *);
WALOR_ABI_FIELD(walor_form_def, steps, 16, const walor_step_def *);
WALOR_ABI_FIELD(walor_form_def, nsteps, 24, uint32_t);
WALOR_ABI_FIELD(walor_form_def, timeout_s, 28, uint32_t);
WALOR_ABI_FIELD(walor_form_def, summary, 32, const char *);
WALOR_ABI_FIELD(walor_form_def, summary_fn, 40, const char *(*)(walor_ctx *c, json_t *data));
WALOR_ABI_FIELD(walor_form_def, on_done, 48, int32_t (*)(walor_ctx *c, json_t *data));
WALOR_ABI_FIELD(walor_form_def, on_cancel, 56, walor_ctx_fn);
WALOR_ABI_FIELD(walor_form_def, done_label, 64, const char *);
WALOR_ABI_SIZE_MIN(walor_form_def, 72);
WALOR_ABI_FIELD(walor_list_def, struct_size, 0, uint32_t);
WALOR_ABI_FIELD(walor_list_def, page_size, 4, uint32_t);
WALOR_ABI_FIELD(walor_list_def, sql, 8, const char *);
WALOR_ABI_FIELD(walor_list_def, args, 16, const walor_val *);
WALOR_ABI_FIELD(walor_list_def, nargs, 24, uint32_t);
WALOR_ABI_FIELD(walor_list_def, reserved, 28, uint32_t);
WALOR_ABI_FIELD(walor_list_def, total, 32, int64_t);
WALOR_ABI_FIELD(walor_list_def, row, 40, const char *(*)(walor_ctx *c, walor_rows *r, int64_t index, walor_kb *kb, void *ud));
WALOR_ABI_FIELD(walor_list_def, ud, 48, void *);
WALOR_ABI_FIELD(walor_list_def, page_data, 56, const char *);
WALOR_ABI_FIELD(walor_list_def, header, 64, const char *);
WALOR_ABI_FIELD(walor_list_def, empty, 72, const char *);
WALOR_ABI_FIELD(walor_list_def, footer, 80, const char *);
WALOR_ABI_FIELD(walor_list_def, buttons, 88, const walor_kb *);
WALOR_ABI_FIELD(walor_list_def, prev_label, 96, const char *);
WALOR_ABI_FIELD(walor_list_def, next_label, 104, const char *);
WALOR_ABI_SIZE_MIN(walor_list_def, 112);
WALOR_ABI_FIELD(walor_http_async, struct_size, 0, uint32_t);
WALOR_ABI_FIELD(walor_http_async, flags, 4, uint32_t);
WALOR_ABI_FIELD(walor_http_async, method, 8, const char *);
WALOR_ABI_FIELD(walor_http_async, url, 16, const char *);
WALOR_ABI_FIELD(walor_http_async, headers, 24, const char *const *);
WALOR_ABI_FIELD(walor_http_async, body, 32, const void *);
WALOR_ABI_FIELD(walor_http_async, body_len, 40, uint64_t);
WALOR_ABI_FIELD(walor_http_async, max_response, 48, uint64_t);
WALOR_ABI_FIELD(walor_http_async, timeout_ms, 56, uint32_t);
WALOR_ABI_FIELD(walor_http_async, idle_timeout_ms, 60, uint32_t);
WALOR_ABI_FIELD(walor_http_async, order_key, 64, int64_t);
WALOR_ABI_FIELD(walor_http_async, on_chunk, 72, walor_http_chunk_fn);
WALOR_ABI_FIELD(walor_http_async, on_done, 80, walor_http_done_fn);
WALOR_ABI_FIELD(walor_http_async, ud_free, 88, void (*)(void *ud));
WALOR_ABI_FIELD(walor_http_async, ud, 96, void *);
WALOR_ABI_SIZE_MIN(walor_http_async, 104);
WALOR_ABI_FIELD(walor_host_api, config_invalid, 688, int32_t (*)(walor_plugin *p, const char *key, uint32_t flags, const char *why));
WALOR_ABI_FIELD(walor_host_api, reg_texts, 696, int32_t (*)(walor_plugin *p, const walor_text_pair *table, uint32_t n));
WALOR_ABI_FIELD(walor_host_api, reg_form, 704, int32_t (*)(walor_plugin *p, const walor_form_def *d));
WALOR_ABI_FIELD(walor_host_api, form_retry, 712, int32_t (*)(walor_ctx *c, const char *key, const char *why));
WALOR_ABI_FIELD(walor_host_api, conv_ask, 720, int32_t (*)(walor_ctx *c, const char *html, const walor_kb *kb));
WALOR_ABI_FIELD(walor_host_api, list_show, 728, int32_t (*)(walor_ctx *c, const walor_list_def *d, const char *page));
WALOR_ABI_FIELD(walor_host_api, show, 736, int32_t (*)(walor_ctx *c, const char *html, const walor_kb *kb));
WALOR_ABI_FIELD(walor_host_api, http_post, 744, int32_t (*)(walor_ctx *c, const char *url, const char *const *headers, const char *content_type, const void *body, uint64_t body_len, uint32_t timeout_ms, walor_http_response *out));
WALOR_ABI_FIELD(walor_host_api, http_resp_header, 752, const char *(*)(walor_ctx *c, const walor_http_response *r, const char *name));
WALOR_ABI_FIELD(walor_host_api, plural, 760, char *(*)(walor_ctx *c, int64_t n, const char *forms, uint32_t flags));
WALOR_ABI_FIELD(walor_host_api, number, 768, char *(*)(walor_ctx *c, int64_t value, uint32_t scale));
WALOR_ABI_FIELD(walor_host_api, db_backup, 776, int32_t (*)(walor_ctx *c, const char *dest_path, uint32_t flags));
WALOR_ABI_FIELD(walor_host_api, http_start, 784, int32_t (*)(walor_ctx *c, const walor_http_async *req, uint64_t *out_id));
WALOR_ABI_FIELD(walor_host_api, http_cancel, 792, int32_t (*)(walor_ctx *c, uint64_t id));
WALOR_ABI_FIELD(walor_host_api, send_draft, 800, int32_t (*)(walor_ctx *c, int64_t chat_id, int64_t draft_id, const char *html, uint32_t flags));
WALOR_ABI_FIELD(walor_host_api, html_check, 808, int32_t (*)(walor_ctx *c, const char *html, uint32_t limit, const char **why));
WALOR_ABI_FIELD(walor_host_api, bot_username, 816, const char *(*)(walor_ctx *c));
WALOR_ABI_FIELD(walor_host_api, host_info, 824, json_t *(*)(walor_ctx *c));
WALOR_ABI_FIELD(walor_host_api, db_dialect, 832, int32_t (*)(walor_plugin *p));
WALOR_ABI_FIELD(walor_host_api, reg_migration_v2, 840, int32_t (*)(walor_plugin *p, int32_t version, const char *sqlite_sql, const char *pg_sql));
WALOR_ABI_FIELD(walor_host_api, time_format, 848, char *(*)(walor_ctx *c, int64_t t, const char *fmt));
WALOR_ABI_FIELD(walor_host_api, user_label, 856, char *(*)(walor_ctx *c, int64_t user_id, uint32_t flags));
WALOR_ABI_SIZE_MIN(walor_host_api, 864);
WALOR_ABI_CONST(WALOR_ECANCELED, -16);
WALOR_ABI_CONST(WALOR_CONFIG_LIVE, 1);
WALOR_ABI_CONST(WALOR_CONFIG_WARNING, 2);
WALOR_ABI_CONST(WALOR_PLURAL_WORD, 1);
WALOR_ABI_CONST(WALOR_USER_LABEL_FULL, 1);
WALOR_ABI_CONST(WALOR_MENU_GROUP_NONE, 0);
WALOR_ABI_CONST(WALOR_MENU_GROUP_SALES, 1);
WALOR_ABI_CONST(WALOR_MENU_GROUP_GOODS, 2);
WALOR_ABI_CONST(WALOR_MENU_GROUP_CLIENTS, 3);
WALOR_ABI_CONST(WALOR_MENU_GROUP_SYSTEM, 4);
WALOR_ABI_CONST(WALOR_BACKUP_REPLACE, 1);
WALOR_ABI_CONST(WALOR_DB_SQLITE, 1);
WALOR_ABI_CONST(WALOR_DB_POSTGRESQL, 2);
WALOR_ABI_CONST(WALOR_STEP_INT, 1);
WALOR_ABI_CONST(WALOR_STEP_MONEY, 2);
WALOR_ABI_CONST(WALOR_STEP_STRING, 3);
WALOR_ABI_CONST(WALOR_STEP_TEXT, 4);
WALOR_ABI_CONST(WALOR_STEP_PHONE, 5);
WALOR_ABI_CONST(WALOR_STEP_EMAIL, 6);
WALOR_ABI_CONST(WALOR_STEP_DATE, 7);
WALOR_ABI_CONST(WALOR_STEP_PHOTO, 8);
WALOR_ABI_CONST(WALOR_STEP_CHOICE, 9);
WALOR_ABI_CONST(WALOR_STEP_SKIP, 1);
WALOR_ABI_CONST(WALOR_STEP_KEEP, 2);
WALOR_ABI_CONST(WALOR_STEP_LOCATION, 4);
WALOR_ABI_CONST(WALOR_STEP_FILE, 8);
WALOR_ABI_CONST(WALOR_STEP_AT_SUMMARY, 16);
WALOR_ABI_CONST(WALOR_HTTP_STREAM, 1);

#endif /* x86_64 || aarch64 */

/* ISO C forbids an empty translation unit. */
typedef int walor_sdk_1_3_layout_checked;
