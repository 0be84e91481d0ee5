/* backup-gdrive: daily verified backups sent to the owners in Telegram and
 * uploaded to Google Drive, their history and downloads, restored with
 * `walorctl restore` (README.md). This file reads the configuration,
 * registers the parts and holds the helpers they share. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "bk.h"
#include "bkutil.h"

/* texts.c */
extern const char *const bk_texts[][2];
extern const size_t bk_ntexts;

bk_conf bk_cfg;
static char run_token[33];

const char *bk_t(walor_ctx *c, const char *key) { return walor_text(c, key); }
char *bk_num(walor_ctx *c, int64_t n) { return walor_ctx_printf(c, "%lld", (long long)n); }
const char *bk_token(void) { return run_token; }

char *bk_size(walor_ctx *c, int64_t bytes)
{
    if (bytes >= 1024 * 1024)
        return walor_ctx_printf(c, "%s МБ", walor_number(c, (bytes * 10 + 512 * 1024) / (1024 * 1024), 1));
    if (bytes >= 1024)
        return walor_ctx_printf(c, "%s КБ", walor_number(c, (bytes + 512) / 1024, 0));
    return walor_ctx_printf(c, "%lld Б", (long long)bytes);
}

char *bk_when(walor_ctx *c, int64_t t)
{
    char *s = walor_time_format(c, t, "%d.%m.%Y %H:%M");
    return s ? s : "—";
}

int64_t bk_setting(walor_ctx *c, const char *key, int64_t dflt)
{
    return walor_setting_or(c, walor_ctx_printf(c, "backup-gdrive.%s", key), dflt);
}

char *bk_path(walor_ctx *c, const char *name) { return walor_ctx_printf(c, "%s/%s", bk_cfg.dir, name); }

int32_t bk_tell_owners(walor_ctx *c, const char *html)
{
    int32_t rc = walor_notify_staff(c, WALOR_ROLE_OWNER, html, NULL);
    if (rc < 0)
        walor_log(c, WALOR_LOG_WARN, "backup-gdrive: telling the owners: %s", walor_last_error(c));
    return rc < 0 ? rc : 0;
}

/* ---- configuration ---- */

static const char *cfg(walor_plugin *p, const char *key, const char *dflt)
{
    const char *v = walor_plugin_config(p, key);
    return v && *v ? v : dflt;
}

static int64_t cfg_int(walor_plugin *p, const char *key, int64_t dflt, int64_t min, int64_t max, int32_t *rc)
{
    const char *v = walor_plugin_config(p, key);
    if (!v || !*v)
        return dflt;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    while (*end == ' ')
        end++;
    if (errno || *end || n < min || n > max) {
        char why[128];
        snprintf(why, sizeof why, "expected a whole number from %lld to %lld, got \"%s\"", (long long)min,
                 (long long)max, v);
        if (walor_config_invalid(p, key, 0, why) < 0)
            *rc = WALOR_EINVAL;
        return dflt;
    }
    return n;
}

static int32_t invalid(walor_plugin *p, const char *key, uint32_t flags, const char *why, int32_t rc)
{
    return walor_config_invalid(p, key, flags, why) < 0 ? WALOR_EINVAL : rc;
}

