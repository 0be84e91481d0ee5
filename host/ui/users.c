#include "users.h"

#include <string.h>

#include "api_slots.h"
#include "ctx.h"
#include "error.h"
#include "host.h"
#include "html.h"
#include "registry.h"

int wh_is_owner(int64_t id)
{
    for (size_t i = 0; i < wh_g.nowners; i++)
        if (wh_g.owners[i] == id)
            return 1;
    return 0;
}

static int same(const char *a, const char *b) { return (!a && !b) || (a && b && strcmp(a, b) == 0); }

int32_t wh_user_touch(wh_db *db, json_t *from, int64_t now, uint32_t *role, int *is_new)
{
    int64_t id = (int64_t)json_integer_value(json_object_get(from, "id"));
    if (id == 0)
        return wh_error(WALOR_EINVAL, "update has no user");
    const char *username = json_string_value(json_object_get(from, "username"));
    const char *first = json_string_value(json_object_get(from, "first_name"));
    const char *last = json_string_value(json_object_get(from, "last_name"));
    const char *lang = json_string_value(json_object_get(from, "language_code"));
    *is_new = 0;
    *role = WALOR_ROLE_CLIENT;
    wh_rows *r = NULL;
    int32_t rc = wh_db_query(db, "SELECT username, first_name, last_name, language_code, role, blocked, seen_at "
                                 "FROM wh_users WHERE id = ?",
                             WALOR_ARGS(walor_i(id)), &r);
    if (rc < 0)
        return rc;
    int found = wh_rows_next(r) == 1;
    /* write only when something changed (or once a minute for seen_at):
     * a write per update would cost more than the rest of a typical handler */
    int changed = found && (!same(username, wh_rows_text(r, 0)) || !same(first ? first : "", wh_rows_text(r, 1)) ||
                            !same(last, wh_rows_text(r, 2)) || !same(lang, wh_rows_text(r, 3)) ||
                            wh_rows_int(r, 5) != 0 || now - wh_rows_int(r, 6) >= 60);
    if (found)
        *role = (uint32_t)wh_rows_int(r, 4);
    wh_rows_close(r);
    if (!found) {
        rc = wh_db_exec(db,
                        "INSERT INTO wh_users(id, username, first_name, last_name, language_code, registered_at, "
                        "seen_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING",
                        WALOR_ARGS(walor_i(id), walor_s(username), walor_s(first ? first : ""), walor_s(last),
                                   walor_s(lang), walor_i(now), walor_i(now)));
        *is_new = rc > 0;
    } else if (changed) {
        /* a user who writes to us has unblocked the bot */
        rc = wh_db_exec(db,
                        "UPDATE wh_users SET username = ?, first_name = ?, last_name = ?, language_code = ?, "
                        "seen_at = ?, blocked = 0 WHERE id = ?",
                        WALOR_ARGS(walor_s(username), walor_s(first ? first : ""), walor_s(last), walor_s(lang),
                                   walor_i(now), walor_i(id)));
    }
    if (rc < 0)
        return rc;
    if (wh_is_owner(id))
        *role = WALOR_ROLE_OWNER;
    else if (*role > WALOR_ROLE_MANAGER)
        *role = WALOR_ROLE_MANAGER; /* only the config makes owners */
    return 0;
}

uint32_t wh_user_role(wh_db *db, int64_t id)
{
    if (wh_is_owner(id))
        return WALOR_ROLE_OWNER;
    int64_t role = 0;
    if (wh_db_int(db, "SELECT role FROM wh_users WHERE id = ?", WALOR_ARGS(walor_i(id)), &role) != 0)
        return WALOR_ROLE_CLIENT;
    return role > WALOR_ROLE_MANAGER ? WALOR_ROLE_MANAGER : (uint32_t)role;
}

/* A conversation that needs more than the user's new role ends with the
 * role (a removed manager's "new promo code" must not be finishable); the
 * dispatcher checks the role at every step as well, for a conversation
 * whose update was already running. Private chats have the user's id. */
static int32_t end_convs_above(wh_db *db, int64_t id, uint32_t role)
{
    wh_rows *r = NULL;
    const wh_conv_def *d = NULL;
    if (wh_is_owner(id))
        return 0;
    int32_t rc = wh_db_query(db, "SELECT name FROM wh_conv WHERE chat_id = ? AND active = 1", WALOR_ARGS(walor_i(id)),
                             &r);
    if (rc < 0)
        return rc;
    if (wh_rows_next(r) == 1 && wh_rows_text(r, 0))
        d = wh_find_conv(wh_rows_text(r, 0));
    wh_rows_close(r);
    if (!d || d->min_role <= role)
        return 0;
    rc = wh_db_exec(db, "UPDATE wh_conv SET active = 0, state = NULL, data = NULL WHERE chat_id = ? AND active = 1",
                    WALOR_ARGS(walor_i(id)));
    return rc < 0 ? rc : 0;
}

int32_t wh_user_set_role(wh_db *db, int64_t id, uint32_t role)
{
    if (role > WALOR_ROLE_MANAGER)
        return wh_error(WALOR_EINVAL, "owners are set in the config");
    int32_t rc = wh_db_exec(db, "UPDATE wh_users SET role = ? WHERE id = ?", WALOR_ARGS(walor_i(role), walor_i(id)));
    if (rc == 0)
        return wh_error(WALOR_ENOTFOUND, "user %lld has not started the bot", (long long)id);
    return rc < 0 ? rc : end_convs_above(db, id, role);
}

int32_t wh_user_set_blocked(wh_db *db, int64_t id, int blocked)
{
    int32_t rc = wh_db_exec(db, "UPDATE wh_users SET blocked = ? WHERE id = ?",
                            WALOR_ARGS(walor_i(blocked ? 1 : 0), walor_i(id)));
    return rc < 0 ? rc : 0;
}

/* walor_user_label: one query of the user's names, the label built from
 * whatever of them there is */
static char *user_label(walor_ctx *c, int64_t user_id, uint32_t flags)
{
    if (flags & ~WALOR_USER_LABEL_FULL) {
        wh_error(WALOR_EINVAL, "user_label: unknown flags 0x%x", flags);
        return NULL;
    }
    wh_rows *r = NULL;
    if (wh_db_query(c->w->db, "SELECT first_name, last_name, username FROM wh_users WHERE id = ?",
                    WALOR_ARGS(walor_i(user_id)), &r) < 0)
        return NULL;
    const char *first = NULL, *last = NULL, *un = NULL;
    if (wh_rows_next(r) == 1) {
        first = wh_rows_text(r, 0);
        last = (flags & WALOR_USER_LABEL_FULL) ? wh_rows_text(r, 1) : NULL;
        un = wh_rows_text(r, 2);
    }
    const char *name = wh_arena_printf(c->arena, "%s%s%s", first && *first ? first : "—", last && *last ? " " : "",
                                       last && *last ? last : "");
    char *out = NULL;
    if (name && un && *un)
        out = wh_arena_printf(c->arena, "%s (@%s, %lld)", wh_html_escape(c->arena, name),
                              wh_html_escape(c->arena, un), (long long)user_id);
    else if (name)
        out = wh_arena_printf(c->arena, "%s (%lld)", wh_html_escape(c->arena, name), (long long)user_id);
    wh_rows_close(r);
    if (!out)
        wh_error(WALOR_ENOMEM, "user_label: out of memory");
    return out;
}

void wh_users_fill(walor_host_api *api) { api->user_label = user_label; }
