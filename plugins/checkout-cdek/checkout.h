/* checkout-cdek: what the plugin's files share (README.md).
 *   checkout.c  registration: texts, settings, tables, the `checkout` service
 *   net.c       outbound HTTP + JSON through the host (SDK 1.2)
 *   dadata.c    DaData: contacts and addresses (F-CHK-02/03)
 *   cdek.c      CDEK: token, rates, pickup points, orders (F-CHK-04/05/10)
 *   contacts.c  the contacts and address forms, the checkout's start (F-CHK-02/03)
 *   flow.c      the checkout conversation after them (F-CHK-01/06/08/09)
 *   summary.c   the quote of the current conversation and its summary screen
 *   ship.c      waybills on order.paid, status webhooks and polling (F-CHK-10)
 *   quote.c     pure arithmetic (quote.h) */
#ifndef CHECKOUT_CDEK_H
#define CHECKOUT_CDEK_H

#include <walor/plugin.h>
#include <walor/services/cart.h>
#include <walor/services/orders.h>
#include <walor/services/pricing.h>

#include "quote.h"

#define CHK_PLUGIN "checkout-cdek"
#define CHK_CONV "checkout"
#define CHK_CONTACTS "contacts" /* forms (contacts.c) */
#define CHK_ADDRESS "address"
#define CHK_TIMEOUT (6 * 3600)  /* of every part: the cart itself waits longer */
#define CHK_PREFIX "chk"     /* callback prefix */

/* ---- net.c ---- */
/* One HTTP call; never inside a transaction. 0 when a response arrived
 * (*status set, *json the parsed body or NULL when it is not JSON: json_decref
 * it); WALOR_ETIMEDOUT, WALOR_ENOSYS (host without HTTP), other < 0 on
 * network errors. body may be NULL; ctype is its Content-Type. */
int32_t chk_http(walor_ctx *c, const char *method, const char *url, const char *const *headers, const char *ctype,
                 const char *body, uint32_t timeout_ms, int32_t *status, json_t **json);
char *chk_url_escape(walor_ctx *c, const char *s);
/* integer or numeric string or float → kopecks (roubles × 100, rounded) */
int64_t chk_json_kopecks(json_t *v);
double chk_json_double(json_t *v, int *ok);
const char *chk_json_str(json_t *o, const char *key); /* "" when absent or not a string */
int64_t chk_json_int(json_t *v);                      /* number or numeric string, 0 otherwise */
const char *chk_cfg(walor_ctx *c, const char *key, const char *dflt);
uint32_t chk_timeout(walor_ctx *c, const char *key, uint32_t dflt);

/* ---- config.c ---- */
int chk_cdek_test(const walor_plugin *p);            /* cdek_test = yes */
const char *chk_cdek_base(walor_ctx *c);             /* cdek_base_url, else production (test with cdek_test) */
void chk_cdek_account(walor_ctx *c, const char **id, const char **secret); /* NULLs when not configured */
char *chk_url(walor_ctx *c, const char *base, const char *path); /* base + '/' + path, one '/' whatever is written */
int32_t chk_config_check(walor_plugin *p);           /* in load(): walor_config_invalid for what cannot go live */

/* ---- dadata.c ---- */
#define CHK_DD_OK      0
#define CHK_DD_BAD     1  /* DaData answered: the input is not a phone/email/address */
#define CHK_DD_DOWN    2  /* unavailable, out of quota, timeout: accept as typed */
typedef struct chk_addr {
    const char *text;     /* what staff see */
    const char *city;
    const char *postal;
    const char *kladr;    /* city_kladr_id or settlement's */
    int64_t cdek_city;    /* 0 when unknown (flow.c looks it up) */
    double lat, lon;
    int has_geo;
    int verified;
} chk_addr;
int chk_dd_phone(walor_ctx *c, const char *in, const char **out);
int chk_dd_email(walor_ctx *c, const char *in, const char **out);
int chk_dd_address(walor_ctx *c, const char *in, chk_addr *out);
int chk_dd_geolocate(walor_ctx *c, double lat, double lon, chk_addr *out); /* CHK_DD_BAD: nothing near */
int64_t chk_dd_cdek_city(walor_ctx *c, const char *kladr);                 /* 0 when unknown */
/* up to max house-level suggestions for a text DaData could not clean */
size_t chk_dd_suggest(walor_ctx *c, const char *in, chk_addr *out, size_t max);

