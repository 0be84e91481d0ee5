/* catalog: the optional external image host (F-CAT-11), an imgbb-style API
 * (EXTERNAL-APIS.md §6.1): POST <imghost_url>/1/upload?key=<imghost_key>,
 * multipart/form-data with the file in `image`; the answer's data.url is
 * the public direct link.
 *
 * A photo staff upload is kept as a Telegram file_id first (committed),
 * then, outside any transaction, downloaded through the host
 * (walor_file_download), uploaded, and its URL stored only if the product
 * still has that photo. The card prefers the URL (a large link preview
 * above the text) and falls back to the file_id, so a failed or slow host
 * costs nothing but the preview.
 *
 * The key lives only in the ini file ([plugin.catalog] imghost_key) and in
 * the request's query string, which the host never logs; it is never
 * logged here nor shown to anyone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <walor/plugin.h>

#include "catalog.h"

#define IMG_TIMEOUT_MS 10000        /* default whole-request time */
#define IMG_MAX_ANSWER (64 * 1024)  /* an upload answer is a small JSON */
#define IMG_MAX_FILE (20u << 20)    /* the Bot API's download limit; imgbb takes 32 MB */

static const char *cfg(walor_ctx *c, const char *key)
{
    const char *v = walor_plugin_config(walor_ctx_plugin(c), key);
    return v && *v ? v : NULL;
}

int catalog_imghost_enabled(walor_ctx *c) { return cfg(c, "imghost_url") && cfg(c, "imghost_key"); }

static uint32_t timeout_ms(walor_ctx *c)
{
    const char *v = cfg(c, "imghost_timeout_ms");
    char *e = NULL;
    long n = v ? strtol(v, &e, 10) : 0;
    return v && !*e && n >= 100 && n <= 120000 ? (uint32_t)n : IMG_TIMEOUT_MS;
}

/* a boundary that does not occur in the data */
static const char *boundary(walor_ctx *c, const void *data, size_t len)
{
    for (unsigned i = 0;; i++) {
        const char *b = walor_ctx_printf(c, "----walor-catalog-%u-%lld", i, (long long)walor_now(c));
        if (!b || !memmem(data, len, b, strlen(b)))
            return b;
    }
}

static char *multipart(walor_ctx *c, const char *b, const char *name, const void *data, size_t len, size_t *out_len)
{
    const char *head = walor_ctx_printf(c,
                                        "--%s\r\nContent-Disposition: form-data; name=\"image\"; filename=\"%s.jpg\"\r\n"
                                        "Content-Type: image/jpeg\r\n\r\n",
                                        b, name);
    const char *tail = walor_ctx_printf(c, "\r\n--%s\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n%s\r\n--%s--\r\n",
                                        b, name, b);
    if (!head || !tail)
        return NULL;
    size_t hl = strlen(head), tl = strlen(tail);
    char *body = walor_ctx_alloc(c, hl + len + tl);
    if (!body)
        return NULL;
    memcpy(body, head, hl);
    memcpy(body + hl, data, len);
    memcpy(body + hl + len, tail, tl);
    *out_len = hl + len + tl;
    return body;
}

/* data.url of an imgbb answer, or NULL */
static const char *answer_url(walor_ctx *c, const walor_http_response *r)
{
    json_t *j = json_loadb(r->body, (size_t)r->body_len, 0, NULL);
    const char *u = json_string_value(json_object_get(json_object_get(j, "data"), "url"));
    const char *out = NULL;
    if (u && (!strncmp(u, "https://", 8) || !strncmp(u, "http://", 7)) && !strpbrk(u, " \"<>\r\n") &&
        strlen(u) < 2048)
        out = walor_ctx_printf(c, "%s", u);
    json_decref(j);
    return out;
}

/* uploads the photo file_id as "p<pid>"; 0 and *url, or a negative
 * WALOR_E* with *why (Russian, for staff) and *diag (for the log); neither
 * ever contains the key or the URL */
