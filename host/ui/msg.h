#ifndef WH_MSG_H
#define WH_MSG_H

#include <stdint.h>

#include "tg.h"

/* maps Telegram's failure answer to WALOR_E* with the description as detail */
int32_t wh_tg_result_err(const wh_tg_result *r);

/* the rows of src appended below dst's (src may be NULL) */
int32_t wh_msg_kb_append(walor_kb *dst, const walor_kb *src);

#endif
