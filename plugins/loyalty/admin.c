/* loyalty: the staff section "🎁 Промо и скидки" of the admin panel.
 *   - promo codes (F-LOY-07): a creation conversation (code, %, limit,
 *     days, one use per customer) with a check at every step, the list
 *     with usage, a card with the latest uses, deactivate / activate,
 *     delete [owner, with confirmation];
 *   - gift certificates (F-LOY-08): create one or a batch (face value,
 *     days, how many; codes are random), the list, a card with who used it
 *     and when, send one to a customer as a message, delete [owner];
 *   - a customer's bonuses and personal discount by customer ID (F-LOY-09,
 *     until the CRM's client card calls the service).
 * The creation screens are forms (SDK 1.3): the host asks each step, checks
 * the answer's type and range, says why and asks again, draws "✖️ Отмена";
 * this file declares the steps and checks what only it can (a free code, an
 * existing customer). The lists are walor_list_show pages.
 * Roles are enforced by the host (prefix "loya" and the adm_* forms need
 * MANAGER, at every step; "loyo" OWNER); handlers still re-check that the
 * object exists, since callback data can be stale or forged. Every change
 * goes to the action log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "loy.h"

#define LIST_PAGE 10
#define FACE_MAX 100000000LL     /* kopecks: 1 000 000 ₽ a certificate */
#define BONUS_MAX 100000000000LL /* kopecks: a billion roubles, the old parser's limit */
#define BATCH_MAX 50
#define DAYS_MAX 3650
#define CERT_ALPHABET "ABCDEFGHJKLMNPQRSTUVWXYZ23456789" /* no O/0, I/1 */

static const char *T(walor_ctx *c, const char *key) { return walor_text(c, key); }

static walor_kb *kb_back(walor_ctx *c, const char *to)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, T(c, "loyalty.btn.back"), to);
    return kb;
}

static const walor_text_pair SECTION_KB[] = {
    {"loyalty.adm.btn.promos", "loya:pl:0"}, {"loyalty.adm.btn.certs", "loya:kl:0"},   {NULL, NULL},
    {"loyalty.adm.btn.promo_new", "loya:pn"}, {"loyalty.adm.btn.cert_new", "loya:kn"}, {NULL, NULL},
    {"loyalty.adm.btn.bonus", "loya:ub"},     {"loyalty.adm.btn.discount", "loya:ud"}, {NULL, NULL},
    {"loyalty.btn.admin", "m:core.admin"},
};

static int32_t show_section(walor_ctx *c)
{
    int64_t promos = 0, active = 0, certs = 0;
    walor_db_int(c, "SELECT count(*) FROM loyalty_promo", NULL, 0, &promos);
    walor_db_int(c, "SELECT count(*) FROM loyalty_promo WHERE active = 1", NULL, 0, &active);
    walor_db_int(c, "SELECT count(*) FROM loyalty_cert WHERE state = 'active'", NULL, 0, &certs);
    walor_kb *kb = walor_kb_add(c, walor_kb_new(c), SECTION_KB, WALOR_COUNT(SECTION_KB), 0);
    return walor_show(c,
                      walor_textf(c, "loyalty.adm.title", "promos", loy_num(c, promos), "active", loy_num(c, active),
                                  "certs", loy_num(c, certs), NULL),
                      kb);
}

static int32_t gone(walor_ctx *c)
{
    if (walor_in_callback(c))
        walor_alert(c, T(c, "loyalty.adm.not_found"));
    return show_section(c);
}

/* ---- the lists of promo codes and certificates ---- */

/* what tells the promo list from the certificate list */
typedef struct code_list_def {
    const char *sql;                  /* id, code, … newest first */
    const char *title, *none;         /* text keys */
    const char *page_data, *card_tag; /* "loya:<tag>:<page>", "loya:<tag>:<id>" */
    const char *new_key, *new_cb;     /* the "new" button */
    const char *(*row)(walor_ctx *c, walor_rows *r);
} code_list_def;

static const char *code_row(walor_ctx *c, walor_rows *r, int64_t index, walor_kb *kb, void *ud)
{
    const code_list_def *d = ud;
    (void)index;
    walor_kb_button(kb, walor_col_text(r, 1),
                    walor_ctx_printf(c, "loya:%s:%lld", d->card_tag, (long long)walor_col_int(r, 0)));
    return d->row(c, r);
}

