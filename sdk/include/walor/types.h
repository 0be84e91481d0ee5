/* Types shared by the host and plugins.
 *
 * ABI rules (ARCHITECTURE.md §3): only fixed-width integers in shared
 * structs, no bool/enum/long/bitfields; every struct a plugin fills begins
 * with uint32_t struct_size; structs the host fills are opaque handles whose
 * first member is the API table pointer. Constants are plain #defines so
 * that their width is decided by the field they are stored in. */
#ifndef WALOR_TYPES_H
#define WALOR_TYPES_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct walor_host_api walor_host_api;

/* Opaque handles. The only thing a plugin may rely on is that each one
 * starts with a walor_handle, which the inline wrappers use to reach the
 * API table; everything after it is the host's business. */
typedef struct walor_handle {
    const walor_host_api *api;
} walor_handle;

typedef struct walor_plugin walor_plugin; /* one per loaded plugin, lives until unload */
typedef struct walor_ctx walor_ctx;       /* one per callback, dies when it returns */
typedef struct walor_kb walor_kb;         /* inline keyboard, allocated in a ctx arena */
typedef struct walor_rows walor_rows;     /* result of a query, closed with the ctx at the latest */

#define WALOR_API(h) (((const walor_handle *)(const void *)(h))->api)

/* Errors: 0 is success, every failure is one of these negative numbers.
 * walor_strerror() names them; walor_last_error() holds the detail of the
 * last failure on the calling thread. */
#define WALOR_OK         0
#define WALOR_EINVAL    (-1)  /* bad argument (too long, empty, malformed) */
#define WALOR_ENOMEM    (-2)
#define WALOR_EPHASE    (-3)  /* registration outside load(), or ctx call outside a callback */
#define WALOR_EEXIST    (-4)  /* a name or prefix is already registered */
#define WALOR_ENOTFOUND (-5)  /* no such row, key, message or user */
#define WALOR_EDB       (-6)  /* database error; detail in walor_last_error() */
#define WALOR_ETG       (-7)  /* Telegram refused the call; detail in walor_last_error() */
#define WALOR_EPERM     (-8)  /* the user's role does not allow it */
#define WALOR_EBLOCKED  (-9)  /* the user has blocked the bot */
#define WALOR_ETIMEDOUT (-10)
#define WALOR_EBUSY     (-11) /* SQLite busy past busy_timeout, or a nested transaction */
#define WALOR_ENOSYS    (-12) /* slot not provided by this host */
#define WALOR_ERANGE    (-13) /* value outside the allowed range */
#define WALOR_ELIMIT    (-14) /* a Telegram limit would be exceeded (buttons, bytes), or a size limit */
#define WALOR_ENET      (-15) /* SDK 1.2: network failure talking to an external service (connect, DNS, TLS) */
#define WALOR_ECANCELED (-16) /* SDK 1.3: an asynchronous request was cancelled (walor_http_cancel, shutdown) */

/* Roles, lowest to highest. Every registration names the lowest role it
 * needs; the host checks it before calling the plugin, because callback
 * data comes from the client and can be forged. */
#define WALOR_ROLE_CLIENT  0u
#define WALOR_ROLE_TESTER  1u
#define WALOR_ROLE_MANAGER 2u
#define WALOR_ROLE_OWNER   3u

/* Flags of walor_config_invalid() (SDK 1.3). */
#define WALOR_CONFIG_LIVE    0x1u  /* an error only in a live shop: a warning in test mode and the demo */
#define WALOR_CONFIG_WARNING 0x2u  /* never an error */

/* Log levels for walor_log(). */
#define WALOR_LOG_DEBUG 0
#define WALOR_LOG_INFO  1
#define WALOR_LOG_WARN  2
#define WALOR_LOG_ERROR 3

