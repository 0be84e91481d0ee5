#include "arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <walor/types.h>

#define ALIGN 16u

struct wh_arena_chunk {
    struct wh_arena_chunk *next;
    size_t size; /* usable bytes from data */
    size_t used;
    _Alignas(16) unsigned char data[];
};

struct wh_arena_defer {
    struct wh_arena_defer *next;
    void (*fn)(void *);
    void *arg;
};

void wh_arena_init(wh_arena *a)
{
    a->head = NULL;
    a->defers = NULL;
}

static struct wh_arena_chunk *chunk_new(size_t size)
{
    struct wh_arena_chunk *c;
    if (size > SIZE_MAX - sizeof *c)
        return NULL;
    c = malloc(sizeof *c + size);
    if (!c)
        return NULL;
    c->next = NULL;
    c->size = size;
    c->used = 0;
    return c;
}

void *wh_arena_alloc(wh_arena *a, size_t n)
{
    struct wh_arena_chunk *c = a->head;
    size_t need;
    void *p;

    if (n == 0)
        n = 1;
    if (n > SIZE_MAX - ALIGN)
        return NULL;
    need = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);

    if (!c || c->size - c->used < need) {
        if (need > WH_ARENA_CHUNK / 4) {
            /* A big block gets an exact chunk placed behind the head, so the
             * space left in the head stays usable for small requests. */
            struct wh_arena_chunk *big = chunk_new(need);
            if (!big)
                return NULL;
            big->used = need;
            if (c) {
                big->next = c->next;
                c->next = big;
            } else {
                a->head = big;
            }
            memset(big->data, 0, n);
            return big->data;
        }
        c = chunk_new(WH_ARENA_CHUNK);
        if (!c)
            return NULL;
        c->next = a->head;
        a->head = c;
    }
    p = c->data + c->used;
    c->used += need;
    memset(p, 0, n);
    return p;
}

char *wh_arena_strndup(wh_arena *a, const char *s, size_t n)
{
    char *d;
    if (!s)
        return NULL;
    n = strnlen(s, n);
    if (n == SIZE_MAX)
        return NULL;
    d = wh_arena_alloc(a, n + 1);
    if (d)
        memcpy(d, s, n); /* already zeroed, the terminator included */
    return d;
}

char *wh_arena_strdup(wh_arena *a, const char *s)
{
    return s ? wh_arena_strndup(a, s, SIZE_MAX - 1) : NULL;
}

char *wh_arena_vprintf(wh_arena *a, const char *fmt, va_list ap)
{
    va_list ap2;
    struct wh_arena_chunk *c = a->head;
    size_t room = 0;
    char *dst = NULL;
    int n;

    /* Format straight into the head's free space: most strings fit and
     * then the formatting runs only once. */
    if (c && c->size > c->used) {
        dst = (char *)c->data + c->used;
        room = c->size - c->used;
    }
    va_copy(ap2, ap);
    n = vsnprintf(dst, room, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return NULL;
    if ((size_t)n < room) {
        size_t need = ((size_t)n + 1 + ALIGN - 1) & ~(size_t)(ALIGN - 1);
        if (need > room)
            need = room; /* the chunk size is a multiple of ALIGN anyway */
        c->used += need;
        return dst;
    }
    dst = wh_arena_alloc(a, (size_t)n + 1);
    if (!dst)
        return NULL;
    va_copy(ap2, ap);
    vsnprintf(dst, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return dst;
}

char *wh_arena_printf(wh_arena *a, const char *fmt, ...)
{
    va_list ap;
    char *s;
    va_start(ap, fmt);
    s = wh_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return s;
}

int wh_arena_defer(wh_arena *a, void (*fn)(void *), void *arg)
{
    struct wh_arena_defer *d = wh_arena_alloc(a, sizeof *d);
    if (!d)
        return WALOR_ENOMEM;
    d->fn = fn;
    d->arg = arg;
    d->next = a->defers;
    a->defers = d;
    return 0;
}

static void run_defers(wh_arena *a)
{
    /* Pop before calling: a cleanup that registers another one gets it run
     * in this same pass instead of leaking it into the next callback. */
    while (a->defers) {
        struct wh_arena_defer *d = a->defers;
        a->defers = d->next;
        d->fn(d->arg);
    }
}

void wh_arena_reset(wh_arena *a)
{
    struct wh_arena_chunk *keep = NULL, *c, *next;

    run_defers(a);
    for (c = a->head; c; c = next) {
        next = c->next;
        if (!keep && c->size == WH_ARENA_CHUNK) {
            keep = c;
            continue;
        }
        free(c);
    }
    if (keep) {
        keep->next = NULL;
        keep->used = 0;
    }
    a->head = keep;
}

void wh_arena_free(wh_arena *a)
{
    struct wh_arena_chunk *c, *next;
    run_defers(a);
    for (c = a->head; c; c = next) {
        next = c->next;
        free(c);
    }
    a->head = NULL;
}
