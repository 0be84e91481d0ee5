/* Webhook delivery: one pusher thread per bot POSTs queued updates, in
 * order, to the URL set with setWebhook, retrying with backoff. */
#ifndef TGSIM_WEBHOOK_H
#define TGSIM_WEBHOOK_H

#include "sim.h"

int tgsim_webhook_start(tgsim_sim *s);
/* Call after s->stopping was set and the bots' conditions broadcast. */
void tgsim_webhook_join(tgsim_sim *s);

#endif
