/* broadcast: composing a broadcast (F-BRD-01), a conversation of its own —
 * a form cannot take "a text or a photo", so the states are written by
 * hand, each question asked with walor_conv_ask (the host draws the
 * cancel, and on_cancel deletes the draft).
 *
 *   content  → a text (Telegram HTML, checked now: a broken tag is refused
 *              with the reason) or a photo with a caption;
 *   button   → "Текст | https://…" or none;
 *   audience → the preview goes to the author first, then the segments;
 *   days / items / link → what the chosen segment needs;
 *   confirm  → how many it reaches now, "send now" or "schedule";
 *   when     → the time (one in the past is refused with the reason).
 *
 * The draft is a broadcast_msg row (status draft) from the first step on;
 * the conversation data holds only its id. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <walor/services/crm.h>

#include "bc.h"
#include "when.h"

#define PHOTO_MAX (10 * 1024 * 1024) /* Telegram's limit for a photo */
#define BTN_TEXT_MAX 64

static int64_t draft_id(walor_ctx *c) { return (int64_t)json_integer_value(json_object_get(walor_conv_data(c), "id")); }

static int32_t ask(walor_ctx *c, const char *key, walor_kb *kb) { return walor_conv_ask(c, walor_text(c, key), kb); }

static int32_t refuse(walor_ctx *c, const char *why, const char *again_key)
{
    return walor_conv_ask(c, walor_textf(c, "broadcast.new.refused", "why", why, "again", walor_text(c, again_key), NULL),
                          NULL);
}

/* ---- content ---- */

static int32_t content_enter(walor_ctx *c) { return ask(c, "broadcast.new.ask_content", NULL); }

static int32_t save_content(walor_ctx *c, const char *html, const char *photo)
{
    int64_t id = draft_id(c);
    int32_t rc;
    if (id) {
        rc = walor_db_exec(c, "UPDATE broadcast_msg SET html = ?, photo = ? WHERE id = ? AND status = 'draft'",
                           WALOR_ARGS(walor_s(html), walor_s(photo), walor_i(id)));
    } else {
        walor_rows *r = NULL;
        rc = walor_db_query(c,
                            "INSERT INTO broadcast_msg(author_id, author_chat, created_at, html, photo) "
                            "VALUES (?, ?, ?, ?, ?) RETURNING id",
                            WALOR_ARGS(walor_i(walor_ctx_user_id(c)), walor_i(walor_ctx_chat_id(c)),
                                       walor_i(walor_now(c)), walor_s(html), walor_s(photo)),
                            &r);
        if (rc >= 0 && walor_row_next(r) == 1)
            id = walor_col_int(r, 0);
        walor_rows_close(r);
        if (rc >= 0)
            json_object_set_new(walor_conv_data(c), "id", json_integer((json_int_t)id));
    }
    return rc < 0 ? rc : walor_conv_goto(c, "button");
}

static int32_t content_msg(walor_ctx *c, const char *text)
{
    json_t *msg = json_object_get(walor_ctx_update(c), "message");
    json_t *photos = json_object_get(msg, "photo");
    json_t *doc = json_object_get(msg, "document");
    const char *why = NULL;
    if (json_is_array(photos) && json_array_size(photos) > 0) {
        json_t *big = json_array_get(photos, json_array_size(photos) - 1); /* the largest size is last */
        if (json_integer_value(json_object_get(big, "file_size")) > PHOTO_MAX)
            return refuse(c, walor_text(c, "broadcast.new.photo_big"), "broadcast.new.ask_content");
        if (*text && walor_html_check(c, text, 1024, &why) != 0)
            return refuse(c, bc_esc(c, why), "broadcast.new.ask_content");
        return save_content(c, text, json_string_value(json_object_get(big, "file_id")));
    }
    if (doc) {
        const char *mime = json_string_value(json_object_get(doc, "mime_type"));
        int image = mime && !strncmp(mime, "image/", 6);
        if (image && json_integer_value(json_object_get(doc, "file_size")) > PHOTO_MAX)
            return refuse(c, walor_text(c, "broadcast.new.photo_big"), "broadcast.new.ask_content");
        return refuse(c, walor_text(c, image ? "broadcast.new.photo_as_file" : "broadcast.new.not_file"),
                      "broadcast.new.ask_content");
    }
    if (!*text)
        return refuse(c, walor_text(c, "broadcast.new.not_media"), "broadcast.new.ask_content");
    if (walor_html_check(c, text, 4096, &why) != 0)
        return refuse(c, bc_esc(c, why), "broadcast.new.ask_content");
    return save_content(c, text, "");
}

/* ---- button ---- */

static int32_t button_enter(walor_ctx *c)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_conv_button(kb, walor_text(c, "broadcast.new.btn_none"), "none");
    return ask(c, "broadcast.new.ask_button", kb);
}

