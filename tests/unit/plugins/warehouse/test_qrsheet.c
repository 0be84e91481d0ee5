/* F-WH-08: the warehouse QR sheet (plugins/warehouse/qrsheet.c, compiled
 * in). The PDFs are read back as a person would: poppler's pdftoppm
 * rasterises the pages, zbarimg (zbar-tools) decodes every code, pdftotext
 * gives the captions and where each word sits (-bbox), and the raster shows
 * whether a glyph really has ink (the libharu Ё/Е regression of
 * LIBRARIES.md: pdftotext alone reads "Е" even when it is drawn blank).
 * Features: F-WH-08 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <pthread.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "qrsheet.h"

#define BOT "https://t.me/walor_demo_bot?start=p"

static char g_dir[64];

static int setup(void **state)
{
    (void)state;
    strcpy(g_dir, "/tmp/walor-qrsheet-XXXXXX");
    return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static char *path_in_dir(const char *name)
{
    char *p = malloc(strlen(g_dir) + strlen(name) + 2);
    sprintf(p, "%s/%s", g_dir, name);
    return p;
}

/* stdout of a shell command (paths here never contain quotes); fails the
 * test when the command does not exit 0. The poppler tools' stderr goes to
 * /dev/null: libharu writes a ToUnicode CMap poppler warns about (and reads
 * correctly, as the text checks show). */
__attribute__((format(printf, 1, 2))) static char *run(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 16, n = 0;
    char *out = malloc(cap);
    for (size_t r; (r = fread(out + n, 1, cap - n - 1, p)) > 0;) {
        n += r;
        if (cap - n < 1024)
            out = realloc(out, cap *= 2);
    }
    out[n] = '\0';
    int status = pclose(p);
    if (status != 0)
        fail_msg("`%s` exited with %d", cmd, status);
    return out;
}

