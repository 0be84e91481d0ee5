/* crm: the section "👥 Клиенты" of the admin panel and the router of the
 * plugin's buttons. Prefix "crm" is for staff (MANAGER): the host refuses a
 * client's press, forged or not, before any of this runs; what a button
 * names (a user, a link) is looked up again, since data can be stale. */
#include <string.h>

#include "crm.h"

int32_t crm_section(walor_ctx *c)
{
    crm_sync_names(c, 2000);
    int64_t total = 0, week = 0, month = 0, now = walor_now(c);
    walor_db_int(c, "SELECT count(*) FROM walor_users", NULL, 0, &total);
    walor_db_int(c, "SELECT count(*) FROM walor_users WHERE registered_at >= ?", WALOR_ARGS(walor_i(now - 7 * 86400)),
                 &week);
    walor_db_int(c, "SELECT count(*) FROM walor_users WHERE registered_at >= ?", WALOR_ARGS(walor_i(now - 30 * 86400)),
                 &month);
    static const walor_text_pair KB[] = {
        {"crm.btn.search", "crm:s"}, {"crm.btn.export", "crm:x"}, {NULL, NULL},
        {"crm.btn.links", "crm:l"},  {NULL, NULL},                {"crm.btn.admin", "m:core.admin"},
    };
    walor_kb *kb = walor_kb_add(c, walor_kb_new(c), KB, WALOR_COUNT(KB), 0);
    return walor_show(c,
                      walor_textf(c, "crm.section", "total", walor_plural(c, total, "клиент|клиента|клиентов", 0),
                                  "week", crm_num(c, week), "month", crm_num(c, month), NULL),
                      kb);
}

/* "<uid>" or "<uid>:<back>": the back part, NULL when none */
static const char *back_of(const char *rest)
{
    const char *colon = strchr(rest, ':');
    return colon && colon[1] ? colon + 1 : NULL;
}

static int32_t on_cb(walor_ctx *c, const char *arg)
{
    const char *colon = strchr(arg, ':');
    size_t vlen = colon ? (size_t)(colon - arg) : strlen(arg);
    const char *rest = colon ? colon + 1 : "";
    int64_t uid = 0;
    if (!strcmp(arg, "home"))
        return crm_section(c);
    if (!strcmp(arg, "s"))
        return crm_search_start(c);
    if (vlen == 2 && !strncmp(arg, "sr", 2))
        return crm_search_page(c, rest);
    if (!strcmp(arg, "x"))
        return crm_export_menu(c);
    if (vlen == 1 && arg[0] == 'x')
        return crm_export_start(c, rest);
    if (arg[0] == 'l')
        return crm_links_cb(c, arg);
    if (vlen == 1 && walor_parse_id_to(rest, ':', &uid) == 0) {
        if (arg[0] == 'c') {
            int32_t rc = crm_card_show(c, uid, back_of(rest));
            return rc == WALOR_ENOTFOUND ? 0 : rc;
        }
        if (arg[0] == 'h') {
            /* "h:<uid>:<back>:<page>": the page after the last ':', the back (may hold ':') before it */
            const char *b = strchr(rest, ':');
            const char *last = strrchr(rest, ':');
            if (b && last > b)
                return crm_history_show(c, uid, b + 1 == last ? NULL : walor_ctx_printf(c, "%.*s", (int)(last - b - 1), b + 1),
                                        last + 1);
            return crm_history_show(c, uid, back_of(rest), NULL);
        }
        if (strchr("nmbd", arg[0]))
            return crm_action_start(c, (const char[]){arg[0], 0}, uid, back_of(rest));
    }
    walor_answer(c, walor_text(c, "crm.stale"));
    return crm_section(c);
}

int32_t crm_admin_register(walor_plugin *p)
{
    static const walor_menu_def menu = {.struct_size = sizeof menu, .min_role = WALOR_ROLE_MANAGER,
                                        .where = WALOR_MENU_ADMIN, .order = 100, .id = "clients",
                                        .label = "👥 Клиенты", .on_press = crm_section,
                                        .group = WALOR_MENU_GROUP_CLIENTS};
    static const walor_callback_def cb = {.struct_size = sizeof cb, .min_role = WALOR_ROLE_MANAGER, .prefix = "crm",
                                          .handler = on_cb};
    int32_t rc = walor_menu(p, &menu);
    if (!rc) rc = walor_callback(p, &cb);
    return rc;
}
