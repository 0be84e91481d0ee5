/* The host's own tables (owner "host.core" in wh_migrations). Plugins'
 * tables are created by their own migrations; the inbox has its own. */
#include "schema.h"

#include "db.h"

static const wh_migration core_migrations[] = {
    {1,
     "CREATE TABLE wh_users ("
     "  id INTEGER PRIMARY KEY,"            /* Telegram user id */
     "  username TEXT, first_name TEXT NOT NULL DEFAULT '', last_name TEXT, language_code TEXT,"
     "  registered_at INTEGER NOT NULL, seen_at INTEGER NOT NULL,"
     "  role INTEGER NOT NULL DEFAULT 0,"   /* WALOR_ROLE_* granted in the bot; owners come from config */
     "  blocked INTEGER NOT NULL DEFAULT 0," /* 1 once Telegram said 403 */
     "  start_payload TEXT);"
     "CREATE INDEX wh_users_role ON wh_users(role) WHERE role > 0;"
     "CREATE TABLE wh_conv ("
     "  chat_id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, active INTEGER NOT NULL,"
     "  name TEXT, state TEXT, data TEXT, updated_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);"
     "CREATE INDEX wh_conv_expiry ON wh_conv(expires_at) WHERE active = 1;"
     "CREATE TABLE wh_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL,"
     "  updated_by INTEGER, updated_at INTEGER NOT NULL);"
     "CREATE TABLE wh_cbtokens (token TEXT PRIMARY KEY, data TEXT NOT NULL, created_at INTEGER NOT NULL);"
     "CREATE TABLE wh_action_log (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL,"
     "  plugin TEXT NOT NULL, what TEXT NOT NULL, at INTEGER NOT NULL);"},
};

/* The users as plugins may read them (SDK 1.3, plugin guide "Data"): a
 * view with a fixed list of columns, so wh_users can change behind it. Its
 * own owner, so its numbering never meets the core's. seen_at is indexed
 * for plugins that follow new and renamed users (a rename sets it). */
static const wh_migration users_view_migrations[] = {
    {1,
     "CREATE VIEW walor_users AS SELECT id, username, first_name, last_name, language_code, registered_at,"
     "  seen_at, role, blocked, start_payload FROM wh_users;"
     "CREATE INDEX wh_users_seen ON wh_users(seen_at);"},
};

int32_t wh_schema_migrate(wh_db *db)
{
    int32_t rc = wh_db_migrate(db, "host.core", core_migrations, sizeof core_migrations / sizeof *core_migrations);
    if (rc >= 0)
        rc = wh_db_migrate(db, "host.users", users_view_migrations,
                           sizeof users_view_migrations / sizeof *users_view_migrations);
    return rc;
}
