/* catalog: the demo catalog ([plugin.catalog] demo = yes, conf.d/20-catalog.ini),
 * loaded once into an empty catalog so a newcomer can click through at once. */
#include <stdatomic.h>
#include <string.h>

#include "catalog.h"

typedef struct demo_cat {
    int ref, parent; /* parent 0 = root */
    const char *name;
} demo_cat;

typedef struct demo_product {
    int cat;
    const char *name;
    const char *description;
    const char *details;
    int discount;
    int low_stock;
    int64_t price;        /* kopecks, for products without variants */
    const char *variants; /* "label|rub|grams;…" or NULL */
} demo_product;

static const demo_cat CATS[] = {
    {1, 0, "Парфюмерия"},
    {2, 1, "Женские ароматы"},
    {3, 1, "Мужские ароматы"},
    {4, 0, "Уход за кожей"},
    {5, 4, "Кремы"},
    {6, 0, "Чай и кофе"},
    {7, 0, "Подарочные наборы"},
};

static const demo_product PRODUCTS[] = {
    {2, "Цветущий сад", "Свежий цветочный аромат: <b>жасмин</b>, пион и груша.",
     "Верхние ноты: груша, бергамот.\nНоты сердца: жасмин, пион.\nБаза: белый мускус.", 0, 3, 0,
     "5 мл|600|50;50 мл|3500|300;100 мл|6000|550"},
    {2, "Ночная орхидея", "Глубокий восточный аромат для вечера.", NULL, 20, 3, 0, "5 мл|700|50;50 мл|4200|300"},
    {2, "Лёгкий бриз", "<i>Морская свежесть</i> на каждый день.", NULL, 0, 3, 0, "30 мл|2200|200;100 мл|5200|550"},
    {3, "Кедр и табак", "Тёплый древесный аромат.", "Ноты: кедр, табачный лист, ваниль.", 0, 3, 0,
     "5 мл|650|50;50 мл|3900|300"},
    {3, "Ёжик в тумане", "Дымный ветивер и немного хвои.", NULL, 15, 3, 0, "50 мл|3300|300;100 мл|5900|550"},
    {3, "Цитрусовый спорт", "Бодрящий аромат грейпфрута и мяты.", NULL, 0, 3, 0, "100 мл|2900|550"},
    {5, "Крем для рук «Облепиха»", "Питает и смягчает кожу.", NULL, 0, 5, 0, "50 мл|390|80;100 мл|650|140"},
    {5, "Ночной крем с пептидами", "Восстанавливает кожу за ночь.", NULL, 10, 5, 0, "50 мл|1900|120"},
    {5, "Крем для лица SPF 30", "Защита от солнца и увлажнение.", NULL, 0, 5, 0, "50 мл|1500|110"},
    {4, "Мицеллярная вода", "Бережно снимает макияж.", NULL, 0, 5, 0, "200 мл|450|230;400 мл|790|450"},
    {6, "Иван-чай ферментированный", "Травяной чай без кофеина.", "Собран в Карелии, крупнолистовой.", 0, 5, 0,
     "50 г|250|60;100 г|450|110"},
    {6, "Кофе в зёрнах «Бразилия»", "Орехово-шоколадный вкус, средняя обжарка.", NULL, 25, 5, 0,
     "250 г|690|270;1 кг|2390|1050"},
    {6, "Чай улун «Молочный»", "Сливочный аромат, мягкий вкус.", NULL, 0, 5, 0, "50 г|390|60"},
    {7, "Набор «Для него»", "Аромат 50 мл и крем для рук в коробке.", NULL, 0, 2, 490000, NULL},
    {7, "Набор «Для неё»", "Аромат 50 мл, крем и свеча.", NULL, 10, 2, 520000, NULL},
};

static atomic_int demo_done;

static int yes(const char *v)
{
    return v && (strcmp(v, "yes") == 0 || strcmp(v, "1") == 0 || strcmp(v, "true") == 0 ||
                 strcmp(v, "on") == 0 || strcmp(v, "да") == 0);
}

static int32_t insert_id(walor_ctx *c, const char *sql, const walor_val *a, uint32_t n, int64_t *id)
{
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c, sql, a, n, &r);
    if (rc < 0)
        return rc;
    rc = walor_row_next(r);
    if (rc == 1)
        *id = walor_col_int(r, 0);
    walor_rows_close(r);
    return rc == 1 ? 0 : rc < 0 ? rc : WALOR_EDB;
}