/* page: the digits after "loya:pl:" / "loya:kl:", NULL for the first page */
static int32_t code_list(walor_ctx *c, const code_list_def *d, const char *page)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, T(c, d->new_key), d->new_cb);
    walor_kb_button(kb, T(c, "loyalty.btn.back"), "loya:s");
    walor_list_def l = {.struct_size = sizeof l, .page_size = LIST_PAGE, .sql = d->sql, .row = code_row,
                        .ud = (void *)d, .page_data = d->page_data, .header = T(c, d->title), .empty = T(c, d->none),
                        .buttons = kb, .prev_label = "loyalty.btn.newer", .next_label = "loyalty.btn.older"};
    return walor_list_show(c, &l, page);
}

/* the code of a promo (promo = 1) or certificate row; *code NULL when it is gone */
static int32_t code_of(walor_ctx *c, int promo, int64_t id, const char **code)
{
    *code = NULL;
    int32_t rc = walor_db_row(c, promo ? "SELECT code FROM loyalty_promo WHERE id = ?"
                                       : "SELECT code FROM loyalty_cert WHERE id = ?",
                              WALOR_ARGS(walor_i(id)), "s", code);
    return rc == WALOR_ENOTFOUND ? 0 : rc;
}

/* ---- promo codes ---- */

static const char *promo_state(walor_ctx *c, int64_t active, int64_t expires, int64_t limit, int64_t used)
{
    if (!active)
        return T(c, "loyalty.adm.st.off");
    if (expires && walor_now(c) >= expires)
        return T(c, "loyalty.adm.st.expired");
    if (limit && used >= limit)
        return T(c, "loyalty.adm.st.exhausted");
    return T(c, "loyalty.adm.st.on");
}

static const char *limit_text(walor_ctx *c, int64_t used, int64_t limit)
{
    return limit ? walor_ctx_printf(c, "%lld/%lld", (long long)used, (long long)limit)
                 : walor_ctx_printf(c, "%lld/∞", (long long)used);
}

static const char *promo_row(walor_ctx *c, walor_rows *r)
{
    int64_t limit = walor_col_int(r, 3), used = walor_col_int(r, 4);
    return walor_textf(c, "loyalty.adm.promo_row", "code", loy_esc(c, walor_col_text(r, 1)), "pct",
                       loy_num(c, walor_col_int(r, 2)), "uses", limit_text(c, used, limit), "state",
                       promo_state(c, walor_col_int(r, 6), walor_col_int(r, 5), limit, used), NULL);
}


/* the row of a card by id read by fmt (walor_db_row): 1, 0 when it is
 * gone (and the user told so), < 0 on failure */
static int32_t card_row(walor_ctx *c, const char *sql, int64_t id, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int32_t rc = walor_db_vrow(c, sql, WALOR_ARGS(walor_i(id)), fmt, ap);
    va_end(ap);
    if (rc != WALOR_ENOTFOUND)
        return rc < 0 ? rc : 1;
    rc = gone(c);
    return rc < 0 ? rc : 0;
}

static int32_t promo_card(walor_ctx *c, int64_t id)
{
    int64_t pct, limit, used, exp, once, active;
    const char *code;
    int32_t rc = card_row(c,
                          "SELECT code, pct, usage_limit, used, expires_at, once_per_user, active, created_at "
                          "FROM loyalty_promo WHERE id = ?",
                          id, "ziiiiii", &code, &pct, &limit, &used, &exp, &once, &active);
    if (rc <= 0)
        return rc;
    code = loy_esc(c, code);
    walor_rows *r = NULL;
    const char *html = walor_textf(c, "loyalty.adm.promo_card", "code", code, "pct", loy_num(c, pct), "uses",
                                   limit_text(c, used, limit), "till",
                                   exp ? loy_date(c, exp - 1) : T(c, "loyalty.adm.forever"), "once",
                                   T(c, once ? "loyalty.adm.yes" : "loyalty.adm.no"), "state",
                                   promo_state(c, active, exp, limit, used), NULL);
    rc = walor_db_query(c, "SELECT order_id, user_id, state, at FROM loyalty_promo_use WHERE promo_id = ? "
                           "ORDER BY at DESC, order_id DESC LIMIT 10",
                        WALOR_ARGS(walor_i(id)), &r);
    if (rc < 0)
        return rc;
    int any = 0;
    while (walor_row_next(r) == 1) {
        if (!any++)
            html = walor_ctx_printf(c, "%s\n\n%s", html, T(c, "loyalty.adm.promo_uses"));
        const char *st = walor_col_text(r, 2);
        html = walor_ctx_printf(c, "%s\n%s", html,
                                walor_textf(c, "loyalty.adm.use_row", "order", loy_num(c, walor_col_int(r, 0)), "user",
                                            walor_user_label(c, walor_col_int(r, 1), 0), "date",
                                            loy_date(c, walor_col_int(r, 3)), "state",
                                            T(c, !strcmp(st, "used") ? "loyalty.adm.use.used"
                                                 : !strcmp(st, "over") ? "loyalty.adm.use.over"
                                                                       : "loyalty.adm.use.released"),
                                            NULL));
    }
    walor_rows_close(r);
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, T(c, active ? "loyalty.adm.btn.deactivate" : "loyalty.adm.btn.activate"),
                    walor_ctx_printf(c, "loya:%s:%lld", active ? "poff" : "pon", (long long)id));
    if (walor_ctx_role(c) >= WALOR_ROLE_OWNER)
        walor_kb_button(kb, T(c, "loyalty.adm.btn.delete"), walor_ctx_printf(c, "loyo:pdel:%lld", (long long)id));
    walor_kb_row(kb);
    walor_kb_button(kb, T(c, "loyalty.btn.back"), "loya:pl:0");
    return walor_show(c, html, kb);
}

