/* curl multi on libuv: see cmulti.h. */
#include "cmulti.h"

#include <stdlib.h>

struct wh_cmulti_sock {
    uv_poll_t poll;
    curl_socket_t fd;
    wh_cmulti *m;
    wh_cmulti_sock *prev, *next;
};

static void check_info(wh_cmulti *m)
{
    CURLMsg *msg;
    int left, done = 0;
    while ((msg = curl_multi_info_read(m->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        /* read both before the owner removes the handle: msg dies with it */
        CURL *easy = msg->easy_handle;
        CURLcode code = msg->data.result;
        m->done(easy, code, m->ud);
        done++;
    }
    if (done && m->after)
        m->after(m->ud);
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    wh_cmulti_sock *s = h->data;
    int flags = 0;
    if (status < 0)
        flags = CURL_CSELECT_ERR;
    else {
        if (events & UV_READABLE)
            flags |= CURL_CSELECT_IN;
        if (events & UV_WRITABLE)
            flags |= CURL_CSELECT_OUT;
    }
    int running;
    wh_cmulti *m = s->m;
    curl_multi_socket_action(m->multi, s->fd, flags, &running);
    check_info(m);
}

static void on_curl_timeout(uv_timer_t *t)
{
    wh_cmulti *m = t->data;
    int running;
    curl_multi_socket_action(m->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_info(m);
}

static void sock_closed(uv_handle_t *h) { free(h->data); }

static void sock_close(wh_cmulti_sock *s)
{
    wh_cmulti *m = s->m;
    if (s->prev)
        s->prev->next = s->next;
    else
        m->socks = s->next;
    if (s->next)
        s->next->prev = s->prev;
    uv_poll_stop(&s->poll);
    uv_close((uv_handle_t *)&s->poll, sock_closed);
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void)easy;
    wh_cmulti *m = userp;
    wh_cmulti_sock *s = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (s) {
            curl_multi_assign(m->multi, fd, NULL);
            sock_close(s);
        }
        return 0;
    }
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s)
            return -1;
        if (uv_poll_init_socket(m->loop, &s->poll, fd) != 0) {
            free(s);
            return -1;
        }
        s->fd = fd;
        s->m = m;
        s->poll.data = s;
        s->next = m->socks;
        if (m->socks)
            m->socks->prev = s;
        m->socks = s;
        curl_multi_assign(m->multi, fd, s);
    }
    int ev = 0;
    if (what & CURL_POLL_IN)
        ev |= UV_READABLE;
    if (what & CURL_POLL_OUT)
        ev |= UV_WRITABLE;
    uv_poll_start(&s->poll, ev, on_poll);
    return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    wh_cmulti *m = userp;
    /* only (re)arm: calling socket_action from here would re-enter curl */
    if (timeout_ms < 0)
        uv_timer_stop(&m->timer);
    else
        uv_timer_start(&m->timer, on_curl_timeout, (uint64_t)timeout_ms, 0);
    return 0;
}

int wh_cmulti_init(wh_cmulti *m, uv_loop_t *loop, long max_conns, wh_cmulti_done_fn done, void (*after)(void *ud),
                   void *ud)
{
    m->loop = loop;
    m->socks = NULL;
    m->done = done;
    m->after = after;
    m->ud = ud;
    m->closed = NULL;
    m->multi = curl_multi_init();
    if (!m->multi)
        return -1;
    curl_multi_setopt(m->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(m->multi, CURLMOPT_SOCKETDATA, m);
    curl_multi_setopt(m->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(m->multi, CURLMOPT_TIMERDATA, m);
    curl_multi_setopt(m->multi, CURLMOPT_MAX_HOST_CONNECTIONS, max_conns);
    curl_multi_setopt(m->multi, CURLMOPT_MAXCONNECTS, max_conns);
    uv_timer_init(loop, &m->timer);
    m->timer.data = m;
    return 0;
}

int wh_cmulti_add(wh_cmulti *m, CURL *easy) { return curl_multi_add_handle(m->multi, easy) == CURLM_OK ? 0 : -1; }

void wh_cmulti_remove(wh_cmulti *m, CURL *easy) { curl_multi_remove_handle(m->multi, easy); }

static void timer_closed(uv_handle_t *h)
{
    wh_cmulti *m = h->data;
    if (m->closed)
        m->closed(m->ud);
}

void wh_cmulti_close(wh_cmulti *m, void (*closed)(void *ud))
{
    if (m->multi) {
        curl_multi_cleanup(m->multi);
        m->multi = NULL;
    }
    /* cleanup closes the cached connections but need not tell us about each */
    while (m->socks)
        sock_close(m->socks);
    m->closed = closed;
    uv_timer_stop(&m->timer);
    uv_close((uv_handle_t *)&m->timer, timer_closed);
}
