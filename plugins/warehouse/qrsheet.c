/* The QR sheet (F-WH-08): libqrencode makes the codes, libharu draws them
 * as filled rectangles on A4 pages with the captions under them.
 *
 * Why it looks the way it does:
 * - Error correction Q (25 %): stickers on shelves and boxes get scratched
 *   and smudged; M would leave less margin. A deep link with a 32-character
 *   bot name and a 19-digit ID is a version 6 symbol: at the fixed code size
 *   a module is still about 1 mm, well above what phone cameras need.
 * - A 4-module quiet zone (the QR standard's minimum) inside every code's
 *   square, so neither the cut guides nor the caption touch it.
 * - Cyrillic needs an embedded TrueType font and libharu's UTF-8 encoder,
 *   and libharu 2.3.0 blanks "Е" once "Ё" was drawn first unless every
 *   letter is measured up front (LIBRARIES.md).
 * - libharu reports errors through a callback. Ours only records the first
 *   error (no longjmp: no state is lost halfway through a libharu call and
 *   every allocation is freed on the normal path); the renderer checks it
 *   after each step. One record per document: no globals, reentrant.
 * - The file is written to a temporary name next to out_path and renamed,
 *   so out_path never holds a partial PDF. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* GNU strerror_r: thread-safe, returns the message */
#endif
#include "qrsheet.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hpdf.h>
#include <qrencode.h>

#ifndef QRSHEET_FONT
#define QRSHEET_FONT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#endif

#define TITLE_SIZE 12.0
#define PAGENO_SIZE 9.0
#define CAPTION_SIZE 9.0
#define CAPTION_W (QRSHEET_CELL_W - 2 * QRSHEET_PAD)
#define QUIET 4
/* below about 0.6 mm a module stops scanning reliably from paper */
#define MIN_MODULE_PT 1.7
/* bytes on one line: guards against zero-width characters piling up */
#define LINE_MAX_BYTES 480

static const char ELLIPSIS[] = "\xE2\x80\xA6"; /* … */

/* every Cyrillic letter measured once, base letters before the composite
 * Ё/ё: the libharu 2.3.0 subsetting workaround (LIBRARIES.md) */
static const char ALL_LETTERS[] = "EeАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя";

typedef struct sheet {
    HPDF_STATUS status, detail; /* the first libharu error; 0 = none */
    HPDF_Doc pdf;
    HPDF_Font font;
    char *err;
    size_t errlen;
} sheet;

static void on_hpdf_error(HPDF_STATUS status, HPDF_STATUS detail, void *ud)
{
    sheet *st = ud;
    if (st->status == HPDF_OK) {
        st->status = status;
        st->detail = detail;
    }
}

__attribute__((format(printf, 3, 4))) static int set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int hpdf_failed(sheet *st, const char *what)
{
    if (st->status == HPDF_OK)
        return 0;
    set_err(st->err, st->errlen, "%s: libharu error 0x%04X (detail %u)", what, (unsigned)st->status,
            (unsigned)st->detail);
    return 1;
}

/* Length of the valid UTF-8 sequence at s (n bytes available) with its code
 * point in *cp; 0 when the bytes are not valid UTF-8 (overlong forms and
 * surrogates included). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char b = s[0];
    size_t len;
    uint32_t c, min;
    if (b < 0x80) {
        *cp = b;
        return 1;
    } else if ((b & 0xE0) == 0xC0) {
        len = 2, c = b & 0x1F, min = 0x80;
    } else if ((b & 0xF0) == 0xE0) {
        len = 3, c = b & 0x0F, min = 0x800;
    } else if ((b & 0xF8) == 0xF0) {
        len = 4, c = b & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

/* The text as one line libharu can draw: valid UTF-8 (bad bytes become
 * U+FFFD), no characters outside the BMP (libharu's UTF-8 encoder has only
 * the BMP and DejaVu Sans no emoji), no emoji joiners or variation
 * selectors, control characters and line breaks as spaces, runs of spaces
 * collapsed, trimmed. NULL when out of memory. */
