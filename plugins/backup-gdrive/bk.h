/* backup-gdrive: declarations shared by the plugin's files (README.md).
 *
 *   backup.c   load(): configuration, settings, tables, jobs, the daily cron
 *   run.c      a backup: request (one at a time), copy, manifest, zip,
 *              encrypt, history, Telegram, local retention, downloads
 *   gdrive.c   Google: access tokens (service account JWT or OAuth refresh
 *              token), Drive's error text, the Drive calls
 *   upload.c   the Drive upload as chunk-sized job steps, retention on Drive
 *   admin.c    the owner's section "💾 Бэкапы"
 *   texts.c    every text the owner reads
 *   bk*.c      the pure format library (backup_gdrive_pure), shared with walorctl */
#ifndef BACKUP_GDRIVE_BK_H
#define BACKUP_GDRIVE_BK_H

#include <walor/plugin.h>

#include "bkjwt.h"

#define BK_DRIVE_OFF 0
#define BK_DRIVE_SA 1    /* a service account's key, into a shared drive */
#define BK_DRIVE_OAUTH 2 /* a user's OAuth client and refresh token */

/* the [plugin.backup-gdrive] keys, read once in load() (backup.c) */
typedef struct bk_conf {
    const char *dir;                                       /* where archives are made and kept */
    int hour, minute;                                      /* the daily backup, shop's zone; hour < 0: none */
    int64_t telegram_max;                                  /* bytes a document may have (Telegram: 50 MB) */
    int keep_local;                                        /* archives kept in dir */
    char *passphrase;                                      /* NULL: archives are not encrypted */
    int drive;                                             /* BK_DRIVE_* */
    bk_sa_key sa;                                          /* BK_DRIVE_SA */
    const char *client_id, *client_secret, *refresh_token; /* BK_DRIVE_OAUTH */
    const char *token_url;                                 /* where tokens come from */
    const char *api_url;                                   /* "https://www.googleapis.com", no trailing / */
    const char *folder_id;                                 /* the shared drive or folder the archives go to */
    int64_t chunk;                                         /* bytes per resumable PUT, a multiple of 256 KiB */
    int64_t multipart_max;                                 /* archives up to this go in one multipart request */
    uint32_t timeout_ms;                                   /* per Google request */
} bk_conf;
extern bk_conf bk_cfg;

/* ---- small helpers (backup.c) ---- */
const char *bk_t(walor_ctx *c, const char *key); /* walor_text */
char *bk_num(walor_ctx *c, int64_t n);
char *bk_size(walor_ctx *c, int64_t bytes); /* "1,2 МБ", "640 КБ" */
char *bk_when(walor_ctx *c, int64_t t);     /* "01.05.2026 03:30", shop's zone */
const char *bk_token(void);                 /* this process's run token */
int64_t bk_setting(walor_ctx *c, const char *key, int64_t dflt);
/* a file in bk_cfg.dir (arena) */
char *bk_path(walor_ctx *c, const char *name);
/* every owner: a message, each one a document; a blocked owner is no failure */
int32_t bk_tell_owners(walor_ctx *c, const char *html);

/* ---- backups (run.c) ---- */
/* Queues a backup (reason "daily" or "manual", by: who asked, 0 = the
 * schedule). WALOR_EBUSY when one is queued or running already (its id in
 * *id): two backups never run at once. */
int32_t bk_request(walor_ctx *c, const char *reason, int64_t by, int64_t *id);
int32_t bk_job_backup(walor_ctx *c, json_t *payload);
int32_t bk_job_send(walor_ctx *c, json_t *payload);    /* a kept archive to the owner who asked */
int32_t bk_job_send_db(walor_ctx *c, json_t *payload); /* the live database, as a consistent copy */
/* the newest keep_local archives stay in the folder (and any still waiting
 * for Drive); older ones are deleted there */
void bk_prune_local(walor_ctx *c);
/* a running backup left by a walord that stopped: marked failed */
int32_t bk_forget_stale(walor_ctx *c);
extern const char bk_migration_1[];

/* ---- Google (gdrive.c) ---- */
/* An access token (cached until a minute before it expires). 0, or an
 * error with *why: the token endpoint's own text ("invalid_grant: …"). */
int32_t bk_gd_token(walor_ctx *c, const char **token, const char **why);
void bk_gd_token_forget(void);
/* Drive's error text of a response: "403 storageQuotaExceeded: …" */
const char *bk_gd_error(walor_ctx *c, const walor_http_response *r);
/* Drive's error reason ("storageQuotaExceeded"), "" when none */
const char *bk_gd_reason(walor_ctx *c, const walor_http_response *r);
/* a Drive call with the bearer token: method, path below api_url, extra
 * headers (NULL-terminated, may be NULL), body */
int32_t bk_gd_call(walor_ctx *c, const char *method, const char *url, const char *const *headers,
                   const char *content_type, const void *body, size_t len, uint64_t max_response,
                   walor_http_response *out, const char **why);
/* the bytes of a Drive file (alt=media), at most max bytes; *data in the arena */
int32_t bk_gd_download(walor_ctx *c, const char *file_id, uint64_t max, const void **data, size_t *len,
                       const char **why);

/* ---- the upload and Drive's retention (upload.c) ---- */
int32_t bk_job_upload(walor_ctx *c, json_t *payload);
int32_t bk_job_retain(walor_ctx *c, json_t *payload);
/* schedules the upload of backup id (inside the caller's transaction) */
int32_t bk_upload_schedule(walor_ctx *c, int64_t id);

/* ---- the owner's section (admin.c) ---- */
int32_t bk_admin_register(walor_plugin *p);

#endif
