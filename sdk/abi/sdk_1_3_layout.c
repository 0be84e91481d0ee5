/* The SDK 1.3 additions, frozen the same way as sdk_1_0_layout.c: the
 * offset and exact type of every slot added in 1.3. NEVER EDIT these once
 * 1.3 is released; a later minor freezes its additions in its own file. */
#include <stddef.h>

#include <walor/plugin.h>

#if defined(__x86_64__) || defined(__aarch64__)

#define WALOR_ABI_FIELD(S, m, off, ...)                                                      \
    _Static_assert(offsetof(S, m) == (off), "SDK 1.3 ABI: " #S "." #m " moved (was at offset " #off ")"); \
    _Static_assert(_Generic(((S *)0)->m, __VA_ARGS__: 1, default: 0),                         \
                   "SDK 1.3 ABI: " #S "." #m " changed type (was " #__VA_ARGS__ ")")
#define WALOR_ABI_SIZE_MIN(S, n) \
    _Static_assert(sizeof(S) >= (n), "SDK 1.3 ABI: " #S " shrank (was " #n " bytes; only appending is allowed)")
#define WALOR_ABI_CONST(name, v) _Static_assert((name) == (v), "SDK 1.3 ABI: " #name " changed value (was " #v ")")

_Static_assert(WALOR_SDK_MINOR >= 3, "SDK minors only go up");

WALOR_ABI_FIELD(walor_host_api, config_invalid, 688,
                int32_t (*)(walor_plugin *p, const char *key, uint32_t flags, const char *why));
WALOR_ABI_FIELD(walor_host_api, db_backup, 776, int32_t (*)(walor_ctx *c, const char *dest_path, uint32_t flags));
WALOR_ABI_FIELD(walor_host_api, host_info, 824, json_t *(*)(walor_ctx *c));
WALOR_ABI_SIZE_MIN(walor_host_api, 832);
WALOR_ABI_CONST(WALOR_CONFIG_LIVE, 0x1u);
WALOR_ABI_CONST(WALOR_CONFIG_WARNING, 0x2u);
WALOR_ABI_CONST(WALOR_BACKUP_REPLACE, 0x1u);

#endif /* x86_64 || aarch64 */

/* ISO C forbids an empty translation unit. */
typedef int walor_sdk_1_3_layout_checked;
