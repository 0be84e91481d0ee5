#include "kb.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "utf8.h"

void wh_kb_init(wh_kb *kb, const walor_host_api *api, wh_kb_tokenize_fn tokenize, void *ud)
{
    memset(kb, 0, sizeof *kb);
    kb->head.api = api;
    kb->tokenize = tokenize;
    kb->tokenize_ud = ud;
}

/* Records the first failure; the keyboard stays bad until cleared, so a
 * plugin that ignores return codes still cannot send half a keyboard. */
static int32_t bad(wh_kb *kb, int32_t err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int32_t bad(wh_kb *kb, int32_t err, const char *fmt, ...)
{
    va_list ap;
    char msg[sizeof kb->why];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (kb->err == 0) {
        kb->err = err;
        memcpy(kb->why, msg, sizeof msg);
    }
    return wh_error(err, "%s", msg);
}

/* A label is what the user reads, often built from data (a product's name,
 * a setting's sentence): one that is too long is cut at a character
 * boundary with "…" rather than failing the whole screen. *out is text or
 * buf. */
static int32_t check_text(wh_kb *kb, const char *text, char buf[WH_KB_MAX_TEXT + 1], const char **out)
{
    static const char ELLIPSIS[] = "\xE2\x80\xA6";
    size_t n;
    if (!text || !*text)
        return bad(kb, WALOR_EINVAL, "button text is empty");
    n = strlen(text);
    if (!wh_utf8_valid(text, n))
        return bad(kb, WALOR_EINVAL, "button text is not valid UTF-8");
    *out = text;
    if (n > WH_KB_MAX_TEXT) {
        size_t keep = wh_utf8_prefix(text, WH_KB_MAX_TEXT - (sizeof ELLIPSIS - 1));
        while (keep > 0 && text[keep - 1] == ' ')
            keep--;
        memcpy(buf, text, keep);
        memcpy(buf + keep, ELLIPSIS, sizeof ELLIPSIS);
        *out = buf;
    }
    return 0;
}

static int32_t room(wh_kb *kb)
{
    if (kb->err)
        return wh_error(kb->err, "keyboard is already invalid: %s", kb->why);
    if (kb->nbuttons >= WH_KB_MAX_BUTTONS)
        return bad(kb, WALOR_ELIMIT, "more than %u buttons in a keyboard", WH_KB_MAX_BUTTONS);
    if (kb->nrow >= WH_KB_MAX_ROW)
        return bad(kb, WALOR_ELIMIT, "more than %u buttons in a row", WH_KB_MAX_ROW);
    return 0;
}

static int32_t add(wh_kb *kb, const char *text, const char *key, const char *value)
{
    json_t *b = json_object();
    if (!b)
        return bad(kb, WALOR_ENOMEM, "out of memory");
    if (json_object_set_new(b, "text", json_string(text)) || json_object_set_new(b, key, json_string(value))) {
        json_decref(b);
        return bad(kb, WALOR_ENOMEM, "out of memory");
    }
    if (!kb->row && !(kb->row = json_array())) {
        json_decref(b);
        return bad(kb, WALOR_ENOMEM, "out of memory");
    }
    if (json_array_append_new(kb->row, b))
        return bad(kb, WALOR_ENOMEM, "out of memory");
    kb->nrow++;
    kb->nbuttons++;
    return 0;
}

int32_t wh_kb_button(wh_kb *kb, const char *text, const char *data)
{
    char token[WH_KB_MAX_DATA + 1], label[WH_KB_MAX_TEXT + 1];
    int32_t rc;
    size_t n;

    if ((rc = room(kb)) || (rc = check_text(kb, text, label, &text)))
        return rc;
    if (!data || !*data)
        return bad(kb, WALOR_EINVAL, "button data is empty");
    n = strlen(data);
    if (!wh_utf8_valid(data, n))
        return bad(kb, WALOR_EINVAL, "button data is not valid UTF-8");
    if (n > WH_KB_MAX_DATA) {
        if (!kb->tokenize)
            return bad(kb, WALOR_ELIMIT, "button data is %zu bytes, at most %u", n, WH_KB_MAX_DATA);
        memset(token, 0, sizeof token);
        rc = kb->tokenize(kb->tokenize_ud, data, token);
        if (rc)
            return bad(kb, rc, "cannot store long button data: %s", wh_last_error());
        token[WH_KB_MAX_DATA] = '\0';
        n = strlen(token);
        if (n == 0 || !wh_utf8_valid(token, n))
            return bad(kb, WALOR_EINVAL, "the token store gave an unusable token");
        data = token;
    }
    return add(kb, text, "callback_data", data);
}

int32_t wh_kb_url(wh_kb *kb, const char *text, const char *url)
{
    char label[WH_KB_MAX_TEXT + 1];
    int32_t rc;
    size_t n, scheme;

    if ((rc = room(kb)) || (rc = check_text(kb, text, label, &text)))
        return rc;
    if (!url)
        return bad(kb, WALOR_EINVAL, "button URL is empty");
    if (!strncasecmp(url, "https://", 8))
        scheme = 8;
    else if (!strncasecmp(url, "http://", 7))
        scheme = 7;
    else if (!strncasecmp(url, "tg://", 5))
        scheme = 5;
    else
        return bad(kb, WALOR_EINVAL, "button URL must start with http://, https:// or tg://");
    n = strlen(url);
    if (n == scheme)
        return bad(kb, WALOR_EINVAL, "button URL has nothing after the scheme");
    if (n > WH_KB_MAX_URL)
        return bad(kb, WALOR_EINVAL, "button URL is %zu bytes, at most %u", n, WH_KB_MAX_URL);
    if (!wh_utf8_valid(url, n))
        return bad(kb, WALOR_EINVAL, "button URL is not valid UTF-8");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c <= ' ' || c == 0x7F)
            return bad(kb, WALOR_EINVAL, "button URL contains a space or a control character");
    }
    return add(kb, text, "url", url);
}

