#include "webhook.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS 2000

typedef struct pusher {
    tgsim_sim *sim;
    tgsim_bot *bot;
    CURL *curl;
} pusher;

static pusher *pushers;
static size_t npushers;

static int on_progress(void *ud, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
    (void)a; (void)b; (void)c; (void)d;
    tgsim_sim *s = ud;
    return s->stopping ? 1 : 0;     /* abort a slow receiver at shutdown */
}

static size_t discard(char *p, size_t sz, size_t nm, void *ud)
{
    (void)p;
    (void)ud;
    return sz * nm;
}

/* One POST; 0 on a 2xx answer, else -1 with err set like getWebhookInfo shows it. */
static int post(pusher *p, const char *url, const char *secret, const char *body, char *err,
                size_t errlen)
{
    CURL *h = p->curl;
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    char sh[300];
    if (secret) {
        snprintf(sh, sizeof sh, "X-Telegram-Bot-Api-Secret-Token: %s", secret);
        hdr = curl_slist_append(hdr, sh);
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(hdr);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK) {
        snprintf(err, errlen, "%s", rc == CURLE_OPERATION_TIMEDOUT ? "Read timeout expired"
                                    : rc == CURLE_COULDNT_CONNECT ? "Connection refused"
                                                                  : curl_easy_strerror(rc));
        return -1;
    }
    if (status < 200 || status > 299) {
        snprintf(err, errlen, "Wrong response from the webhook: %ld", status);
        return -1;
    }
    return 0;
}

static void *pusher_main(void *arg)
{
    pusher *p = arg;
    tgsim_sim *s = p->sim;
    tgsim_bot *b = p->bot;
    int backoff = BACKOFF_FIRST_MS;
    pthread_mutex_lock(&s->lock);
    while (!s->stopping) {
        while (b->nupd && !tgsim_update_allowed(b, b->upd[0].json)) {
            json_decref(b->upd[0].json);
            memmove(&b->upd[0], &b->upd[1], (b->nupd - 1) * sizeof *b->upd);
            b->nupd--;
        }
        if (!b->webhook_url || !b->nupd) {
            backoff = BACKOFF_FIRST_MS;
            pthread_cond_wait(&b->upd_cond, &s->lock);
            continue;
        }
        /* Only the head is ever in flight: one connection keeps the order. */
        json_t *head = b->upd[0].json;
        int64_t head_id = b->upd[0].id;
        char *url = tgsim_strdup(b->webhook_url);
        char *secret = tgsim_strdup(b->webhook_secret);
        char *body = tgsim_update_text(head);
        b->wh_inflight = true;
        pthread_mutex_unlock(&s->lock);

        char err[256] = "";
        int rc = body && url ? post(p, url, secret, body, err, sizeof err) : -1;
        free(url);
        free(secret);
        free(body);

        pthread_mutex_lock(&s->lock);
        b->wh_inflight = false;
        if (rc == 0) {
            backoff = BACKOFF_FIRST_MS;
            /* the queue may have been dropped meanwhile: remove only what was sent */
            if (b->nupd && b->upd[0].json == head && b->upd[0].id == head_id) {
                json_decref(head);
                memmove(&b->upd[0], &b->upd[1], (b->nupd - 1) * sizeof *b->upd);
                b->nupd--;
            }
            continue;
        }
        if (s->stopping)
            break;
        b->wh_error_date = tgsim_unix_time();
        free(b->wh_error_msg);
        b->wh_error_msg = tgsim_strdup(err[0] ? err : "Internal error");
        /* stop_cond is only signalled at shutdown, so new updates cannot cut
         * the backoff short */
        int64_t until = tgsim_now_ms() + backoff;
        while (!s->stopping && tgsim_wait_until(s, &s->stop_cond, until))
            ;
        backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

int tgsim_webhook_start(tgsim_sim *s)
{
    pushers = calloc(s->nbots, sizeof *pushers);
    if (!pushers)
        return -1;
    npushers = s->nbots;
    for (size_t i = 0; i < s->nbots; i++) {
        pusher *p = &pushers[i];
        p->sim = s;
        p->bot = s->bots[i];
        p->curl = curl_easy_init();
        if (!p->curl)
            return -1;
        curl_easy_setopt(p->curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(p->curl, CURLOPT_TIMEOUT_MS, (long)s->cfg.webhook_timeout_ms);
        curl_easy_setopt(p->curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
        curl_easy_setopt(p->curl, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(p->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(p->curl, CURLOPT_XFERINFODATA, s);
        curl_easy_setopt(p->curl, CURLOPT_WRITEFUNCTION, discard);
        if (pthread_create(&p->bot->pusher, NULL, pusher_main, p) != 0)
            return -1;
        p->bot->pusher_started = true;
    }
    return 0;
}

void tgsim_webhook_join(tgsim_sim *s)
{
    for (size_t i = 0; i < npushers; i++) {
        if (pushers[i].bot->pusher_started)
            pthread_join(pushers[i].bot->pusher, NULL);
        if (pushers[i].curl)
            curl_easy_cleanup(pushers[i].curl);
    }
    (void)s;
    free(pushers);
    pushers = NULL;
    npushers = 0;
}
