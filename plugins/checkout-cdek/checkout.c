#include <walor/plugin.h>
static int32_t load(walor_plugin *p) { (void)p; return 0; }
WALOR_PLUGIN_DEFINE(.name = "checkout-cdek", .version = "0.1.0", .load = load)
