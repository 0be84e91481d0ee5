/* wh_config_load: defaults, strict host sections, conf.d order and override,
 * environment overrides, secrets from files, masking in the dump
 * Features: infra */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <walor/types.h>

#include "config.h"
#include "error.h"
#include "log.h"

static char dir[64];

static const char *const env_vars[] = {"WALOR_BOT_TOKEN", "WALOR_API_ROOT", "WALOR_DB", "WALOR_PLUGIN_DIR",
                                       "WALOR_OWNERS"};

static char *p(const char *rel)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, rel);
    return buf[k];
}

static void put(const char *rel, const char *text)
{
    FILE *f = fopen(p(rel), "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void rm_rf(const char *d)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof env_vars / sizeof env_vars[0]; i++)
        unsetenv(env_vars[i]);
    strcpy(dir, "/tmp/walor-config-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof env_vars / sizeof env_vars[0]; i++)
        unsetenv(env_vars[i]);
    rm_rf(dir);
    return 0;
}

static char *dump(const wh_config *c)
{
    static char buf[16384];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    wh_config_dump(c, f);
    fclose(f);
    return buf;
}

static void test_defaults(void **state)
{
    wh_config c;
    char err[512];
    (void)state;
    put("walor.ini", "[telegram]\ntoken = 123:abc\n");
    assert_int_equal(wh_config_load(&c, p("walor.ini"), err, sizeof err), 0);
    assert_string_equal(err, "");
    assert_string_equal(c.db, "var/walor.db");
    assert_string_equal(c.plugin_dir, "build/lib/walor/plugins");
    assert_int_equal(c.nplugins, 0);
    assert_int_equal(c.nowners, 0);
    assert_int_equal(c.workers, 4);
    assert_string_equal(c.timezone, "Europe/Moscow");
    assert_int_equal(c.log_level, WH_LOG_INFO);
    assert_null(c.log_file);
    assert_int_equal(c.test_mode, 0);
    assert_string_equal(c.conf_dir, p("conf.d"));
    assert_string_equal(c.texts_dir, p("conf.d/texts"));
    assert_string_equal(c.shop_name, "");
    assert_string_equal(c.token, "123:abc");
    assert_string_equal(c.api_root, "https://api.telegram.org");
    assert_int_equal(c.mode, WH_TG_POLLING);
    assert_int_equal(c.poll_timeout, 25);
    assert_true(c.bulk_rate == 30.0);
    assert_true(c.bulk_per_chat_rate == 1.0);
    assert_int_equal(c.http_timeout, 30);
    assert_int_equal(c.max_retries, 5);
    assert_null(c.webhook_url);
    assert_null(c.webhook_secret);
    assert_string_equal(wh_config_get(&c, "walor", "workers"), "4");
    assert_null(wh_config_get(&c, "walor", "nope"));
    assert_non_null(strstr(dump(&c), "workers = 4    ; (default)"));
    wh_config_free(&c);
}

static void test_everything_set(void **state)
{
    wh_config c;
    char err[512];
    (void)state;
    put("walor.ini", "[walor]\n"
                     "db = /srv/shop.db\n"
                     "plugin_dir = /usr/lib/walor/plugins\n"
                     "plugins = catalog, orders pay-ecom,catalog\n"
                     "owners = 111, 222 333\n"
                     "workers = 64\n"
                     "timezone = Asia/Yekaterinburg\n"
                     "log_level = debug\n"
                     "log_file = /var/log/walor.log\n"
                     "test_mode = on\n"
                     "conf_dir = /nonexistent-is-fine-only-by-default\n"
                     "[telegram]\n"
                     "token = 1:x\n"
                     "api_root = http://127.0.0.1:8081///\n"
                     "mode = webhook\n"
                     "webhook_url = https://shop.example/tg\n"
                     "webhook_secret = s3cr-et_\n"
                     "poll_timeout = 0\n"
                     "bulk_rate = 25.5\n"
                     "bulk_per_chat_rate = 0.5\n"
                     "http_timeout = 10\n"
                     "max_retries = 0\n");
    /* an explicit conf_dir must exist */
    assert_int_equal(wh_config_load(&c, p("walor.ini"), err, sizeof err), WALOR_EINVAL);
    assert_non_null(strstr(err, "walor.ini:11: walor.conf_dir: "));
    assert_non_null(strstr(err, "not a directory"));
    wh_config_free(&c);

    mkdir(p("etc"), 0755);
    put("walor.ini", "[walor]\n"
                     "db = /srv/shop.db\n"
                     "plugins = catalog, orders pay-ecom,catalog\n"
                     "owners = 111, 222 333\n"
                     "workers = 64\n"
                     "log_level = debug\n"
                     "test_mode = on\n"
                     "conf_dir = etc\n"
                     "texts_dir = /opt/texts\n"
                     "shop_name = Лавка\n"
                     "[telegram]\n"
                     "token = 1:x\n"
                     "api_root = http://127.0.0.1:8081///\n"
                     "mode = webhook\n"
                     "webhook_url = https://shop.example/tg\n"
                     "webhook_secret = s3cr-et_\n"
                     "poll_timeout = 0\n"
                     "bulk_rate = 25.5\n"
                     "bulk_per_chat_rate = 0.5\n"
                     "http_timeout = 10\n"
                     "max_retries = 0\n");
    assert_int_equal(wh_config_load(&c, p("walor.ini"), err, sizeof err), 0);
    assert_int_equal(c.nplugins, 3); /* the repeated catalog counted once */
    assert_string_equal(c.plugins[0], "catalog");
    assert_string_equal(c.plugins[1], "orders");
    assert_string_equal(c.plugins[2], "pay-ecom");
    assert_int_equal(c.nowners, 3);
    assert_int_equal(c.owners[2], 333);
    assert_int_equal(c.workers, 64);
    assert_int_equal(c.log_level, WH_LOG_DEBUG);
    assert_int_equal(c.test_mode, 1);
    assert_string_equal(c.conf_dir, p("etc"));
    assert_string_equal(c.texts_dir, "/opt/texts");
    assert_string_equal(c.shop_name, "Лавка");
    assert_string_equal(c.api_root, "http://127.0.0.1:8081");
    assert_int_equal(c.mode, WH_TG_WEBHOOK);
    assert_string_equal(c.webhook_url, "https://shop.example/tg");
    assert_string_equal(c.webhook_secret, "s3cr-et_");
    assert_int_equal(c.poll_timeout, 0);
    assert_true(c.bulk_rate == 25.5);
    assert_true(c.bulk_per_chat_rate == 0.5);
    assert_int_equal(c.max_retries, 0);
    assert_true(wh_config_plugin_enabled(&c, "orders"));
    assert_false(wh_config_plugin_enabled(&c, "crm"));
    wh_config_free(&c);
}

#define LOAD_FAILS(text, fragment)                                                  \
    do {                                                                            \
        wh_config c_;                                                               \
        char err_[512];                                                             \
        put("walor.ini", text);                                                     \
        if (wh_config_load(&c_, p("walor.ini"), err_, sizeof err_) == 0)            \
            fail_msg("accepted: %s", text);                                         \
        if (!strstr(err_, fragment))                                                \
            fail_msg("error \"%s\" lacks \"%s\"", err_, fragment);                  \
        assert_string_equal(err_, wh_last_error());                                 \
        wh_config_free(&c_);                                                        \
    } while (0)

static void test_errors(void **state)
{
    (void)state;
    LOAD_FAILS("[walor]\nworkrs = 4\n[telegram]\ntoken = 1:x\n", "walor.ini:2: unknown key workrs in [walor]");
    LOAD_FAILS("[telegram]\ntoken = 1:x\ntimeout = 3\n", "walor.ini:3: unknown key timeout in [telegram]");
    LOAD_FAILS("orphan = 1\n", "walor.ini:1: key orphan is outside of any [section]");
    LOAD_FAILS("[telegram]\ntoken = 1:x\n[walor]\nworkers = 0\n", "walor.ini:4: walor.workers: expected a whole number from 1 to 64");
    LOAD_FAILS("[telegram]\ntoken = 1:x\n[walor]\nworkers = 65\n", "from 1 to 64");
    LOAD_FAILS("[telegram]\ntoken = 1:x\n[walor]\nworkers = 4x\n", "got \"4x\"");
    LOAD_FAILS("[telegram]\ntoken = 1:x\npoll_timeout = 51\n", "walor.ini:3: telegram.poll_timeout");
    LOAD_FAILS("[telegram]\ntoken = 1:x\nbulk_rate = 0\n", "telegram.bulk_rate");
    LOAD_FAILS("[telegram]\ntoken = 1:x\nbulk_rate = nan\n", "telegram.bulk_rate");
    LOAD_FAILS("[telegram]\ntoken = 1:x\nmode = push\n", "expected polling or webhook");
    LOAD_FAILS("[telegram]\ntoken = 1:x\nmode = webhook\n", "webhook mode needs webhook_url");
    LOAD_FAILS("[telegram]\ntoken = 1:x\nwebhook_secret = has space\n", "webhook secret");
    LOAD_FAILS("[telegram]\ntoken = 1:x\napi_root = ftp://x\n", "telegram.api_root");
    LOAD_FAILS("[telegram]\ntoken = 1:x\n[walor]\nlog_level = loud\n", "expected debug, info, warn or error");
    LOAD_FAILS("[telegram]\ntoken = 1:x\n[walor]\ntest_mode = maybe\n", "walor.test_mode: expected yes or no");
    LOAD_FAILS("[telegram]\ntoken = 1:x\n[walor]\nowners = 12, abc\n", "\"abc\" is not a Telegram user id");
    LOAD_FAILS("[telegram]\ntoken = 1:x\n[walor]\nowners = -5\n", "not a Telegram user id");
    LOAD_FAILS("[telegram]\ntoken = 1:x\n[walor]\nplugins = Catalog\n", "bad plugin name");
    LOAD_FAILS("[telegram]\ntoken = 1:x\n[plugin.crm]\nenabled = sure\n", "walor.ini:4: plugin.crm.enabled: expected yes or no");
    LOAD_FAILS("[walor]\nworkers = 2\n", "no bot token");
    LOAD_FAILS("[telegram]\ntoken = 1 2\n", "walor.ini:2: telegram.token: the bot token contains a blank");
    LOAD_FAILS("[telegram]\ntoken = 1:x\n[walor]\ndb = 1\ndb = 2\n", "walor.ini:5: duplicate key db");
    LOAD_FAILS("[telegram]\ntoken = 1:x\n[plugin.]\nx = 1\n", "needs a plugin name");
    /* the log would be appended to the database (relative paths are from the working directory) */
    LOAD_FAILS("[telegram]\ntoken = 1:x\n[walor]\ndb = /tmp/shop.db\nlog_file = /tmp/shop.db\n",
               "walor.ini:5: walor.log_file: /tmp/shop.db is the database or one of its files");
    LOAD_FAILS("[telegram]\ntoken = 1:x\n[walor]\ndb = /tmp/shop.db\nlog_file = /tmp/./shop.db-wal\n",
               "is the database or one of its files");
    {
        wh_config c;
        char err[256];
        assert_int_equal(wh_config_load(&c, p("missing.ini"), err, sizeof err), WALOR_ENOTFOUND);
        assert_non_null(strstr(err, "missing.ini: cannot open"));
        wh_config_free(&c);
    }
}

static void test_conf_d_order_and_override(void **state)
{
    wh_config c;
    char err[512];
    char welcome[1200];
    (void)state;
    mkdir(p("conf.d"), 0755);
    put("walor.ini", "[walor]\nworkers = 2\nshop_name = Main\n[telegram]\ntoken = 1:x\n"
                     "[plugin.catalog]\nenabled = yes\npage_size = 5\n");
    /* written out of order: glob sorts them */
    put("conf.d/20-late.ini", "[plugin.catalog]\npage_size = 20\n[plugin.crm]\nenabled = no\n");
    put("conf.d/10-early.ini", "; host overrides may live in conf.d too\n[walor]\nworkers = 8\n"
                               "[plugin.catalog]\npage_size = 10\n");
    put("conf.d/README.txt", "[walor]\nnot ini = ignored\n");
    /* a welcome text far over inih's 200-byte line, kept whole */
    strcpy(welcome, "[plugin.hello]\nenabled = 1\nwelcome = <b>");
    for (int i = 0; i < 500; i++)
        strcat(welcome, "ж");
    strcat(welcome, "</b>\n");
    put("conf.d/30-hello.ini", welcome);
    assert_int_equal(wh_config_load(&c, p("walor.ini"), err, sizeof err), 0);
    assert_int_equal(c.workers, 8);
    assert_string_equal(c.shop_name, "Main");
    assert_string_equal(wh_config_get(&c, "plugin.catalog", "page_size"), "20");
    assert_int_equal(strlen(wh_config_get(&c, "plugin.hello", "welcome")), 3 + 1000 + 4);
    assert_true(wh_config_plugin_enabled(&c, "catalog"));
    assert_true(wh_config_plugin_enabled(&c, "hello"));
    assert_false(wh_config_plugin_enabled(&c, "crm"));
    assert_false(wh_config_plugin_enabled(&c, "absent"));
    {
        const char *d = dump(&c);
        char want[300];
        snprintf(want, sizeof want, "page_size = 20    ; %s:2\n", p("conf.d/20-late.ini"));
        assert_non_null(strstr(d, want));
        snprintf(want, sizeof want, "workers = 8    ; %s:3\n", p("conf.d/10-early.ini"));
        assert_non_null(strstr(d, want));
        snprintf(want, sizeof want, "shop_name = Main    ; %s:3\n", p("walor.ini"));
        assert_non_null(strstr(d, want));
    }
    wh_config_free(&c);

    /* errors inside conf.d name that file and line */
    put("conf.d/15-typo.ini", "[walor]\n\nworker = 3\n");
    assert_int_equal(wh_config_load(&c, p("walor.ini"), err, sizeof err), WALOR_EINVAL);
    {
        char want[300];
        snprintf(want, sizeof want, "%s:3: unknown key worker in [walor]", p("conf.d/15-typo.ini"));
        assert_string_equal(err, want);
    }
    wh_config_free(&c);
    unlink(p("conf.d/15-typo.ini"));

    put("conf.d/15-dir.ini", "[walor]\nconf_dir = elsewhere\n");
    assert_int_equal(wh_config_load(&c, p("walor.ini"), err, sizeof err), WALOR_EINVAL);
    assert_non_null(strstr(err, "15-dir.ini:2: conf_dir can only be set in the main file"));
    wh_config_free(&c);
    unlink(p("conf.d/15-dir.ini"));

    /* a long line in conf.d is an error with its line, not a cut */
    {
        char *big = malloc(80000);
        strcpy(big, "[plugin.x]\nshort = 1\ntext = ");
        memset(big + strlen(big), 'x', 70000);
        strcpy(big + strlen("[plugin.x]\nshort = 1\ntext = ") + 70000, "\n");
        put("conf.d/40-big.ini", big);
        free(big);
        assert_int_equal(wh_config_load(&c, p("walor.ini"), err, sizeof err), WALOR_EINVAL);
        assert_non_null(strstr(err, "40-big.ini:3: line too long"));
        wh_config_free(&c);
        unlink(p("conf.d/40-big.ini"));
    }
}

static void test_main_file_inside_conf_dir(void **state)
{
    wh_config c;
    char err[512];
    (void)state;
    /* conf_dir = . : the main file matches *.ini but is read once only,
     * so its keys are not duplicates of themselves */
    put("walor.ini", "[walor]\nconf_dir = .\n[telegram]\ntoken = 1:x\n");
    put("extra.ini", "[walor]\nworkers = 3\n");
    assert_int_equal(wh_config_load(&c, p("walor.ini"), err, sizeof err), 0);
    assert_int_equal(c.workers, 3);
    assert_string_equal(c.conf_dir, dir);
    wh_config_free(&c);
    unlink(p("extra.ini"));
}

static void test_env_overrides(void **state)
{
    wh_config c;
    char err[512];
    (void)state;
    put("walor.ini", "[walor]\ndb = file.db\nowners = 1\n[telegram]\ntoken = from:file\n");
    setenv("WALOR_BOT_TOKEN", "from:env", 1);
    setenv("WALOR_API_ROOT", "http://localhost:9000/", 1);
    setenv("WALOR_DB", "/tmp/env.db", 1);
    setenv("WALOR_PLUGIN_DIR", "/tmp/plugins", 1);
    setenv("WALOR_OWNERS", "42, 43", 1);
    assert_int_equal(wh_config_load(&c, p("walor.ini"), err, sizeof err), 0);
    assert_string_equal(c.token, "from:env");
    assert_string_equal(c.api_root, "http://localhost:9000");
    assert_string_equal(c.db, "/tmp/env.db");
    assert_string_equal(c.plugin_dir, "/tmp/plugins");
    assert_int_equal(c.nowners, 2);
    assert_int_equal(c.owners[0], 42);
    {
        const char *d = dump(&c);
        assert_non_null(strstr(d, "db = /tmp/env.db    ; env WALOR_DB\n"));
        assert_non_null(strstr(d, "token = ***    ; env WALOR_BOT_TOKEN\n"));
        assert_null(strstr(d, "from:env"));
    }
    wh_config_free(&c);

    /* the environment also wins over token_file, and is checked like a file value */
    put("walor.ini", "[telegram]\ntoken_file = /nonexistent\n");
    setenv("WALOR_OWNERS", "x", 1);
    assert_int_equal(wh_config_load(&c, p("walor.ini"), err, sizeof err), WALOR_EINVAL);
    assert_non_null(strstr(err, "env WALOR_OWNERS: walor.owners: \"x\" is not a Telegram user id"));
    wh_config_free(&c);
    unsetenv("WALOR_OWNERS");
    assert_int_equal(wh_config_load(&c, p("walor.ini"), err, sizeof err), 0);
    assert_string_equal(c.token, "from:env");
    wh_config_free(&c);
    for (size_t i = 0; i < sizeof env_vars / sizeof env_vars[0]; i++)
        unsetenv(env_vars[i]);
}

static void test_secret_files(void **state)
{
    wh_config c;
    char err[512], text[512];
    (void)state;
    put("token.txt", "777:secret-from-file\r\nsecond line ignored\n");
    put("hook.txt", "hook_secret\n");
    snprintf(text, sizeof text, "[telegram]\ntoken_file = %s\nwebhook_secret_file = %s\n", p("token.txt"), p("hook.txt"));
    put("walor.ini", text);
    assert_int_equal(wh_config_load(&c, p("walor.ini"), err, sizeof err), 0);
    assert_string_equal(c.token, "777:secret-from-file");
    assert_string_equal(c.webhook_secret, "hook_secret");
    {
        const char *d = dump(&c);
        char want[300];
        /* where the secret is may be shown, the secret never */
        snprintf(want, sizeof want, "token_file = %s", p("token.txt"));
        assert_non_null(strstr(d, want));
        assert_null(strstr(d, "secret-from-file"));
    }
    wh_config_free(&c);

    snprintf(text, sizeof text, "[telegram]\ntoken = 1:x\ntoken_file = %s\n", p("token.txt"));
    put("walor.ini", text);
    assert_int_equal(wh_config_load(&c, p("walor.ini"), err, sizeof err), WALOR_EINVAL);
    assert_non_null(strstr(err, "set either token or token_file"));
    wh_config_free(&c);

    put("empty.txt", "\n");
    snprintf(text, sizeof text, "[telegram]\ntoken_file = %s\n", p("empty.txt"));
    put("walor.ini", text);
    assert_int_equal(wh_config_load(&c, p("walor.ini"), err, sizeof err), WALOR_EINVAL);
    assert_non_null(strstr(err, "walor.ini:2: telegram.token_file: the first line of"));
    wh_config_free(&c);

    put("walor.ini", "[telegram]\ntoken_file = /nonexistent/token\n");
    assert_int_equal(wh_config_load(&c, p("walor.ini"), err, sizeof err), WALOR_EINVAL);
    assert_non_null(strstr(err, "cannot read /nonexistent/token"));
    wh_config_free(&c);
}

/* [walor] public_url without its trailing '/', the one webhook secret, the
 * secrets a systemd unit passes as credentials, and what is refused */
static void test_public_url_and_webhook_master(void **state)
{
    wh_config c;
    char err[512], a[33], b[33], t[33];
    (void)state;
    put("walor.ini", "[walor]\npublic_url = https://bot.myshop.ru/shop//\nwebhook_secret = 0123456789abcdef-_\n"
                     "[telegram]\ntoken = 1:x\nmode = webhook\nwebhook_url = https://bot.myshop.ru/tg\n");
    assert_int_equal(wh_config_load(&c, p("walor.ini"), err, sizeof err), 0);
    assert_string_equal(c.public_url, "https://bot.myshop.ru/shop");
    wh_config_derive_secret(&c, "pay-ecom", a);
    wh_config_derive_secret(&c, "checkout-cdek", b);
    wh_config_derive_secret(&c, "telegram", t);
    assert_int_equal(strlen(a), 32);
    assert_int_equal(strspn(a, "0123456789abcdef"), 32);
    assert_string_not_equal(a, b); /* one plugin's URL opens no other's route */
    assert_string_equal(c.webhook_secret, t); /* Telegram's header secret derives too */
    wh_config_free(&c);

    /* the same master gives the same secrets: URLs survive restarts */
    assert_int_equal(mkdir(p("creds"), 0700), 0);
    setenv("CREDENTIALS_DIRECTORY", p("creds"), 1);
    put("creds/bot-token", "55555:from-the-credential\n");
    put("creds/webhook-secret", "0123456789abcdef-_\n");
    put("walor.ini", "[walor]\npublic_url = http://127.0.0.1:8080\n");
    assert_int_equal(wh_config_load(&c, p("walor.ini"), err, sizeof err), 0);
    assert_string_equal(c.token, "55555:from-the-credential");
    assert_string_equal(c.public_url, "http://127.0.0.1:8080");
    wh_config_derive_secret(&c, "pay-ecom", b);
    assert_string_equal(a, b);
    assert_null(c.webhook_secret); /* polling: no Telegram secret */
    unsetenv("CREDENTIALS_DIRECTORY");
    wh_config_free(&c);

    put("walor.ini", "[walor]\nwebhook_secret = short\n[telegram]\ntoken = 1:x\n");
    assert_int_equal(wh_config_load(&c, p("walor.ini"), err, sizeof err), WALOR_EINVAL);
    assert_non_null(strstr(err, "walor.ini:2: walor.webhook_secret: expected 16-256 characters"));
    assert_null(strstr(err, "short"));
    wh_config_free(&c);

    put("walor.ini", "[walor]\npublic_url = shop.myshop.ru\n[telegram]\ntoken = 1:x\n");
    assert_int_equal(wh_config_load(&c, p("walor.ini"), err, sizeof err), WALOR_EINVAL);
    assert_non_null(strstr(err, "walor.ini:2: walor.public_url: expected the bot's public address"));
    wh_config_free(&c);

    put("walor.ini", "[walor]\ndemo = maybe\n[telegram]\ntoken = 1:x\n");
    assert_int_equal(wh_config_load(&c, p("walor.ini"), err, sizeof err), WALOR_EINVAL);
    assert_non_null(strstr(err, "walor.demo: expected yes or no"));
    wh_config_free(&c);
}

static void test_dump_masks_secrets(void **state)
{
    wh_config c;
    char err[512];
    const char *d;
    (void)state;
    put("walor.ini", "[telegram]\ntoken = 1:TOPSECRET\nwebhook_secret = HOOKSECRET\n"
                     "[plugin.pay]\napi_key = KEYVALUE\nshop_password = PWVALUE\nAccessToken = TOKVALUE\n"
                     "client_secret = CS\nkey_file = /etc/pay.pem\nnote = line1\n  line2\n");
    assert_int_equal(wh_config_load(&c, p("walor.ini"), err, sizeof err), 0);
    d = dump(&c);
    assert_null(strstr(d, "TOPSECRET"));
    assert_null(strstr(d, "HOOKSECRET"));
    assert_null(strstr(d, "KEYVALUE"));
    assert_null(strstr(d, "PWVALUE"));
    assert_null(strstr(d, "TOKVALUE"));
    assert_null(strstr(d, "= CS"));
    assert_non_null(strstr(d, "api_key = ***"));
    assert_non_null(strstr(d, "key_file = /etc/pay.pem"));
    assert_non_null(strstr(d, "note = line1\\nline2"));
    assert_non_null(strstr(d, "[plugin.pay]\n"));
    /* the values are still there for the code that needs them */
    assert_string_equal(wh_config_get(&c, "plugin.pay", "api_key"), "KEYVALUE");
    wh_config_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_everything_set, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conf_d_order_and_override, setup, teardown),
        cmocka_unit_test_setup_teardown(test_main_file_inside_conf_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_overrides, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_public_url_and_webhook_master, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dump_masks_secrets, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