static int32_t upload(walor_ctx *c, int64_t pid, const char *file_id, const char **url, const char **why,
                      const char **diag)
{
    void *data = NULL;
    size_t len = 0;
    *url = NULL;
    int32_t rc = walor_file_download(c, file_id, IMG_MAX_FILE, &data, &len);
    if (rc < 0) {
        *why = walor_text(c, "catalog.img.err.download");
        *diag = walor_ctx_printf(c, "Telegram download: %s", walor_strerror(walor_ctx_plugin(c), rc));
        return rc;
    }
    const char *name = walor_ctx_printf(c, "p%lld", (long long)pid);
    const char *b = boundary(c, data, len);
    size_t blen = 0;
    char *body = b && name ? multipart(c, b, name, data, len, &blen) : NULL;
    walor_free(c, data);
    if (!body)
        return WALOR_ENOMEM;
    const char *key = walor_url_escape(c, cfg(c, "imghost_key"));
    const char *base = cfg(c, "imghost_url");
    int blen_url = (int)strlen(base);
    while (blen_url > 0 && base[blen_url - 1] == '/') /* "https://api.imgbb.com/" as often pasted */
        blen_url--;
    const char *endpoint = key ? walor_ctx_printf(c, "%.*s/1/upload?key=%s", blen_url, base, key) : NULL;
    const char *hdrs[] = {walor_ctx_printf(c, "Content-Type: multipart/form-data; boundary=%s", b),
                          "Accept: application/json", NULL};
    if (!endpoint || !hdrs[0])
        return WALOR_ENOMEM;
    walor_http_request rq = {.struct_size = sizeof rq, .timeout_ms = timeout_ms(c), .method = "POST", .url = endpoint,
                             .headers = hdrs, .body = body, .body_len = blen, .max_response = IMG_MAX_ANSWER};
    walor_http_response r = {.struct_size = sizeof r};
    rc = walor_http_fetch(c, &rq, &r);
    if (rc == WALOR_ETIMEDOUT) {
        *why = walor_text(c, "catalog.img.err.timeout");
        *diag = "timed out";
        return rc;
    }
    if (rc < 0) {
        *why = walor_text(c, "catalog.img.err.net");
        *diag = walor_strerror(walor_ctx_plugin(c), rc);
        return rc;
    }
    if (r.status != 200 || !(*url = answer_url(c, &r))) {
        *why = walor_textf(c, "catalog.img.err.status", "status", walor_ctx_printf(c, "%d", r.status), NULL);
        *diag = walor_ctx_printf(c, "HTTP %d%s", r.status, r.status == 200 ? " without data.url" : "");
        return WALOR_EINVAL;
    }
    return 0;
}

int32_t catalog_photo_publish(walor_ctx *c, int64_t pid, const char *file_id)
{
    if (!catalog_imghost_enabled(c) || !file_id || !*file_id)
        return 0;
    const char *url = NULL, *why = NULL, *diag = NULL;
    int32_t rc = upload(c, pid, file_id, &url, &why, &diag);
    if (rc < 0) {
        /* not walor_last_error(): a transport error text may carry the URL, key included */
        walor_log(c, WALOR_LOG_WARN, "catalog: image host upload of product %lld failed (%s); the card keeps the "
                  "Telegram photo", (long long)pid, diag ? diag : walor_strerror(walor_ctx_plugin(c), rc));
        return walor_reply(c, walor_textf(c, "catalog.img.failed", "why", why ? why : "", NULL), NULL);
    }
    rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    /* the photo may have changed while we were uploading: then this URL is stale */
    rc = walor_db_exec(c, "UPDATE catalog_product SET image_url = ?, updated_at = ? WHERE id = ? AND photo_file_id = ?",
                       WALOR_ARGS(walor_s(url), walor_i(walor_now(c)), walor_i(pid), walor_s(file_id)));
    int32_t changed = rc;
    if (rc > 0)
        rc = catalog_emit_changed(c, pid);
    if (rc >= 0)
        rc = walor_tx_commit(c);
    if (rc < 0) {
        walor_tx_rollback(c);
        return rc;
    }
    if (changed == 0)
        return 0;
    walor_log(c, WALOR_LOG_INFO, "catalog: photo of product %lld published on the image host", (long long)pid);
    return walor_reply(c, walor_text(c, "catalog.img.done"), NULL);
}

static const walor_text_pair TEXTS[] = {
    {"catalog.img.done", "🌐 Фото выложено на хостинг картинок: карточка покажет его крупным превью над текстом."},
    {"catalog.img.failed",
     "⚠️ Хостинг картинок не принял фото ({why}). Фото сохранено в Telegram — карточка покажет его как обычно."},
    {"catalog.img.err.download", "не удалось скачать фото из Telegram"},
    {"catalog.img.err.timeout", "не ответил вовремя"},
    {"catalog.img.err.net", "недоступен"},
    {"catalog.img.err.status", "ответ {status}"},
};

int32_t catalog_imghost_register(walor_plugin *p)
{
    return walor_texts(p, TEXTS, sizeof TEXTS / sizeof TEXTS[0]);
}
