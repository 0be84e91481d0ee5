/* F-CAT-07: the catalog import's spreadsheet reader (xlsx + CSV) and the
 * export writer (plugins/catalog/xlsx_read.c, xlsx_write.c, compiled in).
 * Fixtures are written at test time by python3-openpyxl (Debian) and by
 * hand-made zips (rich text, inline strings, zip bomb), then read back.
 * Features: F-CAT-07 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "unit_skip.h"

#include "xlsx_read.h"
#include "xlsx_write.h"

static char g_dir[64];

static const char *PY_FIXTURES =
    "import sys, os, zipfile, io\n"
    "import openpyxl\n"
    "d = sys.argv[1]\n"
    "wb = openpyxl.Workbook()\n"
    "ws = wb.active\n"
    "ws.title = 'Товары'\n"
    "ws.append(['ID', 'Название', 'Цена, ₽', 'Вес, г', 'Скрыт'])\n"
    "ws['A2'] = 1; ws['C2'] = 1500; ws['D2'] = 300; ws['E2'] = True\n"  /* B2 empty */
    "ws['A3'] = 2; ws['B3'] = 'Крем «Ёжик»'; ws['C3'] = 1500.5; ws['D3'] = 0.1 + 0.2; ws['E3'] = False\n"
    "ws['B4'] = 'Крем «Ёжик»'; ws['C4'] = 19.99; ws['G6'] = 'угол'\n"
    "wb.create_sheet('Второй')['A1'] = 'не этот лист'\n"
    "wb.save(os.path.join(d, 'basic.xlsx'))\n"
    "wb = openpyxl.Workbook(); ws = wb.active\n"
    "ws.append(['ID', 'Название', 'Цена', 'Вес'])\n"
    "for i in range(1, 5001):\n"
    "    ws.append([i, 'Товар №%d' % i, i * 10 + 0.5, i])\n"
    "wb.save(os.path.join(d, 'big.xlsx'))\n"
    "data = open(os.path.join(d, 'basic.xlsx'), 'rb').read()\n"
    "zi = zipfile.ZipFile(io.BytesIO(data)).getinfo('xl/worksheets/sheet1.xml')\n"
    "at = zi.header_offset + 30 + len(zi.filename) + 8\n"  /* into the deflated sheet */
    "bad = bytearray(data); bad[at:at + 40] = b'\\xff' * 40\n"
    "open(os.path.join(d, 'corrupt.xlsx'), 'wb').write(bytes(bad))\n"
    "open(os.path.join(d, 'truncated.xlsx'), 'wb').write(data[:len(data) // 2])\n"
    "open(os.path.join(d, 'notzip.xlsx'), 'wb').write('Это просто текст\\n'.encode())\n"
    "def mk(name, sheet, sst=None, target='worksheets/sheet7.xml', extra=None):\n"
    "    z = zipfile.ZipFile(os.path.join(d, name), 'w', zipfile.ZIP_DEFLATED)\n"
    "    z.writestr('xl/workbook.xml', '<x:workbook xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" '\n"
    "        'xmlns:rel=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><x:sheets>'\n"
    "        '<x:sheet name=\"Лист\" sheetId=\"3\" rel:id=\"rId9\"/><x:sheet name=\"B\" sheetId=\"1\" rel:id=\"rId1\"/></x:sheets></x:workbook>')\n"
    "    z.writestr('xl/_rels/workbook.xml.rels', '<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">'\n"
    "        '<Relationship Id=\"rId1\" Type=\"t\" Target=\"worksheets/sheet1.xml\"/>'\n"
    "        '<Relationship Id=\"rId9\" Type=\"t\" Target=\"' + target + '\"/></Relationships>')\n"
    "    if sst is not None: z.writestr('xl/sharedStrings.xml', sst)\n"
    "    z.writestr('xl/worksheets/sheet1.xml', '<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>wrong sheet</t></is></c></row></sheetData></worksheet>')\n"
    "    z.writestr(target.lstrip('/') if target.startswith('/') else 'xl/' + target, sheet)\n"
    "    if extra: extra(z)\n"
    "    z.close()\n"
    "NS = 'xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"'\n"
    "sst = ('<sst ' + NS + ' count=\"2\"><si><t>Простой</t></si>'\n"
    "       '<si><r><t xml:space=\"preserve\">Крем </t></r><r><rPr><b/></rPr><t>для рук</t></r><rPh sb=\"0\" eb=\"1\"><t>фонетика</t></rPh></si></sst>')\n"
    "sheet = ('<worksheet ' + NS + '><sheetData>'\n"
    "    '<row r=\"1\"><c r=\"A1\" t=\"s\"><v>1</v></c><c t=\"inlineStr\"><is><t>Инлайн</t></is></c><c r=\"D1\" t=\"s\"><v>0</v></c></row>'\n"
    "    '<row><c r=\"A2\"><v>1.5E3</v></c><c r=\"B2\" t=\"str\"><f>A2&amp;\"x\"</f><v>1500x</v></c><c r=\"C2\" t=\"e\"><v>#N/A</v></c>'\n"
    "    '<c r=\"D2\" s=\"3\"/><c r=\"E2\"><v>-0.050</v></c><c r=\"F2\"><v>1500.0</v></c><c r=\"G2\"><v>19.989999999999998</v></c></row>'\n"
    "    '<row r=\"4\"><c r=\"A4\" t=\"inlineStr\"><is><r><t>a</t></r><r><t>b</t></r></is></c><c r=\"BL4\"><v>7</v></c><c r=\"BM4\" s=\"1\"/></row>'\n"
    "    '</sheetData></worksheet>')\n"
    "mk('handmade.xlsx', sheet, sst)\n"
    "mk('abs.xlsx', '<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><v>42</v></c></row></sheetData></worksheet>', None, '/xl/worksheets/s.xml')\n"
    "mk('widecol.xlsx', '<worksheet><sheetData><row r=\"1\"><c r=\"BM1\"><v>1</v></c></row></sheetData></worksheet>')\n"
    "mk('manyrows.xlsx', '<worksheet><sheetData><row r=\"100001\"><c r=\"A100001\"><v>1</v></c></row></sheetData></worksheet>')\n"
    "mk('badsst.xlsx', '<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>5</v></c></row></sheetData></worksheet>', sst)\n"
    "mk('dtd.xlsx', '<!DOCTYPE w [<!ENTITY a \"aaaa\">]><worksheet><sheetData/></worksheet>')\n"
    "mk('empty.xlsx', '<worksheet><sheetData/></worksheet>')\n"
    "mk('bomb.xlsx', '<worksheet><sheetData>' + ' ' * (60 * 1024 * 1024) + '</sheetData></worksheet>')\n"
    "z = zipfile.ZipFile(os.path.join(d, 'otherzip.xlsx'), 'w'); z.writestr('hello.txt', 'hi'); z.close()\n";

