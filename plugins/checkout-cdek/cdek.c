/* checkout-cdek: the CDEK v2 client (EXTERNAL-APIS.md §1). The OAuth token
 * lives in memory only (a secret has no business in the database), shared
 * by the workers and renewed a minute before it expires or after a 401.
 * Pickup points are cached per city in checkout_cdek_points for the TTL of
 * the points_ttl_h setting: the full list is large and changes rarely. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "checkout.h"

static pthread_mutex_t tok_mu = PTHREAD_MUTEX_INITIALIZER;
static char tok[512];
static int64_t tok_expires;

void chk_cdek_forget_token(void)
{
    pthread_mutex_lock(&tok_mu);
    memset(tok, 0, sizeof tok);
    tok_expires = 0;
    pthread_mutex_unlock(&tok_mu);
}

static uint32_t timeout(walor_ctx *c) { return chk_timeout(c, "cdek_timeout_ms", 8000); }

/* the Authorization header (arena), NULL when no token can be had */
static const char *bearer(walor_ctx *c)
{
    int64_t now = walor_now(c);
    pthread_mutex_lock(&tok_mu);
    const char *h = tok[0] && now < tok_expires ? walor_ctx_printf(c, "Authorization: Bearer %s", tok) : NULL;
    pthread_mutex_unlock(&tok_mu);
    if (h)
        return h;
    const char *id, *secret;
    chk_cdek_account(c, &id, &secret);
    if (!id || !secret) {
        walor_log(c, WALOR_LOG_WARN, "checkout-cdek: cdek_client_id/cdek_client_secret are not configured");
        return NULL;
    }
    const char *form = walor_ctx_printf(c, "grant_type=client_credentials&client_id=%s&client_secret=%s",
                                        chk_url_escape(c, id), chk_url_escape(c, secret));
    int32_t status;
    json_t *j = NULL;
    int32_t rc = chk_http(c, "POST", chk_url(c, chk_cdek_base(c), "oauth/token"), NULL,
                          "application/x-www-form-urlencoded", form, timeout(c), &status, &j);
    const char *t = chk_json_str(j, "access_token");
    int64_t ttl = chk_json_int(json_object_get(j, "expires_in"));
    if (rc < 0 || status != 200 || !*t || strlen(t) >= sizeof tok) {
        walor_log(c, WALOR_LOG_WARN, "checkout-cdek: CDEK token refused: %s",
                  rc < 0 ? walor_last_error(c) : walor_ctx_printf(c, "HTTP %d", status));
        json_decref(j);
        return NULL;
    }
    if (ttl <= 0)
        ttl = 3600;
    pthread_mutex_lock(&tok_mu);
    strcpy(tok, t);
    tok_expires = now + (ttl > 120 ? ttl - 60 : ttl / 2);
    pthread_mutex_unlock(&tok_mu);
    h = walor_ctx_printf(c, "Authorization: Bearer %s", t);
    json_decref(j);
    return h;
}

/* an authorised call; a 401 renews the token once */
static int32_t api(walor_ctx *c, const char *method, const char *path, json_t *body, int32_t *status, json_t **out)
{
    char *txt = body ? json_dumps(body, JSON_COMPACT) : NULL;
    int32_t rc = WALOR_EPERM;
    for (int attempt = 0; attempt < 2; attempt++) {
        const char *auth = bearer(c);
        if (!auth)
            break;
        const char *hdrs[2] = {auth, NULL};
        *out = NULL;
        rc = chk_http(c, method, chk_url(c, chk_cdek_base(c), path), hdrs, txt ? "application/json" : NULL,
                      txt, timeout(c), status, out);
        if (rc == 0 && *status == 401 && attempt == 0) {
            json_decref(*out);
            *out = NULL;
            chk_cdek_forget_token();
            continue;
        }
        break;
    }
    free(txt);
    return rc;
}

