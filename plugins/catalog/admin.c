/* catalog: the staff side, admin panel section "📦 Товары" (README.md).
 *
 *   - the category tree for staff (hidden things shown, marked 🙈), with
 *     IDs (c3 = category 3, p5 = product 5) as the sort screen uses them;
 *   - categories (F-CAT-01): create, rename [owner], hide/show, move (no
 *     cycles, bounded depth), delete [owner] when empty or "вместе с
 *     товарами", the sort screen (`c1 c3 p5 p2`, all or nothing);
 *   - products (F-CAT-02/03): a creation conversation, the admin card with
 *     one short conversation per field, delete [owner] with confirmation.
 *
 * Roles are enforced by the host: callback prefix "cadm" and the
 * conversations adm_* need MANAGER; prefix "cown" and the rename
 * conversation need OWNER. Handlers still re-check that the object exists,
 * since callback data can be stale or forged. Every change is written to
 * the action log with the object's ID and name. */
#include <stdlib.h>
#include <string.h>

#include <walor/plugin.h>

#include "admin.h"
#include "text.h"
#include "variants.h"

#define ADM_PAGE 20            /* rows of the staff tree per page */
#define ADM_LABEL_MAX 60       /* bytes of a list button label */
#define NAME_MAX_CP 100        /* code points of a category/product name */
#define DESC_MAX_CP 3000       /* code points of a description / details */
#define UNIT_MAX_CP 16
#define MAX_DEPTH 30           /* nesting levels of categories (the browser walks 32) */
#define SUBTREE_MAX 5000       /* categories collected for a move / delete */
#define SORT_MAX 500           /* IDs on one sort screen */
#define XTEXT_MAX_CP 500       /* code points of the cross-sell heading (the cart message has 4096 bytes) */
#define XIDS_MAX 10            /* cross-sell product IDs of one product (the cart shows 3) */

/* ---- small helpers ---- */

static const char *T(walor_ctx *c, const char *key) { return walor_text(c, key); }
static char *esc(walor_ctx *c, const char *s) { return walor_html_escape(c, s ? s : ""); }

static char *arena_str(walor_ctx *c, const char *s) { return walor_ctx_printf(c, "%s", s ? s : ""); }

static int in_callback(walor_ctx *c)
{
    return walor_update(c) && json_object_get(walor_update(c), "callback_query") != NULL;
}

static size_t cp_count(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* a copy in the arena without the surrounding white space */
static char *trim_copy(walor_ctx *c, const char *s)
{
    if (!s)
        s = "";
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    char *o = walor_ctx_alloc(c, n + 1);
    if (o)
        memcpy(o, s, n);
    return o;
}

static int parse_num(const char *s, int64_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    int64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > 100000000000LL)
            return -1;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return 0;
}

/* "c12" / "с12" (Cyrillic) / "C12" → 'c', 12; "p5" / "р5" → 'p', 5; a bare
 * number → kind 0. -1 if malformed. */
static int parse_ref(const char *s, char *kind, int64_t *id)
{
    *kind = 0;
    if (*s == 'c' || *s == 'C') {
        *kind = 'c';
        s++;
    } else if (*s == 'p' || *s == 'P') {
        *kind = 'p';
        s++;
    } else if (!strncmp(s, "\xD1\x81", 2) || !strncmp(s, "\xD0\xA1", 2)) { /* с С */
        *kind = 'c';
        s += 2;
    } else if (!strncmp(s, "\xD1\x80", 2) || !strncmp(s, "\xD0\xA0", 2)) { /* р Р */
        *kind = 'p';
        s += 2;
    }
    return parse_num(s, id);
}

/* a name as typed: trimmed, 1..NAME_MAX_CP code points, one line; NULL and
 * *why on error */
static char *check_name(walor_ctx *c, const char *in, const char **why)
{
    char *s = trim_copy(c, in);
    if (!s)
        return NULL;
    if (!*s) {
        *why = T(c, "catalog.adm.err.name_empty");
        return NULL;
    }
    for (const char *q = s; *q; q++)
        if ((unsigned char)*q < 0x20) {
            *why = T(c, "catalog.adm.err.name_line");
            return NULL;
        }
    if (cp_count(s) > NAME_MAX_CP) {
        *why = walor_textf(c, "catalog.adm.err.name_long", "max", catalog_num(c, NAME_MAX_CP), NULL);
        return NULL;
    }
    return s;
}

static int32_t log_action(walor_ctx *c, const char *what)
{
    int32_t rc = walor_action_log(c, what);
    if (rc < 0)
        walor_log(c, WALOR_LOG_WARN, "catalog: action log: %s", walor_last_error(c));
    return rc;
}

/* one UPDATE of product pid and its catalog.product_changed event, committed
 * together */
static int32_t prod_exec(walor_ctx *c, int64_t pid, const char *sql, const walor_val *args, uint32_t nargs)
{
    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    rc = walor_db_exec(c, sql, args, nargs);
    if (rc >= 0) {
        int32_t ev = catalog_emit_changed(c, pid);
        if (ev < 0)
            rc = ev;
    }
    if (rc >= 0) {
        int32_t cm = walor_tx_commit(c);
        if (cm < 0)
            rc = cm;
    }
    if (rc < 0)
        walor_tx_rollback(c);
    return rc;
}

/* ---- model reads ---- */

typedef struct cat_row {
    int64_t id, parent, hidden;
    const char *name;
} cat_row;

/* 1 found, 0 missing, < 0 error */
static int32_t cat_get(walor_ctx *c, int64_t id, cat_row *out)
{
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c, "SELECT parent_id, name, hidden FROM catalog_category WHERE id = ?",
                                WALOR_ARGS(walor_i(id)), &r);
    if (rc < 0)
        return rc;
    rc = walor_row_next(r);
    if (rc == 1) {
        out->id = id;
        out->parent = walor_col_int(r, 0);
        out->name = arena_str(c, walor_col_text(r, 1));
        out->hidden = walor_col_int(r, 2);
    }
    walor_rows_close(r);
    return rc;
}

typedef struct prod_row {
    int64_t id, cat, price, hidden, disc, low, sort;
    const char *name, *desc, *details, *unit, *photo, *xtext, *xids;
} prod_row;

static int32_t prod_get(walor_ctx *c, int64_t id, prod_row *p)
{
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c,
                                "SELECT category_id, name, description, details, unit, price, photo_file_id, hidden, "
                                "discount_pct, low_stock, sort, crosssell_text, crosssell_ids FROM catalog_product WHERE id = ?",
                                WALOR_ARGS(walor_i(id)), &r);
    if (rc < 0)
        return rc;
    rc = walor_row_next(r);
    if (rc == 1) {
        p->id = id;
        p->cat = walor_col_int(r, 0);
        p->name = arena_str(c, walor_col_text(r, 1));
        p->desc = arena_str(c, walor_col_text(r, 2));
        p->details = arena_str(c, walor_col_text(r, 3));
        p->unit = arena_str(c, walor_col_text(r, 4));
        p->price = walor_col_int(r, 5);
        p->photo = walor_col_is_null(r, 6) ? "" : arena_str(c, walor_col_text(r, 6));
        p->hidden = walor_col_int(r, 7);
        p->disc = walor_col_int(r, 8);
        p->low = walor_col_int(r, 9);
        p->sort = walor_col_int(r, 10);
        p->xtext = arena_str(c, walor_col_text(r, 11));
        p->xids = arena_str(c, walor_col_text(r, 12));
    }
    walor_rows_close(r);
    return rc;
}

/* levels from the root: a root child is 1; -1 on a loop, < -1 error */
static int32_t cat_depth(walor_ctx *c, int64_t id, int64_t *depth)
{
    int64_t d = 0;
    while (id != 0) {
        if (++d > 64)
            return -1;
        cat_row cr;
        int32_t rc = cat_get(c, id, &cr);
        if (rc < 0)
            return rc;
        if (rc == 0)
            break;
        id = cr.parent;
    }
    *depth = d;
    return 0;
}

/* the category and all below it, breadth first; *height = levels below it */
static int32_t subtree(walor_ctx *c, int64_t root, int64_t **ids, int64_t *n, int64_t *height)
{
    int64_t cap = 64, cnt = 0, h = 0;
    int64_t *a = walor_ctx_alloc(c, (size_t)cap * sizeof *a);
    int64_t *lvl = walor_ctx_alloc(c, (size_t)cap * sizeof *lvl);
    if (!a || !lvl)
        return WALOR_ENOMEM;
    a[cnt] = root;
    lvl[cnt++] = 0;
    for (int64_t i = 0; i < cnt; i++) {
        walor_rows *r = NULL;
        int32_t rc = walor_db_query(c, "SELECT id FROM catalog_category WHERE parent_id = ? ORDER BY id",
                                    WALOR_ARGS(walor_i(a[i])), &r);
        if (rc < 0)
            return rc;
        while ((rc = walor_row_next(r)) == 1) {
            if (cnt >= SUBTREE_MAX) {
                walor_rows_close(r);
                return WALOR_ELIMIT;
            }
            if (cnt == cap) {
                int64_t ncap = cap * 2;
                int64_t *na = walor_ctx_alloc(c, (size_t)ncap * sizeof *na);
                int64_t *nl = walor_ctx_alloc(c, (size_t)ncap * sizeof *nl);
                if (!na || !nl) {
                    walor_rows_close(r);
                    return WALOR_ENOMEM;
                }
                memcpy(na, a, (size_t)cnt * sizeof *a);
                memcpy(nl, lvl, (size_t)cnt * sizeof *lvl);
                a = na;
                lvl = nl;
                cap = ncap;
            }
            a[cnt] = walor_col_int(r, 0);
            lvl[cnt] = lvl[i] + 1;
            if (lvl[cnt] > h)
                h = lvl[cnt];
            cnt++;
        }
        walor_rows_close(r);
        if (rc < 0)
            return rc;
    }
    *ids = a;
    *n = cnt;
    if (height)
        *height = h;
    return 0;
}

static const char *cat_title(walor_ctx *c, int64_t id)
{
    if (id == 0)
        return T(c, "catalog.adm.root_name");
    cat_row cr;
    if (cat_get(c, id, &cr) != 1)
        return walor_ctx_printf(c, "c%lld", (long long)id);
    return walor_ctx_printf(c, "c%lld «%s»", (long long)id, esc(c, cr.name));
}

/* ---- screens ---- */

static int32_t show_tree(walor_ctx *c, int64_t cat_id, int64_t page);
static int32_t show_product(walor_ctx *c, int64_t pid);

static int32_t screen(walor_ctx *c, const char *html, walor_kb *kb) { return walor_edit(c, html, kb); }

static int32_t gone(walor_ctx *c, int64_t back_cat)
{
    if (in_callback(c))
        walor_alert(c, T(c, "catalog.adm.gone"));
    else
        walor_reply(c, T(c, "catalog.adm.gone"), NULL);
    return show_tree(c, back_cat, 0);
}

