/* checkout-cdek: the DaData client (EXTERNAL-APIS.md §3). The cleaner for
 * contacts and typed addresses, suggestions for locations and the CDEK city
 * code. Any failure (no key configured, 401/403 out of quota, 429, 5xx,
 * timeout) is CHK_DD_DOWN: the checkout then takes what was typed and marks
 * it unverified, it never blocks an order on DaData. */
#include <stdlib.h>
#include <string.h>

#include "checkout.h"

#define CLEAN_URL "https://cleaner.dadata.ru/api/v1/"
#define SUGGEST_URL "https://suggestions.dadata.ru/suggestions/api/4_1/rs/"

static int call(walor_ctx *c, int cleaner, const char *what, json_t *body, json_t **out)
{
    *out = NULL;
    const char *key = chk_cfg(c, "dadata_api_key", NULL);
    const char *secret = chk_cfg(c, "dadata_secret", NULL);
    if (!key || (cleaner && !secret))
        return CHK_DD_DOWN;
    const char *base = cleaner ? chk_cfg(c, "dadata_clean_url", CLEAN_URL) : chk_cfg(c, "dadata_suggest_url", SUGGEST_URL);
    const char *hdrs[3] = {walor_ctx_printf(c, "Authorization: Token %s", key),
                           cleaner ? walor_ctx_printf(c, "X-Secret: %s", secret) : NULL, NULL};
    char *txt = json_dumps(body, JSON_COMPACT);
    if (!txt)
        return CHK_DD_DOWN;
    int32_t status = 0;
    json_t *j = NULL;
    int32_t rc = chk_http(c, "POST", chk_url(c, base, what), hdrs, "application/json", txt,
                          chk_timeout(c, "dadata_timeout_ms", 3000), &status, &j);
    free(txt);
    if (rc < 0 || status != 200 || !j) {
        walor_log(c, WALOR_LOG_WARN, "checkout-cdek: DaData %s unavailable: %s", what,
                  rc < 0 ? walor_last_error(c) : walor_ctx_printf(c, "HTTP %d", status));
        json_decref(j);
        return CHK_DD_DOWN;
    }
    *out = j;
    return CHK_DD_OK;
}

/* first element of the cleaner's array answer for one input */
static int clean1(walor_ctx *c, const char *what, const char *in, json_t **res, json_t **keep)
{
    json_t *body = json_pack("[s]", in);
    if (!body)
        return CHK_DD_DOWN;
    int rc = call(c, 1, what, body, keep);
    json_decref(body);
    if (rc != CHK_DD_OK)
        return rc;
    *res = json_array_get(*keep, 0);
    if (!json_is_object(*res)) {
        json_decref(*keep);
        *keep = NULL;
        return CHK_DD_DOWN;
    }
    return CHK_DD_OK;
}

int chk_dd_phone(walor_ctx *c, const char *in, const char **out)
{
    json_t *keep = NULL, *r = NULL;
    int rc = clean1(c, "clean/phone", in, &r, &keep);
    if (rc != CHK_DD_OK)
        return rc;
    int64_t qc = chk_json_int(json_object_get(r, "qc"));
    const char *ph = chk_json_str(r, "phone");
    /* qc 0 confident, 1 with assumptions (still a phone); 2 garbage, 3/7 ambiguous or foreign */
    if ((qc == 0 || qc == 1) && *ph) {
        *out = walor_ctx_printf(c, "%s", ph);
        rc = CHK_DD_OK;
    } else {
        rc = CHK_DD_BAD;
    }
    json_decref(keep);
    return rc;
}

int chk_dd_email(walor_ctx *c, const char *in, const char **out)
{
    json_t *keep = NULL, *r = NULL;
    int rc = clean1(c, "clean/email", in, &r, &keep);
    if (rc != CHK_DD_OK)
        return rc;
    int64_t qc = chk_json_int(json_object_get(r, "qc"));
    const char *em = chk_json_str(r, "email");
    if ((qc == 0 || qc == 4) && *em) { /* 4: a typo DaData fixed */
        *out = walor_ctx_printf(c, "%s", em);
        rc = CHK_DD_OK;
    } else {
        rc = CHK_DD_BAD;
    }
    json_decref(keep);
    return rc;
}

static const char *field_str(walor_ctx *c, json_t *o, const char *key)
{
    return walor_ctx_printf(c, "%s", chk_json_str(o, key));
}

