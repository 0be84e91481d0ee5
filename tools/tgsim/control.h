/* The /_sim/ control API shared state: what a control request handler needs. */
#ifndef TGSIM_CONTROL_H
#define TGSIM_CONTROL_H

#include <jansson.h>

#include "http.h"
#include "sim.h"

typedef struct tgsim_ctl {
    tgsim_req *r;
    tgsim_sim *s;
    json_t *p;          /* query + JSON body */
    tgsim_reply *out;
    tgsim_bot *bot;     /* ?bot= / "bot", default the first */
} tgsim_ctl;

void tgsim_ctl_reply(tgsim_ctl *x, int status, json_t *j);
void tgsim_ctl_error(tgsim_ctl *x, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* POST /_sim/users/{id}/{action}; the lock is held. */
void tgsim_useract(tgsim_ctl *x, tgsim_user *u, const char *action);
/* GET /_sim/users/{id}/chat; the lock is held (released while long-polling). */
void tgsim_chatview(tgsim_ctl *x, int64_t user_id);

#endif