static int32_t show_tree(walor_ctx *c, int64_t cat_id, int64_t page)
{
    cat_row cr = {0, 0, 0, ""};
    int32_t rc;
    if (cat_id != 0) {
        rc = cat_get(c, cat_id, &cr);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            if (in_callback(c))
                walor_alert(c, T(c, "catalog.adm.gone"));
            cat_id = 0;
        }
    }
    int64_t total = 0;
    rc = walor_db_int(c,
                      "SELECT (SELECT count(*) FROM catalog_category WHERE parent_id = ?) + "
                      "(SELECT count(*) FROM catalog_product WHERE category_id = ?)",
                      WALOR_ARGS(walor_i(cat_id), walor_i(cat_id)), &total);
    if (rc < 0)
        return rc;
    int64_t pages = total > 0 ? (total + ADM_PAGE - 1) / ADM_PAGE : 1;
    if (page < 0)
        page = 0;
    if (page >= pages)
        page = pages - 1;

    walor_kb *kb = walor_kb_new(c);
    walor_rows *r = NULL;
    rc = walor_db_query(c,
                        "SELECT 0 AS kind, id, name, hidden, sort FROM catalog_category WHERE parent_id = ? "
                        "UNION ALL SELECT 1, id, name, hidden, sort FROM catalog_product WHERE category_id = ? "
                        "ORDER BY 1, 5, 2 LIMIT ? OFFSET ?",
                        WALOR_ARGS(walor_i(cat_id), walor_i(cat_id), walor_i(ADM_PAGE), walor_i(page * ADM_PAGE)),
                        &r);
    if (rc < 0)
        return rc;
    while ((rc = walor_row_next(r)) == 1) {
        int64_t kind = walor_col_int(r, 0), id = walor_col_int(r, 1), hidden = walor_col_int(r, 3);
        const char *nm = walor_col_text(r, 2);
        const char *label = walor_textf(c, kind == 0 ? "catalog.adm.btn.folder" : "catalog.adm.btn.product", "id",
                                        catalog_num(c, id), "name", nm ? nm : "", NULL);
        /* the 🙈 mark must survive the cut: put it first */
        if (hidden)
            label = walor_ctx_printf(c, "%s %s", T(c, "catalog.adm.hidden_mark"), label);
        walor_kb_button(kb, catalog_cut(c, label, ADM_LABEL_MAX),
                        walor_ctx_printf(c, kind == 0 ? "cadm:t:%lld:0" : "cadm:p:%lld", (long long)id));
        walor_kb_row(kb);
    }
    walor_rows_close(r);
    if (rc < 0)
        return rc;
    if (pages > 1) {
        if (page > 0)
            walor_kb_button(kb, T(c, "catalog.adm.btn.prev"),
                            walor_ctx_printf(c, "cadm:t:%lld:%lld", (long long)cat_id, (long long)(page - 1)));
        if (page + 1 < pages)
            walor_kb_button(kb, T(c, "catalog.adm.btn.next"),
                            walor_ctx_printf(c, "cadm:t:%lld:%lld", (long long)cat_id, (long long)(page + 1)));
        walor_kb_row(kb);
    }
    walor_kb_button(kb, T(c, "catalog.adm.btn.new_cat"), walor_ctx_printf(c, "cadm:nc:%lld", (long long)cat_id));
    walor_kb_button(kb, T(c, "catalog.adm.btn.new_prod"), walor_ctx_printf(c, "cadm:np:%lld", (long long)cat_id));
    walor_kb_row(kb);
    if (total > 1) {
        walor_kb_button(kb, T(c, "catalog.adm.btn.sort"), walor_ctx_printf(c, "cadm:s:%lld", (long long)cat_id));
        walor_kb_row(kb);
    }
    if (cat_id != 0) {
        walor_kb_button(kb, T(c, cr.hidden ? "catalog.adm.btn.show" : "catalog.adm.btn.hide"),
                        walor_ctx_printf(c, "cadm:h:%lld", (long long)cat_id));
        walor_kb_button(kb, T(c, "catalog.adm.btn.move"), walor_ctx_printf(c, "cadm:mv:%lld", (long long)cat_id));
        walor_kb_row(kb);
        if (walor_role(c) >= WALOR_ROLE_OWNER) {
            walor_kb_button(kb, T(c, "catalog.adm.btn.rename"), walor_ctx_printf(c, "cown:rc:%lld", (long long)cat_id));
            walor_kb_button(kb, T(c, "catalog.adm.btn.delete"), walor_ctx_printf(c, "cown:dc:%lld", (long long)cat_id));
            walor_kb_row(kb);
        }
        walor_kb_button(kb, T(c, "catalog.adm.btn.up"), walor_ctx_printf(c, "cadm:t:%lld:0", (long long)cr.parent));
    }
    walor_kb_button(kb, T(c, "catalog.adm.btn.admin"), "cadm:a");

    char *html;
    if (cat_id == 0)
        html = walor_textf(c, "catalog.adm.tree.root", NULL);
    else
        html = walor_textf(c, "catalog.adm.tree.cat", "id", catalog_num(c, cat_id), "name", esc(c, catalog_cut(c, cr.name, 300)),
                           "parent", cat_title(c, cr.parent), "status",
                           T(c, cr.hidden ? "catalog.adm.status.hidden" : "catalog.adm.status.shown"), NULL);
    if (total == 0)
        html = walor_ctx_printf(c, "%s\n\n%s", html, T(c, "catalog.adm.tree.empty"));
    if (pages > 1)
        html = walor_ctx_printf(c, "%s\n\n%s", html,
                                walor_textf(c, "catalog.adm.page", "page", catalog_num(c, page + 1), "pages", catalog_num(c, pages),
                                            NULL));
    return screen(c, html, kb);
}

static const char *variants_text(walor_ctx *c, int64_t pid, int64_t base_price, int64_t *count)
{
    walor_rows *r = NULL;
    *count = 0;
    if (walor_db_query(c, "SELECT label, price, weight_g FROM catalog_variant WHERE product_id = ? ORDER BY sort, no",
                       WALOR_ARGS(walor_i(pid)), &r) < 0)
        return "?";
    const char *out = "";
    while (walor_row_next(r) == 1) {
        int64_t w = walor_col_int(r, 2);
        const char *line = walor_ctx_printf(c, "  • %s — %s%s", esc(c, walor_col_text(r, 0)),
                                            walor_money(c, walor_col_int(r, 1)),
                                            w > 0 ? walor_ctx_printf(c, ", %lld г", (long long)w) : "");
        out = walor_ctx_printf(c, "%s\n%s", out, line);
        (*count)++;
    }
    walor_rows_close(r);
    if (*count == 0)
        return walor_money(c, base_price);
    return out;
}

/* stored "5 7 12" → "p5 p7 p12" as staff type them */
static const char *xids_shown(walor_ctx *c, const char *ids)
{
    const char *out = "";
    for (const char *s = ids; *s;) {
        if (*s < '0' || *s > '9') {
            s++;
            continue;
        }
        size_t n = strspn(s, "0123456789");
        out = walor_ctx_printf(c, "%s%sp%.*s", out, *out ? " " : "", (int)n, s);
        s += n;
    }
    return out;
}

static int32_t show_product(walor_ctx *c, int64_t pid)
{
    prod_row p;
    int32_t rc = prod_get(c, pid, &p);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return gone(c, 0);
    int64_t nv = 0;
    const char *vars = variants_text(c, pid, p.price, &nv);
    const char *html = walor_textf(
        c, "catalog.adm.card", "id", catalog_num(c, pid), "name", esc(c, catalog_cut(c, p.name, 300)), "cat", cat_title(c, p.cat),
        "price_label", T(c, nv ? "catalog.adm.card.variants" : "catalog.adm.card.price"), "price", vars, "unit",
        *p.unit ? esc(c, p.unit) : "—", "desc", *p.desc ? esc(c, catalog_cut(c, p.desc, 600)) : "—", "details",
        T(c, *p.details ? "catalog.adm.yes" : "catalog.adm.no"), "photo",
        T(c, *p.photo ? "catalog.adm.yes" : "catalog.adm.no"), "disc", catalog_num(c, p.disc), "low", catalog_num(c, p.low),
        "status", T(c, p.hidden ? "catalog.adm.status.hidden" : "catalog.adm.status.shown"), "xids",
        *p.xids ? esc(c, xids_shown(c, p.xids)) : "—", "xtext", *p.xtext ? esc(c, catalog_cut(c, p.xtext, 200)) : "—",
        NULL);
    walor_kb *kb = walor_kb_new(c);
#define EB(key, f) walor_kb_button(kb, T(c, key), walor_ctx_printf(c, "cadm:e:%lld:" f, (long long)pid))
    if (walor_role(c) >= WALOR_ROLE_OWNER)
        walor_kb_button(kb, T(c, "catalog.adm.btn.e_name"), walor_ctx_printf(c, "cown:rp:%lld", (long long)pid));
    EB("catalog.adm.btn.e_var", "var");
    walor_kb_row(kb);
    EB("catalog.adm.btn.e_desc", "desc");
    EB("catalog.adm.btn.e_details", "det");
    walor_kb_row(kb);
    EB("catalog.adm.btn.e_photo", "photo");
    EB("catalog.adm.btn.e_unit", "unit");
    walor_kb_row(kb);
    EB("catalog.adm.btn.e_disc", "disc");
    EB("catalog.adm.btn.e_low", "low");
    walor_kb_row(kb);
    EB("catalog.adm.btn.e_cat", "cat");
    walor_kb_row(kb);
    EB("catalog.adm.btn.e_xids", "xids");
    EB("catalog.adm.btn.e_xtext", "xtext");
    walor_kb_row(kb);
#undef EB
    walor_kb_button(kb, T(c, p.hidden ? "catalog.adm.btn.show" : "catalog.adm.btn.hide"),
                    walor_ctx_printf(c, "cadm:ph:%lld", (long long)pid));
    walor_kb_row(kb);
    if (walor_role(c) >= WALOR_ROLE_OWNER) {
        walor_kb_button(kb, T(c, "catalog.adm.btn.delete"), walor_ctx_printf(c, "cown:dp:%lld", (long long)pid));
        walor_kb_row(kb);
    }
    walor_kb_button(kb, T(c, "catalog.adm.btn.to_cat"), walor_ctx_printf(c, "cadm:t:%lld:0", (long long)p.cat));
    walor_kb_button(kb, T(c, "catalog.adm.btn.admin"), "cadm:a");
    return screen(c, html, kb);
}

/* ---- simple actions ---- */

static int32_t toggle_cat(walor_ctx *c, int64_t id)
{
    cat_row cr;
    int32_t rc = cat_get(c, id, &cr);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return gone(c, 0);
    int64_t nh = cr.hidden ? 0 : 1;
    rc = walor_db_exec(c, "UPDATE catalog_category SET hidden = ? WHERE id = ?", WALOR_ARGS(walor_i(nh), walor_i(id)));
    if (rc < 0)
        return rc;
    log_action(c, walor_ctx_printf(c, "%s раздел c%lld «%s»", nh ? "скрыл" : "показал", (long long)id, cr.name));
    walor_answer(c, T(c, nh ? "catalog.adm.hidden_done" : "catalog.adm.shown_done"));
    return show_tree(c, id, 0);
}

static int32_t toggle_prod(walor_ctx *c, int64_t id)
{
    prod_row p;
    int32_t rc = prod_get(c, id, &p);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return gone(c, 0);
    int64_t nh = p.hidden ? 0 : 1;
    rc = prod_exec(c, id, "UPDATE catalog_product SET hidden = ?, updated_at = ? WHERE id = ?",
                       WALOR_ARGS(walor_i(nh), walor_i(walor_now(c)), walor_i(id)));
    if (rc < 0)
        return rc;
    log_action(c, walor_ctx_printf(c, "%s товар p%lld «%s»", nh ? "скрыл" : "показал", (long long)id, p.name));
    walor_answer(c, T(c, nh ? "catalog.adm.hidden_done" : "catalog.adm.shown_done"));
    return show_product(c, id);
}

static int32_t ask_delete_cat(walor_ctx *c, int64_t id)
{
    cat_row cr;
    int32_t rc = cat_get(c, id, &cr);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return gone(c, 0);
    int64_t *ids = NULL, n = 0, nprod = 0;
    rc = subtree(c, id, &ids, &n, NULL);
    if (rc < 0)
        return rc;
    for (int64_t i = 0; i < n; i++) {
        int64_t k = 0;
        rc = walor_db_int(c, "SELECT count(*) FROM catalog_product WHERE category_id = ?", WALOR_ARGS(walor_i(ids[i])),
                          &k);
        if (rc < 0)
            return rc;
        nprod += k;
    }
    walor_kb *kb = walor_kb_new(c);
    const char *html;
    if (n == 1 && nprod == 0) {
        html = walor_textf(c, "catalog.adm.del_cat.empty", "id", catalog_num(c, id), "name", esc(c, cr.name), NULL);
        walor_kb_button(kb, T(c, "catalog.adm.btn.del_yes"), walor_ctx_printf(c, "cown:dcy:%lld", (long long)id));
    } else {
        html = walor_textf(c, "catalog.adm.del_cat.full", "id", catalog_num(c, id), "name", esc(c, cr.name), "cats",
                           catalog_num(c, n - 1), "prods", catalog_num(c, nprod), NULL);
        walor_kb_button(kb, T(c, "catalog.adm.btn.del_all"), walor_ctx_printf(c, "cown:dca:%lld", (long long)id));
    }
    walor_kb_row(kb);
    walor_kb_button(kb, T(c, "catalog.adm.btn.cancel"), walor_ctx_printf(c, "cadm:t:%lld:0", (long long)id));
    return screen(c, html, kb);
}

/* one by one, so that each product's cart lines go and its event fires */
static int32_t delete_products_in(walor_ctx *c, int64_t cat)
{
    int64_t n = 0;
    int32_t rc = walor_db_int(c, "SELECT count(*) FROM catalog_product WHERE category_id = ?", WALOR_ARGS(walor_i(cat)),
                              &n);
    if (rc < 0 || n == 0)
        return rc < 0 ? rc : 0;
    int64_t *ids = walor_ctx_alloc(c, (size_t)n * sizeof *ids), k = 0;
    if (!ids)
        return WALOR_ENOMEM;
    walor_rows *r = NULL;
    rc = walor_db_query(c, "SELECT id FROM catalog_product WHERE category_id = ?", WALOR_ARGS(walor_i(cat)), &r);
    if (rc < 0)
        return rc;
    while (k < n && (rc = walor_row_next(r)) == 1)
        ids[k++] = walor_col_int(r, 0);
    walor_rows_close(r);
    for (int64_t i = 0; rc >= 0 && i < k; i++)
        rc = catalog_product_delete(c, ids[i]);
    return rc;
}

