/* support-groq: the tools the model may call (EXTERNAL-APIS §4.4).
 *
 *   find_product(query)   the index and live facts, as for the prompt
 *   order_status(order_id?) this customer's orders through the orders
 *                         service — the owner is checked here, in code: an
 *                         order of anyone else is "not found", word for word
 *                         as one that does not exist, whatever the prompt or
 *                         the customer says
 *   call_operator(reason) hand the conversation to a person
 *
 * Arguments are the model's JSON text and are trusted for nothing. */
#include <stdlib.h>
#include <string.h>

#include <walor/services/orders.h>

#include "sup.h"

static const char *status_words(const char *s)
{
    static const char *const map[][2] = {
        {"new", "новый, ждёт оплаты"}, {"paid", "оплачен"},        {"processing", "собирается"},
        {"shipped", "отправлен"},      {"delivered", "доставлен"}, {"completed", "выполнен"},
        {"cancelled", "отменён"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i][0], s))
            return map[i][1];
    return s;
}

static const char *describe_order(walor_ctx *c, const walor_order *o)
{
    const char *lines = "";
    for (uint32_t i = 0; i < o->n_lines && i < 10; i++) {
        const walor_order_line *l = walor_order_line_at(o->lines, i);
        lines = walor_ctx_printf(c, "%s%s%s%s%s × %lld", lines, i ? "; " : "", l->name,
                                 l->variant_label && *l->variant_label ? " " : "",
                                 l->variant_label ? l->variant_label : "", (long long)l->qty);
    }
    return walor_ctx_printf(c, "Заказ №%lld от %s: %s, сумма %s%s%s%s%s. Товары: %s.", (long long)o->id,
                            sup_time(c, o->created_at), status_words(o->status), walor_money(c, o->total),
                            o->tracking && *o->tracking ? ", трек-номер " : "", o->tracking ? o->tracking : "",
                            o->delivery_type && *o->delivery_type ? ", доставка: " : "",
                            o->delivery_type ? o->delivery_type : "", lines);
}

static int32_t order_status(walor_ctx *c, int64_t user_id, json_t *args, sup_tool_out *out)
{
    const walor_orders_v1 *os = walor_service_get(walor_ctx_plugin(c), WALOR_ORDERS_SERVICE, WALOR_ORDERS_MAJOR, NULL);
    if (!os) {
        out->content = "Сведения о заказах сейчас недоступны.";
        return 0;
    }
    json_t *v = json_object_get(args, "order_id");
    int64_t id = 0;
    if (json_is_integer(v))
        id = json_integer_value(v);
    else if (json_is_string(v) && walor_parse_id(json_string_value(v) + strspn(json_string_value(v), "№# "), &id) != 0)
        id = -1;
    if (id < 0 || (v && !json_is_null(v) && id == 0)) {
        out->content = "Номер заказа должен быть числом.";
        return 0;
    }
    if (id > 0) {
        walor_order *o = NULL;
        int32_t rc = os->get(c, id, &o);
        if (rc < 0 && rc != WALOR_ENOTFOUND)
            return rc;
        /* another customer's order and no order at all read the same */
        if (rc == WALOR_ENOTFOUND || !o || o->user_id != user_id) {
            out->content = walor_ctx_printf(c, "Заказ №%lld не найден среди заказов этого покупателя.", (long long)id);
            return 0;
        }
        out->content = (char *)describe_order(c, o);
        return 0;
    }
    if (!WALOR_ORDERS_HAS(os, user_orders)) {
        out->content = "Спросите номер заказа.";
        return 0;
    }
    int64_t *ids = NULL;
    uint32_t n = 0;
    int32_t rc = os->user_orders(c, user_id, 3, &ids, &n);
    if (rc < 0)
        return rc;
    char *all = n ? "" : "У этого покупателя нет заказов.";
    for (uint32_t i = 0; i < n; i++) {
        walor_order *o = NULL;
        if (os->get(c, ids[i], &o) == 0 && o && o->user_id == user_id)
            all = walor_ctx_printf(c, "%s%s%s", all, *all ? "\n" : "", describe_order(c, o));
    }
    out->content = all;
    return 0;
}

int32_t sup_tool_run(walor_ctx *c, int64_t user_id, const char *name, const char *args, sup_tool_out *out)
{
    memset(out, 0, sizeof *out);
    json_t *a = json_loads(args && *args ? args : "{}", 0, NULL);
    if (!json_is_object(a)) {
        json_decref(a);
        out->content = "Ошибка: аргументы должны быть объектом JSON.";
        return 0;
    }
    int32_t rc = 0;
    if (!strcmp(name, "find_product")) {
        const char *q = json_string_value(json_object_get(a, "query"));
        int64_t found[SUP_MAX_PRODUCTS];
        int n = 0;
        if (q && *q)
            rc = sup_index_search(c, q, found, 6, &n);
        if (rc == 0) {
            char *facts = sup_facts_products(c, found, n, out->pids, &out->npids);
            out->content = *facts ? facts : "В каталоге ничего подходящего не нашлось.";
        }
    } else if (!strcmp(name, "order_status")) {
        rc = order_status(c, user_id, a, out);
    } else if (!strcmp(name, "call_operator")) {
        const char *why = json_string_value(json_object_get(a, "reason"));
        out->escalate = 1;
        out->reason = walor_ctx_printf(c, "%.200s", why && *why ? why : "ассистент не может помочь");
        out->content = "Оператор подключится.";
    } else {
        out->content = walor_ctx_printf(c, "Нет инструмента «%.40s».", name);
    }
    json_decref(a);
    return rc;
}
