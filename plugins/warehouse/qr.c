/* The QR sheet (F-WH-08): one A4 PDF with the deep link
 * https://t.me/<bot>?start=p<ID> and the name of every product customers
 * can see (hidden ones are left out), rendered by qrsheet.c into a private
 * temporary directory and sent as a document. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qrsheet.h"
#include "warehouse.h"

#define QR_MAX_PRODUCTS 5000

/* the bot's @username from getMe, NULL when Telegram does not answer */
static const char *bot_username(walor_ctx *c)
{
    json_t *me = NULL;
    if (walor_tg_call(c, "getMe", NULL, &me) < 0 || !me)
        return NULL;
    const char *u = json_string_value(json_object_get(me, "username"));
    return u && *u ? walor_ctx_printf(c, "%s", u) : NULL;
}

static int32_t reply_back(walor_ctx *c, const char *html)
{
    walor_kb *kb = walor_kb_new(c);
    wr_kb_back(c, kb);
    return walor_reply(c, html, kb);
}

/* the PDF's bytes in the arena; NULL with *why on failure */
static void *render(walor_ctx *c, const qrsheet_item *items, size_t n, size_t *len, const char **why)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = walor_ctx_printf(c, "%s/walor-qr-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!dir || !mkdtemp(dir)) {
        *why = "временная папка недоступна";
        return NULL;
    }
    char *path = walor_ctx_printf(c, "%s/qr.pdf", dir);
    char err[256] = "";
    void *data = NULL;
    if (wr_qrsheet_render(items, n, walor_text(c, "warehouse.qr.title"), path, err, sizeof err) != 0) {
        walor_log(c, WALOR_LOG_ERROR, "warehouse: QR sheet: %s", err);
        *why = "ошибка при создании PDF";
    } else {
        FILE *f = fopen(path, "rb");
        long sz = -1;
        if (f && fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
            (data = walor_ctx_alloc(c, (size_t)sz)) && fread(data, 1, (size_t)sz, f) == (size_t)sz)
            *len = (size_t)sz;
        else
            data = NULL, *why = "не удалось прочитать PDF";
        if (f)
            fclose(f);
        unlink(path);
    }
    rmdir(dir);
    return data;
}

int32_t wr_qr_sheet(walor_ctx *c)
{
    const walor_catalog_v1 *cat = wr_catalog(c);
    if (!cat)
        return reply_back(c, walor_text(c, "warehouse.no_catalog"));
    walor_catalog_item *all = NULL;
    uint32_t n = 0, total = 0;
    int32_t rc = cat->items(c, NULL, 0, 0, 0, &all, &n, &total); /* no WITH_HIDDEN: active products only */
    if (rc < 0)
        return rc;
    qrsheet_item *items = walor_ctx_alloc(c, (n ? n : 1) * sizeof *items);
    if (!items)
        return WALOR_ENOMEM;
    size_t k = 0;
    int64_t last = 0;
    for (uint32_t i = 0; i < n && k < QR_MAX_PRODUCTS; i++) {
        const walor_catalog_item *it = walor_catalog_item_at(all, i);
        if (it->product_id == last) /* variants of one product share its link */
            continue;
        last = it->product_id;
        items[k].caption = walor_ctx_printf(c, "%s · %lld", it->name ? it->name : "", (long long)it->product_id);
        items[k++].url = walor_ctx_printf(c, "p%lld", (long long)it->product_id);
    }
    if (k == 0)
        return reply_back(c, walor_text(c, "warehouse.qr.none"));
    if (walor_in_callback(c))
        walor_answer(c, walor_text(c, "warehouse.qr.wait"));
    const char *bot = bot_username(c);
    if (!bot)
        return reply_back(c, walor_text(c, "warehouse.qr.no_username"));
    for (size_t i = 0; i < k; i++)
        items[i].url = walor_ctx_printf(c, "https://t.me/%s?start=%s", bot, items[i].url);
    size_t len = 0;
    const char *why = NULL;
    void *pdf = render(c, items, k, &len, &why);
    if (!pdf)
        return reply_back(c, walor_textf(c, "warehouse.qr.failed", "why", why, NULL));
    const char *of = walor_plural(c, (int64_t)k, "товара|товаров|товаров", 0); /* "QR-коды 21 товара" */
    rc = walor_send_document(c, walor_ctx_chat_id(c), "qr-codes.pdf", pdf, len,
                             walor_textf(c, "warehouse.qr.caption", "n", of, NULL), 0);
    if (rc < 0)
        return rc;
    wr_action(c, walor_ctx_printf(c, "сделал PDF с QR-кодами (%s)", walor_plural(c, (int64_t)k, "товар|товара|товаров", 0)));
    return 0;
}
