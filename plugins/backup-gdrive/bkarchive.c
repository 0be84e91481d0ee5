/* The backup archive and its manifest (bkarchive.h). */
#include "bkarchive.h"
#include "bkutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>
#include <zip.h>

#define MANIFEST_MAX (4 * 1024 * 1024)
#define CHUNK (64 * 1024)

#define fail bk_fail

int bk_sha256_file(const char *path, char hex[65], uint64_t *bytes, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(BK_EIO, err, errlen, "cannot read %s: %s", path, strerror(errno));
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char *buf = malloc(CHUNK), out[32];
    unsigned int outlen = 0;
    uint64_t total = 0;
    int rc = md && buf && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 ? 0 : BK_EIO;
    for (size_t got; !rc && (got = fread(buf, 1, CHUNK, f)) > 0; total += got)
        if (EVP_DigestUpdate(md, buf, got) != 1)
            rc = BK_EIO;
    if (!rc && ferror(f))
        rc = fail(BK_EIO, err, errlen, "reading %s: %s", path, strerror(errno));
    if (!rc && EVP_DigestFinal_ex(md, out, &outlen) != 1)
        rc = BK_EIO;
    if (rc && err && !*err)
        fail(rc, err, errlen, "SHA-256 of %s failed", path);
    EVP_MD_CTX_free(md);
    free(buf);
    fclose(f);
    if (rc)
        return rc;
    for (unsigned i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", out[i]);
    if (bytes)
        *bytes = total;
    return 0;
}

/* read-only and immutable: a copy nobody writes, so no locks and no
 * journal are looked for (and nothing is created beside it) */
static sqlite3 *open_copy(const char *path, char *err, size_t errlen)
{
    char *uri = sqlite3_mprintf("file:%s?immutable=1", path);
    sqlite3 *h = NULL;
    int rc = uri ? sqlite3_open_v2(uri, &h, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL)
                 : SQLITE_NOMEM;
    sqlite3_free(uri);
    if (rc != SQLITE_OK) {
        fail(BK_EIO, err, errlen, "cannot open %s: %s", path, h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        sqlite3_close(h);
        return NULL;
    }
    return h;
}

/* the end of a read of the copy: out when the statement ran to its end,
 * else NULL and why ("<doing> <path>: <sqlite's message>") */
static json_t *read_end(sqlite3 *h, sqlite3_stmt *st, int rc, json_t *out, const char *doing, const char *path,
                        char *err, size_t errlen)
{
    if (out && rc != SQLITE_DONE) {
        fail(BK_EIO, err, errlen, "%s %s: %s", doing, path, sqlite3_errmsg(h));
        json_decref(out);
        out = NULL;
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    return out;
}

json_t *bk_table_rows(const char *path, char *err, size_t errlen)
{
    sqlite3 *h = open_copy(path, err, errlen);
    if (!h)
        return NULL;
    json_t *tables = json_object();
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(h,
                                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
                                "ESCAPE '\\' ORDER BY name",
                                -1, &st, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        char *sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\"", name);
        sqlite3_stmt *cnt = NULL;
        rc = sql ? sqlite3_prepare_v2(h, sql, -1, &cnt, NULL) : SQLITE_NOMEM;
        sqlite3_free(sql);
        if (rc == SQLITE_OK && (rc = sqlite3_step(cnt)) == SQLITE_ROW) {
            json_object_set_new(tables, name, json_integer(sqlite3_column_int64(cnt, 0)));
            rc = SQLITE_OK;
        }
        sqlite3_finalize(cnt);
    }
    return read_end(h, st, rc, tables, "counting the rows of", path, err, errlen);
}

/* {"owner": version} from the copy's wh_migrations ({} without the table) */
static json_t *schema_of(const char *path, char *err, size_t errlen)
{
    sqlite3 *h = open_copy(path, err, errlen);
    if (!h)
        return NULL;
    json_t *schema = json_object();
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(h, "SELECT owner, MAX(version) FROM wh_migrations GROUP BY owner ORDER BY owner", -1,
                                &st, NULL);
    if (rc != SQLITE_OK) {
        fail(BK_EFORMAT, err, errlen, "%s is not a Walor database: %s", path, sqlite3_errmsg(h));
        json_decref(schema);
        schema = NULL;
    }
    while (schema && (rc = sqlite3_step(st)) == SQLITE_ROW)
        json_object_set_new(schema, (const char *)sqlite3_column_text(st, 0),
                            json_integer(sqlite3_column_int64(st, 1)));
    return read_end(h, st, rc, schema, "reading wh_migrations of", path, err, errlen);
}

int bk_is_pgdump(const char *path)
{
    char magic[5] = "";
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(magic, 1, sizeof magic, f);
    fclose(f);
    return n == sizeof magic && memcmp(magic, "PGDMP", 5) == 0;
}

json_t *bk_manifest_build(const char *copy_path, const json_t *info, int64_t created_at, char *err, size_t errlen)
{
    char hex[65];
    uint64_t bytes = 0;
    if (bk_sha256_file(copy_path, hex, &bytes, err, errlen) != 0)
        return NULL;
    int pg = bk_is_pgdump(copy_path);
    json_t *schema, *tables;
    if (pg) {
        /* PostgreSQL: the copy is pg_dump's archive, whose tables are read
         * by restoring it. The schema is the host's, read on the same
         * database a moment before the dump (walord never migrates while
         * it runs); rows are not counted in a dump */
        json_t *s = info ? json_object_get(info, "schema") : NULL;
        schema = json_is_object(s) ? json_deep_copy(s) : NULL;
        if (!schema)
            fail(BK_EFORMAT, err, errlen, "the host did not say its schema (walor_host_info)");
        tables = schema ? json_object() : NULL;
    } else {
        schema = schema_of(copy_path, err, errlen);
        tables = schema ? bk_table_rows(copy_path, err, errlen) : NULL;
    }
    if (!tables) {
        json_decref(schema);
        return NULL;
    }
    const char *walord = info ? json_string_value(json_object_get(info, "walord")) : NULL;
    const char *sdk = info ? json_string_value(json_object_get(info, "sdk")) : NULL;
    json_t *plugins = info ? json_object_get(info, "plugins") : NULL;
    plugins = json_is_object(plugins) ? json_deep_copy(plugins) : json_object();
    return json_pack("{s:s, s:i, s:I, s:s, s:s, s:o, s:o, s:{s:s, s:s, s:I, s:s}, s:o}", "format", BK_FORMAT,
                     "version", BK_FORMAT_VERSION, "created_at", (json_int_t)created_at, "walord", walord ? walord : "?",
                     "sdk", sdk ? sdk : "?", "plugins", plugins, "schema", schema, "database", "file",
                     pg ? BK_PGDUMP_NAME : BK_DB_NAME, "engine", pg ? "postgresql" : "sqlite", "bytes",
                     (json_int_t)bytes, "sha256", hex, "tables", tables);
}

/* PRAGMA integrity_check must say exactly "ok" */
static int integrity(const char *path, char *err, size_t errlen)
{
    sqlite3 *h = open_copy(path, err, errlen);
    if (!h)
        return BK_EIO;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL), rows = 0, r = 0;
    char first[200] = "";
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!rows++)
            snprintf(first, sizeof first, "%s", (const char *)sqlite3_column_text(st, 0));
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_DONE)
        r = fail(BK_EMISMATCH, err, errlen, "PRAGMA integrity_check of the database failed: %s", sqlite3_errmsg(h));
    else if (rows != 1 || strcmp(first, "ok") != 0)
        r = fail(BK_EMISMATCH, err, errlen, "the database fails PRAGMA integrity_check (%d problem(s), first: %s)",
                 rows, first);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return r;
}