static size_t count_files(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

/* greyscale raster of one page (1-based) at dpi */
typedef struct raster {
    int w, h;
    unsigned char *px;
} raster;

static raster rasterise(const char *pdf, int page, int dpi)
{
    raster r = {0};
    char *prefix = path_in_dir("raster");
    free(run("pdftoppm -r %d -gray -singlefile -f %d -l %d '%s' '%s' 2>/dev/null", dpi, page, page, pdf, prefix));
    char *file = malloc(strlen(prefix) + 5);
    sprintf(file, "%s.pgm", prefix);
    free(prefix);
    FILE *f = fopen(file, "rb");
    assert_non_null(f);
    int maxv;
    assert_int_equal(fscanf(f, "P5 %d %d %d", &r.w, &r.h, &maxv), 3);
    assert_int_equal(maxv, 255);
    fgetc(f); /* the one whitespace after the header */
    r.px = malloc((size_t)r.w * (size_t)r.h);
    assert_int_equal(fread(r.px, 1, (size_t)r.w * (size_t)r.h, f), (size_t)r.w * (size_t)r.h);
    fclose(f);
    unlink(file);
    free(file);
    return r;
}

/* a rectangle of pixels, x1 and y1 excluded */
typedef struct box {
    int x0, y0, x1, y1;
} box;

#define DARK(r, x, y) ((r)->px[(size_t)(y) * (size_t)(r)->w + (size_t)(x)] < 128)

static box cell_box(size_t slot, int dpi)
{
    double k = dpi / 72.0;
    double x = QRSHEET_MARGIN + (double)(slot % QRSHEET_COLS) * QRSHEET_CELL_W;
    double y = QRSHEET_MARGIN + QRSHEET_HEADER_H + (double)(slot / QRSHEET_COLS) * QRSHEET_CELL_H;
    return (box){(int)(x * k), (int)(y * k), (int)((x + QRSHEET_CELL_W) * k), (int)((y + QRSHEET_CELL_H) * k)};
}

/* the dark pixels inside the code's square of cell `slot` */
static box code_box(const raster *r, size_t slot, int dpi)
{
    double k = dpi / 72.0;
    double x = QRSHEET_MARGIN + (double)(slot % QRSHEET_COLS) * QRSHEET_CELL_W + (QRSHEET_CELL_W - QRSHEET_QR_SIDE) / 2;
    double y = QRSHEET_MARGIN + QRSHEET_HEADER_H + (double)(slot / QRSHEET_COLS) * QRSHEET_CELL_H + QRSHEET_PAD;
    box b = {r->w, r->h, -1, -1};
    for (int py = (int)(y * k); py < (int)((y + QRSHEET_QR_SIDE) * k); py++)
        for (int px = (int)(x * k); px < (int)((x + QRSHEET_QR_SIDE) * k); px++)
            if (DARK(r, px, py)) {
                b.x0 = px < b.x0 ? px : b.x0, b.x1 = px + 1 > b.x1 ? px + 1 : b.x1;
                b.y0 = py < b.y0 ? py : b.y0, b.y1 = py + 1 > b.y1 ? py + 1 : b.y1;
            }
    assert_true(b.x1 > b.x0 && b.y1 > b.y0);
    return b;
}

/* What zbarimg reads in one cell of the page, as a phone scans one sticker
 * at a time ("" when nothing), optionally with a white smudge over the
 * middle of the code covering `smudge` of its side. Whole pages are not
 * decoded at once: with twelve codes in one image zbar misses one now and
 * then (each of them decodes alone, in its row and in its column). */
static char *decode_cell(const raster *r, size_t slot, int dpi, double smudge)
{
    box c = cell_box(slot, dpi), q = code_box(r, slot, dpi);
    assert_true(c.x1 <= r->w && c.y1 <= r->h);
    int w = c.x1 - c.x0, h = c.y1 - c.y0;
    unsigned char *px = malloc((size_t)w * (size_t)h);
    for (int y = 0; y < h; y++)
        memcpy(px + (size_t)y * (size_t)w, r->px + (size_t)(c.y0 + y) * (size_t)r->w + (size_t)c.x0, (size_t)w);
    int side = (int)((q.x1 - q.x0) * smudge), mx = (q.x0 + q.x1) / 2 - c.x0, my = (q.y0 + q.y1) / 2 - c.y0;
    for (int y = my - side / 2; y < my - side / 2 + side; y++)
        memset(px + (size_t)y * (size_t)w + (size_t)(mx - side / 2), 255, (size_t)side);
    char *file = path_in_dir("cell.pgm");
    FILE *f = fopen(file, "wb");
    assert_non_null(f);
    fprintf(f, "P5\n%d %d\n255\n", w, h);
    assert_int_equal(fwrite(px, 1, (size_t)w * (size_t)h, f), (size_t)w * (size_t)h);
    fclose(f);
    free(px);
    /* zbarimg exits 4 when it finds nothing: "" then, not a failed run() */
    char *got = run("zbarimg -q --nodbus --raw '%s'; test $? -ne 1", file);
    unlink(file);
    free(file);
    return got;
}

/* The white margin around the code in cell `slot`, in modules: the module
 * size from the top left finder pattern (its top edge is 7 modules of
 * solid dark), then the nearest dark pixel outside the code or the cell's
 * edge, whichever is closer. */
static double quiet_modules(const raster *r, size_t slot, int dpi)
{
    box c = cell_box(slot, dpi), q = code_box(r, slot, dpi);
    int run = 0;
    while (q.x0 + run < q.x1 && DARK(r, q.x0 + run, q.y0))
        run++;
    double module = run / 7.0;
    int best = q.x0 - c.x0;
    best = c.x1 - q.x1 < best ? c.x1 - q.x1 : best;
    best = q.y0 - c.y0 < best ? q.y0 - c.y0 : best;
    best = c.y1 - q.y1 < best ? c.y1 - q.y1 : best;
    for (int y = c.y0; y < c.y1; y++)
        for (int x = c.x0; x < c.x1; x++) {
            if ((x >= q.x0 && x < q.x1 && y >= q.y0 && y < q.y1) || !DARK(r, x, y))
                continue;
            int dx = x < q.x0 ? q.x0 - x : x >= q.x1 ? x - q.x1 + 1 : 0;
            int dy = y < q.y0 ? q.y0 - y : y >= q.y1 ? y - q.y1 + 1 : 0;
            int d = dx > dy ? dx : dy;
            best = d < best ? d : best;
        }
    /* one pixel each side is anti-aliasing, not layout */
    return (best + 1) / module;
}

/* Every code, alone in its cell, decodes to its item's URL, also with a
 * smudge over a third of its side (error correction chosen for stickers:
 * level M already fails that), and has a quiet zone of the 4 modules the
 * QR standard asks for. */
static void check_codes(const char *pdf, const qrsheet_item *items, size_t n)
{
    const int dpi = 100;
    char bad[4096] = "";
    size_t nbad = 0;
    for (size_t p = 0; p * QRSHEET_PER_PAGE < n; p++) {
        raster r = rasterise(pdf, (int)p + 1, dpi);
        for (size_t slot = 0; slot < QRSHEET_PER_PAGE && p * QRSHEET_PER_PAGE + slot < n; slot++) {
            size_t i = p * QRSHEET_PER_PAGE + slot;
            char want[512];
            snprintf(want, sizeof want, "%s\n", items[i].url);
            for (int smudged = 0; smudged < 2; smudged++) {
                char *got = decode_cell(&r, slot, dpi, smudged ? 1 / 3.0 : 0);
                if (strcmp(got, want) != 0) {
                    size_t l = strlen(bad);
                    snprintf(bad + l, sizeof bad - l, "item %zu%s: want %s got \"%s\"\n", i + 1,
                             smudged ? " (smudged)" : "", items[i].url, got);
                    nbad++;
                }
                free(got);
            }
            double quiet = quiet_modules(&r, slot, dpi);
            if (quiet < 4.0) {
                size_t l = strlen(bad);
                snprintf(bad + l, sizeof bad - l, "item %zu: quiet zone of %.1f modules\n", i + 1, quiet);
                nbad++;
            }
        }
        free(r.px);
    }
    if (nbad)
        fail_msg("%zu problems in %zu codes:\n%s", nbad, n, bad);
}

/* one word of pdftotext -bbox: page (0-based) and box in points from the
 * top left corner */
typedef struct word {
    int page;
    double x0, y0, x1, y1;
    char text[256];
} word;

static size_t read_words(const char *pdf, word **out)
{
    char *html = run("pdftotext -enc UTF-8 -bbox '%s' - 2>/dev/null", pdf);
    size_t n = 0, cap = 64;
    word *w = malloc(cap * sizeof *w);
    int page = -1;
    for (const char *p = html;;) {
        const char *pg = strstr(p, "<page "), *wd = strstr(p, "<word ");
        if (!wd)
            break;
        if (pg && pg < wd) {
            page++;
            p = pg + 6;
            continue;
        }
        if (n == cap)
            w = realloc(w, (cap *= 2) * sizeof *w);
        word *x = &w[n];
        assert_int_equal(sscanf(wd, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\">", &x->x0, &x->y0,
                                &x->x1, &x->y1),
                         4);
        const char *t = strchr(wd, '>') + 1, *end = strstr(t, "</word>");
        assert_non_null(end);
        size_t l = (size_t)(end - t) < sizeof x->text - 1 ? (size_t)(end - t) : sizeof x->text - 1;
        memcpy(x->text, t, l);
        x->text[l] = '\0';
        x->page = page;
        n++;
        p = end;
    }
    free(html);
    *out = w;
    return n;
}

static const word *find_word(const word *w, size_t n, const char *text)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(w[i].text, text) == 0)
            return &w[i];
    return NULL;
}