static int url_ok(const char *u)
{
    if (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0)
        return 0;
    for (; *u; u++)
        if ((unsigned char)*u <= ' ')
            return 0;
    return 1;
}

/* an arena copy of [s, s + n) without the spaces around it */
static char *trimmed(walor_ctx *c, const char *s, size_t n)
{
    while (n && *s == ' ')
        s++, n--;
    while (n && s[n - 1] == ' ')
        n--;
    return walor_ctx_printf(c, "%.*s", (int)n, s);
}

static int32_t button_msg(walor_ctx *c, const char *text)
{
    const char *bar = strchr(text, '|');
    const char *label = bar ? trimmed(c, text, (size_t)(bar - text)) : NULL;
    const char *url = bar ? trimmed(c, bar + 1, strlen(bar + 1)) : NULL;
    if (!bar || !*label || strlen(label) > BTN_TEXT_MAX || !url_ok(url))
        return refuse(c, walor_text(c, "broadcast.new.bad_button"), "broadcast.new.ask_button");
    int32_t rc = walor_db_exec(c, "UPDATE broadcast_msg SET btn_text = ?, btn_url = ? WHERE id = ?",
                               WALOR_ARGS(walor_s(label), walor_s(url), walor_i(draft_id(c))));
    return rc < 0 ? rc : walor_conv_goto(c, "audience");
}

static int32_t button_cb(walor_ctx *c, const char *arg)
{
    if (strcmp(arg, "none") != 0)
        return 0;
    int32_t rc = walor_db_exec(c, "UPDATE broadcast_msg SET btn_text = '', btn_url = '' WHERE id = ?",
                               WALOR_ARGS(walor_i(draft_id(c))));
    return rc < 0 ? rc : walor_conv_goto(c, "audience");
}

/* ---- audience ---- */

static int32_t audience_enter(walor_ctx *c)
{
    bc_msg m;
    int32_t rc = bc_msg_get(c, draft_id(c), &m);
    if (rc < 0)
        return rc;
    /* the preview: exactly what the audience will get */
    if (!json_is_true(json_object_get(walor_conv_data(c), "previewed"))) {
        walor_reply(c, walor_text(c, "broadcast.new.preview"), NULL);
        if ((rc = bc_send_one(c, &m, walor_ctx_chat_id(c), 0)) < 0) {
            const char *why = walor_last_error(c);
            walor_conv_goto(c, "content");
            return walor_reply(c, walor_textf(c, "broadcast.new.preview_failed", "why", bc_esc(c, why), NULL), NULL);
        }
        json_object_set_new(walor_conv_data(c), "previewed", json_true());
    }
    static const char *const KINDS[] = {"all", "paid", "noorders", "new", "idle", "bought", "link", "testers"};
    walor_kb *kb = walor_kb_new(c);
    for (size_t i = 0; i < sizeof KINDS / sizeof *KINDS; i++) {
        walor_kb_conv_button(kb, walor_text(c, walor_ctx_printf(c, "broadcast.seg.btn_%s", KINDS[i])),
                             walor_ctx_printf(c, "seg:%s", KINDS[i]));
        if (i % 2)
            walor_kb_row(kb);
    }
    return ask(c, "broadcast.new.ask_audience", kb);
}

static int32_t set_segment(walor_ctx *c, const bc_segment *s)
{
    json_t *j = bc_segment_to_json(s);
    char *txt = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!txt)
        return WALOR_ENOMEM;
    int32_t rc = walor_db_exec(c, "UPDATE broadcast_msg SET segment = ? WHERE id = ?",
                               WALOR_ARGS(walor_s(txt), walor_i(draft_id(c))));
    free(txt);
    return rc < 0 ? rc : walor_conv_goto(c, "confirm");
}

static int32_t audience_cb(walor_ctx *c, const char *arg)
{
    if (strncmp(arg, "seg:", 4) != 0)
        return 0;
    bc_segment s;
    memset(&s, 0, sizeof s);
    s.kind = bc_segment_kind(arg + 4);
    json_object_set_new(walor_conv_data(c), "kind", json_string(arg + 4));
    switch (s.kind) {
    case BC_SEG_NEW:
    case BC_SEG_IDLE:
        return walor_conv_goto(c, "days");
    case BC_SEG_BOUGHT:
        return walor_conv_goto(c, "items");
    case BC_SEG_LINK:
        return walor_conv_goto(c, "link");
    case 0:
        return 0;
    default:
        return set_segment(c, &s);
    }
}

/* ---- what a segment needs ---- */

