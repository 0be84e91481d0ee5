/* The backup archive (README.md "The archive"): a .zip (libzip) of two
 * entries, `manifest.json` and `walor.db` — the verified online copy of
 * the shop's database. Pure (libzip, OpenSSL, SQLite, jansson): the plugin
 * writes archives with it, walorctl reads and checks them.
 *
 * manifest.json:
 *   {"format": "walor-backup", "version": 1,
 *    "created_at": <UTC epoch s>, "walord": "1.0.0", "sdk": "1.3",
 *    "plugins": {"catalog": "0.1.0", …},          the plugins walord had loaded
 *    "schema": {"host.core": 1, "catalog": 5, …}, the copy's wh_migrations
 *    "database": {"file": "walor.db", "engine": "sqlite", "bytes": N, "sha256": "<hex>"},
 *    "tables": {"orders_order": 12, …}}           rows of every table of the copy
 *
 * Everything in it is read from the copy itself (schema, tables, sha256),
 * so it describes exactly the bytes in the archive. On PostgreSQL the copy
 * is pg_dump's custom-format archive, `walor.pgdump` ("engine":
 * "postgresql"): its schema comes from the host (walor_host_info, read a
 * moment before the dump), its tables are not counted ({}), and it is
 * checked by its checksum and pg_dump's header; it goes back with
 * pg_restore (docs/operator-guide.md), not with walorctl restore. */
#ifndef BACKUP_GDRIVE_BKARCHIVE_H
#define BACKUP_GDRIVE_BKARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define BK_MANIFEST_NAME "manifest.json"
#define BK_DB_NAME "walor.db"
#define BK_PGDUMP_NAME "walor.pgdump"
#define BK_FORMAT "walor-backup"
#define BK_FORMAT_VERSION 1

/* results besides 0 */
#define BK_EIO (-1)       /* a file could not be read or written (err names it: no space left, …) */
#define BK_EFORMAT (-2)   /* not a Walor backup, or a damaged/cut one */
#define BK_EMISMATCH (-3) /* the database does not match its manifest, or fails integrity_check */
#define BK_ENEWER (-4)    /* made by a newer schema than the one that checks it */

/* SHA-256 of a file as 64 lower-case hex digits; *bytes its size. 0 or BK_EIO. */
int bk_sha256_file(const char *path, char hex[65], uint64_t *bytes, char *err, size_t errlen);

/* Row counts of every table of the SQLite file at path (opened read-only
 * and immutable: it is a copy no one writes): {"table": rows, …}. NULL
 * with err on failure. */
json_t *bk_table_rows(const char *path, char *err, size_t errlen);

/* The manifest of the copy at copy_path. info: the host's facts
 * (walor_host_info: walord, sdk, plugins), may be NULL. */
json_t *bk_manifest_build(const char *copy_path, const json_t *info, int64_t created_at, char *err, size_t errlen);

/* Checks a copy against its manifest: size and sha256, PRAGMA
 * integrity_check, and the row count of every table. 0, BK_EMISMATCH or
 * BK_EIO, the first difference in err. */
int bk_manifest_verify(const json_t *manifest, const char *copy_path, char *err, size_t errlen);

/* BK_ENEWER when some owner's schema version in the manifest is higher
 * than in known ({"owner": version}), err naming every such owner; owners
 * that known lacks are listed in *unknown (a malloc'd ", "-separated list,
 * NULL when none): their tables come back but nothing here uses them. */
int bk_manifest_newer(const json_t *manifest, const json_t *known, char **unknown, char *err, size_t errlen);

/* 1 when the file starts as pg_dump's custom format ("PGDMP") */
int bk_is_pgdump(const char *path);
/* 1 when the manifest describes a PostgreSQL dump */
int bk_manifest_is_pg(const json_t *manifest);

/* Writes zip_path (must not exist) with the manifest and the copy; on any
 * failure nothing is left at zip_path. */
int bk_archive_write(const char *zip_path, const char *db_path, const json_t *manifest, char *err, size_t errlen);

/* Opens an archive, checks it is one of ours, extracts the database into
 * db_out (must not exist; removed on failure) and returns the manifest
 * (*manifest, the caller decrefs). It does not verify the copy: call
 * bk_manifest_verify. */
int bk_archive_read(const char *zip_path, const char *db_out, json_t **manifest, char *err, size_t errlen);

#endif