int32_t chk_cdek_tariff(walor_ctx *c, int tariff, int64_t to_city, const chk_parcel *p, int64_t *kopecks)
{
    json_t *body = json_pack("{s:i, s:i, s:i, s:{s:I}, s:{s:I}, s:[{s:I, s:i, s:i, s:i}]}", "type", 1, "currency", 1,
                             "tariff_code", tariff, "from_location", "code",
                             (json_int_t)walor_setting_or(c, "checkout-cdek.from_city", 44), "to_location", "code",
                             (json_int_t)to_city, "packages", "weight", (json_int_t)p->weight_g, "length", p->length,
                             "width", p->width, "height", p->height);
    if (!body)
        return WALOR_ENOMEM;
    int32_t status = 0;
    json_t *j = NULL;
    int32_t rc = api(c, "POST", "calculator/tariff", body, &status, &j);
    json_decref(body);
    int64_t k = j ? chk_json_kopecks(json_object_get(j, "delivery_sum")) : -1;
    if (rc == 0 && (status != 200 || k < 0)) {
        json_t *e = json_array_get(json_object_get(j, "errors"), 0);
        walor_log(c, WALOR_LOG_WARN, "checkout-cdek: CDEK tariff %d to %lld: HTTP %d %s", tariff, (long long)to_city,
                  status, chk_json_str(e, "code"));
        rc = WALOR_EINVAL;
    } else if (rc < 0) {
        walor_log(c, WALOR_LOG_WARN, "checkout-cdek: CDEK tariff %d: %s", tariff, walor_last_error(c));
    }
    json_decref(j);
    if (rc == 0)
        *kopecks = k;
    return rc;
}

static int32_t points_parse(walor_ctx *c, const char *txt, chk_point **out, size_t *n)
{
    json_t *a = json_loads(txt, 0, NULL);
    size_t cnt = json_array_size(a);
    chk_point *v = walor_ctx_alloc(c, (cnt ? cnt : 1) * sizeof *v);
    size_t k = 0;
    for (size_t i = 0; v && i < cnt; i++) {
        json_t *p = json_array_get(a, i), *loc = json_object_get(p, "location");
        int ok1, ok2;
        double lat = chk_json_double(json_object_get(loc, "latitude"), &ok1);
        double lon = chk_json_double(json_object_get(loc, "longitude"), &ok2);
        if (!*chk_json_str(p, "code") || !ok1 || !ok2)
            continue;
        v[k++] = (chk_point){.code = walor_ctx_printf(c, "%s", chk_json_str(p, "code")),
                             .name = walor_ctx_printf(c, "%s", chk_json_str(p, "name")),
                             .address = walor_ctx_printf(c, "%s", chk_json_str(loc, "address")),
                             .hours = walor_ctx_printf(c, "%s", chk_json_str(p, "work_time")),
                             .lat = lat,
                             .lon = lon};
    }
    json_decref(a);
    if (!v)
        return WALOR_ENOMEM;
    *out = v;
    *n = k;
    return 0;
}

int32_t chk_cdek_points(walor_ctx *c, int64_t city, chk_point **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    int64_t ttl = walor_setting_or(c, "checkout-cdek.points_ttl_h", 24) * 3600;
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c, "SELECT body FROM checkout_cdek_points WHERE city_code = ? AND fetched_at > ?",
                                WALOR_ARGS(walor_i(city), walor_i(walor_now(c) - ttl)), &r);
    if (rc < 0)
        return rc;
    if (walor_row_next(r) == 1) {
        rc = points_parse(c, walor_col_text(r, 0), out, n);
        walor_rows_close(r);
        return rc;
    }
    walor_rows_close(r);
    int32_t status = 0;
    json_t *j = NULL;
    rc = api(c, "GET", walor_ctx_printf(c, "deliverypoints?city_code=%lld&type=PVZ", (long long)city), NULL, &status, &j);
    if (rc == 0 && (status != 200 || !json_is_array(j))) {
        walor_log(c, WALOR_LOG_WARN, "checkout-cdek: CDEK pickup points of %lld: HTTP %d", (long long)city, status);
        rc = WALOR_EINVAL;
    }
    if (rc < 0) {
        json_decref(j);
        return rc;
    }
    /* keep only what the screen needs: the cache row stays small */
    json_t *slim = json_array();
    size_t i;
    json_t *p;
    json_array_foreach(j, i, p)
    {
        json_t *loc = json_object_get(p, "location");
        json_array_append_new(slim, json_pack("{s:s, s:s, s:s, s:{s:O?, s:O?, s:s}}", "code", chk_json_str(p, "code"),
                                              "name", chk_json_str(p, "name"), "work_time", chk_json_str(p, "work_time"),
                                              "location", "latitude", json_object_get(loc, "latitude"), "longitude",
                                              json_object_get(loc, "longitude"), "address",
                                              chk_json_str(loc, "address")));
    }
    json_decref(j);
    char *txt = json_dumps(slim, JSON_COMPACT);
    json_decref(slim);
    if (!txt)
        return WALOR_ENOMEM;
    rc = walor_db_exec(c,
                       "INSERT INTO checkout_cdek_points(city_code, fetched_at, body) VALUES (?, ?, ?) "
                       "ON CONFLICT(city_code) DO UPDATE SET fetched_at = excluded.fetched_at, body = excluded.body",
                       WALOR_ARGS(walor_i(city), walor_i(walor_now(c)), walor_s(txt)));
    if (rc >= 0)
        rc = points_parse(c, txt, out, n);
    free(txt);
    return rc;
}