/* Flags of walor_send() and friends; unknown bits are rejected (EINVAL). */
#define WALOR_SEND_BULK       0x1u /* paced broadcast traffic, not a reply to the user's action */
#define WALOR_SEND_SILENT     0x2u /* disable_notification */
#define WALOR_SEND_NO_PREVIEW 0x4u /* no link preview */
#define WALOR_SEND_LARGE_PREVIEW_ABOVE 0x8u /* preview of the first link: large media above the text */

/* Flags of walor_answer(). */
#define WALOR_ANSWER_ALERT 0x1u

/* Flags of walor_plural() (SDK 1.3). */
#define WALOR_PLURAL_WORD 0x1u /* only the word ("позиций"), without the number */

/* Flags of walor_user_label() (SDK 1.3). */
#define WALOR_USER_LABEL_FULL 0x1u /* first and last name ("Имя Фамилия (…)") */

/* A handler's return value: 0 when it dealt with the update (including
 * telling the user about their mistake); a negative WALOR_E* only for a real
 * failure — the host then reports it to the owner and apologises to the user. */
typedef int32_t (*walor_handler_fn)(walor_ctx *c, const char *arg);
typedef int32_t (*walor_ctx_fn)(walor_ctx *c);

/* Commands: /name args. */
#define WALOR_CMD_LISTED 0x1u /* include in setMyCommands (the client's "/" menu) */
typedef struct walor_command_def {
    uint32_t struct_size;
    uint32_t min_role;
    const char *name;        /* without '/', [a-z0-9_]{1,32} */
    const char *description; /* Russian, shown in the "/" menu, 1-256 chars */
    walor_handler_fn handler;/* arg: text after the command, trimmed, "" if none */
    uint32_t flags;
    uint32_t reserved;
} walor_command_def;

/* Deep links: /start <prefix><payload>, e.g. "p" + "42". */
typedef struct walor_deeplink_def {
    uint32_t struct_size;
    uint32_t min_role;
    const char *prefix;      /* [A-Za-z0-9_]{1,16}; the longest matching prefix wins */
    walor_handler_fn handler;/* arg: payload after the prefix */
} walor_deeplink_def;

/* Inline-button callbacks: callback_data is "<prefix>:<payload>". */
typedef struct walor_callback_def {
    uint32_t struct_size;
    uint32_t min_role;
    const char *prefix;      /* [a-z0-9_]{1,16}, unique across all plugins */
    walor_handler_fn handler;/* arg: payload after "prefix:" */
} walor_callback_def;

/* Conversations: named states, state and JSON data persisted per chat by
 * the host, so a restart resumes where the user was. /cancel is handled by
 * the host. Buttons that belong to a conversation are made with
 * walor_kb_conv_button(); a press of one from an older conversation is
 * answered as stale and never reaches the plugin. */
typedef struct walor_conv_state {
    uint32_t struct_size;
    uint32_t reserved;
    const char *name;
    walor_ctx_fn on_enter;        /* optional: ask the question of this step */
    walor_handler_fn on_message;  /* optional: arg = text or caption ("" for media without one) */
    walor_handler_fn on_callback; /* optional: arg = payload of a conversation button */
} walor_conv_state;

typedef struct walor_conv_def {
    uint32_t struct_size;
    uint32_t min_role;
    const char *name;             /* unique within the plugin */
    const walor_conv_state *states;
    uint32_t nstates;             /* states[0] is where walor_conv_start() begins by default */
    uint32_t timeout_s;           /* idle time after which the host ends it and tells the user; 0 = 1 hour */
    /* SDK 1.3, optional: runs when the user cancels (the host's "✖️ Отмена"
     * button or /cancel) while the conversation is still active, so
     * walor_conv_data() still has its data; the host ends the conversation
     * afterwards (unless this started another one) and answers the press.
     * It shows the next screen; without it the host shows "Действие
     * отменено." and the main menu. */
    walor_ctx_fn on_cancel;
} walor_conv_def;

