#ifndef WH_MENU_H
#define WH_MENU_H

#include <stdint.h>

#include "ctx.h"

/* edit != 0: replace the pressed message instead of sending a new one */
int32_t wh_menu_show_main(walor_ctx *c, int edit);
int32_t wh_menu_show_admin(walor_ctx *c, int edit);

#endif
