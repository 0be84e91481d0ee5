/* SDK stability (docs/plugin-guide.md "SDK stability"): the loader's
 * descriptor check accepts a descriptor as small as the oldest SDK 1.x
 * one and as large as a newer minor's, and refuses one too small to hold
 * the fields it reads. The descriptors are copied into heap blocks of
 * exactly struct_size bytes, so that under ASan a read past the end the
 * plugin declared fails the test.
 * Features: infra */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "host.h"
#include "loader.h"

static int32_t dummy_load(walor_plugin *p)
{
    (void)p;
    return 0;
}

static walor_plugin_desc good_desc(void)
{
    walor_plugin_desc d = {
        .magic = WALOR_PLUGIN_MAGIC,
        .struct_size = (uint32_t)sizeof(walor_plugin_desc),
        .sdk_major = WALOR_SDK_MAJOR,
        .sdk_minor = WALOR_SDK_MINOR,
        .name = "olderplugin",
        .version = "0.9",
        .load = dummy_load,
    };
    return d;
}

/* a heap block of exactly `size` bytes (at least the 16-byte header that
 * holds struct_size) with the first bytes of d, and struct_size = size;
 * the caller frees it */
static walor_plugin_desc *sized_copy(const walor_plugin_desc *d, uint32_t size)
{
    size_t header = offsetof(walor_plugin_desc, name);
    size_t alloc = size < header ? header : size;
    unsigned char *buf = calloc(1, alloc);
    assert_non_null(buf);
    memcpy(buf, d, alloc < sizeof *d ? alloc : sizeof *d);
    /* through memcpy: the block may be smaller than the struct type */
    memcpy(buf + offsetof(walor_plugin_desc, struct_size), &size, sizeof size);
    return (walor_plugin_desc *)(void *)buf;
}

static void test_current_descriptor_is_accepted(void **state)
{
    (void)state;
    walor_plugin_desc d = good_desc();
    char why[256] = "";
    assert_int_equal(wh_check_desc(&d, why, sizeof why), 0);
}

static void test_older_smaller_descriptor_is_accepted(void **state)
{
    (void)state;
    /* An older SDK 1.x plugin: its descriptor ends before `unload`, the
     * last field; everything the check reads is there. */
    walor_plugin_desc d = good_desc();
    uint32_t older = (uint32_t)offsetof(walor_plugin_desc, unload);
    walor_plugin_desc *p = sized_copy(&d, older);
    char why[256] = "";
    assert_int_equal(wh_check_desc(p, why, sizeof why), 0);
    free(p);
}

static void test_newer_larger_descriptor_is_accepted(void **state)
{
    (void)state;
    /* A plugin from a newer minor whose descriptor grew at the end. */
    walor_plugin_desc d = good_desc();
    uint32_t newer = (uint32_t)sizeof d + 16;
    walor_plugin_desc *p = sized_copy(&d, newer);
    char why[256] = "";
    assert_int_equal(wh_check_desc(p, why, sizeof why), 0);
    free(p);
}

static void test_too_small_descriptor_is_refused(void **state)
{
    (void)state;
    walor_plugin_desc d = good_desc();
    const uint32_t sizes[] = {
        (uint32_t)offsetof(walor_plugin_desc, unload) - 1, /* cuts load() */
        (uint32_t)offsetof(walor_plugin_desc, load),       /* no load() at all */
        (uint32_t)offsetof(walor_plugin_desc, name),       /* header only */
        8, 0,
    };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        walor_plugin_desc *p = sized_copy(&d, sizes[i]);
        char why[256] = "";
        assert_int_equal(wh_check_desc(p, why, sizeof why), -1);
        assert_non_null(strstr(why, "descriptor too small"));
        free(p);
    }
}

static void test_other_major_is_refused_even_if_sized_right(void **state)
{
    (void)state;
    walor_plugin_desc d = good_desc();
    d.sdk_major = WALOR_SDK_MAJOR + 1;
    char why[256] = "";
    assert_int_equal(wh_check_desc(&d, why, sizeof why), -1);
    assert_non_null(strstr(why, "SDK"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_current_descriptor_is_accepted),
        cmocka_unit_test(test_older_smaller_descriptor_is_accepted),
        cmocka_unit_test(test_newer_larger_descriptor_is_accepted),
        cmocka_unit_test(test_too_small_descriptor_is_refused),
        cmocka_unit_test(test_other_major_is_refused_even_if_sized_right),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