char *wr_qrsheet_clean_text(const char *in)
{
    size_t n = in ? strnlen(in, QRSHEET_TEXT_MAX_IN) : 0;
    char *out = malloc(3 * n + 1), *o = out;
    if (!out)
        return NULL;
    const unsigned char *s = (const unsigned char *)in;
    int space = 1; /* drops leading spaces */
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t l = utf8_decode(s + i, n - i, &cp);
        if (l == 0) {
            if (n == QRSHEET_TEXT_MAX_IN && n - i < 4)
                break; /* a character cut by the length limit, not bad input */
            memcpy(o, "\xEF\xBF\xBD", 3), o += 3, space = 0;
            i++;
            continue;
        }
        if (cp > 0xFFFF || cp == 0x200D || cp == 0xFE0E || cp == 0xFE0F) {
            i += l;
            continue;
        }
        int is_space = cp == ' ' || cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
        if (is_space) {
            if (!space)
                *o++ = ' ';
            space = 1;
        } else {
            memcpy(o, s + i, l), o += l;
            space = 0;
        }
        i += l;
    }
    if (o > out && o[-1] == ' ')
        o--;
    *o = '\0';
    return out;
}

/* cleaned text: valid UTF-8 of 1 to 3 bytes a character */
static size_t char_len(char c)
{
    unsigned char b = (unsigned char)c;
    return b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : 3;
}

/* width in thousandths of the font size */
static double units(const sheet *st, const char *s, size_t len)
{
    return HPDF_Font_TextWidth(st->font, (const HPDF_BYTE *)s, (HPDF_UINT)len).width;
}

/* How many bytes of s go on one line no wider than max (font units): all of
 * it when it fits; else up to the last space that fits (the caller skips
 * the spaces); else, one word wider than the line, as many whole characters
 * as fit and at least one. Widths add up character by character (libharu
 * does no kerning), so this is linear. */
static size_t break_line(const sheet *st, const char *s, size_t len, double max)
{
    double w = 0;
    size_t last_space = 0, fit = 0;
    for (size_t i = 0; i < len;) {
        size_t l = char_len(s[i]);
        if (s[i] == ' ' && w <= max)
            last_space = i;
        w += units(st, s + i, l);
        if (w > max || i + l > LINE_MAX_BYTES)
            return last_space ? last_space : fit ? fit : l;
        i += l;
        fit = i;
    }
    return len;
}

/* The longest prefix of s that still fits max with "…" after it, without
 * trailing spaces. */
static size_t cut_for_ellipsis(const sheet *st, const char *s, size_t len, double max)
{
    double room = max - units(st, ELLIPSIS, sizeof ELLIPSIS - 1), w = 0;
    size_t fit = 0;
    for (size_t i = 0; i < len;) {
        size_t l = char_len(s[i]);
        w += units(st, s + i, l);
        if (w > room || i + l > LINE_MAX_BYTES - (sizeof ELLIPSIS - 1))
            break;
        i += l;
        fit = i;
    }
    while (fit > 0 && s[fit - 1] == ' ')
        fit--;
    return fit;
}

/* s[0..len) (+ "…") at baseline y: centred on cx, or from x = cx when left */
static void text_out(const sheet *st, HPDF_Page page, double size, double cx, double y, int left, const char *s,
                     size_t len, int ellipsis)
{
    char line[LINE_MAX_BYTES + sizeof ELLIPSIS];
    if (len > LINE_MAX_BYTES)
        len = LINE_MAX_BYTES;
    memcpy(line, s, len);
    if (ellipsis) {
        memcpy(line + len, ELLIPSIS, sizeof ELLIPSIS - 1);
        len += sizeof ELLIPSIS - 1;
    }
    line[len] = '\0';
    if (len == 0)
        return;
    double w = units(st, line, len) * size / 1000.0;
    HPDF_Page_BeginText(page);
    HPDF_Page_SetFontAndSize(page, st->font, (HPDF_REAL)size);
    HPDF_Page_TextOut(page, (HPDF_REAL)(left ? cx : cx - w / 2), (HPDF_REAL)y, line);
    HPDF_Page_EndText(page);
}

