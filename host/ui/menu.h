#ifndef WH_MENU_H
#define WH_MENU_H

#include <stdint.h>

#include "ctx.h"

/* edit != 0: replace the pressed message instead of sending a new one */
int32_t wh_menu_show_main(walor_ctx *c, int edit);
int32_t wh_menu_show_admin(walor_ctx *c, int edit);
/* the main menu as c->user_id with c->role sees it, built without an
 * update (c->update may be NULL): for re-sending it to every user */
int32_t wh_menu_render_main(walor_ctx *c, const char **text, walor_kb **kb);

#endif
