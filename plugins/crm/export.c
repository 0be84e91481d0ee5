/* crm: the Excel export of the client base (F-CRM-07).
 *
 * Sheet "Клиенты": one row per registered user (and per customer the
 * orders service knows who never started the bot) with the card's figures.
 * Sheet "Сводка": the chosen period in five figures, each with how it is
 * counted. A sale is the orders service's (paid, not cancelled, not a
 * tester's), so the figures are the orders plugin's own to the kopeck.
 *
 * It runs as a one-shot job (seconds for a big shop, never on a worker
 * serving updates): the user list and the orders service's stream of
 * customers are both in user id order and are merged as they come, so
 * memory stays flat for any number of clients; libxlsxwriter writes rows
 * straight to its temporary files (constant_memory). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* mkstemps */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "crm.h"

#define ROUBLES "#,##0.00 [$₽-419]"
#define FILE_MAX (45 * 1024 * 1024) /* below Telegram's 50 MB for bots */

enum { C_ID, C_NAME, C_USER, C_PHONE, C_EMAIL, C_ADDR, C_REG, C_SRC, C_ORDERS, C_SALES, C_SUM, C_AVG, C_LAST,
       C_BONUS, C_DISC, C_FRIENDS, C_BLOCKED, C_NOTE, C_N };

static const struct {
    const char *title;
    double width;
} COLS[C_N] = {
    [C_ID] = {"ID", 12},           [C_NAME] = {"Имя", 24},           [C_USER] = {"Username", 16},
    [C_PHONE] = {"Телефон", 18},   [C_EMAIL] = {"E-mail", 22},       [C_ADDR] = {"Последний адрес", 36},
    [C_REG] = {"Регистрация", 12}, [C_SRC] = {"Источник", 18},       [C_ORDERS] = {"Заказов", 9},
    [C_SALES] = {"Оплачено", 9},   [C_SUM] = {"Сумма оплат", 14},    [C_AVG] = {"Средний чек", 14},
    [C_LAST] = {"Последний заказ", 14}, [C_BONUS] = {"Бонусы", 12},  [C_DISC] = {"Скидка, %", 9},
    [C_FRIENDS] = {"Друзей", 8},   [C_BLOCKED] = {"Заблокировал бота", 10}, [C_NOTE] = {"Заметка", 40},
};

typedef struct xp {
    walor_ctx *c;
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *bold, *money, *date, *pct;
    lxw_error e;
    lxw_row_t row;
    walor_rows *users;          /* id, username, first, last, registered_at, blocked, start_payload */
    int users_left;
    walor_rows *notes;          /* user_id, note */
    int notes_left;
    /* the loyalty figures of every customer who has any, by user id (a
     * second stream cannot be merged inside the first one's callback) */
    struct loy_row {
        int64_t uid, balance, friends;
        int32_t pct;
    } *loy;
    size_t nloy, capl, iloy;
    int has_loyalty;
    /* the period's figures, from the second pass */
    int64_t from, to, buyers, repeat, sales, sum;
} xp;

static void put_str(xp *x, int col, const char *s)
{
    if (!x->e && s && *s)
        x->e = worksheet_write_string(x->ws, x->row, (lxw_col_t)col, s, NULL);
}

static void put_num(xp *x, int col, int64_t v, lxw_format *f)
{
    if (!x->e)
        x->e = worksheet_write_number(x->ws, x->row, (lxw_col_t)col, (double)v, f);
}

/* kopecks as roubles: exact in a double below 2^53 kopecks */
static void put_money(xp *x, int col, int64_t kop)
{
    if (!x->e)
        x->e = worksheet_write_number(x->ws, x->row, (lxw_col_t)col, (double)kop / 100.0, x->money);
}

static void put_date(xp *x, int col, int64_t t)
{
    if (x->e || t <= 0)
        return;
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        return;
    lxw_datetime d = {.year = tm.tm_year + 1900, .month = tm.tm_mon + 1, .day = tm.tm_mday};
    x->e = worksheet_write_datetime(x->ws, x->row, (lxw_col_t)col, &d, x->date);
}

static const char *note_of(xp *x, int64_t uid)
{
    while (x->notes_left && walor_col_int(x->notes, 0) < uid)
        x->notes_left = walor_row_next(x->notes) == 1;
    return x->notes_left && walor_col_int(x->notes, 0) == uid ? walor_col_text(x->notes, 1) : NULL;
}

/* one client: the user row (x->users at it) when registered, the orders
 * figures when there are any */
