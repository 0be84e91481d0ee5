#include "http.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* Telegram accepts 50 MB documents over multipart; leave room for the other fields. */
#define MAX_BODY (60u * 1024 * 1024)

/*
 * Threading model: one thread per connection (MHD_USE_THREAD_PER_CONNECTION).
 * getUpdates long polls, chat-view long polls and "hang" faults then simply
 * wait on a condition variable inside the handler, without blocking any other
 * connection. MHD's suspend/resume would save those threads, but needs a
 * resume timer and a re-entrant state machine per waiting request; a fake
 * serves tens to hundreds of connections, where a thread each is cheap, and
 * keep-alive connections keep the thread-creation cost off the hot path.
 */
struct tgsim_http {
    struct MHD_Daemon *d;
    tgsim_sim *sim;
};

const char *tgsim_req_query(const tgsim_req *r, const char *key)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

const tgsim_field *tgsim_req_file(const tgsim_req *r, const char *key)
{
    for (size_t i = 0; i < r->nfields; i++)
        if (r->fields[i].filename && !strcmp(r->fields[i].key, key))
            return &r->fields[i];
    return NULL;
}

static enum MHD_Result post_iter(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *filename, const char *content_type,
                                 const char *transfer_encoding, const char *data, uint64_t off,
                                 size_t size)
{
    (void)kind;
    (void)transfer_encoding;
    tgsim_req *r = cls;
    tgsim_field *f = NULL;
    if (off > 0) {
        /* continuation of a value that arrived in several chunks */
        for (size_t i = r->nfields; i-- > 0;)
            if (!strcmp(r->fields[i].key, key)) {
                f = &r->fields[i];
                break;
            }
    }
    if (!f) {
        if (r->nfields == r->fields_cap) {
            size_t ncap = r->fields_cap ? r->fields_cap * 2 : 8;
            tgsim_field *nf = realloc(r->fields, ncap * sizeof *nf);
            if (!nf)
                return MHD_NO;
            r->fields = nf;
            r->fields_cap = ncap;
        }
        f = &r->fields[r->nfields++];
        memset(f, 0, sizeof *f);
        f->key = tgsim_strdup(key);
        f->filename = filename ? tgsim_strdup(filename) : NULL;
        f->content_type = content_type ? tgsim_strdup(content_type) : NULL;
    }
    tgsim_buf_add(&f->data, data, size);
    if (!f->data.data)
        tgsim_buf_add(&f->data, "", 0);
    return f->data.oom ? MHD_NO : MHD_YES;
}

static tgsim_req *req_new(tgsim_sim *sim, struct MHD_Connection *c, const char *url,
                          const char *method)
{
    tgsim_req *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->conn = c;
    r->sim = sim;
    r->url = url;
    r->method = method;
    r->t_start = tgsim_now_ms();
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    /* control API bodies are always JSON, whatever a curl user's Content-Type says */
    bool control = !strncmp(url, "/_sim/", 6);
    if (!control && ct && (!strncasecmp(ct, "multipart/form-data", 19) ||
               !strncasecmp(ct, "application/x-www-form-urlencoded", 33))) {
        r->is_form = true;
        r->pp = MHD_create_post_processor(c, 64 * 1024, post_iter, r);
    }
    return r;
}

static void req_free(tgsim_req *r)
{
    if (r->pp)
        MHD_destroy_post_processor(r->pp);
    for (size_t i = 0; i < r->nfields; i++) {
        free(r->fields[i].key);
        free(r->fields[i].filename);
        free(r->fields[i].content_type);
        tgsim_buf_free(&r->fields[i].data);
    }
    free(r->fields);
    tgsim_buf_free(&r->body);
    free(r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    if (*con_cls)
        req_free(*con_cls);
    *con_cls = NULL;
}

static enum MHD_Result queue_reply(struct MHD_Connection *c, tgsim_reply *rep)
{
    if (rep->drop) {
        json_decref(rep->json);
        free(rep->data);
        return MHD_NO;
    }
    struct MHD_Response *resp;
    const char *ctype = rep->content_type;
    if (rep->json) {
        char *s = json_dumps(rep->json, JSON_COMPACT);
        json_decref(rep->json);
        if (!s)
            return MHD_NO;
        resp = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
        ctype = "application/json";
    } else if (rep->data) {
        resp = MHD_create_response_from_buffer(rep->len, rep->data, MHD_RESPMEM_MUST_FREE);
    } else {
        resp = MHD_create_response_from_buffer(rep->len, (void *)rep->static_data,
                                               MHD_RESPMEM_PERSISTENT);
    }
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype ? ctype : "text/plain");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)(rep->status ? rep->status : 200), resp);
    MHD_destroy_response(resp);
    return ret;
}

