/* The SDK 1.3 registration slots as a plugin calls them in load():
 * walor_texts (all or none), walor_form (every step checked, copied, walked
 * by the plugin's own struct size) and the admin button's area.
 * Features: infra */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <walor/plugin.h>

#include "api_slots.h"
#include "error.h"
#include "host.h"
#include "registry.h"
#include "steps.h"
#include "texts.h"

static wh_plugin *plugin(const char *name)
{
    wh_plugin *p = wh_plugin_new(name, NULL, NULL, NULL);
    p->loading = 1;
    return p;
}

static int32_t done(walor_ctx *c, json_t *d)
{
    (void)c, (void)d;
    return 0;
}

static void test_texts_all_or_none(void **state)
{
    (void)state;
    wh_plugin *p = plugin("tt");
    static const walor_text_pair ok[] = {{"tt.a", "A"}, {"tt.b", "Б {x}"}};
    assert_int_equal(walor_texts(p, ok, 2), 0);
    assert_string_equal(wh_text_get("tt.b"), "Б {x}");
    static const walor_text_pair taken[] = {{"tt.c", "C"}, {"tt.a", "again"}};
    assert_int_equal(walor_texts(p, taken, 2), WALOR_EEXIST);
    assert_non_null(strstr(wh_last_error(), "texts[1]"));
    assert_null(wh_text_get("tt.c")); /* the good row before the bad one is not registered either */
    static const walor_text_pair twice[] = {{"tt.d", "D"}, {"tt.d", "D"}};
    assert_int_equal(walor_texts(p, twice, 2), WALOR_EEXIST);
    assert_null(wh_text_get("tt.d"));
    static const walor_text_pair foreign[] = {{"other.x", "X"}};
    assert_int_equal(walor_texts(p, foreign, 1), WALOR_EINVAL);
    static const walor_text_pair no_text[] = {{"tt.e", NULL}};
    assert_int_equal(walor_texts(p, no_text, 1), WALOR_EINVAL);
    assert_int_equal(walor_texts(p, NULL, 0), 0);
    p->loading = 0;
    static const walor_text_pair late[] = {{"tt.f", "F"}};
    assert_int_equal(walor_texts(p, late, 1), WALOR_EPHASE);
}

#define STEP(...) {.struct_size = sizeof(walor_step_def), __VA_ARGS__}

static int32_t form(wh_plugin *p, const char *name, const walor_step_def *steps, uint32_t n)
{
    walor_form_def f = {.struct_size = sizeof f, .name = name, .steps = steps, .nsteps = n, .summary = "tt.sum",
                        .on_done = done};
    return walor_form(p, &f);
}

static void refused(wh_plugin *p, const walor_step_def *steps, uint32_t n, const char *why)
{
    assert_int_equal(form(p, "bad", steps, n), WALOR_EINVAL);
    if (!strstr(wh_last_error(), why))
        fail_msg("reason \"%s\" lacks \"%s\"", wh_last_error(), why);
    assert_null(wh_find_conv("tf.bad"));
}