static void write_client(xp *x, int64_t uid, int registered, const walor_order_client *cl)
{
    walor_ctx *c = x->c;
    x->row++;
    put_num(x, C_ID, uid, NULL);
    if (registered) {
        /* stack buffers: the job's arena lives until the end of the export */
        char buf[600];
        const char *first = walor_col_text(x->users, 2), *last = walor_col_text(x->users, 3);
        snprintf(buf, sizeof buf, "%s%s%s", first ? first : "", last && *last ? " " : "", last ? last : "");
        put_str(x, C_NAME, buf);
        const char *un = walor_col_text(x->users, 1);
        if (un && *un) {
            snprintf(buf, sizeof buf, "@%s", un);
            put_str(x, C_USER, buf);
        }
        put_date(x, C_REG, walor_col_int(x->users, 4));
        put_str(x, C_BLOCKED, walor_col_int(x->users, 5) ? "да" : "нет");
        const char *payload = walor_col_text(x->users, 6), *title = "", *code = "";
        if (payload && crm_link_of(c, payload, &title, &code) == 0 && *code)
            put_str(x, C_SRC, title);
        else if (payload && strncmp(payload, "ref", 3) == 0)
            put_str(x, C_SRC, "приглашение друга");
    } else if (cl && cl->contact_name) {
        put_str(x, C_NAME, cl->contact_name);
    }
    if (cl) {
        put_str(x, C_PHONE, cl->phone);
        put_str(x, C_EMAIL, cl->email);
        put_str(x, C_ADDR, cl->address);
        put_num(x, C_ORDERS, cl->orders, NULL);
        put_num(x, C_SALES, cl->sales, NULL);
        put_money(x, C_SUM, cl->sales_total);
        put_money(x, C_AVG, cl->sales ? cl->sales_total / cl->sales : 0);
        put_date(x, C_LAST, cl->last_order_at);
    } else {
        put_num(x, C_ORDERS, 0, NULL);
        put_num(x, C_SALES, 0, NULL);
        put_money(x, C_SUM, 0);
        put_money(x, C_AVG, 0);
    }
    if (x->has_loyalty) {
        while (x->iloy < x->nloy && x->loy[x->iloy].uid < uid)
            x->iloy++;
        int has = x->iloy < x->nloy && x->loy[x->iloy].uid == uid;
        put_money(x, C_BONUS, has ? x->loy[x->iloy].balance : 0);
        put_num(x, C_DISC, has ? x->loy[x->iloy].pct : 0, NULL);
        put_num(x, C_FRIENDS, has ? x->loy[x->iloy].friends : 0, NULL);
    }
    put_str(x, C_NOTE, note_of(x, uid));
}

static int32_t on_loyalty(void *ud, int64_t uid, const walor_loyalty_info *li)
{
    xp *x = ud;
    if (x->nloy == x->capl) {
        size_t cap = x->capl ? x->capl * 2 : 1024;
        void *m = realloc(x->loy, cap * sizeof *x->loy);
        if (!m)
            return WALOR_ENOMEM;
        x->loy = m;
        x->capl = cap;
    }
    x->loy[x->nloy++] = (struct loy_row){.uid = uid, .balance = li->balance, .friends = li->friends,
                                         .pct = li->discount_pct};
    return 0;
}

/* the registered users before uid (no orders), then uid itself */
static int32_t on_client(void *ud, const walor_order_client *cl)
{
    xp *x = ud;
    while (x->users_left && walor_col_int(x->users, 0) < cl->user_id) {
        write_client(x, walor_col_int(x->users, 0), 1, NULL);
        x->users_left = walor_row_next(x->users) == 1;
    }
    int registered = x->users_left && walor_col_int(x->users, 0) == cl->user_id;
    write_client(x, cl->user_id, registered, cl);
    if (registered)
        x->users_left = walor_row_next(x->users) == 1;
    return x->e ? WALOR_EINVAL : 0;
}

static int32_t on_period(void *ud, const walor_order_client *cl)
{
    xp *x = ud;
    if (cl->sales > 0) {
        x->buyers++;
        x->repeat += cl->sales > 1;
        x->sales += cl->sales;
        x->sum += cl->sales_total;
    }
    return 0;
}

static void summary_line(xp *x, lxw_worksheet *ws, const char *what, double v, lxw_format *f, const char *how)
{
    if (x->e)
        return;
    x->row++;
    x->e = worksheet_write_string(ws, x->row, 0, what, NULL);
    if (!x->e)
        x->e = worksheet_write_number(ws, x->row, 1, v, f);
    if (!x->e)
        x->e = worksheet_write_string(ws, x->row, 2, how, NULL);
}

