/* wh_ini_parse_file: inih without its 200-byte cut, with right line numbers,
 * joined continuations, escapes, quotes and duplicate detection
 * Features: infra */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <walor/types.h>

#include "error.h"
#include "inifile.h"

/* Debian's inih knobs, to prove they are restored (see host/ini.c for why
 * <ini.h> itself cannot be included here) */
extern int ini_max_line, ini_initial_alloc;
extern bool ini_use_stack;

static char dir[64];
static char path[128];

struct kv {
    char section[64], key[64];
    char *value;
    int line;
};

static struct kv got[64];
static int ngot;

static void reset_got(void)
{
    for (int i = 0; i < ngot; i++)
        free(got[i].value);
    ngot = 0;
}

static int collect(void *ud, const char *section, const char *key, const char *value, int line)
{
    (void)ud;
    if (ngot == 64)
        return wh_error(WALOR_ELIMIT, "too many");
    snprintf(got[ngot].section, sizeof got[ngot].section, "%s", section);
    snprintf(got[ngot].key, sizeof got[ngot].key, "%s", key);
    got[ngot].value = strdup(value);
    got[ngot].line = line;
    ngot++;
    return 0;
}

static int refuse_b(void *ud, const char *section, const char *key, const char *value, int line)
{
    (void)ud;
    (void)section;
    (void)value;
    (void)line;
    if (!strcmp(key, "b"))
        return wh_error(WALOR_ERANGE, "b is not welcome");
    return 0;
}

static void write_file(const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
}

static int32_t parse_text(const char *text, char *err, size_t errlen)
{
    reset_got();
    write_file(text, strlen(text));
    return wh_ini_parse_file(path, collect, NULL, err, errlen);
}

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/walor-ini-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.ini", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    reset_got();
    unlink(path);
    rmdir(dir);
    return 0;
}

/* "path:line: ..." */
static void assert_err_at(const char *err, int line, const char *fragment)
{
    char want[160];
    snprintf(want, sizeof want, "%s:%d: ", path, line);
    if (strncmp(err, want, strlen(want)) != 0)
        fail_msg("error \"%s\" does not start with \"%s\"", err, want);
    if (!strstr(err, fragment))
        fail_msg("error \"%s\" lacks \"%s\"", err, fragment);
    assert_string_equal(err, wh_last_error());
}

static void test_basic(void **state)
{
    char err[256];
    (void)state;
    assert_int_equal(parse_text("; comment\n"
                                "# another\n"
                                "\n"
                                "[walor]\n"
                                "db = var/x.db\n"
                                "workers=8 ; inline comment\n"
                                "shop_name = Лавка #1\n"
                                "[plugin.catalog]\n"
                                "enabled : yes\n",
                                err, sizeof err),
                     0);
    assert_string_equal(err, "");
    assert_int_equal(ngot, 4);
    assert_string_equal(got[0].section, "walor");
    assert_string_equal(got[0].key, "db");
    assert_string_equal(got[0].value, "var/x.db");
    assert_int_equal(got[0].line, 5);
    assert_string_equal(got[1].value, "8");
    assert_int_equal(got[1].line, 6);
    assert_string_equal(got[2].value, "Лавка #1"); /* an inline # is not a comment */
    assert_string_equal(got[3].section, "plugin.catalog");
    assert_string_equal(got[3].value, "yes");
    assert_int_equal(got[3].line, 9);
    /* inih's process-wide knobs are back as they were */
    assert_int_equal(ini_max_line, 200);
    assert_int_equal(ini_initial_alloc, 200);
    assert_true(ini_use_stack);
}

static void test_long_lines(void **state)
{
    char err[256];
    size_t n = WH_INI_MAX_LINE + 64;
    char *text = malloc(n + 200), *v;
    (void)state;

    /* 300 bytes: Debian's inih alone would cut this at 200 */
    strcpy(text, "[a]\nk = ");
    v = text + strlen(text);
    for (int i = 0; i < 150; i++)
        memcpy(v + i * 2, "ж", 2);
    v[300] = '\0';
    strcat(text, "\nnext = 1\nbroken line\n");
    assert_int_equal(parse_text(text, err, sizeof err), WALOR_EINVAL);
    assert_int_equal(ngot, 2);
    assert_int_equal(strlen(got[0].value), 300);
    assert_int_equal(got[1].line, 3);
    assert_err_at(err, 4, "syntax error"); /* not 5: the long line is one line */

    /* a value of exactly 64 KiB is fine */
    strcpy(text, "[a]\nk = ");
    v = text + strlen(text);
    memset(v, 'x', WH_INI_MAX_VALUE);
    strcpy(v + WH_INI_MAX_VALUE, "\n");
    assert_int_equal(parse_text(text, err, sizeof err), 0);
    assert_int_equal(strlen(got[0].value), WH_INI_MAX_VALUE);

    /* one byte more is an error, never a cut */
    memset(v, 'x', WH_INI_MAX_VALUE + 1);
    strcpy(v + WH_INI_MAX_VALUE + 1, "\n");
    assert_int_equal(parse_text(text, err, sizeof err), WALOR_EINVAL);
    assert_err_at(err, 2, "too long");
    assert_int_equal(ngot, 0);

    /* a line longer than any value may be: an error at its own line */
    strcpy(text, "[a]\nok = 1\nk = ");
    v = text + strlen(text);
    memset(v, 'y', WH_INI_MAX_LINE);
    strcpy(v + WH_INI_MAX_LINE, "\nlater = 2\n");
    assert_int_equal(parse_text(text, err, sizeof err), WALOR_EINVAL);
    assert_err_at(err, 3, "line too long");
    free(text);
}

