/* The Telegram client's transfers on its curl multi (host/http/cmulti.c,
 * driven by the loop): building requests, collecting answers, reading
 * them as the Bot API's envelope. */
#include "tg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "tg_parse.h"

/* Telegram answers are small; getUpdates with 100 updates is well under a
 * megabyte. A cap stops a broken proxy from eating memory. */
#define TG_MAX_ANSWER (16u << 20)

static void on_done(CURL *easy, CURLcode code, void *ud)
{
    wh_tg *tg = ud;
    tg_req *r = NULL;
    long http = 0;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&r);
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &http);
    wh_cmulti_remove(&tg->cm, easy);
    curl_easy_cleanup(easy);
    curl_mime_free(r->mime);
    r->easy = NULL;
    r->mime = NULL;
    tg->inflight--;
    if (r->is_poll)
        wh_tg_poll_done(tg, r, code, http);
    else
        wh_tg_outbox_done(tg, r, code, http);
}

/* completions free chats: give waiting requests their turn */
static void after_done(void *ud) { wh_tg_outbox_pump(ud); }

int wh_tg_http_init(wh_tg *tg)
{
    /* Expect: off — a 100-continue round trip per upload buys nothing here */
    tg->json_hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    struct curl_slist *j = tg->json_hdrs ? curl_slist_append(tg->json_hdrs, "Expect:") : NULL;
    tg->form_hdrs = curl_slist_append(NULL, "Expect:");
    if (!j || !tg->form_hdrs)
        return -1;
    /* enough parallel connections for a burst of replies, few enough to
     * stay a polite client; extra transfers queue inside curl */
    if (wh_cmulti_init(&tg->cm, tg->loop, 32L, on_done, after_done, tg) != 0)
        return -1;
    tg->open_handles++;
    return 0;
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    tg_req *r = userdata;
    size_t n = size * nmemb;
    if (r->resp_len + n + 1 > TG_MAX_ANSWER)
        return 0; /* makes curl fail the transfer with CURLE_WRITE_ERROR */
    if (r->resp_len + n + 1 > r->resp_cap) {
        size_t cap = r->resp_cap ? r->resp_cap : 1024;
        while (cap < r->resp_len + n + 1)
            cap *= 2;
        char *p = realloc(r->resp, cap);
        if (!p)
            return 0;
        r->resp = p;
        r->resp_cap = cap;
    }
    memcpy(r->resp + r->resp_len, ptr, n);
    r->resp_len += n;
    r->resp[r->resp_len] = '\0';
    return n;
}

/* form field text for a JSON parameter: strings as they are, everything
 * else (numbers, reply_markup objects) as JSON, as the Bot API expects */
static int add_field(curl_mime *mime, const char *name, json_t *v)
{
    curl_mimepart *part = curl_mime_addpart(mime);
    if (!part || curl_mime_name(part, name) != CURLE_OK)
        return -1;
    if (json_is_string(v))
        return curl_mime_data(part, json_string_value(v), json_string_length(v)) == CURLE_OK ? 0 : -1;
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!text)
        return -1;
    CURLcode c = curl_mime_data(part, text, CURL_ZERO_TERMINATED);
    free(text);
    return c == CURLE_OK ? 0 : -1;
}

static curl_mime *build_mime(CURL *easy, tg_req *r)
{
    curl_mime *mime = curl_mime_init(easy);
    if (!mime)
        return NULL;
    const char *k;
    json_t *v;
    json_object_foreach(r->params, k, v) {
        if (add_field(mime, k, v) != 0)
            goto fail;
    }
    curl_mimepart *part = curl_mime_addpart(mime);
    if (!part || curl_mime_name(part, r->up_field) != CURLE_OK ||
        curl_mime_data(part, r->up_data, r->up_len) != CURLE_OK ||
        curl_mime_filename(part, r->up_filename) != CURLE_OK ||
        (r->up_mime && curl_mime_type(part, r->up_mime) != CURLE_OK))
        goto fail;
    return mime;
fail:
    curl_mime_free(mime);
    return NULL;
}

