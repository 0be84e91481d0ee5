/* bookings: tables and the busy-time query (schema.c). */
#ifndef BOOKINGS_SCHEMA_H
#define BOOKINGS_SCHEMA_H

extern const char bk_migration_1[];
/* busy times touching [?, ?) without booking ? (0 = none): starts_at,
 * busy_until, ordered by start; and how many rows it gives */
extern const char bk_busy_sql[];
extern const char bk_busy_count_sql[];

#endif