static int32_t days_enter(walor_ctx *c)
{
    return ask(c, !strcmp(json_string_value(json_object_get(walor_conv_data(c), "kind")), "new")
                      ? "broadcast.new.ask_days_new"
                      : "broadcast.new.ask_days_idle",
               NULL);
}

static int32_t days_msg(walor_ctx *c, const char *text)
{
    bc_segment s;
    memset(&s, 0, sizeof s);
    s.kind = bc_segment_kind(json_string_value(json_object_get(walor_conv_data(c), "kind")));
    char *end = NULL;
    long long d = strtoll(text, &end, 10);
    while (end && *end == ' ')
        end++;
    if (!end || end == text || *end || d < 1 || d > BC_DAYS_MAX)
        return refuse(c, walor_text(c, "broadcast.new.bad_days"), "broadcast.new.ask_days_new");
    s.days = d;
    return set_segment(c, &s);
}

static int32_t items_enter(walor_ctx *c) { return ask(c, "broadcast.new.ask_items", NULL); }

static int32_t items_msg(walor_ctx *c, const char *text)
{
    bc_segment s;
    memset(&s, 0, sizeof s);
    s.kind = BC_SEG_BOUGHT;
    const char *why = NULL;
    if (bc_items_parse(text, &s, &why) != 0)
        return refuse(c, why, "broadcast.new.ask_items");
    return set_segment(c, &s);
}

static int32_t link_enter(walor_ctx *c)
{
    const walor_crm_v1 *crm = walor_service_get(walor_ctx_plugin(c), WALOR_CRM_SERVICE, WALOR_CRM_MAJOR, NULL);
    walor_crm_link *links = NULL;
    uint32_t n = 0;
    walor_kb *kb = walor_kb_new(c);
    if (WALOR_CRM_HAS(crm, links) && crm->links(c, 1, &links, &n) == 0)
        for (uint32_t i = 0; i < n && i < 20; i++) {
            const walor_crm_link *k = walor_crm_link_at(links, i);
            walor_kb_conv_button(kb, walor_ctx_printf(c, "🔗 %s", k->title), walor_ctx_printf(c, "link:%s", k->code));
            walor_kb_row(kb);
        }
    return ask(c, n ? "broadcast.new.ask_link" : "broadcast.new.ask_link_typed", kb);
}

static int32_t link_set(walor_ctx *c, const char *code)
{
    bc_segment s;
    memset(&s, 0, sizeof s);
    s.kind = BC_SEG_LINK;
    if (!strncmp(code, "link_", 5))
        code += 5;
    snprintf(s.link, sizeof s.link, "%s", code);
    json_t *j = bc_segment_to_json(&s);
    const char *why = NULL;
    bc_segment back;
    int ok = j && bc_segment_from_json(j, &back, &why) == 0;
    json_decref(j);
    if (!ok || strlen(code) > BC_LINK_MAX)
        return refuse(c, walor_text(c, "broadcast.new.bad_link"), "broadcast.new.ask_link_typed");
    return set_segment(c, &s);
}

static int32_t link_msg(walor_ctx *c, const char *text) { return link_set(c, text); }
static int32_t link_cb(walor_ctx *c, const char *arg) { return strncmp(arg, "link:", 5) ? 0 : link_set(c, arg + 5); }

/* ---- confirm and schedule ---- */

static int32_t confirm_enter(walor_ctx *c)
{
    bc_msg m;
    int32_t rc = bc_msg_get(c, draft_id(c), &m);
    if (rc < 0)
        return rc;
    bc_segment s;
    const char *why = NULL;
    if (bc_msg_segment(&m, &s, &why) != 0)
        return walor_conv_goto(c, "audience");
    int64_t n = 0;
    if ((rc = walor_tx_begin(c)) < 0)
        return rc;
    rc = bc_audience_prepare(c, &s, m.id);
    if (rc >= 0)
        rc = bc_audience_count(c, &s, m.id, m.author_id, &n);
    if (rc >= 0)
        rc = bc_audience_drop(c, m.id);
    if ((rc = walor_tx_end(c, rc)) < 0)
        return rc;
    walor_kb *kb = walor_kb_new(c);
    if (n > 0) {
        walor_kb_conv_button(kb, walor_text(c, "broadcast.new.btn_now"), "now");
        walor_kb_conv_button(kb, walor_text(c, "broadcast.new.btn_later"), "later");
        walor_kb_row(kb);
    }
    walor_kb_conv_button(kb, walor_text(c, "broadcast.new.btn_audience"), "aud");
    const char *label = bc_segment_label(c, &s);
    return walor_conv_ask(c,
                          n ? walor_textf(c, "broadcast.new.count", "segment", label, "n",
                                          walor_plural(c, n, "получатель|получателя|получателей", 0), NULL)
                            : walor_textf(c, "broadcast.new.empty", "segment", label, NULL),
                          kb);
}

