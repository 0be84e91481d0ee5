/* The client main menu (F-HOST-07) and the staff admin panel (F-HOST-01),
 * both assembled from buttons the plugins registered, filtered by role. */
#include "menu.h"

#include <stdlib.h>
#include <string.h>

#include "api_slots.h"
#include "db.h"
#include "error.h"
#include "host.h"
#include "log.h"
#include "settings.h"
#include "texts.h"

/* where an admin area stands: sales, goods, clients, the undeclared
 * (older plugins), system, then the host's own navigation */
static int group_rank(const wh_menu *m)
{
    if (m->where != WALOR_MENU_ADMIN)
        return 0;
    switch (m->group) {
    case WALOR_MENU_GROUP_SALES: return 0;
    case WALOR_MENU_GROUP_GOODS: return 1;
    case WALOR_MENU_GROUP_CLIENTS: return 2;
    case WALOR_MENU_GROUP_NONE: return 3;
    case WALOR_MENU_GROUP_SYSTEM: return 4;
    default: return 5;
    }
}

static int by_order(const void *a, const void *b)
{
    const wh_menu *x = *(const wh_menu *const *)a, *y = *(const wh_menu *const *)b;
    if (group_rank(x) != group_rank(y))
        return group_rank(x) < group_rank(y) ? -1 : 1;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    if (x->p->index != y->p->index)
        return x->p->index < y->p->index ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* buttons of one kind the user may see, in display order */
static size_t visible(walor_ctx *c, uint32_t where, const wh_menu ***out)
{
    const wh_menu **v = wh_arena_alloc(c->arena, (wh_reg.menus.n + 1) * sizeof *v);
    size_t n = 0;
    for (size_t i = 0; v && i < wh_reg.menus.n; i++)
        if (wh_reg.menus.v[i].where == where && c->role >= wh_reg.menus.v[i].min_role)
            v[n++] = &wh_reg.menus.v[i];
    if (n > 1)
        qsort(v, n, sizeof *v, by_order);
    *out = v;
    return n;
}

/* one button a row (the main menu); in the admin panel two a row, each
 * area from a new row, the navigation alone */
static void add_buttons(walor_ctx *c, walor_kb *kb, const wh_menu **v, size_t n, int columns)
{
    const walor_host_api *api = c->head.api;
    int in_row = 0;
    for (size_t i = 0; i < n; i++) {
        if (in_row && (in_row == columns || group_rank(v[i]) != group_rank(v[i - 1]) || v[i]->group == WH_MENU_GROUP_NAV)) {
            api->kb_row(kb);
            in_row = 0;
        }
        const char *label = NULL;
        if (v[i]->label_fn) {
            walor_plugin *saved = c->plugin;
            c->plugin = v[i]->p;
            label = v[i]->label_fn(c);
            c->plugin = saved;
        }
        if (!label || !*label)
            label = v[i]->label;
        api->kb_button(kb, label, wh_arena_printf(c->arena, "m:%s", v[i]->id));
        in_row++;
    }
    api->kb_row(kb);
}

static int32_t show(walor_ctx *c, const char *text, walor_kb *kb, int edit)
{
    const walor_host_api *api = c->head.api;
    if (edit && c->callback_id && c->message_id)
        return api->edit(c, c->chat_id, c->message_id, text, kb, 0);
    return api->send(c, c->chat_id, text, kb, 0, NULL);
}

static const char *greeting(walor_ctx *c)
{
    const wh_setting *s = wh_find_setting("shop.start_text");
    const char *t = s ? wh_setting_value(c, s, NULL) : NULL;
    if (!t || !*t)
        t = wh_text_get("core.menu");
    const char *name = wh_config_get(&wh_g.cfg, "walor", "shop_name");
    /* the owner's text is HTML they wrote; only the substituted name is data */
    json_t *from = json_object_get(json_object_get(c->update, c->callback_id ? "callback_query" : "message"), "from");
    const char *first = json_string_value(json_object_get(from, "first_name"));
    wh_rows *r = NULL;
    /* no update (the menu re-sent by the owner's UI reset): the name the user registered with */
    if (!c->update && c->user_id &&
        wh_db_query(c->w->db, "SELECT first_name FROM wh_users WHERE id = ?", WALOR_ARGS(walor_i(c->user_id)), &r) == 0) {
        if (wh_rows_next(r) == 1 && wh_rows_text(r, 0))
            first = wh_arena_strdup(c->arena, wh_rows_text(r, 0));
        wh_rows_close(r);
    }
    char *out = wh_arena_strdup(c->arena, t);
    /* {first_name} is the documented placeholder; {name} is its older spelling */
    const char *keys[] = {"{shop}", "{first_name}", "{name}"};
    const char *vals[] = {name ? name : "", first ? first : "", first ? first : ""};
    for (int k = 0; k < 3; k++) {
        char *at;
        while ((at = strstr(out, keys[k])) != NULL) {
            char *esc = c->head.api->html_escape(c, vals[k]);
            out = wh_arena_printf(c->arena, "%.*s%s%s", (int)(at - out), out, esc, at + strlen(keys[k]));
        }
    }
    int64_t open = 1;
    if (c->head.api->setting_int(c, "shop.open", &open) == 0 && !open)
        out = wh_arena_printf(c->arena, "%s\n\n%s", out, wh_text_get("core.closed"));
    return out;
}

/* The shop's Telegram channel (shop.channel, seed 2.1 "Telegram-канал"):
 * "@name" or a t.me address as the owner typed it, as an https URL; NULL
 * when unset */
static const char *channel_url(walor_ctx *c)
{
    const char *v = c->head.api->setting_str(c, "shop.channel");
    if (!v || !*v)
        return NULL;
    if (v[0] == '@')
        return wh_arena_printf(c->arena, "https://t.me/%s", v + 1);
    if (strncmp(v, "https://", 8) == 0)
        return v;
    return wh_arena_printf(c->arena, "https://%s", v);
}

/* where the channel goes: among the shop's own buttons, before "ℹ️ О нас"
 * (order 1000) and the staff ones */
#define CHANNEL_ORDER 1000

int32_t wh_menu_render_main(walor_ctx *c, const char **text, walor_kb **kb)
{
    const walor_host_api *api = c->head.api;
    *kb = api->kb_new(c);
    const wh_menu **v;
    size_t n = visible(c, WALOR_MENU_MAIN, &v);
    const char *channel = channel_url(c);
    size_t before = n;
    for (size_t i = 0; channel && i < n; i++)
        if (v[i]->order >= CHANNEL_ORDER) {
            before = i;
            break;
        }
    add_buttons(c, *kb, v, before, 1);
    if (channel) {
        if (before)
            api->kb_row(*kb);
        api->kb_url(*kb, wh_text_get("core.btn.channel"), channel);
        if (before < n)
            api->kb_row(*kb);
    }
    add_buttons(c, *kb, v + before, n - before, 1);
    *text = greeting(c);
    return *kb && *text ? 0 : WALOR_ENOMEM;
}

int32_t wh_menu_show_main(walor_ctx *c, int edit)
{
    const char *text;
    walor_kb *kb;
    int32_t rc = wh_menu_render_main(c, &text, &kb);
    return rc < 0 ? rc : show(c, text, kb, edit);
}

int32_t wh_menu_show_admin(walor_ctx *c, int edit)
{
    const walor_host_api *api = c->head.api;
    if (c->role < WALOR_ROLE_MANAGER)
        return wh_error(WALOR_EPERM, "the admin panel is for staff");
    char *text = wh_arena_strdup(c->arena, wh_text_get("core.admin.title"));
    for (size_t i = 0; i < wh_reg.headers.n; i++) {
        walor_plugin *saved = c->plugin;
        c->plugin = wh_reg.headers.v[i].p;
        const char *line = ((walor_header_fn)wh_reg.headers.v[i].fn)(c);
        c->plugin = saved;
        if (line && *line)
            text = wh_arena_printf(c->arena, "%s\n%s", text, line);
    }
    walor_kb *kb = api->kb_new(c);
    const wh_menu **v;
    size_t n = visible(c, WALOR_MENU_ADMIN, &v);
    add_buttons(c, kb, v, n, 2);
    return show(c, text, kb, edit);
}

static int32_t show_main_menu(walor_ctx *c) { return wh_menu_show_main(c, 1); }
static int32_t show_admin_menu(walor_ctx *c) { return wh_menu_show_admin(c, 1); }

void wh_menu_fill(walor_host_api *api)
{
    api->show_main_menu = show_main_menu;
    api->show_admin_menu = show_admin_menu;
}