/* Menu buttons: the client's main menu and the staff admin panel. */
#define WALOR_MENU_MAIN  1u
#define WALOR_MENU_ADMIN 2u
/* SDK 1.3: the area of an admin panel button. The panel shows the areas in
 * this order, each starting on a new row, two buttons a row. */
#define WALOR_MENU_GROUP_NONE    0u /* not declared (older plugins): after CLIENTS, before SYSTEM */
#define WALOR_MENU_GROUP_SALES   1u /* orders, payments, B2B */
#define WALOR_MENU_GROUP_GOODS   2u /* catalog, import, warehouse */
#define WALOR_MENU_GROUP_CLIENTS 3u /* customers, loyalty, broadcasts, support */
#define WALOR_MENU_GROUP_SYSTEM  4u /* settings, staff, help, logs, backups */
typedef struct walor_menu_def {
    uint32_t struct_size;
    uint32_t min_role;
    uint32_t where;               /* WALOR_MENU_MAIN or WALOR_MENU_ADMIN */
    int32_t order;                /* smaller first; ties by plugin load order */
    const char *id;               /* unique within the plugin, [a-z0-9_]{1,24} */
    const char *label;            /* static label (Russian) */
    /* optional: label computed per user ("Корзина (3)"); return an arena
     * string, or NULL to use .label */
    const char *(*label_fn)(walor_ctx *c);
    walor_ctx_fn on_press;
    /* SDK 1.3: WALOR_MENU_GROUP_* of an admin button (ignored in the main
     * menu); .order sorts within the group */
    uint32_t group;
    uint32_t reserved;
} walor_menu_def;

/* Settings: typed values with defaults; the owner edits flagged ones in the
 * bot (F-HOST-08). Resolution: owner's value in the DB, else the ini key of
 * [plugin.<name>], else the default. */
#define WALOR_SET_INT    1u  /* integer in [min, max] */
#define WALOR_SET_BOOL   2u  /* yes/no (also accepts да/нет, 1/0, on/off) */
#define WALOR_SET_STRING 3u  /* one line, length in [min, max] characters (max 0 = 256) */
#define WALOR_SET_TEXT   4u  /* multi-line Telegram HTML, checked for well-formedness */
#define WALOR_SET_MONEY  5u  /* roubles as typed ("1500", "1 500,50"), stored as kopecks */
#define WALOR_SET_OWNER_EDITABLE 0x1u
typedef struct walor_setting_def {
    uint32_t struct_size;
    uint32_t type;
    const char *key;              /* [a-z0-9_.]{1,48}; stored as "<plugin>.<key>" */
    const char *label;            /* Russian label shown in the settings editor */
    const char *default_value;    /* in the typed form above ("15", "yes", "1500") */
    int64_t min;
    int64_t max;
    uint32_t flags;
    uint32_t reserved;
    /* optional extra check; return 0 or WALOR_EINVAL and set *why (static or arena string) */
    int32_t (*validate)(walor_ctx *c, const char *value, const char **why);
} walor_setting_def;

/* Admin panel header line ("🆕 3 новых · 💳 1 оплачен"); return an arena string or NULL. */
typedef const char *(*walor_header_fn)(walor_ctx *c);

/* Tester data wipe (F-HOST-02): delete everything the plugin keeps for this user. */
typedef int32_t (*walor_wipe_fn)(walor_ctx *c, int64_t user_id);

/* Typed bind values for ? placeholders. Build them with walor_i(), walor_s(),
 * walor_null() and pass them with WALOR_ARGS(...). Strings are borrowed for
 * the duration of the call. */
#define WALOR_VAL_NULL 0u
#define WALOR_VAL_INT  1u
#define WALOR_VAL_TEXT 2u
typedef struct walor_val {
    uint32_t type;
    uint32_t reserved;
    int64_t i;
    const char *s;
} walor_val;

