/* bookings: the tables (migration 1) and the one query the free-slot
 * engine reads, kept apart from the code so bench/bookings_bench.c builds
 * the same schema and times the same query as the plugin. No host calls. */
#include "schema.h"

const char bk_migration_1[] =
    "CREATE TABLE bookings_service ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " descr TEXT NOT NULL DEFAULT '',"            /* Telegram HTML */
    " price INTEGER NOT NULL CHECK (price >= 0)," /* kopecks */
    " duration_min INTEGER NOT NULL CHECK (duration_min > 0),"
    " format TEXT NOT NULL,"           /* online | offline | both */
    " photo TEXT NOT NULL DEFAULT ''," /* Telegram file_id */
    " position INTEGER NOT NULL DEFAULT 0,"
    " hidden INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL);"
    "CREATE TABLE bookings_booking ("
    " id INTEGER PRIMARY KEY,"
    " client_id INTEGER NOT NULL,"
    " service_id INTEGER NOT NULL,"
    " service_name TEXT NOT NULL," /* as booked: a later rename or delete changes no history */
    " status TEXT NOT NULL,"       /* pending | confirmed | completed | cancelled */
    " starts_at INTEGER NOT NULL,"
    " ends_at INTEGER NOT NULL,"
    " busy_until INTEGER NOT NULL,"    /* ends_at + the buffer set when booked */
    " price INTEGER NOT NULL,"         /* list price; the final one once completed */
    " format TEXT NOT NULL,"           /* online | offline */
    " place TEXT NOT NULL DEFAULT ''," /* master | client | '' */
    " address TEXT NOT NULL DEFAULT '',"
    " phone TEXT NOT NULL DEFAULT '',"
    " reason TEXT NOT NULL DEFAULT '',"        /* why it was cancelled */
    " cancelled_by TEXT NOT NULL DEFAULT '',"  /* client | staff */
    " proposed_at INTEGER NOT NULL DEFAULT 0," /* a new time staff offered, waiting for the client */
    " seq INTEGER NOT NULL DEFAULT 0,"         /* changes of time (.ics SEQUENCE) */
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL,"
    " completed_at INTEGER);"
    "CREATE INDEX bookings_booking_start ON bookings_booking(starts_at);"
    /* covers bk_busy_sql: the engine reads the horizon from the index alone */
    "CREATE INDEX bookings_booking_busy ON bookings_booking(starts_at, busy_until, status) WHERE status <> 'cancelled';"
    "CREATE INDEX bookings_booking_client ON bookings_booking(client_id, starts_at);"
    "CREATE INDEX bookings_booking_status ON bookings_booking(status, starts_at);"
    /* the no-double-booking constraint: one booking a cell (BK_CELL seconds) */
    "CREATE TABLE bookings_cell ("
    " cell INTEGER PRIMARY KEY," /* epoch / 300 */
    " booking_id INTEGER NOT NULL);"
    "CREATE INDEX bookings_cell_booking ON bookings_cell(booking_id);"
    "CREATE TABLE bookings_exception (" /* a day off, or a working day with its own hours */
    " day TEXT PRIMARY KEY,"            /* YYYY-MM-DD in the shop's zone */
    " working INTEGER NOT NULL,"
    " open_min INTEGER NOT NULL DEFAULT 0,"
    " close_min INTEGER NOT NULL DEFAULT 0,"
    " break_from INTEGER NOT NULL DEFAULT 0,"
    " break_to INTEGER NOT NULL DEFAULT 0,"
    " created_by INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE bookings_client (" /* what a client typed last time */
    " user_id INTEGER PRIMARY KEY,"
    " phone TEXT NOT NULL DEFAULT '',"
    " address TEXT NOT NULL DEFAULT '',"
    " updated_at INTEGER NOT NULL);"
    "CREATE TABLE bookings_sent (" /* reminders sent: a job run twice sends once */
    " booking_id INTEGER NOT NULL,"
    " kind TEXT NOT NULL,"
    " starts_at INTEGER NOT NULL,"
    " PRIMARY KEY (booking_id, kind, starts_at));"
    "CREATE TABLE bookings_agenda (" /* the staff's daily plan, once a day */
    " day TEXT PRIMARY KEY,"
    " sent_at INTEGER NOT NULL);";

const char bk_busy_sql[] =
    "SELECT starts_at, busy_until FROM bookings_booking WHERE starts_at >= ? AND starts_at < ? "
    "AND status <> 'cancelled' AND id <> ? ORDER BY starts_at";
const char bk_busy_count_sql[] =
    "SELECT count(*) FROM bookings_booking WHERE starts_at >= ? AND starts_at < ? "
    "AND status <> 'cancelled' AND id <> ?";
