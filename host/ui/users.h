/* Users as the host knows them: registration on first contact (F-HOST-05),
 * roles (owners from config, managers and testers granted in the bot,
 * F-HOST-02) and the "blocked the bot" mark. */
#ifndef WH_USERS_H
#define WH_USERS_H

#include <stdint.h>

#include <jansson.h>

#include "db.h"

/* Registers or refreshes the user in `from` (a Telegram User object);
 * *is_new tells whether this was the first contact. Returns the role. */
int32_t wh_user_touch(wh_db *db, json_t *from, int64_t now, uint32_t *role, int *is_new);
int wh_is_owner(int64_t user_id);
uint32_t wh_user_role(wh_db *db, int64_t user_id);
int32_t wh_user_set_role(wh_db *db, int64_t user_id, uint32_t role);
int32_t wh_user_set_blocked(wh_db *db, int64_t user_id, int blocked);

#endif