int64_t chk_cdek_city_by_name(walor_ctx *c, const char *city, const char *postal)
{
    const char *q = postal && *postal ? walor_ctx_printf(c, "postal_code=%s", chk_url_escape(c, postal))
                                      : walor_ctx_printf(c, "city=%s", chk_url_escape(c, city ? city : ""));
    if ((!postal || !*postal) && (!city || !*city))
        return 0;
    int32_t status = 0;
    json_t *j = NULL;
    int32_t rc = api(c, "GET", walor_ctx_printf(c, "location/cities?country_codes=RU&size=1&%s", q), NULL, &status, &j);
    int64_t code = rc == 0 && status == 200 ? chk_json_int(json_object_get(json_array_get(j, 0), "code")) : 0;
    json_decref(j);
    return code > 0 ? code : 0;
}

int32_t chk_cdek_order_create(walor_ctx *c, json_t *body, const char **uuid, int32_t *status)
{
    json_t *j = NULL;
    int32_t rc = api(c, "POST", "orders", body, status, &j);
    const char *u = chk_json_str(json_object_get(j, "entity"), "uuid");
    if (rc == 0 && (*status < 200 || *status > 299 || !*u)) {
        json_t *e = json_array_get(json_object_get(j, "errors"), 0);
        if (!e)
            e = json_array_get(json_object_get(json_array_get(json_object_get(j, "requests"), 0), "errors"), 0);
        walor_log(c, WALOR_LOG_WARN, "checkout-cdek: CDEK order refused: HTTP %d %s", *status, chk_json_str(e, "code"));
        rc = WALOR_EINVAL;
    }
    if (rc == 0)
        *uuid = walor_ctx_printf(c, "%s", u);
    json_decref(j);
    return rc;
}

int32_t chk_cdek_order_get(walor_ctx *c, const char *uuid, const char *number, json_t **entity, const char **why)
{
    *entity = NULL;
    if (why)
        *why = NULL;
    const char *path = uuid ? walor_ctx_printf(c, "orders/%s", chk_url_escape(c, uuid))
                            : walor_ctx_printf(c, "orders?im_number=%s", chk_url_escape(c, number));
    int32_t status = 0;
    json_t *j = NULL;
    int32_t rc = api(c, "GET", path, NULL, &status, &j);
    if (rc < 0)
        return rc;
    json_t *e = json_object_get(j, "entity");
    if (status == 200 && json_is_object(e) && *chk_json_str(e, "uuid")) {
        *entity = json_incref(e);
        rc = 0;
        size_t i;
        json_t *r;
        json_array_foreach(json_object_get(j, "requests"), i, r)
        {
            if (strcmp(chk_json_str(r, "type"), "CREATE") != 0 || strcmp(chk_json_str(r, "state"), "INVALID") != 0)
                continue;
            /* validation failed after the asynchronous acceptance */
            const char *msg = "";
            size_t k;
            json_t *er;
            json_array_foreach(json_object_get(r, "errors"), k, er)
                msg = walor_ctx_printf(c, "%s%s%s", msg, *msg ? "; " : "", chk_json_str(er, "message"));
            if (why)
                *why = msg;
            rc = 1;
        }
    } else if (status == 400 || status == 404) {
        rc = WALOR_ENOTFOUND; /* CDEK says "not found" with a 400 */
    } else {
        rc = WALOR_EINVAL;
    }
    json_decref(j);
    return rc;
}

int32_t chk_cdek_webhook(walor_ctx *c, const char *url)
{
    json_t *b = json_pack("{s:s, s:s}", "url", url, "type", "ORDER_STATUS");
    int32_t status = 0;
    json_t *j = NULL;
    int32_t rc = b ? api(c, "POST", "webhooks", b, &status, &j) : WALOR_ENOMEM;
    json_decref(b);
    json_decref(j);
    if (rc == 0 && (status < 200 || status > 299)) {
        walor_log(c, WALOR_LOG_WARN, "checkout-cdek: CDEK webhook subscription: HTTP %d", status);
        rc = WALOR_EINVAL;
    }
    return rc;
}