static void test_line_numbers(void **state)
{
    char err[256];
    (void)state;
    assert_int_equal(parse_text("[a]\nx = 1\n\n\nnot a pair\n", err, sizeof err), WALOR_EINVAL);
    assert_err_at(err, 5, "syntax error");
    assert_int_equal(parse_text("[a\nx = 1\n", err, sizeof err), WALOR_EINVAL);
    assert_err_at(err, 1, "syntax error");
    /* a handler's refusal names the key's line and its reason */
    reset_got();
    write_file("[s]\na = 1\n\nb = 2\n", 17);
    assert_int_equal(wh_ini_parse_file(path, refuse_b, NULL, err, sizeof err), WALOR_ERANGE);
    assert_err_at(err, 4, "b is not welcome");
    /* CRLF, a BOM and no final newline */
    assert_int_equal(parse_text("\xEF\xBB\xBF[a]\r\nx = 1\r\ny = 2", err, sizeof err), 0);
    assert_int_equal(ngot, 2);
    assert_string_equal(got[0].value, "1");
    assert_string_equal(got[1].value, "2");
    assert_int_equal(got[1].line, 3);
}

static void test_continuation_escapes_quotes(void **state)
{
    char err[256];
    (void)state;
    assert_int_equal(parse_text("[t]\n"
                                "welcome = Привет!\n"
                                "  Мы открыты.\n"
                                "\tДо встречи.\n"
                                "empty_first =\n"
                                "    line one\n"
                                "    line two\n"
                                "esc = a\\nb\\\\nc\\q\n"
                                "quoted = \"  padded  \"\n"
                                "single = 'kept'\n"
                                "inner = a \"b\" c\n"
                                "lone = \"\n"
                                "qesc = \"x\\ny\"\n"
                                "after = 1\n",
                                err, sizeof err),
                     0);
    assert_int_equal(ngot, 9);
    assert_string_equal(got[0].value, "Привет!\nМы открыты.\nДо встречи.");
    assert_int_equal(got[0].line, 2);
    assert_string_equal(got[1].value, "line one\nline two");
    assert_string_equal(got[2].value, "a\nb\\nc\\q");
    assert_string_equal(got[3].value, "  padded  ");
    assert_string_equal(got[4].value, "'kept'");
    assert_string_equal(got[5].value, "a \"b\" c");
    assert_string_equal(got[6].value, "\"");
    assert_string_equal(got[7].value, "x\ny");
    assert_int_equal(got[8].line, 14);
}

static void test_duplicates_and_names(void **state)
{
    char err[256], text[512];
    (void)state;
    assert_int_equal(parse_text("[a]\nx = 1\ny = 2\nx = 3\n", err, sizeof err), WALOR_EINVAL);
    assert_err_at(err, 4, "duplicate key x in [a] (first set on line 2)");
    /* the same section twice is one section */
    assert_int_equal(parse_text("[a]\nx = 1\n[b]\nx = 2\n[a]\nx = 3\n", err, sizeof err), WALOR_EINVAL);
    assert_err_at(err, 6, "duplicate key x");
    /* an indented key after a new section header is not a continuation */
    assert_int_equal(parse_text("[a]\nx = 1\n[b]\n  x = 2\n", err, sizeof err), 0);
    assert_int_equal(ngot, 2);
    assert_string_equal(got[1].section, "b");
    assert_string_equal(got[1].value, "2");

    /* inih keeps 49 bytes of a section name: 49 is fine, 50 an error */
    snprintf(text, sizeof text, "[%s]\nk = v\n", "plugin.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    assert_int_equal(strlen("plugin.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), 49);
    assert_int_equal(parse_text(text, err, sizeof err), 0);
    assert_string_equal(got[0].section, "plugin.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    snprintf(text, sizeof text, "[x]\n[%s]\nk = v\n", "plugin.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    assert_int_equal(parse_text(text, err, sizeof err), WALOR_EINVAL);
    assert_err_at(err, 2, "section name too long");
    snprintf(text, sizeof text, "\xEF\xBB\xBF[%s]\n", "plugin.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    assert_int_equal(parse_text(text, err, sizeof err), WALOR_EINVAL);
    assert_err_at(err, 1, "section name too long");
    snprintf(text, sizeof text, "[x]\n%s = v\n", "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk");
    assert_int_equal(parse_text(text, err, sizeof err), WALOR_EINVAL);
    assert_err_at(err, 2, "key name too long");
}

static void test_bad_files(void **state)
{
    char err[256];
    (void)state;
    assert_int_equal(wh_ini_parse_file("/nonexistent/walor.ini", collect, NULL, err, sizeof err), WALOR_ENOTFOUND);
    assert_non_null(strstr(err, "/nonexistent/walor.ini: cannot open"));
    reset_got();
    write_file("[a]\nx = 1\0\ny = 2\n", 17);
    assert_int_equal(wh_ini_parse_file(path, collect, NULL, err, sizeof err), WALOR_EINVAL);
    assert_err_at(err, 2, "NUL");
    /* an empty file is a valid one */
    assert_int_equal(parse_text("", err, sizeof err), 0);
    assert_int_equal(ngot, 0);
    /* NULL err is allowed */
    assert_int_equal(parse_text("junk\n", NULL, 0), WALOR_EINVAL);
    assert_non_null(strstr(wh_last_error(), ":1: syntax error"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_long_lines),
        cmocka_unit_test(test_line_numbers),
        cmocka_unit_test(test_continuation_escapes_quotes),
        cmocka_unit_test(test_duplicates_and_names),
        cmocka_unit_test(test_bad_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