static inline walor_val walor_i(int64_t v) { walor_val x = {WALOR_VAL_INT, 0, v, NULL}; return x; }
static inline walor_val walor_s(const char *v)
{
    walor_val x = {v ? WALOR_VAL_TEXT : WALOR_VAL_NULL, 0, 0, v};
    return x;
}
static inline walor_val walor_null(void) { walor_val x = {WALOR_VAL_NULL, 0, 0, NULL}; return x; }

#define WALOR_ARGS(...) ((const walor_val[]){__VA_ARGS__}), \
    (uint32_t)(sizeof((const walor_val[]){__VA_ARGS__}) / sizeof(walor_val))

/* SDK 1.3: flags of walor_db_backup(). */
#define WALOR_BACKUP_REPLACE 0x1u /* replace an existing file at dest_path (atomically) */

/* walor_db_dialect(): the engine behind the database (SDK 1.3) */
#define WALOR_DB_SQLITE 1
#define WALOR_DB_POSTGRESQL 2

/* ---- host services: jobs, events, services, HTTP routes, help, forms ---- */

/* Cron jobs: 5-field cron ("m h dom mon dow", the shop's time zone). The
 * same job never runs twice at once. */
#define WALOR_CRON_CATCH_UP 0x1u /* a run missed while walord was down runs once at start */
typedef struct walor_cron_def {
    uint32_t struct_size;
    uint32_t flags;
    const char *name;            /* [a-z0-9_.]{1,48}, unique within the plugin */
    const char *expr;            /* "0 10 * * 1-5" (10:00 on weekdays), every 5 minutes: "*\/5 * * * *" */
    walor_ctx_fn fn;             /* runs on a worker; a negative return is reported and retried */
} walor_cron_def;

/* One-shot persistent jobs: the handler registered under a name runs at a
 * time with the JSON payload given to walor_job_at(). */
typedef int32_t (*walor_job_fn)(walor_ctx *c, json_t *payload);

/* Event subscribers: called at least once per event after the emitting
 * transaction committed, in a transaction of their own that also records
 * the delivery, so the subscriber's database effect happens once. */
typedef int32_t (*walor_event_fn)(walor_ctx *c, const char *event, json_t *payload);

/* HTTP routes under /p/<plugin>/<path>. The handler reads the request and
 * answers with walor_http_respond(). */
#define WALOR_HTTP_GET    0x1u
#define WALOR_HTTP_POST   0x2u
#define WALOR_HTTP_PUT    0x4u
#define WALOR_HTTP_DELETE 0x8u
#define WALOR_ROUTE_PREFIX 0x100u /* path matches as a prefix ("webhook/" + anything) */
typedef struct walor_route_def {
    uint32_t struct_size;
    uint32_t flags;              /* WALOR_HTTP_* methods it accepts, | WALOR_ROUTE_PREFIX */
    const char *path;            /* relative, no leading '/', e.g. "payment/callback" */
    walor_ctx_fn handler;
    uint64_t max_body;           /* bytes; 0 = 64 KiB */
} walor_route_def;

/* Bulk text forms: one "ID quantity" line each ("12 5", "12.2 -1",
 * "12 5 1500,50" with WALOR_FORM_AMOUNT). */
#define WALOR_FORM_AMOUNT   0x1u /* a third column: money in roubles, parsed to kopecks */
#define WALOR_FORM_NEGATIVE 0x2u /* quantities may be negative */
#define WALOR_FORM_ZERO     0x4u /* quantities may be zero */
typedef struct walor_form_line {
    uint32_t struct_size;
    uint32_t line;               /* 1-based line number in the text */
    int64_t id;                  /* the number before the dot */
    int64_t sub;                 /* the number after the dot (variant), 0 if none */
    int64_t qty;
    int64_t amount;              /* kopecks with WALOR_FORM_AMOUNT, else 0 */
} walor_form_line;

/* SDK 1.2: an outbound HTTP request (walor_http_fetch). Both structs begin
 * with struct_size and only grow at the end. */
