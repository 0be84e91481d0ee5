/* walorctl: the operator's command line next to walord (docs/operator-guide.md).
 *
 *   walorctl [--config FILE] check-config | plugins | migrate | jobs | users [--role R] | stock-check
 *            | setup | backup FILE [--replace] | restore FILE [--check] [--passphrase-file F]
 *            | decrypt FILE OUT [--passphrase-file F] | migrate-db SQLITE_FILE CONNINFO
 *
 * It links the host's own code (walorcore), so it reads walor.ini and
 * conf.d exactly as walord does and opens the same database, through
 * SQLite only (docs/RELIABILITY.md): it never opens, copies or renames the
 * database files itself, so it is safe next to a running walord. Only
 * check-config runs plugins' load() (without a database, as walord
 * --check-config does); `plugins` only reads their descriptors. Exit codes: 0 ok,
 * 1 the command failed, 2 bad usage or configuration. */
#include <dirent.h>
#include <dlfcn.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <walor/plugin.h>

#include "api_slots.h"
#include "check.h"
#include "config.h"
#include "db.h"
#include "error.h"
#include "host.h"
#include "inbox.h"
#include "loader.h"
#include "log.h"
#include "registry.h"
#include "schema.h"
#include "restore.h"
#include "setup.h"
#include "migrate_db.h"
#include "stock_check.h"

static void usage(FILE *to)
{
    fputs("usage: walorctl [--config FILE] COMMAND\n"
          "  check-config       validate the configuration and print it (secrets hidden)\n"
          "  plugins            plugin files in plugin_dir: name, version, SDK, enabled\n"
          "  migrate            apply the host's database migrations\n"
          "                     (plugins' migrations are applied by walord when it starts)\n"
          "  jobs               pending one-shot jobs (table wh_jobs), if any\n"
          "  users [--role R]   users with their role and blocked mark;\n"
          "                     R: client, tester, manager, owner (or 0-3)\n"
          "  stock-check        the warehouse's stock levels equal the sum of its ledger\n"
          "  setup              ask for the values a shop must give (token, owner, public\n"
          "                     address, CDEK and payment accounts, INN) and write them\n"
          "  backup FILE [--replace]\n"
          "                     a consistent copy of the database into FILE, checked with\n"
          "                     PRAGMA integrity_check; safe while walord runs. An existing\n"
          "                     FILE is replaced only with --replace (PostgreSQL: pg_dump's\n"
          "                     custom format, checked with pg_restore --list)\n"
          "  migrate-db SQLITE_FILE CONNINFO\n"
          "                     copy a shop from its SQLite file to PostgreSQL (walord\n"
          "                     stopped; the schema made first by walord --migrate),\n"
          "                     checked by row counts and sums in one transaction\n"
          "  restore FILE [--check] [--passphrase-file F]\n"
          "                     put a backup-gdrive archive (.zip or .zip.enc) in place of\n"
          "                     the database: verified first (manifest, sha256,\n"
          "                     integrity_check, schema not newer than this walord), refused\n"
          "                     while walord runs, the current database kept aside;\n"
          "                     --check verifies only\n"
          "  decrypt FILE OUT [--passphrase-file F]\n"
          "                     an encrypted archive (.zip.enc) back into its .zip\n"
          "FILE defaults to $WALOR_CONFIG, else /etc/walor/walor.ini.\n",
          to);
}

/* Outside walord.service the secrets the unit loads as credentials
 * (packaging/systemd/walord.service: LoadCredential=) are read from
 * credentials/ next to the main file, when this user may read it (root). */
static void use_unit_credentials(const char *config)
{
    char dir[4096];
    const char *slash = strrchr(config, '/');
    if (getenv("CREDENTIALS_DIRECTORY"))
        return;
    if (slash)
        snprintf(dir, sizeof dir, "%.*s/credentials", (int)(slash - config), config);
    else
        snprintf(dir, sizeof dir, "credentials");
    if (access(dir, R_OK | X_OK) == 0)
        setenv("CREDENTIALS_DIRECTORY", dir, 1);
}

