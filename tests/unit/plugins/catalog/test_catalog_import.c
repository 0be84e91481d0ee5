/* F-CAT-07: the catalog import's planner (grid + current catalog → new /
 * changed products and Russian errors with row numbers), the plan's JSON
 * round trip, and export → xlsx → read → plan = no changes
 * (plugins/catalog/import_fields.c and import_plan.c, in catalog_pure).
 * Grids are built in C as CSV text and read with catalog_csv_read_mem.
 * Features: F-CAT-07 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "catalog.h"
#include "text.h"
#include "variants.h"
#include "xlsx_read.h"
#include "xlsx_write.h"
#include "import.h"

#define HDR "ID товара;Категория;Название;Описание;Вариант;Цена, ₽;Вес, г;Скидка, %;Скрыт;Фото\n"

/* the current catalog of most tests */
static const catalog_imp_cur_variant V1[] = {{1, "50 мл", 100000, 300}, {2, "100 мл", 180000, 550}};
static const catalog_imp_cur_product CUR_P[] = {
    {.id = 7, .category = "Уход / Лицо", .name = "Крем «Ёжик»", .description = "<b>нежный</b>",
     .photo_file_id = "AgACAgIAAxk", .discount = 10, .v = V1, .nv = 2},
    {.id = 9, .category = "Чай", .name = "Пуэр", .description = "", .image_url = "https://img.example/p.jpg",
     .price = 45050, .hidden = 1},
};
static const char *const CUR_CATS[] = {"Уход", "Уход / Лицо", "Чай"};
static const catalog_imp_catalog CUR = {CUR_P, 2, CUR_CATS, 3};

static catalog_grid *grid(const char *csv)
{
    catalog_grid *g = NULL;
    char err[256];
    int rc = catalog_csv_read_mem(csv, strlen(csv), &g, err, sizeof err);
    if (rc != 0)
        fail_msg("csv: %s", err);
    return g;
}

static void plan_of(const char *csv, const catalog_imp_catalog *cur, catalog_imp_plan *pl)
{
    catalog_grid *g = grid(csv);
    assert_int_equal(catalog_imp_plan_make(g, cur, pl), 0);
    catalog_grid_free(g);
}

static int has_error(const catalog_imp_plan *pl, const char *needle)
{
    for (size_t i = 0; i < pl->nerr_kept; i++)
        if (strstr(pl->errors[i], needle))
            return 1;
    return 0;
}

static void dump_errors(const catalog_imp_plan *pl)
{
    for (size_t i = 0; i < pl->nerr_kept; i++)
        printf("  %s\n", pl->errors[i]);
}

static void test_unchanged_rows_plan_nothing(void **state)
{
    (void)state;
    catalog_imp_plan pl;
    plan_of(HDR "7;Уход / Лицо;Крем «Ёжик»;<b>нежный</b>;50 мл;1000;300;10;0;AgACAgIAAxk\n"
                "7;;;;100 мл;1 800,00;550 г;;;\n"
                "9;чай;Пуэр;;;450.5;;0;1;https://img.example/p.jpg\n",
            &CUR, &pl);
    dump_errors(&pl);
    assert_int_equal(pl.nerr, 0);
    assert_int_equal(pl.np, 0);
    assert_int_equal(pl.n_same, 2);
    assert_int_equal(pl.rows, 3);
    catalog_imp_plan_free(&pl);
}

