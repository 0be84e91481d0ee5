/* Inline keyboards, with Telegram's limits enforced while the plugin adds
 * buttons rather than discovered when Telegram refuses the message.
 * A wh_kb is what the SDK's walor_kb handle points at. It holds a JSON
 * tree: wh_kb_clear() (or wh_kb_release() as an arena cleanup) frees it. */
#ifndef WH_KB_H
#define WH_KB_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <walor/api.h>

#define WH_KB_MAX_ROW 8         /* buttons in one row */
#define WH_KB_MAX_BUTTONS 100   /* buttons in one keyboard */
#define WH_KB_MAX_TEXT 128      /* bytes of a button label */
#define WH_KB_MAX_DATA 64       /* bytes of callback_data (Telegram's limit) */
#define WH_KB_MAX_URL 2048      /* bytes of a button URL */

/* Stores long_data server-side and writes a 1-64 byte replacement into out
 * (NUL-terminated). 0 or a negative WALOR_E*. */
typedef int32_t (*wh_kb_tokenize_fn)(void *ud, const char *long_data, char out[65]);

typedef struct wh_kb {
    walor_handle head; /* must stay first: plugins reach the API through it */
    wh_kb_tokenize_fn tokenize;
    void *tokenize_ud;
    json_t *rows;      /* array of non-empty rows; NULL until the first button */
    json_t *row;       /* the row being filled, not yet in rows; NULL when empty */
    uint32_t nbuttons;
    uint32_t nrow;
    int32_t err;       /* first failure, 0 while the keyboard is good */
    char why[160];     /* its detail, for the message that reports it later */
} wh_kb;

/* tokenize may be NULL: data over 64 bytes is then refused (WALOR_ELIMIT). */
void wh_kb_init(wh_kb *kb, const walor_host_api *api, wh_kb_tokenize_fn tokenize, void *ud);

/* text: non-empty valid UTF-8, at most 128 bytes (WALOR_EINVAL); data: 1-64
 * bytes of valid UTF-8, longer goes through the tokenizer. WALOR_ELIMIT
 * past 8 buttons in the row or 100 in all. Any failure marks the keyboard
 * bad; once bad, every add returns that first error. */
int32_t wh_kb_button(wh_kb *kb, const char *text, const char *data);

/* url: http://, https:// or tg://, no spaces or control characters. */
int32_t wh_kb_url(wh_kb *kb, const char *text, const char *url);

/* Starts a new row; nothing happens when the current row is empty. */
int32_t wh_kb_row(wh_kb *kb);

int32_t wh_kb_error(const wh_kb *kb);
const char *wh_kb_error_detail(const wh_kb *kb); /* "" when good */

/* New reference to {"inline_keyboard":[[...],...]}, or NULL when there is
 * no button, when the keyboard is bad (check wh_kb_error() first) or on OOM. */
json_t *wh_kb_markup(const wh_kb *kb);

/* Appends the rows of src below dst's (a row dst is filling is closed
 * first), under dst's limits. A bad src makes dst bad with src's error. */
int32_t wh_kb_append(wh_kb *dst, const wh_kb *src);

/* Frees the buttons and makes the keyboard empty and good again. */
void wh_kb_clear(wh_kb *kb);

/* wh_kb_clear() in the shape wh_arena_defer() takes. */
void wh_kb_release(void *kb);

#endif