/* text on one line of width max: cut with "…" when longer */
static void one_line(const sheet *st, HPDF_Page page, double size, double x, double y, int left, const char *s,
                     double max)
{
    size_t len = strlen(s);
    double limit = max * 1000.0 / size;
    if (break_line(st, s, len, limit) == len)
        text_out(st, page, size, x, y, left, s, len, 0);
    else
        text_out(st, page, size, x, y, left, s, cut_for_ellipsis(st, s, len, limit), 1);
}

/* up to QRSHEET_CAPTION_LINES centred lines from baseline y down; the last one cut
 * with "…" when the text goes on */
static void caption(const sheet *st, HPDF_Page page, double cx, double y, const char *s)
{
    size_t len = strlen(s);
    double limit = CAPTION_W * 1000.0 / CAPTION_SIZE;
    for (int line = 0; line < QRSHEET_CAPTION_LINES && len > 0; line++, y -= QRSHEET_CAPTION_LEADING) {
        size_t take = break_line(st, s, len, limit);
        if (take == len) {
            text_out(st, page, CAPTION_SIZE, cx, y, 0, s, len, 0);
            return;
        }
        if (line == QRSHEET_CAPTION_LINES - 1) {
            text_out(st, page, CAPTION_SIZE, cx, y, 0, s, cut_for_ellipsis(st, s, len, limit), 1);
            return;
        }
        text_out(st, page, CAPTION_SIZE, cx, y, 0, s, take, 0);
        for (s += take, len -= take; len > 0 && *s == ' '; s++, len--)
            ;
    }
}

/* The code for url in a QRSHEET_QR_SIDE square whose top left corner is (x, top):
 * each row's runs of dark modules as one rectangle, all filled as one path
 * (adjacent rectangles of one path leave no hairline seams when rasterised). */
static int draw_qr(sheet *st, HPDF_Page page, double x, double top, const char *url, size_t index)
{
    errno = 0;
    QRcode *qr = QRcode_encodeString(url, 0, QR_ECLEVEL_Q, QR_MODE_8, 1);
    if (!qr) {
        if (errno == ERANGE)
            return set_err(st->err, st->errlen, "item %zu: the URL is too long for a QR code", index + 1);
        return set_err(st->err, st->errlen, "item %zu: cannot encode the URL (errno %d)", index + 1, errno);
    }
    int w = qr->width;
    double m = QRSHEET_QR_SIDE / (w + 2 * QUIET);
    if (m < MIN_MODULE_PT) {
        QRcode_free(qr);
        return set_err(st->err, st->errlen, "item %zu: the URL is too long for a printable QR code", index + 1);
    }
    HPDF_Page_SetGrayFill(page, 0);
    for (int r = 0; r < w; r++) {
        const unsigned char *row = qr->data + (size_t)r * (size_t)w;
        for (int c = 0; c < w;) {
            if (!(row[c] & 1)) {
                c++;
                continue;
            }
            int start = c;
            while (c < w && (row[c] & 1))
                c++;
            HPDF_Page_Rectangle(page, (HPDF_REAL)(x + (QUIET + start) * m), (HPDF_REAL)(top - (QUIET + r + 1) * m),
                                (HPDF_REAL)((c - start) * m), (HPDF_REAL)m);
        }
    }
    HPDF_Page_Fill(page);
    QRcode_free(qr);
    return 0;
}

