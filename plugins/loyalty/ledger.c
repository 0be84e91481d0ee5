/* loyalty: the bonus ledger. A customer's balance is the sum of their rows;
 * every accrual, spend, rollback and staff edit is a row with who and why.
 * Automatic rows carry a unique key (cashback:<order>, spend:<order>, …):
 * events arrive at least once, the key makes each effect happen once. */
#include "loy.h"

const char loy_ledger_migration[] =
    "CREATE TABLE loyalty_ledger ("
    " id INTEGER PRIMARY KEY,"
    " user_id INTEGER NOT NULL,"
    " amount INTEGER NOT NULL,"          /* kopecks, negative = spent / taken away */
    " kind TEXT NOT NULL,"
    " key TEXT UNIQUE,"                  /* NULL for staff edits */
    " order_id INTEGER NOT NULL DEFAULT 0,"
    " note TEXT NOT NULL DEFAULT '',"
    " by_user INTEGER NOT NULL DEFAULT 0," /* staff who made it, 0 = automatic */
    " created_at INTEGER NOT NULL);"
    "CREATE INDEX loyalty_ledger_user ON loyalty_ledger(user_id, id);"
    "CREATE INDEX loyalty_ledger_order ON loyalty_ledger(order_id);";

int32_t loy_balance(walor_ctx *c, int64_t user_id, int64_t *out)
{
    *out = 0;
    return walor_db_int(c, "SELECT coalesce(sum(amount), 0) FROM loyalty_ledger WHERE user_id = ?",
                        WALOR_ARGS(walor_i(user_id)), out);
}

int32_t loy_ledger_add(walor_ctx *c, int64_t user_id, int64_t amount, const char *kind, const char *key,
                       int64_t order_id, const char *note, int64_t by)
{
    int32_t rc = walor_db_exec(c,
                               "INSERT INTO loyalty_ledger(user_id, amount, kind, key, order_id, note, by_user, "
                               "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO NOTHING",
                               WALOR_ARGS(walor_i(user_id), walor_i(amount), walor_s(kind), walor_s(key),
                                          walor_i(order_id), walor_s(note ? note : ""), walor_i(by),
                                          walor_i(walor_now(c))));
    return rc < 0 ? rc : rc > 0;
}
