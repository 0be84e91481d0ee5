/* GET /: the web chat page, embedded into the binary at build time
 * (tgsim_web_page.c is generated from web/index.html by embed.cmake). */
#include "http.h"

extern const unsigned char tgsim_web_page[];
extern const size_t tgsim_web_page_len;

void tgsim_web_handle(tgsim_req *r, tgsim_reply *out)
{
    (void)r;
    out->status = 200;
    out->static_data = tgsim_web_page;
    out->len = tgsim_web_page_len;
    out->content_type = "text/html; charset=utf-8";
}
