/* Bump allocator for the memory of one callback (walor_ctx_alloc,
 * walor_ctx_printf): allocations are never freed one by one, everything
 * goes at once in wh_arena_reset() when the callback returns. Cleanups
 * registered with wh_arena_defer() run then too, so a DB result or a JSON
 * reference handed to a plugin cannot outlive the callback.
 *
 * Not thread-safe: an arena belongs to the worker running the callback. */
#ifndef WH_ARENA_H
#define WH_ARENA_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Payload of a standard chunk. Most callbacks build a message or two and
 * fit in one; bigger requests get a chunk of their own. */
#define WH_ARENA_CHUNK 8192u

struct wh_arena_chunk;
struct wh_arena_defer;

typedef struct wh_arena {
    struct wh_arena_chunk *head;   /* chunk being filled; older ones follow */
    struct wh_arena_defer *defers; /* most recent first */
} wh_arena;

/* No allocation happens until the first wh_arena_alloc(). */
void wh_arena_init(wh_arena *a);

/* n bytes, zeroed, 16-byte aligned; n may exceed a chunk. NULL only when
 * memory is exhausted (or n is absurd). n == 0 gives a valid pointer. */
void *wh_arena_alloc(wh_arena *a, size_t n);

char *wh_arena_strdup(wh_arena *a, const char *s);          /* NULL s -> NULL */
char *wh_arena_strndup(wh_arena *a, const char *s, size_t n); /* at most n bytes of s */
char *wh_arena_vprintf(wh_arena *a, const char *fmt, va_list ap);
char *wh_arena_printf(wh_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Runs fn(arg) at the next reset or free, the last registered first.
 * Returns 0, or WALOR_ENOMEM without running fn (the caller still owns
 * the resource then). A cleanup may use the arena, defers included. */
int wh_arena_defer(wh_arena *a, void (*fn)(void *), void *arg);

/* Runs the cleanups, then forgets every allocation; one standard chunk
 * is kept, so a reset per update costs no malloc/free in the common case. */
void wh_arena_reset(wh_arena *a);

/* Runs the cleanups and frees everything; the arena can be used again. */
void wh_arena_free(wh_arena *a);

#endif
