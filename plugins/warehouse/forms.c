/* Bulk forms (forms.h) and the two that use them alone: write-off (F-WH-03)
 * and stock-take (F-WH-06). Both are SDK 1.3 forms of one step: the list (a
 * message, or a .txt file when it is too long for one — the host reads it),
 * every error named with its line number, then the summary with the parsed
 * lines and the changes; nothing changes until the staff member presses ✅,
 * and then all lines are applied in one transaction after checking them
 * again under the write lock. */
#include <stdlib.h>
#include <string.h>

#include "forms.h"
#include "formtext.h"
#include "wac.h"

#define PREVIEW_BYTES 3000 /* of a message's 4096, the rest is the frame */

static char *num(walor_ctx *c, int64_t n) { return walor_ctx_printf(c, "%lld", (long long)n); }

/* errors of a form, joined sorted by line number at the end */
typedef struct errlist {
    uint32_t n, cap;
    uint32_t *line;
    const char **msg; /* HTML */
} errlist;

static void adderr(walor_ctx *c, errlist *e, uint32_t line, const char *msg)
{
    if (e->n == e->cap) {
        uint32_t cap = e->cap ? 2 * e->cap : 32;
        uint32_t *l = walor_ctx_alloc(c, cap * sizeof *l);
        const char **m = walor_ctx_alloc(c, cap * sizeof *m);
        if (!l || !m)
            return;
        if (e->n) {
            memcpy(l, e->line, e->n * sizeof *l);
            memcpy(m, e->msg, e->n * sizeof *m);
        }
        e->line = l, e->msg = m, e->cap = cap;
    }
    e->line[e->n] = line;
    e->msg[e->n++] = msg;
}

/* "строка N: …" lines, by line number (stable); NULL when none. Messages
 * are HTML already: the host's quote what was typed and are escaped when
 * added, the plugin's own are texts with numbers and IDs only. */
static char *join_errors(walor_ctx *c, const errlist *e)
{
    if (!e->n)
        return NULL;
    uint32_t *ord = walor_ctx_alloc(c, e->n * sizeof *ord);
    if (!ord)
        return NULL;
    for (uint32_t i = 0; i < e->n; i++) { /* insertion sort: already almost in order */
        uint32_t j = i;
        while (j > 0 && e->line[ord[j - 1]] > e->line[i]) {
            ord[j] = ord[j - 1];
            j--;
        }
        ord[j] = i;
    }
    wr_buf b = {0};
    for (uint32_t i = 0; i < e->n; i++)
        wr_buf_add(c, &b, walor_ctx_printf(c, "строка %u: %s\n", e->line[ord[i]], e->msg[ord[i]]));
    return b.s;
}

/* The host's parser refuses a form with any bad line and lists them all;
 * to name the other lines' problems (unknown IDs, duplicates) in the same
 * answer, the good lines are then parsed one by one. */
static int32_t parse_all(walor_ctx *c, const char *text, uint32_t flags, walor_form_line **out, uint32_t *n,
                         errlist *e)
{
    const char *perr = NULL;
    int32_t rc = walor_form_parse(c, text, flags, out, n, &perr);
    if (rc != WALOR_EINVAL)
        return rc;
    *out = NULL;
    *n = 0;
    int too_many = 0;
    for (const char *p = perr ? perr : ""; *p;) { /* "строка N: msg\n" */
        size_t l = strcspn(p, "\n");
        unsigned line = 0;
        int off = 0;
        if (sscanf(p, "строка %u: %n", &line, &off) == 1 && off > 0) {
            adderr(c, e, line, walor_html_escape(c, walor_ctx_printf(c, "%.*s", (int)(l - (size_t)off), p + off)));
            const char *big = strstr(p, "слишком много строк"); /* the host's line limit */
            too_many |= big && (size_t)(big - p) < l;
        }
        p += l + (p[l] == '\n');
    }
    if (too_many)
        return 0; /* the size is the problem: no point checking 2,000 lines one by one */
    size_t cap = 64;
    walor_form_line *fl = walor_ctx_alloc(c, cap * sizeof *fl);
    uint32_t no = 0;
    for (const char *p = text; fl && *p;) {
        size_t l = strcspn(p, "\n");
        no++;
        walor_form_line *one = NULL;
        uint32_t k = 0;
        const char *ignored = NULL;
        if (walor_form_parse(c, walor_ctx_printf(c, "%.*s", (int)l, p), flags, &one, &k, &ignored) == 0 && k == 1) {
            if (*n == cap) {
                walor_form_line *g = walor_ctx_alloc(c, 2 * cap * sizeof *g);
                if (!g)
                    return WALOR_ENOMEM;
                memcpy(g, fl, cap * sizeof *g);
                fl = g, cap *= 2;
            }
            fl[*n] = one[0];
            fl[(*n)++].line = no;
        }
        p += l + (p[l] == '\n');
    }
    *out = fl;
    return fl ? 0 : WALOR_ENOMEM;
}