typedef struct walor_http_request {
    uint32_t struct_size;        /* sizeof(walor_http_request) as the plugin was built */
    uint32_t timeout_ms;         /* the whole request; 0 = 10 000 */
    const char *method;          /* NULL = "GET", or "POST" when body != NULL */
    const char *url;             /* http:// or https:// only */
    const char *const *headers;  /* NULL-terminated array of "Name: value", or NULL */
    const void *body;            /* NULL for none */
    uint64_t body_len;
    uint64_t max_response;       /* bytes; 0 = 8 MiB; a bigger response is WALOR_ELIMIT */
} walor_http_request;

typedef struct walor_http_response {
    uint32_t struct_size;        /* set by the plugin; the host fills what fits */
    int32_t status;              /* HTTP status of the final response */
    const char *body;            /* ctx arena, NUL-terminated (body_len excludes the NUL) */
    uint64_t body_len;
    const char *headers;         /* raw header block of the final response, ctx arena */
} walor_http_response;

/* ---- SDK 1.3: the conversation toolkit ---- */

/* A table of texts for walor_texts(): {"<plugin>.<key>", "default text"}. */
typedef const char *const walor_text_pair[2];

/* Declarative steps (walor_form). The host asks each step's question,
 * checks the answer by its type, says why and asks again when it does not
 * fit, stores the value in the conversation data under the step's key and
 * moves on. The JSON type stored for each: */
#define WALOR_STEP_INT    1u /* whole number ("1 000", "15%" too) → integer; min/max bound it (both 0: any) */
#define WALOR_STEP_MONEY  2u /* roubles as typed ("1 500,50"; "+500", "-200" when min < 0) → integer kopecks
                              * in [min, max] (both 0: any amount >= 0) */
#define WALOR_STEP_STRING 3u /* one line, trimmed → string of [min, max] characters (max 0 = 256) */
#define WALOR_STEP_TEXT   4u /* plain text, several lines → string of [min, max] characters (max 0 = 4096) */
#define WALOR_STEP_PHONE  5u /* a Russian number in any usual notation, or a shared contact → "+7XXXXXXXXXX" */
#define WALOR_STEP_EMAIL  6u /* → "name@domain" with the domain in lower case */
#define WALOR_STEP_DATE   7u /* "25.12.2026", "25.12", "2026-12-25", "сегодня", "завтра" → "2026-12-25";
                              * min/max: days from today in the shop's zone (both 0: any date) */
#define WALOR_STEP_PHOTO  8u /* a photo → string: the file_id of its largest size */
#define WALOR_STEP_CHOICE 9u /* one of the choices, by button or by typing its label → its value (string) */

#define WALOR_STEP_SKIP 0x1u /* a "Пропустить" button: the key is stored as null */
#define WALOR_STEP_KEEP 0x2u /* when the data already holds a value, a "Оставить: …" button keeps it */
#define WALOR_STEP_LOCATION 0x4u /* STRING, TEXT: a shared location answers too → {"lat": 55.75, "lon": 37.61} */
#define WALOR_STEP_FILE 0x8u /* TEXT: a text file (.txt, UTF-8) answers too, its text as typed; max 0 = 262144 */
#define WALOR_STEP_AT_SUMMARY 0x10u /* a message typed at the summary answers this step again (a new list) */

/* One answer of a CHOICE step, or a quick-answer button of another type.
 * Travels in arrays: its size never changes. */
typedef struct walor_step_choice {
    const char *value;            /* what is stored (CHOICE) or typed for the user (other types) */
    const char *label;            /* the button: a text key of the plugin, or the label itself */
} walor_step_choice;

/* Texts (prompt, label, error, why) are text keys of the plugin rendered
 * with the data: {key} is the value of that key — money as "1 500 ₽",
 * dates as "25.12.2026", a choice as its label, a skipped value as "—",
 * strings escaped — and {min}/{max} the step's bounds. A string that is no
 * registered key is used as it is. Steps sit in an array: the host walks
 * it by steps[0].struct_size, so this struct may grow. */
