/* libwalor_abi_probe.so: the SDK is headers only, so this tiny library
 * instantiates its public ABI for the checkers (tools/abi-check.sh):
 * abidw/abidiff and abi-dumper/abi-compliance-checker read the DWARF of
 * these exported functions and, through them, every public struct, the
 * API table with all its slots, and the function-pointer types.
 *
 * Every public type must be reachable from a function here. A new public
 * struct gets a new walor_abi_<struct>() (an added function is fine for the
 * checkers); never remove or change one. Built with -g -Og -fPIC by
 * sdk/abi/CMakeLists.txt, never installed, never loaded by walord. */
#include "abi_probe.h"

#define WALOR_ABI_PROBE WALOR_ABI_PROBE_API __attribute__((used, noinline))

/* the API table and the handles that lead to it */
WALOR_ABI_PROBE const walor_host_api *walor_abi_host_api(const walor_host_api *api) { return api; }
WALOR_ABI_PROBE const walor_handle *walor_abi_handle(const walor_handle *h) { return h; }
WALOR_ABI_PROBE walor_plugin *walor_abi_plugin(walor_plugin *p) { return p; }
WALOR_ABI_PROBE walor_ctx *walor_abi_ctx(walor_ctx *c) { return c; }
WALOR_ABI_PROBE walor_kb *walor_abi_kb(walor_kb *kb) { return kb; }
WALOR_ABI_PROBE walor_rows *walor_abi_rows(walor_rows *r) { return r; }

/* the plugin descriptor and its entry point */
WALOR_ABI_PROBE const walor_plugin_desc *walor_abi_plugin_desc(const walor_plugin_desc *d) { return d; }
WALOR_ABI_PROBE walor_plugin_entry_fn walor_abi_plugin_entry(walor_plugin_entry_fn fn) { return fn; }

/* structs plugins fill */
WALOR_ABI_PROBE const walor_command_def *walor_abi_command_def(const walor_command_def *d) { return d; }
WALOR_ABI_PROBE const walor_deeplink_def *walor_abi_deeplink_def(const walor_deeplink_def *d) { return d; }
WALOR_ABI_PROBE const walor_callback_def *walor_abi_callback_def(const walor_callback_def *d) { return d; }
WALOR_ABI_PROBE const walor_conv_state *walor_abi_conv_state(const walor_conv_state *d) { return d; }
WALOR_ABI_PROBE const walor_conv_def *walor_abi_conv_def(const walor_conv_def *d) { return d; }
WALOR_ABI_PROBE const walor_menu_def *walor_abi_menu_def(const walor_menu_def *d) { return d; }
WALOR_ABI_PROBE const walor_setting_def *walor_abi_setting_def(const walor_setting_def *d) { return d; }
WALOR_ABI_PROBE const walor_cron_def *walor_abi_cron_def(const walor_cron_def *d) { return d; }
WALOR_ABI_PROBE const walor_route_def *walor_abi_route_def(const walor_route_def *d) { return d; }

/* values that cross by value or in arrays */
WALOR_ABI_PROBE walor_val walor_abi_val(walor_val v) { return v; }
WALOR_ABI_PROBE const walor_val *walor_abi_vals(const walor_val *v, uint32_t n) { return n ? v : NULL; }
WALOR_ABI_PROBE const walor_form_line *walor_abi_form_line(const walor_form_line *l) { return l; }

/* callback types */
WALOR_ABI_PROBE walor_handler_fn walor_abi_handler_fn(walor_handler_fn fn) { return fn; }
WALOR_ABI_PROBE walor_ctx_fn walor_abi_ctx_fn(walor_ctx_fn fn) { return fn; }
WALOR_ABI_PROBE walor_header_fn walor_abi_header_fn(walor_header_fn fn) { return fn; }
WALOR_ABI_PROBE walor_wipe_fn walor_abi_wipe_fn(walor_wipe_fn fn) { return fn; }
WALOR_ABI_PROBE walor_job_fn walor_abi_job_fn(walor_job_fn fn) { return fn; }
WALOR_ABI_PROBE walor_event_fn walor_abi_event_fn(walor_event_fn fn) { return fn; }

/* SDK 1.3: the conversation toolkit */
WALOR_ABI_PROBE const walor_step_choice *walor_abi_step_choice(const walor_step_choice *d) { return d; }
WALOR_ABI_PROBE const walor_step_def *walor_abi_step_def(const walor_step_def *d) { return d; }
WALOR_ABI_PROBE const walor_form_def *walor_abi_form_def(const walor_form_def *d) { return d; }
WALOR_ABI_PROBE const walor_list_def *walor_abi_list_def(const walor_list_def *d) { return d; }
WALOR_ABI_PROBE const walor_text_pair *walor_abi_text_pairs(const walor_text_pair *t) { return t; }
/* SDK 1.3: asynchronous HTTP */
WALOR_ABI_PROBE const walor_http_async *walor_abi_http_async(const walor_http_async *d) { return d; }
WALOR_ABI_PROBE walor_http_chunk_fn walor_abi_http_chunk_fn(walor_http_chunk_fn fn) { return fn; }
WALOR_ABI_PROBE walor_http_done_fn walor_abi_http_done_fn(walor_http_done_fn fn) { return fn; }