static void test_form_steps_checked(void **state)
{
    (void)state;
    wh_plugin *p = plugin("tf");
    static const walor_step_choice yn[] = {{"1", "Да"}, {"0", "Нет"}};
    static const walor_step_def good[] = {
        STEP(.type = WALOR_STEP_STRING, .key = "name", .prompt = "tf.name", .min = 1, .max = 10),
        STEP(.type = WALOR_STEP_CHOICE, .key = "yes", .prompt = "tf.yes", .nchoices = 2, .choices = yn),
    };
    assert_int_equal(form(p, "good", good, 2), 0);
    const wh_conv_def *d = wh_find_conv("tf.good");
    assert_non_null(d);
    assert_non_null(d->form);
    assert_int_equal(d->nstates, 3);
    assert_string_equal(d->states[0].name, "name");
    assert_int_equal(d->states[1].step, 1);
    assert_string_equal(d->states[2].name, WH_FORM_SUMMARY_STATE);
    assert_int_equal(d->states[2].step, -1);
    assert_true(d->form->steps[1].choices != yn); /* copied, with its strings */
    assert_string_equal(d->form->steps[1].choices[1].label, "Нет");
    assert_int_equal(form(p, "good", good, 2), WALOR_EEXIST);

    static const walor_step_def bad_type[] = {STEP(.type = 0, .key = "a", .prompt = "x")};
    refused(p, bad_type, 1, "step 0: unknown type");
    static const walor_step_def bad_key[] = {STEP(.type = WALOR_STEP_INT, .key = "_a", .prompt = "x")};
    refused(p, bad_key, 1, "not starting with '_'");
    static const walor_step_def twice[] = {STEP(.type = WALOR_STEP_INT, .key = "a", .prompt = "x"),
                                           STEP(.type = WALOR_STEP_INT, .key = "a", .prompt = "y")};
    refused(p, twice, 2, "step 1: key is used by an earlier step");
    static const walor_step_def no_prompt[] = {STEP(.type = WALOR_STEP_INT, .key = "a")};
    refused(p, no_prompt, 1, "prompt");
    static const walor_step_def bounds[] = {STEP(.type = WALOR_STEP_INT, .key = "a", .prompt = "x", .min = 5, .max = 1)};
    refused(p, bounds, 1, "min is above max");
    static const walor_step_def no_choices[] = {STEP(.type = WALOR_STEP_CHOICE, .key = "a", .prompt = "x")};
    refused(p, no_choices, 1, "CHOICE step needs choices");
    static const walor_step_choice half[] = {{"1", NULL}};
    static const walor_step_def half_choice[] = {
        STEP(.type = WALOR_STEP_CHOICE, .key = "a", .prompt = "x", .nchoices = 1, .choices = half)};
    refused(p, half_choice, 1, "value and a label");
    static const walor_step_def flags[] = {STEP(.type = WALOR_STEP_INT, .key = "a", .prompt = "x", .flags = 0x80)};
    refused(p, flags, 1, "unknown flags");
    static const walor_step_def geo_int[] = {
        STEP(.type = WALOR_STEP_INT, .key = "a", .prompt = "x", .flags = WALOR_STEP_LOCATION)};
    refused(p, geo_int, 1, "LOCATION is for STRING and TEXT");
    static const walor_step_def file_str[] = {
        STEP(.type = WALOR_STEP_STRING, .key = "a", .prompt = "x", .flags = WALOR_STEP_FILE)};
    refused(p, file_str, 1, "FILE is for TEXT");
    /* the plugin's own button words and a confirm label are the host's copies */
    char skip[] = "Без почты", keep[] = "✅ {value}", ok[] = "✅ Списать";
    walor_step_def labelled[] = {STEP(.type = WALOR_STEP_TEXT, .key = "t", .prompt = "x",
                                      .flags = WALOR_STEP_SKIP | WALOR_STEP_KEEP | WALOR_STEP_FILE |
                                               WALOR_STEP_LOCATION | WALOR_STEP_AT_SUMMARY,
                                      .skip_label = skip, .keep_label = keep)};
    walor_form_def lf = {.struct_size = sizeof lf, .name = "labelled", .steps = labelled, .nsteps = 1,
                         .on_done = done, .summary = "tf.sum", .done_label = ok};
    assert_int_equal(walor_form(p, &lf), 0);
    skip[0] = keep[0] = ok[0] = 'X';
    const wh_conv_def *ld = wh_find_conv("tf.labelled");
    assert_string_equal(ld->form->steps[0].skip_label, "Без почты");
    assert_string_equal(ld->form->steps[0].keep_label, "✅ {value}");
    assert_string_equal(ld->form->done_label, "✅ Списать");
    walor_step_def mixed[2] = {STEP(.type = WALOR_STEP_INT, .key = "a", .prompt = "x"),
                               STEP(.type = WALOR_STEP_INT, .key = "b", .prompt = "y")};
    mixed[1].struct_size = 8;
    refused(p, mixed, 2, "struct_size differs");

    walor_form_def no_done = {.struct_size = sizeof no_done, .name = "nd", .steps = good, .nsteps = 2};
    assert_int_equal(walor_form(p, &no_done), WALOR_EINVAL);
    walor_form_def none = {.struct_size = sizeof none, .name = "none", .steps = good, .nsteps = 0, .on_done = done};
    assert_int_equal(walor_form(p, &none), WALOR_EINVAL);
}