/* with_all = 0: only an empty category (re-checked here) */
static int32_t delete_cat(walor_ctx *c, int64_t id, int with_all)
{
    cat_row cr;
    int32_t rc = cat_get(c, id, &cr);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return gone(c, 0);
    int64_t *ids = NULL, n = 0, nprod = 0;
    rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    rc = subtree(c, id, &ids, &n, NULL);
    for (int64_t i = 0; rc >= 0 && i < n; i++) {
        int64_t k = 0;
        rc = walor_db_int(c, "SELECT count(*) FROM catalog_product WHERE category_id = ?", WALOR_ARGS(walor_i(ids[i])),
                          &k);
        nprod += k;
    }
    if (rc >= 0 && !with_all && (n > 1 || nprod > 0)) {
        walor_tx_rollback(c);
        return ask_delete_cat(c, id); /* something arrived meanwhile: ask again */
    }
    for (int64_t i = 0; rc >= 0 && i < n; i++) {
        rc = delete_products_in(c, ids[i]);
        if (rc >= 0)
            rc = walor_db_exec(c, "DELETE FROM catalog_category WHERE id = ?", WALOR_ARGS(walor_i(ids[i])));
    }
    if (rc >= 0)
        rc = log_action(c, n > 1 || nprod > 0
                               ? walor_ctx_printf(c, "удалил раздел c%lld «%s» вместе с содержимым: подразделов %lld, "
                                                     "товаров %lld",
                                                  (long long)id, cr.name, (long long)(n - 1), (long long)nprod)
                               : walor_ctx_printf(c, "удалил раздел c%lld «%s»", (long long)id, cr.name));
    if (rc >= 0)
        rc = walor_tx_commit(c);
    if (rc < 0) {
        walor_tx_rollback(c);
        return rc;
    }
    walor_answer(c, T(c, "catalog.adm.deleted"));
    return show_tree(c, cr.parent, 0);
}

static int32_t ask_delete_prod(walor_ctx *c, int64_t id)
{
    prod_row p;
    int32_t rc = prod_get(c, id, &p);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return gone(c, 0);
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, T(c, "catalog.adm.btn.del_yes"), walor_ctx_printf(c, "cown:dpy:%lld", (long long)id));
    walor_kb_row(kb);
    walor_kb_button(kb, T(c, "catalog.adm.btn.cancel"), walor_ctx_printf(c, "cadm:p:%lld", (long long)id));
    return screen(c, walor_textf(c, "catalog.adm.del_prod", "id", catalog_num(c, id), "name", esc(c, p.name), NULL), kb);
}

static int32_t delete_prod(walor_ctx *c, int64_t id)
{
    prod_row p;
    int32_t rc = prod_get(c, id, &p);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return gone(c, 0);
    rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    rc = catalog_product_delete(c, id);
    if (rc >= 0)
        rc = log_action(c, walor_ctx_printf(c, "удалил товар p%lld «%s»", (long long)id, p.name));
    if (rc >= 0)
        rc = walor_tx_commit(c);
    if (rc < 0) {
        walor_tx_rollback(c);
        return rc;
    }
    walor_answer(c, T(c, "catalog.adm.deleted"));
    return show_tree(c, p.cat, 0);
}

/* ---- conversations: shared bits ---- */

static int64_t data_int(walor_ctx *c, const char *key)
{
    return (int64_t)json_integer_value(json_object_get(walor_conv_data(c), key));
}

static const char *data_str(walor_ctx *c, const char *key)
{
    const char *s = json_string_value(json_object_get(walor_conv_data(c), key));
    return s ? s : "";
}

static void data_set_int(walor_ctx *c, const char *key, int64_t v)
{
    json_object_set_new(walor_conv_data(c), key, json_integer((json_int_t)v));
}

static void data_set_str(walor_ctx *c, const char *key, const char *v)
{
    json_object_set_new(walor_conv_data(c), key, json_string(v ? v : ""));
}

/* where "✖️ Отмена" and the end of a conversation lead: "bk" = 'p' + id
 * (product card) or 't' + id (tree) */
static int32_t go_back(walor_ctx *c)
{
    const char *bk = arena_str(c, data_str(c, "bk")); /* conv_end frees the data */
    int64_t id = data_int(c, "bid");
    walor_conv_end(c);
    if (bk[0] == 'p')
        return show_product(c, id);
    return show_tree(c, id, 0);
}

static int32_t ask(walor_ctx *c, const char *html, const char *extra_btn, const char *extra_payload)
{
    walor_kb *kb = walor_kb_new(c);
    if (extra_btn) {
        walor_kb_conv_button(kb, extra_btn, extra_payload);
        walor_kb_row(kb);
    }
    walor_kb_conv_button(kb, T(c, "catalog.adm.btn.cancel"), "cancel");
    return walor_reply(c, html, kb);
}

/* an error in a step: say it and stay */
static int32_t retry(walor_ctx *c, const char *why)
{
    walor_kb *kb = walor_kb_new(c);
    walor_kb_conv_button(kb, T(c, "catalog.adm.btn.cancel"), "cancel");
    return walor_reply(c, walor_textf(c, "catalog.adm.retry", "why", why, NULL), kb);
}

static int32_t conv_cancel_only(walor_ctx *c, const char *arg)
{
    (void)arg;
    return go_back(c);
}

/* The validators below (parse_*, check_*) only read what was typed: 0 and
 * the value; WALOR_EINVAL and *why, what to tell the person (the step asks
 * again); or another WALOR_E* when something failed (out of memory, the
 * database), which the step returns. They send nothing. */
static int32_t reject(const char **why, const char *text)
{
    *why = text;
    return WALOR_EINVAL;
}

/* "c3", "3", "0" → an existing category (or 0 = root) */
static int32_t parse_parent(walor_ctx *c, const char *text, int64_t *out, const char **why)
{
    *why = NULL;
    char *s = trim_copy(c, text);
    char kind = 0;
    int64_t id = 0;
    if (!s)
        return WALOR_ENOMEM;
    if (parse_ref(s, &kind, &id) < 0 || kind == 'p')
        return reject(why, walor_textf(c, "catalog.adm.err.bad_ref", "ref", esc(c, catalog_cut(c, s, 40)), NULL));
    if (id == 0) {
        *out = 0;
        return 0;
    }
    cat_row cr;
    int32_t rc = cat_get(c, id, &cr);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return reject(why,
                      walor_textf(c, "catalog.adm.err.no_cat", "ref", walor_ctx_printf(c, "c%lld", (long long)id), NULL));
    *out = id;
    return 0;
}

/* the description/details as typed: "-" clears (*out = "") */
static int32_t check_html(walor_ctx *c, const char *text, size_t max_cp, char **out, const char **why)
{
    *why = NULL;
    char *s = trim_copy(c, text);
    if (!s)
        return WALOR_ENOMEM;
    if (!strcmp(s, "-")) {
        *out = arena_str(c, "");
        return *out ? 0 : WALOR_ENOMEM;
    }
    if (!*s)
        return reject(why, T(c, "catalog.adm.err.desc_empty"));
    if (cp_count(s) > max_cp)
        return reject(why, walor_textf(c, "catalog.adm.err.desc_long", "max", catalog_num(c, (int64_t)max_cp), NULL));
    *out = s;
    return 0;
}

/* A step's answer for a description: checked, then shown as customers
 * will see it. The preview is exactly what walor_send would get, so HTML
 * the host refuses here Telegram would refuse too: the step asks again
 * (WALOR_EINVAL and *why), as for any other bad input. */
static int32_t take_html(walor_ctx *c, const char *text, size_t max_cp, char **out, const char **why)
{
    int32_t rc = check_html(c, text, max_cp, out, why);
    if (rc < 0 || !**out)
        return rc;
    rc = walor_reply(c, walor_ctx_printf(c, "%s\n\n%s", T(c, "catalog.adm.desc_preview"), *out), NULL);
    if (rc == WALOR_EINVAL || rc == WALOR_ELIMIT)
        return reject(why, walor_textf(c, "catalog.adm.err.html", "why", esc(c, walor_last_error(c)), NULL));
    if (rc < 0)
        walor_log(c, WALOR_LOG_WARN, "catalog: description preview: %s", walor_last_error(c));
    return 0;
}

/* the biggest photo of the incoming message, or NULL */
static const char *incoming_photo(walor_ctx *c)
{
    json_t *u = walor_update(c);
    json_t *m = u ? json_object_get(u, "message") : NULL;
    json_t *ph = m ? json_object_get(m, "photo") : NULL;
    if (!json_is_array(ph) || json_array_size(ph) == 0)
        return NULL;
    const char *best = NULL;
    int64_t best_score = -1;
    size_t i;
    json_t *s;
    json_array_foreach(ph, i, s) {
        const char *fid = json_string_value(json_object_get(s, "file_id"));
        if (!fid || !*fid)
            continue;
        int64_t w = (int64_t)json_integer_value(json_object_get(s, "width"));
        int64_t h = (int64_t)json_integer_value(json_object_get(s, "height"));
        int64_t sz = (int64_t)json_integer_value(json_object_get(s, "file_size"));
        int64_t score = w * h > 0 ? w * h : sz;
        if (score >= best_score) { /* ties: the later one (Telegram lists small to large) */
            best_score = score;
            best = fid;
        }
    }
    return best ? arena_str(c, best) : NULL;
}

/* price or variants typed in one step: a JSON array of [label, kop, g] in
 * *vars (new reference) or a single price */
static int32_t parse_price_input(walor_ctx *c, const char *text, int64_t *price, json_t **vars, const char **why)
{
    *vars = NULL;
    *price = 0;
    *why = NULL;
    if (strlen(text) > CATALOG_VARIANTS_TEXT_MAX)
        return reject(why, T(c, "catalog.adm.err.var_long"));
    if (strchr(text, ':')) {
        catalog_variant *v = NULL;
        size_t n = 0;
        char *errs = NULL;
        int rc = catalog_variants_parse(text, &v, &n, &errs);
        if (rc == CATALOG_ENOMEM)
            return WALOR_ENOMEM;
        if (rc != CATALOG_OK) {
            const char *e = walor_textf(c, "catalog.adm.err.variants", "errors", esc(c, errs ? errs : ""), NULL);
            free(errs);
            return reject(why, e);
        }
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a, json_pack("[sII]", v[i].label, (json_int_t)v[i].price_kop,
                                               (json_int_t)v[i].weight_g));
        catalog_variants_free(v, n);
        *vars = a;
        return 0;
    }
    int64_t kop = 0;
    int rc = catalog_price_parse(text, &kop);
    if (rc != CATALOG_PRICE_OK)
        return reject(why, walor_textf(c, "catalog.adm.err.price", "price", esc(c, catalog_cut(c, text, 40)), "why",
                                       catalog_price_reason(rc), NULL));
    if (kop <= 0)
        return reject(why, walor_textf(c, "catalog.adm.err.price", "price", esc(c, catalog_cut(c, text, 40)), "why",
                                       T(c, "catalog.adm.err.zero"), NULL));
    *price = kop;
    return 0;
}

static const char *vars_summary(walor_ctx *c, json_t *vars, int64_t price)
{
    if (!json_is_array(vars) || json_array_size(vars) == 0)
        return walor_money(c, price);
    const char *out = "";
    size_t i;
    json_t *v;
    json_array_foreach(vars, i, v) {
        int64_t w = (int64_t)json_integer_value(json_array_get(v, 2));
        out = walor_ctx_printf(c, "%s\n  • %s — %s%s", out, esc(c, json_string_value(json_array_get(v, 0))),
                               walor_money(c, (int64_t)json_integer_value(json_array_get(v, 1))),
                               w > 0 ? walor_ctx_printf(c, ", %lld г", (long long)w) : "");
    }
    return out;
}

static const char *vars_plain(walor_ctx *c, json_t *vars, int64_t price)
{
    if (!json_is_array(vars) || json_array_size(vars) == 0)
        return walor_ctx_printf(c, "цена %lld.%02lld ₽", (long long)(price / 100), (long long)(price % 100));
    const char *out = "";
    size_t i;
    json_t *v;
    json_array_foreach(vars, i, v) {
        int64_t k = (int64_t)json_integer_value(json_array_get(v, 1));
        out = walor_ctx_printf(c, "%s%s%s:%lld.%02lld:%lld", out, i ? ", " : "", json_string_value(json_array_get(v, 0)),
                               (long long)(k / 100), (long long)(k % 100),
                               (long long)json_integer_value(json_array_get(v, 2)));
    }
    return walor_ctx_printf(c, "фасовки %s", out);
}

