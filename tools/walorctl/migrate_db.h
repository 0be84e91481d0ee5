/* walorctl migrate-db: an SQLite shop's data into PostgreSQL (migrate_db.c). */
#ifndef WALORCTL_MIGRATE_DB_H
#define WALORCTL_MIGRATE_DB_H

/* 0 copied and checked, 1 failed (nothing written), 2 bad arguments */
int walorctl_migrate_db(const char *src_path, const char *conninfo);

#endif
