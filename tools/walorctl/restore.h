/* walorctl restore FILE / decrypt FILE OUT: backup-gdrive's archives
 * (plugins/backup-gdrive/README.md), restore.c. */
#ifndef WALORCTL_RESTORE_H
#define WALORCTL_RESTORE_H

/* 0 restored (or, with check_only, could be), 1 refused or failed: the
 * reason on stderr, the database unchanged */
int walorctl_restore(const char *file, const char *pass_file, int check_only);
int walorctl_decrypt(const char *in, const char *out, const char *pass_file);

#endif