static int32_t promo_toggle(walor_ctx *c, int64_t id, int on)
{
    const char *code;
    int32_t rc = code_of(c, 1, id, &code);
    if (rc < 0)
        return rc;
    if (!code)
        return gone(c);
    rc = walor_db_exec(c, "UPDATE loyalty_promo SET active = ? WHERE id = ?", WALOR_ARGS(walor_i(on), walor_i(id)));
    if (rc < 0)
        return rc;
    loy_log_action(c, walor_ctx_printf(c, "%s промокод %s", on ? "включил" : "деактивировал", code));
    walor_answer(c, T(c, on ? "loyalty.adm.activated" : "loyalty.adm.deactivated"));
    return promo_card(c, id);
}

/* ---- the forms: promo code, certificates, sending one, a customer's bonuses and discount ---- */


/* after ✖️ Отмена or /cancel: back to the section */
static int32_t form_cancel(walor_ctx *c) { return walor_show(c, T(c, "loyalty.adm.cancelled"), kb_back(c, "loya:s")); }

/* a typed code: normalised (loy_code_norm) and not taken */
static int32_t free_code(walor_ctx *c, json_t *value, const char **why)
{
    char *code = loy_code_norm(c, json_string_value(value));
    loy_promo p;
    if (!code || strlen(code) < 3) {
        *why = "loyalty.adm.err.code";
        return WALOR_EINVAL;
    }
    int32_t rc = loy_promo_find(c, code, &p);
    if (rc == 0)
        *why = "loyalty.adm.err.code_taken";
    if (rc != WALOR_ENOTFOUND)
        return rc == 0 ? WALOR_EINVAL : rc;
    return json_object_set_new(walor_conv_data(c), "code", json_string(code)) ? WALOR_ENOMEM : 0;
}

static const walor_step_choice ONCE[] = {{"1", "loyalty.adm.once_yes"}, {"0", "loyalty.adm.once_no"}};

static const walor_step_def ST_PROMO[] = {
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_STRING, .key = "code", .prompt = "loyalty.adm.pc.code",
     .error = "loyalty.adm.err.code", .min = 1, .max = 32, .validate = free_code},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_INT, .key = "pct", .prompt = "loyalty.adm.pc.pct",
     .error = "loyalty.adm.err.pct", .min = 1, .max = 100},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_INT, .key = "limit", .prompt = "loyalty.adm.pc.limit",
     .error = "loyalty.adm.err.limit", .min = 0, .max = 1000000},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_INT, .key = "days", .prompt = "loyalty.adm.pc.days",
     .error = "loyalty.adm.err.days", .min = 0, .max = DAYS_MAX},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_CHOICE, .key = "once", .prompt = "loyalty.adm.pc.once",
     .nchoices = 2, .choices = ONCE},
};

