#include "error.h"

#include <stdarg.h>
#include <stdio.h>

#include <walor/types.h>

static _Thread_local char last[512];

int32_t wh_error(int32_t err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last, sizeof last, fmt, ap);
    va_end(ap);
    return err;
}

int32_t wh_error_why(char *why, size_t whylen, int32_t err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last, sizeof last, fmt, ap);
    va_end(ap);
    if (why && whylen)
        snprintf(why, whylen, "%s", last);
    return err;
}

const char *wh_last_error(void) { return last; }

void wh_clear_error(void) { last[0] = '\0'; }

const char *wh_strerror(int32_t err)
{
    switch (err) {
    case WALOR_OK: return "ok";
    case WALOR_EINVAL: return "invalid argument";
    case WALOR_ENOMEM: return "out of memory";
    case WALOR_EPHASE: return "called in the wrong phase";
    case WALOR_EEXIST: return "already registered";
    case WALOR_ENOTFOUND: return "not found";
    case WALOR_EDB: return "database error";
    case WALOR_ETG: return "Telegram refused the call";
    case WALOR_EPERM: return "not allowed for this role";
    case WALOR_EBLOCKED: return "the user has blocked the bot";
    case WALOR_ETIMEDOUT: return "timed out";
    case WALOR_EBUSY: return "busy";
    case WALOR_ENOSYS: return "not provided by this host";
    case WALOR_ERANGE: return "out of range";
    case WALOR_ELIMIT: return "limit exceeded";
    case WALOR_ENET: return "network error";
    case WALOR_ECANCELED: return "cancelled";
    default: return "unknown error";
    }
}
