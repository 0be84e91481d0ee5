/* Small helpers of backup_gdrive_pure (bkutil.h). */
#include "bkutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bk_fail(int rc, char *err, size_t n, const char *fmt, ...)
{
    if (err && n) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, n, fmt, ap);
        va_end(ap);
    }
    return rc;
}

char *bk_read_secret(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char buf[1024];
    char *line = fgets(buf, sizeof buf, f);
    fclose(f);
    if (!line)
        return NULL;
    buf[strcspn(buf, "\r\n")] = '\0';
    char *s = *buf ? strdup(buf) : NULL;
    memset(buf, 0, sizeof buf);
    return s;
}

void bk_forget(char *secret)
{
    if (secret) {
        memset(secret, 0, strlen(secret));
        free(secret);
    }
}
