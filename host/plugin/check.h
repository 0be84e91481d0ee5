/* Go-live checks: what a configuration that parses may still get wrong
 * (no plugin enabled, an empty conf_dir, an example address or a
 * provider's test account left in a live shop). walord --check-config and
 * walorctl check-config run them with every enabled plugin loaded without
 * a database, so each plugin judges its own keys (walor_config_invalid,
 * SDK 1.3); every start runs them again, so walord never serves a shop
 * whose configuration --check-config would refuse.
 *
 * A problem names the file and line of the value (or of the plugin's
 * section when the key is missing). Severity: an error stops the start;
 * a live problem is an error in a live shop and a warning with
 * [walor] test_mode or demo; a warning never stops anything. */
#ifndef WH_CHECK_H
#define WH_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

struct walor_plugin;

/* Forgets earlier problems and runs the host's own checks of c, read
 * from path. Call it again after reloading. */
void wh_check_host(const wh_config *c, const char *path);

/* The plugins to load: [walor] plugins, else every [plugin.X] enabled.
 * A NULL-terminated array of malloc'd names; free with wh_check_names_free. */
char **wh_check_plugin_names(const wh_config *c, size_t *n);
void wh_check_names_free(char **names, size_t n);

/* The slot walor_config_invalid: 0 or WALOR_EINVAL (see api.h). */
int32_t wh_check_plugin_value(struct walor_plugin *p, const char *key, uint32_t flags, const char *why);

/* The loader's refusals: problems only while wh_check_config runs (at a
 * normal start walord goes on without the plugin, as it always has). */
void wh_check_refused(const char *name, const char *why);

/* At start, after the plugins loaded: logs every problem (errors with
 * wh_err, the rest with wh_warn); returns the number of errors. */
size_t wh_check_log(void);

/* --check-config: the host checks of wh_g.cfg (read from path), then
 * every enabled plugin's load() without a database; prints the problems to
 * out, one "file:line: section.key: why" line each; returns the errors. */
size_t wh_check_config(const char *path, FILE *out);

/* --check-config as walord and walorctl print it: every effective value
 * (stdout), the problems (stderr), the verdict; 0 or 2 (the exit code). */
int wh_check_config_main(const char *path);

#endif
