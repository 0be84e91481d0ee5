/* pay-ecom: the payment QR code as a PNG file (libqrencode → cairo). */
#ifndef PAY_QR_H
#define PAY_QR_H

/* Writes text as a QR code (error correction M, 4-module quiet zone,
 * `scale` pixels a module) to a new file in dir; *path (malloc'd, the
 * caller unlinks and frees it). 0, or -1 with errno-style failure. */
int pay_qr_png(const char *text, const char *dir, int scale, char **path);

#endif
