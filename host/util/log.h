/* Host logging: one line per event to stderr (and a log file when set),
 * "2026-11-24T03:56:33Z level [who] message". Never pass secrets. */
#ifndef WH_LOG_H
#define WH_LOG_H

#include <stdarg.h>
#include <stdint.h>

#define WH_LOG_DEBUG 0
#define WH_LOG_INFO 1
#define WH_LOG_WARN 2
#define WH_LOG_ERROR 3

void wh_log_set_level(int level);
int wh_log_open_file(const char *path); /* 0 or -errno; stderr always gets lines too */
void wh_log_close(void);
void wh_vlogf(int level, const char *who, const char *fmt, va_list ap);
void wh_logf(int level, const char *who, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define wh_debug(...) wh_logf(WH_LOG_DEBUG, "host", __VA_ARGS__)
#define wh_info(...) wh_logf(WH_LOG_INFO, "host", __VA_ARGS__)
#define wh_warn(...) wh_logf(WH_LOG_WARN, "host", __VA_ARGS__)
#define wh_err(...) wh_logf(WH_LOG_ERROR, "host", __VA_ARGS__)

#endif