int bk_manifest_verify(const json_t *m, const char *copy_path, char *err, size_t errlen)
{
    json_t *db = json_object_get(m, "database"), *want = json_object_get(m, "tables");
    const char *sha = json_string_value(json_object_get(db, "sha256"));
    json_int_t size = json_integer_value(json_object_get(db, "bytes"));
    char hex[65];
    uint64_t bytes = 0;
    if (!sha || !json_is_object(want))
        return fail(BK_EFORMAT, err, errlen, "the manifest has no database checksum or table list");
    int rc = bk_sha256_file(copy_path, hex, &bytes, err, errlen);
    if (rc)
        return rc;
    if ((json_int_t)bytes != size || strcmp(hex, sha) != 0)
        return fail(BK_EMISMATCH, err, errlen,
                    "the database in the archive is not the one its manifest describes (%llu bytes, sha256 %.16s…; "
                    "the manifest says %lld bytes, %.16s…)",
                    (unsigned long long)bytes, hex, (long long)size, sha);
    if (bk_manifest_is_pg(m)) /* pg_dump's own archive: its checksum is the check */
        return bk_is_pgdump(copy_path) ? 0 : fail(BK_EMISMATCH, err, errlen, "the dump in the archive is not pg_dump's");
    if ((rc = integrity(copy_path, err, errlen)) != 0)
        return rc;
    json_t *got = bk_table_rows(copy_path, err, errlen);
    if (!got)
        return BK_EIO;
    const char *name;
    json_t *v;
    rc = 0;
    json_object_foreach ((json_t *)want, name, v) {
        json_t *g = json_object_get(got, name);
        if (!g || json_integer_value(g) != json_integer_value(v)) {
            rc = fail(BK_EMISMATCH, err, errlen, "table %s: %lld rows, the manifest says %lld", name,
                      g ? (long long)json_integer_value(g) : -1LL, (long long)json_integer_value(v));
            break;
        }
    }
    if (!rc && json_object_size(got) != json_object_size(want))
        rc = fail(BK_EMISMATCH, err, errlen, "the database has %zu tables, the manifest lists %zu",
                  json_object_size(got), json_object_size(want));
    json_decref(got);
    return rc;
}

