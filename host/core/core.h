/* The host's own screens, registered as a built-in plugin named "core":
 * /start, main menu, admin panel, "about us", the settings editor and
 * staff management. */
#ifndef WH_CORE_H
#define WH_CORE_H

#include "ctx.h"

/* registers core's commands, menus, settings and texts */
int32_t wh_core_register(void);
/* the /start screen: photo and greeting from settings, then the main menu */
void wh_core_start(walor_ctx *c);

#endif
