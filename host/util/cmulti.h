/* A curl multi handle driven by a libuv loop (LIBRARIES.md "libcurl multi +
 * libuv"): one uv_poll_t per socket curl tells us about, one uv_timer_t
 * for curl's timeout, finished transfers drained after every action.
 *
 * Shared by the Telegram client (host/tg) and the plugins' asynchronous
 * HTTP (httpa.c); each owns one, embedded in its own state. Loop thread
 * only, except where noted. */
#ifndef WH_CMULTI_H
#define WH_CMULTI_H

#include <curl/curl.h>
#include <uv.h>

/* A transfer finished: the owner removes the handle (wh_cmulti_remove)
 * and cleans it up. Runs on the loop thread inside curl's action. */
typedef void (*wh_cmulti_done_fn)(CURL *easy, CURLcode code, void *ud);

typedef struct wh_cmulti_sock wh_cmulti_sock;

typedef struct wh_cmulti {
    uv_loop_t *loop;
    CURLM *multi;
    uv_timer_t timer;
    wh_cmulti_sock *socks;        /* every socket with a poll handle */
    wh_cmulti_done_fn done;
    void (*after)(void *ud);      /* optional: once after a batch of completions */
    void (*closed)(void *ud);     /* optional: the timer handle is closed (wh_cmulti_close) */
    void *ud;
} wh_cmulti;

/* max_conns bounds both the connections per host and the cache; extra
 * transfers queue inside curl. 0 or -1 (with nothing to free). */
int wh_cmulti_init(wh_cmulti *m, uv_loop_t *loop, long max_conns, wh_cmulti_done_fn done, void (*after)(void *ud),
                   void *ud);
int wh_cmulti_add(wh_cmulti *m, CURL *easy);        /* 0 or -1 */
void wh_cmulti_remove(wh_cmulti *m, CURL *easy);
/* curl_multi_cleanup, then close every socket poll and the timer (closed()
 * runs from the loop once the timer is closed). Transfers still added are
 * the owner's to clean up first. */
void wh_cmulti_close(wh_cmulti *m, void (*closed)(void *ud));

#endif
