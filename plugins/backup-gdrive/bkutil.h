/* What the pure files of backup_gdrive_pure share (bkarchive, bkcrypt, bkjwt) and
 * the plugin and walorctl use alike. */
#ifndef BACKUP_GDRIVE_BKUTIL_H
#define BACKUP_GDRIVE_BKUTIL_H

#include <stddef.h>

/* printf into err (errlen bytes, may be 0) and return rc */
int bk_fail(int rc, char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The first line of a secret file (a passphrase, a systemd credential),
 * without its line end; malloc'd, NULL when unreadable or empty. Wipe it
 * with bk_forget. */
char *bk_read_secret(const char *path);
void bk_forget(char *secret);

#endif
