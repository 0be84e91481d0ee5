/* (b) Configuration: the input is written to walor.ini in a private temp
 * directory (so conf.d/ and relative paths resolve to nothing) and loaded
 * with wh_config_load, then read raw with wh_ini_parse_file. */
#include <stdio.h>
#include <unistd.h>

#include "config.h"
#include "fuzz_common.h"
#include "inifile.h"

static char dir[256];
static char path[300];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    wh_log_set_level(WH_LOG_ERROR + 1);
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/walor-fuzz-config-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof path, "%s/walor.ini", dir);
    /* the environment overrides the file: keep it out */
    static const char *const vars[] = {"WALOR_BOT_TOKEN", "WALOR_API_ROOT", "WALOR_DB", "WALOR_OWNERS",
                                       "WALOR_PLUGIN_DIR", "WALOR_CONFIG", "BOT_TOKEN"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        unsetenv(vars[i]);
    return 0;
}

static int count_key(void *ud, const char *section, const char *key, const char *value, int line)
{
    (void)line;
    if (!section || !key || !value)
        abort(); /* documented: called once per key with its final value */
    ++*(size_t *)ud;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);

    wh_config c;
    char err[512];
    if (wh_config_load(&c, path, err, sizeof err) == 0) {
        (void)wh_config_get(&c, "walor", "db");
        (void)wh_config_plugin_enabled(&c, "catalog");
        FILE *devnull = fopen("/dev/null", "w");
        if (devnull) {
            wh_config_dump(&c, devnull);
            fclose(devnull);
        }
    }
    wh_config_free(&c);

    size_t n = 0;
    (void)wh_ini_parse_file(path, count_key, &n, err, sizeof err);
    return 0;
}