/* writes the variants of a product (in the caller's transaction): a label
 * that stays keeps its number (stock is kept per number), a new label gets
 * a fresh one, labels no longer listed are removed */
static int32_t store_variants(walor_ctx *c, int64_t pid, json_t *vars, int64_t price)
{
    int32_t rc;
    if (!json_is_array(vars) || json_array_size(vars) == 0) {
        rc = walor_db_exec(c, "DELETE FROM catalog_variant WHERE product_id = ?", WALOR_ARGS(walor_i(pid)));
        if (rc >= 0)
            rc = walor_db_exec(c, "UPDATE catalog_product SET price = ? WHERE id = ?",
                               WALOR_ARGS(walor_i(price), walor_i(pid)));
        return rc < 0 ? rc : 0;
    }
    size_t n = json_array_size(vars);
    int64_t *keep = walor_ctx_alloc(c, n * sizeof *keep);
    if (!keep)
        return WALOR_ENOMEM;
    int64_t next = 0;
    rc = walor_db_int(c, "SELECT coalesce(max(no), 0) FROM catalog_variant WHERE product_id = ?",
                      WALOR_ARGS(walor_i(pid)), &next);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        const char *label = json_string_value(json_array_get(json_array_get(vars, i), 0));
        int64_t no = 0;
        rc = walor_db_int(c, "SELECT no FROM catalog_variant WHERE product_id = ? AND label = ?",
                          WALOR_ARGS(walor_i(pid), walor_s(label)), &no);
        if (rc < 0 && rc != WALOR_ENOTFOUND)
            return rc;
        keep[i] = rc == 0 ? no : ++next;
    }
    /* remove the labels not listed any more */
    walor_rows *r = NULL;
    rc = walor_db_query(c, "SELECT no FROM catalog_variant WHERE product_id = ?", WALOR_ARGS(walor_i(pid)), &r);
    if (rc < 0)
        return rc;
    int64_t *gone_no = walor_ctx_alloc(c, (CATALOG_VARIANTS_MAX * 8 + 64) * sizeof *gone_no);
    size_t ngone = 0;
    if (!gone_no) {
        walor_rows_close(r);
        return WALOR_ENOMEM;
    }
    while ((rc = walor_row_next(r)) == 1) {
        int64_t no = walor_col_int(r, 0);
        int kept = 0;
        for (size_t i = 0; i < n; i++)
            if (keep[i] == no)
                kept = 1;
        if (!kept && ngone < CATALOG_VARIANTS_MAX * 8 + 64)
            gone_no[ngone++] = no;
    }
    walor_rows_close(r);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < ngone; i++) {
        rc = walor_db_exec(c, "DELETE FROM catalog_variant WHERE product_id = ? AND no = ?",
                           WALOR_ARGS(walor_i(pid), walor_i(gone_no[i])));
        if (rc < 0)
            return rc;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(vars, i);
        const char *label = json_string_value(json_array_get(v, 0));
        int64_t kop = (int64_t)json_integer_value(json_array_get(v, 1));
        int64_t g = (int64_t)json_integer_value(json_array_get(v, 2));
        rc = walor_db_exec(c,
                           "INSERT INTO catalog_variant(product_id, no, label, price, weight_g, sort) "
                           "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (product_id, no) DO UPDATE SET "
                           "label = excluded.label, price = excluded.price, weight_g = excluded.weight_g, "
                           "sort = excluded.sort",
                           WALOR_ARGS(walor_i(pid), walor_i(keep[i]), walor_s(label), walor_i(kop), walor_i(g),
                                      walor_i((int64_t)i + 1)));
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* ---- conversation adm_cat: a new category ---- */

static int32_t newcat_ask(walor_ctx *c)
{
    return ask(c, walor_textf(c, "catalog.adm.ask.cat_name", "parent", cat_title(c, data_int(c, "parent")), NULL), NULL,
               NULL);
}

static int32_t newcat_got(walor_ctx *c, const char *text)
{
    const char *why = NULL;
    char *name = check_name(c, text, &why);
    if (!name)
        return why ? retry(c, why) : WALOR_ENOMEM;
    int64_t parent = data_int(c, "parent"), depth = 0, id = 0;
    if (parent != 0) {
        cat_row cr;
        int32_t rc = cat_get(c, parent, &cr);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            walor_conv_end(c);
            return gone(c, 0);
        }
        if (cat_depth(c, parent, &depth) == 0 && depth >= MAX_DEPTH)
            return retry(c, walor_textf(c, "catalog.adm.err.depth", "max", catalog_num(c, MAX_DEPTH), NULL));
    }
    int32_t rc = walor_db_int(c,
                              "INSERT INTO catalog_category(parent_id, name, name_lc, hidden, sort, created_at) "
                              "VALUES (?, ?, ?, 0, (SELECT coalesce(max(sort), 0) + 1 FROM catalog_category "
                              "WHERE parent_id = ?), ?) RETURNING id",
                              WALOR_ARGS(walor_i(parent), walor_s(name), walor_s(catalog_fold_ctx(c, name)),
                                         walor_i(parent), walor_i(walor_now(c))),
                              &id);
    if (rc < 0)
        return rc;
    log_action(c, walor_ctx_printf(c, "создал раздел c%lld «%s» в %s", (long long)id, name,
                                   parent ? walor_ctx_printf(c, "c%lld", (long long)parent) : "корне каталога"));
    walor_conv_end(c);
    walor_reply(c, walor_textf(c, "catalog.adm.cat_created", "id", catalog_num(c, id), "name", esc(c, name), NULL), NULL);
    return show_tree(c, id, 0);
}

/* ---- conversation adm_ren [OWNER]: rename a category or a product ---- */

static int32_t ren_ask(walor_ctx *c)
{
    const char *k = data_str(c, "k");
    return ask(c, walor_textf(c, "catalog.adm.ask.rename", "what",
                              walor_ctx_printf(c, "%s%lld «%s»", k[0] == 'p' ? "p" : "c", (long long)data_int(c, "id"),
                                               esc(c, data_str(c, "old"))),
                              NULL),
               NULL, NULL);
}

static int32_t ren_got(walor_ctx *c, const char *text)
{
    const char *why = NULL;
    char *name = check_name(c, text, &why);
    if (!name)
        return why ? retry(c, why) : WALOR_ENOMEM;
    int is_p = data_str(c, "k")[0] == 'p';
    int64_t id = data_int(c, "id");
    const char *old = NULL;
    if (is_p) {
        prod_row p;
        int32_t rc = prod_get(c, id, &p);
        if (rc < 0)
            return rc;
        old = rc ? p.name : NULL;
    } else {
        cat_row cr;
        int32_t rc = cat_get(c, id, &cr);
        if (rc < 0)
            return rc;
        old = rc ? cr.name : NULL;
    }
    if (!old) {
        walor_conv_end(c);
        return gone(c, 0);
    }
    int32_t rc = is_p ? prod_exec(c, id, "UPDATE catalog_product SET name = ?, name_lc = ?, updated_at = ? WHERE id = ?",
                                      WALOR_ARGS(walor_s(name), walor_s(catalog_fold_ctx(c, name)),
                                                 walor_i(walor_now(c)), walor_i(id)))
                      : walor_db_exec(c, "UPDATE catalog_category SET name = ?, name_lc = ? WHERE id = ?",
                                      WALOR_ARGS(walor_s(name), walor_s(catalog_fold_ctx(c, name)), walor_i(id)));
    if (rc < 0)
        return rc;
    log_action(c, walor_ctx_printf(c, "переименовал %s %s%lld «%s» → «%s»", is_p ? "товар" : "раздел", is_p ? "p" : "c",
                                   (long long)id, old, name));
    walor_conv_end(c);
    walor_reply(c, T(c, "catalog.adm.saved"), NULL);
    return is_p ? show_product(c, id) : show_tree(c, id, 0);
}

/* ---- conversation adm_sort: the order of one category's children ---- */

static int32_t sort_ask(walor_ctx *c)
{
    int64_t parent = data_int(c, "parent");
    walor_rows *r = NULL;
    int32_t rc = walor_db_query(c,
                                "SELECT 0, id, name, hidden, sort FROM catalog_category WHERE parent_id = ? "
                                "UNION ALL SELECT 1, id, name, hidden, sort FROM catalog_product WHERE category_id = ? "
                                "ORDER BY 1, 5, 2 LIMIT 60",
                                WALOR_ARGS(walor_i(parent), walor_i(parent)), &r);
    if (rc < 0)
        return rc;
    const char *list = "";
    while ((rc = walor_row_next(r)) == 1)
        list = walor_ctx_printf(c, "%s\n<code>%s%lld</code> %s%s", list, walor_col_int(r, 0) ? "p" : "c",
                                (long long)walor_col_int(r, 1), esc(c, catalog_cut(c, walor_col_text(r, 2), 60)),
                                walor_col_int(r, 3) ? " 🙈" : "");
    walor_rows_close(r);
    if (rc < 0)
        return rc;
    return ask(c, walor_textf(c, "catalog.adm.ask.sort", "where", cat_title(c, parent), "list", list, NULL), NULL,
               NULL);
}

static int32_t sort_got(walor_ctx *c, const char *text)
{
    int64_t parent = data_int(c, "parent");
    char *s = trim_copy(c, text);
    if (!s)
        return WALOR_ENOMEM;
    int64_t *cids = walor_ctx_alloc(c, SORT_MAX * sizeof *cids);
    int64_t *pids = walor_ctx_alloc(c, SORT_MAX * sizeof *pids);
    if (!cids || !pids)
        return WALOR_ENOMEM;
    int nc = 0, np = 0, ntok = 0;
    const char *bad = "", *unknown = "", *dups = "";
    const char *order_txt = "";
    char *save = NULL;
    for (char *tok = strtok_r(s, " ,;\n\t\r", &save); tok; tok = strtok_r(NULL, " ,;\n\t\r", &save)) {
        if (++ntok > SORT_MAX)
            return retry(c, walor_textf(c, "catalog.adm.err.sort_many", "max", catalog_num(c, SORT_MAX), NULL));
        char kind = 0;
        int64_t id = 0;
        if (parse_ref(tok, &kind, &id) < 0 || kind == 0) {
            bad = walor_ctx_printf(c, "%s%s%s", bad, *bad ? ", " : "", esc(c, catalog_cut(c, tok, 30)));
            continue;
        }
        const char *ref = walor_ctx_printf(c, "%c%lld", kind, (long long)id);
        int64_t *arr = kind == 'c' ? cids : pids;
        int *cnt = kind == 'c' ? &nc : &np;
        int dup_seen = 0;
        for (int i = 0; i < *cnt; i++)
            if (arr[i] == id)
                dup_seen = 1;
        if (dup_seen) {
            dups = walor_ctx_printf(c, "%s%s%s", dups, *dups ? ", " : "", ref);
            continue;
        }
        int64_t found = 0;
        int32_t rc = walor_db_int(c,
                                  kind == 'c' ? "SELECT count(*) FROM catalog_category WHERE id = ? AND parent_id = ?"
                                              : "SELECT count(*) FROM catalog_product WHERE id = ? AND category_id = ?",
                                  WALOR_ARGS(walor_i(id), walor_i(parent)), &found);
        if (rc < 0)
            return rc;
        if (!found) {
            unknown = walor_ctx_printf(c, "%s%s%s", unknown, *unknown ? ", " : "", ref);
            continue;
        }
        arr[(*cnt)++] = id;
        order_txt = walor_ctx_printf(c, "%s%s%s", order_txt, *order_txt ? " " : "", ref);
    }
    const char *errs = "";
    if (*bad)
        errs = walor_ctx_printf(c, "%s\n%s", errs, walor_textf(c, "catalog.adm.err.sort_bad", "list", bad, NULL));
    if (*unknown)
        errs = walor_ctx_printf(c, "%s\n%s", errs,
                                walor_textf(c, "catalog.adm.err.sort_unknown", "list", unknown, "where",
                                            cat_title(c, parent), NULL));
    if (*dups)
        errs = walor_ctx_printf(c, "%s\n%s", errs, walor_textf(c, "catalog.adm.err.sort_dup", "list", dups, NULL));
    if (*errs)
        return retry(c, walor_ctx_printf(c, "%s\n%s", errs + 1, T(c, "catalog.adm.nothing_changed")));
    if (nc + np == 0)
        return retry(c, T(c, "catalog.adm.err.sort_empty"));

    /* listed ones first in the given order, the rest after them as they were */
    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    for (int kind = 0; rc >= 0 && kind < 2; kind++) {
        int64_t *arr = kind == 0 ? cids : pids;
        int cnt = kind == 0 ? nc : np;
        const char *upd = kind == 0 ? "UPDATE catalog_category SET sort = ? WHERE id = ?"
                                    : "UPDATE catalog_product SET sort = ? WHERE id = ?";
        for (int i = 0; rc >= 0 && i < cnt; i++)
            rc = walor_db_exec(c, upd, WALOR_ARGS(walor_i(i + 1), walor_i(arr[i])));
        if (rc < 0)
            break;
        /* the others: collect, then renumber */
        walor_rows *r = NULL;
        rc = walor_db_query(c,
                            kind == 0 ? "SELECT id FROM catalog_category WHERE parent_id = ? ORDER BY sort, id"
                                      : "SELECT id FROM catalog_product WHERE category_id = ? ORDER BY sort, id",
                            WALOR_ARGS(walor_i(parent)), &r);
        if (rc < 0)
            break;
        int64_t cap = 64, n = 0;
        int64_t *rest = walor_ctx_alloc(c, (size_t)cap * sizeof *rest);
        while (rest && (rc = walor_row_next(r)) == 1) {
            int64_t id = walor_col_int(r, 0);
            int listed = 0;
            for (int i = 0; i < cnt; i++)
                if (arr[i] == id)
                    listed = 1;
            if (listed)
                continue;
            if (n == cap) {
                int64_t *nr = walor_ctx_alloc(c, (size_t)cap * 2 * sizeof *nr);
                if (!nr) {
                    rest = NULL;
                    break;
                }
                memcpy(nr, rest, (size_t)n * sizeof *rest);
                rest = nr;
                cap *= 2;
            }
            rest[n++] = id;
        }
        walor_rows_close(r);
        if (!rest)
            rc = WALOR_ENOMEM;
        for (int64_t i = 0; rc >= 0 && i < n; i++)
            rc = walor_db_exec(c, upd, WALOR_ARGS(walor_i(cnt + 1 + i), walor_i(rest[i])));
    }
    if (rc >= 0)
        rc = log_action(c, walor_ctx_printf(c, "изменил порядок в %s: %s",
                                            parent ? walor_ctx_printf(c, "разделе c%lld", (long long)parent)
                                                   : "корне каталога",
                                            order_txt));
    if (rc >= 0)
        rc = walor_tx_commit(c);
    if (rc < 0) {
        walor_tx_rollback(c);
        return rc;
    }
    walor_conv_end(c);
    walor_reply(c, T(c, "catalog.adm.sorted"), NULL);
    return show_tree(c, parent, 0);
}

