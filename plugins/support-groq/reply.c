/* support-groq: the answer on the customer's screen while it is written.
 *
 * Telegram's sendMessageDraft shows the text as it grows (EXTERNAL-APIS
 * §7.8); the finished answer then goes out with sendMessage, which ends
 * the draft. A server without the method (walor_send_draft says
 * WALOR_ENOSYS) gets one message instead, edited at most once per
 * draft_interval_ms (1 s: Telegram's pace for one chat), and the last edit
 * is the answer. Either way the screen changes at most once an interval,
 * whatever the model's pace. An answer longer than a message goes out in
 * parts; the buttons — the products it names, the operator — hang under
 * the last one. */
#include <stdlib.h>
#include <string.h>

#include <walor/services/catalog.h>

#include "fmt.h"
#include "ftsq.h"
#include "sup.h"

#define MODE_DRAFT 0
#define MODE_EDIT 1
#define PARTS_MAX 8
#define BUTTONS_MAX 5

void sup_screen_init(sup_screen *s, int64_t chat_id, int64_t draft_id)
{
    memset(s, 0, sizeof *s);
    s->chat_id = chat_id;
    s->draft_id = draft_id;
    s->mode = MODE_DRAFT;
}

/* the last screenful of the text, as Telegram HTML */
static const char *screenful(walor_ctx *c, const char *content)
{
    size_t from = sup_fmt_tail(content, SUP_PART_MAX - 2);
    char *h = sup_fmt_html(content + from);
    const char *out = walor_ctx_printf(c, "%s%s", from ? "…" : "", h ? h : "");
    free(h);
    return out;
}

void sup_screen_progress(walor_ctx *c, sup_screen *s, const char *content, int force)
{
    int64_t now = sup_mono_ms();
    size_t len = strlen(content);
    if (!force && (now - s->last_ms < (int64_t)sup_cfg.draft_ms || len == s->shown_len))
        return;
    if (s->mode == MODE_EDIT && len == 0 && s->message_id)
        return;
    const char *html = len ? screenful(c, content) : "";
    if (s->mode == MODE_DRAFT) {
        int32_t rc = walor_send_draft(c, s->chat_id, s->draft_id, html);
        if (rc == WALOR_ENOSYS)
            s->mode = MODE_EDIT;
        else if (rc < 0)
            walor_log(c, WALOR_LOG_DEBUG, "draft: %s", walor_last_error(c));
    }
    if (s->mode == MODE_EDIT) {
        const char *text = len ? walor_ctx_printf(c, "%s ▍", html) : T(c, "typing");
        int32_t rc = s->message_id ? walor_edit_message(c, s->chat_id, s->message_id, text, NULL)
                                   : walor_send(c, s->chat_id, text, NULL, 0, &s->message_id);
        if (rc < 0)
            walor_log(c, WALOR_LOG_DEBUG, "progress message: %s", walor_last_error(c));
    }
    s->last_ms = now;
    s->shown_len = len;
}

/* whether the answer names the product: its whole name, or a word of it
 * that says something (4 letters or more), folded on both sides */
static int named(const char *answer_f, const char *name)
{
    char *n = sup_fold(name);
    if (!n)
        return 0;
    int hit = *n && strstr(answer_f, n) != NULL;
    for (char *w = n; !hit && *w;) {
        size_t len = strcspn(w, " ");
        size_t chars = 0;
        for (size_t i = 0; i < len; i++)
            chars += ((unsigned char)w[i] & 0xC0) != 0x80;
        if (chars >= 4) {
            char save = w[len];
            w[len] = '\0';
            for (const char *p = answer_f; !hit && (p = strstr(p, w)); p++) {
                /* at a word's start: "чай" in "чайник" is another word, "чай" in "чаю" is not found anyway */
                hit = p == answer_f || p[-1] == ' ';
            }
            w[len] = save;
        }
        w += len;
        while (*w == ' ')
            w++;
    }
    free(n);
    return hit;
}

/* product buttons: the candidates the answer actually speaks of */
static walor_kb *answer_kb(walor_ctx *c, const char *content, const int64_t *pids, int npids)
{
    int64_t keep[BUTTONS_MAX];
    int nk = 0;
    char *f = sup_fold(content);
    for (int i = 0; f && i < npids && nk < BUTTONS_MAX; i++) {
        int dup = 0;
        for (int j = 0; j < nk; j++)
            dup |= keep[j] == pids[i];
        walor_catalog_item *items = NULL;
        uint32_t m = 0;
        if (!dup && sup_product_items(c, pids[i], &items, &m) == 0 && named(f, items->name))
            keep[nk++] = pids[i];
    }
    free(f);
    return sup_kb_answer(c, keep, nk);
}

int32_t sup_screen_final(walor_ctx *c, sup_screen *s, const char *content, const int64_t *pids, int npids)
{
    size_t cuts[PARTS_MAX];
    size_t k = sup_fmt_split(content, SUP_PART_MAX, cuts, PARTS_MAX - 1);
    walor_kb *kb = answer_kb(c, content, pids, npids);
    int32_t rc = 0;
    size_t from = 0;
    for (size_t i = 0; i <= k && rc >= 0; i++) {
        size_t to = i < k ? cuts[i] : strlen(content);
        char *part = walor_ctx_printf(c, "%.*s", (int)(to - from), content + from);
        char *h = part ? sup_fmt_html(part) : NULL;
        const char *html = h ? walor_ctx_printf(c, "%s", h) : NULL;
        free(h);
        if (!html)
            return WALOR_ENOMEM;
        const walor_kb *pkb = i == k ? kb : NULL;
        if (i == 0 && s->mode == MODE_EDIT && s->message_id)
            rc = walor_edit_message(c, s->chat_id, s->message_id, html, pkb);
        else
            rc = walor_send(c, s->chat_id, html, pkb, 0, NULL);
        from = to;
    }
    return rc;
}

void sup_screen_abandon(walor_ctx *c, sup_screen *s)
{
    if (s->mode == MODE_EDIT && s->message_id)
        walor_edit_message(c, s->chat_id, s->message_id, T(c, "answer_broken"), NULL);
}