static int32_t promo_done(walor_ctx *c, json_t *d)
{
    const char *code = walor_data_str(d, "code");
    int64_t pct = walor_data_int(d, "pct"), limit = walor_data_int(d, "limit"), days = walor_data_int(d, "days"), once = !strcmp(walor_data_str(d, "once"), "1");
    int64_t now = walor_now(c), exp = days ? now + days * 86400 : 0, id = 0;
    int32_t rc = walor_db_int(c,
                              "INSERT INTO loyalty_promo(code, pct, usage_limit, expires_at, once_per_user, created_by, "
                              "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(code) DO NOTHING RETURNING id",
                              WALOR_ARGS(walor_s(code), walor_i(pct), walor_i(limit), walor_i(exp), walor_i(once),
                                         walor_i(walor_ctx_user_id(c)), walor_i(now)),
                              &id);
    if (rc == WALOR_ENOTFOUND) /* taken meanwhile by another manager */
        return walor_form_retry(c, "code", "loyalty.adm.err.code_taken");
    if (rc < 0)
        return rc;
    loy_log_action(c, walor_ctx_printf(c, "создал промокод %s: %lld%%, лимит %lld, дней %lld%s", code, (long long)pct,
                                       (long long)limit, (long long)days, once ? ", один раз на клиента" : ""));
    walor_answer(c, T(c, "loyalty.adm.created"));
    return promo_card(c, id);
}


/* ---- certificates ---- */

static const char *cert_state(walor_ctx *c, const char *state, int64_t expires)
{
    if (strcmp(state, "active") != 0)
        return T(c, "loyalty.adm.st.used");
    if (walor_now(c) >= expires)
        return T(c, "loyalty.adm.st.expired");
    return T(c, "loyalty.adm.st.on");
}

static const char *cert_row(walor_ctx *c, walor_rows *r)
{
    return walor_textf(c, "loyalty.adm.cert_row", "code", loy_esc(c, walor_col_text(r, 1)), "face",
                       walor_money(c, walor_col_int(r, 2)), "state",
                       cert_state(c, walor_col_text(r, 4), walor_col_int(r, 5)), NULL);
}

static const code_list_def LISTS[] = {
    {.sql = "SELECT id, code, pct, usage_limit, used, expires_at, active FROM loyalty_promo ORDER BY id DESC",
     .title = "loyalty.adm.promos", .none = "loyalty.adm.promos_none", .page_data = "loya:pl:", .card_tag = "p",
     .new_key = "loyalty.adm.btn.promo_new", .new_cb = "loya:pn", .row = promo_row},
    {.sql = "SELECT id, code, face, balance, state, expires_at FROM loyalty_cert ORDER BY id DESC",
     .title = "loyalty.adm.certs", .none = "loyalty.adm.certs_none", .page_data = "loya:kl:", .card_tag = "k",
     .new_key = "loyalty.adm.btn.cert_new", .new_cb = "loya:kn", .row = cert_row},
};
static int32_t promo_list(walor_ctx *c, const char *page) { return code_list(c, &LISTS[0], page); }
static int32_t cert_list(walor_ctx *c, const char *page) { return code_list(c, &LISTS[1], page); }

static int32_t cert_card(walor_ctx *c, int64_t id)
{
    const char *code, *state;
    int64_t face, bal, exp, by, order, at, sent;
    int32_t rc = card_row(c,
                          "SELECT code, face, balance, expires_at, state, used_by, used_order, used_at, sent_to "
                          "FROM loyalty_cert WHERE id = ?",
                          id, "ziiiziiii", &code, &face, &bal, &exp, &state, &by, &order, &at, &sent);
    if (rc <= 0)
        return rc;
    code = loy_esc(c, code);
    const char *html = walor_textf(c, "loyalty.adm.cert_card", "code", code, "face", walor_money(c, face), "balance",
                                   walor_money(c, bal), "till", loy_date(c, exp - 1), "state", cert_state(c, state, exp),
                                   NULL);
    if (by)
        html = walor_ctx_printf(c, "%s\n%s", html,
                                walor_textf(c, "loyalty.adm.cert_used", "user", walor_user_label(c, by, 0), "order",
                                            loy_num(c, order), "date", loy_date(c, at), NULL));
    if (sent)
        html = walor_ctx_printf(c, "%s\n%s", html,
                                walor_textf(c, "loyalty.adm.cert_sent", "user", walor_user_label(c, sent, 0), NULL));
    walor_kb *kb = walor_kb_new(c);
    if (!strcmp(state, "active"))
        walor_kb_button(kb, T(c, "loyalty.adm.btn.send"), walor_ctx_printf(c, "loya:ks:%lld", (long long)id));
    if (walor_ctx_role(c) >= WALOR_ROLE_OWNER)
        walor_kb_button(kb, T(c, "loyalty.adm.btn.delete"), walor_ctx_printf(c, "loyo:kdel:%lld", (long long)id));
    walor_kb_row(kb);
    walor_kb_button(kb, T(c, "loyalty.btn.back"), "loya:kl:0");
    return walor_show(c, html, kb);
}