static void route(tgsim_req *r, tgsim_reply *out)
{
    const char *url = r->url;
    if (r->too_large) {
        out->status = 413;
        out->json = json_pack("{s:b,s:i,s:s}", "ok", 0, "error_code", 413, "description",
                              "Request Entity Too Large");
        return;
    }
    if (!strncmp(url, "/bot", 4) || !strncmp(url, "/file/bot", 9)) {
        bool file = url[1] == 'f';
        const char *tok = url + (file ? 9 : 4);
        const char *slash = strchr(tok, '/');
        if (slash && slash[1]) {
            if (file)
                tgsim_files_download(r, tok, (size_t)(slash - tok), slash + 1, out);
            else
                tgsim_botapi_handle(r, tok, (size_t)(slash - tok), slash + 1, out);
            return;
        }
    } else if (!strncmp(url, "/_sim/", 6)) {
        tgsim_control_handle(r, url + 6, out);
        return;
    } else if (!strcmp(url, "/") || !strcmp(url, "/index.html")) {
        tgsim_web_handle(r, out);
        return;
    }
    out->status = 404;
    out->json = json_pack("{s:b,s:i,s:s}", "ok", 0, "error_code", 404, "description", "Not Found");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    tgsim_http *h = cls;
    tgsim_req *r = *con_cls;
    if (!r) {
        /* Phase one only creates the request: queueing a response now would
         * make MHD answer "Connection: close" and kill keep-alive. */
        r = req_new(h->sim, c, url, method);
        if (!r)
            return MHD_NO;
        *con_cls = r;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        r->total += n;
        if (r->total > MAX_BODY)
            r->too_large = true;
        if (r->too_large)
            return MHD_YES;
        if (r->is_form) {
            /* a malformed form keeps what parsed so far; the method then
             * reports the missing parameter, like Telegram does */
            if (r->pp)
                (void)MHD_post_process(r->pp, upload_data, n);
        } else {
            tgsim_buf_add(&r->body, upload_data, n);
        }
        return MHD_YES;
    }
    tgsim_reply rep = {0};
    route(r, &rep);
    /* Bot API calls (getUpdates confirms, sends add) and control actions may
     * have changed the world; page loads, downloads and chat views did not */
    if (!strncmp(url, "/bot", 4) || (!strncmp(url, "/_sim/", 6) && strcmp(method, "GET")))
        atomic_fetch_add(&h->sim->state_gen, 1);
    return queue_reply(c, &rep);
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *sl)
{
    char host[256] = "127.0.0.1";
    const char *port = listen;
    const char *colon = strrchr(listen, ':');
    if (colon) {
        size_t hl = (size_t)(colon - listen);
        if (hl >= 2 && listen[0] == '[' && listen[hl - 1] == ']') {
            listen++;
            hl -= 2;
        }
        if (hl >= sizeof host)
            return -1;
        if (hl) {
            memcpy(host, listen, hl);
            host[hl] = '\0';
        }
        port = colon + 1;
    }
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
                             .ai_socktype = SOCK_STREAM}, *res;
    if (getaddrinfo(host, port, &hints, &res) != 0)
        return -1;
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *sl = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

tgsim_http *tgsim_http_start(tgsim_sim *sim, const char *listen, int *port, char *err,
                             size_t errlen)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    if (parse_listen(listen, &ss, &sl) != 0) {
        snprintf(err, errlen, "bad --listen address '%s' (want HOST:PORT)", listen);
        return NULL;
    }
    tgsim_http *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->sim = sim;
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_POLL;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (!sim->cfg.quiet)
        flags |= MHD_USE_ERROR_LOG;
    h->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                            MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)4000,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)300,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
                            MHD_OPTION_END);
    if (!h->d) {
        snprintf(err, errlen, "cannot listen on %s", listen);
        free(h);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    *port = info ? info->port : 0;
    return h;
}

void tgsim_http_stop(tgsim_http *h)
{
    if (!h)
        return;
    MHD_stop_daemon(h->d);
    free(h);
}