/* ---- conversation adm_prod: a new product ---- */

static int32_t np_cat_ask(walor_ctx *c)
{
    return ask(c, T(c, "catalog.adm.ask.prod_cat"), T(c, "catalog.adm.btn.root"), "root");
}

static int32_t np_cat_got(walor_ctx *c, const char *text)
{
    int64_t cat = 0;
    const char *why = NULL;
    int32_t rc = parse_parent(c, text, &cat, &why);
    if (rc < 0)
        return why ? retry(c, why) : rc;
    data_set_int(c, "cat", cat);
    return walor_conv_goto(c, "name");
}

static int32_t np_cat_btn(walor_ctx *c, const char *arg)
{
    if (!strcmp(arg, "root")) {
        data_set_int(c, "cat", 0);
        return walor_conv_goto(c, "name");
    }
    return go_back(c);
}

static int32_t np_name_ask(walor_ctx *c)
{
    return ask(c, walor_textf(c, "catalog.adm.ask.prod_name", "cat", cat_title(c, data_int(c, "cat")), NULL), NULL,
               NULL);
}

static int32_t np_name_got(walor_ctx *c, const char *text)
{
    const char *why = NULL;
    char *name = check_name(c, text, &why);
    if (!name)
        return why ? retry(c, why) : WALOR_ENOMEM;
    data_set_str(c, "name", name);
    return walor_conv_goto(c, "price");
}

static int32_t np_price_ask(walor_ctx *c) { return ask(c, T(c, "catalog.adm.ask.price"), NULL, NULL); }

static int32_t np_price_got(walor_ctx *c, const char *text)
{
    int64_t price = 0;
    json_t *vars = NULL;
    const char *why = NULL;
    int32_t rc = parse_price_input(c, text, &price, &vars, &why);
    if (rc < 0)
        return why ? retry(c, why) : rc;
    json_object_set_new(walor_conv_data(c), "vars", vars ? vars : json_array());
    data_set_int(c, "price", price);
    return walor_conv_goto(c, "desc");
}

static int32_t np_desc_ask(walor_ctx *c)
{
    return ask(c, T(c, "catalog.adm.ask.desc"), T(c, "catalog.adm.btn.skip"), "skip");
}

static int32_t np_desc_got(walor_ctx *c, const char *text)
{
    char *d = NULL;
    const char *why = NULL;
    int32_t rc = take_html(c, text, DESC_MAX_CP, &d, &why);
    if (rc < 0)
        return why ? retry(c, why) : rc;
    data_set_str(c, "desc", d);
    return walor_conv_goto(c, "photo");
}

static int32_t np_desc_btn(walor_ctx *c, const char *arg)
{
    if (!strcmp(arg, "skip")) {
        data_set_str(c, "desc", "");
        return walor_conv_goto(c, "photo");
    }
    return go_back(c);
}

static int32_t np_photo_ask(walor_ctx *c)
{
    return ask(c, T(c, "catalog.adm.ask.photo"), T(c, "catalog.adm.btn.skip"), "skip");
}

static int32_t np_photo_got(walor_ctx *c, const char *text)
{
    (void)text;
    const char *fid = incoming_photo(c);
    if (!fid)
        return retry(c, T(c, "catalog.adm.err.not_photo"));
    data_set_str(c, "photo", fid);
    return walor_conv_goto(c, "confirm");
}

static int32_t np_photo_btn(walor_ctx *c, const char *arg)
{
    if (!strcmp(arg, "skip")) {
        data_set_str(c, "photo", "");
        return walor_conv_goto(c, "confirm");
    }
    return go_back(c);
}

static int32_t np_confirm_ask(walor_ctx *c)
{
    json_t *d = walor_conv_data(c);
    const char *desc = data_str(c, "desc");
    const char *html = walor_textf(
        c, "catalog.adm.ask.confirm", "name", esc(c, data_str(c, "name")), "cat", cat_title(c, data_int(c, "cat")),
        "price", vars_summary(c, json_object_get(d, "vars"), data_int(c, "price")), "desc",
        *desc ? esc(c, catalog_cut(c, desc, 600)) : "—", "photo", T(c, *data_str(c, "photo") ? "catalog.adm.yes" : "catalog.adm.no"),
        NULL);
    walor_kb *kb = walor_kb_new(c);
    walor_kb_conv_button(kb, T(c, "catalog.adm.btn.create"), "ok");
    walor_kb_row(kb);
    walor_kb_conv_button(kb, T(c, "catalog.adm.btn.cancel"), "cancel");
    return walor_reply(c, html, kb);
}

static int32_t np_confirm_msg(walor_ctx *c, const char *text)
{
    (void)text;
    return np_confirm_ask(c);
}

static int32_t np_confirm_btn(walor_ctx *c, const char *arg)
{
    if (strcmp(arg, "ok") != 0)
        return go_back(c);
    json_t *d = walor_conv_data(c);
    int64_t cat = data_int(c, "cat"), price = data_int(c, "price"), id = 0;
    const char *name = arena_str(c, data_str(c, "name")), *desc = arena_str(c, data_str(c, "desc")),
               *photo = arena_str(c, data_str(c, "photo"));
    json_t *vars = json_incref(json_object_get(d, "vars"));
    if (cat != 0) {
        cat_row cr;
        int32_t rc = cat_get(c, cat, &cr);
        if (rc <= 0) {
            json_decref(vars);
            if (rc < 0)
                return rc;
            walor_conv_end(c);
            return gone(c, 0);
        }
    }
    int32_t rc = walor_tx_begin(c);
    if (rc < 0) {
        json_decref(vars);
        return rc;
    }
    int64_t now = walor_now(c);
    rc = walor_db_int(c,
                      "INSERT INTO catalog_product(category_id, name, name_lc, description, price, photo_file_id, "
                      "sort, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, "
                      "(SELECT coalesce(max(sort), 0) + 1 FROM catalog_product WHERE category_id = ?), ?, ?) "
                      "RETURNING id",
                      WALOR_ARGS(walor_i(cat), walor_s(name), walor_s(catalog_fold_ctx(c, name)), walor_s(desc),
                                 walor_i(price), *photo ? walor_s(photo) : walor_null(), walor_i(cat), walor_i(now),
                                 walor_i(now)),
                      &id);
    if (rc >= 0)
        rc = store_variants(c, id, vars, price);
    if (rc >= 0)
        rc = log_action(c, walor_ctx_printf(c, "создал товар p%lld «%s» в %s: %s", (long long)id, name,
                                            cat ? walor_ctx_printf(c, "c%lld", (long long)cat) : "корне каталога",
                                            vars_plain(c, vars, price)));
    json_decref(vars);
    if (rc >= 0)
        rc = walor_tx_commit(c);
    if (rc < 0) {
        walor_tx_rollback(c);
        return rc;
    }
    walor_conv_end(c);
    walor_answer(c, T(c, "catalog.adm.created"));
    if (*photo && catalog_photo_publish(c, id, photo) < 0)
        walor_log(c, WALOR_LOG_WARN, "catalog: image URL of product %lld not stored: %s", (long long)id,
                  walor_last_error(c));
    return show_product(c, id);
}

/* the cross-sell IDs as typed ("p5 p7", "5, 7", "р5"; "-" clears) → "5 7"
 * in *out; every unknown ID, the product itself and repeats are named in
 * *why, and then nothing is saved */
static int32_t parse_xids(walor_ctx *c, const char *text, int64_t self, const char **out, const char **why)
{
    *why = NULL;
    char *s = trim_copy(c, text);
    if (!s)
        return WALOR_ENOMEM;
    *out = "";
    if (!strcmp(s, "-"))
        return 0;
    int64_t ids[XIDS_MAX];
    int n = 0, ntok = 0;
    const char *bad = "", *unknown = "", *dups = "", *norm = "";
    char *save = NULL;
    for (char *tok = strtok_r(s, " ,;\n\t\r", &save); tok; tok = strtok_r(NULL, " ,;\n\t\r", &save)) {
        char kind = 0;
        int64_t id = 0;
        if (++ntok > XIDS_MAX)
            return reject(why, walor_textf(c, "catalog.adm.err.xids_many", "max", catalog_num(c, XIDS_MAX), NULL));
        if (parse_ref(tok, &kind, &id) < 0 || kind == 'c' || id == 0) {
            bad = walor_ctx_printf(c, "%s%s%s", bad, *bad ? ", " : "", esc(c, catalog_cut(c, tok, 30)));
            continue;
        }
        const char *ref = walor_ctx_printf(c, "p%lld", (long long)id);
        int seen = id == self;
        for (int i = 0; i < n; i++)
            if (ids[i] == id)
                seen = 1;
        if (seen) {
            dups = walor_ctx_printf(c, "%s%s%s", dups, *dups ? ", " : "", ref);
            continue;
        }
        int64_t found = 0;
        int32_t rc = walor_db_int(c, "SELECT count(*) FROM catalog_product WHERE id = ?", WALOR_ARGS(walor_i(id)),
                                  &found);
        if (rc < 0)
            return rc;
        if (!found) {
            unknown = walor_ctx_printf(c, "%s%s%s", unknown, *unknown ? ", " : "", ref);
            continue;
        }
        ids[n++] = id;
        norm = walor_ctx_printf(c, "%s%s%lld", norm, *norm ? " " : "", (long long)id);
    }
    const char *errs = "";
    if (*bad)
        errs = walor_ctx_printf(c, "%s\n%s", errs, walor_textf(c, "catalog.adm.err.xids_bad", "list", bad, NULL));
    if (*unknown)
        errs = walor_ctx_printf(c, "%s\n%s", errs, walor_textf(c, "catalog.adm.err.xids_unknown", "list", unknown, NULL));
    if (*dups)
        errs = walor_ctx_printf(c, "%s\n%s", errs, walor_textf(c, "catalog.adm.err.xids_dup", "list", dups, NULL));
    if (*errs)
        return reject(why, walor_ctx_printf(c, "%s\n%s", errs + 1, T(c, "catalog.adm.nothing_changed")));
    if (n == 0)
        return reject(why, T(c, "catalog.adm.err.xids_empty"));
    *out = norm;
    return 0;
}

/* ---- conversation adm_edit: one field of a product, or a category's parent ---- */

