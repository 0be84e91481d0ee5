/* analytics: the revenue chart (chart.h): daily revenue as bars on the
 * left axis (roubles), the number of orders as a line with dots on the
 * right axis, day labels under the bars, the title and totals on top.
 * Text is drawn with cairo's toy API in "DejaVu Sans" (fonts-dejavu-core:
 * Cyrillic, ₽ and the thin space), sizes chosen so that the picture stays
 * readable when Telegram shows it across a phone screen. */
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <stdio.h>
#include <string.h>

#include "chart.h"
#include "scale.h"

#define FONT "DejaVu Sans"
#define F_TITLE 46.0
#define F_SUB 32.0
#define F_AXIS 28.0
#define F_LEGEND 28.0
#define LABEL_GAP 14.0 /* between an axis and its labels */

static void rgb(cairo_t *cr, unsigned v)
{
    cairo_set_source_rgb(cr, ((v >> 16) & 0xFF) / 255.0, ((v >> 8) & 0xFF) / 255.0, (v & 0xFF) / 255.0);
}

static void font(cairo_t *cr, double size, int bold)
{
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

/* text with its left (align 0), centre (1) or right (2) edge at x, its
 * middle at y */
static void text(cairo_t *cr, const char *s, double x, double y, int align)
{
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    double left = align == 0 ? x : align == 1 ? x - e.x_advance / 2 : x - e.x_advance;
    cairo_move_to(cr, left, y - (e.y_bearing + e.height / 2));
    cairo_show_text(cr, s);
}

static void day_label(const an_chart *ch, int i, char *buf, size_t n)
{
    an_date d = an_date_add(ch->first, i);
    an_date last = an_date_add(ch->first, ch->days - 1);
    if (last.m == ch->first.m && last.y == ch->first.y)
        snprintf(buf, n, "%d", d.d);
    else
        snprintf(buf, n, "%02d.%02d", d.d, d.m);
}

static void draw_axes(cairo_t *cr, const an_chart *ch, const an_axis *ra, const an_axis *oa)
{
    char buf[64];
    /* grid and the revenue labels on the left */
    font(cr, F_AXIS, 0);
    for (int k = 0; k <= ra->n; k++) {
        double v = ra->lo + ra->step * k;
        double y = an_axis_px(ra, v, AN_CHART_Y1, AN_CHART_Y0);
        rgb(cr, v == 0 ? 0x9CA3AF : 0xE5E7EB);
        cairo_set_line_width(cr, v == 0 ? 2.0 : 1.0);
        cairo_move_to(cr, AN_CHART_X0, y);
        cairo_line_to(cr, AN_CHART_X1, y);
        cairo_stroke(cr);
        an_rub((int64_t)(v * 100), 1, buf, sizeof buf);
        rgb(cr, 0x374151);
        text(cr, buf, AN_CHART_X0 - LABEL_GAP, y, 2);
    }
    /* the orders labels on the right, at the same grid lines when they fit */
    rgb(cr, 0xB45309);
    for (int k = 0; k <= oa->n; k++) {
        double v = oa->lo + oa->step * k;
        if (v < 0) /* no negative orders: the revenue's refunds only */
            continue;
        snprintf(buf, sizeof buf, "%lld", (long long)(v + 0.5));
        text(cr, buf, AN_CHART_X1 + LABEL_GAP, an_axis_px(oa, v, AN_CHART_Y1, AN_CHART_Y0), 0);
    }
    /* day labels */
    double day_px = (AN_CHART_X1 - AN_CHART_X0) / ch->days;
    day_label(ch, 0, buf, sizeof buf);
    int every = an_label_every(day_px, strlen(buf) > 2 ? 110.0 : 56.0);
    rgb(cr, 0x374151);
    for (int i = 0; i < ch->days; i += every) {
        day_label(ch, i, buf, sizeof buf);
        text(cr, buf, AN_CHART_X0 + day_px * (i + 0.5), AN_CHART_Y1 + 40, 1);
    }
}

static void draw_bars(cairo_t *cr, const an_chart *ch, const an_axis *ra)
{
    double zero = an_axis_px(ra, 0, AN_CHART_Y1, AN_CHART_Y0);
    for (int i = 0; i < ch->days; i++) {
        if (ch->revenue[i] == 0)
            continue;
        double x0, x1, y = an_axis_px(ra, ch->revenue[i] / 100.0, AN_CHART_Y1, AN_CHART_Y0);
        an_bar_span(ch->days, i, AN_CHART_X0, AN_CHART_X1, &x0, &x1);
        if (y > zero - 2 && y < zero + 2) /* too small to see: at least 2 px */
            y = ch->revenue[i] > 0 ? zero - 2 : zero + 2;
        rgb(cr, ch->revenue[i] > 0 ? AN_CHART_BAR_RGB : AN_CHART_NEG_RGB);
        cairo_rectangle(cr, x0, y < zero ? y : zero, x1 - x0, y < zero ? zero - y : y - zero);
        cairo_fill(cr);
    }
}

static void draw_line(cairo_t *cr, const an_chart *ch, const an_axis *oa)
{
    double day_px = (AN_CHART_X1 - AN_CHART_X0) / ch->days;
    rgb(cr, AN_CHART_LINE_RGB);
    cairo_set_line_width(cr, 4.0);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    for (int i = 0; i < ch->days; i++) {
        double x = AN_CHART_X0 + day_px * (i + 0.5);
        double y = an_axis_px(oa, (double)ch->orders[i], AN_CHART_Y1, AN_CHART_Y0);
        if (i == 0)
            cairo_move_to(cr, x, y);
        else
            cairo_line_to(cr, x, y);
    }
    cairo_stroke(cr);
    if (day_px < 8) /* dots only while they do not merge */
        return;
    for (int i = 0; i < ch->days; i++) {
        double x = AN_CHART_X0 + day_px * (i + 0.5);
        cairo_arc(cr, x, an_axis_px(oa, (double)ch->orders[i], AN_CHART_Y1, AN_CHART_Y0), 6.0, 0, 6.2832);
        cairo_fill(cr);
    }
}

static void draw_header(cairo_t *cr, const an_chart *ch)
{
    rgb(cr, 0x111827);
    font(cr, F_TITLE, 1);
    text(cr, ch->title ? ch->title : "", 40, 56, 0);
    rgb(cr, 0x374151);
    font(cr, F_SUB, 0);
    text(cr, ch->subtitle ? ch->subtitle : "", 40, 112, 0);
    /* legend: a bar for revenue, a line with a dot for orders */
    font(cr, F_LEGEND, 0);
    double y = 166;
    rgb(cr, AN_CHART_BAR_RGB);
    cairo_rectangle(cr, 40, y - 13, 26, 26);
    cairo_fill(cr);
    rgb(cr, 0x374151);
    text(cr, ch->legend_rev ? ch->legend_rev : "", 78, y, 0);
    cairo_text_extents_t e;
    cairo_text_extents(cr, ch->legend_rev ? ch->legend_rev : "", &e);
    double x = 78 + e.x_advance + 40;
    rgb(cr, AN_CHART_LINE_RGB);
    cairo_set_line_width(cr, 4.0);
    cairo_move_to(cr, x, y);
    cairo_line_to(cr, x + 40, y);
    cairo_stroke(cr);
    cairo_arc(cr, x + 20, y, 6.0, 0, 6.2832);
    cairo_fill(cr);
    rgb(cr, 0x374151);
    text(cr, ch->legend_ord ? ch->legend_ord : "", x + 52, y, 0);
}

int an_chart_png(const an_chart *ch, const char *path)
{
    if (!ch || ch->days < 1 || !ch->revenue || !ch->orders || !path)
        return -1;
    double rmin = 0, rmax = 0, omax = 0;
    int any = 0;
    for (int i = 0; i < ch->days; i++) {
        double r = ch->revenue[i] / 100.0;
        rmin = r < rmin ? r : rmin;
        rmax = r > rmax ? r : rmax;
        omax = ch->orders[i] > omax ? (double)ch->orders[i] : omax;
        any |= ch->revenue[i] != 0 || ch->orders[i] != 0;
    }
    an_axis ra, oa;
    an_axis_nice(rmin, rmax, 5, 0, &ra);
    /* the orders axis shares the revenue axis's grid lines and its zero:
     * as many steps above and below 0 */
    int up = (int)(ra.hi / ra.step + 0.5), down = ra.n - up;
    an_axis_nice(0, omax, up > 0 ? up : 1, 1, &oa);
    oa.hi = oa.step * up;
    oa.lo = -oa.step * down;
    oa.n = ra.n;

    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, AN_CHART_W, AN_CHART_H);
    cairo_t *cr = cairo_create(s);
    rgb(cr, 0xFFFFFF);
    cairo_paint(cr);
    draw_header(cr, ch);
    draw_axes(cr, ch, &ra, &oa);
    draw_bars(cr, ch, &ra);
    draw_line(cr, ch, &oa);
    if (!any && ch->empty) {
        rgb(cr, 0x6B7280);
        font(cr, F_SUB, 0);
        text(cr, ch->empty, (AN_CHART_X0 + AN_CHART_X1) / 2, (AN_CHART_Y0 + AN_CHART_Y1) / 2, 1);
    }
    int rc = cairo_status(cr) == CAIRO_STATUS_SUCCESS ? 0 : -1;
    cairo_destroy(cr);
    if (rc == 0 && cairo_surface_write_to_png(s, path) != CAIRO_STATUS_SUCCESS)
        rc = -1;
    cairo_surface_destroy(s);
    return rc;
}

void an_chart_cleanup(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}