int bk_manifest_newer(const json_t *m, const json_t *known, char **unknown, char *err, size_t errlen)
{
    json_t *schema = json_object_get(m, "schema");
    const char *owner;
    json_t *v;
    char newer[1024] = "";
    size_t un = 0;
    *unknown = NULL;
    json_object_foreach (schema, owner, v) {
        json_t *k = json_object_get(known, owner);
        if (!k) {
            size_t add = strlen(owner) + 3;
            char *g = realloc(*unknown, un + add);
            if (g) {
                snprintf(g + un, add, "%s%s", un ? ", " : "", owner);
                *unknown = g;
                un += strlen(g + un);
            }
        } else if (json_integer_value(v) > json_integer_value(k)) {
            size_t l = strlen(newer);
            snprintf(newer + l, sizeof newer - l, "%s%s %lld (this walord knows %lld)", l ? ", " : "", owner,
                     (long long)json_integer_value(v), (long long)json_integer_value(k));
        }
    }
    if (*newer)
        return fail(BK_ENEWER, err, errlen, "the backup was made by a newer version: %s", newer);
    return 0;
}

int bk_manifest_is_pg(const json_t *m)
{
    const char *engine = json_string_value(json_object_get(json_object_get(m, "database"), "engine"));
    return engine && strcmp(engine, "postgresql") == 0;
}