static qrsheet_item *thirty_items(char urls[][64], size_t *n)
{
    /* Ё before any Е (the libharu regression), long names in one word and
     * in many, markup characters, emoji, a line break, an empty caption */
    static const char *captions[] = {
        "Ёжик садовый",
        "Ежевика свежая",
        "Ель искусственная 180 см",
        "Набор для ухода за кожей лица и тела «Ёлочка» с экстрактом облепихи, маслом ши и витамином Е, 12 предметов в подарочной упаковке",
        "Сверхдлинноеназваниетоварабезединогопробеласкотороенепереноситсяпословамипоэтомурежетсяпобуквамдоконцатретьейстрокиисноска",
        "Чай «Улун» <молочный> & мята",
        "Кофе 🙂 в зёрнах",
        "Мёд\nгречишный",
        "",
        "Щётка",
    };
    size_t count = 30;
    qrsheet_item *items = calloc(count, sizeof *items);
    for (size_t i = 0; i < count; i++) {
        /* IDs from 1 to large ones: codes of several versions */
        unsigned long long id = i < 10 ? i + 1 : i < 20 ? 1000 + i : 9000000000000000000ULL + i;
        snprintf(urls[i], 64, BOT "%llu", id);
        items[i].url = urls[i];
        items[i].caption = i < 10 ? captions[i] : NULL;
    }
    *n = count;
    return items;
}

