/* catalog admin: one field of a product — price or variants, description,
 * «Подробнее», photo, unit, discount, low-stock threshold, category,
 * cross-sell IDs and heading — or a category's parent, each a form of one
 * step "adm_e_<field>" (SDK 1.3). The host checks the type; the validators
 * here check what only the catalog knows; field_done writes, logs and goes
 * back to the card (or the tree). */
#include <stdio.h>
#include <string.h>

#include "admin.h"

#define UNIT_MAX_CP 16
#define XTEXT_MAX_CP 500 /* code points of the cross-sell heading (the cart message has 4096 bytes) */

#define T(c, key) walor_text((c), (key))
#define D(c) walor_conv_data(c)
#define I(d, k) walor_data_int((d), (k))
#define S(d, k) walor_data_str((d), (k))

/* the cross-sell IDs as typed ("p5 p7", "5, 7", "р5"; "-" clears) → "5 7"
 * in data "ids"; every unknown ID, the product itself and repeats are named,
 * and then nothing is saved */
static int32_t xids_checked(walor_ctx *c, json_t *value, const char **why)
{
    json_t *d = D(c);
    int64_t self = I(d, "id"), ids[CATALOG_ADM_XIDS_MAX];
    char *s = walor_ctx_printf(c, "%s", json_string_value(value));
    const char *bad = "", *unknown = "", *dups = "", *norm = "";
    int n = 0, ntok = 0;
    char *save = NULL;
    if (strcmp(s, "-") != 0)
        for (char *tok = strtok_r(s, " ,;\n\t\r", &save); tok; tok = strtok_r(NULL, " ,;\n\t\r", &save)) {
            char kind = 0;
            int64_t id = 0, found = 0;
            if (++ntok > CATALOG_ADM_XIDS_MAX) {
                *why = walor_textf(c, "catalog.adm.err.xids_many", "max", catalog_num(c, CATALOG_ADM_XIDS_MAX), NULL);
                return WALOR_EINVAL;
            }
            if (catalog_adm_parse_ref(tok, &kind, &id) < 0 || kind == 'c' || id == 0) {
                bad = catalog_adm_joined(c, bad, walor_html_escape(c, catalog_cut(c, tok, 30)));
                continue;
            }
            const char *ref = walor_ctx_printf(c, "p%lld", (long long)id);
            int seen = id == self;
            for (int i = 0; i < n; i++)
                seen |= ids[i] == id;
            if (seen) {
                dups = catalog_adm_joined(c, dups, ref);
                continue;
            }
            int32_t rc = walor_db_int(c, "SELECT count(*) FROM catalog_product WHERE id = ?", WALOR_ARGS(walor_i(id)),
                                      &found);
            if (rc < 0)
                return rc;
            if (!found) {
                unknown = catalog_adm_joined(c, unknown, ref);
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
        *why = walor_ctx_printf(c, "%s\n%s", errs + 1, T(c, "catalog.adm.nothing_changed"));
    else if (n == 0 && strcmp(s, "-") != 0)
        *why = "catalog.adm.err.xids_empty";
    if (*why)
        return WALOR_EINVAL;
    json_object_set_new(d, "ids", json_string(norm));
    return 0;
}

/* a unit: "-" removes it */
static int32_t unit_checked(walor_ctx *c, json_t *value, const char **why)
{
    (void)why;
    if (!strcmp(json_string_value(value), "-"))
        json_object_set_new(D(c), "unit", json_string(""));
    return 0;
}

/* a category moved under `to`: not into itself or below, not too deep */
static int32_t move_checked(walor_ctx *c, json_t *value, const char **why)
{
    int32_t rc = catalog_adm_parent_checked(c, value, why);
    if (rc < 0)
        return rc;
    int64_t id = I(D(c), "id"), to = I(D(c), "to"), *ids = NULL, n = 0, height = 0, depth = 0;
    rc = catalog_adm_subtree(c, id, &ids, &n, &height);
    if (rc == WALOR_ELIMIT)
        *why = "catalog.adm.err.too_big";
    else if (rc < 0)
        return rc;
    for (int64_t i = 0; !*why && i < n; i++)
        if (ids[i] == to)
            *why = walor_textf(c, "catalog.adm.err.cycle", "to", catalog_adm_cat_title(c, to), NULL);
    if (!*why && to != 0 && catalog_adm_cat_depth(c, to, &depth) != 0)
        *why = "catalog.adm.err.cycle_db";
    if (!*why && depth + 1 + height > CATALOG_ADM_MAX_DEPTH)
        *why = walor_textf(c, "catalog.adm.err.depth", "max", catalog_num(c, CATALOG_ADM_MAX_DEPTH), NULL);
    return *why ? WALOR_EINVAL : 0;
}

static int32_t move_done(walor_ctx *c, json_t *d)
{
    int64_t id = I(d, "id"), to = I(d, "to");
    catalog_adm_cat cr;
    int32_t rc = catalog_adm_cat_get(c, id, &cr);
    if (rc <= 0)
        return rc < 0 ? rc : catalog_adm_gone(c, 0);
    if (to == cr.parent)
        return catalog_adm_form_saved(c, d, walor_ctx_printf(c, "оставил раздел c%lld «%s» на месте", (long long)id, cr.name));
    rc = walor_db_exec(c,
                       "UPDATE catalog_category SET parent_id = ?, sort = (SELECT coalesce(max(sort), 0) + 1 FROM "
                       "catalog_category WHERE parent_id = ?) WHERE id = ?",
                       WALOR_ARGS(walor_i(to), walor_i(to), walor_i(id)));
    if (rc < 0)
        return rc;
    return catalog_adm_form_saved(c, d, walor_ctx_printf(c, "переместил раздел c%lld «%s»: %s → %s", (long long)id, cr.name,
                                        cr.parent ? walor_ctx_printf(c, "c%lld", (long long)cr.parent) : "корень",
                                        to ? walor_ctx_printf(c, "c%lld", (long long)to) : "корень"));
}

static int32_t var_done(walor_ctx *c, json_t *d, const catalog_adm_prod *p)
{
    json_t *vars = json_object_get(d, "vars");
    int64_t price = I(d, "price");
    int32_t rc = walor_tx_begin(c);
    if (rc >= 0)
        rc = catalog_adm_store_variants(c, p->id, vars, price);
    if (rc >= 0)
        rc = walor_db_exec(c, "UPDATE catalog_product SET updated_at = ? WHERE id = ?",
                           WALOR_ARGS(walor_i(walor_now(c)), walor_i(p->id)));
    if (rc >= 0)
        rc = catalog_emit_changed(c, p->id);
    if (rc >= 0)
        rc = catalog_adm_log(c, walor_ctx_printf(c, "изменил цену/фасовки товара p%lld «%s»: %s", (long long)p->id, p->name,
                                          catalog_adm_vars_plain(c, vars, price)));
    if ((rc = walor_tx_end(c, rc)) < 0)
        return rc;
    walor_reply(c, T(c, "catalog.adm.saved"), NULL);
    return catalog_adm_form_back(c, d);
}

static int32_t photo_done(walor_ctx *c, json_t *d, const catalog_adm_prod *p)
{
    const char *fid = json_string_value(json_object_get(d, "photo")); /* NULL: "🚫 Убрать фото" */
    /* the old photo's hosted URL would outrank the new photo on the card */
    int32_t rc = catalog_adm_prod_exec(c, p->id,
                                "UPDATE catalog_product SET photo_file_id = ?, image_url = NULL, updated_at = ? "
                                "WHERE id = ?",
                                WALOR_ARGS(walor_s(fid), walor_i(walor_now(c)), walor_i(p->id)));
    if (rc < 0)
        return rc;
    if (!fid)
        return catalog_adm_form_saved(c, d, walor_ctx_printf(c, "убрал фото товара p%lld «%s»", (long long)p->id, p->name));
    catalog_adm_log(c, walor_ctx_printf(c, "сменил фото товара p%lld «%s»", (long long)p->id, p->name));
    walor_reply(c, T(c, "catalog.adm.saved"), NULL);
    if (catalog_photo_publish(c, p->id, fid) < 0)
        walor_log(c, WALOR_LOG_WARN, "catalog: image URL of product %lld not stored: %s", (long long)p->id,
                  walor_last_error(c));
    return catalog_adm_form_back(c, d);
}

/* one product column set to the answer, logged as line */
static int32_t column_done(walor_ctx *c, json_t *d, const catalog_adm_prod *p, const char *column, walor_val v,
                           const char *line)
{
    int32_t rc = catalog_adm_prod_exec(c, p->id,
                                walor_ctx_printf(c, "UPDATE catalog_product SET %s = ?, updated_at = ? WHERE id = ?",
                                                 column),
                                WALOR_ARGS(v, walor_i(walor_now(c)), walor_i(p->id)));
    return rc < 0 ? rc : catalog_adm_form_saved(c, d, line);
}

static int32_t field_done(walor_ctx *c, json_t *d)
{
    const char *f = S(d, "f");
    if (!strcmp(f, "move"))
        return move_done(c, d);
    catalog_adm_prod p;
    int32_t rc = catalog_adm_prod_get(c, I(d, "id"), &p);
    if (rc <= 0)
        return rc < 0 ? rc : catalog_adm_gone(c, 0);
    long long id = (long long)p.id;
    if (!strcmp(f, "var"))
        return var_done(c, d, &p);
    if (!strcmp(f, "photo"))
        return photo_done(c, d, &p);
    if (!strcmp(f, "desc") || !strcmp(f, "det")) {
        const char *t = catalog_adm_html_of(d, f);
        return column_done(c, d, &p, !strcmp(f, "desc") ? "description" : "details", walor_s(t),
                           walor_ctx_printf(c, "%s %s товара p%lld «%s»", *t ? "изменил" : "очистил",
                                            !strcmp(f, "desc") ? "описание" : "«Подробнее»", id, p.name));
    }
    if (!strcmp(f, "xtext")) {
        const char *t = catalog_adm_html_of(d, f);
        return column_done(c, d, &p, "crosssell_text", walor_s(t),
                           walor_ctx_printf(c, "%s заголовок допродажи товара p%lld «%s»", *t ? "изменил" : "очистил",
                                            id, p.name));
    }
    if (!strcmp(f, "unit"))
        return column_done(c, d, &p, "unit", walor_s(S(d, f)),
                           walor_ctx_printf(c, "изменил единицу товара p%lld «%s»: «%s» → «%s»", id, p.name, p.unit,
                                            S(d, f)));
    if (!strcmp(f, "disc"))
        return column_done(c, d, &p, "discount_pct", walor_i(I(d, f)),
                           walor_ctx_printf(c, "изменил скидку товара p%lld «%s»: %lld%% → %lld%%", id, p.name,
                                            (long long)p.disc, (long long)I(d, f)));
    if (!strcmp(f, "low"))
        return column_done(c, d, &p, "low_stock", walor_i(I(d, f)),
                           walor_ctx_printf(c, "изменил порог остатка товара p%lld «%s»: %lld → %lld", id, p.name,
                                            (long long)p.low, (long long)I(d, f)));
    if (!strcmp(f, "xids"))
        return column_done(c, d, &p, "crosssell_ids", walor_s(S(d, "ids")),
                           walor_ctx_printf(c, "изменил допродажу товара p%lld «%s»: «%s» → «%s»", id, p.name,
                                            catalog_adm_xids_shown(c, p.xids), catalog_adm_xids_shown(c, S(d, "ids"))));
    if (!strcmp(f, "cat")) {
        int64_t to = I(d, "to");
        rc = catalog_adm_prod_exec(c, p.id,
                            "UPDATE catalog_product SET category_id = ?, updated_at = ?, sort = (SELECT "
                            "coalesce(max(sort), 0) + 1 FROM catalog_product WHERE category_id = ?) WHERE id = ?",
                            WALOR_ARGS(walor_i(to), walor_i(walor_now(c)), walor_i(to), walor_i(p.id)));
        if (rc < 0)
            return rc;
        return catalog_adm_form_saved(c, d, walor_ctx_printf(c, "перенёс товар p%lld «%s»: %s → %s", id, p.name,
                                            p.cat ? walor_ctx_printf(c, "c%lld", (long long)p.cat) : "корень",
                                            to ? walor_ctx_printf(c, "c%lld", (long long)to) : "корень"));
    }
    return catalog_adm_form_back(c, d);
}

#define FIELD(k, t, p, ...) \
    {.struct_size = sizeof(walor_step_def), .type = (t), .key = (k), .prompt = (p), __VA_ARGS__}
/* one form each, "adm_e_<key>"; the prompts name the product as {what} */
static const walor_step_def FIELDS[] = {
    FIELD("var", WALOR_STEP_TEXT, "catalog.adm.ask.e_var", .validate = catalog_adm_price_checked),
    FIELD("desc", WALOR_STEP_TEXT, "catalog.adm.ask.e_desc", .error = "catalog.adm.err.desc", .max = CATALOG_ADM_DESC_MAX,
          .validate = catalog_adm_html_checked),
    FIELD("det", WALOR_STEP_TEXT, "catalog.adm.ask.e_det", .error = "catalog.adm.err.desc", .max = CATALOG_ADM_DESC_MAX,
          .validate = catalog_adm_html_checked),
    FIELD("photo", WALOR_STEP_PHOTO, "catalog.adm.ask.e_photo", .error = "catalog.adm.err.not_photo",
          .flags = WALOR_STEP_SKIP, .skip_label = "catalog.adm.btn.no_photo"),
    FIELD("unit", WALOR_STEP_STRING, "catalog.adm.ask.e_unit", .error = "catalog.adm.err.unit", .min = 1,
          .max = UNIT_MAX_CP, .validate = unit_checked),
    FIELD("disc", WALOR_STEP_INT, "catalog.adm.ask.e_disc", .error = "catalog.adm.err.disc", .min = 0, .max = 99),
    FIELD("low", WALOR_STEP_INT, "catalog.adm.ask.e_low", .error = "catalog.adm.err.low", .min = 0, .max = 1000000),
    FIELD("cat", WALOR_STEP_STRING, "catalog.adm.ask.e_cat", .min = 1, .max = 40, .nchoices = 1, .choices = catalog_adm_root,
          .validate = catalog_adm_parent_checked),
    FIELD("xids", WALOR_STEP_TEXT, "catalog.adm.ask.e_xids", .validate = xids_checked),
    FIELD("xtext", WALOR_STEP_TEXT, "catalog.adm.ask.e_xtext", .error = "catalog.adm.err.desc", .max = XTEXT_MAX_CP,
          .validate = catalog_adm_html_checked),
    FIELD("move", WALOR_STEP_STRING, "catalog.adm.ask.move", .min = 1, .max = 40, .nchoices = 1, .choices = catalog_adm_root,
          .validate = move_checked),
};
#undef FIELD
#define NFIELDS (sizeof FIELDS / sizeof FIELDS[0])

int32_t catalog_adm_edit(walor_ctx *c, int64_t id, const char *field)
{
    size_t i = 0;
    while (i < NFIELDS && strcmp(FIELDS[i].key, field) != 0)
        i++;
    if (i == NFIELDS)
        return catalog_adm_tree(c, 0, NULL);
    const char *form = walor_ctx_printf(c, "adm_e_%s", field);
    /* the prompts name the object as {what} and what it has now as {now},
     * plain text: the host escapes the data it renders */
    if (!strcmp(field, "move")) {
        catalog_adm_cat cr;
        int32_t rc = catalog_adm_cat_get(c, id, &cr);
        if (rc <= 0)
            return rc < 0 ? rc : catalog_adm_gone(c, 0);
        return catalog_adm_form_start(c, form, NULL,
                     json_pack("{sIssssss}", "id", (json_int_t)id, "f", field, "what", catalog_adm_plain_title(c, id), "now",
                               catalog_adm_plain_title(c, cr.parent)),
                     "t", id);
    }
    catalog_adm_prod p;
    int32_t rc = catalog_adm_prod_get(c, id, &p);
    if (rc <= 0)
        return rc < 0 ? rc : catalog_adm_gone(c, 0);
    const char *now = !strcmp(field, "disc")   ? catalog_num(c, p.disc)
                      : !strcmp(field, "low")  ? catalog_num(c, p.low)
                      : !strcmp(field, "xids") ? (*p.xids ? catalog_adm_xids_shown(c, p.xids) : "—")
                      : !strcmp(field, "cat")  ? catalog_adm_plain_title(c, p.cat)
                                               : "";
    return catalog_adm_form_start(c, form, NULL,
                 json_pack("{sIsssssssI}", "id", (json_int_t)id, "f", field, "what",
                           walor_ctx_printf(c, "p%lld «%s»", (long long)id, p.name), "now", now, "limit",
                           (json_int_t)CATALOG_ADM_XIDS_MAX),
                 "p", id);
}

int32_t catalog_adm_edit_register(walor_plugin *p)
{
    int32_t rc = 0;
    for (size_t i = 0; !rc && i < NFIELDS; i++) {
        char name[32];
        snprintf(name, sizeof name, "adm_e_%s", FIELDS[i].key);
        const walor_form_def f = {.struct_size = sizeof f, .min_role = WALOR_ROLE_MANAGER, .name = name,
                                  .steps = &FIELDS[i], .nsteps = 1, .timeout_s = CATALOG_ADM_FORM_TIMEOUT,
                                  .on_done = field_done, .on_cancel = catalog_adm_form_cancelled};
        rc = walor_form(p, &f);
    }
    return rc;
}