static int32_t write_summary(xp *x, const char *period)
{
    walor_ctx *c = x->c;
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, "Сводка");
    if (!ws)
        return WALOR_ENOMEM;
    int64_t clients = 0, fresh = 0;
    walor_db_int(c, "SELECT count(*) FROM walor_users WHERE registered_at < ?", WALOR_ARGS(walor_i(x->to)), &clients);
    walor_db_int(c, "SELECT count(*) FROM walor_users WHERE registered_at >= ? AND registered_at < ?",
                 WALOR_ARGS(walor_i(x->from), walor_i(x->to)), &fresh);
    const walor_orders_v1 *o = crm_orders(c);
    if (o) {
        int32_t rc = o->clients(c, x->from, x->to, on_period, x);
        if (rc < 0)
            return rc;
    }
    worksheet_set_column(ws, 0, 0, 34, NULL);
    worksheet_set_column(ws, 1, 1, 16, NULL);
    worksheet_set_column(ws, 2, 2, 70, NULL);
    x->row = 0;
    x->e = worksheet_write_string(ws, 0, 0, walor_ctx_printf(c, "Период: %s", period), x->bold);
    summary_line(x, ws, "Клиентов", (double)clients, NULL, "зарегистрировались в боте до конца периода");
    summary_line(x, ws, "Новых клиентов", (double)fresh, NULL, "зарегистрировались за период");
    summary_line(x, ws, "Покупателей", (double)x->buyers, NULL, "клиентов с оплаченным заказом за период");
    summary_line(x, ws, "Конверсия", clients ? (double)x->buyers / (double)clients : 0, x->pct,
                 "покупатели / клиенты");
    summary_line(x, ws, "Повторные покупки", x->buyers ? (double)x->repeat / (double)x->buyers : 0, x->pct,
                 "покупатели с двумя и более оплаченными заказами / покупатели");
    summary_line(x, ws, "Оплаченных заказов", (double)x->sales, NULL,
                 "оплачены за период, без отменённых и тестовых");
    summary_line(x, ws, "Выручка", (double)x->sum / 100.0, x->money, "сумма этих заказов");
    summary_line(x, ws, "Средний чек", x->sales ? (double)(x->sum / x->sales) / 100.0 : 0, x->money,
                 "выручка / оплаченные заказы (копейки отбрасываются)");
    return x->e ? WALOR_EINVAL : 0;
}

static int32_t build(walor_ctx *c, const char *path, int64_t from, int64_t to, const char *period)
{
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = "/tmp"};
    xp x = {.c = c, .from = from, .to = to};
    const walor_loyalty_v1 *l = crm_loyalty(c);
    if (WALOR_LOYALTY_HAS(l, infos)) {
        int32_t lrc = l->infos(c, on_loyalty, &x);
        if (lrc < 0) {
            free(x.loy);
            return lrc;
        }
        x.has_loyalty = 1;
    }
    x.wb = workbook_new_opt(path, &opt);
    if (!x.wb) {
        free(x.loy);
        return WALOR_ENOMEM;
    }
    x.ws = workbook_add_worksheet(x.wb, "Клиенты");
    x.bold = workbook_add_format(x.wb);
    x.money = workbook_add_format(x.wb);
    x.date = workbook_add_format(x.wb);
    x.pct = workbook_add_format(x.wb);
    if (!x.ws || !x.bold || !x.money || !x.date || !x.pct) {
        workbook_close(x.wb);
        free(x.loy);
        return WALOR_ENOMEM;
    }
    format_set_bold(x.bold);
    format_set_num_format(x.money, ROUBLES);
    format_set_num_format(x.date, "dd.mm.yyyy");
    format_set_num_format(x.pct, "0.0%");
    for (int i = 0; i < C_N && !x.e; i++) {
        x.e = worksheet_set_column(x.ws, (lxw_col_t)i, (lxw_col_t)i, COLS[i].width, NULL);
        if (!x.e)
            x.e = worksheet_write_string(x.ws, 0, (lxw_col_t)i, COLS[i].title, x.bold);
    }
    worksheet_freeze_panes(x.ws, 1, 0);
    int32_t rc = walor_db_query(c,
                                "SELECT id, username, first_name, last_name, registered_at, blocked, start_payload "
                                "FROM walor_users ORDER BY id",
                                NULL, 0, &x.users);
    if (rc >= 0)
        rc = walor_db_query(c, "SELECT user_id, note FROM crm_client WHERE note <> '' ORDER BY user_id", NULL, 0,
                            &x.notes);
    if (rc >= 0) {
        x.users_left = walor_row_next(x.users) == 1;
        x.notes_left = walor_row_next(x.notes) == 1;
        const walor_orders_v1 *o = crm_orders(c);
        if (o)
            rc = o->clients(c, 0, 0, on_client, &x);
        while (rc >= 0 && !x.e && x.users_left) {
            write_client(&x, walor_col_int(x.users, 0), 1, NULL);
            x.users_left = walor_row_next(x.users) == 1;
        }
    }
    walor_rows_close(x.users);
    walor_rows_close(x.notes);
    if (rc >= 0 && !x.e)
        rc = write_summary(&x, period);
    free(x.loy);
    lxw_error ce = workbook_close(x.wb);
    if (rc >= 0 && (x.e || ce)) {
        walor_log(c, WALOR_LOG_ERROR, "crm: export: %s", lxw_strerror(x.e ? x.e : ce));
        rc = WALOR_EINVAL;
    }
    return rc;
}

