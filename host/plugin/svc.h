/* Services registry (svc.c), the half of "events and services" that is a
 * load-time table. events.c fills the API slots of both. */
#ifndef WH_SVC_H
#define WH_SVC_H

#include <walor/api.h>

void wh_svc_fill(walor_host_api *api);
/* frees the tables at exit (after the plugins are gone) */
void wh_svc_free(void);
/* after every plugin loaded: refuse plugins whose required services are
 * missing (and those that need them); 0 or -1 */
int wh_services_resolve(void);

#endif