/* a simple open-addressing set of items already seen: 2,000 lines stay linear */
typedef struct seen {
    uint32_t cap;
    int64_t *pid, *vno;
    uint32_t *line;
} seen;

static uint32_t seen_slot(const seen *s, int64_t pid, int64_t vno)
{
    uint64_t h = (uint64_t)pid * 0x9E3779B97F4A7C15ull ^ (uint64_t)vno * 0xC2B2AE3D27D4EB4Full;
    uint32_t i = (uint32_t)(h >> 32) & (s->cap - 1);
    while (s->line[i] && (s->pid[i] != pid || s->vno[i] != vno))
        i = (i + 1) & (s->cap - 1);
    return i;
}

int32_t wr_form_resolve(walor_ctx *c, const char *text, uint32_t flags, wr_line_check check, int mode,
                        wr_fline **out, uint32_t *n, char **errors)
{
    *out = NULL;
    *n = 0;
    *errors = NULL;
    const walor_catalog_v1 *cat = wr_catalog(c);
    if (!cat)
        return WALOR_ENOSYS;
    walor_form_line *fl = NULL;
    uint32_t fn = 0;
    errlist errs = {0};
    int32_t rc = parse_all(c, text, flags, &fl, &fn, &errs);
    if (rc < 0)
        return rc;
    wr_fline *l = walor_ctx_alloc(c, (size_t)(fn ? fn : 1) * sizeof *l);
    seen s = {.cap = 16};
    while (s.cap < 2 * fn)
        s.cap *= 2;
    s.pid = walor_ctx_alloc(c, s.cap * sizeof *s.pid);
    s.vno = walor_ctx_alloc(c, s.cap * sizeof *s.vno);
    s.line = walor_ctx_alloc(c, s.cap * sizeof *s.line);
    if (!l || !s.pid || !s.vno || !s.line)
        return WALOR_ENOMEM;
    uint32_t k = 0;
    for (uint32_t i = 0; i < fn; i++) {
        const walor_form_line *f = &fl[i];
        wr_fline *x = &l[k];
        memset(x, 0, sizeof *x);
        x->line = f->line, x->pid = f->id, x->vno = f->sub, x->qty = f->qty, x->amount = f->amount;
        const char *ref = wr_ref(c, f->id, f->sub);
        uint32_t slot = seen_slot(&s, f->id, f->sub);
        if (s.line[slot]) {
            adderr(c, &errs, f->line,
                   walor_textf(c, "warehouse.form.dup", "id", ref, "line", num(c, s.line[slot]), NULL));
            continue;
        }
        s.pid[slot] = f->id, s.vno[slot] = f->sub, s.line[slot] = f->line;
        rc = cat->item(c, f->id, f->sub, &x->it);
        if (rc == WALOR_ENOTFOUND) {
            walor_catalog_item v1;
            const char *key = "warehouse.form.unknown";
            if (f->sub == 0 && cat->item(c, f->id, 1, &v1) == 0)
                key = "warehouse.form.has_variants";
            else if (f->sub > 0 && cat->item(c, f->id, 1, &v1) == 0)
                key = "warehouse.form.no_variant";
            else if (f->sub > 0 && cat->item(c, f->id, 0, &v1) == 0)
                key = "warehouse.form.no_variants";
            adderr(c, &errs, f->line, walor_textf(c, key, "id", ref, "pid", num(c, f->id), NULL));
            continue;
        }
        if (rc < 0)
            return rc;
        if ((rc = wr_level_get(c, f->id, f->sub, &x->lv)) < 0)
            return rc;
        const char *e = check ? check(c, mode, x) : NULL;
        if (e) {
            adderr(c, &errs, f->line, e);
            continue;
        }
        k++;
    }
    if (errs.n) {
        *errors = join_errors(c, &errs);
        return WALOR_EINVAL;
    }
    *out = l;
    *n = k;
    return 0;
}

