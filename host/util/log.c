#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int min_level = WH_LOG_INFO;
static FILE *logfile;
/* one lock so lines from different workers never interleave mid-line */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void wh_log_set_level(int level) { min_level = level; }

int wh_log_open_file(const char *path)
{
    FILE *f = fopen(path, "a");
    if (!f)
        return -errno;
    setvbuf(f, NULL, _IOLBF, 0);
    pthread_mutex_lock(&lock);
    if (logfile)
        fclose(logfile);
    logfile = f;
    pthread_mutex_unlock(&lock);
    return 0;
}

void wh_log_close(void)
{
    pthread_mutex_lock(&lock);
    if (logfile)
        fclose(logfile);
    logfile = NULL;
    pthread_mutex_unlock(&lock);
}

void wh_vlogf(int level, const char *who, const char *fmt, va_list ap)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    if (level < min_level)
        return;
    if (level < 0 || level > WH_LOG_ERROR)
        level = WH_LOG_ERROR;
    char msg[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char ts[32];
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    pthread_mutex_lock(&lock);
    fprintf(stderr, "%s %s [%s] %s\n", ts, names[level], who, msg);
    if (logfile)
        fprintf(logfile, "%s %s [%s] %s\n", ts, names[level], who, msg);
    pthread_mutex_unlock(&lock);
}

void wh_logf(int level, const char *who, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    wh_vlogf(level, who, fmt, ap);
    va_end(ap);
}
