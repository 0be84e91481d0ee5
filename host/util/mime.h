/* The media type of an upload. Telegram takes the Content-Type of a
 * multipart part as given (a document's mime_type is exactly that), so a
 * PNG QR sent as image/jpeg or a PDF as application/octet-stream is a lie
 * that clients act on. The bytes decide first, the file name second. */
#ifndef WH_MIME_H
#define WH_MIME_H

#include <stddef.h>

/* "image/png", "image/jpeg", "image/gif", "image/webp" or "application/pdf"
 * when the bytes start with that format's signature, else NULL. */
const char *wh_mime_sniff(const void *data, size_t len);

/* wh_mime_sniff(), else by the extension of filename (may be NULL): .xlsx,
 * .csv, .txt, .log, .json, .zip, .html; else "application/octet-stream".
 * Always a static string. */
const char *wh_mime_of(const char *filename, const void *data, size_t len);

#endif
