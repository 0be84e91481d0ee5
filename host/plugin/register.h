/* Registration slots of the API table ([load] phase). */
#ifndef WH_REGISTER_H
#define WH_REGISTER_H

#include <walor/api.h>

void wh_register_fill(walor_host_api *api);

/* What runs a registered form's steps (ui/steps.c). It sits above the
 * registry, so it hands its handlers in when the API table is built
 * (wh_steps_fill), before any plugin registers a form. */
void wh_register_form_runner(walor_ctx_fn enter, walor_handler_fn message, walor_handler_fn callback);

#endif
