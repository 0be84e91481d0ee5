#include "pager.h"

#include <string.h>

wh_page wh_page_pick(int64_t total, uint32_t size, const char *arg)
{
    wh_page p = {0, 1, 0, 0};
    if (size == 0)
        size = WH_PAGE_SIZE_DEFAULT;
    if (total > 0)
        p.pages = total / size + (total % size != 0);
    if (arg) {
        size_t n = strspn(arg, "0123456789");
        if (n == 0 || arg[n] != '\0') {
            p.stale = 1;
        } else {
            /* more digits than any page count has: past the end */
            int64_t want = 0;
            for (size_t i = 0; i < n && want < p.pages; i++)
                want = want > (INT64_MAX - 9) / 10 ? p.pages : want * 10 + (arg[i] - '0');
            p.page = want < p.pages ? want : p.pages - 1;
        }
    }
    p.offset = p.page * size;
    return p;
}