/* dashed cut guides around a cell, light enough not to distract a scanner */
static void cut_guides(HPDF_Page page, double x, double y)
{
    static const HPDF_UINT16 dash[] = {3, 3};
    HPDF_Page_SetGrayStroke(page, 0.7f);
    HPDF_Page_SetLineWidth(page, 0.4f);
    HPDF_Page_SetDash(page, dash, 2, 0);
    HPDF_Page_Rectangle(page, (HPDF_REAL)x, (HPDF_REAL)y, (HPDF_REAL)QRSHEET_CELL_W, (HPDF_REAL)QRSHEET_CELL_H);
    HPDF_Page_Stroke(page);
    HPDF_Page_SetDash(page, NULL, 0, 0);
}

static void header(const sheet *st, HPDF_Page page, const char *title, size_t pageno, size_t pages)
{
    char num[48];
    snprintf(num, sizeof num, "%zu/%zu", pageno, pages);
    double numw = units(st, num, strlen(num)) * PAGENO_SIZE / 1000.0;
    double base = QRSHEET_PAGE_H - QRSHEET_MARGIN - TITLE_SIZE;
    HPDF_Page_SetGrayFill(page, 0);
    text_out(st, page, PAGENO_SIZE, QRSHEET_PAGE_W - QRSHEET_MARGIN - numw, base, 1, num, strlen(num), 0);
    if (*title)
        one_line(st, page, TITLE_SIZE, QRSHEET_MARGIN, base, 1, title, QRSHEET_PAGE_W - 2 * QRSHEET_MARGIN - numw - 12);
}

/* one sticker: i is the item's index, slot its place on the page */
static int cell(sheet *st, HPDF_Page page, const qrsheet_item *it, size_t i, size_t slot)
{
    double x = QRSHEET_MARGIN + (double)(slot % QRSHEET_COLS) * QRSHEET_CELL_W;
    double top = QRSHEET_PAGE_H - QRSHEET_MARGIN - QRSHEET_HEADER_H - (double)(slot / QRSHEET_COLS) * QRSHEET_CELL_H;
    cut_guides(page, x, top - QRSHEET_CELL_H);
    if (draw_qr(st, page, x + (QRSHEET_CELL_W - QRSHEET_QR_SIDE) / 2, top - QRSHEET_PAD, it->url, i) != 0)
        return -1;
    char *text = wr_qrsheet_clean_text(it->caption);
    if (!text)
        return set_err(st->err, st->errlen, "out of memory");
    /* the first baseline one font size down: ascenders stay out of the quiet zone */
    caption(st, page, x + QRSHEET_CELL_W / 2, top - QRSHEET_PAD - QRSHEET_QR_SIDE - CAPTION_SIZE, text);
    free(text);
    return hpdf_failed(st, "drawing") ? -1 : 0;
}

/* the saved document into fd, exactly GetStreamSize bytes (reading past the
 * end would count as a libharu error) */
static int write_pdf(sheet *st, int fd, const char *path)
{
    HPDF_SaveToStream(st->pdf);
    if (hpdf_failed(st, "saving the PDF"))
        return -1;
    HPDF_UINT32 left = HPDF_GetStreamSize(st->pdf);
    HPDF_BYTE buf[8192];
    while (left > 0) {
        HPDF_UINT32 got = left < sizeof buf ? left : (HPDF_UINT32)sizeof buf;
        HPDF_ReadFromStream(st->pdf, buf, &got);
        if (hpdf_failed(st, "reading the PDF"))
            return -1;
        if (got == 0)
            return set_err(st->err, st->errlen, "reading the PDF: stream ended early");
        for (HPDF_UINT32 off = 0; off < got;) {
            ssize_t w = write(fd, buf + off, got - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                char eb[128];
                return set_err(st->err, st->errlen, "cannot write %s: %s", path, strerror_r(errno, eb, sizeof eb));
            }
            off += (HPDF_UINT32)w;
        }
        left -= got;
    }
    if (fsync(fd) != 0) {
        char eb[128];
        return set_err(st->err, st->errlen, "cannot write %s: %s", path, strerror_r(errno, eb, sizeof eb));
    }
    return 0;
}