typedef struct walor_step_def {
    uint32_t struct_size;
    uint32_t type;                /* WALOR_STEP_* */
    const char *key;              /* [a-z0-9_]{1,32}: the data key, also the step's state name */
    const char *prompt;           /* the question */
    const char *label;            /* the step's name in the summary's "✏️ Изменить" list; NULL = key */
    const char *error;            /* said when the answer does not fit; NULL = the host's reason ("Введите целое число от 1 до 100") */
    int64_t min, max;             /* bounds, by type (see WALOR_STEP_*) */
    uint32_t flags;               /* WALOR_STEP_SKIP | WALOR_STEP_KEEP */
    uint32_t nchoices;
    const walor_step_choice *choices;
    /* optional: a further check of a well-typed answer, already stored
     * under key (it may change it or set other keys: walor_conv_data()).
     * 0 accepts; WALOR_EINVAL with *why (a text key or text) says why and
     * asks again, the earlier value restored; other < 0 is a failure. */
    int32_t (*validate)(walor_ctx *c, json_t *value, const char **why);
    /* optional: the question as HTML (arena), instead of .prompt */
    const char *(*prompt_fn)(walor_ctx *c, json_t *data);
    /* optional: the choices now (an arena array, *n of them), instead of
     * .choices; asked again when an answer comes, so a choice that is gone
     * by then is refused */
    const walor_step_choice *(*choices_fn)(walor_ctx *c, json_t *data, uint32_t *n);
    /* the "⏭ Пропустить" and "↩️ Оставить: {value}" buttons in the plugin's
     * words ("Без почты", "✅ {value}"): a text key or text; NULL = the host's */
    const char *skip_label;
    const char *keep_label;
    /* optional: 0 when the step does not apply to this data (who pays for a
     * delivery that costs nothing): it is passed over and its key left as
     * it is; re-asked after an edit that makes it apply */
    int32_t (*ask_if)(walor_ctx *c, json_t *data);
} walor_step_def;

/* A form: a conversation of steps, started with walor_conv_start(c, name,
 * NULL or a step key, data) — data may hold earlier values (an edit form
 * with WALOR_STEP_KEEP). After the last step the host shows the summary,
 * when there is one, with "✅ Готово", "✏️ Изменить" (one step, then back
 * to the summary) and "✖️ Отмена"; then calls on_done. */
typedef struct walor_form_def {
    uint32_t struct_size;
    uint32_t min_role;            /* checked at the start and at every answer */
    const char *name;             /* a conversation name of the plugin */
    const walor_step_def *steps;
    uint32_t nsteps;              /* 1-32 */
    uint32_t timeout_s;           /* 0 = 1 hour */
    const char *summary;          /* optional text key, rendered with the data */
    const char *(*summary_fn)(walor_ctx *c, json_t *data); /* optional, instead of .summary (arena HTML) */
    /* all answered (and confirmed): act on data (borrowed). Return 0 and
     * the host ends the form, unless this called walor_form_retry() (back
     * to one step with a reason) or started another conversation. */
    int32_t (*on_done)(walor_ctx *c, json_t *data);
    walor_ctx_fn on_cancel;       /* as walor_conv_def.on_cancel */
    const char *done_label;       /* the summary's confirm button ("✅ Списать"): text key or text; NULL = "✅ Готово" */
} walor_form_def;

/* A paged list (walor_list_show): one message of rows with per-row buttons,
 * "◀️ ▶️" that carry the page number in the plugin's own callback data (so
 * the host checks that prefix's role on every press), edited in place. */
