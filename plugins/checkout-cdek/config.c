/* checkout-cdek: what the configuration means beyond single keys. CDEK's
 * production server unless cdek_test = yes says otherwise; base URLs joined
 * with paths whether or not the merchant wrote a trailing '/'; and, at
 * load (so walord --check-config sees them), the values a live shop must
 * not keep: CDEK's test server or its public test account without
 * cdek_test = yes, or no account at all. */
#include <string.h>
#include <strings.h>

#include "checkout.h"

#define CDEK_URL "https://api.cdek.ru/v2"
#define CDEK_TEST_URL "https://api.edu.cdek.ru/v2"
#define CDEK_TEST_HOST "api.edu.cdek.ru"

/* CDEK's published test accounts (EXTERNAL-APIS.md §1.2): the current one
 * first, which cdek_test = yes uses when no account is given */
static const char *const TEST_ACCOUNT[][2] = {
    {"wqGwiQx0gg8mLtiEKsUinjVSICCjtTEP", "RmAmgvSgSl1yirlz9QupbzOJVqhCxcP5"},
    {"EMscd6r9JnFiQ3bLoyjJY6eM78JrJceI", "PjLZkKBHEiLK3YsjtNrt3TGNG0ahs3kG"},
};

static const char *conf(const walor_plugin *p, const char *key)
{
    const char *v = walor_plugin_config(p, key);
    return v && *v ? v : NULL;
}

static int yes(const char *v)
{
    return v && (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcasecmp(v, "on") || !strcmp(v, "1"));
}

int chk_cdek_test(const walor_plugin *p) { return yes(conf(p, "cdek_test")); }

const char *chk_cdek_base(walor_ctx *c)
{
    const walor_plugin *p = walor_ctx_plugin(c);
    const char *v = conf(p, "cdek_base_url");
    return v ? v : chk_cdek_test(p) ? CDEK_TEST_URL : CDEK_URL;
}

void chk_cdek_account(walor_ctx *c, const char **id, const char **secret)
{
    const walor_plugin *p = walor_ctx_plugin(c);
    *id = conf(p, "cdek_client_id");
    *secret = conf(p, "cdek_client_secret");
    if (!*id && !*secret && chk_cdek_test(p)) {
        *id = TEST_ACCOUNT[0][0];
        *secret = TEST_ACCOUNT[0][1];
    }
}

char *chk_url(walor_ctx *c, const char *base, const char *path)
{
    size_t bl = strlen(base);
    while (bl && base[bl - 1] == '/')
        bl--;
    while (*path == '/')
        path++;
    return walor_ctx_printf(c, "%.*s/%s", (int)bl, base, path);
}

int32_t chk_config_check(walor_plugin *p)
{
    int32_t rc = 0, r;
    int test = chk_cdek_test(p);
    const char *base = conf(p, "cdek_base_url"), *id = conf(p, "cdek_client_id");

    if (test) {
        r = walor_config_invalid(p, "cdek_test", WALOR_CONFIG_WARNING,
                                 "CDEK's test environment: rates are examples and waybills are not real parcels");
        rc = rc ? rc : r;
    }
    if (!test && base && strstr(base, CDEK_TEST_HOST)) {
        r = walor_config_invalid(p, "cdek_base_url", WALOR_CONFIG_LIVE,
                                 "CDEK's test server: waybills would never reach CDEK. Remove the line (the real "
                                 CDEK_URL " is the default) or set cdek_test = yes to test on purpose");
        rc = rc ? rc : r;
    }
    for (size_t i = 0; !test && id && i < sizeof TEST_ACCOUNT / sizeof TEST_ACCOUNT[0]; i++)
        if (!strcmp(id, TEST_ACCOUNT[i][0])) {
            r = walor_config_invalid(p, "cdek_client_id", WALOR_CONFIG_LIVE,
                                     "CDEK's public test account, shared by every integrator: put the shop's own "
                                     "account here (walorctl setup asks for it) or set cdek_test = yes");
            rc = rc ? rc : r;
        }
    if (!test && (!id || !conf(p, "cdek_client_secret"))) {
        r = walor_config_invalid(p, id ? "cdek_client_secret" : "cdek_client_id", WALOR_CONFIG_LIVE,
                                 "no CDEK account: delivery cannot be priced and no waybill is registered "
                                 "(cdek_client_id and cdek_client_secret from the CDEK integration page)");
        rc = rc ? rc : r;
    }
    return rc;
}