/* the document into out_path through a temporary file in the same directory */
static int save(sheet *st, const char *out_path)
{
    char eb[128];
    size_t plen = strlen(out_path);
    char *tmp = malloc(plen + sizeof ".XXXXXX");
    if (!tmp)
        return set_err(st->err, st->errlen, "out of memory");
    memcpy(tmp, out_path, plen);
    memcpy(tmp + plen, ".XXXXXX", sizeof ".XXXXXX");
    int fd = mkstemp(tmp);
    if (fd < 0) {
        set_err(st->err, st->errlen, "cannot create %s: %s", tmp, strerror_r(errno, eb, sizeof eb));
        free(tmp);
        return -1;
    }
    int rc = write_pdf(st, fd, tmp);
    if (close(fd) != 0 && rc == 0)
        rc = set_err(st->err, st->errlen, "cannot write %s: %s", tmp, strerror_r(errno, eb, sizeof eb));
    if (rc == 0 && rename(tmp, out_path) != 0)
        rc = set_err(st->err, st->errlen, "cannot rename %s to %s: %s", tmp, out_path, strerror_r(errno, eb, sizeof eb));
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    return rc;
}

static int render(sheet *st, const qrsheet_item *items, size_t n, const char *title, const char *font,
                  const char *out_path)
{
    HPDF_SetCompressionMode(st->pdf, HPDF_COMP_ALL);
    HPDF_UseUTFEncodings(st->pdf);
    HPDF_SetCurrentEncoder(st->pdf, "UTF-8");
    const char *name = HPDF_LoadTTFontFromFile(st->pdf, font, HPDF_TRUE);
    if (st->status == HPDF_OK) {
        st->font = HPDF_GetFont(st->pdf, name, "UTF-8");
        HPDF_Font_TextWidth(st->font, (const HPDF_BYTE *)ALL_LETTERS, (HPDF_UINT)strlen(ALL_LETTERS));
    }
    char what[320];
    snprintf(what, sizeof what, "loading the font %s", font);
    if (hpdf_failed(st, what))
        return -1;

    size_t pages = (n + QRSHEET_PER_PAGE - 1) / QRSHEET_PER_PAGE;
    for (size_t p = 0; p < pages; p++) {
        HPDF_Page page = HPDF_AddPage(st->pdf);
        HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
        header(st, page, title, p + 1, pages);
        if (hpdf_failed(st, "adding a page"))
            return -1;
        for (size_t slot = 0; slot < QRSHEET_PER_PAGE && p * QRSHEET_PER_PAGE + slot < n; slot++) {
            size_t i = p * QRSHEET_PER_PAGE + slot;
            if (cell(st, page, &items[i], i, slot) != 0)
                return -1;
        }
    }
    return save(st, out_path);
}

int wr_qrsheet_render_font(const qrsheet_item *items, size_t n, const char *title, const char *font,
                            const char *out_path, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (!items || n == 0)
        return set_err(err, errlen, "no items: a QR sheet needs at least one product");
    if (!out_path || !*out_path)
        return set_err(err, errlen, "no output path");
    /* checked up front so that a bad item costs no rendering */
    for (size_t i = 0; i < n; i++)
        if (!items[i].url || !*items[i].url)
            return set_err(err, errlen, "item %zu has no URL", i + 1);

    sheet st = {.err = err, .errlen = errlen};
    char *clean_title = wr_qrsheet_clean_text(title);
    if (!clean_title)
        return set_err(err, errlen, "out of memory");
    st.pdf = HPDF_New(on_hpdf_error, &st);
    if (!st.pdf) {
        free(clean_title);
        return set_err(err, errlen, "cannot create a PDF document (out of memory)");
    }
    int rc = render(&st, items, n, clean_title, font, out_path);
    HPDF_Free(st.pdf);
    free(clean_title);
    return rc;
}

int wr_qrsheet_render(const qrsheet_item *items, size_t n, const char *title, const char *out_path, char *err, size_t errlen)
{
    return wr_qrsheet_render_font(items, n, title, QRSHEET_FONT, out_path, err, errlen);
}
