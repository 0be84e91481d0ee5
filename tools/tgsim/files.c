#include "files.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "botapi.h"
#include "http.h"
#include "params.h"
#include "text.h"

#define MAX_URL_DOWNLOAD (20u * 1024 * 1024)
#define THUMB_SIDE 90

static unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }
static unsigned be32(const unsigned char *p)
{
    return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}

bool tgsim_image_size(const unsigned char *d, size_t n, int *w, int *h)
{
    if (n >= 24 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8)) {
        *w = (int)be32(d + 16);
        *h = (int)be32(d + 20);
        return true;
    }
    if (n >= 10 && (!memcmp(d, "GIF87a", 6) || !memcmp(d, "GIF89a", 6))) {
        *w = d[6] | d[7] << 8;
        *h = d[8] | d[9] << 8;
        return true;
    }
    if (n >= 30 && !memcmp(d, "RIFF", 4) && !memcmp(d + 8, "WEBPVP8", 7)) {
        /* the dimensions need per-variant decoding; a plausible size is enough here */
        *w = *h = 512;
        return true;
    }
    if (n >= 4 && d[0] == 0xFF && d[1] == 0xD8) {
        /* walk the JPEG segments to the first start-of-frame */
        size_t i = 2;
        while (i + 9 < n) {
            if (d[i] != 0xFF) {
                i++;
                continue;
            }
            unsigned char mk = d[i + 1];
            if (mk >= 0xC0 && mk <= 0xCF && mk != 0xC4 && mk != 0xC8 && mk != 0xCC) {
                *h = (int)be16(d + i + 5);
                *w = (int)be16(d + i + 7);
                return true;
            }
            if (mk == 0xD8 || mk == 0x01 || (mk >= 0xD0 && mk <= 0xD7) || mk == 0xFF) {
                i += mk == 0xFF ? 1 : 2;
                continue;
            }
            i += 2 + be16(d + i + 2);
        }
    }
    return false;
}

const char *tgsim_guess_mime(const char *name)
{
    static const char *const map[][2] = {
        {".pdf", "application/pdf"}, {".txt", "text/plain"}, {".csv", "text/csv"},
        {".json", "application/json"}, {".zip", "application/zip"},
        {".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        {".png", "image/png"}, {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"},
        {".gif", "image/gif"}, {".webp", "image/webp"}, {".html", "text/html"},
    };
    const char *dot = name ? strrchr(name, '.') : NULL;
    for (size_t i = 0; dot && i < sizeof map / sizeof *map; i++)
        if (!strcasecmp(dot, map[i][0]))
            return map[i][1];
    return "application/octet-stream";
}

tgsim_file *tgsim_files_add_photo(tgsim_sim *s, tgsim_blob *blob, const char *name, int w, int h)
{
    tgsim_file *thumb = NULL;
    if (w > THUMB_SIDE || h > THUMB_SIDE) {
        /* Telegram returns several sizes, smallest first; bots must take the last */
        int big = w > h ? w : h;
        int tw = w * THUMB_SIDE / big, th = h * THUMB_SIDE / big;
        thumb = tgsim_file_add(s, blob, "photos", name, "image/jpeg", tw ? tw : 1, th ? th : 1);
        if (!thumb)
            return NULL;
    }
    tgsim_file *f = tgsim_file_add(s, blob, "photos", name, "image/jpeg", w, h);
    if (f)
        f->thumb = thumb;
    return f;
}

static json_t *photo_size(const tgsim_file *f)
{
    return json_pack("{s:s,s:s,s:i,s:i,s:I}", "file_id", f->file_id, "file_unique_id",
                     f->unique_id, "width", f->width, "height", f->height, "file_size",
                     (json_int_t)f->blob->len);
}

json_t *tgsim_files_photo_json(const tgsim_file *f)
{
    json_t *a = json_array();
    if (f->thumb)
        json_array_append_new(a, photo_size(f->thumb));
    json_array_append_new(a, photo_size(f));
    return a;
}

json_t *tgsim_files_document_json(const tgsim_file *f)
{
    json_t *o = json_pack("{s:s,s:s,s:I}", "file_id", f->file_id, "file_unique_id", f->unique_id,
                          "file_size", (json_int_t)f->blob->len);
    if (f->file_name)
        json_object_set_new(o, "file_name", json_string(f->file_name));
    json_object_set_new(o, "mime_type",
                        json_string(f->mime ? f->mime : tgsim_guess_mime(f->file_name)));
    return o;
}

tgsim_blob *tgsim_files_sample_png(void)
{
    /* 1x1 transparent PNG */
    static const unsigned char png[] = {
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48,
        0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
        0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78,
        0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00,
        0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82};
    return tgsim_blob_new(png, sizeof png);
}

typedef struct fetch_buf {
    tgsim_buf b;
    bool too_big;
} fetch_buf;

static size_t fetch_write(char *p, size_t sz, size_t nm, void *ud)
{
    fetch_buf *f = ud;
    if (f->b.len + sz * nm > MAX_URL_DOWNLOAD) {
        f->too_big = true;
        return 0;
    }
    tgsim_buf_add(&f->b, p, sz * nm);
    return f->b.oom ? 0 : sz * nm;
}

