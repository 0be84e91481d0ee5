/* pay-ecom: QR code PNG (qr.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* asprintf, mkstemps */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo.h>
#include <qrencode.h>

#include "qr.h"

#define QUIET 4

int pay_qr_png(const char *text, const char *dir, int scale, char **path)
{
    *path = NULL;
    if (!text || !*text || scale < 1 || scale > 64)
        return -1;
    QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q)
        return -1;
    int side = (q->width + 2 * QUIET) * scale;
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, side, side);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (int y = 0; y < q->width; y++)
        for (int x = 0; x < q->width; x++)
            if (q->data[y * q->width + x] & 1)
                cairo_rectangle(cr, (x + QUIET) * scale, (y + QUIET) * scale, scale, scale);
    cairo_fill(cr);
    cairo_destroy(cr);
    QRcode_free(q);

    char *p = NULL;
    int rc = -1;
    if (asprintf(&p, "%s/walor-payqr-XXXXXX.png", dir && *dir ? dir : "/tmp") > 0) {
        int fd = mkstemps(p, 4);
        if (fd >= 0) {
            close(fd);
            if (cairo_surface_status(s) == CAIRO_STATUS_SUCCESS &&
                cairo_surface_write_to_png(s, p) == CAIRO_STATUS_SUCCESS) {
                *path = p;
                p = NULL;
                rc = 0;
            } else {
                unlink(p);
            }
        }
    }
    free(p);
    cairo_surface_destroy(s);
    return rc;
}
