/* dupname: a second file (dupname.so) whose descriptor claims the name
 * "probe". Listed after probe, the host must refuse it: "plugin dupname
 * refused: duplicate plugin name 'probe' …", and keep the real probe. */
#include <walor/plugin.h>

static int32_t cmd_dup(walor_ctx *c, const char *arg)
{
    (void)arg;
    return walor_reply(c, "dupname ответил", NULL);
}

static int32_t load(walor_plugin *p)
{
    const walor_command_def cmd = {.struct_size = sizeof cmd, .name = "dupcmd", .description = "dup",
                                   .handler = cmd_dup};
    return walor_command(p, &cmd);
}

WALOR_PLUGIN_DEFINE(.name = "probe", .version = "6.6.6", .load = load)
