/* file_download (SDK 1.1): getFile, then the file itself over HTTP on the
 * worker's own curl handle. The download URL holds the bot token, so it is
 * built and used here only and never appears in a log or an error. */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "api_slots.h"
#include "ctx.h"
#include "error.h"
#include "host.h"
#include "httpc.h"
#include "tg.h"

#define DEFAULT_MAX (20u * 1024 * 1024)

static int32_t file_download(walor_ctx *c, const char *file_id, size_t max_bytes, void **data, size_t *len)
{
    (void)c;
    if (!file_id || !*file_id || !data || !len)
        return wh_error(WALOR_EINVAL, "file_download needs a file_id and output pointers");
    *data = NULL;
    *len = 0;
    if (max_bytes == 0)
        max_bytes = DEFAULT_MAX;
    wh_tg_result r;
    memset(&r, 0, sizeof r);
    int32_t rc = wh_tg_call(wh_g.tg, "getFile", json_pack("{s:s}", "file_id", file_id), NULL, 0, WH_TG_UNPACED, &r);
    if (rc == 0)
        rc = wh_tg_result_err(&r);
    if (rc) {
        json_decref(r.result);
        return rc;
    }
    const char *path = json_string_value(json_object_get(r.result, "file_path"));
    json_int_t size = json_integer_value(json_object_get(r.result, "file_size"));
    if (!path || !*path || strstr(path, "..")) {
        json_decref(r.result);
        return wh_error(WALOR_ETG, "getFile gave no usable file_path");
    }
    if (size > 0 && (size_t)size > max_bytes) {
        json_decref(r.result);
        return wh_error(WALOR_ELIMIT, "the file is %lld bytes, the limit is %zu", (long long)size, max_bytes);
    }
    size_t ulen = strlen(wh_g.cfg.api_root) + strlen(wh_g.cfg.token) + strlen(path) + 16;
    char *url = malloc(ulen);
    if (!url) {
        json_decref(r.result);
        return wh_error(WALOR_ENOMEM, "out of memory");
    }
    snprintf(url, ulen, "%s/file/bot%s/%s", wh_g.cfg.api_root, wh_g.cfg.token, path);
    json_decref(r.result);

    wh_httpc_sink s = {.max = max_bytes};
    CURL *h = curl_easy_init();
    CURLcode cc = CURLE_FAILED_INIT;
    long status = 0;
    if (h) {
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, wh_httpc_sink_write);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
        curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)(wh_g.cfg.http_timeout > 0 ? wh_g.cfg.http_timeout : 30));
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        cc = curl_easy_perform(h);
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_cleanup(h);
    }
    memset(url, 0, ulen); /* it held the token */
    free(url);
    if (s.too_big) {
        free(s.buf);
        return wh_error(WALOR_ELIMIT, "the file is over %zu bytes", max_bytes);
    }
    if (cc != CURLE_OK || status != 200) {
        free(s.buf);
        if (cc == CURLE_OPERATION_TIMEDOUT)
            return wh_error(WALOR_ETIMEDOUT, "file download timed out");
        return wh_error(WALOR_ETG, "file download failed (%s, HTTP %ld)", curl_easy_strerror(cc), status);
    }
    if (!s.buf && !(s.buf = malloc(1)))
        return wh_error(WALOR_ENOMEM, "out of memory");
    s.buf[s.len] = '\0';
    *data = s.buf;
    *len = s.len;
    return 0;
}

void wh_files_fill(walor_host_api *api) { api->file_download = file_download; }