/* an address object of the cleaner or a suggestion's data into *a */
static void fill(walor_ctx *c, json_t *o, const char *text, chk_addr *a)
{
    a->text = walor_ctx_printf(c, "%s", text);
    a->city = *chk_json_str(o, "city") ? field_str(c, o, "city") : field_str(c, o, "settlement");
    a->postal = field_str(c, o, "postal_code");
    a->kladr = *chk_json_str(o, "city_kladr_id") ? field_str(c, o, "city_kladr_id") : field_str(c, o, "settlement_kladr_id");
    int ok1 = 0, ok2 = 0, okq = 0;
    double lat = chk_json_double(json_object_get(o, "geo_lat"), &ok1);
    double lon = chk_json_double(json_object_get(o, "geo_lon"), &ok2);
    /* qc_geo 3-5 (settlement, city, unknown) are the centre of a town, not
     * this address: distances to pickup points from there would mislead */
    double qc_geo = chk_json_double(json_object_get(o, "qc_geo"), &okq);
    if (ok1 && ok2 && (!okq || qc_geo <= 2) && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180) {
        a->lat = lat;
        a->lon = lon;
        a->has_geo = 1;
    }
    a->verified = 1;
}

int chk_dd_address(walor_ctx *c, const char *in, chk_addr *out)
{
    memset(out, 0, sizeof *out);
    json_t *keep = NULL, *r = NULL;
    int rc = clean1(c, "clean/address", in, &r, &keep);
    if (rc != CHK_DD_OK)
        return rc;
    int64_t qc = chk_json_int(json_object_get(r, "qc"));
    const char *res = chk_json_str(r, "result");
    if (qc == 2 || !*res) { /* empty or garbage */
        json_decref(keep);
        return CHK_DD_BAD;
    }
    fill(c, r, res, out);
    out->verified = qc == 0; /* 1 and 3: DaData had to guess; staff should look */
    json_decref(keep);
    return CHK_DD_OK;
}

int chk_dd_geolocate(walor_ctx *c, double lat, double lon, chk_addr *out)
{
    memset(out, 0, sizeof *out);
    json_t *body = json_pack("{s:f, s:f, s:i, s:i}", "lat", lat, "lon", lon, "radius_meters", 100, "count", 1);
    json_t *j = NULL;
    int rc = body ? call(c, 0, "geolocate/address", body, &j) : CHK_DD_DOWN;
    json_decref(body);
    if (rc != CHK_DD_OK)
        return rc;
    json_t *s = json_array_get(json_object_get(j, "suggestions"), 0);
    json_t *d = json_object_get(s, "data");
    if (!json_is_object(d)) {
        json_decref(j);
        return CHK_DD_BAD;
    }
    fill(c, d, chk_json_str(s, "value"), out);
    /* the customer's own point is more precise than the house's */
    out->lat = lat;
    out->lon = lon;
    out->has_geo = 1;
    json_decref(j);
    return CHK_DD_OK;
}

int64_t chk_dd_cdek_city(walor_ctx *c, const char *kladr)
{
    json_t *body = json_pack("{s:s}", "query", kladr);
    json_t *j = NULL;
    int rc = body ? call(c, 0, "findById/delivery", body, &j) : CHK_DD_DOWN;
    json_decref(body);
    if (rc != CHK_DD_OK)
        return 0;
    json_t *d = json_object_get(json_array_get(json_object_get(j, "suggestions"), 0), "data");
    int64_t id = chk_json_int(json_object_get(d, "cdek_id"));
    json_decref(j);
    return id > 0 ? id : 0;
}

size_t chk_dd_suggest(walor_ctx *c, const char *in, chk_addr *out, size_t max)
{
    json_t *body = json_pack("{s:s, s:I}", "query", in, "count", (json_int_t)max);
    json_t *j = NULL;
    int rc = body ? call(c, 0, "suggest/address", body, &j) : CHK_DD_DOWN;
    json_decref(body);
    if (rc != CHK_DD_OK)
        return 0;
    size_t n = 0, i;
    json_t *s;
    json_array_foreach(json_object_get(j, "suggestions"), i, s)
    {
        json_t *d = json_object_get(s, "data");
        /* a house is what a courier and the carrier need: streets are not enough */
        if (n >= max || !json_is_object(d) || !*chk_json_str(d, "house"))
            continue;
        memset(&out[n], 0, sizeof out[n]);
        fill(c, d, chk_json_str(s, "value"), &out[n]);
        n++;
    }
    json_decref(j);
    return n;
}
