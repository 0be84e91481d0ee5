/* oldsdk: built against the frozen SDK 1.0 headers (sdk/abi/include-1.0),
 * standing in for a plugin compiled years ago. The current walord must load
 * it and serve /oldsdk (tests/e2e/test_sdk_abi.py). It uses a handful of
 * SDK 1.0 slots spread over the API table (registration, ctx facts, arena,
 * text helpers, keyboards, settings, a migration and the database), so a
 * slot that moved in the host's table would show as a wrong answer or a
 * crash here. */
#include <string.h>

#include <walor/plugin.h>

#if WALOR_SDK_MAJOR != 1 || WALOR_SDK_MINOR != 0
#error "oldsdk must be built against the frozen SDK 1.0 headers (sdk/abi/include-1.0)"
#endif

static int32_t on_oldsdk(walor_ctx *c, const char *arg)
{
    int64_t n = 0;
    int32_t rc = walor_db_exec(c, "INSERT INTO oldsdk_calls(user_id) VALUES (?)",
                               WALOR_ARGS(walor_i(walor_user_id(c))));
    if (rc < 0)
        return rc;
    rc = walor_db_int(c, "SELECT COUNT(*) FROM oldsdk_calls WHERE user_id = ?",
                      WALOR_ARGS(walor_i(walor_user_id(c))), &n);
    if (rc < 0)
        return rc;
    int64_t price = 0;
    if (walor_setting_int(c, "oldsdk.price", &price) < 0)
        price = -1;
    const char *html = walor_ctx_printf(c, "старый SDK работает\nвызов %lld, цена %s, аргумент «%s»",
                                        (long long)n, walor_money(c, price),
                                        walor_html_escape(c, arg && *arg ? arg : "-"));
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, "🏠 Меню", "m:core.main");
    walor_log(c, WALOR_LOG_INFO, "oldsdk answered user %lld (call %lld)", (long long)walor_user_id(c),
              (long long)n);
    return walor_reply(c, html, kb);
}

static int32_t load(walor_plugin *p)
{
    const walor_command_def cmd = {
        .struct_size = sizeof cmd,
        .min_role = WALOR_ROLE_CLIENT,
        .name = "oldsdk",
        .description = "Проверка плагина на SDK 1.0",
        .handler = on_oldsdk,
    };
    const walor_setting_def price = {
        .struct_size = sizeof price,
        .type = WALOR_SET_MONEY,
        .key = "price",
        .label = "Цена",
        .default_value = "1500,50",
        .min = 0,
        .max = 100000000,
    };
    int32_t rc;
    if ((rc = walor_migration(p, 1, "CREATE TABLE oldsdk_calls(user_id INTEGER NOT NULL)")) < 0 ||
        (rc = walor_setting(p, &price)) < 0 || (rc = walor_command(p, &cmd)) < 0)
        return rc;
    walor_log(p, WALOR_LOG_INFO, "oldsdk %s loaded, built with SDK %d.%d", walor_plugin_name(p),
              WALOR_SDK_MAJOR, WALOR_SDK_MINOR);
    return 0;
}

WALOR_PLUGIN_DEFINE(.name = "oldsdk", .version = "1.0.0",
                    .description = "a plugin built against the frozen SDK 1.0 headers", .load = load)
