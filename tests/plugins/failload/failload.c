/* failload: registers the command /failcmd, then fails its load(). The
 * host must log "plugin failload refused: load failed …" and drop what it
 * registered: /failcmd must be an unknown command afterwards. */
#include <walor/plugin.h>

static int32_t cmd_fail(walor_ctx *c, const char *arg)
{
    (void)arg;
    return walor_reply(c, "failcmd не должна существовать", NULL);
}

static int32_t load(walor_plugin *p)
{
    const walor_command_def cmd = {.struct_size = sizeof cmd, .name = "failcmd", .description = "fail",
                                   .handler = cmd_fail};
    int32_t rc = walor_command(p, &cmd);
    if (rc != 0)
        return rc;
    walor_log(p, WALOR_LOG_INFO, "failload: /failcmd registered, now failing load()");
    return WALOR_EINVAL;
}

WALOR_PLUGIN_DEFINE(.name = "failload", .version = "1.0.0", .load = load)