static void test_thirty_items(void **state)
{
    (void)state;
    char urls[30][64], caps[30][64];
    size_t n;
    qrsheet_item *items = thirty_items(urls, &n);
    for (size_t i = 10; i < n; i++) {
        snprintf(caps[i], sizeof caps[i], "Товар №%zu", i + 1);
        items[i].caption = caps[i];
    }
    char *out = path_in_dir("sheet.pdf");
    char err[256] = "x";
    int rc = wr_qrsheet_render(items, n, "Магазин «Ёлка» — QR-коды", out, err, sizeof err);
    if (rc != 0)
        fail_msg("wr_qrsheet_render: %s", err);
    assert_string_equal(err, "");
    assert_int_equal(count_files(g_dir), 1); /* no temporary file left */

    char *info = run("pdfinfo '%s'", out);
    const char *pages = strstr(info, "Pages:");
    assert_non_null(pages);
    assert_int_equal(atoi(pages + 6), 3); /* 12 a page */
    assert_non_null(strstr(info, "595.276 x 841.89 pts (A4)"));
    free(info);

    check_codes(out, items, n);

    char *text = run("pdftotext -enc UTF-8 '%s' - 2>/dev/null", out);
    assert_non_null(strstr(text, "Ёжик садовый"));
    assert_non_null(strstr(text, "Ежевика свежая"));
    assert_non_null(strstr(text, "Ель искусственная 180 см"));
    assert_non_null(strstr(text, "Чай «Улун» <молочный> & мята"));
    assert_non_null(strstr(text, "Кофе в зёрнах")); /* the emoji dropped, one space */
    assert_non_null(strstr(text, "Мёд гречишный"));
    assert_non_null(strstr(text, "Щётка"));
    assert_non_null(strstr(text, "Товар №30"));
    assert_non_null(strstr(text, "Магазин «Ёлка» — QR-коды"));
    assert_non_null(strstr(text, "3/3"));
    /* the long names: the start is there, the rest cut with an ellipsis */
    assert_non_null(strstr(text, "Набор для ухода"));
    assert_null(strstr(text, "подарочной упаковке"));
    assert_non_null(strstr(text, "Сверхдлинн"));
    assert_null(strstr(text, "исноска"));
    assert_non_null(strstr(text, "…"));
    free(text);

    /* no caption word leaves its cell: every word below the header lies
     * within one cell's caption area, on at most three lines a cell */
    word *w;
    size_t nw = read_words(out, &w);
    assert_true(nw > 30);
    double grid_top = QRSHEET_MARGIN + QRSHEET_HEADER_H;
    int lines_in_cell[3][QRSHEET_PER_PAGE][QRSHEET_CAPTION_LINES + 1];
    double line_y[3][QRSHEET_PER_PAGE][QRSHEET_CAPTION_LINES + 1];
    memset(lines_in_cell, 0, sizeof lines_in_cell);
    int ncell_lines[3][QRSHEET_PER_PAGE] = {{0}};
    for (size_t i = 0; i < nw; i++) {
        assert_true(w[i].page >= 0 && w[i].page < 3);
        assert_true(w[i].x0 >= QRSHEET_MARGIN - 0.5 && w[i].x1 <= QRSHEET_PAGE_W - QRSHEET_MARGIN + 0.5);
        if (w[i].y1 <= grid_top)
            continue; /* the header */
        int col = (int)((w[i].x0 + w[i].x1) / 2 - QRSHEET_MARGIN) / (int)QRSHEET_CELL_W;
        int row = (int)(((w[i].y0 + w[i].y1) / 2 - grid_top) / QRSHEET_CELL_H);
        assert_true(col >= 0 && col < QRSHEET_COLS && row >= 0 && row < QRSHEET_ROWS);
        double cx = QRSHEET_MARGIN + col * QRSHEET_CELL_W, cy = grid_top + row * QRSHEET_CELL_H;
        if (w[i].x0 < cx + QRSHEET_PAD - 0.5 || w[i].x1 > cx + QRSHEET_CELL_W - QRSHEET_PAD + 0.5)
            fail_msg("word \"%s\" (%.1f..%.1f) leaves its column %.1f..%.1f", w[i].text, w[i].x0, w[i].x1,
                     cx + QRSHEET_PAD, cx + QRSHEET_CELL_W - QRSHEET_PAD);
        /* below the code's square, above the cell's bottom edge */
        assert_true(w[i].y0 >= cy + QRSHEET_PAD + QRSHEET_QR_SIDE - 0.5);
        assert_true(w[i].y1 <= cy + QRSHEET_CELL_H + 0.5);
        int slot = row * QRSHEET_COLS + col, k, *nl = &ncell_lines[w[i].page][slot];
        for (k = 0; k < *nl; k++)
            if (line_y[w[i].page][slot][k] == w[i].y0)
                break;
        if (k == *nl) {
            assert_true(*nl < QRSHEET_CAPTION_LINES);
            line_y[w[i].page][slot][(*nl)++] = w[i].y0;
        }
    }
    assert_int_equal(ncell_lines[0][3], QRSHEET_CAPTION_LINES); /* the long name fills all three */
    free(w);

    free(out);
    free(items);
}