static int run_python(const char *script_text, const char *arg)
{
    char path[128], cmd[512];
    snprintf(path, sizeof path, "%s/script.py", g_dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(script_text, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s", path, arg);
    return system(cmd);
}

static bool have_openpyxl(void)
{
    return system("/usr/bin/python3 -c 'import openpyxl' >/dev/null 2>&1") == 0;
}

static int setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/walor-xlsx-XXXXXX");
    if (!mkdtemp(g_dir))
        return -1;
    if (have_openpyxl() && run_python(PY_FIXTURES, g_dir) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static catalog_grid *read_ok(const char *name)
{
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    catalog_grid *g = NULL;
    if (catalog_xlsx_read_file(path, &g, err, sizeof err) != 0)
        fail_msg("%s: %s", name, err);
    assert_non_null(g);
    return g;
}

static void read_bad(const char *name, const char *want_part)
{
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    catalog_grid *g = (catalog_grid *)&g;
    assert_int_equal(catalog_xlsx_read_file(path, &g, err, sizeof err), -1);
    assert_null(g);
    if (!strstr(err, want_part))
        fail_msg("%s: error «%s» lacks «%s»", name, err, want_part);
}

#define GCELL(g, r, c, want) assert_string_equal(catalog_grid_cell(g, r, c), want)

static void test_openpyxl_basic(void **state)
{
    (void)state;
    if (!have_openpyxl())
        UNIT_SKIP("python3-openpyxl is missing");
    catalog_grid *g = read_ok("basic.xlsx");
    assert_int_equal(catalog_grid_rows(g), 6);
    assert_int_equal(catalog_grid_cols(g), 7);
    GCELL(g, 0, 0, "ID");
    GCELL(g, 0, 2, "Цена, ₽");
    GCELL(g, 1, 0, "1");
    GCELL(g, 1, 1, "");      /* empty in between */
    GCELL(g, 1, 2, "1500");  /* an integer stays one */
    GCELL(g, 1, 3, "300");
    GCELL(g, 1, 4, "1");     /* TRUE */
    GCELL(g, 2, 1, "Крем «Ёжик»");
    GCELL(g, 2, 2, "1500.5");
    GCELL(g, 2, 3, "0.3");   /* 0.30000000000000004 */
    GCELL(g, 2, 4, "0");
    GCELL(g, 3, 1, "Крем «Ёжик»"); /* the same shared string */
    GCELL(g, 3, 2, "19.99");
    GCELL(g, 4, 0, "");
    GCELL(g, 5, 6, "угол");
    GCELL(g, 99, 99, "");    /* outside */
    catalog_grid_free(g);
}

static void test_openpyxl_big(void **state)
{
    (void)state;
    if (!have_openpyxl())
        UNIT_SKIP("python3-openpyxl is missing");
    catalog_grid *g = read_ok("big.xlsx");
    assert_int_equal(catalog_grid_rows(g), 5001);
    assert_int_equal(catalog_grid_cols(g), 4);
    char buf[64];
    for (size_t i = 1; i <= 5000; i++) {
        snprintf(buf, sizeof buf, "%zu", i);
        GCELL(g, i, 0, buf);
        snprintf(buf, sizeof buf, "Товар №%zu", i);
        GCELL(g, i, 1, buf);
        snprintf(buf, sizeof buf, "%zu.5", i * 10);
        GCELL(g, i, 2, buf);
    }
    catalog_grid_free(g);
}

static void test_handmade(void **state)
{
    (void)state;
    if (!have_openpyxl())
        UNIT_SKIP("python3-openpyxl is missing");
    /* the first <sheet> is rId9 → sheet7.xml, not sheet1.xml; prefixed
     * namespaces; rich text runs; phonetic runs dropped; a cell without r */
    catalog_grid *g = read_ok("handmade.xlsx");
    assert_int_equal(catalog_grid_rows(g), 4);
    assert_int_equal(catalog_grid_cols(g), 64); /* BL, the 64th column; BM is styled but empty */
    GCELL(g, 0, 0, "Крем для рук");
    GCELL(g, 0, 1, "Инлайн");
    GCELL(g, 0, 3, "Простой");
    GCELL(g, 1, 0, "1500");
    GCELL(g, 1, 1, "1500x");
    GCELL(g, 1, 2, "#N/A");
    GCELL(g, 1, 3, "");
    GCELL(g, 1, 4, "-0.05");
    GCELL(g, 1, 5, "1500");
    GCELL(g, 1, 6, "19.99");
    GCELL(g, 2, 0, "");
    GCELL(g, 3, 0, "ab");
    GCELL(g, 3, 63, "7");
    catalog_grid_free(g);

    g = read_ok("abs.xlsx");
    GCELL(g, 0, 0, "42");
    catalog_grid_free(g);
    g = read_ok("empty.xlsx");
    assert_int_equal(catalog_grid_rows(g), 0);
    assert_int_equal(catalog_grid_cols(g), 0);
    GCELL(g, 0, 0, "");
    catalog_grid_free(g);
}

static void test_bad_files(void **state)
{
    (void)state;
    if (!have_openpyxl())
        UNIT_SKIP("python3-openpyxl is missing");
    read_bad("notzip.xlsx", "это не файл .xlsx");
    read_bad("truncated.xlsx", "это не файл .xlsx");
    read_bad("corrupt.xlsx", "повреждён");
    read_bad("otherzip.xlsx", "нет xl/workbook.xml");
    read_bad("widecol.xlsx", "больше 64 столбцов");
    read_bad("manyrows.xlsx", "больше 100000 строк");
    read_bad("badsst.xlsx", "несуществующую строку");
    read_bad("dtd.xlsx", "DTD");
    read_bad("bomb.xlsx", "больше 50 МБ после распаковки");
    read_bad("no-such-file.xlsx", "не открывается файл");

    char err[256];
    catalog_grid *g = NULL;
    assert_int_equal(catalog_xlsx_read_mem("", 0, &g, err, sizeof err), -1);
    assert_non_null(strstr(err, "это не файл .xlsx"));
    assert_int_equal(catalog_xlsx_read_mem("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8, &g, err, sizeof err), -1);
    assert_non_null(strstr(err, ".xls"));
}

static void test_cell_ref(void **state)
{
    (void)state;
    uint32_t r, c;
    assert_int_equal(catalog_cell_ref_parse("A1", &r, &c), 0);
    assert_int_equal(r, 0);
    assert_int_equal(c, 0);
    assert_int_equal(catalog_cell_ref_parse("BL100", &r, &c), 0);
    assert_int_equal(r, 99);
    assert_int_equal(c, 63);
    assert_int_equal(catalog_cell_ref_parse("XFD1048576", &r, &c), 0);
    assert_int_equal(catalog_cell_ref_parse("XFE1", &r, &c), -1);
    assert_int_equal(catalog_cell_ref_parse("A0", &r, &c), -1);
    assert_int_equal(catalog_cell_ref_parse("A", &r, &c), -1);
    assert_int_equal(catalog_cell_ref_parse("1", &r, &c), -1);
    assert_int_equal(catalog_cell_ref_parse("a1", &r, &c), -1);
    assert_int_equal(catalog_cell_ref_parse("A1x", &r, &c), -1);
}

static void test_numbers(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"0", "0"}, {"-0", "0"}, {"1500", "1500"}, {"1500.0", "1500"}, {"1500.50", "1500.5"},
        {"0.1", "0.1"}, {"00012", "12"}, {"1E3", "1000"}, {"1.5e-3", "0.0015"}, {"-2.5E+2", "-250"},
        {"0.30000000000000004", "0.3"}, {"99999999999999999", "100000000000000000"},
        {"123456789012345678", "123456789012346000"}, {"4.35", "4.35"},
    };
    char out[128];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_true(catalog_xlsx_num_normalize(cases[i][0], out, sizeof out));
        if (strcmp(out, cases[i][1]) != 0)
            fail_msg("%s → %s, want %s", cases[i][0], out, cases[i][1]);
    }
    assert_false(catalog_xlsx_num_normalize("abc", out, sizeof out));
    assert_false(catalog_xlsx_num_normalize("1e", out, sizeof out));
    assert_false(catalog_xlsx_num_normalize("1.2.3", out, sizeof out));
    assert_false(catalog_xlsx_num_normalize("1E300", out, sizeof out));
    assert_false(catalog_xlsx_num_normalize("", out, sizeof out));
}

static catalog_grid *csv_ok(const char *text)
{
    char err[256];
    catalog_grid *g = NULL;
    if (catalog_csv_read_mem(text, strlen(text), &g, err, sizeof err) != 0)
        fail_msg("csv: %s", err);
    return g;
}

static void test_csv(void **state)
{
    (void)state;
    /* Russian Excel: BOM, ';', CRLF, quotes with ; "" and a line break */
    catalog_grid *g = csv_ok("\xEF\xBB\xBF" "ID;Название;Цена\r\n"
                         "1;\"Крем; «Ёжик»\";1 500,50\r\n"
                         "\r\n"
                         "2;\"Сказал \"\"да\"\"\nи ушёл\";\r\n"
                         "\r\n\r\n");
    assert_int_equal(catalog_grid_rows(g), 4);
    assert_int_equal(catalog_grid_cols(g), 3);
    GCELL(g, 0, 1, "Название");
    GCELL(g, 1, 1, "Крем; «Ёжик»");
    GCELL(g, 1, 2, "1 500,50");
    GCELL(g, 2, 0, "");
    GCELL(g, 3, 1, "Сказал \"да\"\nи ушёл");
    GCELL(g, 3, 2, "");
    catalog_grid_free(g);

    /* ',' when the first line has no ';' outside quotes */
    g = csv_ok("a,\"b;c\",d\n1,2,3");
    assert_int_equal(catalog_grid_cols(g), 3);
    GCELL(g, 0, 1, "b;c");
    GCELL(g, 1, 2, "3");
    catalog_grid_free(g);

    g = csv_ok("");
    assert_int_equal(catalog_grid_rows(g), 0);
    catalog_grid_free(g);

    char err[256];
    assert_int_equal(catalog_csv_read_mem("a;\"b\n", 5, &g, err, sizeof err), -1);
    assert_null(g);
    assert_string_equal(err, "строка 1: не закрыта кавычка");
    /* cp1251 "Цена" */
    assert_int_equal(catalog_csv_read_mem("ID;\xD6\xE5\xED\xE0\n", 9, &g, err, sizeof err), -1);
    assert_non_null(strstr(err, "UTF-8"));
    assert_int_equal(catalog_csv_read_mem("a\0b", 3, &g, err, sizeof err), -1);

    /* 65 columns */
    char wide[512] = "";
    for (int i = 0; i < 65; i++)
        strcat(wide, "x;");
    assert_int_equal(catalog_csv_read_mem(wide, strlen(wide), &g, err, sizeof err), -1);
    assert_non_null(strstr(err, "больше 64 столбцов"));
    /* 64 with a trailing delimiter is fine */
    wide[0] = '\0';
    for (int i = 0; i < 64; i++)
        strcat(wide, "x;");
    g = csv_ok(wide);
    assert_int_equal(catalog_grid_cols(g), 64);
    catalog_grid_free(g);

    /* too many rows */
    size_t n = (CATALOG_SHEET_MAX_ROWS + 1) * 2;
    char *rows = malloc(n + 1);
    for (size_t i = 0; i < n; i += 2)
        memcpy(rows + i, "1\n", 2);
    rows[n] = '\0';
    assert_int_equal(catalog_csv_read_mem(rows, n, &g, err, sizeof err), -1);
    assert_non_null(strstr(err, "больше 100000 строк"));
    /* exactly the limit */
    g = NULL;
    assert_int_equal(catalog_csv_read_mem(rows, n - 2, &g, err, sizeof err), 0);
    assert_int_equal(catalog_grid_rows(g), CATALOG_SHEET_MAX_ROWS);
    catalog_grid_free(g);
    free(rows);
}

/* the export's column format (see the report / xlsx_write.h) */
static const catalog_xlsx_col COLS[] = {
    {"ID товара", CATALOG_COL_INT, 10},
    {"Категория", CATALOG_COL_TEXT, 30},
    {"Название", CATALOG_COL_TEXT, 40},
    {"Вариант", CATALOG_COL_TEXT, 0},
    {"Цена, ₽", CATALOG_COL_MONEY, 0},
    {"Вес, г", CATALOG_COL_INT, 0},
};

static void test_write_roundtrip(void **state)
{
    (void)state;
    enum { NR = 1000, NC = sizeof COLS / sizeof COLS[0] };
    catalog_xlsx_cell *cells = calloc(NR * NC, sizeof *cells);
    char (*names)[64] = calloc(NR, sizeof *names);
    for (size_t r = 0; r < NR; r++) {
        catalog_xlsx_cell *row = cells + r * NC;
        snprintf(names[r], sizeof names[r], "Товар «%zu» & <ёж>", r);
        row[0].num = (int64_t)r + 1;
        row[1].text = r % 2 ? "Уход / Лицо" : "Подарки";
        row[2].text = names[r];
        row[3].text = r % 3 ? "50 мл" : ""; /* empty cell */
        row[4].num = (int64_t)r * 100 + 50;  /* kopecks: r,50 ₽ */
        row[5].num = r % 5 ? (int64_t)r : 0;
    }
    cells[0].text = ""; /* an empty numeric cell */
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/export.xlsx", g_dir);
    if (catalog_xlsx_write(path, "Каталог", COLS, NC, cells, NR, err, sizeof err) != 0)
        fail_msg("write: %s", err);

    catalog_grid *g = read_ok("export.xlsx");
    assert_int_equal(catalog_grid_rows(g), NR + 1);
    assert_int_equal(catalog_grid_cols(g), NC);
    for (size_t c = 0; c < NC; c++)
        GCELL(g, 0, c, COLS[c].title);
    GCELL(g, 1, 0, "");
    char buf[64];
    for (size_t r = 0; r < NR; r++) {
        if (r) {
            snprintf(buf, sizeof buf, "%zu", r + 1);
            GCELL(g, r + 1, 0, buf);
        }
        GCELL(g, r + 1, 2, names[r]);
        GCELL(g, r + 1, 3, r % 3 ? "50 мл" : "");
        snprintf(buf, sizeof buf, "%zu.5", r);
        GCELL(g, r + 1, 4, buf);
    }
    catalog_grid_free(g);

    /* what Excel users get: openpyxl sees numbers, the rouble format, bold */
    if (have_openpyxl()) {
        char arg[256];
        snprintf(arg, sizeof arg, "%s", path);
        assert_int_equal(run_python("import sys, openpyxl\n"
                                    "wb = openpyxl.load_workbook(sys.argv[1])\n"
                                    "ws = wb.active\n"
                                    "assert ws.title == 'Каталог', ws.title\n"
                                    "assert ws['A1'].value == 'ID товара' and ws['A1'].font.b\n"
                                    "assert ws['A2'].value is None and ws['A3'].value == 2\n"
                                    "assert ws['E3'].value == 1.5, ws['E3'].value\n"
                                    "assert ws['E3'].number_format == '#,##0.00 [$₽-419]', ws['E3'].number_format\n"
                                    "assert ws['C3'].value == 'Товар «1» & <ёж>'\n"
                                    "assert ws.max_row == 1001 and ws.max_column == 6\n"
                                    "assert ws.freeze_panes == 'A2', ws.freeze_panes\n",
                                    arg),
                         0);
    }
    free(cells);
    free(names);

    /* errors are reported, not crashed on */
    assert_int_equal(catalog_xlsx_write(path, "bad:name", COLS, NC, NULL, 0, err, sizeof err), -1);
    assert_non_null(strstr(err, "лист"));
    assert_int_equal(catalog_xlsx_write("/nonexistent-dir/x.xlsx", "a", COLS, NC, NULL, 0, err, sizeof err), -1);
    assert_non_null(strstr(err, "не записывается"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cell_ref),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_openpyxl_basic),
        cmocka_unit_test(test_openpyxl_big),
        cmocka_unit_test(test_handmade),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_write_roundtrip),
    };
    return unit_result(cmocka_run_group_tests(tests, setup, teardown));
}