static char *new_cert_code(walor_ctx *c)
{
    unsigned char rnd[8];
    if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
        return NULL;
    char s[16] = "GIFT-";
    for (size_t i = 0; i < sizeof rnd; i++)
        s[5 + i] = CERT_ALPHABET[rnd[i] % (sizeof CERT_ALPHABET - 1)];
    s[5 + sizeof rnd] = 0;
    return walor_ctx_printf(c, "%s", s);
}

/* a face value in whole roubles */
static int32_t whole_roubles(walor_ctx *c, json_t *value, const char **why)
{
    (void)c;
    if (json_integer_value(value) % 100 == 0)
        return 0;
    *why = "loyalty.adm.err.face";
    return WALOR_EINVAL;
}

static const walor_step_def ST_CERT[] = {
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_MONEY, .key = "face", .prompt = "loyalty.adm.kc.face",
     .error = "loyalty.adm.err.face", .min = 100, .max = FACE_MAX, .validate = whole_roubles},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_INT, .key = "days", .prompt = "loyalty.adm.kc.days",
     .error = "loyalty.adm.err.cert_days", .min = 1, .max = DAYS_MAX},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_INT, .key = "count", .prompt = "loyalty.adm.kc.count",
     .error = "loyalty.adm.err.count", .min = 1, .max = BATCH_MAX},
};

static int32_t cert_done(walor_ctx *c, json_t *d)
{
    int64_t face = walor_data_int(d, "face"), days = walor_data_int(d, "days"), n = walor_data_int(d, "count");
    int64_t now = walor_now(c);

    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    const char *list = "";
    for (int64_t i = 0; i < n && rc >= 0; i++) {
        char *code = NULL;
        /* a random code that is taken already is drawn again */
        for (int tries = 0; tries < 5 && rc >= 0; tries++) {
            code = new_cert_code(c);
            if (!code) {
                rc = WALOR_EINVAL;
                break;
            }
            rc = walor_db_exec(c, "INSERT INTO loyalty_cert(code, face, balance, expires_at, created_by, created_at) "
                                  "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(code) DO NOTHING",
                               WALOR_ARGS(walor_s(code), walor_i(face), walor_i(face), walor_i(now + days * 86400),
                                          walor_i(walor_ctx_user_id(c)), walor_i(now)));
            if (rc == 1)
                break;
        }
        if (rc == 0)
            rc = WALOR_EEXIST;
        if (rc > 0)
            list = walor_ctx_printf(c, "%s\n<code>%s</code>", list, code);
    }
    if (rc >= 0)
        rc = loy_log_action(c, walor_ctx_printf(c, "создал сертификаты: %lld шт. по %s на %s", (long long)n,
                                                walor_money(c, face), walor_plural(c, days, "день|дня|дней", 0)));
    if (rc < 0) {
        walor_tx_rollback(c);
        return rc;
    }
    rc = walor_tx_commit(c);
    if (rc < 0)
        return rc;
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, T(c, "loyalty.adm.btn.certs"), "loya:kl:0");
    walor_kb_button(kb, T(c, "loyalty.btn.back"), "loya:s");
    return walor_reply(c,
                       walor_textf(c, "loyalty.adm.certs_created", "n", loy_num(c, n), "face", walor_money(c, face),
                                   "till", loy_date(c, now + days * 86400 - 1), "list", list, NULL),
                       kb);
}


/* the customer whose ID a staff member typed: they must have opened the bot */
static int32_t customer(walor_ctx *c, json_t *value, const char **why)
{
    if (json_integer_value(value) > 0 && walor_user_get(c, json_integer_value(value)))
        return 0;
    *why = "loyalty.adm.err.user";
    return WALOR_EINVAL;
}