int wh_tg_http_start(wh_tg *tg, tg_req *r, long timeout_ms)
{
    r->resp_len = 0;
    r->errbuf[0] = '\0';
    CURL *easy = curl_easy_init();
    if (!easy)
        return -1;
    size_t ulen = strlen(tg->api_root) + strlen(tg->token) + strlen(r->method) + 8;
    char *url = malloc(ulen);
    if (!url) {
        curl_easy_cleanup(easy);
        return -1;
    }
    snprintf(url, ulen, "%s/bot%s/%s", tg->api_root, tg->token, r->method);
    curl_easy_setopt(easy, CURLOPT_URL, url); /* copied by curl */
    free(url);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, r);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, r->errbuf);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 10000 ? timeout_ms : 10000L);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "walord");
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
    if (r->has_up) {
        r->mime = build_mime(easy, r);
        if (!r->mime) {
            curl_easy_cleanup(easy);
            return -1;
        }
        curl_easy_setopt(easy, CURLOPT_MIMEPOST, r->mime);
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, tg->form_hdrs);
    } else {
        /* the body lives in the request until it is finished: no copy */
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, r->body);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(r->body));
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, tg->json_hdrs);
    }
    if (wh_cmulti_add(&tg->cm, easy) != 0) {
        curl_easy_cleanup(easy);
        curl_mime_free(r->mime);
        r->mime = NULL;
        return -1;
    }
    r->easy = easy;
    tg->inflight++;
    atomic_fetch_add(&tg->st_requests, 1);
    return 0;
}

void wh_tg_http_abort(wh_tg *tg, tg_req *r)
{
    if (!r->easy)
        return;
    wh_cmulti_remove(&tg->cm, r->easy);
    curl_easy_cleanup(r->easy);
    curl_mime_free(r->mime);
    r->easy = NULL;
    r->mime = NULL;
    tg->inflight--;
}

static void timer_closed(void *ud)
{
    wh_tg *tg = ud;
    tg->open_handles--;
}

void wh_tg_http_close(wh_tg *tg)
{
    wh_cmulti_close(&tg->cm, timer_closed);
    curl_slist_free_all(tg->json_hdrs);
    curl_slist_free_all(tg->form_hdrs);
    tg->json_hdrs = tg->form_hdrs = NULL;
}

int wh_tg_http_parse(wh_tg *tg, tg_req *r, CURLcode code, long http, wh_tg_result *res, int64_t *retry_after_s)
{
    memset(res, 0, sizeof *res);
    *retry_after_s = 0;
    if (code != CURLE_OK) {
        char msg[CURL_ERROR_SIZE + 64];
        snprintf(msg, sizeof msg, "%s", r->errbuf[0] ? r->errbuf : curl_easy_strerror(code));
        wh_tg_redact(tg, msg, res->description, sizeof res->description);
        return TG_RETRY;
    }
    if (!r->is_poll && !r->want_result && http == 200 && r->resp && wh_tg_answer_ok(r->resp, r->resp_len)) {
        res->ok = 1; /* nobody reads the result: no tree of it */
        return TG_OK;
    }
    json_error_t jerr;
    /* a NUL in a string must not fail the whole answer (tg_parse.h) */
    json_t *ans = r->resp ? json_loadb(r->resp, r->resp_len, JSON_ALLOW_NUL, &jerr) : NULL;
    if (!ans && r->is_poll && http == 200 && r->resp) {
        /* one update that does not parse must not stop everyone's */
        char why[300];
        json_t *batch = wh_tg_parse_updates(r->resp, r->resp_len, why, sizeof why);
        if (batch) {
            tg_log(WH_LOG_WARN, "getUpdates: the answer did not parse (%s); read update by update", jerr.text);
            res->ok = 1;
            res->result = batch;
            return TG_OK;
        }
        tg_log(WH_LOG_WARN, "getUpdates: %s", why);
    }
    if (!json_is_object(ans)) {
        json_decref(ans);
        res->error_code = (int32_t)http;
        snprintf(res->description, sizeof res->description, "HTTP %ld without a Bot API answer", http);
        /* a proxy's 502 page is transient; a 200 with garbage will not improve */
        return http >= 500 ? TG_RETRY : TG_FINAL;
    }
    if (json_is_true(json_object_get(ans, "ok"))) {
        res->ok = 1;
        res->result = json_object_get(ans, "result");
        if (!res->result)
            res->result = json_null();
        json_incref(res->result);
        json_decref(ans);
        return TG_OK;
    }
    json_t *ec = json_object_get(ans, "error_code");
    res->error_code = json_is_integer(ec) ? (int32_t)json_integer_value(ec) : (int32_t)http;
    const char *d = json_string_value(json_object_get(ans, "description"));
    wh_tg_redact(tg, d ? d : "no description", res->description, sizeof res->description);
    json_t *ra = json_object_get(json_object_get(ans, "parameters"), "retry_after");
    int64_t retry_after = json_is_integer(ra) ? (int64_t)json_integer_value(ra) : 0;
    json_decref(ans);
    if (res->error_code == 429) {
        *retry_after_s = retry_after > 0 ? retry_after : 1;
        return TG_FLOOD;
    }
    return res->error_code >= 500 ? TG_RETRY : TG_FINAL;
}