int bk_archive_write(const char *zip_path, const char *db_path, const json_t *manifest, char *err, size_t errlen)
{
    const char *entry = bk_manifest_is_pg(manifest) ? BK_PGDUMP_NAME : BK_DB_NAME;
    char *text = json_dumps(manifest, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (!text)
        return fail(BK_EIO, err, errlen, "cannot serialise the manifest");
    int ze = 0;
    zip_t *z = zip_open(zip_path, ZIP_CREATE | ZIP_EXCL, &ze);
    if (!z) {
        zip_error_t e;
        zip_error_init_with_code(&e, ze);
        fail(BK_EIO, err, errlen, "cannot create %s: %s", zip_path, zip_error_strerror(&e));
        zip_error_fini(&e);
        free(text);
        return BK_EIO;
    }
    zip_source_t *ms = zip_source_buffer(z, text, strlen(text), 1); /* frees text */
    zip_source_t *ds = ms ? zip_source_file(z, db_path, 0, -1) : NULL;
    if (!ms)
        free(text);
    int rc = 0;
    if (!ms || zip_file_add(z, BK_MANIFEST_NAME, ms, ZIP_FL_ENC_UTF_8) < 0) {
        zip_source_free(ms);
        zip_source_free(ds);
        rc = fail(BK_EIO, err, errlen, "adding the manifest: %s", zip_strerror(z));
    } else if (!ds || zip_file_add(z, entry, ds, ZIP_FL_ENC_UTF_8) < 0) {
        zip_source_free(ds);
        rc = fail(BK_EIO, err, errlen, "adding %s: %s", db_path, zip_strerror(z));
    }
    if (rc) {
        zip_discard(z);
        return rc;
    }
    /* libzip writes a temporary file beside zip_path and renames it at the
     * end: a failed close (a full disk) leaves no zip_path */
    if (zip_close(z) != 0) {
        rc = fail(BK_EIO, err, errlen, "writing %s: %s", zip_path, zip_strerror(z));
        zip_discard(z);
        unlink(zip_path);
    }
    return rc;
}

static int extract(zip_t *z, const char *name, const char *out_path, char *err, size_t errlen)
{
    zip_file_t *zf = zip_fopen(z, name, 0);
    if (!zf)
        return fail(BK_EFORMAT, err, errlen, "the archive has no readable %s: %s", name, zip_strerror(z));
    int fd = open(out_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        int e = errno;
        zip_fclose(zf);
        return fail(BK_EIO, err, errlen, "cannot create %s: %s", out_path, strerror(e));
    }
    char *buf = malloc(CHUNK);
    int rc = buf ? 0 : fail(BK_EIO, err, errlen, "out of memory");
    for (zip_int64_t got; !rc && (got = zip_fread(zf, buf, CHUNK)) != 0;) {
        if (got < 0) {
            /* a CRC that does not match, a stream cut short */
            rc = fail(BK_EFORMAT, err, errlen, "the archive is damaged: %s: %s", name, zip_file_strerror(zf));
            break;
        }
        for (zip_int64_t off = 0; !rc && off < got;) {
            ssize_t w = write(fd, buf + off, (size_t)(got - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                rc = fail(BK_EIO, err, errlen, "writing %s: %s", out_path, strerror(errno));
            else
                off += w;
        }
    }
    free(buf);
    zip_fclose(zf);
    if (!rc && fsync(fd) != 0)
        rc = fail(BK_EIO, err, errlen, "writing %s: %s", out_path, strerror(errno));
    if (close(fd) != 0 && !rc)
        rc = fail(BK_EIO, err, errlen, "writing %s: %s", out_path, strerror(errno));
    if (rc)
        unlink(out_path);
    return rc;
}

int bk_archive_read(const char *zip_path, const char *db_out, json_t **manifest, char *err, size_t errlen)
{
    *manifest = NULL;
    int ze = 0;
    zip_t *z = zip_open(zip_path, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    if (!z) {
        zip_error_t e;
        zip_error_init_with_code(&e, ze);
        int rc = fail(ze == ZIP_ER_OPEN || ze == ZIP_ER_NOENT || ze == ZIP_ER_READ ? BK_EIO : BK_EFORMAT, err, errlen,
                      "%s is not a readable backup archive: %s", zip_path, zip_error_strerror(&e));
        zip_error_fini(&e);
        return rc;
    }
    zip_stat_t st;
    zip_stat_init(&st);
    int rc = 0;
    if (zip_stat(z, BK_MANIFEST_NAME, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
        rc = fail(BK_EFORMAT, err, errlen, "%s is not a Walor backup: no %s in it", zip_path, BK_MANIFEST_NAME);
    else if (st.size > MANIFEST_MAX)
        rc = fail(BK_EFORMAT, err, errlen, "%s: its manifest is too big", zip_path);
    char *text = rc ? NULL : calloc(1, (size_t)st.size + 1);
    if (!rc && !text)
        rc = fail(BK_EIO, err, errlen, "out of memory");
    if (!rc) {
        zip_file_t *zf = zip_fopen(z, BK_MANIFEST_NAME, 0);
        zip_int64_t got = zf ? zip_fread(zf, text, st.size) : -1;
        char end;
        /* reading past the end is what makes libzip check the CRC */
        if (!zf || got != (zip_int64_t)st.size || zip_fread(zf, &end, 1) != 0)
            rc = fail(BK_EFORMAT, err, errlen, "%s is damaged: its manifest cannot be read", zip_path);
        if (zf)
            zip_fclose(zf);
    }
    json_t *m = NULL;
    if (!rc) {
        json_error_t je;
        m = json_loads(text, 0, &je);
        const char *fmt = json_string_value(json_object_get(m, "format"));
        json_int_t ver = json_integer_value(json_object_get(m, "version"));
        if (!m || !fmt || strcmp(fmt, BK_FORMAT) != 0)
            rc = fail(BK_EFORMAT, err, errlen, "%s is not a Walor backup: its manifest is not one", zip_path);
        else if (ver != BK_FORMAT_VERSION)
            rc = fail(BK_ENEWER, err, errlen, "%s is a backup of format %lld; this walorctl reads format %d", zip_path,
                      (long long)ver, BK_FORMAT_VERSION);
    }
    free(text);
    if (!rc)
        rc = extract(z, bk_manifest_is_pg(m) ? BK_PGDUMP_NAME : BK_DB_NAME, db_out, err, errlen);
    zip_discard(z);
    if (rc)
        json_decref(m);
    else
        *manifest = m;
    return rc;
}