static void test_new_and_changed(void **state)
{
    (void)state;
    catalog_imp_plan pl;
    plan_of(HDR "7;Уход / Лицо;Крем «Ёжик»;<b>нежный</b>;50 мл;1100;300;15;0;\n"
                "7;Уход / Лицо;Крем «Ёжик»;<b>нежный</b>;200 мл;3000;900;15;0;\n"
                ";Уход / Тело;Масло;Для тела;30 мл;500;100;;;\n"
                ";Уход / Тело;Масло;;60 мл;900;;;;\n"
                ";Новое / Ещё / Глубже;Мыло;;;150;;;1;https://x.example/m.png\n"
                "9;Чай;Пуэр;;;450,50;;0;0;\n",
            &CUR, &pl);
    dump_errors(&pl);
    assert_int_equal(pl.nerr, 0);
    assert_int_equal(pl.n_new, 2);
    assert_int_equal(pl.n_changed, 2);
    assert_int_equal(pl.n_same, 0);
    /* Уход / Тело, Новое, Новое / Ещё, Новое / Ещё / Глубже */
    assert_int_equal(pl.n_new_categories, 4);
    assert_int_equal(pl.np, 4);
    /* file order */
    const catalog_imp_product *p = &pl.p[0];
    assert_int_equal(p->id, 7);
    assert_int_equal(p->row, 2);
    assert_int_equal(p->changes, CATALOG_IMP_CH_VARIANTS | CATALOG_IMP_CH_DISCOUNT);
    assert_int_equal(p->nv, 2);
    assert_string_equal(p->v[1].label, "200 мл");
    assert_int_equal(p->v[1].price, 300000);
    assert_int_equal(p->discount, 15);
    assert_null(p->photo); /* empty = unchanged */
    p = &pl.p[1];
    assert_int_equal(p->id, 0);
    assert_string_equal(p->category, "Уход / Тело");
    assert_string_equal(p->description, "Для тела");
    assert_int_equal(p->nv, 2);
    assert_int_equal(p->v[0].weight, 100);
    assert_int_equal(p->v[1].weight, 0);
    p = &pl.p[2];
    assert_int_equal(p->nv, 0);
    assert_int_equal(p->price, 15000);
    assert_int_equal(p->hidden, 1);
    assert_true(p->photo_is_url);
    assert_string_equal(p->category, "Новое / Ещё / Глубже");
    p = &pl.p[3];
    assert_int_equal(p->id, 9);
    assert_int_equal(p->changes, CATALOG_IMP_CH_HIDDEN);

    /* the plan survives the conversation's JSON */
    json_t *j = catalog_imp_plan_to_json(&pl);
    assert_non_null(j);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    json_t *back = json_loads(s, 0, NULL);
    free(s);
    catalog_imp_plan p2;
    assert_int_equal(catalog_imp_plan_from_json(back, &p2), 0);
    json_decref(back);
    assert_int_equal(p2.np, pl.np);
    assert_int_equal(p2.n_new, 2);
    assert_int_equal(p2.n_changed, 2);
    for (size_t i = 0; i < pl.np; i++) {
        assert_int_equal(p2.p[i].id, pl.p[i].id);
        assert_int_equal(p2.p[i].set, pl.p[i].set);
        assert_string_equal(p2.p[i].name, pl.p[i].name);
        assert_string_equal(p2.p[i].category, pl.p[i].category);
        assert_int_equal(p2.p[i].nv, pl.p[i].nv);
        assert_int_equal(p2.p[i].price, pl.p[i].price);
        assert_int_equal(!!p2.p[i].photo, !!pl.p[i].photo);
    }
    catalog_imp_plan_free(&p2);
    catalog_imp_plan_free(&pl);
}

static void test_errors_with_row_numbers(void **state)
{
    (void)state;
    catalog_imp_plan pl;
    plan_of(HDR ";Уход;Хороший;;;100;;;;\n"              /* 2: fine, but dropped */
                "99;Уход;Нет такого;;;100;;;;\n"          /* 3: unknown ID */
                ";Уход;Дорогой;;;abc;;;;\n"               /* 4: bad price */
                ";Уход;Тяжёлый;;1 шт;100;много;;;\n"      /* 5: bad weight */
                ";Уход;Скидочный;;a;100;;10;;\n"          /* 6 */
                ";Уход;Скидочный;;b;100;;20;;\n"          /* 7: other discount */
                ";Уход;;;;100;;;;\n"                      /* 8: no name */
                ";;Бездомный;;;100;;;;\n"                 /* 9: no category */
                ";Уход;Двойной;;x;100;;;;\n"              /* 10 */
                ";Уход;Двойной;;x;200;;;;\n"              /* 11: duplicate variant */
                ";Уход;Большая скидка;;;100;;150;;\n"     /* 12 */
                ";Уход;Скрытый?;;;100;;;может;\n"         /* 13 */
                ";Уход;Ноль;;;0;;;;\n"                    /* 14 */
                ";Уход;Фото;;;100;;;;не file id!\n"       /* 15 */
                ";Уход;Весовой;;;100;300;;;\n",           /* 16: weight without a variant */
            &CUR, &pl);
    dump_errors(&pl);
    assert_int_equal(pl.np, 0);
    assert_int_equal(pl.n_new, 0);
    assert_int_equal(pl.nerr, 12);
    assert_true(has_error(&pl, "строка 3: товара с ID 99 нет в каталоге"));
    assert_true(has_error(&pl, "строка 4: цена «abc» — не число"));
    assert_true(has_error(&pl, "строка 5: вес «много»"));
    assert_true(has_error(&pl, "строка 7: скидка отличается от строки 6"));
    assert_true(has_error(&pl, "строка 8: не указано название"));
    assert_true(has_error(&pl, "строка 9: не указана категория"));
    assert_true(has_error(&pl, "строка 11: вариант «x» повторяется"));
    assert_true(has_error(&pl, "строка 12: скидка «150»"));
    assert_true(has_error(&pl, "строка 13: «Скрыт» «может»"));
    assert_true(has_error(&pl, "строка 14: цена должна быть больше нуля"));
    assert_true(has_error(&pl, "строка 15: фото"));
    assert_true(has_error(&pl, "строка 16: вес указывается только у варианта"));
    /* errors come in row order */
    for (size_t i = 1; i < pl.nerr_kept; i++) {
        unsigned long a = 0, b = 0;
        sscanf(pl.errors[i - 1], "строка %lu", &a);
        sscanf(pl.errors[i], "строка %lu", &b);
        assert_true(a <= b);
    }
    catalog_imp_plan_free(&pl);
}

