/* walorctl stock-check (stock_check.c) */
#ifndef WALORCTL_STOCK_CHECK_H
#define WALORCTL_STOCK_CHECK_H

#include "db.h"

/* 0 consistent, 1 faults or a database error (printed) */
int walorctl_stock_check(wh_db *db);

#endif
