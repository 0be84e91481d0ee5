#include "orders.h"
int32_t orders_staff_register(walor_plugin *p) { (void)p; return 0; }
int32_t orders_b2b_register(walor_plugin *p) { (void)p; return 0; }
int32_t orders_customer_register(walor_plugin *p) { (void)p; return 0; }
int32_t orders_cart_remind_register(walor_plugin *p) { (void)p; return 0; }
