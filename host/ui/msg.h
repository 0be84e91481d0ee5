#ifndef WH_MSG_H
#define WH_MSG_H

#include <stdint.h>

#include <walor/api.h>

/* the rows of src appended below dst's (src may be NULL) */
int32_t wh_msg_kb_append(walor_kb *dst, const walor_kb *src);

#endif
