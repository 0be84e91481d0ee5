/* The SDK 1.2 additions, frozen the same way as sdk_1_0_layout.c: the
 * offset and exact type of every slot added in 1.2. NEVER EDIT these; a
 * later minor freezes its additions in its own file. */
#include <stddef.h>

#include <walor/plugin.h>

#if defined(__x86_64__) || defined(__aarch64__)

#define WALOR_ABI_FIELD(S, m, off, ...)                                                      \
    _Static_assert(offsetof(S, m) == (off), "SDK 1.2 ABI: " #S "." #m " moved (was at offset " #off ")"); \
    _Static_assert(_Generic(((S *)0)->m, __VA_ARGS__: 1, default: 0),                         \
                   "SDK 1.2 ABI: " #S "." #m " changed type (was " #__VA_ARGS__ ")")
#define WALOR_ABI_SIZE_EXACT(S, n) \
    _Static_assert(sizeof(S) == (n), "SDK 1.2 ABI: sizeof(" #S ") changed (was " #n "; it travels in arrays)")
#define WALOR_ABI_SIZE_MIN(S, n) \
    _Static_assert(sizeof(S) >= (n), "SDK 1.2 ABI: " #S " shrank (was " #n " bytes; only appending is allowed)")
#define WALOR_ABI_CONST(name, v) _Static_assert((name) == (v), "SDK 1.2 ABI: " #name " changed value (was " #v ")")


_Static_assert(WALOR_SDK_MINOR >= 2, "SDK minors only go up");

WALOR_ABI_FIELD(walor_host_api, http_fetch, 656, int32_t (*)(walor_ctx *c, const walor_http_request *req, walor_http_response *out));
WALOR_ABI_FIELD(walor_host_api, url_escape, 664, char *(*)(walor_ctx *c, const char *s));
WALOR_ABI_FIELD(walor_host_api, tx_active, 672, int32_t (*)(walor_ctx *c));
WALOR_ABI_SIZE_MIN(walor_host_api, 680);
WALOR_ABI_CONST(WALOR_ENET, -15);

WALOR_ABI_FIELD(walor_http_request, struct_size, 0, uint32_t);
WALOR_ABI_FIELD(walor_http_request, timeout_ms, 4, uint32_t);
WALOR_ABI_FIELD(walor_http_request, method, 8, const char *);
WALOR_ABI_FIELD(walor_http_request, url, 16, const char *);
WALOR_ABI_FIELD(walor_http_request, headers, 24, const char *const *);
WALOR_ABI_FIELD(walor_http_request, body, 32, const void *);
WALOR_ABI_FIELD(walor_http_request, body_len, 40, uint64_t);
WALOR_ABI_FIELD(walor_http_request, max_response, 48, uint64_t);
WALOR_ABI_SIZE_MIN(walor_http_request, 56);
WALOR_ABI_FIELD(walor_http_response, struct_size, 0, uint32_t);
WALOR_ABI_FIELD(walor_http_response, status, 4, int32_t);
WALOR_ABI_FIELD(walor_http_response, body, 8, const char *);
WALOR_ABI_FIELD(walor_http_response, body_len, 16, uint64_t);
WALOR_ABI_FIELD(walor_http_response, headers, 24, const char *);
WALOR_ABI_SIZE_MIN(walor_http_response, 32);

#endif /* x86_64 || aarch64 */

/* ISO C forbids an empty translation unit. */
typedef int walor_sdk_1_2_layout_checked;