static int32_t load_all(walor_ctx *c)
{
    int64_t cat_id[sizeof CATS / sizeof CATS[0] + 1];
    memset(cat_id, 0, sizeof cat_id);
    int64_t now = walor_now(c);
    int32_t rc = 0;
    for (size_t i = 0; i < sizeof CATS / sizeof CATS[0] && rc == 0; i++) {
        const demo_cat *d = &CATS[i];
        rc = insert_id(c,
                       "INSERT INTO catalog_category(parent_id, name, name_lc, hidden, sort, created_at) "
                       "VALUES (?, ?, ?, 0, ?, ?) RETURNING id",
                       WALOR_ARGS(walor_i(d->parent ? cat_id[d->parent] : 0), walor_s(d->name),
                                  walor_s(catalog_fold_ctx(c, d->name)), walor_i((int64_t)i * 10), walor_i(now)),
                       &cat_id[d->ref]);
    }
    for (size_t i = 0; i < sizeof PRODUCTS / sizeof PRODUCTS[0] && rc == 0; i++) {
        const demo_product *d = &PRODUCTS[i];
        int64_t pid = 0;
        rc = insert_id(c,
                       "INSERT INTO catalog_product(category_id, name, name_lc, description, details, price, "
                       "discount_pct, low_stock, sort, created_at, updated_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                       WALOR_ARGS(walor_i(cat_id[d->cat]), walor_s(d->name), walor_s(catalog_fold_ctx(c, d->name)),
                                  walor_s(d->description), walor_s(d->details ? d->details : ""), walor_i(d->price),
                                  walor_i(d->discount), walor_i(d->low_stock), walor_i((int64_t)i * 10),
                                  walor_i(now), walor_i(now)),
                       &pid);
        if (rc || !d->variants)
            continue;
        /* "label|rub|grams;…" */
        const char *s = d->variants;
        int64_t no = 1;
        while (*s && rc == 0) {
            char label[32];
            long long rub = 0, grams = 0;
            size_t k = 0;
            while (*s && *s != '|' && k < sizeof label - 1)
                label[k++] = *s++;
            label[k] = 0;
            if (*s == '|')
                s++;
            while (*s >= '0' && *s <= '9')
                rub = rub * 10 + (*s++ - '0');
            if (*s == '|')
                s++;
            while (*s >= '0' && *s <= '9')
                grams = grams * 10 + (*s++ - '0');
            if (*s == ';')
                s++;
            rc = walor_db_exec(c,
                               "INSERT INTO catalog_variant(product_id, no, label, price, weight_g, sort) "
                               "VALUES (?, ?, ?, ?, ?, ?)",
                               WALOR_ARGS(walor_i(pid), walor_i(no), walor_s(label), walor_i(rub * 100),
                                          walor_i(grams), walor_i(no * 10)));
            rc = rc < 0 ? rc : 0;
            no++;
        }
    }
    return rc;
}

void catalog_demo_ensure(walor_ctx *c)
{
    if (atomic_load(&demo_done) || walor_tx_active(c) == 1)
        return;
    if (catalog_demo_load(c) < 0)
        walor_log(c, WALOR_LOG_ERROR, "catalog: demo catalog not loaded: %s", walor_last_error(c));
}

int32_t catalog_demo_load(walor_ctx *c)
{
    if (atomic_load(&demo_done))
        return 0;
    if (!yes(walor_plugin_config(walor_ctx_plugin(c), "demo"))) {
        atomic_store(&demo_done, 1);
        return 0;
    }
    int32_t rc = walor_tx_begin(c);
    if (rc)
        return rc;
    int64_t n = 0;
    rc = walor_db_int(c, "SELECT (SELECT count(*) FROM catalog_category) + (SELECT count(*) FROM catalog_product)",
                      NULL, 0, &n);
    if (rc == 0 && n == 0) {
        rc = load_all(c);
        if (rc == 0)
            walor_log(c, WALOR_LOG_INFO, "catalog: demo catalog loaded");
    }
    if (rc == 0)
        rc = walor_tx_commit(c);
    else
        walor_tx_rollback(c);
    if (rc == 0)
        atomic_store(&demo_done, 1);
    return rc;
}