static const char *role_names[] = {"client", "tester", "manager", "owner"};

static int is_owner(int64_t id)
{
    for (size_t i = 0; i < wh_g.cfg.nowners; i++)
        if (wh_g.cfg.owners[i] == id)
            return 1;
    return 0;
}

static void fmt_time(int64_t t, char *buf, size_t len)
{
    if (t <= 0) {
        snprintf(buf, len, "-");
        return;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(buf, len, "%d.%m.%Y %H:%M", &tm);
}

/* [walor] db as it may be printed: a conninfo's password as *** */
static const char *shown_db(void)
{
    static char *shown;
    if (!shown)
        shown = wh_db_display(wh_g.cfg.db);
    return shown ? shown : "";
}

/* An existing Walor database only: a typo in the path must not create an
 * empty one, and another application's database is left as it is. */
static wh_db *open_existing(void)
{
    if (!wh_db_is_conninfo(wh_g.cfg.db) && access(wh_g.cfg.db, F_OK) != 0) {
        fprintf(stderr, "walorctl: the database %s does not exist (has walord run yet?)\n", shown_db());
        return NULL;
    }
    char err[512];
    wh_db *db = wh_db_open_existing(wh_g.cfg.db, err, sizeof err);
    if (!db) {
        fprintf(stderr, "walorctl: %s\n", err);
        return NULL;
    }
    int32_t rc = wh_db_is_walor(db);
    if (rc < 0) {
        fprintf(stderr, "walorctl: %s: %s\n", shown_db(), wh_last_error());
        wh_db_close(db);
        return NULL;
    }
    return db;
}

/* ---- plugins ---- */

typedef struct plug_row {
    char *file;
    char *line;
} plug_row;

static int by_file(const void *a, const void *b) { return strcmp(((const plug_row *)a)->file, ((const plug_row *)b)->file); }

static char *describe(const char *dir, const char *file)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    char *line = NULL;
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        const char *e = dlerror();
        if (asprintf(&line, "%-28s  cannot be loaded: %s", file, e ? e : "?") < 0)
            line = NULL;
        return line;
    }
    walor_plugin_entry_fn entry = (walor_plugin_entry_fn)(uintptr_t)dlsym(dl, WALOR_PLUGIN_ENTRY_SYMBOL);
    const walor_plugin_desc *d = entry ? entry() : NULL;
    int r;
    if (!d)
        r = asprintf(&line, "%-28s  not a Walor plugin (no %s)", file, WALOR_PLUGIN_ENTRY_SYMBOL);
    else if (d->magic != WALOR_PLUGIN_MAGIC || d->struct_size < offsetof(walor_plugin_desc, load))
        r = asprintf(&line, "%-28s  not a Walor plugin (wrong magic or descriptor size)", file);
    else {
        const char *why = d->sdk_major != WALOR_SDK_MAJOR      ? "  [refused: other SDK major]"
                          : d->min_host_minor > WALOR_SDK_MINOR ? "  [refused: needs a newer walord]"
                                                                : "";
        const char *name = d->name ? d->name : "?";
        r = asprintf(&line, "%-28s  %-16s %-10s SDK %u.%u (host >= 1.%u)  %-8s %s%s", file, name,
                     d->version ? d->version : "?", d->sdk_major, d->sdk_minor, d->min_host_minor,
                     wh_config_plugin_enabled(&wh_g.cfg, name) ? "enabled" : "-",
                     d->description ? d->description : "", why);
    }
    if (r < 0)
        line = NULL;
    dlclose(dl);
    return line;
}

