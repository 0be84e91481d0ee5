/* needsmissing: requires a plugin that is not configured. The host must
 * refuse it: "plugin needsmissing refused: requires plugin 'nosuchplugin' …". */
#include <walor/plugin.h>

static int32_t load(walor_plugin *p)
{
    (void)p;
    return 0;
}

WALOR_PLUGIN_DEFINE(.name = "needsmissing", .version = "1.0.0", .requires = "nosuchplugin", .load = load)