static int32_t cert_send_done(walor_ctx *c, json_t *d)
{
    int64_t uid = walor_data_int(d, "user"), id = walor_data_int(d, "cert");
    loy_cert k;
    const char *code;
    int32_t rc = code_of(c, 0, id, &code);
    if (rc < 0)
        return rc;
    if (!code || loy_cert_find(c, code, &k) != 0 || loy_cert_refusal(c, &k))
        return walor_reply(c, T(c, "loyalty.adm.cert_unsendable"), kb_back(c, "loya:kl:0"));
    rc = walor_send(c, uid,
                    walor_textf(c, "loyalty.push.cert", "code", loy_esc(c, k.code), "sum", walor_money(c, k.balance),
                                "till", loy_date(c, k.expires_at - 1), NULL),
                    NULL, 0, NULL);
    if (rc == WALOR_EBLOCKED)
        return walor_reply(c, T(c, "loyalty.adm.blocked"), kb_back(c, "loya:kl:0"));
    if (rc < 0)
        return rc;
    rc = walor_db_exec(c, "UPDATE loyalty_cert SET sent_to = ? WHERE id = ?", WALOR_ARGS(walor_i(uid), walor_i(id)));
    if (rc < 0)
        return rc;
    loy_log_action(c, walor_ctx_printf(c, "отправил сертификат %s клиенту %lld", k.code, (long long)uid));
    walor_reply(c, walor_textf(c, "loyalty.adm.cert_sent_ok", "user", walor_user_label(c, uid, 0), NULL), NULL);
    return cert_card(c, id);
}

static const walor_step_def ST_SEND[] = {
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_INT, .key = "user", .prompt = "loyalty.adm.ks.who",
     .error = "loyalty.adm.err.user", .validate = customer},
};

/* the customer found: their card, before the next question */
static int32_t bonus_customer(walor_ctx *c, json_t *value, const char **why)
{
    int64_t uid = json_integer_value(value), bal = 0, pct = 0;
    int32_t rc = customer(c, value, why);
    if (rc == 0)
        rc = loy_balance(c, uid, &bal);
    if (rc == 0)
        rc = loy_personal_pct(c, uid, &pct);
    if (rc == 0)
        walor_reply(c, walor_textf(c, "loyalty.adm.ub.card", "user", walor_user_label(c, uid, 0), "balance",
                                   walor_money(c, bal), "pct", loy_num(c, pct), NULL),
                    NULL);
    return rc;
}

static int32_t discount_customer(walor_ctx *c, json_t *value, const char **why)
{
    int64_t uid = json_integer_value(value), pct = 0;
    int32_t rc = customer(c, value, why);
    if (rc == 0)
        rc = loy_personal_pct(c, uid, &pct);
    if (rc == 0)
        walor_reply(c, walor_textf(c, "loyalty.adm.ud.card", "user", walor_user_label(c, uid, 0), "pct", loy_num(c, pct),
                                   NULL),
                    NULL);
    return rc;
}

/* a bonus change is never zero */
static int32_t nonzero(walor_ctx *c, json_t *value, const char **why)
{
    (void)c;
    if (json_integer_value(value) != 0)
        return 0;
    *why = "loyalty.adm.err.amount";
    return WALOR_EINVAL;
}

static const walor_step_def ST_BONUS[] = {
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_INT, .key = "user", .prompt = "loyalty.adm.ub.who",
     .error = "loyalty.adm.err.user", .validate = bonus_customer},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_MONEY, .key = "amount",
     .prompt = "loyalty.adm.ub.amount", .error = "loyalty.adm.err.amount", .min = -BONUS_MAX,
     .max = BONUS_MAX, .validate = nonzero},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_STRING, .key = "reason",
     .prompt = "loyalty.adm.ub.reason", .error = "loyalty.adm.err.reason", .min = 1, .max = 200},
};

static int32_t bonus_done(walor_ctx *c, json_t *d)
{
    int64_t uid = walor_data_int(d, "user"), bal = 0;
    int32_t rc = loy_staff_add_bonus(c, uid, walor_data_int(d, "amount"), walor_data_str(d, "reason"), &bal);
    if (rc == WALOR_ERANGE)
        return walor_form_retry(c, "amount", "loyalty.adm.err.below_zero");
    if (rc == WALOR_ENOTFOUND || rc == WALOR_EINVAL)
        return walor_reply(c, T(c, "loyalty.adm.err.user"), kb_back(c, "loya:s"));
    if (rc < 0)
        return rc;
    return walor_reply(c,
                       walor_textf(c, "loyalty.adm.ub.done", "user", walor_user_label(c, uid, 0), "balance",
                                   walor_money(c, bal), NULL),
                       kb_back(c, "loya:s"));
}

