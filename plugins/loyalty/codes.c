/* loyalty: the model of promo codes, gift certificates and personal
 * discounts (reads and checks; redemption is orders_ev.c, staff screens
 * admin.c). Codes are stored in their comparable form (loy_code_norm):
 * upper case through GLib's Unicode tables, so "welcome", "WELCOME" and
 * "Welcome" are one code, and so are "скидка" and "СКИДКА". */
#include <string.h>

#include <glib.h>

#include "loy.h"

#define CODE_MAX_CP 32

const char loy_codes_migration[] =
    "CREATE TABLE loyalty_promo ("
    " id INTEGER PRIMARY KEY,"
    " code TEXT NOT NULL UNIQUE,"          /* loy_code_norm() */
    " pct INTEGER NOT NULL CHECK (pct BETWEEN 1 AND 100),"
    " usage_limit INTEGER NOT NULL DEFAULT 0," /* 0 = unlimited */
    " used INTEGER NOT NULL DEFAULT 0,"    /* paid orders holding a use */
    " expires_at INTEGER NOT NULL DEFAULT 0," /* 0 = never */
    " once_per_user INTEGER NOT NULL DEFAULT 0,"
    " active INTEGER NOT NULL DEFAULT 1,"
    " created_by INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL);"
    "CREATE TABLE loyalty_promo_use ("      /* one per paid order with a promo code */
    " order_id INTEGER PRIMARY KEY,"
    " promo_id INTEGER NOT NULL,"
    " user_id INTEGER NOT NULL,"
    " state TEXT NOT NULL,"                /* used | released | over (paid past the limit) */
    " at INTEGER NOT NULL);"
    "CREATE INDEX loyalty_promo_use_promo ON loyalty_promo_use(promo_id, user_id);"
    "CREATE TABLE loyalty_cert ("
    " id INTEGER PRIMARY KEY,"
    " code TEXT NOT NULL UNIQUE,"
    " face INTEGER NOT NULL CHECK (face > 0)," /* kopecks */
    " balance INTEGER NOT NULL,"           /* what is left (keep_rest), else face or 0 */
    " expires_at INTEGER NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'active'," /* active | used */
    " used_by INTEGER NOT NULL DEFAULT 0,"
    " used_order INTEGER NOT NULL DEFAULT 0,"
    " used_at INTEGER NOT NULL DEFAULT 0,"
    " sent_to INTEGER NOT NULL DEFAULT 0,"
    " created_by INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL);"
    "CREATE TABLE loyalty_cert_use ("       /* one per paid order with a certificate */
    " order_id INTEGER PRIMARY KEY,"
    " cert_id INTEGER NOT NULL,"
    " user_id INTEGER NOT NULL,"
    " amount INTEGER NOT NULL,"            /* taken from the balance */
    " state TEXT NOT NULL,"                /* used | released */
    " at INTEGER NOT NULL);"
    "CREATE TABLE loyalty_personal ("
    " user_id INTEGER PRIMARY KEY,"
    " pct INTEGER NOT NULL CHECK (pct BETWEEN 0 AND 99),"
    " set_by INTEGER NOT NULL DEFAULT 0,"
    " set_at INTEGER NOT NULL);"
    "CREATE TABLE loyalty_cart_promo ("     /* the code a customer applied from the cart */
    " user_id INTEGER PRIMARY KEY,"
    " code TEXT NOT NULL,"
    " at INTEGER NOT NULL);";

