/* bookings: what the client and the staff are told about a booking, and
 * the .ics file for the client's calendar. Called after the change
 * committed (messages are not transactional); each reads the booking
 * again, so it tells what is true now. */
#include <stdlib.h>
#include <string.h>

#include "bk.h"
#include "ics.h"

char *bk_status_label(walor_ctx *c, const char *status)
{
    return walor_text(c, walor_ctx_printf(c, "bookings.status.%s", status && *status ? status : "pending"));
}

char *bk_place_html(walor_ctx *c, const bk_booking *b)
{
    if (!strcmp(b->format, "online"))
        return walor_text(c, "bookings.place.online");
    if (!strcmp(b->place, "client"))
        return walor_textf(c, "bookings.place.client", "address", bk_esc(c, b->address), NULL);
    if (*b->address)
        return walor_textf(c, "bookings.place.master_at", "address", bk_esc(c, b->address), NULL);
    return walor_text(c, "bookings.place.master");
}

char *bk_card_html(walor_ctx *c, const bk_booking *b, int staff)
{
    const char *when = bk_when(c, b->starts_at), *dur = bk_duration(c, (int32_t)((b->ends_at - b->starts_at) / 60));
    char *s;
    if (staff)
        s = walor_textf(c, "bookings.card.staff", "id", bk_num(c, b->id), "status", bk_status_label(c, b->status),
                        "service", bk_esc(c, b->service_name), "when", when, "duration", dur, "place",
                        bk_place_html(c, b), "price", walor_money(c, b->price), "client",
                        walor_user_label(c, b->client_id, 0), "phone", bk_esc(c, *b->phone ? b->phone : "—"), NULL);
    else
        s = walor_textf(c, "bookings.card", "id", bk_num(c, b->id), "status", bk_status_label(c, b->status), "service",
                        bk_esc(c, b->service_name), "when", when, "duration", dur, "place", bk_place_html(c, b),
                        "price", walor_money(c, b->price), NULL);
    if (!strcmp(b->status, BK_CANCELLED) && *b->reason)
        s = walor_ctx_printf(c, "%s\n%s", s,
                             walor_textf(c, "bookings.card.reason", "reason", bk_esc(c, b->reason), NULL));
    if (b->proposed_at && bk_is_active(b->status))
        s = walor_ctx_printf(c, "%s\n%s", s,
                             walor_textf(c, staff ? "bookings.card.proposed_staff" : "bookings.card.proposed", "when",
                                         bk_when(c, b->proposed_at), NULL));
    return s;
}

static walor_kb *open_kb(walor_ctx *c, int64_t id, int with_confirm)
{
    walor_kb *kb = walor_kb_new(c);
    if (with_confirm)
        walor_kb_button(kb, bk_t(c, "bookings.btn.confirm"), walor_ctx_printf(c, "bks:ok:%lld", (long long)id));
    walor_kb_button(kb, bk_t(c, "bookings.btn.open"), walor_ctx_printf(c, "bks:b:%lld", (long long)id));
    return kb;
}

static int32_t staff(walor_ctx *c, const char *html, const walor_kb *kb)
{
    int32_t rc = walor_notify_staff(c, WALOR_ROLE_MANAGER, html, kb);
    if (rc < 0)
        walor_log(c, WALOR_LOG_WARN, "bookings: staff notice: %s", walor_last_error(c));
    return 0;
}

int32_t bk_send_ics(walor_ctx *c, int64_t id)
{
    bk_booking b;
    int32_t rc = bk_get(c, id, &b);
    if (rc < 0)
        return rc;
    const char *where = !strcmp(b.format, "online") ? bk_t(c, "bookings.ics.online") : b.address;
    bk_ics e = {.uid = walor_ctx_printf(c, "booking-%lld@walor", (long long)b.id),
                .stamp = walor_now(c),
                .start = b.starts_at,
                .end = b.ends_at,
                .sequence = (int32_t)b.seq,
                .alarm_min = 60,
                .summary = b.service_name,
                .description = walor_textf(c, "bookings.ics.description", "id", bk_num(c, b.id), NULL),
                .location = where,
                .tzid = bk_tz_name};
    size_t need = bk_ics_write(&e, NULL, 0);
    char *buf = walor_ctx_alloc(c, need + 1);
    if (!buf)
        return WALOR_ENOMEM;
    bk_ics_write(&e, buf, need + 1);
    rc = walor_send_document(c, b.client_id, walor_ctx_printf(c, "booking-%lld.ics", (long long)b.id), buf, need,
                             bk_t(c, "bookings.ics.caption"), 0);
    if (rc < 0 && rc != WALOR_EBLOCKED)
        walor_log(c, WALOR_LOG_WARN, "bookings: .ics to %lld: %s", (long long)b.client_id, walor_last_error(c));
    return 0;
}

