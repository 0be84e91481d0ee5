/* bookings: "🗓 Индивидуальные сессии" in the client's main menu (seed
 * 2.1, 2.8): the services one can book, a service's card (photo,
 * description, price, duration, format) and "📅 Записаться". Callback
 * prefix "bkc" (any user); hidden services are neither listed nor opened. */
#include <string.h>

#include "bk.h"

#define PAGE 8

/* the pressed message is a photo card: a list cannot replace its caption
 * nicely, so the card goes and the list comes as a new message */
static void drop_photo_card(walor_ctx *c)
{
    json_t *u = walor_ctx_update(c);
    json_t *m = u ? json_object_get(json_object_get(u, "callback_query"), "message") : NULL;
    if (m && json_object_get(m, "photo"))
        walor_delete_message(c, walor_ctx_chat_id(c), walor_ctx_message_id(c));
}

static const char *svc_row(walor_ctx *c, walor_rows *r, int64_t index, walor_kb *kb, void *ud)
{
    (void)index, (void)ud;
    walor_kb_button(kb,
                    walor_textf(c, "bookings.shop.row", "name", walor_col_text(r, 1), "price",
                                walor_money(c, walor_col_int(r, 2)), "duration",
                                bk_duration(c, (int32_t)walor_col_int(r, 3)), NULL),
                    walor_ctx_printf(c, "bkc:s:%lld", (long long)walor_col_int(r, 0)));
    return NULL;
}

static int32_t list(walor_ctx *c, const char *page)
{
    drop_photo_card(c);
    static const walor_text_pair KB[] = {
        {"bookings.btn.mine", "bkm:l"}, {NULL, NULL}, {"bookings.btn.main", "m:core.main"},
    };
    walor_kb *kb = walor_kb_add(c, walor_kb_new(c), KB, WALOR_COUNT(KB), 0);
    walor_list_def l = {.struct_size = sizeof l,
                        .page_size = PAGE,
                        .row = svc_row,
                        .page_data = "bkc:p:",
                        .sql =
                            "SELECT id, name, price, duration_min FROM bookings_service WHERE hidden = 0 "
                            "ORDER BY position, id",
                        .header = bk_t(c, "bookings.shop.title"),
                        .empty = bk_t(c, "bookings.shop.empty"),
                        .buttons = kb};
    return walor_list_show(c, &l, page);
}

int32_t bk_shop_show(walor_ctx *c) { return list(c, NULL); }

char *bk_format_label(walor_ctx *c, const char *format)
{
    return walor_text(c, walor_ctx_printf(c, "bookings.format.%s", format && *format ? format : "both"));
}

static int32_t card(walor_ctx *c, int64_t id)
{
    bk_svc s;
    int32_t rc = bk_svc_get(c, id, &s);
    if (rc < 0 && rc != WALOR_ENOTFOUND)
        return rc;
    if (rc == WALOR_ENOTFOUND || s.hidden) {
        if (walor_in_callback(c))
            walor_alert(c, bk_t(c, "bookings.flow.gone"));
        return list(c, NULL);
    }
    const char *text = walor_textf(c, "bookings.shop.card", "name", bk_esc(c, s.name), "descr", s.descr, "price",
                                   walor_money(c, s.price), "duration", bk_duration(c, s.duration_min), "format",
                                   bk_format_label(c, s.format), NULL);
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, bk_t(c, "bookings.btn.book"), walor_ctx_printf(c, "bkc:go:%lld", (long long)id));
    walor_kb_row(kb);
    walor_kb_button(kb, bk_t(c, "bookings.btn.services"), "bkc:l");
    if (!*s.photo)
        return walor_show(c, text, kb);
    rc = walor_send_photo(c, walor_ctx_chat_id(c), s.photo, text, kb, 0, NULL);
    if (rc == WALOR_EINVAL || rc == WALOR_ELIMIT) { /* a description too long for a caption */
        walor_send_photo(c, walor_ctx_chat_id(c), s.photo, NULL, NULL, 0, NULL);
        return walor_reply(c, text, kb);
    }
    return rc;
}

static int32_t on_cb(walor_ctx *c, const char *arg)
{
    int64_t id = 0;
    if (!strncmp(arg, "s:", 2) && walor_parse_id(arg + 2, &id) == 0)
        return card(c, id);
    if (!strncmp(arg, "go:", 3) && walor_parse_id(arg + 3, &id) == 0)
        return bk_flow_start(c, id);
    if (!strncmp(arg, "p:", 2))
        return list(c, arg + 2);
    return list(c, NULL);
}

static int32_t on_menu(walor_ctx *c) { return list(c, NULL); }

int32_t bk_shop_register(walor_plugin *p)
{
    static const walor_menu_def menu = {.struct_size = sizeof menu,
                                        .min_role = WALOR_ROLE_CLIENT,
                                        .where = WALOR_MENU_MAIN,
                                        .order = 500,
                                        .id = "sessions",
                                        .label = "🗓 Индивидуальные сессии",
                                        .on_press = on_menu};
    static const walor_callback_def cb = {
        .struct_size = sizeof cb, .min_role = WALOR_ROLE_CLIENT, .prefix = "bkc", .handler = on_cb};
    int32_t rc = walor_menu(p, &menu);
    if (!rc)
        rc = walor_callback(p, &cb);
    return rc;
}
