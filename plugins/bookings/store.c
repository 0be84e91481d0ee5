/* bookings: the bookings table and every change of a booking (bk.h).
 *
 * No double booking is the database's decision, not a read-then-write
 * race: a booking holds every 5-minute cell of [start, end + buffer) in
 * bookings_cell, whose primary key is the cell. Two bookings that overlap
 * anywhere — whatever their durations — want a common cell, and the second
 * INSERT of it changes nothing (ON CONFLICT DO NOTHING), so the second
 * booking sees fewer cells than it needs and is undone. The engine's check
 * before it only makes the refusal precise (notice, hours); the cells are
 * what two workers racing for one slot meet at. Every change is one
 * transaction (BEGIN IMMEDIATE) with its event and its reminder jobs.
 * The tables are in schema.c. */
#include <string.h>

#include "bk.h"

int bk_is_active(const char *s) { return s && (!strcmp(s, BK_PENDING) || !strcmp(s, BK_CONFIRMED)); }

int32_t bk_get(walor_ctx *c, int64_t id, bk_booking *b)
{
    return walor_db_row(c,
                        "SELECT id, client_id, service_id, service_name, status, starts_at, ends_at, busy_until,"
                        " price, format, place, address, phone, reason, cancelled_by, proposed_at, seq,"
                        " created_at, completed_at FROM bookings_booking WHERE id = ?",
                        WALOR_ARGS(walor_i(id)), "iiizziiiizzzzzziiii", &b->id, &b->client_id, &b->service_id,
                        &b->service_name, &b->status, &b->starts_at, &b->ends_at, &b->busy_until, &b->price,
                        &b->format, &b->place, &b->address, &b->phone, &b->reason, &b->cancelled_by,
                        &b->proposed_at, &b->seq, &b->created_at, &b->completed_at); /* NULL completed_at: 0 */
}

int32_t bk_svc_get(walor_ctx *c, int64_t id, bk_svc *s)
{
    return walor_db_row(c,
                        "SELECT id, name, descr, price, duration_min, format, photo, position, hidden "
                        "FROM bookings_service WHERE id = ?",
                        WALOR_ARGS(walor_i(id)), "izzidzzid", &s->id, &s->name, &s->descr, &s->price,
                        &s->duration_min, &s->format, &s->photo, &s->position, &s->hidden);
}

/* booking.changed, in the transaction of the change (sdk/include/walor/services/bookings.h) */
static int32_t emit(walor_ctx *c, int64_t id)
{
    bk_booking b;
    int32_t rc = bk_get(c, id, &b);
    if (rc < 0)
        return rc;
    json_t *pl =
        json_pack("{s:i, s:I, s:I, s:I, s:s, s:s, s:I, s:I, s:o}", "v", 1, "booking_id", (json_int_t)b.id, "client_id",
                  (json_int_t)b.client_id, "service_id", (json_int_t)b.service_id, "service_name", b.service_name,
                  "status", b.status, "price", (json_int_t)b.price, "starts_at", (json_int_t)b.starts_at,
                  "completed_at", b.completed_at ? json_integer(b.completed_at) : json_null());
    if (!pl)
        return WALOR_ENOMEM;
    rc = walor_event_emit(c, "booking.changed", walor_ctx_printf(c, "booking:%lld", (long long)id), pl);
    json_decref(pl);
    return rc < 0 ? rc : 0;
}

/* holds [from, to) for booking id: 0, or BK_TAKEN with nothing of it left */
static int32_t cells_put(walor_ctx *c, int64_t id, int64_t from, int64_t to)
{
    if (from % BK_CELL || to % BK_CELL || to <= from)
        return BK_TAKEN; /* off the grid: not a time anyone can book */
    int64_t a = from / BK_CELL, z = to / BK_CELL;
    int32_t n = walor_db_exec(c,
                              "WITH RECURSIVE t(x) AS (SELECT ? UNION ALL SELECT x + 1 FROM t WHERE x + 1 < ?) "
                              "INSERT INTO bookings_cell(cell, booking_id) SELECT x, ? FROM t WHERE true "
                              "ON CONFLICT(cell) DO NOTHING",
                              WALOR_ARGS(walor_i(a), walor_i(z), walor_i(id)));
    if (n < 0)
        return n;
    if ((int64_t)n == z - a)
        return 0;
    /* someone holds a cell: take back what this call inserted */
    int32_t rc = walor_db_exec(c, "DELETE FROM bookings_cell WHERE booking_id = ? AND cell >= ? AND cell < ?",
                               WALOR_ARGS(walor_i(id), walor_i(a), walor_i(z)));
    return rc < 0 ? rc : BK_TAKEN;
}

static int32_t cells_drop(walor_ctx *c, int64_t id)
{
    int32_t rc = walor_db_exec(c, "DELETE FROM bookings_cell WHERE booking_id = ?", WALOR_ARGS(walor_i(id)));
    return rc < 0 ? rc : 0;
}

