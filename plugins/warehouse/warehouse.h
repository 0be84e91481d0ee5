/* warehouse: what the plugin's files share. */
#ifndef WAREHOUSE_H
#define WAREHOUSE_H

#include <walor/plugin.h>

#endif