/* a plugin built when walor_step_def ended at .choices: the host walks its
 * array by that size and reads no hook past it */
typedef struct older_step {
    uint32_t struct_size, type;
    const char *key, *prompt, *label, *error;
    int64_t min, max;
    uint32_t flags, nchoices;
    const walor_step_choice *choices;
} older_step;

static void test_form_of_an_older_step_struct(void **state)
{
    (void)state;
    _Static_assert(sizeof(older_step) == offsetof(walor_step_def, validate), "older_step is a prefix");
    wh_plugin *p = plugin("to");
    static const older_step steps[] = {
        {sizeof(older_step), WALOR_STEP_INT, "a", "to.a", NULL, NULL, 1, 9, 0, 0, NULL},
        {sizeof(older_step), WALOR_STEP_DATE, "b", "to.b", "День", NULL, 0, 30, WALOR_STEP_SKIP, 0, NULL},
    };
    walor_form_def f = {.struct_size = sizeof f, .name = "old", .steps = (const walor_step_def *)(const void *)steps,
                        .nsteps = 2, .on_done = done};
    assert_int_equal(walor_form(p, &f), 0);
    const wh_conv_def *d = wh_find_conv("to.old");
    assert_non_null(d);
    assert_int_equal(d->nstates, 2); /* no summary */
    assert_string_equal(d->form->steps[1].key, "b");
    assert_string_equal(d->form->steps[1].label, "День");
    assert_int_equal(d->form->steps[1].max, 30);
    assert_null(d->form->steps[1].validate);
    assert_null(d->form->steps[1].choices_fn);
    assert_null(d->form->steps[1].skip_label);
    assert_null(d->form->steps[1].ask_if);
    assert_null(d->form->done_label);
}

static int32_t press(walor_ctx *c) { (void)c; return 0; }

static void test_admin_button_area(void **state)
{
    (void)state;
    wh_plugin *p = plugin("tm");
    walor_menu_def m = {.struct_size = sizeof m, .min_role = WALOR_ROLE_MANAGER, .where = WALOR_MENU_ADMIN,
                        .id = "a", .label = "A", .on_press = press, .group = WALOR_MENU_GROUP_GOODS};
    assert_int_equal(walor_menu(p, &m), 0);
    assert_int_equal(wh_find_menu("tm.a")->group, WALOR_MENU_GROUP_GOODS);
    m.id = "b";
    m.group = 7;
    assert_int_equal(walor_menu(p, &m), WALOR_EINVAL);
    m.group = WH_MENU_GROUP_NAV; /* the host's own row */
    assert_int_equal(walor_menu(p, &m), WALOR_EINVAL);
    /* a 1.2 plugin's shorter struct: no area */
    m.struct_size = offsetof(walor_menu_def, group);
    m.group = WALOR_MENU_GROUP_SALES;
    assert_int_equal(walor_menu(p, &m), 0);
    assert_int_equal(wh_find_menu("tm.b")->group, WALOR_MENU_GROUP_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_texts_all_or_none),
        cmocka_unit_test(test_form_steps_checked),
        cmocka_unit_test(test_form_of_an_older_step_struct),
        cmocka_unit_test(test_admin_button_area),
    };
    wh_reg.api = wh_api(); /* what walord's main() does before anything registers */
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    wh_registry_free();
    return rc;
}