/* ---- cdek.c ---- */
#define CHK_TARIFF_PICKUP 136
#define CHK_TARIFF_COURIER 137
/* price of tariff to city in kopecks; < 0 on any failure (logged) */
int32_t chk_cdek_tariff(walor_ctx *c, int tariff, int64_t to_city, const chk_parcel *p, int64_t *kopecks);
typedef struct chk_point {
    const char *code, *name, *address, *hours;
    double lat, lon;
} chk_point;
/* pickup points of a city, cached with a TTL (setting points_ttl_h) */
int32_t chk_cdek_points(walor_ctx *c, int64_t city, chk_point **out, size_t *n);
int64_t chk_cdek_city_by_name(walor_ctx *c, const char *city, const char *postal); /* 0 unknown */
/* POST /v2/orders with body (JSON object, borrowed): *uuid (arena) */
int32_t chk_cdek_order_create(walor_ctx *c, json_t *body, const char **uuid, int32_t *status);
/* GET the order by uuid, or by our number when uuid is NULL: entity JSON
 * (decref); 0, or 1 when CDEK found the order invalid (*why, arena: its
 * messages); WALOR_ENOTFOUND when CDEK does not know it */
int32_t chk_cdek_order_get(walor_ctx *c, const char *uuid, const char *number, json_t **entity, const char **why);

/* subscribe ORDER_STATUS webhooks to url (replaces an earlier one) */
int32_t chk_cdek_webhook(walor_ctx *c, const char *url);
void chk_cdek_forget_token(void);

/* ---- checkout.c ---- */
int chk_setting_on(walor_ctx *c, const char *key, int dflt);
const walor_cart_v1 *chk_cart(walor_ctx *c);
const walor_orders_v1 *chk_orders(walor_ctx *c);
const walor_pricing_v1 *chk_pricing(walor_ctx *c);
char *chk_i64(walor_ctx *c, int64_t v);
int chk_boxes(walor_ctx *c, chk_box *b);
/* a notice for the managers and owners about order_id, with a button to its
 * card; call it outside a transaction (sends are not transactional) */
void chk_tell_staff(walor_ctx *c, int64_t order_id, const char *html);

/* ---- contacts.c ---- */
int32_t chk_start(walor_ctx *c, const char *arg); /* the cart's button */
int32_t chk_contacts_register(walor_plugin *p);
/* from the summary's "✏️": the form again with the checkout's data */
int32_t chk_edit_contacts(walor_ctx *c);
int32_t chk_edit_address(walor_ctx *c);

/* ---- flow.c ---- */
extern const walor_conv_state chk_states[];
extern const uint32_t chk_nstates;
int32_t chk_cancelled(walor_ctx *c); /* on_cancel of every part: the cart stays */

/* ---- summary.c ---- */
/* the quote of the conversation's data with the cart as it is now; lines
 * and adjustments in the arena */
typedef struct chk_view {
    walor_cart_line *lines;
    uint32_t n;
    walor_pricing_adjust *adj;  /* step with walor_pricing_adjust_at */
    uint32_t nadj;
    chk_qadj qadj[WALOR_PRICING_MAX_ADJUST];
    chk_quote q;
    chk_parcel parcel;
} chk_view;
int32_t chk_view_build(walor_ctx *c, int64_t user_id, json_t *d, chk_view *v);
/* the pricing extension's view of the order (arena) */
walor_pricing_order *chk_pricing_order(walor_ctx *c, int64_t user_id, json_t *d, const walor_cart_line *lines,
                                       uint32_t n, int64_t goods);
char *chk_summary_html(walor_ctx *c, json_t *d, const chk_view *v);
int chk_is_moscow(walor_ctx *c, json_t *d);
int chk_dkind(json_t *d);
void chk_free_rule_load(walor_ctx *c, chk_free_rule *r);

/* ---- ship.c ---- */
int32_t chk_ship_register(walor_plugin *p);
int32_t chk_place_order(walor_ctx *c); /* the summary's "Подтвердить" */

#endif