static int cmd_plugins(void)
{
    const char *dir = wh_g.cfg.plugin_dir;
    DIR *dp = opendir(dir);
    if (!dp) {
        fprintf(stderr, "walorctl: cannot open plugin_dir %s\n", dir);
        return 1;
    }
    plug_row *rows = NULL;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(dp)) != NULL;) {
        size_t l = strlen(e->d_name);
        if (l < 4 || strcmp(e->d_name + l - 3, ".so") != 0)
            continue;
        plug_row *g = realloc(rows, (n + 1) * sizeof *rows);
        if (!g)
            break;
        rows = g;
        rows[n].file = strdup(e->d_name);
        rows[n].line = NULL;
        if (rows[n].file)
            n++;
    }
    closedir(dp);
    if (n > 1)
        qsort(rows, n, sizeof *rows, by_file);
    printf("plugin_dir %s: %zu plugin file(s); this walorctl speaks SDK %d.%d\n", dir, n, WALOR_SDK_MAJOR,
           WALOR_SDK_MINOR);
    for (size_t i = 0; i < n; i++) {
        char *line = describe(dir, rows[i].file);
        puts(line ? line : rows[i].file);
        free(line);
        free(rows[i].file);
    }
    free(rows);
    return 0;
}

/* ---- migrate ---- */

static int cmd_migrate(void)
{
    char err[512];
    wh_db *db = wh_db_open(wh_g.cfg.db, err, sizeof err);
    if (!db) {
        fprintf(stderr, "walorctl: %s\n", err);
        return 1;
    }
    if (wh_schema_migrate(db) != 0 || wh_inbox_migrate(db) != 0) {
        fprintf(stderr, "walorctl: host migrations failed: %s\n", wh_last_error());
        wh_db_close(db);
        return 1;
    }
    printf("host migrations applied to %s\n", shown_db());
    wh_rows *r = NULL;
    if (wh_db_query(db, "SELECT owner, MAX(version) FROM wh_migrations GROUP BY owner ORDER BY owner", NULL, 0, &r) ==
        0) {
        while (wh_rows_next(r) == 1)
            printf("  %-20s version %lld\n", wh_rows_text(r, 0), (long long)wh_rows_int(r, 1));
        wh_rows_close(r);
    }
    puts("plugins' migrations are applied by walord when it starts and loads them");
    wh_db_close(db);
    return 0;
}

/* ---- jobs ---- */

static int cmd_jobs(void)
{
    wh_db *db = open_existing();
    if (!db)
        return 1;
    if (wh_db_has_table(db, "wh_jobs") != 1) {
        puts("no job table (wh_jobs) in this database: no one-shot jobs");
        wh_db_close(db);
        return 0;
    }
    /* the scheduler owns the table; show the columns of this list it has */
    static const char *const wanted[] = {"id", "plugin", "name", "key", "run_at", "attempts", "last_error"};
    int have[sizeof wanted / sizeof *wanted] = {0};
    int has_done = 0;
    wh_rows *r = NULL;
    if (wh_db_query(db,
                    wh_db_shared(db) ? "SELECT column_name FROM information_schema.columns WHERE table_name = 'wh_jobs'"
                                     : "SELECT name FROM pragma_table_info('wh_jobs')",
                    NULL, 0, &r) == 0) {
        while (wh_rows_next(r) == 1) {
            const char *col = wh_rows_text(r, 0);
            for (size_t i = 0; col && i < sizeof wanted / sizeof *wanted; i++)
                if (strcmp(col, wanted[i]) == 0)
                    have[i] = 1;
            if (col && strcmp(col, "done") == 0)
                has_done = 1;
        }
        wh_rows_close(r);
    }
    /* the SQL is built from the fixed column names above, never from input */
    char sql[512] = "SELECT ";
    int ncols = 0, run_at_col = -1;
    for (size_t i = 0; i < sizeof wanted / sizeof *wanted; i++) {
        if (!have[i])
            continue;
        if (strcmp(wanted[i], "run_at") == 0)
            run_at_col = ncols;
        strcat(sql, ncols ? ", " : "");
        strcat(sql, wanted[i]);
        ncols++;
    }
    if (!ncols) {
        puts("wh_jobs has none of the expected columns");
        wh_db_close(db);
        return 0;
    }
    strcat(sql, " FROM wh_jobs");
    if (has_done)
        strcat(sql, " WHERE done = 0");
    if (have[4])
        strcat(sql, " ORDER BY run_at");
    strcat(sql, " LIMIT 1000");
    if (wh_db_query(db, sql, NULL, 0, &r) != 0) {
        fprintf(stderr, "walorctl: %s\n", wh_last_error());
        wh_db_close(db);
        return 1;
    }
    for (size_t i = 0; i < sizeof wanted / sizeof *wanted; i++)
        if (have[i])
            printf("%s%s", i ? "\t" : "", wanted[i]);
    putchar('\n');
    size_t n = 0;
    while (wh_rows_next(r) == 1) {
        for (int k = 0; k < ncols; k++) {
            char buf[64];
            const char *v = wh_rows_text(r, (uint32_t)k);
            if (k == run_at_col) {
                fmt_time(wh_rows_int(r, (uint32_t)k), buf, sizeof buf);
                v = buf;
            }
            printf("%s%s", k ? "\t" : "", v ? v : "-");
        }
        putchar('\n');
        n++;
    }
    wh_rows_close(r);
    printf("%zu pending job(s)\n", n);
    wh_db_close(db);
    return 0;
}