json_t *wr_lines_json(const wr_fline *l, uint32_t n)
{
    json_t *a = json_array();
    for (uint32_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_pack("[I, I, I, I, I]", (json_int_t)l[i].line, (json_int_t)l[i].pid,
                                           (json_int_t)l[i].vno, (json_int_t)l[i].qty, (json_int_t)l[i].amount));
    return a;
}

int32_t wr_lines_load(walor_ctx *c, json_t *arr, wr_fline **out, uint32_t *n)
{
    *out = NULL;
    *n = 0;
    size_t cnt = json_array_size(arr);
    const walor_catalog_v1 *cat = wr_catalog(c);
    if (!cnt || !cat)
        return WALOR_ENOTFOUND;
    wr_fline *l = walor_ctx_alloc(c, cnt * sizeof *l);
    if (!l)
        return WALOR_ENOMEM;
    for (size_t i = 0; i < cnt; i++) {
        json_t *e = json_array_get(arr, i);
        wr_fline *x = &l[i];
        x->line = (uint32_t)json_integer_value(json_array_get(e, 0));
        x->pid = (int64_t)json_integer_value(json_array_get(e, 1));
        x->vno = (int64_t)json_integer_value(json_array_get(e, 2));
        x->qty = (int64_t)json_integer_value(json_array_get(e, 3));
        x->amount = (int64_t)json_integer_value(json_array_get(e, 4));
        int32_t rc = cat->item(c, x->pid, x->vno, &x->it);
        if (rc == 0)
            rc = wr_level_get(c, x->pid, x->vno, &x->lv);
        if (rc == 0 && x->lv.deleted)
            rc = WALOR_ENOTFOUND;
        if (rc < 0)
            return rc;
    }
    *out = l;
    *n = (uint32_t)cnt;
    return 0;
}

char *wr_form_comment(walor_ctx *c, const char *text)
{
    const char *s = NULL;
    size_t l = 0;
    return wr_comment_span(text, 200, &s, &l) ? walor_ctx_printf(c, "%.*s", (int)l, s) : NULL;
}

/* ---- write-off and stock-take: forms of one step, the list ---- */

#define MODE_WRITEOFF 'w'
#define MODE_STOCKTAKE 't'

/* the mode's text key: warehouse.wo.<what> or warehouse.st.<what> */
static const char *K_(walor_ctx *c, int mode, const char *what)
{
    return walor_ctx_printf(c, "warehouse.%s.%s", mode == MODE_WRITEOFF ? "wo" : "st", what);
}
#define K(mode, what) K_(c, mode, what)

static int mode_of(json_t *d) { return json_is_true(json_object_get(d, "stocktake")) ? MODE_STOCKTAKE : MODE_WRITEOFF; }

/* the mode's own check of one resolved line; NULL when fine */
static const char *line_error(walor_ctx *c, int mode, const wr_fline *x)
{
    if (x->lv.deleted)
        return walor_text(c, "warehouse.item_gone");
    if (mode == MODE_WRITEOFF && x->qty > x->lv.on_hand - x->lv.reserved)
        return walor_textf(c, "warehouse.wo.too_much", "available", num(c, x->lv.on_hand - x->lv.reserved), "qty",
                           num(c, x->qty), NULL);
    if (mode == MODE_STOCKTAKE && x->qty < x->lv.reserved)
        return walor_textf(c, "warehouse.st.below_reserved", "reserved", num(c, x->lv.reserved), NULL);
    if (x->qty > WR_QTY_MAX)
        return walor_textf(c, "warehouse.form.qty_max", "max", num(c, WR_QTY_MAX), NULL);
    return NULL;
}