static int32_t edit_ask(walor_ctx *c)
{
    const char *f = data_str(c, "f");
    int64_t id = data_int(c, "id");
    if (!strcmp(f, "move")) {
        cat_row cr;
        if (cat_get(c, id, &cr) != 1)
            return go_back(c);
        return ask(c, walor_textf(c, "catalog.adm.ask.move", "what", cat_title(c, id), "parent",
                                  cat_title(c, cr.parent), NULL),
                   T(c, "catalog.adm.btn.root"), "root");
    }
    prod_row p;
    int32_t rc = prod_get(c, id, &p);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        walor_conv_end(c);
        return gone(c, 0);
    }
    const char *what = walor_ctx_printf(c, "p%lld «%s»", (long long)id, esc(c, p.name));
    if (!strcmp(f, "var"))
        return ask(c, walor_textf(c, "catalog.adm.ask.e_var", "what", what, NULL), NULL, NULL);
    if (!strcmp(f, "desc"))
        return ask(c, walor_textf(c, "catalog.adm.ask.e_desc", "what", what, NULL), NULL, NULL);
    if (!strcmp(f, "det"))
        return ask(c, walor_textf(c, "catalog.adm.ask.e_det", "what", what, NULL), NULL, NULL);
    if (!strcmp(f, "photo"))
        return ask(c, walor_textf(c, "catalog.adm.ask.e_photo", "what", what, NULL),
                   *p.photo ? T(c, "catalog.adm.btn.no_photo") : NULL, "nophoto");
    if (!strcmp(f, "unit"))
        return ask(c, walor_textf(c, "catalog.adm.ask.e_unit", "what", what, NULL), NULL, NULL);
    if (!strcmp(f, "disc"))
        return ask(c, walor_textf(c, "catalog.adm.ask.e_disc", "what", what, "now", catalog_num(c, p.disc), NULL), NULL, NULL);
    if (!strcmp(f, "low"))
        return ask(c, walor_textf(c, "catalog.adm.ask.e_low", "what", what, "now", catalog_num(c, p.low), NULL), NULL, NULL);
    if (!strcmp(f, "xids"))
        return ask(c, walor_textf(c, "catalog.adm.ask.e_xids", "what", what, "now",
                                  *p.xids ? esc(c, xids_shown(c, p.xids)) : "—", "max", catalog_num(c, XIDS_MAX), NULL),
                   NULL, NULL);
    if (!strcmp(f, "xtext"))
        return ask(c, walor_textf(c, "catalog.adm.ask.e_xtext", "what", what, NULL), NULL, NULL);
    if (!strcmp(f, "cat"))
        return ask(c, walor_textf(c, "catalog.adm.ask.e_cat", "what", what, "now", cat_title(c, p.cat), NULL),
                   T(c, "catalog.adm.btn.root"), "root");
    return go_back(c);
}

static int32_t edit_done(walor_ctx *c, const char *logline)
{
    log_action(c, logline);
    walor_reply(c, T(c, "catalog.adm.saved"), NULL);
    return go_back(c);
}

/* the category move, arg: the new parent */
static int32_t move_cat(walor_ctx *c, int64_t id, int64_t parent)
{
    cat_row cr;
    int32_t rc = cat_get(c, id, &cr);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        walor_conv_end(c);
        return gone(c, 0);
    }
    int64_t *ids = NULL, n = 0, height = 0, depth = 0;
    rc = subtree(c, id, &ids, &n, &height);
    if (rc == WALOR_ELIMIT)
        return retry(c, T(c, "catalog.adm.err.too_big"));
    if (rc < 0)
        return rc;
    for (int64_t i = 0; i < n; i++)
        if (ids[i] == parent)
            return retry(c, walor_textf(c, "catalog.adm.err.cycle", "to", cat_title(c, parent), NULL));
    if (parent != 0 && cat_depth(c, parent, &depth) != 0)
        return retry(c, T(c, "catalog.adm.err.cycle_db"));
    if (depth + 1 + height > MAX_DEPTH)
        return retry(c, walor_textf(c, "catalog.adm.err.depth", "max", catalog_num(c, MAX_DEPTH), NULL));
    if (parent == cr.parent)
        return edit_done(c, walor_ctx_printf(c, "оставил раздел c%lld «%s» на месте", (long long)id, cr.name));
    rc = walor_db_exec(c,
                       "UPDATE catalog_category SET parent_id = ?, sort = (SELECT coalesce(max(sort), 0) + 1 FROM "
                       "catalog_category WHERE parent_id = ?) WHERE id = ?",
                       WALOR_ARGS(walor_i(parent), walor_i(parent), walor_i(id)));
    if (rc < 0)
        return rc;
    data_set_str(c, "bk", "t");
    data_set_int(c, "bid", id);
    return edit_done(c, walor_ctx_printf(c, "переместил раздел c%lld «%s»: %s → %s", (long long)id, cr.name,
                                         cr.parent ? walor_ctx_printf(c, "c%lld", (long long)cr.parent) : "корень",
                                         parent ? walor_ctx_printf(c, "c%lld", (long long)parent) : "корень"));
}

static int32_t edit_prod_cat(walor_ctx *c, prod_row *p, int64_t cat)
{
    int32_t rc = prod_exec(c, p->id,
                               "UPDATE catalog_product SET category_id = ?, updated_at = ?, sort = (SELECT "
                               "coalesce(max(sort), 0) + 1 FROM catalog_product WHERE category_id = ?) WHERE id = ?",
                               WALOR_ARGS(walor_i(cat), walor_i(walor_now(c)), walor_i(cat), walor_i(p->id)));
    if (rc < 0)
        return rc;
    return edit_done(c, walor_ctx_printf(c, "перенёс товар p%lld «%s»: %s → %s", (long long)p->id, p->name,
                                         p->cat ? walor_ctx_printf(c, "c%lld", (long long)p->cat) : "корень",
                                         cat ? walor_ctx_printf(c, "c%lld", (long long)cat) : "корень"));
}

static int32_t edit_got(walor_ctx *c, const char *text)
{
    const char *f = data_str(c, "f");
    int64_t id = data_int(c, "id");
    if (!strcmp(f, "move")) {
        int64_t parent = 0;
        const char *why = NULL;
        int32_t rc = parse_parent(c, text, &parent, &why);
        if (rc < 0)
            return why ? retry(c, why) : rc;
        return move_cat(c, id, parent);
    }
    prod_row p;
    int32_t rc = prod_get(c, id, &p);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        walor_conv_end(c);
        return gone(c, 0);
    }
    int64_t now = walor_now(c);
    if (!strcmp(f, "var")) {
        int64_t price = 0;
        json_t *vars = NULL;
        const char *why = NULL;
        rc = parse_price_input(c, text, &price, &vars, &why);
        if (rc < 0)
            return why ? retry(c, why) : rc;
        rc = walor_tx_begin(c);
        if (rc >= 0)
            rc = store_variants(c, id, vars, price);
        if (rc >= 0)
            rc = walor_db_exec(c, "UPDATE catalog_product SET updated_at = ? WHERE id = ?",
                               WALOR_ARGS(walor_i(now), walor_i(id)));
        if (rc >= 0)
            rc = catalog_emit_changed(c, id);
        const char *line = walor_ctx_printf(c, "изменил цену/фасовки товара p%lld «%s»: %s", (long long)id, p.name,
                                            vars_plain(c, vars, price));
        json_decref(vars);
        if (rc >= 0)
            rc = log_action(c, line);
        if (rc >= 0)
            rc = walor_tx_commit(c);
        if (rc < 0) {
            walor_tx_rollback(c);
            return rc;
        }
        walor_reply(c, T(c, "catalog.adm.saved"), NULL);
        return go_back(c);
    }
    if (!strcmp(f, "desc") || !strcmp(f, "det")) {
        char *d = NULL;
        const char *why = NULL;
        rc = take_html(c, text, DESC_MAX_CP, &d, &why);
        if (rc < 0)
            return why ? retry(c, why) : rc;
        int is_desc = !strcmp(f, "desc");
        rc = prod_exec(c, id,
                           is_desc ? "UPDATE catalog_product SET description = ?, updated_at = ? WHERE id = ?"
                                   : "UPDATE catalog_product SET details = ?, updated_at = ? WHERE id = ?",
                           WALOR_ARGS(walor_s(d), walor_i(now), walor_i(id)));
        if (rc < 0)
            return rc;
        return edit_done(c, walor_ctx_printf(c, "%s %s товара p%lld «%s»", *d ? "изменил" : "очистил",
                                             is_desc ? "описание" : "«Подробнее»", (long long)id, p.name));
    }
    if (!strcmp(f, "photo")) {
        const char *fid = incoming_photo(c);
        if (!fid)
            return retry(c, T(c, "catalog.adm.err.not_photo"));
        /* the old photo's hosted URL would outrank the new photo on the card */
        rc = prod_exec(c, id, "UPDATE catalog_product SET photo_file_id = ?, image_url = NULL, updated_at = ? WHERE id = ?",
                       WALOR_ARGS(walor_s(fid), walor_i(now), walor_i(id)));
        if (rc < 0)
            return rc;
        log_action(c, walor_ctx_printf(c, "сменил фото товара p%lld «%s»", (long long)id, p.name));
        walor_reply(c, T(c, "catalog.adm.saved"), NULL);
        rc = catalog_photo_publish(c, id, fid);
        if (rc < 0)
            walor_log(c, WALOR_LOG_WARN, "catalog: image URL of product %lld not stored: %s", (long long)id,
                      walor_last_error(c));
        return go_back(c);
    }
    if (!strcmp(f, "unit")) {
        char *u = trim_copy(c, text);
        if (!u)
            return WALOR_ENOMEM;
        if (!strcmp(u, "-"))
            u[0] = 0;
        for (const char *q = u; *q; q++)
            if ((unsigned char)*q < 0x20)
                return retry(c, T(c, "catalog.adm.err.name_line"));
        if (cp_count(u) > UNIT_MAX_CP)
            return retry(c, walor_textf(c, "catalog.adm.err.unit_long", "max", catalog_num(c, UNIT_MAX_CP), NULL));
        rc = prod_exec(c, id, "UPDATE catalog_product SET unit = ?, updated_at = ? WHERE id = ?",
                           WALOR_ARGS(walor_s(u), walor_i(now), walor_i(id)));
        if (rc < 0)
            return rc;
        return edit_done(c, walor_ctx_printf(c, "изменил единицу товара p%lld «%s»: «%s» → «%s»", (long long)id, p.name,
                                             p.unit, u));
    }
    if (!strcmp(f, "disc") || !strcmp(f, "low")) {
        int is_disc = !strcmp(f, "disc");
        char *t = trim_copy(c, text);
        if (t && is_disc) { /* "15%" */
            size_t n = strlen(t);
            if (n > 0 && t[n - 1] == '%')
                t[--n] = 0;
            while (n > 0 && t[n - 1] == ' ')
                t[--n] = 0;
        }
        int64_t v = 0;
        if (!t || parse_num(t, &v) < 0 || (is_disc && v > 99) || (!is_disc && v > 1000000))
            return retry(c, T(c, is_disc ? "catalog.adm.err.disc" : "catalog.adm.err.low"));
        rc = prod_exec(c, id,
                           is_disc ? "UPDATE catalog_product SET discount_pct = ?, updated_at = ? WHERE id = ?"
                                   : "UPDATE catalog_product SET low_stock = ?, updated_at = ? WHERE id = ?",
                           WALOR_ARGS(walor_i(v), walor_i(now), walor_i(id)));
        if (rc < 0)
            return rc;
        return edit_done(c, is_disc ? walor_ctx_printf(c, "изменил скидку товара p%lld «%s»: %lld%% → %lld%%",
                                                       (long long)id, p.name, (long long)p.disc, (long long)v)
                                    : walor_ctx_printf(c, "изменил порог остатка товара p%lld «%s»: %lld → %lld",
                                                       (long long)id, p.name, (long long)p.low, (long long)v));
    }
    if (!strcmp(f, "cat")) {
        int64_t cat = 0;
        const char *why = NULL;
        rc = parse_parent(c, text, &cat, &why);
        if (rc < 0)
            return why ? retry(c, why) : rc;
        return edit_prod_cat(c, &p, cat);
    }
    if (!strcmp(f, "xids")) {
        const char *ids = NULL, *why = NULL;
        rc = parse_xids(c, text, id, &ids, &why);
        if (rc < 0)
            return why ? retry(c, why) : rc;
        rc = prod_exec(c, id, "UPDATE catalog_product SET crosssell_ids = ?, updated_at = ? WHERE id = ?",
                       WALOR_ARGS(walor_s(ids), walor_i(now), walor_i(id)));
        if (rc < 0)
            return rc;
        return edit_done(c, walor_ctx_printf(c, "изменил допродажу товара p%lld «%s»: «%s» → «%s»", (long long)id,
                                             p.name, xids_shown(c, p.xids), xids_shown(c, ids)));
    }
    if (!strcmp(f, "xtext")) {
        char *d = NULL;
        const char *why = NULL;
        rc = take_html(c, text, XTEXT_MAX_CP, &d, &why);
        if (rc < 0)
            return why ? retry(c, why) : rc;
        rc = prod_exec(c, id, "UPDATE catalog_product SET crosssell_text = ?, updated_at = ? WHERE id = ?",
                       WALOR_ARGS(walor_s(d), walor_i(now), walor_i(id)));
        if (rc < 0)
            return rc;
        return edit_done(c, walor_ctx_printf(c, "%s заголовок допродажи товара p%lld «%s»", *d ? "изменил" : "очистил",
                                             (long long)id, p.name));
    }
    return go_back(c);
}

