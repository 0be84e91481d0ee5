/* badmagic: built from the real SDK header, but its descriptor (written by
 * hand instead of WALOR_PLUGIN_DEFINE) has the wrong magic number. The host
 * must refuse it with "plugin badmagic refused: wrong magic …" and never
 * call load(). */
#include <walor/plugin.h>

static int32_t load(walor_plugin *p)
{
    (void)p;
    return 0;
}

WALOR_EXPORT const walor_plugin_desc *walor_plugin_entry(void);
WALOR_EXPORT const walor_plugin_desc *walor_plugin_entry(void)
{
    static const walor_plugin_desc desc = {
        .magic = 0x0BADF00Du,
        .struct_size = (uint32_t)sizeof(walor_plugin_desc),
        .sdk_major = WALOR_SDK_MAJOR,
        .sdk_minor = WALOR_SDK_MINOR,
        .name = "badmagic",
        .version = "1.0.0",
        .load = load,
    };
    return &desc;
}