static void test_three_bad_rows_plan_nothing(void **state)
{
    (void)state;
    char *csv = malloc(64 * 1024);
    size_t o = (size_t)sprintf(csv, "%s", HDR);
    for (int i = 1; i <= 50; i++)
        o += (size_t)sprintf(csv + o, ";Чай;Чай №%d;;;%d;;;;\n", i, 100 + i);
    o += (size_t)sprintf(csv + o, ";Чай;Плохой 1;;;-5;;;;\n");
    o += (size_t)sprintf(csv + o, "12345;Чай;Плохой 2;;;10;;;;\n");
    o += (size_t)sprintf(csv + o, ";Чай;Плохой 3;;;10;;abc;;\n");
    catalog_imp_plan pl;
    plan_of(csv, &CUR, &pl);
    free(csv);
    dump_errors(&pl);
    assert_int_equal(pl.nerr, 3);
    assert_int_equal(pl.np, 0);
    assert_int_equal(pl.n_new, 0);
    assert_int_equal(pl.n_new_categories, 0);
    assert_true(has_error(&pl, "строка 52: цена «-5» — отрицательная"));
    assert_true(has_error(&pl, "строка 53: товара с ID 12345"));
    assert_true(has_error(&pl, "строка 54: скидка «abc»"));
    catalog_imp_plan_free(&pl);
}

static void test_header_problems(void **state)
{
    (void)state;
    catalog_imp_plan pl;
    plan_of("Название;Цена\nА;1\n", &CUR, &pl);
    assert_int_equal(pl.nerr, 1);
    assert_true(has_error(&pl, "нет столбца «Категория»"));
    catalog_imp_plan_free(&pl);
    plan_of(HDR, &CUR, &pl);
    assert_int_equal(pl.nerr, 1);
    assert_true(has_error(&pl, "нет строк с товарами"));
    catalog_imp_plan_free(&pl);
    /* columns in any order, short names; absent columns leave fields alone;
     * blank rows skipped and counted in row numbers */
    plan_of("Цена;Название;ID;Категория\n1000;Крем «Ёжик»;7;Уход/Лицо\n\n1 800;Крем «Ёжик»;7;Уход / Лицо\n",
            &CUR, &pl);
    dump_errors(&pl);
    assert_true(has_error(&pl, "строка 2: не указан вариант"));
    assert_true(has_error(&pl, "строка 4: не указан вариант"));
    catalog_imp_plan_free(&pl);
    plan_of("Цена;Название;ID;Категория;Вариант\n1000;Крем «Ёжик»;7;Уход/Лицо;50 мл\n\n"
            "1 800;Крем «Ёжик»;7; уход / лицо ;100 мл\n",
            &CUR, &pl);
    dump_errors(&pl);
    assert_true(has_error(&pl, "строка 4: категория отличается от строки 2"));
    catalog_imp_plan_free(&pl);
    plan_of("Цена;Название;ID;Категория;Вариант\n1000;Крем «Ёжик»;7;Уход/Лицо;50 мл\n\n"
            "1 800;Крем «Ёжик»;7;;100 мл\n",
            &CUR, &pl);
    dump_errors(&pl);
    assert_int_equal(pl.nerr, 0);
    assert_int_equal(pl.n_same, 1); /* weights, discount, photo… not in the file: unchanged */
    catalog_imp_plan_free(&pl);
}

static void test_path_split(void **state)
{
    (void)state;
    char buf[64];
    const char *seg[4];
    assert_int_equal(catalog_imp_path_split(" Уход /Лицо ", buf, seg, 4), 2);
    assert_string_equal(seg[0], "Уход");
    assert_string_equal(seg[1], "Лицо");
    assert_int_equal(catalog_imp_path_split("/", buf, seg, 4), 0);
    assert_int_equal(catalog_imp_path_split("", buf, seg, 4), 0);
    assert_int_equal(catalog_imp_path_split("А//Б", buf, seg, 4), -1);
    assert_int_equal(catalog_imp_path_split("А/Б/В/Г/Д", buf, seg, 4), -1);
}