static const walor_step_def ST_DISC[] = {
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_INT, .key = "user", .prompt = "loyalty.adm.ub.who",
     .error = "loyalty.adm.err.user", .validate = discount_customer},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_INT, .key = "pct", .prompt = "loyalty.adm.ud.pct",
     .error = "loyalty.adm.err.disc", .min = 0, .max = 99},
};

static int32_t discount_done(walor_ctx *c, json_t *d)
{
    int64_t uid = walor_data_int(d, "user"), pct = walor_data_int(d, "pct");
    int32_t rc = loy_staff_set_discount(c, uid, pct);
    if (rc == WALOR_ENOTFOUND)
        return walor_reply(c, T(c, "loyalty.adm.err.user"), kb_back(c, "loya:s"));
    if (rc < 0)
        return rc;
    return walor_reply(c,
                       walor_textf(c, "loyalty.adm.ud.done", "user", walor_user_label(c, uid, 0), "pct", loy_num(c, pct),
                                   NULL),
                       kb_back(c, "loya:s"));
}


/* ---- callbacks ---- */

/* "<tag>:<id>" → id; -1 when the tag differs or the id is malformed */
static int64_t arg_id(const char *arg, const char *tag)
{
    size_t n = strlen(tag);
    int64_t id = 0;
    if (strncmp(arg, tag, n) != 0 || arg[n] != ':')
        return -1;
    if (!strcmp(arg + n + 1, "0"))
        return 0;
    return walor_parse_id(arg + n + 1, &id) == 0 ? id : -1;
}

static int32_t on_adm(walor_ctx *c, const char *arg)
{
    int64_t id;
    if (arg_id(arg, "pl") >= 0)
        return promo_list(c, arg + 3);
    if ((id = arg_id(arg, "p")) > 0)
        return promo_card(c, id);
    if ((id = arg_id(arg, "poff")) > 0)
        return promo_toggle(c, id, 0);
    if ((id = arg_id(arg, "pon")) > 0)
        return promo_toggle(c, id, 1);
    if (arg_id(arg, "kl") >= 0)
        return cert_list(c, arg + 3);
    if ((id = arg_id(arg, "k")) > 0)
        return cert_card(c, id);
    if ((id = arg_id(arg, "ks")) > 0) {
        int64_t n = 0;
        walor_db_int(c, "SELECT count(*) FROM loyalty_cert WHERE id = ? AND state = 'active'", WALOR_ARGS(walor_i(id)),
                     &n);
        if (!n)
            return gone(c);
        json_t *d = json_pack("{s:I}", "cert", (json_int_t)id);
        int32_t rc = walor_conv_start(c, "adm_send", NULL, d);
        json_decref(d);
        return rc;
    }
    if (!strcmp(arg, "pn"))
        return walor_conv_start(c, "adm_promo", NULL, NULL);
    if (!strcmp(arg, "kn"))
        return walor_conv_start(c, "adm_cert", NULL, NULL);
    if (!strcmp(arg, "ub"))
        return walor_conv_start(c, "adm_bonus", NULL, NULL);
    if (!strcmp(arg, "ud"))
        return walor_conv_start(c, "adm_disc", NULL, NULL);
    if (strcmp(arg, "s") != 0 && walor_in_callback(c))
        walor_alert(c, T(c, "loyalty.adm.not_found"));
    return show_section(c);
}

static int32_t delete_row(walor_ctx *c, const char *table, int64_t id)
{
    int promo = !strcmp(table, "promo");
    const char *code;
    int32_t rc = code_of(c, promo, id, &code);
    if (rc < 0)
        return rc;
    if (!code)
        return gone(c);
    rc = walor_db_exec(c, promo ? "DELETE FROM loyalty_promo WHERE id = ?" : "DELETE FROM loyalty_cert WHERE id = ?",
                       WALOR_ARGS(walor_i(id)));
    if (rc < 0)
        return rc;
    loy_log_action(c, walor_ctx_printf(c, "удалил %s %s", promo ? "промокод" : "сертификат", code));
    walor_answer(c, T(c, "loyalty.adm.deleted"));
    return promo ? promo_list(c, NULL) : cert_list(c, NULL);
}

static int32_t confirm(walor_ctx *c, const char *what, const char *yes, const char *no)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, T(c, "loyalty.adm.btn.delete_yes"), yes);
    walor_kb_button(kb, T(c, "loyalty.btn.cancel"), no);
    return walor_show(c, walor_textf(c, "loyalty.adm.delete_q", "what", what, NULL), kb);
}

