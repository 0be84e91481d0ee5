/* Typed settings: the owner's value in wh_settings, else the ini key,
 * else the registered default. */
#ifndef WH_SETTINGS_H
#define WH_SETTINGS_H

#include <stdint.h>

#include "ctx.h"

/* normalized current value (arena), NULL for an unknown key */
const char *wh_setting_value(walor_ctx *c, const wh_setting *s, int *from_db);
/* validates and stores; on WALOR_EINVAL the Russian reason is in wh_last_error() */
int32_t wh_setting_store(walor_ctx *c, const wh_setting *s, const char *value);
/* a value shown to the owner: "да"/"нет", money formatted, long text cut */
const char *wh_setting_display(walor_ctx *c, const wh_setting *s);

#endif