static int32_t edit_btn(walor_ctx *c, const char *arg)
{
    const char *f = data_str(c, "f");
    int64_t id = data_int(c, "id");
    if (!strcmp(arg, "root")) {
        if (!strcmp(f, "move"))
            return move_cat(c, id, 0);
        if (!strcmp(f, "cat")) {
            prod_row p;
            int32_t rc = prod_get(c, id, &p);
            if (rc < 0)
                return rc;
            if (rc == 0) {
                walor_conv_end(c);
                return gone(c, 0);
            }
            return edit_prod_cat(c, &p, 0);
        }
    }
    if (!strcmp(arg, "nophoto") && !strcmp(f, "photo")) {
        prod_row p;
        int32_t rc = prod_get(c, id, &p);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            walor_conv_end(c);
            return gone(c, 0);
        }
        rc = prod_exec(c, id, "UPDATE catalog_product SET photo_file_id = NULL, image_url = NULL, updated_at = ? WHERE id = ?",
                           WALOR_ARGS(walor_i(walor_now(c)), walor_i(id)));
        if (rc < 0)
            return rc;
        return edit_done(c, walor_ctx_printf(c, "убрал фото товара p%lld «%s»", (long long)id, p.name));
    }
    return go_back(c);
}

/* ---- entry points ---- */

static int32_t start_conv(walor_ctx *c, const char *conv, const char *state, json_t *d, const char *bk, int64_t bid)
{
    json_object_set_new(d, "bk", json_string(bk));
    json_object_set_new(d, "bid", json_integer((json_int_t)bid));
    int32_t rc = walor_conv_start(c, conv, state, d);
    json_decref(d);
    return rc;
}

/* "x:12" → 12; "x:12:3" → 12, 3 */
static int split2(const char *s, int64_t *a, int64_t *b)
{
    *a = *b = 0;
    const char *colon = strchr(s, ':');
    char *buf = strdup(s);
    if (!buf)
        return -1;
    if (colon)
        buf[colon - s] = 0;
    int rc = parse_num(buf, a);
    if (rc == 0 && colon)
        rc = parse_num(colon + 1, b);
    free(buf);
    return rc;
}

/* e:<id>:<field>: one field of a product */
static int32_t start_edit(walor_ctx *c, const char *rest)
{
    const char *c2 = strchr(rest, ':');
    int64_t id = 0;
    if (!c2)
        return show_tree(c, 0, 0);
    char *idbuf = walor_ctx_printf(c, "%.*s", (int)(c2 - rest), rest);
    const char *f = c2 + 1;
    static const char *const FIELDS[] = {"var", "desc", "det", "photo", "unit", "disc", "low", "cat", "xids", "xtext"};
    int known = 0;
    for (size_t i = 0; i < sizeof FIELDS / sizeof FIELDS[0]; i++)
        if (!strcmp(f, FIELDS[i]))
            known = 1;
    if (!idbuf || parse_num(idbuf, &id) < 0 || !known)
        return show_tree(c, 0, 0);
    prod_row p;
    int32_t rc = prod_get(c, id, &p);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return gone(c, 0);
    return start_conv(c, "adm_edit", NULL, json_pack("{sIss}", "id", (json_int_t)id, "f", f), "p", id);
}

/* prefix cadm, MANAGER */
static int32_t on_adm(walor_ctx *c, const char *arg)
{
    const char *colon = strchr(arg, ':');
    size_t vl = colon ? (size_t)(colon - arg) : strlen(arg);
    const char *rest = colon ? colon + 1 : "";
    int64_t a = 0, b = 0;
    int ok = split2(rest, &a, &b) == 0;
#define IS(v) (vl == strlen(v) && !strncmp(arg, v, vl))
    if (IS("a"))
        return walor_show_admin_menu(c);
    if (vl == 1 && arg[0] == 'e')
        return start_edit(c, rest);
    if (!ok)
        return show_tree(c, 0, 0);
    if (IS("t"))
        return show_tree(c, a, b);
    if (IS("p"))
        return show_product(c, a);
    if (IS("h"))
        return toggle_cat(c, a);
    if (IS("ph"))
        return toggle_prod(c, a);
    if (IS("nc"))
        return start_conv(c, "adm_cat", NULL, json_pack("{sI}", "parent", (json_int_t)a), "t", a);
    if (IS("np")) {
        if (a != 0) {
            cat_row cr;
            int32_t rc = cat_get(c, a, &cr);
            if (rc < 0)
                return rc;
            if (rc == 0)
                return gone(c, 0);
        }
        /* from a category: that category; from the root: ask */
        return start_conv(c, "adm_prod", a ? "name" : NULL, json_pack("{sI}", "cat", (json_int_t)a), "t", a);
    }
    if (IS("s"))
        return start_conv(c, "adm_sort", NULL, json_pack("{sI}", "parent", (json_int_t)a), "t", a);
    if (IS("mv"))
        return start_conv(c, "adm_edit", NULL, json_pack("{sIss}", "id", (json_int_t)a, "f", "move"), "t", a);
#undef IS
    return show_tree(c, 0, 0);
}

/* prefix cown, OWNER: rename, delete */
static int32_t on_own(walor_ctx *c, const char *arg)
{
    const char *colon = strchr(arg, ':');
    if (!colon)
        return show_tree(c, 0, 0);
    int64_t id = 0;
    if (parse_num(colon + 1, &id) < 0)
        return show_tree(c, 0, 0);
    size_t vl = (size_t)(colon - arg);
#define IS(v) (vl == strlen(v) && !strncmp(arg, v, vl))
    if (IS("rc") || IS("rp")) {
        int is_p = arg[1] == 'p';
        const char *old = NULL;
        if (is_p) {
            prod_row p;
            int32_t rc = prod_get(c, id, &p);
            if (rc < 0)
                return rc;
            old = rc ? p.name : NULL;
        } else {
            cat_row cr;
            int32_t rc = cat_get(c, id, &cr);
            if (rc < 0)
                return rc;
            old = rc ? cr.name : NULL;
        }
        if (!old)
            return gone(c, 0);
        return start_conv(c, "adm_ren", NULL,
                          json_pack("{sIssss}", "id", (json_int_t)id, "k", is_p ? "p" : "c", "old", old),
                          is_p ? "p" : "t", id);
    }
    if (IS("dc"))
        return ask_delete_cat(c, id);
    if (IS("dcy"))
        return delete_cat(c, id, 0);
    if (IS("dca"))
        return delete_cat(c, id, 1);
    if (IS("dp"))
        return ask_delete_prod(c, id);
    if (IS("dpy"))
        return delete_prod(c, id);
#undef IS
    return show_tree(c, 0, 0);
}

static int32_t on_menu(walor_ctx *c)
{
    catalog_demo_ensure(c);
    return show_tree(c, 0, 0);
}

/* ---- registration ---- */