static int32_t read_all(const char *path, char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return WALOR_ENOTFOUND;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    size_t got;
    while (b && (got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = n < FILE_MAX ? realloc(b, cap *= 2) : NULL;
            if (!nb) {
                free(b);
                b = NULL;
            }
            b = nb;
        }
    }
    fclose(f);
    if (!b)
        return WALOR_ELIMIT;
    *data = b;
    *len = n;
    return 0;
}

/* payload {"chat", "from", "to", "period"} */
static int32_t export_job(walor_ctx *c, json_t *payload)
{
    int64_t chat = (int64_t)json_integer_value(json_object_get(payload, "chat"));
    int64_t from = (int64_t)json_integer_value(json_object_get(payload, "from"));
    int64_t to = (int64_t)json_integer_value(json_object_get(payload, "to"));
    const char *period = crm_jstr(payload, "period");
    char path[] = "/tmp/walor-crm-export-XXXXXX.xlsx";
    int fd = mkstemps(path, 5);
    if (fd < 0)
        return WALOR_ENOMEM;
    close(fd);
    int32_t rc = build(c, path, from, to, period);
    char *data = NULL;
    size_t len = 0;
    if (rc >= 0)
        rc = read_all(path, &data, &len);
    unlink(path);
    if (rc < 0) {
        walor_send(c, chat, walor_text(c, "crm.export.failed"), NULL, 0, NULL);
        return rc == WALOR_ELIMIT ? 0 : rc;
    }
    const char *day = walor_time_format(c, walor_now(c), "%Y-%m-%d");
    rc = walor_send_document(c, chat, walor_ctx_printf(c, "clients-%s.xlsx", day ? day : ""), data, len,
                             walor_textf(c, "crm.export.caption", "period", crm_esc(c, period), NULL), 0);
    free(data);
    return rc;
}

/* ---- the period chooser ---- */

static int64_t month_start(int64_t t, int back)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    tm.tm_mday = 1;
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_mon -= back;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

int32_t crm_export_menu(walor_ctx *c)
{
    static const walor_text_pair KB[] = {
        {"crm.export.p7", "crm:x:7"}, {"crm.export.p30", "crm:x:30"}, {NULL, NULL},
        {"crm.export.pm", "crm:x:m"}, {"crm.export.pl", "crm:x:l"},   {NULL, NULL},
        {"crm.export.pa", "crm:x:a"}, {NULL, NULL},                   {"crm.btn.back", "crm:home"},
    };
    walor_kb *kb = walor_kb_add(c, walor_kb_new(c), KB, WALOR_COUNT(KB), 0);
    return walor_show(c, walor_text(c, "crm.export.ask"), kb);
}

int32_t crm_export_start(walor_ctx *c, const char *period)
{
    int64_t now = walor_now(c), from, to = now + 1;
    const char *key;
    if (!strcmp(period, "7") || !strcmp(period, "30")) {
        from = now - (int64_t)atoi(period) * 86400;
        key = period[0] == '7' ? "crm.export.p7" : "crm.export.p30";
    } else if (!strcmp(period, "m")) {
        from = month_start(now, 0);
        key = "crm.export.pm";
    } else if (!strcmp(period, "l")) {
        from = month_start(now, 1);
        to = month_start(now, 0);
        key = "crm.export.pl";
    } else if (!strcmp(period, "a")) {
        from = 0;
        key = "crm.export.pa";
    } else {
        return crm_export_menu(c);
    }
    const char *label = walor_ctx_printf(c, "%s (%s — %s)", walor_text(c, key), crm_date(c, from ? from : 1),
                                         crm_date(c, to - 1));
    if (!from)
        label = walor_text(c, key);
    json_t *pl = json_pack("{s:I, s:I, s:I, s:s}", "chat", (json_int_t)walor_ctx_chat_id(c), "from", (json_int_t)from,
                           "to", (json_int_t)to, "period", label);
    if (!pl)
        return WALOR_ENOMEM;
    int32_t rc = walor_job_at(c, now, "export", walor_ctx_printf(c, "%lld", (long long)walor_ctx_user_id(c)), pl);
    json_decref(pl);
    if (rc < 0)
        return rc;
    crm_log_action(c, walor_ctx_printf(c, "выгрузил клиентов в Excel: %s", label));
    walor_answer(c, walor_text(c, "crm.export.started"));
    return walor_reply(c, walor_textf(c, "crm.export.wait", "period", crm_esc(c, label), NULL), NULL);
}

int32_t crm_export_register(walor_plugin *p) { return walor_job(p, "export", export_job); }