static char *check_lines(walor_ctx *c, int mode, const wr_fline *l, uint32_t n)
{
    errlist errs = {0};
    for (uint32_t i = 0; i < n; i++) {
        const char *e = line_error(c, mode, &l[i]);
        if (e)
            adderr(c, &errs, l[i].line, e);
    }
    return join_errors(c, &errs);
}

static const char *errors_why(walor_ctx *c, int mode, const char *errs)
{
    return walor_textf(c, K(mode, "errors"), "errors", wr_cut_lines(c, errs, PREVIEW_BYTES), NULL);
}

/* the list, typed or sent as a file: parsed, resolved and checked, every
 * bad line named; the resolved lines replace the text in the data */
static int32_t lines_checked(walor_ctx *c, json_t *value, const char **why)
{
    json_t *d = walor_conv_data(c);
    int mode = mode_of(d);
    const char *in = json_string_value(value);
    wr_fline *l;
    uint32_t n;
    char *errs = NULL;
    int32_t rc = wr_form_resolve(c, in, mode == MODE_STOCKTAKE ? WALOR_FORM_ZERO : 0, line_error, mode, &l, &n,
                                 &errs);
    if (rc == WALOR_ENOSYS)
        *why = "warehouse.no_catalog";
    else if (errs)
        *why = errors_why(c, mode, errs);
    if (rc < 0)
        return rc == WALOR_ENOSYS ? WALOR_EINVAL : rc;
    const char *comment = wr_form_comment(c, in);
    json_object_set_new(d, "comment", json_string(comment ? comment : ""));
    json_object_set_new(d, "lines", wr_lines_json(l, n));
    return 0;
}

static const char *ask(walor_ctx *c, json_t *d) { return walor_text(c, K(mode_of(d), "ask")); }

/* the summary: what changes, before anything does */
static const char *preview(walor_ctx *c, json_t *d)
{
    int mode = mode_of(d);
    wr_fline *l;
    uint32_t n;
    if (wr_lines_load(c, json_object_get(d, "lines"), &l, &n) != 0)
        return walor_text(c, "warehouse.form.changed");
    char *list = walor_ctx_printf(c, "%s", "");
    int64_t units = 0, value = 0, same = 0, changed = 0;
    for (uint32_t i = 0; i < n; i++) {
        const wr_fline *x = &l[i];
        int64_t after = mode == MODE_WRITEOFF ? x->lv.on_hand - x->qty : x->qty;
        int64_t diff = after - x->lv.on_hand;
        if (mode == MODE_STOCKTAKE && diff == 0) {
            same++;
            continue;
        }
        changed++;
        units += diff;
        value += diff * x->lv.unit_cost;
        if (changed <= WR_LIST_SHOWN)
            list = walor_ctx_printf(c, "%s%s\n", list,
                                    walor_textf(c, K(mode, "line"), "id", wr_ref(c, x->pid, x->vno), "title",
                                                wr_title(c, &x->it), "from", num(c, x->lv.on_hand), "to",
                                                num(c, after), "diff", wr_signed(c, diff), NULL));
    }
    if (changed > WR_LIST_SHOWN)
        list = walor_ctx_printf(c, "%s%s", list,
                                walor_textf(c, "warehouse.more", "n", num(c, changed - WR_LIST_SHOWN), NULL));
    return walor_textf(c, K(mode, "preview"), "list", list, "n", num(c, n), "changed", num(c, changed), "same",
                       num(c, same), "units", wr_signed(c, units), "value", walor_money(c, value), NULL);
}