static const char *const TEXTS[][2] = {
    {"catalog.adm.root_name", "корень каталога"},
    {"catalog.adm.tree.root",
     "📦 <b>Товары</b>\nРазделы 📁 и товары корня каталога. 🙈 — скрыто от покупателей.\n"
     "ID: <code>c3</code> — раздел, <code>p5</code> — товар."},
    {"catalog.adm.tree.cat", "📁 <b>{name}</b> (c{id})\nВ разделе: {parent}\nСтатус: {status}"},
    {"catalog.adm.tree.empty", "Здесь пока пусто."},
    {"catalog.adm.page", "Страница {page} из {pages}"},
    {"catalog.adm.hidden_mark", "🙈"},
    {"catalog.adm.status.hidden", "🙈 скрыт"},
    {"catalog.adm.status.shown", "👁 виден покупателям"},
    {"catalog.adm.yes", "есть"},
    {"catalog.adm.no", "нет"},
    {"catalog.adm.gone", "Этого раздела или товара больше нет."},
    {"catalog.adm.btn.folder", "📁 c{id} {name}"},
    {"catalog.adm.btn.product", "p{id} {name}"},
    {"catalog.adm.btn.prev", "◀️"},
    {"catalog.adm.btn.next", "▶️"},
    {"catalog.adm.btn.new_cat", "➕ Раздел"},
    {"catalog.adm.btn.new_prod", "➕ Товар"},
    {"catalog.adm.btn.sort", "🔢 Порядок"},
    {"catalog.adm.btn.hide", "🙈 Скрыть"},
    {"catalog.adm.btn.show", "👁 Показать"},
    {"catalog.adm.btn.move", "↪️ Переместить"},
    {"catalog.adm.btn.rename", "✏️ Переименовать"},
    {"catalog.adm.btn.delete", "🗑 Удалить"},
    {"catalog.adm.btn.up", "⬆️ Наверх"},
    {"catalog.adm.btn.admin", "🛠 Админ-панель"},
    {"catalog.adm.btn.to_cat", "⬅️ К разделу"},
    {"catalog.adm.btn.cancel", "✖️ Отмена"},
    {"catalog.adm.btn.skip", "⏭ Пропустить"},
    {"catalog.adm.btn.root", "🗂 В корень каталога"},
    {"catalog.adm.btn.create", "✅ Создать"},
    {"catalog.adm.btn.del_yes", "🗑 Да, удалить"},
    {"catalog.adm.btn.del_all", "🗑 Удалить вместе с товарами"},
    {"catalog.adm.btn.no_photo", "🚫 Убрать фото"},
    {"catalog.adm.btn.e_name", "✏️ Название"},
    {"catalog.adm.btn.e_var", "💰 Цена / фасовки"},
    {"catalog.adm.btn.e_desc", "📝 Описание"},
    {"catalog.adm.btn.e_details", "📖 Подробнее"},
    {"catalog.adm.btn.e_photo", "🖼 Фото"},
    {"catalog.adm.btn.e_unit", "📏 Единица"},
    {"catalog.adm.btn.e_disc", "🔥 Скидка %"},
    {"catalog.adm.btn.e_low", "⚠️ Порог остатка"},
    {"catalog.adm.btn.e_cat", "📁 Раздел"},
    {"catalog.adm.btn.e_xids", "✨ Допродажа: товары"},
    {"catalog.adm.btn.e_xtext", "✨ Допродажа: заголовок"},
    {"catalog.adm.card",
     "📦 <b>{name}</b> (p{id})\n"
     "Раздел: {cat}\n"
     "{price_label}: {price}\n"
     "Единица: {unit}\n"
     "Описание: {desc}\n"
     "Подробнее: {details}\n"
     "Фото: {photo}\n"
     "Скидка: {disc}%\n"
     "Порог остатка: {low}\n"
     "Допродажа в корзине: {xids}\n"
     "Заголовок допродажи: {xtext}\n"
     "Статус: {status}"},
    {"catalog.adm.card.price", "Цена"},
    {"catalog.adm.card.variants", "Фасовки"},
    {"catalog.adm.hidden_done", "Скрыто от покупателей"},
    {"catalog.adm.shown_done", "Видно покупателям"},
    {"catalog.adm.deleted", "Удалено"},
    {"catalog.adm.created", "Товар создан"},
    {"catalog.adm.saved", "✅ Сохранено."},
    {"catalog.adm.sorted", "✅ Порядок сохранён."},
    {"catalog.adm.cat_created", "✅ Раздел c{id} «{name}» создан."},
    {"catalog.adm.nothing_changed", "Ничего не изменено."},
    {"catalog.adm.retry", "❌ {why}\n\nИсправьте и отправьте ещё раз или нажмите «Отмена»."},
    {"catalog.adm.desc_preview", "👀 Так текст увидят покупатели:"},
    {"catalog.adm.del_cat.empty", "🗑 Удалить пустой раздел c{id} «{name}»?"},
    {"catalog.adm.del_cat.full",
     "⚠️ В разделе c{id} «{name}» подразделов: {cats}, товаров: {prods}.\n"
     "Удалить его можно только вместе со всем содержимым — товары будут удалены безвозвратно. "
     "Если товары нужны, сначала перенесите их в другой раздел."},
    {"catalog.adm.del_prod", "🗑 Удалить товар p{id} «{name}» безвозвратно? Его фасовки и подписки тоже удалятся."},
    {"catalog.adm.ask.cat_name", "📁 Новый раздел в: {parent}\nНапишите название раздела:"},
    {"catalog.adm.ask.rename", "✏️ Новое название для {what}:"},
    {"catalog.adm.ask.sort",
     "🔢 Порядок в: {where}\nСейчас:{list}\n\n"
     "Напишите ID в нужном порядке через пробел, например <code>c1 c3 p5 p2</code>. "
     "Не названные останутся после них в прежнем порядке."},
    {"catalog.adm.ask.prod_cat",
     "📦 Новый товар. В какой раздел? Напишите ID раздела (например <code>c3</code>) или нажмите «В корень каталога»."},
    {"catalog.adm.ask.prod_name", "📦 Новый товар в: {cat}\nНапишите название товара:"},
    {"catalog.adm.ask.price",
     "💰 Цена или фасовки.\n"
     "Одна цена: <code>1500</code>\n"
     "Фасовки — <code>Объём:Цена:Вес</code>, по одной в строке или через запятую:\n"
     "<code>50 мл:1000:300, 100 мл:1800:550</code>"},
    {"catalog.adm.ask.desc",
     "📝 Краткое описание (можно HTML: &lt;b&gt;, &lt;i&gt;, &lt;a href&gt;…) или «Пропустить»:"},
    {"catalog.adm.ask.photo", "🖼 Пришлите фото товара (как картинку) или нажмите «Пропустить»:"},
    {"catalog.adm.ask.confirm",
     "Проверьте новый товар:\n<b>{name}</b>\nРаздел: {cat}\nЦена: {price}\nОписание: {desc}\nФото: {photo}\n\nСоздать?"},
    {"catalog.adm.ask.move",
     "↪️ Куда переместить {what}? Сейчас он в: {parent}.\nНапишите ID нового родительского раздела (например "
     "<code>c3</code>) или нажмите «В корень каталога»."},
    {"catalog.adm.ask.e_var",
     "💰 Цена или фасовки товара {what}.\nОдна цена: <code>1500</code>\n"
     "Фасовки: <code>50 мл:1000:300, 100 мл:1800:550</code> (или по одной в строке)."},
    {"catalog.adm.ask.e_desc", "📝 Новое описание товара {what} (HTML можно; «-» — очистить):"},
    {"catalog.adm.ask.e_det", "📖 Текст «Подробнее» товара {what} (HTML можно; «-» — очистить):"},
    {"catalog.adm.ask.e_photo", "🖼 Пришлите новое фото товара {what}:"},
    {"catalog.adm.ask.e_unit", "📏 Единица измерения товара {what} (мл, гр, шт…; «-» — убрать):"},
    {"catalog.adm.ask.e_disc", "🔥 Скидка товара {what} в процентах, 0–99 (сейчас {now}%):"},
    {"catalog.adm.ask.e_low", "⚠️ Порог остатка товара {what}: при остатке не выше него склад подсветит товар "
                              "(0 — не следить; сейчас {now}):"},
    {"catalog.adm.ask.e_xids",
     "✨ Какие товары предлагать в корзине вместе с {what}? Сейчас: {now}.\n"
     "Напишите ID через пробел, например <code>p5 p7</code> (не больше {max}; «-» — убрать). "
     "Без списка корзина предложит товары из того же раздела."},
    {"catalog.adm.ask.e_xtext",
     "✨ Заголовок над предложениями в корзине для {what}, например «С этим берут:» (HTML можно; «-» — "
     "стандартный заголовок):"},
    {"catalog.adm.ask.e_cat", "📁 В какой раздел перенести {what}? Сейчас: {now}.\nНапишите ID раздела (например "
                              "<code>c3</code>) или нажмите «В корень каталога»."},
    {"catalog.adm.err.name_empty", "Название не может быть пустым."},
    {"catalog.adm.err.name_line", "Нужна одна строка без служебных символов."},
    {"catalog.adm.err.name_long", "Слишком длинно: не больше {max} символов."},
    {"catalog.adm.err.unit_long", "Слишком длинно: не больше {max} символов."},
    {"catalog.adm.err.desc_empty", "Текст пустой. Напишите текст или «-», чтобы очистить."},
    {"catalog.adm.err.desc_long", "Слишком длинный текст: не больше {max} символов."},
    {"catalog.adm.err.html", "Telegram не примет этот текст: {why}\nПроверьте, что каждый тег закрыт."},
    {"catalog.adm.err.not_photo", "Это не фото. Пришлите картинку (не файлом)."},
    {"catalog.adm.err.variants", "Ошибки в фасовках — ничего не сохранено:\n{errors}"},
    {"catalog.adm.err.var_long", "Слишком длинный текст фасовок."},
    {"catalog.adm.err.price", "Цена «{price}» — {why}."},
    {"catalog.adm.err.zero", "должна быть больше нуля"},
    {"catalog.adm.err.disc", "Скидка — целое число от 0 до 99."},
    {"catalog.adm.err.low", "Порог — целое число от 0 и больше."},
    {"catalog.adm.err.bad_ref", "«{ref}» — не ID раздела. Пример: <code>c3</code>, 0 — корень."},
    {"catalog.adm.err.no_cat", "Раздела {ref} нет."},
    {"catalog.adm.err.cycle", "Нельзя переместить раздел в {to}: это он сам или его подраздел."},
    {"catalog.adm.err.cycle_db", "Дерево разделов повреждено (цикл): обратитесь к разработчику."},
    {"catalog.adm.err.depth", "Слишком глубокая вложенность: не больше {max} уровней."},
    {"catalog.adm.err.too_big", "Слишком большой раздел для этой операции."},
    {"catalog.adm.err.sort_bad", "Непонятные ID: {list} (пишите c3 для раздела, p5 для товара)."},
    {"catalog.adm.err.sort_unknown", "Неизвестные ID (их нет в {where}): {list}."},
    {"catalog.adm.err.sort_dup", "Повторяются: {list}."},
    {"catalog.adm.err.sort_empty", "Напишите хотя бы один ID."},
    {"catalog.adm.err.sort_many", "Слишком много ID: не больше {max}."},
    {"catalog.adm.err.xids_bad", "Непонятные ID: {list} (пишите p5 для товара)."},
    {"catalog.adm.err.xids_unknown", "Таких товаров нет: {list}."},
    {"catalog.adm.err.xids_dup", "Повторяются или указан сам товар: {list}."},
    {"catalog.adm.err.xids_empty", "Напишите хотя бы один ID или «-», чтобы убрать список."},
    {"catalog.adm.err.xids_many", "Слишком много товаров: не больше {max}."},
};

static const walor_conv_state ST_CAT[] = {
    {.struct_size = sizeof(walor_conv_state), .name = "name", .on_enter = newcat_ask, .on_message = newcat_got,
     .on_callback = conv_cancel_only},
};
static const walor_conv_state ST_REN[] = {
    {.struct_size = sizeof(walor_conv_state), .name = "name", .on_enter = ren_ask, .on_message = ren_got,
     .on_callback = conv_cancel_only},
};
static const walor_conv_state ST_SORT[] = {
    {.struct_size = sizeof(walor_conv_state), .name = "ids", .on_enter = sort_ask, .on_message = sort_got,
     .on_callback = conv_cancel_only},
};
static const walor_conv_state ST_PROD[] = {
    {.struct_size = sizeof(walor_conv_state), .name = "cat", .on_enter = np_cat_ask, .on_message = np_cat_got,
     .on_callback = np_cat_btn},
    {.struct_size = sizeof(walor_conv_state), .name = "name", .on_enter = np_name_ask, .on_message = np_name_got,
     .on_callback = conv_cancel_only},
    {.struct_size = sizeof(walor_conv_state), .name = "price", .on_enter = np_price_ask, .on_message = np_price_got,
     .on_callback = conv_cancel_only},
    {.struct_size = sizeof(walor_conv_state), .name = "desc", .on_enter = np_desc_ask, .on_message = np_desc_got,
     .on_callback = np_desc_btn},
    {.struct_size = sizeof(walor_conv_state), .name = "photo", .on_enter = np_photo_ask, .on_message = np_photo_got,
     .on_callback = np_photo_btn},
    {.struct_size = sizeof(walor_conv_state), .name = "confirm", .on_enter = np_confirm_ask,
     .on_message = np_confirm_msg, .on_callback = np_confirm_btn},
};
static const walor_conv_state ST_EDIT[] = {
    {.struct_size = sizeof(walor_conv_state), .name = "val", .on_enter = edit_ask, .on_message = edit_got,
     .on_callback = edit_btn},
};

static const char HELP[] =
    "<b>📦 Товары: как добавить и изменить</b>\n"
    "🛠 Админ-панель → «📦 Товары». Разделы показаны папками 📁 с ID <code>c3</code>, товары — с ID "
    "<code>p5</code>; 🙈 — скрыто от покупателей.\n"
    "• <b>Раздел</b>: «➕ Раздел» внутри нужного раздела (или в корне). В разделе: 🙈 Скрыть / 👁 Показать, "
    "↪️ Переместить (ID нового родителя или корень). Переименовать и удалить может только владелец; "
    "раздел с товарами удаляется только вместе с ними, по отдельной кнопке.\n"
    "• <b>Товар</b>: «➕ Товар» → название → цена или фасовки → описание → фото → «✅ Создать».\n"
    "• <b>Фасовки</b>: <code>Объём:Цена:Вес</code>, по одной в строке или через запятую: "
    "<code>50 мл:1000:300, 100 мл:1800:550</code> (вес в граммах можно не писать). При ошибке бот покажет "
    "номер каждой неверной строки и ничего не сохранит.\n"
    "• <b>Карточка товара</b>: кнопки меняют одно поле — цену/фасовки, описание, «Подробнее», фото, единицу, "
    "скидку %, порог остатка, раздел, видимость, допродажу (какие товары предложить в корзине — ID вроде "
    "<code>p5 p7</code> — и заголовок над ними). Название и удаление — только владелец.\n"
    "• <b>Порядок</b>: «🔢 Порядок» и ID через пробел: <code>c1 c3 p5 p2</code>. Если ID неизвестен, бот "
    "назовёт его и ничего не изменит.\n"
    "Все изменения записываются в журнал действий.";

int32_t catalog_admin_register(walor_plugin *p)
{
    const walor_menu_def menu = {.struct_size = sizeof menu, .min_role = WALOR_ROLE_MANAGER, .where = WALOR_MENU_ADMIN,
                                 .order = 100, .id = "products", .label = "📦 Товары", .on_press = on_menu,
                                 .group = WALOR_MENU_GROUP_GOODS};
    const walor_callback_def adm = {.struct_size = sizeof adm, .min_role = WALOR_ROLE_MANAGER, .prefix = "cadm",
                                    .handler = on_adm};
    const walor_callback_def own = {.struct_size = sizeof own, .min_role = WALOR_ROLE_OWNER, .prefix = "cown",
                                    .handler = on_own};
    const walor_conv_def convs[] = {
        {.struct_size = sizeof(walor_conv_def), .min_role = WALOR_ROLE_MANAGER, .name = "adm_cat", .states = ST_CAT,
         .nstates = 1, .timeout_s = 1800},
        {.struct_size = sizeof(walor_conv_def), .min_role = WALOR_ROLE_OWNER, .name = "adm_ren", .states = ST_REN,
         .nstates = 1, .timeout_s = 1800},
        {.struct_size = sizeof(walor_conv_def), .min_role = WALOR_ROLE_MANAGER, .name = "adm_sort", .states = ST_SORT,
         .nstates = 1, .timeout_s = 1800},
        {.struct_size = sizeof(walor_conv_def), .min_role = WALOR_ROLE_MANAGER, .name = "adm_prod", .states = ST_PROD,
         .nstates = sizeof ST_PROD / sizeof ST_PROD[0], .timeout_s = 3600},
        {.struct_size = sizeof(walor_conv_def), .min_role = WALOR_ROLE_MANAGER, .name = "adm_edit", .states = ST_EDIT,
         .nstates = 1, .timeout_s = 1800},
    };
    int32_t rc = walor_menu(p, &menu);
    if (!rc) rc = walor_callback(p, &adm);
    if (!rc) rc = walor_callback(p, &own);
    for (size_t i = 0; !rc && i < sizeof convs / sizeof convs[0]; i++)
        rc = walor_conversation(p, &convs[i]);
    for (size_t i = 0; !rc && i < sizeof TEXTS / sizeof TEXTS[0]; i++)
        rc = walor_text_default(p, TEXTS[i][0], TEXTS[i][1]);
    if (!rc) rc = walor_help(p, "📦 Товары: как добавить и изменить", HELP, WALOR_ROLE_MANAGER);
    return rc;
}
