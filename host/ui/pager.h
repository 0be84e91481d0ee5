/* Paged lists (walor_list_show, SDK 1.3, host/ui/list.c): one message of
 * rows with ◀️ ▶️ buttons whose callback data carries the page number.
 * This is the page arithmetic, pure so it is unit-tested directly. */
#ifndef WH_PAGER_H
#define WH_PAGER_H

#include <stdint.h>

#define WH_PAGE_SIZE_DEFAULT 10u

typedef struct wh_page {
    int64_t page;          /* 0-based, always within [0, pages) */
    int64_t pages;         /* at least 1, also for an empty list */
    int64_t offset;        /* of the page's first row */
    int stale;             /* arg was no page number: the first page is shown */
} wh_page;

/* Which page to show of `total` rows, `size` a page, for arg — the text
 * after the list's page_data in the pressed button (NULL: the first page).
 * Digits only; a number past the end (however long) is the last page;
 * anything else (empty, a sign, letters) is stale. Pure. */
wh_page wh_page_pick(int64_t total, uint32_t size, const char *arg);

#endif
