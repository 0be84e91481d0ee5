/* catalog: the customer's search (F-CAT-06) — by the button "🔎 Поиск" (the
 * form "search", one STRING step with the host's cancel) or /search with the
 * words — over the visible products' folded names. */
#include <string.h>

#include "catalog.h"

#define LABEL_MAX 60   /* bytes of a list button label (Telegram allows 128) */
#define SEARCH_MAX 30  /* results shown */
#define QUERY_MAX 100  /* bytes of a search query */

char *catalog_like_pattern(walor_ctx *c, const char *q)
{
    char *f = catalog_fold_ctx(c, q);
    char *pat = f ? walor_ctx_alloc(c, strlen(f) * 2 + 3) : NULL;
    if (!pat)
        return NULL;
    char *o = pat;
    *o++ = '%';
    for (const char *s = f; *s; s++) {
        if (*s == '\\' || *s == '%' || *s == '_')
            *o++ = '\\';
        *o++ = *s;
    }
    *o++ = '%';
    *o = 0;
    return pat;
}

static int32_t do_search(walor_ctx *c, const char *q)
{
    char *qq = catalog_cut(c, q, QUERY_MAX);
    char *pat = catalog_like_pattern(c, qq);
    if (!pat)
        return WALOR_ENOMEM;

    walor_kb *kb = walor_kb_new(c);
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c,
                                "SELECT id, name, discount_pct, category_id FROM catalog_product "
                                "WHERE hidden = 0 AND name_lc LIKE ? ESCAPE '\\' ORDER BY name_lc, id LIMIT 500",
                                WALOR_ARGS(walor_s(pat)), &r);
    if (rc < 0)
        return rc;
    typedef struct hit {
        int64_t id, disc, cat;
        const char *name;
    } hit;
    hit *hits = walor_ctx_alloc(c, 500 * sizeof *hits);
    int nh = 0;
    if (!hits) {
        walor_rows_close(r);
        return WALOR_ENOMEM;
    }
    while (nh < 500 && (rc = walor_row_step(c, r, "izii", &hits[nh].id, &hits[nh].name, &hits[nh].disc,
                                            &hits[nh].cat)) == 1)
        nh++;
    walor_rows_close(r);
    if (rc < 0)
        return rc;
    int shown = 0, found = 0;
    for (int i = 0; i < nh; i++) {
        rc = catalog_category_visible(c, hits[i].cat);
        if (rc < 0)
            return rc;
        if (rc == 0)
            continue;
        found++;
        if (shown >= SEARCH_MAX)
            continue;
        const char *label = walor_textf(c, hits[i].disc > 0 ? "catalog.btn.product_sale" : "catalog.btn.product",
                                        "name", hits[i].name, "pct", catalog_num(c, hits[i].disc), NULL);
        walor_kb_button(kb, catalog_cut(c, label, LABEL_MAX), walor_ctx_printf(c, "cat:p:%lld:0", (long long)hits[i].id));
        walor_kb_row(kb);
        shown++;
    }
    walor_kb_button(kb, walor_text(c, "catalog.btn.search_again"), "cat:s");
    walor_kb_button(kb, walor_text(c, "catalog.btn.root"), "cat:c:0:0");
    catalog_nav_tail(c, kb);
    const char *eq = walor_html_escape(c, qq);
    char *html;
    if (found == 0)
        html = walor_textf(c, "catalog.search.none", "q", eq, NULL);
    else
        html = walor_textf(c, "catalog.search.found", "q", eq, "n", catalog_num(c, found), NULL);
    if (found > shown)
        html = walor_ctx_printf(c, "%s\n%s", html, walor_textf(c, "catalog.search.more", "n", catalog_num(c, shown), NULL));
    return walor_reply(c, html, kb);
}

static int32_t search_done(walor_ctx *c, json_t *d) { return do_search(c, json_string_value(json_object_get(d, "q"))); }
static int32_t search_cancelled(walor_ctx *c) { return catalog_show_category(c, 0, NULL); }

static const walor_step_def SEARCH_STEP[] = {
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_STRING, .key = "q", .prompt = "catalog.search.ask",
     .min = 1, .max = QUERY_MAX},
};

static int32_t on_search_cmd(walor_ctx *c, const char *arg)
{
    catalog_demo_ensure(c);
    if (arg && *arg)
        return do_search(c, arg);
    return walor_conv_start(c, "search", NULL, NULL);
}

int32_t catalog_search_register(walor_plugin *p)
{
    const walor_command_def cmd = {.struct_size = sizeof cmd, .min_role = WALOR_ROLE_CLIENT, .name = "search",
                                   .description = "Поиск товара по названию", .handler = on_search_cmd,
                                   .flags = WALOR_CMD_LISTED};
    const walor_form_def search = {.struct_size = sizeof search, .min_role = WALOR_ROLE_CLIENT, .name = "search",
                                   .steps = SEARCH_STEP, .nsteps = 1, .timeout_s = 600, .on_done = search_done,
                                   .on_cancel = search_cancelled};
    int32_t rc = walor_command(p, &cmd);
    if (!rc) rc = walor_form(p, &search);
    return rc;
}