int32_t wh_kb_row(wh_kb *kb)
{
    if (kb->err)
        return wh_error(kb->err, "keyboard is already invalid: %s", kb->why);
    if (!kb->row)
        return 0;
    if (!kb->rows && !(kb->rows = json_array()))
        return bad(kb, WALOR_ENOMEM, "out of memory");
    if (json_array_append_new(kb->rows, kb->row)) {
        kb->row = NULL;
        return bad(kb, WALOR_ENOMEM, "out of memory");
    }
    kb->row = NULL;
    kb->nrow = 0;
    return 0;
}

static int32_t append_row(wh_kb *dst, json_t *row)
{
    size_t i;
    json_t *b;
    int32_t rc = 0;
    json_array_foreach(row, i, b) {
        const char *text = json_string_value(json_object_get(b, "text"));
        const char *data = json_string_value(json_object_get(b, "callback_data"));
        rc = data ? wh_kb_button(dst, text, data) : wh_kb_url(dst, text, json_string_value(json_object_get(b, "url")));
        if (rc)
            return rc;
    }
    return wh_kb_row(dst);
}

int32_t wh_kb_append(wh_kb *dst, const wh_kb *src)
{
    size_t i;
    json_t *row;
    int32_t rc;
    if (src->err)
        return bad(dst, src->err, "appended keyboard is invalid: %s", src->why);
    if ((rc = wh_kb_row(dst)) != 0)
        return rc;
    json_array_foreach(src->rows, i, row) {
        if ((rc = append_row(dst, row)) != 0)
            return rc;
    }
    return src->row ? append_row(dst, src->row) : 0;
}

int32_t wh_kb_error(const wh_kb *kb) { return kb->err; }

const char *wh_kb_error_detail(const wh_kb *kb) { return kb->err ? kb->why : ""; }

json_t *wh_kb_markup(const wh_kb *kb)
{
    json_t *rows, *m;

    if (kb->err || kb->nbuttons == 0)
        return NULL;
    /* A deep copy: the result may sit in the outbox while the plugin keeps
     * adding buttons to this keyboard for another message. */
    rows = kb->rows ? json_deep_copy(kb->rows) : json_array();
    if (!rows)
        return NULL;
    if (kb->row && json_array_append_new(rows, json_deep_copy(kb->row))) {
        json_decref(rows);
        return NULL;
    }
    m = json_object();
    if (!m || json_object_set_new(m, "inline_keyboard", rows)) {
        json_decref(m);
        if (!m)
            json_decref(rows);
        return NULL;
    }
    return m;
}

void wh_kb_clear(wh_kb *kb)
{
    json_decref(kb->rows);
    json_decref(kb->row);
    kb->rows = NULL;
    kb->row = NULL;
    kb->nbuttons = 0;
    kb->nrow = 0;
    kb->err = 0;
    kb->why[0] = '\0';
}

void wh_kb_release(void *kb) { wh_kb_clear(kb); }