char *loy_code_norm(walor_ctx *c, const char *typed)
{
    if (!typed)
        return NULL;
    while (*typed == ' ' || *typed == '\t' || *typed == '\n' || *typed == '\r')
        typed++;
    size_t n = strlen(typed);
    while (n > 0 && (typed[n - 1] == ' ' || typed[n - 1] == '\t' || typed[n - 1] == '\n' || typed[n - 1] == '\r'))
        n--;
    if (n == 0 || n > CODE_MAX_CP * 4 || !g_utf8_validate(typed, (gssize)n, NULL))
        return NULL;
    if (g_utf8_strlen(typed, (gssize)n) > CODE_MAX_CP)
        return NULL;
    for (const char *p = typed; p < typed + n; p = g_utf8_next_char(p)) {
        gunichar ch = g_utf8_get_char(p);
        if (!g_unichar_isalnum(ch) && ch != '-' && ch != '_')
            return NULL;
    }
    gchar *up = g_utf8_strup(typed, (gssize)n);
    if (!up)
        return NULL;
    /* Ё and Е are one letter to most people typing a code */
    GString *s = g_string_sized_new(strlen(up));
    for (const char *p = up; *p; p = g_utf8_next_char(p)) {
        gunichar ch = g_utf8_get_char(p);
        g_string_append_unichar(s, ch == 0x0401 ? 0x0415 : ch);
    }
    char *out = walor_ctx_printf(c, "%s", s->str);
    g_string_free(s, TRUE);
    g_free(up);
    return out;
}

int32_t loy_promo_find(walor_ctx *c, const char *code, loy_promo *out)
{
    memset(out, 0, sizeof *out);
    return walor_db_row(c,
                        "SELECT id, pct, usage_limit, used, expires_at, once_per_user, active, code "
                        "FROM loyalty_promo WHERE code = ?",
                        WALOR_ARGS(walor_s(code)), "iiiiiiis", &out->id, &out->pct, &out->usage_limit, &out->used,
                        &out->expires_at, &out->once_per_user, &out->active, &out->code);
}

const char *loy_promo_refusal(walor_ctx *c, const loy_promo *p, int64_t user_id)
{
    if (!p->active)
        return walor_text(c, "loyalty.promo.err.inactive");
    if (p->expires_at && walor_now(c) >= p->expires_at)
        return walor_text(c, "loyalty.promo.err.expired");
    if (p->usage_limit && p->used >= p->usage_limit)
        return walor_text(c, "loyalty.promo.err.limit");
    if (p->once_per_user) {
        int64_t n = 0;
        if (walor_db_int(c, "SELECT count(*) FROM loyalty_promo_use WHERE promo_id = ? AND user_id = ? AND "
                            "state <> 'released'",
                         WALOR_ARGS(walor_i(p->id), walor_i(user_id)), &n) == 0 && n > 0)
            return walor_text(c, "loyalty.promo.err.once");
    }
    return NULL;
}

int32_t loy_cert_find(walor_ctx *c, const char *code, loy_cert *out)
{
    memset(out, 0, sizeof *out);
    return walor_db_row(c, "SELECT id, face, balance, expires_at, code, state FROM loyalty_cert WHERE code = ?",
                        WALOR_ARGS(walor_s(code)), "iiiiss", &out->id, &out->face, &out->balance, &out->expires_at,
                        &out->code, &out->state);
}

const char *loy_cert_refusal(walor_ctx *c, const loy_cert *k)
{
    if (strcmp(k->state, "active") != 0 || k->balance <= 0)
        return walor_text(c, "loyalty.cert.err.used");
    if (walor_now(c) >= k->expires_at)
        return walor_text(c, "loyalty.cert.err.expired");
    return NULL;
}

const char *loy_cart_promo(walor_ctx *c, int64_t user_id)
{
    walor_rows *r = NULL;
    if (walor_db_query(c, "SELECT code FROM loyalty_cart_promo WHERE user_id = ?", WALOR_ARGS(walor_i(user_id)),
                       &r) < 0)
        return NULL;
    const char *code = NULL;
    if (walor_row_next(r) == 1)
        code = walor_ctx_printf(c, "%s", walor_col_text(r, 0));
    walor_rows_close(r);
    return code;
}

int32_t loy_personal_pct(walor_ctx *c, int64_t user_id, int64_t *pct)
{
    int32_t rc = walor_db_int(c, "SELECT pct FROM loyalty_personal WHERE user_id = ?", WALOR_ARGS(walor_i(user_id)),
                              pct);
    if (rc == WALOR_ENOTFOUND) {
        *pct = 0;
        return 0;
    }
    return rc;
}
