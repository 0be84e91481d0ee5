#include "mime.h"

#include <string.h>
#include <strings.h>

const char *wh_mime_sniff(const void *data, size_t len)
{
    const unsigned char *d = data;
    if (!d)
        return NULL;
    if (len >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0)
        return "image/png";
    if (len >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
        return "image/jpeg";
    if (len >= 6 && (memcmp(d, "GIF87a", 6) == 0 || memcmp(d, "GIF89a", 6) == 0))
        return "image/gif";
    if (len >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0)
        return "image/webp";
    if (len >= 5 && memcmp(d, "%PDF-", 5) == 0)
        return "application/pdf";
    return NULL;
}

const char *wh_mime_of(const char *filename, const void *data, size_t len)
{
    static const char *const by_ext[][2] = {
        {".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        {".csv", "text/csv"},
        {".txt", "text/plain"},
        {".log", "text/plain"},
        {".json", "application/json"},
        {".zip", "application/zip"},
        {".html", "text/html"},
        {".ics", "text/calendar"},
    };
    const char *t = wh_mime_sniff(data, len);
    if (t)
        return t;
    const char *dot = filename ? strrchr(filename, '.') : NULL;
    for (size_t i = 0; dot && i < sizeof by_ext / sizeof by_ext[0]; i++)
        if (strcasecmp(dot, by_ext[i][0]) == 0)
            return by_ext[i][1];
    return "application/octet-stream";
}