typedef struct walor_list_def {
    uint32_t struct_size;
    uint32_t page_size;           /* rows a page, 1-50; 0 = 10 */
    /* the rows: SQL without LIMIT (the host adds LIMIT/OFFSET and counts
     * with count(*) around it), ORDER BY something unique; or NULL and
     * .total items the row function renders by index */
    const char *sql;
    const walor_val *args;
    uint32_t nargs;
    uint32_t reserved;
    int64_t total;
    /* one row: return its line (arena; NULL = none) and add its buttons to
     * kb (each row's buttons get a keyboard row of their own). r is the
     * row (SQL) or NULL; index counts from 0 over the whole list */
    const char *(*row)(walor_ctx *c, walor_rows *r, int64_t index, walor_kb *kb, void *ud);
    void *ud;
    const char *page_data;        /* callback data of the page buttons without the number: "shop:list:" */
    const char *header;           /* HTML above the rows */
    const char *empty;            /* HTML when there are no rows; NULL = the header */
    const char *footer;           /* HTML below the rows */
    const walor_kb *buttons;      /* optional rows below ◀️ ▶️ ("➕ Новый", "⬅️ Назад") */
    const char *prev_label;       /* text key or text; NULL = "◀️" */
    const char *next_label;       /* NULL = "▶️" */
} walor_list_def;
/* SDK 1.3: an asynchronous HTTP request (walor_http_start), for calls that
 * take seconds (a language model streaming its answer): the transfer runs
 * on the loop thread's curl multi and holds no worker while it waits.
 * What arrives comes back to the plugin as callbacks on a worker, with a
 * ctx of the same plugin, user and chat as the one that started it, one
 * at a time and in order with that chat's updates (they share the pool's
 * per-chat queue). */

/* flags */
#define WALOR_HTTP_STREAM 0x1u   /* hand a 2xx body to on_chunk as it arrives instead of collecting it */

/* A piece of the body (WALOR_HTTP_STREAM, 2xx only). Pieces that arrive
 * while the worker is busy are joined, so one call may carry several
 * network reads. Return 0 to go on; anything else cancels the request
 * (on_done then gets WALOR_ECANCELED). data is borrowed until it returns. */
typedef int32_t (*walor_http_chunk_fn)(walor_ctx *c, void *ud, const char *data, size_t len);
/* Runs exactly once per started request, after every on_chunk: rc 0 when a
 * response arrived (whatever its status; resp->body holds it unless it was
 * streamed, resp->headers always), else WALOR_ETIMEDOUT (the whole request
 * or the idle timeout), WALOR_ENET, WALOR_ELIMIT (over max_response),
 * WALOR_ECANCELED. resp is borrowed until it returns. A negative return is
 * reported to the owner like a failed job. */
typedef int32_t (*walor_http_done_fn)(walor_ctx *c, void *ud, int32_t rc, const walor_http_response *resp);

typedef struct walor_http_async {
    uint32_t struct_size;        /* sizeof(walor_http_async) as the plugin was built */
    uint32_t flags;              /* WALOR_HTTP_STREAM */
    const char *method;          /* NULL = "GET", or "POST" when body != NULL */
    const char *url;             /* http:// or https:// only */
    const char *const *headers;  /* NULL-terminated "Name: value" array, or NULL; copied */
    const void *body;            /* copied; NULL for none */
    uint64_t body_len;
    uint64_t max_response;       /* bytes of body, streamed or not; 0 = 8 MiB; more is WALOR_ELIMIT */
    uint32_t timeout_ms;         /* the whole request; 0 = 60 000 */
    uint32_t idle_timeout_ms;    /* no byte received for this long (rounded up to seconds); 0 = no limit */
    /* callbacks run in order with the updates of this chat; 0 = the chat of
     * the ctx that starts the request (a ctx without one gets a queue of
     * the request's own) */
    int64_t order_key;
    walor_http_chunk_fn on_chunk;/* required with WALOR_HTTP_STREAM, else ignored */
    walor_http_done_fn on_done;  /* required */
    /* optional: called on any thread, without a ctx, instead of on_done
     * when on_done can never run (walord is stopping), so ud is freed */
    void (*ud_free)(void *ud);
    void *ud;                    /* the plugin's, handed to every callback */
} walor_http_async;

#ifdef __cplusplus
}
#endif
#endif
