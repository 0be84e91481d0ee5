/* checkout-cdek: outbound HTTP through the host (SDK 1.2) and the lenient
 * JSON reading both vendors need (numbers that arrive as strings). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "checkout.h"

int32_t chk_http(walor_ctx *c, const char *method, const char *url, const char *const *headers, const char *ctype,
                 const char *body, uint32_t timeout_ms, int32_t *status, json_t **json)
{
    *status = 0;
    *json = NULL;
    const char *hdrs[12];
    size_t n = 0;
    for (; headers && headers[n] && n < 9; n++)
        hdrs[n] = headers[n];
    if (ctype)
        hdrs[n++] = walor_ctx_printf(c, "Content-Type: %s", ctype);
    hdrs[n++] = "Accept: application/json";
    hdrs[n] = NULL;
    walor_http_request req = {.struct_size = sizeof req, .timeout_ms = timeout_ms, .method = method, .url = url,
                              .headers = hdrs, .body = body, .body_len = body ? strlen(body) : 0,
                              .max_response = 4u << 20};
    walor_http_response resp = {.struct_size = sizeof resp};
    int32_t rc = walor_http_fetch(c, &req, &resp);
    if (rc < 0)
        return rc;
    *status = resp.status;
    if (resp.body && resp.body_len)
        *json = json_loadb(resp.body, (size_t)resp.body_len, 0, NULL);
    return 0;
}

char *chk_url_escape(walor_ctx *c, const char *s)
{
    char *e = walor_url_escape(c, s);
    return e ? e : walor_ctx_printf(c, "%s", ""); /* never send an unescaped value */
}

double chk_json_double(json_t *v, int *ok)
{
    *ok = 1;
    if (json_is_number(v))
        return json_number_value(v);
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *e = NULL;
        double d = strtod(s, &e);
        if (e != s && *e == 0 && isfinite(d))
            return d;
    }
    *ok = 0;
    return 0;
}

int64_t chk_json_kopecks(json_t *v)
{
    int ok;
    double d = chk_json_double(v, &ok);
    if (!ok || d < 0 || d > 1e12)
        return -1;
    return (int64_t)llround(d * 100.0);
}

int64_t chk_json_int(json_t *v)
{
    int ok;
    double d = chk_json_double(v, &ok);
    return ok && fabs(d) < 9e15 ? (int64_t)d : 0;
}

const char *chk_json_str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

const char *chk_cfg(walor_ctx *c, const char *key, const char *dflt)
{
    const char *v = walor_plugin_config(walor_ctx_plugin(c), key);
    return v && *v ? v : dflt;
}

uint32_t chk_timeout(walor_ctx *c, const char *key, uint32_t dflt)
{
    const char *v = walor_plugin_config(walor_ctx_plugin(c), key);
    long n = v ? strtol(v, NULL, 10) : 0;
    return n >= 100 && n <= 60000 ? (uint32_t)n : dflt;
}
