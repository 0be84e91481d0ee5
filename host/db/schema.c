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

int32_t wh_schema_migrate(wh_db *db)
{
    return wh_db_migrate(db, "host.core", core_migrations, sizeof core_migrations / sizeof *core_migrations);
}
