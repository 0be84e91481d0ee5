/* Which backups to keep (F-BAK-02 retention): every backup of the last
 * `daily` days that have one, the newest of each of the last `weekly` ISO
 * weeks and of the last `monthly` calendar months, in the shop's time zone
 * (the process's TZ, which walord sets), and always the newest of all.
 * The rest may be deleted. Pure; tests/unit/plugins/backup-gdrive. */
#ifndef BACKUP_GDRIVE_BKRETAIN_H
#define BACKUP_GDRIVE_BKRETAIN_H

#include <stddef.h>
#include <stdint.h>

typedef struct bk_keep_item {
    int64_t created; /* UTC epoch s */
    int keep;        /* out: 1 = keep */
} bk_keep_item;

/* Sets keep of every item (any order); returns how many are kept.
 * Negative counts are taken as 0. */
size_t bk_retain(bk_keep_item *items, size_t n, int daily, int weekly, int monthly);

#endif
