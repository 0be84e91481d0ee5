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

    /* [telegram] */
    char *token;             /* from token, token_file or WALOR_BOT_TOKEN; never log it */
    char *api_root;          /* without a trailing '/' */
    int mode;                /* WH_TG_POLLING or WH_TG_WEBHOOK */
    int poll_timeout;        /* 0-50 s */
    double bulk_rate;        /* messages/s overall for bulk sends */
    double bulk_per_chat_rate;
    int http_timeout;        /* s */
    int max_retries;
    const char *webhook_url; /* NULL when not set */
    char *webhook_secret;    /* from webhook_secret or webhook_secret_file; NULL when not set */

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

/* --check-config: every effective value with its origin, secrets masked. */
void wh_config_dump(const wh_config *c, FILE *out);

void wh_config_free(wh_config *c);

#endif