/* ✅: every line checked again under the write lock, then all applied in one transaction */
static int32_t apply(walor_ctx *c, json_t *d)
{
    int mode = mode_of(d);
    const char *comment = json_string_value(json_object_get(d, "comment"));
    if (!comment || !*comment)
        comment = walor_text(c, K(mode, "comment"));
    int32_t rc = walor_tx_begin(c);
    if (rc < 0)
        return rc;
    wr_fline *l;
    uint32_t n;
    /* levels re-read under the write lock: an order may have taken stock since the preview */
    rc = wr_lines_load(c, json_object_get(d, "lines"), &l, &n);
    char *errs = rc == 0 ? check_lines(c, mode, l, n) : NULL;
    if (rc == WALOR_ENOTFOUND || errs) {
        walor_tx_rollback(c);
        return walor_form_retry(c, "lines", errs ? errors_why(c, mode, errs) : "warehouse.form.changed");
    }
    int64_t units = 0, changed = 0;
    for (uint32_t i = 0; rc == 0 && i < n; i++) {
        int64_t diff = mode == MODE_WRITEOFF ? -l[i].qty : l[i].qty - l[i].lv.on_hand;
        if (diff == 0)
            continue;
        wr_move_def mv = {.product_id = l[i].pid, .variant_no = l[i].vno,
                          .kind = mode == MODE_WRITEOFF ? "writeoff" : "stocktake", .d_on_hand = diff,
                          .new_cost = -1, .comment = comment};
        rc = wr_move(c, &mv);
        units += diff;
        changed++;
    }
    if ((rc = walor_tx_end(c, rc)) < 0)
        return rc;
    char *refs = walor_ctx_printf(c, "%s", "");
    for (uint32_t i = 0; i < n && i < 10; i++)
        refs = walor_ctx_printf(c, "%s%s%s", refs, i ? ", " : "", wr_ref(c, l[i].pid, l[i].vno));
    wr_action(c, walor_ctx_printf(c, "%s: %s, изменено %s, %s шт (%s%s) · %s",
                                  mode == MODE_WRITEOFF ? "списание" : "инвентаризация",
                                  walor_plural(c, n, "строка|строки|строк", 0),
                                  walor_plural(c, changed, "позиция|позиции|позиций", 0), wr_signed(c, units), refs,
                                  n > 10 ? ", …" : "", comment));
    walor_kb *kb = walor_kb_new(c);
    walor_kb_button(kb, walor_text(c, "warehouse.btn.overview"), "wrh:o:0");
    wr_kb_back(c, kb);
    return walor_reply(c,
                       walor_textf(c, K(mode, "done"), "n", walor_plural(c, changed, "позиция|позиции|позиций", 0),
                                   "units", wr_signed(c, units), NULL),
                       kb);
}

static int32_t cancelled(walor_ctx *c)
{
    walor_reply(c, walor_text(c, K(mode_of(walor_conv_data(c)), "cancelled")), NULL);
    return wr_section(c);
}

int32_t wr_writeoff_start(walor_ctx *c) { return walor_conv_start(c, "writeoff", NULL, NULL); }

int32_t wr_stocktake_start(walor_ctx *c)
{
    json_t *d = json_pack("{s:b}", "stocktake", 1);
    int32_t rc = walor_conv_start(c, "stocktake", NULL, d);
    json_decref(d);
    return rc;
}

/* a new list typed at the preview replaces the previous one */
static const walor_step_def LIST_STEP[] = {
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_TEXT, .key = "lines", .prompt_fn = ask,
     .prompt = "warehouse.wo.ask", .max = WR_FILE_CHARS, .flags = WALOR_STEP_FILE | WALOR_STEP_AT_SUMMARY,
     .validate = lines_checked},
};

int32_t wr_forms_register(walor_plugin *p)
{
    const walor_form_def wo = {.struct_size = sizeof wo, .min_role = WALOR_ROLE_MANAGER, .name = "writeoff",
                               .steps = LIST_STEP, .nsteps = 1, .timeout_s = 1800, .summary_fn = preview,
                               .on_done = apply, .on_cancel = cancelled, .done_label = "warehouse.wo.btn_ok"};
    const walor_form_def st = {.struct_size = sizeof st, .min_role = WALOR_ROLE_MANAGER, .name = "stocktake",
                               .steps = LIST_STEP, .nsteps = 1, .timeout_s = 3600, .summary_fn = preview,
                               .on_done = apply, .on_cancel = cancelled, .done_label = "warehouse.st.btn_ok"};
    int32_t rc = walor_form(p, &wo);
    if (!rc) rc = walor_form(p, &st);
    return rc;
}