/* Telegram downloads "photo"/"document" given as an HTTP URL itself. */
static int fetch_url(tgsim_call *c, const char *url)
{
    CURL *h = curl_easy_init();
    if (!h)
        return -1;
    fetch_buf fb = {0};
    char *ctype = NULL;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, fetch_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &fb);
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    char *ct = NULL;
    curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
    if (ct)
        ctype = tgsim_strndup(ct, strcspn(ct, ";"));
    curl_easy_cleanup(h);
    if (rc != CURLE_OK || status < 200 || status > 299) {
        tgsim_buf_free(&fb.b);
        free(ctype);
        tgsim_call_fail(c, 400, "Bad Request: failed to get HTTP URL content");
        return -1;
    }
    c->upload = tgsim_blob_new(fb.b.data ? fb.b.data : "", fb.b.len);
    tgsim_buf_free(&fb.b);
    const char *slash = strrchr(url, '/');
    size_t nlen = slash ? strcspn(slash + 1, "?#") : 0;
    c->upload_name = nlen ? tgsim_strndup(slash + 1, nlen) : tgsim_strdup("file");
    c->upload_mime = ctype;
    c->upload_ctype = ctype ? tgsim_strdup(ctype) : NULL;
    return c->upload ? 0 : -1;
}

/* Resolves params[key]: a multipart file, a stored file_id or an HTTP URL. */
static void prepare_input(tgsim_call *c, const char *key, bool photo)
{
    const tgsim_field *f = tgsim_req_file(c->req, key);
    const char *s = tgsim_param_str(c->params, key);
    if (f) {
        c->upload = tgsim_blob_new(f->data.data ? f->data.data : "", f->data.len);
        c->upload_name = tgsim_strdup(f->filename);
        c->upload_ctype = f->content_type ? tgsim_strdup(f->content_type) : NULL;
        bool generic = !f->content_type || !strcmp(f->content_type, "application/octet-stream");
        c->upload_mime = tgsim_strdup(generic ? tgsim_guess_mime(f->filename) : f->content_type);
    } else if (s && (!strncmp(s, "http://", 7) || !strncmp(s, "https://", 8))) {
        if (fetch_url(c, s) != 0)
            return;
    } else if (s && *s) {
        c->upload_file_id = s;
        return;
    } else {
        tgsim_call_fail(c, 400, "Bad Request: there is no %s in the request",
                        photo ? "photo" : "document");
        return;
    }
    if (!c->upload) {
        tgsim_call_fail(c, 500, "Internal Server Error");
        return;
    }
    if (!photo) {
        if (!c->upload_mime || !strcmp(c->upload_mime, "application/octet-stream")) {
            free(c->upload_mime);
            c->upload_mime = tgsim_strdup(tgsim_guess_mime(c->upload_name));
        }
        return;
    }
    if (!tgsim_image_size(c->upload->data, c->upload->len, &c->upload_w, &c->upload_h) ||
        c->upload_w <= 0 || c->upload_h <= 0) {
        tgsim_call_fail(c, 400, f ? "Bad Request: IMAGE_PROCESS_FAILED"
                                  : "Bad Request: wrong type of the web page content");
        return;
    }
    if (c->upload->len > 10u * 1024 * 1024 || c->upload_w + c->upload_h > 10000)
        tgsim_call_fail(c, 400, "Bad Request: PHOTO_INVALID_DIMENSIONS");
}

void tgsim_m_photo_prepare(tgsim_call *c)
{
    prepare_input(c, "photo", true);
}

void tgsim_m_document_prepare(tgsim_call *c)
{
    prepare_input(c, "document", false);
}

void tgsim_m_get_file(tgsim_call *c)
{
    const char *id = tgsim_param_str(c->params, "file_id");
    tgsim_file *f = id ? tgsim_file_by_id(c->sim, id) : NULL;
    if (!id || !*id) {
        tgsim_call_fail(c, 400, "Bad Request: file_id is empty");
        return;
    }
    if (!f) {
        tgsim_call_fail(c, 400, "Bad Request: invalid file_id");
        return;
    }
    c->result = json_pack("{s:s,s:s,s:I,s:s}", "file_id", f->file_id, "file_unique_id",
                          f->unique_id, "file_size", (json_int_t)f->blob->len, "file_path",
                          f->file_path);
}

/* A static string: the reply is sent after the lock (and maybe the file) is gone. */
static const char *static_type(const tgsim_file *f)
{
    const unsigned char *d = f->blob->data;
    size_t n = f->blob->len;
    if (n >= 8 && !memcmp(d, "\x89PNG", 4))
        return "image/png";
    if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8)
        return "image/jpeg";
    if (n >= 6 && !memcmp(d, "GIF8", 4))
        return "image/gif";
    return tgsim_guess_mime(f->file_name);
}

void tgsim_files_download(tgsim_req *r, const char *token, size_t token_len, const char *path,
                          tgsim_reply *out)
{
    tgsim_sim *s = r->sim;
    if (!tgsim_bot_by_token(s, token, token_len)) {
        out->status = 401;
        out->json = json_pack("{s:b,s:i,s:s}", "ok", 0, "error_code", 401, "description",
                              "Unauthorized");
        return;
    }
    pthread_mutex_lock(&s->lock);
    tgsim_file *f = tgsim_file_by_path(s, path);
    if (f) {
        /* copied under the lock: a reset may free the file right after */
        out->data = malloc(f->blob->len + 1);
        if (out->data) {
            memcpy(out->data, f->blob->data, f->blob->len);
            out->len = f->blob->len;
            out->content_type = static_type(f);
        }
    }
    pthread_mutex_unlock(&s->lock);
    if (!f) {
        out->status = 404;
        out->json = json_pack("{s:b,s:i,s:s}", "ok", 0, "error_code", 404, "description",
                              "Not Found");
    } else if (!out->data) {
        out->status = 500;
    } else {
        out->status = 200;
    }
}
