/* Small helpers the screen files share (warehouse.h). */
#include <string.h>

#include "ledger.h"
#include "warehouse.h"

#define TITLE_MAX 120 /* bytes of a product title in a line of a list */

const walor_catalog_v1 *wr_catalog(walor_ctx *c)
{
    const walor_catalog_v1 *s =
        walor_service_get(walor_ctx_plugin(c), WALOR_CATALOG_SERVICE, WALOR_CATALOG_MAJOR, NULL);
    return WALOR_CATALOG_HAS(s, items) ? s : NULL;
}

char *wr_title_raw(walor_ctx *c, const walor_catalog_item *it)
{
    const char *name = it->name ? it->name : "";
    const char *t = it->variant_label && *it->variant_label
                        ? walor_ctx_printf(c, "%s — %s", name, it->variant_label)
                        : name;
    return walor_cut(c, t, TITLE_MAX);
}

char *wr_title(walor_ctx *c, const walor_catalog_item *it) { return walor_html_escape(c, wr_title_raw(c, it)); }

char *wr_ref(walor_ctx *c, int64_t pid, int64_t vno) { return wr_item_ref(c, pid, vno); }

char *wr_signed(walor_ctx *c, int64_t d)
{
    if (d > 0)
        return walor_ctx_printf(c, "+%lld", (long long)d);
    if (d < 0)
        return walor_ctx_printf(c, "−%lld", -(long long)d);
    return walor_ctx_printf(c, "0");
}

void wr_action(walor_ctx *c, const char *what)
{
    if (walor_action_log(c, what) < 0)
        walor_log(c, WALOR_LOG_WARN, "warehouse: action log: %s", walor_last_error(c));
}

void wr_kb_back(walor_ctx *c, walor_kb *kb)
{
    walor_kb_row(kb);
    walor_kb_button(kb, walor_text(c, "warehouse.btn.section"), "wrh:s");
}

char *wr_cut_lines(walor_ctx *c, const char *s, size_t max_bytes)
{
    size_t len = 0;
    int lines = 0;
    const char *p = s;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p) + 1 : strlen(p);
        if (lines == WR_LIST_SHOWN || len + l > max_bytes)
            break;
        len += l;
        lines++;
        p += l;
    }
    if (!*p)
        return walor_ctx_printf(c, "%s", s);
    int more = 0;
    for (const char *q = p; *q; q++)
        if (*q == '\n' || !q[1])
            more++;
    return walor_ctx_printf(c, "%.*s%s", (int)len,
                            s, walor_textf(c, "warehouse.more", "n", walor_ctx_printf(c, "%d", more), NULL));
}

void wr_buf_add(walor_ctx *c, wr_buf *b, const char *str)
{
    size_t l = strlen(str);
    if (b->len + l + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + l + 1)
            cap *= 2;
        char *s = walor_ctx_alloc(c, cap);
        if (!s)
            return;
        if (b->len)
            memcpy(s, b->s, b->len);
        b->s = s;
        b->cap = cap;
    }
    memcpy(b->s + b->len, str, l + 1);
    b->len += l;
}