static void test_5000_rows(void **state)
{
    (void)state;
    size_t cap = 5000 * 120 + 256, o = 0;
    char *csv = malloc(cap);
    o += (size_t)snprintf(csv, cap, "%s", HDR);
    for (int i = 1; i <= 2500; i++) /* 2,500 products × 2 variants */
        for (int v = 1; v <= 2; v++)
            o += (size_t)snprintf(csv + o, cap - o, ";Раздел %d / Подраздел %d;Товар №%d;Описание %d;%d мл;%d,50;%d;5;0;\n",
                                  i % 40, i % 5, i, i, v * 50, 100 + i, v * 100);
    catalog_grid *g = grid(csv);
    free(csv);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    catalog_imp_plan pl;
    assert_int_equal(catalog_imp_plan_make(g, &CUR, &pl), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    catalog_grid_free(g);
    printf("import plan: 5000 rows, %zu products in %.1f ms\n", pl.np,
           (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    dump_errors(&pl);
    assert_int_equal(pl.nerr, 0);
    assert_int_equal(pl.n_new, 2500);
    assert_int_equal(pl.rows, 5000);
    assert_int_equal(pl.n_new_categories, 80); /* 40 sections, one sub each (i % 5 follows i % 40) */
    catalog_imp_plan_free(&pl);
}

/* export → xlsx (libxlsxwriter) → read back → plan against the same catalog */
static void test_round_trip_export(void **state)
{
    (void)state;
    /* more variety: a root product, a quote, a newline, big numbers */
    static const catalog_imp_cur_variant V3[] = {{3, "1 кг", 1000000000, 1000}, {1, "0,5 кг", 1, 0}};
    static const catalog_imp_cur_product P[] = {
        {.id = 7, .category = "Уход / Лицо", .name = "Крем «Ёжик»", .description = "<b>нежный</b>\nвторая строка",
         .photo_file_id = "AgACAgIAAxk", .discount = 10, .v = V1, .nv = 2},
        {.id = 9, .category = "Чай", .name = "Пуэр \"Шу\"", .description = "", .image_url = "https://img.example/p.jpg",
         .price = 45050, .hidden = 1},
        {.id = 11, .category = "/", .name = "В корне", .description = "", .price = 99, .discount = 99},
        {.id = 12, .category = "Чай", .name = "Весовой", .description = "x", .v = V3, .nv = 2},
    };
    static const char *const CATS[] = {"Уход", "Уход / Лицо", "Чай"};
    const catalog_imp_catalog cur = {P, 4, CATS, 3};
    catalog_xlsx_cell *cells = NULL;
    size_t nrows = 0;
    assert_int_equal(catalog_imp_export_cells(&cur, &cells, &nrows), 0);
    assert_int_equal(nrows, 6);
    char dir[] = "/tmp/walor-imp-XXXXXX", path[128], err[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/catalog.xlsx", dir);
    assert_int_equal(catalog_xlsx_write(path, "Каталог", CATALOG_IMP_COLS, CATALOG_IMP_NCOLS, cells, nrows, err, sizeof err), 0);
    free(cells);
    catalog_grid *g = NULL;
    assert_int_equal(catalog_xlsx_read_file(path, &g, err, sizeof err), 0);
    unlink(path);
    rmdir(dir);
    assert_int_equal(catalog_grid_rows(g), 7);
    assert_string_equal(catalog_grid_cell(g, 0, 5), "Цена, ₽");
    assert_string_equal(catalog_grid_cell(g, 1, 5), "1000");
    assert_string_equal(catalog_grid_cell(g, 3, 5), "450.5");
    catalog_imp_plan pl;
    assert_int_equal(catalog_imp_plan_make(g, &cur, &pl), 0);
    catalog_grid_free(g);
    dump_errors(&pl);
    assert_int_equal(pl.nerr, 0);
    assert_int_equal(pl.np, 0);
    assert_int_equal(pl.n_same, 4);
    catalog_imp_plan_free(&pl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unchanged_rows_plan_nothing),
        cmocka_unit_test(test_new_and_changed),
        cmocka_unit_test(test_errors_with_row_numbers),
        cmocka_unit_test(test_three_bad_rows_plan_nothing),
        cmocka_unit_test(test_header_problems),
        cmocka_unit_test(test_path_split),
        cmocka_unit_test(test_5000_rows),
        cmocka_unit_test(test_round_trip_export),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