static int32_t remember_client(walor_ctx *c, const bk_new *n)
{
    int32_t rc =
        walor_db_exec(c,
                      "INSERT INTO bookings_client(user_id, phone, address, updated_at) VALUES (?, ?, ?, ?) "
                      "ON CONFLICT(user_id) DO UPDATE SET phone = excluded.phone, address = CASE WHEN "
                      "excluded.address <> '' THEN excluded.address ELSE bookings_client.address END, "
                      "updated_at = excluded.updated_at",
                      WALOR_ARGS(walor_i(n->client_id), walor_s(n->phone ? n->phone : ""),
                                 walor_s(n->place && !strcmp(n->place, "client") && n->address ? n->address : ""),
                                 walor_i(walor_now(c))));
    return rc < 0 ? rc : 0;
}

static int32_t book_in_tx(walor_ctx *c, const bk_new *n, int64_t *out_id)
{
    bk_svc s;
    int32_t rc = bk_svc_get(c, n->service_id, &s);
    if (rc == WALOR_ENOTFOUND || (rc == 0 && s.hidden))
        return BK_GONE;
    if (rc < 0)
        return rc;
    bk_rules rules;
    bk_query q;
    if ((rc = bk_rules_load(c, &rules)) < 0 || (rc = bk_query_load(c, &rules, s.duration_min, 0, 0, &q)) < 0)
        return rc;
    if (!bk_slot_ok(&rules.cal, &q, n->starts_at))
        return BK_TAKEN;
    int64_t ends = n->starts_at + (int64_t)s.duration_min * 60, busy = ends + (int64_t)rules.buffer_min * 60;
    int64_t now = walor_now(c), id = 0;
    const char *status = rules.auto_confirm ? BK_CONFIRMED : BK_PENDING;
    rc = walor_db_int(c,
                      "INSERT INTO bookings_booking(client_id, service_id, service_name, status, starts_at, ends_at,"
                      " busy_until, price, format, place, address, phone, created_at, updated_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                      WALOR_ARGS(walor_i(n->client_id), walor_i(s.id), walor_s(s.name), walor_s(status),
                                 walor_i(n->starts_at), walor_i(ends), walor_i(busy), walor_i(s.price),
                                 walor_s(n->format), walor_s(n->place ? n->place : ""),
                                 walor_s(n->address ? n->address : ""), walor_s(n->phone ? n->phone : ""), walor_i(now),
                                 walor_i(now)),
                      &id);
    if (rc < 0)
        return rc;
    if ((rc = cells_put(c, id, n->starts_at, busy)) != 0) {
        if (rc == BK_TAKEN) { /* undone by hand: the caller's transaction may go on */
            int32_t d = walor_db_exec(c, "DELETE FROM bookings_booking WHERE id = ?", WALOR_ARGS(walor_i(id)));
            if (d < 0)
                return d;
        }
        return rc;
    }
    bk_booking b;
    if ((rc = bk_get(c, id, &b)) < 0 || (rc = bk_reminders_set(c, &b)) < 0 || (rc = emit(c, id)) < 0 ||
        (rc = remember_client(c, n)) < 0)
        return rc;
    *out_id = id;
    return 0;
}


/* UPDATE … WHERE id = ? AND status IN (from): 0 done, BK_SAME when it
 * already has `to`, BK_STATE otherwise */
static int32_t moved(walor_ctx *c, int64_t id, const char *to, int32_t changed)
{
    if (changed < 0)
        return changed;
    if (changed > 0)
        return 0;
    bk_booking b;
    int32_t rc = bk_get(c, id, &b);
    if (rc < 0)
        return rc;
    return !strcmp(b.status, to) ? BK_SAME : BK_STATE;
}

static int32_t confirm_in_tx(walor_ctx *c, int64_t id)
{
    int32_t rc = moved(c, id, BK_CONFIRMED,
                       walor_db_exec(c,
                                     "UPDATE bookings_booking SET status = 'confirmed', updated_at = ? "
                                     "WHERE id = ? AND status = 'pending'",
                                     WALOR_ARGS(walor_i(walor_now(c)), walor_i(id))));
    return rc == 0 ? emit(c, id) : rc;
}

static int32_t cancel_in_tx(walor_ctx *c, int64_t id, const char *by, const char *reason)
{
    int32_t rc = moved(
        c, id, BK_CANCELLED,
        walor_db_exec(c,
                      "UPDATE bookings_booking SET status = 'cancelled', reason = ?, cancelled_by = ?,"
                      " proposed_at = 0, updated_at = ? WHERE id = ? AND status IN ('pending', 'confirmed')",
                      WALOR_ARGS(walor_s(reason ? reason : ""), walor_s(by), walor_i(walor_now(c)), walor_i(id))));
    if (rc == 0 && (rc = cells_drop(c, id)) == 0 && (rc = bk_reminders_drop(c, id)) == 0)
        rc = emit(c, id);
    return rc;
}