/* dark pixels inside a word's box */
static long ink(const raster *r, const word *w, int dpi)
{
    double k = dpi / 72.0;
    long dark = 0;
    for (int y = (int)(w->y0 * k); y < (int)(w->y1 * k) && y < r->h; y++)
        for (int x = (int)(w->x0 * k); x < (int)(w->x1 * k) && x < r->w; x++)
            dark += r->px[(size_t)y * (size_t)r->w + (size_t)x] < 128;
    return dark;
}

/* LIBRARIES.md: with libharu 2.3.0, "Ё" drawn before any "Е" shows as "¨"
 * and every later "Е" is blank, yet pdftotext still reads both letters. */
static void test_yo_before_ye_has_ink(void **state)
{
    (void)state;
    qrsheet_item items[] = {
        {BOT "1", "ЁЁЁ"},
        {BOT "2", "ЕЕЕ"},
        {BOT "3", "ёёё"},
        {BOT "4", "еее"},
    };
    char *out = path_in_dir("yo.pdf");
    char err[256];
    assert_int_equal(wr_qrsheet_render(items, 4, "Ёж", out, err, sizeof err), 0);
    word *w;
    size_t nw = read_words(out, &w);
    const int dpi = 150;
    raster r = rasterise(out, 1, dpi);
    const char *pairs[][2] = {{"ЁЁЁ", "ЕЕЕ"}, {"ёёё", "еее"}};
    for (size_t i = 0; i < 2; i++) {
        const word *yo = find_word(w, nw, pairs[i][0]), *ye = find_word(w, nw, pairs[i][1]);
        assert_non_null(yo);
        assert_non_null(ye);
        long area = (long)((ye->x1 - ye->x0) * (ye->y1 - ye->y0) * dpi / 72.0 * dpi / 72.0);
        long ink_ye = ink(&r, ye, dpi), ink_yo = ink(&r, yo, dpi);
        /* three solid letters cover a good part of their box; the dots of
         * Ё add to the same letter's ink */
        if (ink_ye * 10 < area || ink_yo <= ink_ye)
            fail_msg("%s: %ld dark pixels, %s: %ld (box %ld)", pairs[i][1], ink_ye, pairs[i][0], ink_yo, area);
    }
    free(r.px);
    free(w);
    free(out);
}

