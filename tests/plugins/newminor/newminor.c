/* newminor: asks for a host one SDK minor newer than this one. The host
 * must refuse it: "plugin newminor refused: needs host SDK 1.<minor+1> …". */
#include <walor/plugin.h>

static int32_t load(walor_plugin *p)
{
    (void)p;
    return 0;
}

WALOR_PLUGIN_DEFINE(.name = "newminor", .version = "1.0.0", .min_host_minor = WALOR_SDK_MINOR + 1, .load = load)