static int32_t complete_in_tx(walor_ctx *c, int64_t id, int64_t price)
{
    int64_t now = walor_now(c);
    int32_t rc =
        moved(c, id, BK_COMPLETED,
              walor_db_exec(c,
                            "UPDATE bookings_booking SET status = 'completed', price = ?, completed_at = ?,"
                            " proposed_at = 0, updated_at = ? WHERE id = ? AND status IN ('pending', 'confirmed')",
                            WALOR_ARGS(walor_i(price), walor_i(now), walor_i(now), walor_i(id))));
    if (rc == 0 && (rc = bk_reminders_drop(c, id)) == 0)
        rc = emit(c, id);
    return rc;
}

/* may booking id move to `start`, as staff see it (no minimum notice, its
 * own time not in the way)? 0 yes (*b read), BK_STATE, BK_SAME, BK_TAKEN */
static int32_t new_time_ok(walor_ctx *c, int64_t id, int64_t start, bk_booking *b)
{
    bk_rules rules;
    bk_query q;
    int32_t rc = bk_get(c, id, b);
    if (rc < 0)
        return rc;
    if (!bk_is_active(b->status))
        return BK_STATE;
    if (start == b->starts_at)
        return BK_SAME;
    if ((rc = bk_rules_load(c, &rules)) < 0 ||
        (rc = bk_query_load(c, &rules, (int32_t)((b->ends_at - b->starts_at) / 60), b->id, 1, &q)) < 0)
        return rc;
    return start > walor_now(c) && bk_slot_ok(&rules.cal, &q, start) ? 0 : BK_TAKEN;
}

static int32_t propose_in_tx(walor_ctx *c, int64_t id, int64_t start)
{
    bk_booking b;
    int32_t rc = new_time_ok(c, id, start, &b);
    if (rc != 0)
        return rc;
    rc = walor_db_exec(c, "UPDATE bookings_booking SET proposed_at = ?, updated_at = ? WHERE id = ?",
                       WALOR_ARGS(walor_i(start), walor_i(walor_now(c)), walor_i(id)));
    return rc < 0 ? rc : 0;
}

static int32_t move_in_tx(walor_ctx *c, int64_t id, int64_t start)
{
    bk_booking b;
    int32_t rc = new_time_ok(c, id, start, &b);
    if (rc != 0)
        return rc;
    int64_t len = b.ends_at - b.starts_at, hold = b.busy_until - b.starts_at;
    if ((rc = cells_drop(c, id)) < 0)
        return rc;
    if ((rc = cells_put(c, id, start, start + hold)) != 0) {
        if (rc == BK_TAKEN) { /* keep the old time: its cells are still ours to take back */
            int32_t back = cells_put(c, id, b.starts_at, b.busy_until);
            if (back != 0)
                return back < 0 ? back : WALOR_EDB;
        }
        return rc;
    }
    rc = walor_db_exec(
        c,
        "UPDATE bookings_booking SET starts_at = ?, ends_at = ?, busy_until = ?, seq = seq + 1,"
        " proposed_at = 0, updated_at = ? WHERE id = ?",
        WALOR_ARGS(walor_i(start), walor_i(start + len), walor_i(start + hold), walor_i(walor_now(c)), walor_i(id)));
    if (rc < 0 || (rc = bk_get(c, id, &b)) < 0 || (rc = bk_reminders_set(c, &b)) < 0)
        return rc;
    return emit(c, id);
}

static int32_t decline_in_tx(walor_ctx *c, int64_t id)
{
    int32_t n = walor_db_exec(
        c, "UPDATE bookings_booking SET proposed_at = 0, updated_at = ? WHERE id = ? AND proposed_at <> 0",
        WALOR_ARGS(walor_i(walor_now(c)), walor_i(id)));
    return n < 0 ? n : n ? 0 : BK_SAME;
}

/* a level of its own: nests in the caller's transaction when there is one */
#define IN_TX(call)                         \
    do {                                    \
        int32_t rc_ = walor_tx_begin(c);    \
        if (rc_ < 0)                        \
            return rc_;                     \
        return walor_tx_end(c, (call));        \
    } while (0)

int32_t bk_book(walor_ctx *c, const bk_new *n, int64_t *out_id) { IN_TX(book_in_tx(c, n, out_id)); }
int32_t bk_confirm(walor_ctx *c, int64_t id) { IN_TX(confirm_in_tx(c, id)); }
int32_t bk_cancel(walor_ctx *c, int64_t id, const char *by, const char *reason)
{
    IN_TX(cancel_in_tx(c, id, by, reason));
}
int32_t bk_complete(walor_ctx *c, int64_t id, int64_t price) { IN_TX(complete_in_tx(c, id, price)); }
int32_t bk_propose(walor_ctx *c, int64_t id, int64_t start) { IN_TX(propose_in_tx(c, id, start)); }
int32_t bk_move(walor_ctx *c, int64_t id, int64_t start) { IN_TX(move_in_tx(c, id, start)); }
int32_t bk_decline(walor_ctx *c, int64_t id) { IN_TX(decline_in_tx(c, id)); }
