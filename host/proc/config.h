/* walord's configuration: walor.ini, then the conf.d ini files in sorted order
 * (a later file overrides an earlier one's keys), then the environment.
 * [walor] and [telegram] are the host's and checked strictly, so a typo
 * is an error with file:line instead of a silently ignored setting; every
 * other section ([plugin.<name>], ...) is kept as text for its owner.
 *
 * Relative paths: db, plugin_dir, log_file, token_file and
 * webhook_secret_file are relative to the working directory (as systemd's
 * WorkingDirectory= sets it); conf_dir is relative to the main file's
 * directory, texts_dir to conf_dir. The fields below hold them resolved. */
#ifndef WH_CONFIG_H
#define WH_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define WH_TG_POLLING 0
#define WH_TG_WEBHOOK 1

/* One effective setting and where it came from: a file and line,
 * "(default)" with line 0, or "env WALOR_..." with line 0. */
typedef struct wh_config_entry {
    char *section;
    char *key;
    char *value;
    char *origin;
    int line;
} wh_config_entry;

typedef struct wh_config {
    /* [walor] */
    const char *db;
    const char *plugin_dir;
    char **plugins;          /* the explicit list; nplugins 0 = every [plugin.X] with enabled = yes */
    size_t nplugins;
    int64_t *owners;
    size_t nowners;
    int workers;             /* 1-64 */
    const char *timezone;
    int log_level;           /* WH_LOG_* */
    const char *log_file;    /* NULL: stderr only */
    int test_mode;
    char *conf_dir;          /* resolved */
    char *texts_dir;         /* resolved */
    const char *shop_name;   /* "" when not set */
    int demo;                /* [walor] demo = yes: tools/run-demo.sh's offline demo */
    char *public_url;        /* where the internet reaches [http] listen, no trailing '/'; NULL when not set */
    char *webhook_master;    /* [walor] webhook_secret(_file): every plugin's webhook secret derives from it; NULL when not set */
    size_t conf_files;       /* .ini files read from conf_dir */

    /* [telegram] */
    char *token;             /* from token, token_file or WALOR_BOT_TOKEN; never log it */
    char *db_password;       /* [walor] db_password(_file) or the credential db-password; never log it */
    char *api_root;          /* without a trailing '/' */
    int mode;                /* WH_TG_POLLING or WH_TG_WEBHOOK */
    int poll_timeout;        /* 0-50 s */
    double bulk_rate;        /* messages/s overall for bulk sends */
    double bulk_per_chat_rate;
    int http_timeout;        /* s */
    int max_retries;
    const char *webhook_url; /* NULL when not set */
    char *webhook_secret;    /* [telegram] webhook_secret(_file), else derived from [walor]'s; NULL when not set */

    /* every effective (section, key) in first-seen order, defaults included */
    wh_config_entry *entries;
    size_t nentries, capentries;
} wh_config;

/* 0 or a negative WALOR_E* with "file:line: reason" in err and in
 * wh_last_error(). The struct is zeroed first; free it either way. */
int32_t wh_config_load(wh_config *c, const char *path, char *err, size_t errlen);

/* The effective raw value, NULL if absent. Valid until wh_config_free(). */
const char *wh_config_get(const wh_config *c, const char *section, const char *key);

/* 1 if the plugin is to be loaded: in [walor] plugins when that list is
 * set, else when [plugin.<name>] enabled is a true word. */
int wh_config_plugin_enabled(const wh_config *c, const char *name);

/* The entry of (section, key), NULL if absent: its origin and line name
 * where a value came from in messages. */
const wh_config_entry *wh_config_entry_of(const wh_config *c, const char *section, const char *key);

/* One scheme for every webhook: the secret of `name` (a plugin, or
 * "telegram") is the first 32 hex digits of HMAC-SHA256(master, "walor
 * webhook " name), so a leaked URL of one provider opens no other plugin's
 * route. out gets "" when [walor] webhook_secret is not set. */
void wh_config_derive_secret(const wh_config *c, const char *name, char out[33]);

/* --check-config: every effective value with its origin, secrets masked. */
void wh_config_dump(const wh_config *c, FILE *out);

void wh_config_free(wh_config *c);

#endif
