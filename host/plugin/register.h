/* Registration slots of the API table ([load] phase). */
#ifndef WH_REGISTER_H
#define WH_REGISTER_H

#include <walor/api.h>

void wh_register_fill(walor_host_api *api);

#endif