static void test_errors(void **state)
{
    (void)state;
    char *out = path_in_dir("err.pdf");
    char err[256];
    qrsheet_item one = {BOT "1", "Товар"};

    /* zero items: a clear error, no file */
    assert_int_equal(wr_qrsheet_render(&one, 0, "x", out, err, sizeof err), -1);
    assert_non_null(strstr(err, "no items"));
    assert_int_equal(wr_qrsheet_render(NULL, 3, "x", out, err, sizeof err), -1);
    assert_int_equal(access(out, F_OK), -1);

    /* an item without a URL: named by its number */
    qrsheet_item bad[] = {{BOT "1", "a"}, {NULL, "b"}};
    assert_int_equal(wr_qrsheet_render(bad, 2, NULL, out, err, sizeof err), -1);
    assert_string_equal(err, "item 2 has no URL");
    bad[1].url = "";
    assert_int_equal(wr_qrsheet_render(bad, 2, NULL, out, err, sizeof err), -1);
    assert_string_equal(err, "item 2 has no URL");

    /* no output path, or a directory that does not exist */
    assert_int_equal(wr_qrsheet_render(&one, 1, NULL, NULL, err, sizeof err), -1);
    assert_int_equal(wr_qrsheet_render(&one, 1, NULL, "", err, sizeof err), -1);
    char *nodir = path_in_dir("nope/sheet.pdf");
    assert_int_equal(wr_qrsheet_render(&one, 1, NULL, nodir, err, sizeof err), -1);
    assert_non_null(strstr(err, "No such file or directory"));
    free(nodir);

    /* a failure after rendering started (item 14, on page 2: a URL too
     * long for any QR code) leaves an existing out_path untouched and no
     * temporary file behind */
    FILE *f = fopen(out, "w");
    fputs("old", f);
    fclose(f);
    char *huge = malloc(8000);
    memset(huge, 'a', 7999);
    huge[7999] = '\0';
    qrsheet_item many[20];
    for (size_t i = 0; i < 20; i++)
        many[i] = (qrsheet_item){BOT "1", "Товар"};
    many[13].url = huge;
    assert_int_equal(wr_qrsheet_render(many, 20, "x", out, err, sizeof err), -1);
    assert_string_equal(err, "item 14: the URL is too long for a QR code");
    /* long enough to need a big symbol whose modules would print too small */
    huge[600] = '\0';
    assert_int_equal(wr_qrsheet_render(many, 20, "x", out, err, sizeof err), -1);
    assert_string_equal(err, "item 14: the URL is too long for a printable QR code");
    char buf[8] = "";
    f = fopen(out, "r");
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "old");
    assert_int_equal(count_files(g_dir), 1);

    /* a missing font: named in the message */
    assert_int_equal(wr_qrsheet_render_font(many, 20, "x", "/nonexistent/font.ttf", out, err, sizeof err), -1);
    assert_non_null(strstr(err, "loading the font"));
    assert_non_null(strstr(err, "/nonexistent/font.ttf"));

    /* no room for the message is fine too */
    assert_int_equal(wr_qrsheet_render(&one, 0, "x", out, NULL, 0), -1);
    assert_int_equal(wr_qrsheet_render(many, 20, "x", out, err, 0), -1);

    /* and the existing file is replaced by a good render */
    assert_int_equal(wr_qrsheet_render(&one, 1, NULL, out, err, sizeof err), 0);
    f = fopen(out, "r");
    assert_non_null(fgets(buf, 5, f));
    fclose(f);
    assert_string_equal(buf, "%PDF");
    assert_int_equal(count_files(g_dir), 1);
    unlink(out);
    free(huge);
    free(out);
}

