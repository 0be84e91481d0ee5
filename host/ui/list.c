/* walor_list_show (SDK 1.3): one message of a list's page, its rows'
 * buttons, ◀️ ▶️ and the plugin's own buttons, edited in place. Which page
 * a press means is pager.c's arithmetic. */
#include <stdio.h>
#include <string.h>

#include "api_slots.h"
#include "ctx.h"
#include "error.h"
#include "msg.h"
#include "pager.h"
#include "texts.h"

#define PAGE_SIZE_MAX 50u

static const char *label(const char *key_or_text, const char *dflt)
{
    const char *k = key_or_text ? key_or_text : dflt;
    const char *t = wh_text_get(k);
    return t ? t : k;
}

static int32_t count_rows(walor_ctx *c, const walor_list_def *d, int64_t *total)
{
    if (!d->sql) {
        *total = d->total;
        return d->total < 0 ? wh_error(WALOR_EINVAL, "list: total is negative") : 0;
    }
    walor_rows *r = NULL;
    char *sql = wh_arena_printf(c->arena, "SELECT count(*) FROM (%s) AS walor_list", d->sql);
    int32_t rc = c->head.api->db_query(c, sql, d->args, d->nargs, &r);
    if (rc < 0)
        return rc;
    rc = c->head.api->row_next(r);
    *total = rc == 1 ? c->head.api->col_int(r, 0) : 0;
    c->head.api->rows_close(r);
    return rc < 0 ? rc : 0;
}

/* one row's line and buttons; the buttons get a keyboard row of their own */
static int32_t add_row(walor_ctx *c, const walor_list_def *d, walor_rows *r, int64_t index, walor_kb *kb,
                       char **html)
{
    const char *line = d->row(c, r, index, kb, d->ud);
    if (line && *line)
        *html = wh_arena_printf(c->arena, "%s%s%s", *html, **html ? "\n" : "", line);
    return c->head.api->kb_row(kb);
}

static int32_t rows(walor_ctx *c, const walor_list_def *d, const wh_page *pg, uint32_t size, walor_kb *kb,
                    char **html)
{
    const walor_host_api *api = c->head.api;
    if (!d->sql) {
        int64_t end = pg->offset + size < d->total ? pg->offset + size : d->total;
        for (int64_t i = pg->offset; i < end; i++)
            add_row(c, d, NULL, i, kb, html);
        return 0;
    }
    walor_val *args = wh_arena_alloc(c->arena, (d->nargs + 2) * sizeof *args);
    if (!args)
        return wh_error(WALOR_ENOMEM, "out of memory");
    if (d->nargs)
        memcpy(args, d->args, d->nargs * sizeof *args);
    args[d->nargs] = walor_i(size);
    args[d->nargs + 1] = walor_i(pg->offset);
    walor_rows *r = NULL;
    int32_t rc = api->db_query(c, wh_arena_printf(c->arena, "%s LIMIT ? OFFSET ?", d->sql), args, d->nargs + 2, &r);
    if (rc < 0)
        return rc;
    for (int64_t i = pg->offset; (rc = api->row_next(r)) == 1; i++)
        add_row(c, d, r, i, kb, html);
    api->rows_close(r);
    return rc < 0 ? rc : 0;
}

static int32_t list_show(walor_ctx *c, const walor_list_def *src, const char *arg)
{
    const walor_host_api *api = c->head.api;
    if (!src || src->struct_size < offsetof(walor_list_def, prev_label) || src->struct_size > sizeof(walor_list_def))
        return wh_error(WALOR_EINVAL, "walor_list_def: bad struct_size");
    walor_list_def d;
    memset(&d, 0, sizeof d);
    memcpy(&d, src, src->struct_size);
    uint32_t size = d.page_size ? d.page_size : WH_PAGE_SIZE_DEFAULT;
    if (!d.row || !d.page_data || !*d.page_data || size > PAGE_SIZE_MAX || (d.nargs && !d.args))
        return wh_error(WALOR_EINVAL, "list: needs a row function, page_data and a page size of 1-%u", PAGE_SIZE_MAX);
    int64_t total = 0;
    int32_t rc = count_rows(c, &d, &total);
    if (rc < 0)
        return rc;
    wh_page pg = wh_page_pick(total, size, arg);
    if (pg.stale && c->callback_id && !c->answered)
        api->answer(c, wh_text_get("core.list.stale"), 0);

    walor_kb *kb = api->kb_new(c);
    char *items = wh_arena_strdup(c->arena, "");
    if (!kb || !items)
        return wh_error(WALOR_ENOMEM, "out of memory");
    if ((rc = rows(c, &d, &pg, size, kb, &items)) < 0)
        return rc;
    if (pg.page > 0)
        api->kb_button(kb, label(d.prev_label, "core.list.prev"),
                       wh_arena_printf(c->arena, "%s%lld", d.page_data, (long long)pg.page - 1));
    if (pg.page + 1 < pg.pages)
        api->kb_button(kb, label(d.next_label, "core.list.next"),
                       wh_arena_printf(c->arena, "%s%lld", d.page_data, (long long)pg.page + 1));
    api->kb_row(kb);
    if ((rc = wh_msg_kb_append(kb, d.buttons)) < 0)
        return rc;

    const char *head = total == 0 && d.empty ? d.empty : d.header ? d.header : "";
    char *html = wh_arena_printf(c->arena, "%s%s%s", head, *head && *items ? "\n" : "", items);
    if (pg.pages > 1) {
        char n1[24], n2[24];
        snprintf(n1, sizeof n1, "%lld", (long long)pg.page + 1);
        snprintf(n2, sizeof n2, "%lld", (long long)pg.pages);
        const char *names[] = {"page", "pages"}, *vals[] = {n1, n2};
        html = wh_arena_printf(c->arena, "%s\n\n%s", html,
                               wh_text_render_pairs(c->arena, "core.list.page", names, vals, 2));
    }
    if (d.footer && *d.footer)
        html = wh_arena_printf(c->arena, "%s\n\n%s", html, d.footer);
    return api->show(c, html, kb);
}

void wh_list_fill(walor_host_api *api) { api->list_show = list_show; }