int32_t bk_tell_booked(walor_ctx *c, int64_t id)
{
    bk_booking b;
    int32_t rc = bk_get(c, id, &b);
    if (rc < 0)
        return rc;
    int pending = !strcmp(b.status, BK_PENDING);
    static const walor_text_pair KB[] = {
        {"bookings.btn.mine", "bkm:l"}, {NULL, NULL}, {"bookings.btn.main", "m:core.main"},
    };
    walor_kb *kb = walor_kb_add(c, walor_kb_new(c), KB, WALOR_COUNT(KB), 0);
    bk_push(c, b.client_id,
            walor_textf(c, pending ? "bookings.booked.pending" : "bookings.booked.confirmed", "card",
                        bk_card_html(c, &b, 0), NULL),
            kb);
    if (!pending)
        bk_send_ics(c, id);
    return staff(c, walor_textf(c, "bookings.booked.staff", "card", bk_card_html(c, &b, 1), NULL),
                 open_kb(c, id, pending));
}

int32_t bk_tell_confirmed(walor_ctx *c, int64_t id)
{
    bk_booking b;
    int32_t rc = bk_get(c, id, &b);
    if (rc < 0)
        return rc;
    bk_push(c, b.client_id, walor_textf(c, "bookings.confirmed.client", "card", bk_card_html(c, &b, 0), NULL), NULL);
    return bk_send_ics(c, id);
}

int32_t bk_tell_cancelled(walor_ctx *c, int64_t id)
{
    bk_booking b;
    int32_t rc = bk_get(c, id, &b);
    if (rc < 0)
        return rc;
    if (!strcmp(b.cancelled_by, "client"))
        return staff(
            c, walor_textf(c, "bookings.cancelled.staff", "id", bk_num(c, id), "card", bk_card_html(c, &b, 1), NULL),
            open_kb(c, id, 0));
    return bk_push(c, b.client_id, walor_textf(c, "bookings.cancelled.client", "card", bk_card_html(c, &b, 0), NULL),
                   NULL);
}

int32_t bk_tell_completed(walor_ctx *c, int64_t id)
{
    bk_booking b;
    int32_t rc = bk_get(c, id, &b);
    if (rc < 0)
        return rc;
    return bk_push(c, b.client_id,
                   walor_textf(c, "bookings.completed.client", "service", bk_esc(c, b.service_name), NULL), NULL);
}

int32_t bk_tell_proposal(walor_ctx *c, int64_t id)
{
    bk_booking b;
    int32_t rc = bk_get(c, id, &b);
    if (rc < 0)
        return rc;
    if (!b.proposed_at)
        return 0;
    walor_kb *kb = walor_kb_new(c);
    /* the offered time rides in the data: a newer offer makes this button stale */
    walor_kb_button(kb, bk_t(c, "bookings.btn.accept"),
                    walor_ctx_printf(c, "bkm:ra:%lld:%lld", (long long)id, (long long)b.proposed_at));
    walor_kb_row(kb);
    walor_kb_button(kb, bk_t(c, "bookings.btn.decline"), walor_ctx_printf(c, "bkm:rd:%lld", (long long)id));
    return bk_push(c, b.client_id,
                   walor_textf(c, "bookings.proposal", "service", bk_esc(c, b.service_name), "old",
                               bk_when(c, b.starts_at), "new", bk_when(c, b.proposed_at), NULL),
                   kb);
}

int32_t bk_tell_moved(walor_ctx *c, int64_t id)
{
    bk_booking b;
    int32_t rc = bk_get(c, id, &b);
    if (rc < 0)
        return rc;
    bk_push(c, b.client_id, walor_textf(c, "bookings.moved.client", "card", bk_card_html(c, &b, 0), NULL), NULL);
    if (!strcmp(b.status, BK_CONFIRMED))
        bk_send_ics(c, id);
    return staff(c, walor_textf(c, "bookings.moved.staff", "id", bk_num(c, id), "when", bk_when(c, b.starts_at), NULL),
                 open_kb(c, id, 0));
}

int32_t bk_tell_declined(walor_ctx *c, int64_t id)
{
    bk_booking b;
    int32_t rc = bk_get(c, id, &b);
    if (rc < 0)
        return rc;
    return staff(c,
                 walor_textf(c, "bookings.declined.staff", "id", bk_num(c, id), "when", bk_when(c, b.starts_at), NULL),
                 open_kb(c, id, 0));
}