static int32_t launch(walor_ctx *c, int64_t when)
{
    int64_t id = draft_id(c);
    bc_msg m;
    int32_t rc = bc_msg_get(c, id, &m);
    if (rc == WALOR_ENOTFOUND || (rc == 0 && strcmp(m.status, BC_DRAFT) != 0))
        return walor_conv_end(c);
    if (rc < 0)
        return rc;
    /* one message for the author from now on: it becomes the progress, then
     * the report (edited, at most every progress_s seconds). Sent before the
     * start job exists, so the job finds it and sends no second one. */
    m.status = BC_SCHEDULED;
    m.scheduled_at = when;
    int64_t mid = 0;
    rc = walor_send(c, walor_ctx_chat_id(c),
                    when > walor_now(c) ? bc_status_text(c, &m)
                                        : walor_textf(c, "broadcast.new.started", "id", bc_num(c, id), NULL),
                    bc_status_kb(c, &m), 0, &mid);
    if (rc < 0)
        return rc;
    if ((rc = walor_tx_begin(c)) < 0)
        return rc;
    rc = walor_db_exec(c, "UPDATE broadcast_msg SET progress_mid = ? WHERE id = ?", WALOR_ARGS(walor_i(mid), walor_i(id)));
    if (rc >= 0)
        rc = bc_schedule(c, id, when);
    if ((rc = walor_tx_end(c, rc)) < 0)
        return rc == WALOR_ENOTFOUND ? walor_conv_end(c) : rc;
    bc_log_action(c, when <= walor_now(c)
                         ? walor_ctx_printf(c, "запустил рассылку №%lld", (long long)id)
                         : walor_ctx_printf(c, "запланировал рассылку №%lld на %s", (long long)id, bc_when(c, when)));
    return walor_conv_end(c);
}

static int32_t confirm_cb(walor_ctx *c, const char *arg)
{
    if (!strcmp(arg, "now"))
        return launch(c, walor_now(c));
    if (!strcmp(arg, "later"))
        return walor_conv_goto(c, "when");
    if (!strcmp(arg, "aud"))
        return walor_conv_goto(c, "audience");
    return 0;
}

static int32_t when_enter(walor_ctx *c) { return ask(c, "broadcast.new.ask_when", NULL); }

static int32_t when_msg(walor_ctx *c, const char *text)
{
    int64_t at = 0, now = walor_now(c);
    const char *why = NULL;
    if (bc_when_parse(text, now, &at, &why) != 0)
        return refuse(c, why, "broadcast.new.ask_when");
    if (at <= now)
        return refuse(c, walor_textf(c, "broadcast.new.past", "when", bc_when(c, at), "now", bc_when(c, now), NULL),
                      "broadcast.new.ask_when");
    return launch(c, at);
}

static int32_t on_cancel(walor_ctx *c)
{
    int64_t id = draft_id(c);
    if (id)
        walor_db_exec(c, "DELETE FROM broadcast_msg WHERE id = ? AND status = 'draft'", WALOR_ARGS(walor_i(id)));
    return bc_section(c);
}

int32_t bc_compose_start(walor_ctx *c) { return walor_conv_start(c, "bc_new", NULL, NULL); }

int32_t bc_compose_register(walor_plugin *p)
{
    static const walor_conv_state st[] = {
        {.struct_size = sizeof(walor_conv_state), .name = "content", .on_enter = content_enter,
         .on_message = content_msg},
        {.struct_size = sizeof(walor_conv_state), .name = "button", .on_enter = button_enter, .on_message = button_msg,
         .on_callback = button_cb},
        {.struct_size = sizeof(walor_conv_state), .name = "audience", .on_enter = audience_enter,
         .on_callback = audience_cb},
        {.struct_size = sizeof(walor_conv_state), .name = "days", .on_enter = days_enter, .on_message = days_msg},
        {.struct_size = sizeof(walor_conv_state), .name = "items", .on_enter = items_enter, .on_message = items_msg},
        {.struct_size = sizeof(walor_conv_state), .name = "link", .on_enter = link_enter, .on_message = link_msg,
         .on_callback = link_cb},
        {.struct_size = sizeof(walor_conv_state), .name = "confirm", .on_enter = confirm_enter,
         .on_callback = confirm_cb},
        {.struct_size = sizeof(walor_conv_state), .name = "when", .on_enter = when_enter, .on_message = when_msg},
    };
    static const walor_conv_def conv = {.struct_size = sizeof conv, .min_role = WALOR_ROLE_MANAGER, .name = "bc_new",
                                        .states = st, .nstates = sizeof st / sizeof st[0], .timeout_s = 3600,
                                        .on_cancel = on_cancel};
    return walor_conversation(p, &conv);
}
