/* bookings: declarations shared by the plugin's files (README.md).
 *
 *   bookings.c  load(): settings, migrations, texts, help; small helpers
 *   cal.c slots.c ics.c   pure: calendar, free slots, .ics (cal.h, ics.h)
 *   schema.c    the tables, and the busy-time query the engine reads (schema.h)
 *   rules.c     the shop's calendar and busy times from settings and tables
 *   store.c     bookings and their life: the cell constraint, events, reminder jobs
 *   notify.c    what the client and staff are told, the .ics document
 *   remind.c    reminder jobs, the staff's daily agenda, cleanup
 *   pick.c      choosing a day on the calendar keyboard and a free time (pick.h)
 *   shop.c      "Индивидуальные сессии": the services a client sees
 *   flow.c      the booking conversation and its confirmation form
 *   mine.c      "Мои записи"
 *   staff.c staff_act.c   "📅 Записи": lists, the booking card, actions
 *   svcadmin.c  services (F-BOOK-01); caladmin.c the calendar (F-BOOK-02)
 *   service.c   the `bookings` service (sdk/include/walor/services/bookings.h) */
#ifndef BOOKINGS_BK_H
#define BOOKINGS_BK_H

#include <walor/plugin.h>

#include "cal.h"

/* statuses, as in the table and in booking.changed */
#define BK_PENDING "pending"
#define BK_CONFIRMED "confirmed"
#define BK_COMPLETED "completed"
#define BK_CANCELLED "cancelled"

/* results of a change besides 0 (done) and a negative WALOR_E* */
#define BK_SAME 1  /* it already is so: nothing changed (a second press) */
#define BK_TAKEN 2 /* the time is taken meanwhile, or no longer bookable */
#define BK_STATE 3 /* the booking's status does not allow it */
#define BK_GONE 4  /* the service is hidden or deleted */

#define BK_REMIND_BEFORE_S 3600 /* the reminder "in an hour" */

typedef struct bk_booking {
    int64_t id, client_id, service_id;
    const char *service_name, *status;
    int64_t starts_at, ends_at, busy_until;
    int64_t price;      /* kopecks: the list price, the final one once completed */
    const char *format; /* "online" | "offline" */
    const char *place;  /* "master" | "client" | "" (online) */
    const char *address, *phone, *reason, *cancelled_by;
    int64_t proposed_at; /* a new time staff offered, waiting for the client; 0 none */
    int64_t seq;         /* changes of time, for the .ics SEQUENCE */
    int64_t created_at, completed_at;
} bk_booking;

typedef struct bk_svc {
    int64_t id, price, position;
    int32_t duration_min, hidden;
    const char *name, *descr, *format, *photo;
} bk_svc;

/* ---- helpers (bookings.c) ---- */
char *bk_esc(walor_ctx *c, const char *s); /* walor_html_escape, "" for NULL */
char *bk_num(walor_ctx *c, int64_t n);
const char *bk_t(walor_ctx *c, const char *key);                 /* walor_text */
const char *bk_icon(walor_ctx *c, const char *status);           /* a list row's mark of a status */
int64_t bk_setting(walor_ctx *c, const char *key, int64_t dflt); /* "bookings.<key>" */
const char *bk_setting_str(walor_ctx *c, const char *key);
char *bk_when(walor_ctx *c, int64_t t);           /* "пт, 15.01.2026, 00:30" in the shop's zone */
char *bk_day_label(walor_ctx *c, int32_t day);    /* "пт, 15 января" */
char *bk_hm(walor_ctx *c, int64_t t);             /* "00:30" */
char *bk_duration(walor_ctx *c, int32_t minutes); /* "1 ч 30 мин" */
/* a personal message to user_id (not a reply); one who blocked the bot is no failure */
int32_t bk_push(walor_ctx *c, int64_t user_id, const char *html, const walor_kb *kb);
int32_t bk_log_action(walor_ctx *c, const char *what);
extern const char *bk_tz_name; /* the shop's zone for TZID, "" if unknown */

/* ---- texts (texts.c) ---- */
extern const char *const bk_texts[][2];
extern const size_t bk_ntexts;

/* ---- the shop's calendar (rules.c) ---- */
typedef struct bk_rules {
    bk_calendar cal;
    int32_t buffer_min, step_min, horizon_days, morning_min;
    int64_t notice_s, cancel_notice_s;
    int32_t auto_confirm;
} bk_rules;
int32_t bk_rules_load(walor_ctx *c, bk_rules *r);
/* the engine's query for a booking of duration_min now: busy times from
 * the table (arena), without booking `skip` (the one being moved, or 0);
 * staff = 1 drops the minimum notice (staff may move a booking to soon) */