static int32_t on_own(walor_ctx *c, const char *arg)
{
    int64_t id;
    if ((id = arg_id(arg, "pdel")) > 0) {
        loy_promo p;
        const char *code;
        int32_t rc = code_of(c, 1, id, &code);
        if (rc < 0)
            return rc;
        if (!code || loy_promo_find(c, code, &p) != 0)
            return gone(c);
        return confirm(c, walor_textf(c, "loyalty.adm.what_promo", "code", loy_esc(c, code), NULL),
                       walor_ctx_printf(c, "loyo:pdok:%lld", (long long)id),
                       walor_ctx_printf(c, "loya:p:%lld", (long long)id));
    }
    if ((id = arg_id(arg, "kdel")) > 0) {
        const char *code;
        int32_t rc = code_of(c, 0, id, &code);
        if (rc < 0)
            return rc;
        if (!code)
            return gone(c);
        return confirm(c, walor_textf(c, "loyalty.adm.what_cert", "code", loy_esc(c, code), NULL),
                       walor_ctx_printf(c, "loyo:kdok:%lld", (long long)id),
                       walor_ctx_printf(c, "loya:k:%lld", (long long)id));
    }
    if ((id = arg_id(arg, "pdok")) > 0)
        return delete_row(c, "promo", id);
    if ((id = arg_id(arg, "kdok")) > 0)
        return delete_row(c, "cert", id);
    return gone(c);
}

static int32_t on_menu(walor_ctx *c) { return show_section(c); }

static const char HELP[] =
    "<b>🎁 Промо и скидки</b>\n"
    "🛠 → 🎁 Промо и скидки.\n"
    "• <b>Промокод</b>: код (буквы, цифры, «-», регистр не важен), скидка в %, лимит использований (0 — без "
    "лимита), срок в днях (0 — бессрочно), один раз на клиента или нет. Использование засчитывается при оплате "
    "заказа и возвращается при его отмене. В карточке — статистика, деактивация; удаляет владелец.\n"
    "• <b>Сертификаты</b>: номинал в рублях, срок в днях, количество (можно пачкой). Коды вида GIFT-XXXXXXXX. "
    "Сертификат гасится при оплате и снова активен при отмене заказа; кнопка «✉️ Отправить клиенту» шлёт код "
    "сообщением.\n"
    "• <b>Бонусы клиента</b> и <b>скидка клиента</b> — по ID клиента; клиент получает уведомление.\n"
    "Порядок скидок в заказе: скидка товара → персональная → промокод → сертификат → бонусы; доставка без скидок.";

int32_t loy_admin_register(walor_plugin *p)
{
    const walor_menu_def menu = {.struct_size = sizeof menu, .min_role = WALOR_ROLE_MANAGER, .where = WALOR_MENU_ADMIN,
                                 .order = 400, .id = "loyalty", .label = "🎁 Промо и скидки", .on_press = on_menu,
                                 .group = WALOR_MENU_GROUP_CLIENTS};
    const walor_callback_def adm = {.struct_size = sizeof adm, .min_role = WALOR_ROLE_MANAGER, .prefix = "loya",
                                    .handler = on_adm};
    const walor_callback_def own = {.struct_size = sizeof own, .min_role = WALOR_ROLE_OWNER, .prefix = "loyo",
                                    .handler = on_own};
#define FORM(name_, steps_, done_)                                                                                 \
    {.struct_size = sizeof(walor_form_def), .min_role = WALOR_ROLE_MANAGER, .name = (name_), .steps = (steps_),    \
     .nsteps = sizeof(steps_) / sizeof((steps_)[0]), .timeout_s = 1800, .on_done = (done_), .on_cancel = form_cancel}
    const walor_form_def forms[] = {
        FORM("adm_promo", ST_PROMO, promo_done), FORM("adm_cert", ST_CERT, cert_done),
        FORM("adm_send", ST_SEND, cert_send_done), FORM("adm_bonus", ST_BONUS, bonus_done),
        FORM("adm_disc", ST_DISC, discount_done),
    };
#undef FORM
    int32_t rc = walor_menu(p, &menu);
    if (!rc) rc = walor_callback(p, &adm);
    if (!rc) rc = walor_callback(p, &own);
    for (size_t i = 0; !rc && i < sizeof forms / sizeof forms[0]; i++)
        rc = walor_form(p, &forms[i]);
    if (!rc) rc = walor_help(p, "🎁 Промо и скидки", HELP, WALOR_ROLE_MANAGER);
    return rc;
}
