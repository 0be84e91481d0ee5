/* The HTTP front: libmicrohttpd daemon, request bodies (JSON, urlencoded,
 * multipart) and routing to the Bot API, file downloads, control API and page. */
#ifndef TGSIM_HTTP_H
#define TGSIM_HTTP_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim.h"
#include "text.h"

typedef struct tgsim_field {
    char *key, *filename, *content_type;
    tgsim_buf data;
} tgsim_field;

typedef struct tgsim_req {
    struct MHD_Connection *conn;
    tgsim_sim *sim;
    const char *url, *method;   /* owned by MHD for the life of the request */
    int64_t t_start;
    struct MHD_PostProcessor *pp;
    tgsim_buf body;
    tgsim_field *fields;
    size_t nfields, fields_cap;
    size_t total;
    bool too_large, is_form;
} tgsim_req;

typedef struct tgsim_reply {
    int status;
    json_t *json;               /* owned; sent as application/json */
    char *data;                 /* owned raw body (malloc), used when json is NULL */
    const void *static_data;    /* not owned, used when both above are NULL */
    size_t len;
    const char *content_type;
    bool drop;                  /* close the connection without any response */
} tgsim_reply;

typedef struct tgsim_http tgsim_http;

tgsim_http *tgsim_http_start(tgsim_sim *sim, const char *listen, int *port, char *err,
                             size_t errlen);
void tgsim_http_stop(tgsim_http *h);

const char *tgsim_req_query(const tgsim_req *r, const char *key);
/* A multipart field that carried a file (has a filename), or NULL. */
const tgsim_field *tgsim_req_file(const tgsim_req *r, const char *key);

/* Request handlers, one per area (botapi.c, files.c, control.c, web.c). */
void tgsim_botapi_handle(tgsim_req *r, const char *token, size_t token_len, const char *method,
                         tgsim_reply *out);
void tgsim_files_download(tgsim_req *r, const char *token, size_t token_len, const char *path,
                          tgsim_reply *out);
void tgsim_control_handle(tgsim_req *r, const char *path, tgsim_reply *out);
void tgsim_web_handle(tgsim_req *r, tgsim_reply *out);

#endif