int32_t bk_query_load(walor_ctx *c, const bk_rules *r, int32_t duration_min, int64_t skip, int staff, bk_query *q);
/* settings validators shared with the calendar screen */
int32_t bk_valid_workdays(walor_ctx *c, const char *value, const char **why);
int32_t bk_valid_hours(walor_ctx *c, const char *value, const char **why);
int32_t bk_valid_break(walor_ctx *c, const char *value, const char **why);
int32_t bk_valid_grid(walor_ctx *c, const char *value, const char **why);
int32_t bk_valid_time(walor_ctx *c, const char *value, const char **why);
extern const walor_setting_def bk_settings[];
extern const size_t bk_nsettings;

/* ---- bookings (store.c) ---- */
int32_t bk_get(walor_ctx *c, int64_t id, bk_booking *out); /* WALOR_ENOTFOUND */
int32_t bk_svc_get(walor_ctx *c, int64_t id, bk_svc *out); /* WALOR_ENOTFOUND */
typedef struct bk_new {
    int64_t client_id, service_id, starts_at;
    const char *format, *place, *address, *phone;
} bk_new;
/* 0 with *out_id (pending, or confirmed with auto-confirm), BK_TAKEN, BK_GONE */
int32_t bk_book(walor_ctx *c, const bk_new *n, int64_t *out_id);
int32_t bk_confirm(walor_ctx *c, int64_t id);
/* by: "client" | "staff" */
int32_t bk_cancel(walor_ctx *c, int64_t id, const char *by, const char *reason);
int32_t bk_complete(walor_ctx *c, int64_t id, int64_t price);
/* staff offer a new time (BK_TAKEN when it is not free now); the client
 * accepts (bk_move: the constraint decides again) or declines */
int32_t bk_propose(walor_ctx *c, int64_t id, int64_t start);
int32_t bk_move(walor_ctx *c, int64_t id, int64_t start);
int32_t bk_decline(walor_ctx *c, int64_t id);
int bk_is_active(const char *status); /* pending or confirmed */

/* ---- what people are told (notify.c), after the change committed ---- */
int32_t bk_tell_booked(walor_ctx *c, int64_t id);    /* client + staff */
int32_t bk_tell_confirmed(walor_ctx *c, int64_t id); /* client, with the .ics */
int32_t bk_tell_cancelled(walor_ctx *c, int64_t id); /* the other side, with the reason */
int32_t bk_tell_completed(walor_ctx *c, int64_t id);
int32_t bk_tell_proposal(walor_ctx *c, int64_t id); /* client: accept / decline */
int32_t bk_tell_moved(walor_ctx *c, int64_t id);    /* client (new .ics) and staff */
int32_t bk_tell_declined(walor_ctx *c, int64_t id); /* staff */
int32_t bk_send_ics(walor_ctx *c, int64_t id);
/* the booking as HTML for the client (staff = 0) or staff (1) */
char *bk_card_html(walor_ctx *c, const bk_booking *b, int staff);
char *bk_status_label(walor_ctx *c, const char *status);
char *bk_place_html(walor_ctx *c, const bk_booking *b);
char *bk_format_label(walor_ctx *c, const char *format); /* shop.c: "💻 Онлайн" … */

/* ---- registration of each part, from load() ---- */
int32_t bk_shop_register(walor_plugin *p);
int32_t bk_flow_register(walor_plugin *p);
int32_t bk_mine_register(walor_plugin *p);
int32_t bk_staff_register(walor_plugin *p);
int32_t bk_svcadmin_register(walor_plugin *p);
int32_t bk_caladmin_register(walor_plugin *p);
int32_t bk_remind_register(walor_plugin *p);
int32_t bk_service_register(walor_plugin *p);

/* reminder jobs of a booking (remind.c): scheduled or moved for its
 * current time, or removed; inside the caller's transaction */
int32_t bk_reminders_set(walor_ctx *c, const bk_booking *b);
int32_t bk_reminders_drop(walor_ctx *c, int64_t id);

/* flow.c: start booking service_id for the user (from a service card) */
int32_t bk_flow_start(walor_ctx *c, int64_t service_id);
/* shop.c / mine.c screens other parts return to */
int32_t bk_shop_show(walor_ctx *c);
int32_t bk_mine_show(walor_ctx *c);
/* staff.c: the booking card for staff */
int32_t bk_staff_card(walor_ctx *c, int64_t id);

#endif
