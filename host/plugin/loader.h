/* Plugin loader (ARCHITECTURE.md §3): dlopen, check the descriptor, order
 * by requirements, call load(), apply migrations. A plugin that fails any
 * step is left out with a one-line reason and the host goes on. */
#ifndef WH_LOADER_H
#define WH_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include <walor/plugin.h>

#include "db.h"
#include "registry.h"

/* Checks a descriptor against this host: 0, or -1 with a one-line reason. */
int wh_check_desc(const walor_plugin_desc *d, char *why, size_t whylen);

/* Loads dir/<name>.so for each name, in dependency order. Returns how many
 * were loaded; every refusal is logged as "plugin NAME refused: REASON".
 * With db NULL (walord --check-config) only load() runs: no migrations. */
size_t wh_load_plugins(const char *dir, char *const *names, size_t n, wh_db *db);

/* Leaves out a plugin that loaded but cannot run (a required service is
 * missing): logs "plugin NAME refused: WHY" and forgets its registrations. */
void wh_loader_refuse(wh_plugin *p, const char *why);

/* unload() in reverse order, then dlclose */
void wh_unload_plugins(void);

#endif
