/* broadcast: audiences as data and as SQL (segment.h). */
#include "segment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const NAMES[BC_SEG_MAX] = {
    [BC_SEG_ALL] = "all",   [BC_SEG_PAID] = "paid",     [BC_SEG_NOORDERS] = "noorders",
    [BC_SEG_NEW] = "new",   [BC_SEG_IDLE] = "idle",     [BC_SEG_BOUGHT] = "bought",
    [BC_SEG_LINK] = "link", [BC_SEG_TESTERS] = "testers",
};

const char *bc_segment_name(int kind) { return kind > 0 && kind < BC_SEG_MAX ? NAMES[kind] : ""; }

int bc_segment_kind(const char *name)
{
    for (int k = 1; name && k < BC_SEG_MAX; k++)
        if (strcmp(name, NAMES[k]) == 0)
            return k;
    return 0;
}

static int link_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > BC_LINK_MAX)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

static int ids_from(json_t *a, int64_t *out, size_t *n)
{
    *n = 0;
    if (!a)
        return 0;
    if (!json_is_array(a) || json_array_size(a) > BC_ITEMS_MAX)
        return -1;
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) {
        if (!json_is_integer(v) || json_integer_value(v) <= 0)
            return -1;
        out[(*n)++] = (int64_t)json_integer_value(v);
    }
    return 0;
}

int bc_segment_from_json(json_t *j, bc_segment *out, const char **why)
{
    memset(out, 0, sizeof *out);
    out->kind = bc_segment_kind(json_string_value(json_object_get(j, "kind")));
    if (!out->kind)
        return *why = "неизвестная аудитория", -1;
    if (out->kind == BC_SEG_NEW || out->kind == BC_SEG_IDLE) {
        out->days = (int64_t)json_integer_value(json_object_get(j, "days"));
        if (out->days < 1 || out->days > BC_DAYS_MAX)
            return *why = "число дней должно быть от 1 до 3650", -1;
    } else if (out->kind == BC_SEG_LINK) {
        const char *l = json_string_value(json_object_get(j, "link"));
        if (!l || !link_ok(l))
            return *why = "не указана трекинг-ссылка", -1;
        snprintf(out->link, sizeof out->link, "%s", l);
    } else if (out->kind == BC_SEG_BOUGHT) {
        if (ids_from(json_object_get(j, "products"), out->products, &out->nproducts) < 0 ||
            ids_from(json_object_get(j, "categories"), out->categories, &out->ncategories) < 0 ||
            out->nproducts + out->ncategories == 0 || out->nproducts + out->ncategories > BC_ITEMS_MAX)
            return *why = "не указаны товары или категории", -1;
    }
    return 0;
}

static json_t *ids_json(const int64_t *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_integer((json_int_t)v[i]));
    return a;
}

json_t *bc_segment_to_json(const bc_segment *s)
{
    json_t *j = json_pack("{s:s}", "kind", bc_segment_name(s->kind));
    if (!j)
        return NULL;
    if (s->kind == BC_SEG_NEW || s->kind == BC_SEG_IDLE)
        json_object_set_new(j, "days", json_integer((json_int_t)s->days));
    else if (s->kind == BC_SEG_LINK)
        json_object_set_new(j, "link", json_string(s->link));
    else if (s->kind == BC_SEG_BOUGHT) {
        json_object_set_new(j, "products", ids_json(s->products, s->nproducts));
        json_object_set_new(j, "categories", ids_json(s->categories, s->ncategories));
    }
    return j;
}

int bc_items_parse(const char *text, bc_segment *out, const char **why)
{
    out->nproducts = out->ncategories = 0;
    const char *s = text ? text : "";
    for (;;) {
        while (*s == ' ' || *s == ',' || *s == ';' || *s == '\n' || *s == '\t')
            s++;
        if (!*s)
            break;
        int cat = 0;
        if (*s == 'c' || *s == 'C' || !strncmp(s, "\xD0\xBA", 2) || !strncmp(s, "\xD0\x9A", 2)) { /* c, к, К */
            cat = 1;
            s += (unsigned char)*s < 0x80 ? 1 : 2;
        } else if (*s == 'p' || *s == 'P' || !strncmp(s, "\xD1\x80", 2) || !strncmp(s, "\xD0\xA0", 2)) { /* p, р, Р */
            s += (unsigned char)*s < 0x80 ? 1 : 2;
        }
        if (*s < '0' || *s > '9')
            return *why = "пишите номера товаров (12 или p12) и категорий (c3) через запятую", -1;
        char *end;
        long long id = strtoll(s, &end, 10);
        if (id <= 0 || (*end && *end != ' ' && *end != ',' && *end != ';' && *end != '\n' && *end != '\t'))
            return *why = "пишите номера товаров (12 или p12) и категорий (c3) через запятую", -1;
        s = end;
        if (out->nproducts + out->ncategories == BC_ITEMS_MAX)
            return *why = "не больше 20 товаров и категорий за раз", -1;
        if (cat)
            out->categories[out->ncategories++] = id;
        else
            out->products[out->nproducts++] = id;
    }
    if (out->nproducts + out->ncategories == 0)
        return *why = "не указано ни одного товара или категории", -1;
    return 0;
}

int bc_segment_set(const bc_segment *s)
{
    return s->kind == BC_SEG_PAID || s->kind == BC_SEG_NOORDERS ? 1 : s->kind == BC_SEG_BOUGHT ? 2 : 0;
}

int bc_segment_sql(const bc_segment *s, int64_t now, int64_t set_id, bc_sql *out)
{
    static const char base[] = "SELECT u.id FROM walor_users u WHERE u.blocked = 0";
    const char *cond = "";
    out->nargs = 0;
    switch (s->kind) {
    case BC_SEG_ALL:
        break;
    case BC_SEG_PAID:
    case BC_SEG_BOUGHT:
        cond = " AND u.id IN (SELECT user_id FROM broadcast_set WHERE set_id = ?)";
        out->args[out->nargs++] = walor_i(set_id);
        break;
    case BC_SEG_NOORDERS:
        cond = " AND u.id NOT IN (SELECT user_id FROM broadcast_set WHERE set_id = ?)";
        out->args[out->nargs++] = walor_i(set_id);
        break;
    case BC_SEG_NEW:
    case BC_SEG_IDLE:
        if (s->days < 1 || s->days > BC_DAYS_MAX)
            return -1;
        cond = s->kind == BC_SEG_NEW ? " AND u.registered_at >= ?" : " AND u.seen_at < ?";
        out->args[out->nargs++] = walor_i(now - s->days * 86400);
        break;
    case BC_SEG_LINK:
        if (!link_ok(s->link))
            return -1;
        /* the code as created (BK) and as a person may type it (bk) are one link */
        cond = " AND lower(u.start_payload) = 'link_' || lower(?)";
        out->args[out->nargs++] = walor_s(s->link);
        break;
    case BC_SEG_TESTERS:
        cond = " AND u.role = 1";
        break;
    default:
        return -1;
    }
    snprintf(out->sql, sizeof out->sql, "%s%s ORDER BY u.id", base, cond);
    return 0;
}