static int32_t read_config(walor_plugin *p)
{
    int32_t rc = 0;
    bk_conf *k = &bk_cfg;
    k->dir = cfg(p, "dir", "/var/lib/walor/backups");
    if (k->dir[0] != '/')
        rc = invalid(p, "dir", 0, "must be an absolute path (the folder where archives are made and kept)", rc);
    const char *at = cfg(p, "time", "03:30");
    k->hour = -1;
    if (strcmp(at, "off") != 0) {
        int h = -1, m = -1, n = 0;
        if (sscanf(at, "%d:%d%n", &h, &m, &n) != 2 || at[n] || h < 0 || h > 23 || m < 0 || m > 59)
            rc = invalid(p, "time", 0, "expected HH:MM (the daily backup, in the shop's time zone) or off", rc);
        else
            k->hour = h, k->minute = m;
    }
    k->telegram_max = cfg_int(p, "telegram_max_mb", 50, 1, 50, &rc) * 1024 * 1024;
    k->keep_local = (int)cfg_int(p, "keep_local", 3, 1, 1000, &rc);
    k->timeout_ms = (uint32_t)cfg_int(p, "drive_timeout_ms", 60000, 1000, 600000, &rc);
    k->chunk = cfg_int(p, "drive_chunk_kb", 8192, 256, 262144, &rc) * 1024;
    if (k->chunk % (256 * 1024))
        rc = invalid(p, "drive_chunk_kb", 0, "must be a multiple of 256 (Google's resumable upload)", rc);
    k->multipart_max = 5 * 1024 * 1024;

    const char *pf = walor_plugin_config(p, "passphrase_file");
    const char *pass = walor_plugin_config(p, "passphrase");
    bk_forget(k->passphrase);
    k->passphrase = NULL;
    if (pf && *pf && !(k->passphrase = bk_read_secret(pf)))
        rc = invalid(p, "passphrase_file", 0, "cannot read the passphrase from this file", rc);
    else if (!k->passphrase && pass && *pass)
        k->passphrase = strdup(pass);
    if (k->passphrase && strlen(k->passphrase) < 12)
        rc = invalid(p, "passphrase", 0, "too short: use at least 12 characters (it is all that protects the archives)",
                     rc);

    const char *drive = cfg(p, "drive", "off");
    k->api_url = cfg(p, "drive_api_url", "https://www.googleapis.com");
    k->folder_id = walor_plugin_config(p, "drive_folder_id");
    bk_sa_key_free(&k->sa);
    if (!strcmp(drive, "off")) {
        k->drive = BK_DRIVE_OFF;
    } else if (!strcmp(drive, "service_account")) {
        k->drive = BK_DRIVE_SA;
        const char *file = walor_plugin_config(p, "drive_key_file");
        char err[256];
        if (!file || !*file)
            rc = invalid(p, "drive_key_file", 0,
                         "the service account's JSON key file is needed for drive = service_account", rc);
        else if (bk_sa_key_load(file, &k->sa, err, sizeof err) != 0)
            rc = invalid(p, "drive_key_file", 0, err, rc);
        k->token_url =
            cfg(p, "drive_token_url", k->sa.token_uri ? k->sa.token_uri : "https://oauth2.googleapis.com/token");
    } else if (!strcmp(drive, "oauth")) {
        k->drive = BK_DRIVE_OAUTH;
        k->client_id = walor_plugin_config(p, "drive_client_id");
        k->client_secret = walor_plugin_config(p, "drive_client_secret");
        k->refresh_token = walor_plugin_config(p, "drive_refresh_token");
        if (!k->client_id || !*k->client_id || !k->client_secret || !*k->client_secret || !k->refresh_token ||
            !*k->refresh_token)
            rc = invalid(p, "drive_refresh_token", 0,
                         "drive = oauth needs drive_client_id, drive_client_secret and drive_refresh_token", rc);
        k->token_url = cfg(p, "drive_token_url", "https://oauth2.googleapis.com/token");
    } else {
        rc = invalid(p, "drive", 0, "expected off, service_account or oauth", rc);
    }
    if (k->drive != BK_DRIVE_OFF && (!k->folder_id || !*k->folder_id))
        rc = invalid(p, "drive_folder_id", 0,
                     "the id of the shared drive (or of a folder in it) the archives go to is needed", rc);
    if (k->drive != BK_DRIVE_OFF && strncmp(k->api_url, "https://", 8) != 0)
        rc = invalid(p, "drive_api_url", WALOR_CONFIG_LIVE, "expected https://www.googleapis.com", rc);
    return rc;
}

/* ---- the daily backup and the staleness check ---- */

static int32_t daily(walor_ctx *c)
{
    int64_t id = 0;
    int32_t rc = bk_request(c, "daily", 0, &id);
    if (rc == WALOR_EBUSY) {
        walor_log(c, WALOR_LOG_INFO, "backup-gdrive: the daily backup is covered by backup %lld, already under way",
                  (long long)id);
        return 0;
    }
    return rc;
}

