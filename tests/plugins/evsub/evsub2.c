/* evsub2: wants service "counter" 2.x, which evpub (1.3) does not offer.
 * The host must refuse it after load with
 * "plugin evsub2 refused: requires service counter 2.0, but only counter 1.3 (evpub) is loaded",
 * and its subscription must get no deliveries. */
#include <walor/plugin.h>

static int32_t on_tick(walor_ctx *c, const char *event, json_t *payload)
{
    (void)event;
    (void)payload;
    int32_t rc = walor_db_exec(c, "INSERT INTO evsub2_seen DEFAULT VALUES", NULL, 0);
    return rc < 0 ? rc : 0;
}

static int32_t load(walor_plugin *p)
{
    int32_t rc = walor_migration(p, 1, "CREATE TABLE evsub2_seen (id INTEGER PRIMARY KEY)");
    if (!rc)
        rc = walor_subscribe(p, "evpub.tick", on_tick);
    if (!rc)
        rc = walor_service_require(p, "counter", 2, 0);
    return rc;
}

WALOR_PLUGIN_DEFINE(.name = "evsub2", .version = "1.0.0", .load = load)