static void test_clean_text(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {NULL, ""},
        {"", ""},
        {"  Чай \t\r\n  зелёный  ", "Чай зелёный"},
        {"Кофе 🙂☕️ крепкий", "Кофе ☕ крепкий"},      /* astral dropped, VS16 too */
        {"a\xff" "b\xc3", "a\xEF\xBF\xBD" "b\xEF\xBF\xBD"}, /* bad bytes: U+FFFD */
        {"\xed\xa0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"}, /* a surrogate is invalid */
        {"\xc0\xaf", "\xEF\xBF\xBD\xEF\xBF\xBD"},                 /* overlong '/' */
        {"x\xc2\x85y", "x y"},                                     /* C1 control (NEL) */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = wr_qrsheet_clean_text(cases[i].in);
        assert_string_equal(got, cases[i].out);
        free(got);
    }
    /* a text longer than the limit is cut, never in the middle of a letter */
    char *big = malloc(3 * QRSHEET_TEXT_MAX_IN);
    big[0] = 'a'; /* so that the limit falls inside a letter */
    for (size_t i = 1; i + 2 < 3 * QRSHEET_TEXT_MAX_IN; i += 2)
        memcpy(big + i, "ж", 2);
    big[3 * QRSHEET_TEXT_MAX_IN - 1] = '\0';
    char *got = wr_qrsheet_clean_text(big);
    assert_int_equal(strlen(got), QRSHEET_TEXT_MAX_IN - 1);
    assert_null(strstr(got, "\xEF\xBF\xBD"));
    free(got);
    free(big);
}

/* the warehouse renders on worker threads: concurrent sheets must not
 * disturb each other (one libharu error record per document, no globals) */
typedef struct job {
    char path[96], urls[13][64];
    qrsheet_item items[13];
    int rc;
    char err[256];
} job;

static void *render_job(void *arg)
{
    job *j = arg;
    j->rc = wr_qrsheet_render(j->items, 13, "Ёлка", j->path, j->err, sizeof j->err);
    return NULL;
}

static void test_concurrent(void **state)
{
    (void)state;
    enum { N = 4 };
    job *jobs = calloc(N, sizeof *jobs);
    pthread_t th[N];
    for (int t = 0; t < N; t++) {
        snprintf(jobs[t].path, sizeof jobs[t].path, "%s/t%d.pdf", g_dir, t);
        for (int i = 0; i < 13; i++) {
            snprintf(jobs[t].urls[i], sizeof jobs[t].urls[i], BOT "%d", t * 100 + i);
            jobs[t].items[i] = (qrsheet_item){jobs[t].urls[i], i % 2 ? "Ёжик" : "Ель"};
        }
        /* one of them fails halfway: that must not affect the others */
        if (t == N - 1)
            jobs[t].items[12].url = NULL;
    }
    for (int t = 0; t < N; t++)
        assert_int_equal(pthread_create(&th[t], NULL, render_job, &jobs[t]), 0);
    for (int t = 0; t < N; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; t < N; t++) {
        if (t == N - 1) {
            assert_int_equal(jobs[t].rc, -1);
            assert_int_equal(access(jobs[t].path, F_OK), -1);
            continue;
        }
        if (jobs[t].rc != 0)
            fail_msg("thread %d: %s", t, jobs[t].err);
        check_codes(jobs[t].path, jobs[t].items, 13);
    }
    free(jobs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_text),
        cmocka_unit_test_setup_teardown(test_thirty_items, setup, teardown),
        cmocka_unit_test_setup_teardown(test_yo_before_ye_has_ink, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