static const char HELP[] =
    "Раздел «💾 Бэкапы» в админ-панели (только владельцы):\n"
    "• <b>Сделать бэкап сейчас</b> — копия базы магазина, проверенная и упакованная в архив, придёт вам "
    "документом; она же уходит на Google Диск, если он подключён.\n"
    "• <b>История</b> — когда, какого размера, куда ушёл каждый бэкап, его контрольная сумма и итог; кнопка 📥 "
    "присылает хранящийся архив.\n"
    "• <b>Скачать базу</b> — текущая база (.db) как согласованная копия.\n"
    "Каждую ночь бэкап делается сам. Восстановление — командой <code>walorctl restore ФАЙЛ</code> на сервере "
    "при остановленном боте (руководство оператора).";

static void unload(walor_plugin *p)
{
    (void)p;
    bk_forget(bk_cfg.passphrase);
    bk_sa_key_free(&bk_cfg.sa);
    memset(&bk_cfg, 0, sizeof bk_cfg);
}

static int32_t load(walor_plugin *p)
{
    unsigned char rnd[16];
    if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
        return WALOR_EINVAL;
    for (size_t i = 0; i < sizeof rnd; i++)
        snprintf(run_token + 2 * i, 3, "%02x", rnd[i]);

    int32_t rc = read_config(p);
    static const walor_setting_def settings[] = {
        {.struct_size = sizeof(walor_setting_def),
         .type = WALOR_SET_BOOL,
         .key = "telegram",
         .label = "Бэкапы: присылать архив владельцам в Telegram",
         .default_value = "yes",
         .flags = WALOR_SET_OWNER_EDITABLE},
        {.struct_size = sizeof(walor_setting_def),
         .type = WALOR_SET_INT,
         .key = "keep_daily",
         .label = "Бэкапы на Google Диске: хранить ежедневных",
         .default_value = "7",
         .min = 0,
         .max = 366,
         .flags = WALOR_SET_OWNER_EDITABLE},
        {.struct_size = sizeof(walor_setting_def),
         .type = WALOR_SET_INT,
         .key = "keep_weekly",
         .label = "Бэкапы на Google Диске: хранить еженедельных",
         .default_value = "4",
         .min = 0,
         .max = 520,
         .flags = WALOR_SET_OWNER_EDITABLE},
        {.struct_size = sizeof(walor_setting_def),
         .type = WALOR_SET_INT,
         .key = "keep_monthly",
         .label = "Бэкапы на Google Диске: хранить ежемесячных",
         .default_value = "6",
         .min = 0,
         .max = 240,
         .flags = WALOR_SET_OWNER_EDITABLE},
    };
    for (size_t i = 0; !rc && i < sizeof settings / sizeof settings[0]; i++)
        rc = walor_setting(p, &settings[i]);
    if (!rc)
        rc = walor_migration(p, 1, bk_migration_1);
    if (!rc)
        rc = walor_texts(p, bk_texts, (uint32_t)bk_ntexts);
    if (!rc)
        rc = walor_job(p, "backup", bk_job_backup);
    if (!rc)
        rc = walor_job(p, "upload", bk_job_upload);
    if (!rc)
        rc = walor_job(p, "retain", bk_job_retain);
    if (!rc)
        rc = walor_job(p, "send", bk_job_send);
    if (!rc)
        rc = walor_job(p, "send_db", bk_job_send_db);
    if (!rc && bk_cfg.hour >= 0) {
        char expr[32];
        snprintf(expr, sizeof expr, "%d %d * * *", bk_cfg.minute, bk_cfg.hour);
        const walor_cron_def cron = {
            .struct_size = sizeof cron, .name = "daily", .expr = expr, .flags = WALOR_CRON_CATCH_UP, .fn = daily};
        rc = walor_cron(p, &cron);
    }
    if (!rc)
        rc = walor_help(p, "💾 Бэкапы", HELP, WALOR_ROLE_OWNER);
    if (!rc)
        rc = bk_admin_register(p);
    return rc;
}

WALOR_PLUGIN_DEFINE(.name = "backup-gdrive", .version = "1.0.0",
                    .description = "Ежедневные проверенные бэкапы в Telegram и на Google Диск, история, скачивание",
                    .min_host_minor = 3, .load = load, .unload = unload) /* db_backup, host_info, forms (SDK 1.3) */