/* ---- backup ---- */

static int cmd_backup(const char *dest, int replace)
{
    wh_db *db = open_existing();
    if (!db)
        return 1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int32_t rc = wh_db_backup(db, dest, replace ? WH_BACKUP_REPLACE : 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    wh_db_close(db);
    if (rc < 0) {
        fprintf(stderr, "walorctl: %s%s\n", wh_last_error(),
                rc == WALOR_EEXIST ? " (choose another name, or add --replace)" : "");
        return 1;
    }
    struct stat st;
    long long size = stat(dest, &st) == 0 ? (long long)st.st_size : -1;
    printf("backup of %s written to %s: %lld bytes, integrity ok, %lld ms\n", shown_db(), dest, size,
           (long long)(t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
    return 0;
}

/* ---- users ---- */

static int parse_role(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, role_names[i]) == 0)
            return i;
    if (s[0] >= '0' && s[0] <= '3' && s[1] == '\0')
        return s[0] - '0';
    return -1;
}

static int cmd_users(int role_filter)
{
    wh_db *db = open_existing();
    if (!db)
        return 1;
    wh_rows *r = NULL;
    if (wh_db_query(db,
                    "SELECT id, role, blocked, first_name, last_name, username, registered_at, seen_at "
                    "FROM wh_users ORDER BY id",
                    NULL, 0, &r) != 0) {
        fprintf(stderr, "walorctl: %s\n", wh_last_error());
        wh_db_close(db);
        return 1;
    }
    printf("%-14s %-8s %-7s %-16s %-16s %s\n", "id", "role", "blocked", "registered", "last seen", "name");
    size_t n = 0;
    while (wh_rows_next(r) == 1) {
        int64_t id = wh_rows_int(r, 0), role = wh_rows_int(r, 1);
        /* as walord decides it: owners come from the config, the DB grants at most manager */
        int eff = is_owner(id) ? 3 : role > 2 ? 2 : role < 0 ? 0 : (int)role;
        if (role_filter >= 0 && eff != role_filter)
            continue;
        char reg[32], seen[32];
        fmt_time(wh_rows_int(r, 6), reg, sizeof reg);
        fmt_time(wh_rows_int(r, 7), seen, sizeof seen);
        const char *first = wh_rows_text(r, 3), *last = wh_rows_text(r, 4), *user = wh_rows_text(r, 5);
        printf("%-14lld %-8s %-7s %-16s %-16s %s%s%s%s%s\n", (long long)id, role_names[eff],
               wh_rows_int(r, 2) ? "yes" : "no", reg, seen, first ? first : "", last ? " " : "", last ? last : "",
               user ? " @" : "", user ? user : "");
        n++;
    }
    wh_rows_close(r);
    printf("%zu user(s)\n", n);
    wh_db_close(db);
    return 0;
}

int main(int argc, char **argv)
{
    const char *config = getenv("WALOR_CONFIG");
    if (!config || !*config)
        config = "/etc/walor/walor.ini";
    const char *role = NULL;
    int replace = 0, check_only = 0;
    const char *pass_file = NULL;
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {"role", required_argument, NULL, 'r'},
                                         {"replace", no_argument, NULL, 'R'},
                                         {"check", no_argument, NULL, 'K'},
                                         {"passphrase-file", required_argument, NULL, 'P'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    for (int o; (o = getopt_long(argc, argv, "+c:r:h", opts, NULL)) != -1;) {
        switch (o) {
        case 'c': config = optarg; break;
        case 'r': role = optarg; break;
        case 'R': replace = 1; break;
        case 'K': check_only = 1; break;
        case 'P': pass_file = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[optind];
    /* "users --role R", "backup FILE --replace": options after the command
     * too. The command's own arguments become an argv of their own (the
     * command in argv[0]); optind = 0 makes getopt start over on it, in its
     * default order that lets options follow operands. */
    int sub_argc = argc - optind;
    char **sub_argv = argv + optind;
    optind = 0;
    for (int o; (o = getopt_long(sub_argc, sub_argv, "c:r:", opts, NULL)) != -1;) {
        if (o == 'r')
            role = optarg;
        else if (o == 'c')
            config = optarg;
        else if (o == 'R')
            replace = 1;
        else if (o == 'K')
            check_only = 1;
        else if (o == 'P')
            pass_file = optarg;
        else {
            usage(stderr);
            return 2;
        }
    }
    const char *dest = NULL, *out = NULL, *mig_src = NULL, *mig_dst = NULL;
    int takes_file = !strcmp(cmd, "backup") || !strcmp(cmd, "restore") || !strcmp(cmd, "decrypt");
    if (takes_file && optind < sub_argc)
        dest = sub_argv[optind++];
    if (!strcmp(cmd, "decrypt") && optind < sub_argc)
        out = sub_argv[optind++];
    if (strcmp(cmd, "migrate-db") == 0) {
        if (sub_argc - optind != 2) {
            fprintf(stderr, "walorctl: migrate-db needs the SQLite file and the PostgreSQL conninfo: "
                            "walorctl migrate-db /var/lib/walor/walor.db postgresql://…\n");
            return 2;
        }
        mig_src = sub_argv[optind++];
        mig_dst = sub_argv[optind++];
    }
    if (optind < sub_argc) {
        fprintf(stderr, "walorctl: unexpected argument '%s'\n", sub_argv[optind]);
        return 2;
    }
    if (strcmp(cmd, "backup") == 0 && (!dest || !*dest)) {
        fprintf(stderr, "walorctl: backup needs the file to write: walorctl backup FILE\n");
        return 2;
    }
    if ((!strcmp(cmd, "restore") || !strcmp(cmd, "decrypt")) && (!dest || !*dest)) {
        fprintf(stderr, "walorctl: %s needs the backup file: walorctl %s FILE%s\n", cmd, cmd,
                !strcmp(cmd, "decrypt") ? " OUT" : "");
        return 2;
    }
    if (!strcmp(cmd, "decrypt") && (!out || !*out)) {
        fprintf(stderr, "walorctl: decrypt needs the file to write: walorctl decrypt FILE OUT\n");
        return 2;
    }
    if (check_only && strcmp(cmd, "restore") != 0) {
        fprintf(stderr, "walorctl: --check goes with `restore` only\n");
        return 2;
    }
    if (pass_file && strcmp(cmd, "restore") != 0 && strcmp(cmd, "decrypt") != 0) {
        fprintf(stderr, "walorctl: --passphrase-file goes with `restore` and `decrypt` only\n");
        return 2;
    }
    if (replace && strcmp(cmd, "backup") != 0) {
        fprintf(stderr, "walorctl: --replace goes with `backup` only\n");
        return 2;
    }
    int role_filter = -1;
    if (role && (strcmp(cmd, "users") != 0 || (role_filter = parse_role(role)) < 0)) {
        fprintf(stderr, "walorctl: --role takes client, tester, manager or owner, with `users` only\n");
        return 2;
    }
    static const char *const known[] = {"check-config", "plugins", "migrate", "jobs",    "users",      "stock-check",
                                        "setup",        "backup",  "restore", "decrypt", "migrate-db"};
    int ok = 0;
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        ok |= strcmp(cmd, known[i]) == 0;
    if (!ok) {
        fprintf(stderr, "walorctl: unknown command '%s'\n", cmd);
        usage(stderr);
        return 2;
    }

    /* only errors: the host's info lines would clutter the tool's output */
    wh_log_set_level(WH_LOG_ERROR);
    char err[1024];
    use_unit_credentials(config);
    int32_t lrc = wh_config_load(&wh_g.cfg, config, err, sizeof err);
    if (lrc != 0 && strstr(err, "no bot token") && !getenv("WALOR_BOT_TOKEN")) {
        if (strcmp(cmd, "check-config") == 0)
            fprintf(stderr, "walorctl: warning: %s; not checked here (walord's unit passes it as a credential)\n", err);
        /* only walord talks to Telegram; on a server the token is often a
         * systemd credential that exists inside the unit alone, so the other
         * commands go on with a placeholder the loader accepts */
        wh_config_free(&wh_g.cfg);
        setenv("WALOR_BOT_TOKEN", "0:walorctl-does-not-use-the-token", 1);
        lrc = wh_config_load(&wh_g.cfg, config, err, sizeof err);
    }
    if (lrc != 0) {
        fprintf(stderr, "walorctl: %s\n", err);
        wh_config_free(&wh_g.cfg);
        return 2;
    }
    if (wh_g.cfg.timezone && *wh_g.cfg.timezone) {
        setenv("TZ", wh_g.cfg.timezone, 1); /* times in the shop's zone, as the bot shows them */
        tzset();
    }
    /* the table walord's main() installs: check-config loads the plugins */
    wh_reg.api = wh_api();
    int rc;
    if (strcmp(cmd, "check-config") == 0) {
        rc = wh_check_config_main(config);
    } else if (strcmp(cmd, "setup") == 0) {
        rc = walorctl_setup(config, wh_g.cfg.conf_dir);
    } else if (strcmp(cmd, "plugins") == 0) {
        rc = cmd_plugins();
    } else if (strcmp(cmd, "migrate") == 0) {
        rc = cmd_migrate();
    } else if (strcmp(cmd, "migrate-db") == 0) {
        rc = walorctl_migrate_db(mig_src, mig_dst);
    } else if (strcmp(cmd, "jobs") == 0) {
        rc = cmd_jobs();
    } else if (strcmp(cmd, "backup") == 0) {
        rc = cmd_backup(dest, replace);
    } else if (strcmp(cmd, "restore") == 0) {
        rc = walorctl_restore(dest, pass_file, check_only);
    } else if (strcmp(cmd, "decrypt") == 0) {
        rc = walorctl_decrypt(dest, out, pass_file);
    } else if (strcmp(cmd, "stock-check") == 0) {
        wh_db *db = open_existing();
        rc = db ? walorctl_stock_check(db) : 1;
        if (db)
            wh_db_close(db);
    } else {
        rc = cmd_users(role_filter);
    }
    wh_config_free(&wh_g.cfg);
    return rc;
}
