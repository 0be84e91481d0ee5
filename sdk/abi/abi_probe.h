/* Declarations of the ABI probe's functions (sdk/abi/abi_probe.c). Kept
 * in a header because abi-dumper keeps only the symbols declared in the
 * public headers it is given: tools/abi-check.sh passes it sdk/include/walor
 * plus this file. Not part of the SDK, never installed. */
#ifndef WALOR_ABI_PROBE_H
#define WALOR_ABI_PROBE_H

#include <walor/plugin.h>

#define WALOR_ABI_PROBE_API __attribute__((visibility("default")))

WALOR_ABI_PROBE_API const walor_host_api *walor_abi_host_api(const walor_host_api *api);
WALOR_ABI_PROBE_API const walor_handle *walor_abi_handle(const walor_handle *h);
WALOR_ABI_PROBE_API walor_plugin *walor_abi_plugin(walor_plugin *p);
WALOR_ABI_PROBE_API walor_ctx *walor_abi_ctx(walor_ctx *c);
WALOR_ABI_PROBE_API walor_kb *walor_abi_kb(walor_kb *kb);
WALOR_ABI_PROBE_API walor_rows *walor_abi_rows(walor_rows *r);
WALOR_ABI_PROBE_API const walor_plugin_desc *walor_abi_plugin_desc(const walor_plugin_desc *d);
WALOR_ABI_PROBE_API walor_plugin_entry_fn walor_abi_plugin_entry(walor_plugin_entry_fn fn);
WALOR_ABI_PROBE_API const walor_command_def *walor_abi_command_def(const walor_command_def *d);
WALOR_ABI_PROBE_API const walor_deeplink_def *walor_abi_deeplink_def(const walor_deeplink_def *d);
WALOR_ABI_PROBE_API const walor_callback_def *walor_abi_callback_def(const walor_callback_def *d);
WALOR_ABI_PROBE_API const walor_conv_state *walor_abi_conv_state(const walor_conv_state *d);
WALOR_ABI_PROBE_API const walor_conv_def *walor_abi_conv_def(const walor_conv_def *d);
WALOR_ABI_PROBE_API const walor_menu_def *walor_abi_menu_def(const walor_menu_def *d);
WALOR_ABI_PROBE_API const walor_setting_def *walor_abi_setting_def(const walor_setting_def *d);
WALOR_ABI_PROBE_API const walor_cron_def *walor_abi_cron_def(const walor_cron_def *d);
WALOR_ABI_PROBE_API const walor_route_def *walor_abi_route_def(const walor_route_def *d);
WALOR_ABI_PROBE_API walor_val walor_abi_val(walor_val v);
WALOR_ABI_PROBE_API const walor_val *walor_abi_vals(const walor_val *v, uint32_t n);
WALOR_ABI_PROBE_API const walor_form_line *walor_abi_form_line(const walor_form_line *l);
WALOR_ABI_PROBE_API walor_handler_fn walor_abi_handler_fn(walor_handler_fn fn);
WALOR_ABI_PROBE_API walor_ctx_fn walor_abi_ctx_fn(walor_ctx_fn fn);
WALOR_ABI_PROBE_API walor_header_fn walor_abi_header_fn(walor_header_fn fn);
WALOR_ABI_PROBE_API walor_wipe_fn walor_abi_wipe_fn(walor_wipe_fn fn);
WALOR_ABI_PROBE_API walor_job_fn walor_abi_job_fn(walor_job_fn fn);
WALOR_ABI_PROBE_API walor_event_fn walor_abi_event_fn(walor_event_fn fn);
/* SDK 1.3 */
WALOR_ABI_PROBE_API const walor_step_choice *walor_abi_step_choice(const walor_step_choice *d);
WALOR_ABI_PROBE_API const walor_step_def *walor_abi_step_def(const walor_step_def *d);
WALOR_ABI_PROBE_API const walor_form_def *walor_abi_form_def(const walor_form_def *d);
WALOR_ABI_PROBE_API const walor_list_def *walor_abi_list_def(const walor_list_def *d);
WALOR_ABI_PROBE_API const walor_text_pair *walor_abi_text_pairs(const walor_text_pair *t);
WALOR_ABI_PROBE_API const walor_http_async *walor_abi_http_async(const walor_http_async *d);
WALOR_ABI_PROBE_API walor_http_chunk_fn walor_abi_http_chunk_fn(walor_http_chunk_fn fn);
WALOR_ABI_PROBE_API walor_http_done_fn walor_abi_http_done_fn(walor_http_done_fn fn);

#endif
