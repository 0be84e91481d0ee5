#include "steps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_slots.h"
#include "register.h"
#include "conv.h"
#include "ctx.h"
#include "error.h"
#include "host.h"
#include "html.h"
#include "input.h"
#include "money.h"
#include "num.h"
#include "texts.h"
#include "utf8.h"

#define KEEP_LABEL_MAX 40   /* characters of the old value shown on the "Оставить" button */
#define INPUT_SHOWN 200     /* characters of a refused answer shown as {input} */
#define FILE_CHARS 262144   /* characters of a FILE step's text when its max is 0 */
#define FILE_BYTES_MAX (4u * 1024 * 1024) /* of a downloaded file, whatever the step's max */

static const wh_form *form_of(walor_ctx *c) { return c->conv.def ? c->conv.def->form : NULL; }

static const walor_step_def *cur_step(walor_ctx *c)
{
    const wh_form *f = form_of(c);
    return f && c->conv.state && c->conv.state->step >= 0 ? &f->steps[c->conv.state->step] : NULL;
}

static int has_summary(const wh_form *f) { return f->summary || f->summary_fn; }

/* does step s apply to the data now (walor_step_def.ask_if)? */
static int applies(walor_ctx *c, const walor_step_def *s) { return !s->ask_if || s->ask_if(c, c->conv.data) != 0; }

/* the shop's date today, in days since 1970-01-01 (the process runs in the shop's zone) */
static int64_t today(void)
{
    time_t t = (time_t)wh_now();
    struct tm tm;
    if (!localtime_r(&t, &tm))
        return (int64_t)t / 86400;
    return wh_days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday);
}

/* a text key of the plugin, or the text itself */
static const char *plain(const char *key)
{
    const char *t = key ? wh_text_get(key) : NULL;
    return t ? t : key ? key : "";
}

static const walor_step_choice *choices(walor_ctx *c, const walor_step_def *s, uint32_t *n)
{
    if (s->choices_fn) {
        *n = 0;
        const walor_step_choice *v = s->choices_fn(c, c->conv.data, n);
        if (!v)
            *n = 0;
        return v;
    }
    *n = s->nchoices;
    return s->choices;
}

static const char *date_shown(walor_ctx *c, const char *iso)
{
    int y = 0, m = 0, d = 0;
    if (!iso || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3)
        return iso ? iso : "";
    return wh_arena_printf(c->arena, "%02d.%02d.%04d", d, m, y);
}

/* a stored value as a person reads it; html: escaped for a message, else plain (a button) */
static const char *shown(walor_ctx *c, const walor_step_def *s, json_t *v, int html)
{
    char buf[WH_MONEY_BUF];
    if (!v || json_is_null(v))
        return "—";
    if (json_is_integer(v)) {
        if (s && s->type == WALOR_STEP_MONEY) {
            wh_money_format(buf, sizeof buf, (int64_t)json_integer_value(v));
            return wh_arena_strdup(c->arena, buf);
        }
        return wh_arena_printf(c->arena, "%lld", (long long)json_integer_value(v));
    }
    if (json_is_real(v))
        return wh_arena_printf(c->arena, "%g", json_real_value(v));
    if (json_is_boolean(v))
        return json_is_true(v) ? "да" : "нет";
    const char *str = json_string_value(v);
    if (!str)
        return "…";
    if (s && s->type == WALOR_STEP_PHOTO)
        return plain("core.step.photo");
    if (s && s->type == WALOR_STEP_DATE)
        return date_shown(c, str);
    if (s && s->type == WALOR_STEP_CHOICE) {
        uint32_t n;
        const walor_step_choice *ch = choices(c, s, &n);
        for (uint32_t i = 0; i < n; i++)
            if (ch[i].value && !strcmp(ch[i].value, str)) {
                str = plain(ch[i].label);
                break;
            }
    }
    return html ? wh_html_escape(c->arena, str) : str;
}

static const char *bound(walor_ctx *c, const walor_step_def *s, int64_t v)
{
    char buf[WH_MONEY_BUF];
    switch (s->type) {
    case WALOR_STEP_MONEY: wh_money_format(buf, sizeof buf, v); return wh_arena_strdup(c->arena, buf);
    case WALOR_STEP_DATE: {
        int64_t y;
        unsigned m, d;
        wh_civil_from_days(today() + v, &y, &m, &d);
        return wh_arena_printf(c->arena, "%02u.%02u.%04lld", d, m, (long long)y);
    }
    default: wh_num_format(buf, sizeof buf, v, 0); return wh_arena_strdup(c->arena, buf);
    }
}

/* key (or literal text) with {key} of every value in the data and the
 * current step's {min} {max} */
static char *render(walor_ctx *c, const char *key)
{
    const wh_form *f = form_of(c);
    json_t *data = c->conv.data;
    size_t cap = json_object_size(data) + (f ? f->nsteps : 0) + 3, n = 0;
    const char **names = wh_arena_alloc(c->arena, cap * sizeof *names);
    const char **vals = wh_arena_alloc(c->arena, cap * sizeof *vals);
    if (!names || !vals)
        return NULL;
    for (uint32_t i = 0; f && i < f->nsteps; i++) {
        names[n] = f->steps[i].key;
        vals[n++] = shown(c, &f->steps[i], json_object_get(data, f->steps[i].key), 1);
    }
    const char *k;
    json_t *v;
    json_object_foreach(data, k, v) {
        int step = 0;
        for (uint32_t i = 0; f && i < f->nsteps && !step; i++)
            step = !strcmp(f->steps[i].key, k);
        if (!step && n + 3 < cap) {
            names[n] = k;
            vals[n++] = shown(c, NULL, v, 1);
        }
    }
    if (c->conv.input) {
        size_t k = wh_utf8_prefix(c->conv.input, INPUT_SHOWN);
        names[n] = "input";
        vals[n++] = wh_html_escape(c->arena, wh_arena_printf(c->arena, "%.*s%s", (int)k, c->conv.input,
                                                              c->conv.input[k] ? "…" : ""));
    }
    const walor_step_def *s = cur_step(c);
    if (s && !(s->min == 0 && s->max == 0)) {
        names[n] = "min";
        vals[n++] = bound(c, s, s->min);
        names[n] = "max";
        vals[n++] = bound(c, s, s->max);
    }
    return wh_text_render_pairs(c->arena, key, names, vals, n);
}

static const char *question(walor_ctx *c, const walor_step_def *s)
{
    const char *q = s->prompt_fn ? s->prompt_fn(c, c->conv.data) : NULL;
    return q ? q : render(c, s->prompt);
}

static const char *with_why(walor_ctx *c, const char *why_html, const char *html)
{
    if (!why_html || !*why_html)
        return html;
    const char *names[] = {"why", "question"}, *vals[] = {why_html, html};
    return wh_text_render_pairs(c->arena, "core.step.again", names, vals, 2);
}

static char *conv_data(walor_ctx *c, const char *prefix, const walor_step_def *s, const char *rest)
{
    return wh_arena_printf(c->arena, "%s:%s%s%s", prefix, s->key, rest ? ":" : "", rest ? rest : "");
}

/* the question of step s, with its buttons: answers, keep, skip (the host adds ✖️) */
static int32_t ask(walor_ctx *c, const walor_step_def *s, const char *why_html)
{
    const walor_host_api *api = c->head.api;
    walor_kb *kb = api->kb_new(c);
    uint32_t n;
    const walor_step_choice *ch = choices(c, s, &n);
    for (uint32_t i = 0; kb && i < n; i++) {
        if (!ch[i].value || !ch[i].label)
            continue;
        if (i && i % 2 == 0)
            api->kb_row(kb);
        api->kb_conv_button(kb, plain(ch[i].label), conv_data(c, "v", s, ch[i].value));
    }
    api->kb_row(kb);
    json_t *old = json_object_get(c->conv.data, s->key);
    if (old && !json_is_null(old) && ((s->flags & WALOR_STEP_KEEP) || c->conv.back)) {
        const char *v = shown(c, s, old, 0);
        char cut[KEEP_LABEL_MAX * 4 + 4];
        size_t k = wh_utf8_prefix(v, KEEP_LABEL_MAX * 2);
        snprintf(cut, sizeof cut, "%.*s%s", (int)k, v, v[k] ? "…" : "");
        const char *names[] = {"value"}, *vals[] = {cut};
        api->kb_conv_button(kb,
                            wh_text_render_pairs(c->arena, s->keep_label ? s->keep_label : "core.step.keep", names,
                                                 vals, 1),
                            conv_data(c, "k", s, NULL));
    }
    if (s->flags & WALOR_STEP_SKIP)
        api->kb_conv_button(kb, plain(s->skip_label ? s->skip_label : "core.step.skip"), conv_data(c, "s", s, NULL));
    return wh_conv_ask(c, with_why(c, why_html, question(c, s)), kb, 0);
}

/* ---- the summary ---- */

static const wh_conv_state_def *summary_state(walor_ctx *c)
{
    return &c->conv.def->states[form_of(c)->nsteps];
}

static const char *summary_text(walor_ctx *c)
{
    const wh_form *f = form_of(c);
    const char *t = f->summary_fn ? f->summary_fn(c, c->conv.data) : NULL;
    return t ? t : render(c, f->summary);
}

static const char *done_label(walor_ctx *c) { return plain(form_of(c)->done_label ? form_of(c)->done_label : "core.step.done"); }

static int32_t show_summary(walor_ctx *c, int edit, const char *why_html)
{
    const walor_host_api *api = c->head.api;
    walor_kb *kb = api->kb_new(c);
    api->kb_conv_button(kb, done_label(c), "ok");
    api->kb_conv_button(kb, plain("core.step.edit"), "ed");
    return wh_conv_ask(c, with_why(c, why_html, summary_text(c)), kb, edit);
}

/* "✏️ Изменить": one button a step, in place of the summary's */
static int32_t show_edit_list(walor_ctx *c)
{
    const walor_host_api *api = c->head.api;
    const wh_form *f = form_of(c);
    walor_kb *kb = api->kb_new(c);
    uint32_t shown = 0, only = 0;
    for (uint32_t i = 0; i < f->nsteps; i++)
        if (applies(c, &f->steps[i]))
            shown++, only = i;
    if (shown == 1)
        return wh_conv_goto_step(c, &c->conv.def->states[only], 1);
    shown = 0;
    for (uint32_t i = 0; i < f->nsteps; i++) {
        const walor_step_def *s = &f->steps[i];
        if (!applies(c, s))
            continue;
        if (shown && shown % 2 == 0)
            api->kb_row(kb);
        shown++;
        api->kb_conv_button(kb, plain(s->label ? s->label : s->key), conv_data(c, "e", s, NULL));
    }
    api->kb_row(kb);
    api->kb_conv_button(kb, plain("core.btn.back"), "sum");
    return wh_conv_ask(c, wh_arena_printf(c->arena, "%s\n\n%s", summary_text(c), plain("core.step.which")), kb, 1);
}

/* ---- moving on ---- */

static int32_t done(walor_ctx *c)
{
    const wh_form *f = form_of(c);
    int64_t seq = c->conv.seq;
    c->conv.retried = 0;
    c->conv.enter_pending = NULL;
    int32_t rc = f->on_done(c, c->conv.data);
    if (rc < 0)
        return rc; /* the form stays where it was: the user may try again */
    /* on_done sent the form back to a step, moved it on, or started another conversation */
    if (c->conv.retried || c->conv.enter_pending || !c->conv.active || c->conv.seq != seq)
        return 0;
    wh_conv_clear(c);
    return 0;
}

static int32_t next_step(walor_ctx *c)
{
    const wh_form *f = form_of(c);
    int32_t i = c->conv.state->step;
    for (uint32_t j = i >= 0 ? (uint32_t)i + 1 : f->nsteps; j < f->nsteps; j++) {
        const walor_step_def *s = &f->steps[j];
        if (!applies(c, s))
            continue;
        if (!c->conv.back)
            return wh_conv_goto_step(c, &c->conv.def->states[j], 0);
        if (!json_object_get(c->conv.data, s->key)) /* an edit made it apply: asked, then back */
            return wh_conv_goto_step(c, &c->conv.def->states[j], 1);
    }
    if (has_summary(f))
        return wh_conv_goto_step(c, summary_state(c), 0);
    return done(c);
}

/* stores v (a new reference, taken) under the step's key, lets the plugin
 * check it, and moves on; a refusal restores the earlier value and asks again */
static int32_t take_answer(walor_ctx *c, const walor_step_def *s, json_t *v)
{
    json_t *data = c->conv.data;
    json_t *old = json_incref(json_object_get(data, s->key));
    json_object_set_new(data, s->key, v);
    c->conv.dirty = 1;
    if (s->validate && !json_is_null(v)) {
        const char *why = NULL;
        c->conv.retried = 0;
        int32_t rc = s->validate(c, json_object_get(data, s->key), &why);
        if (rc < 0) {
            if (old)
                json_object_set_new(data, s->key, old);
            else
                json_object_del(data, s->key);
            if (rc != WALOR_EINVAL)
                return rc;
            return ask(c, s, render(c, why ? why : s->error ? s->error : "core.step.bad"));
        }
        if (c->conv.retried) { /* the validator sent the form elsewhere */
            json_decref(old);
            return 0;
        }
    }
    json_decref(old);
    return next_step(c);
}

/* the text of a document answering a WALOR_STEP_FILE step; NULL with the reason (a text key) */
static const char *file_text(walor_ctx *c, const walor_step_def *s, json_t *doc, const char **why)
{
    const char *fid = json_string_value(json_object_get(doc, "file_id"));
    uint64_t chars = s->max > 0 ? (uint64_t)s->max : FILE_CHARS;
    size_t max = chars * 4 < FILE_BYTES_MAX ? (size_t)chars * 4 : FILE_BYTES_MAX; /* UTF-8: at most 4 a character */
    void *data = NULL;
    size_t len = 0;
    int32_t rc = fid ? c->head.api->file_download(c, fid, max, &data, &len) : WALOR_EINVAL;
    if (rc < 0) {
        *why = rc == WALOR_ELIMIT ? "core.step.file_big" : "core.step.file_failed";
        return NULL;
    }
    char *t = wh_arena_alloc(c->arena, len + 1);
    if (t) {
        memcpy(t, data, len);
        t[len] = '\0';
    }
    c->head.api->free(data);
    if (!t) {
        *why = "core.step.file_failed";
        return NULL;
    }
    if (strlen(t) != len || !wh_utf8_valid(t, len)) { /* a NUL or not UTF-8: a picture, an archive */
        *why = "core.step.not_text";
        return NULL;
    }
    return t;
}

/* a typed answer, or the value of a quick-answer button */
static int32_t answer_text(walor_ctx *c, const walor_step_def *s, const char *text, json_t *msg)
{
    char why[256];
    json_t *v = NULL;
    c->conv.input = text;
    if ((s->flags & WALOR_STEP_LOCATION) && (v = wh_input_location(msg)) != NULL)
        return take_answer(c, s, v);
    json_t *doc = (s->flags & WALOR_STEP_FILE) ? json_object_get(msg, "document") : NULL;
    if (doc) { /* a file wins over its caption */
        const char *bad = NULL;
        text = file_text(c, s, doc, &bad);
        c->conv.input = NULL;
        if (!text)
            return ask(c, s, render(c, bad));
    }
    if (s->type == WALOR_STEP_CHOICE) {
        uint32_t n;
        const walor_step_choice *ch = choices(c, s, &n);
        char *want = wh_utf8_lower_dup(text ? text : "");
        for (uint32_t i = 0; want && !v && i < n; i++) {
            char *l = ch[i].label ? wh_utf8_lower_dup(plain(ch[i].label)) : NULL;
            char *val = ch[i].value ? wh_utf8_lower_dup(ch[i].value) : NULL;
            const char *w = want + strspn(want, " ");
            size_t wl = strlen(w);
            while (wl && w[wl - 1] == ' ')
                wl--;
            if ((l && strlen(l) == wl && !memcmp(l, w, wl)) || (val && strlen(val) == wl && !memcmp(val, w, wl)))
                v = json_string(ch[i].value);
            free(l);
            free(val);
        }
        free(want);
        if (!v)
            return ask(c, s, render(c, s->error ? s->error : "core.step.choose"));
        return take_answer(c, s, v);
    }
    int64_t max = (s->flags & WALOR_STEP_FILE) && s->max <= 0 ? FILE_CHARS : s->max;
    if (wh_input_parse(s->type, s->min, max, text, msg, today(), &v, why, sizeof why) != 0)
        return ask(c, s, s->error ? render(c, s->error) : wh_html_escape(c->arena, why));
    return take_answer(c, s, v);
}

/* ---- the state callbacks ---- */

int32_t wh_steps_enter(walor_ctx *c)
{
    const walor_step_def *s = cur_step(c);
    const char *why = c->conv.why;
    c->conv.why = NULL;
    if (!s)
        return show_summary(c, 0, why);
    if (!applies(c, s))
        return next_step(c);
    return ask(c, s, why);
}

int32_t wh_steps_message(walor_ctx *c, const char *text)
{
    const walor_step_def *s = cur_step(c);
    json_t *msg = json_object_get(c->update, "message");
    if (!s) { /* the summary: a step may take a new answer here (a corrected list) */
        const wh_form *f = form_of(c);
        for (uint32_t i = 0; i < f->nsteps; i++)
            if ((f->steps[i].flags & WALOR_STEP_AT_SUMMARY) && applies(c, &f->steps[i])) {
                c->conv.state = &c->conv.def->states[i];
                c->conv.back = 1;
                c->conv.dirty = 1;
                return answer_text(c, &f->steps[i], text, msg);
            }
        const char *names[] = {"done"}, *vals[] = {done_label(c)};
        return c->head.api->send(c, c->chat_id, wh_text_render_pairs(c->arena, "core.step.use_buttons", names, vals, 1),
                                 NULL, 0, NULL);
    }
    return answer_text(c, s, text, msg);
}

static void stale_press(walor_ctx *c)
{
    if (c->callback_id && !c->answered)
        c->head.api->answer(c, plain("core.step.stale"), 0);
}

/* "<what>:<key>[:<value>]" of a step's button: the step it names, or NULL */
static const walor_step_def *pressed_step(walor_ctx *c, const char *payload, const char **value)
{
    const walor_step_def *s = cur_step(c);
    const char *k = strchr(payload, ':');
    *value = NULL;
    if (!s || !k)
        return NULL;
    size_t kl = strlen(s->key);
    if (strncmp(k + 1, s->key, kl) != 0 || (k[1 + kl] != '\0' && k[1 + kl] != ':'))
        return NULL; /* a button of another step's question */
    if (k[1 + kl] == ':')
        *value = k + 2 + kl;
    return s;
}

int32_t wh_steps_callback(walor_ctx *c, const char *payload)
{
    const wh_form *f = form_of(c);
    if (!cur_step(c)) { /* the summary */
        if (!strcmp(payload, "ok"))
            return done(c);
        if (!strcmp(payload, "ed"))
            return show_edit_list(c);
        if (!strcmp(payload, "sum"))
            return show_summary(c, 1, NULL);
        if (!strncmp(payload, "e:", 2))
            for (uint32_t i = 0; i < f->nsteps; i++)
                if (!strcmp(payload + 2, f->steps[i].key))
                    return wh_conv_goto_step(c, &c->conv.def->states[i], 1);
        stale_press(c);
        return 0;
    }
    const char *value;
    const walor_step_def *s = pressed_step(c, payload, &value);
    if (!s) {
        stale_press(c);
        return 0;
    }
    switch (payload[0]) {
    case 'v':
        if (value && s->type == WALOR_STEP_CHOICE) {
            uint32_t n;
            const walor_step_choice *ch = choices(c, s, &n);
            for (uint32_t i = 0; i < n; i++)
                if (ch[i].value && !strcmp(ch[i].value, value))
                    return take_answer(c, s, json_string(value));
            return ask(c, s, render(c, "core.step.gone"));
        }
        if (value)
            return answer_text(c, s, value, NULL);
        break;
    case 'k': {
        json_t *old = json_object_get(c->conv.data, s->key);
        if (old && !json_is_null(old))
            return next_step(c);
        break;
    }
    case 's':
        if (s->flags & WALOR_STEP_SKIP)
            return take_answer(c, s, json_null());
        break;
    }
    stale_press(c);
    return 0;
}

/* ---- SDK slot ---- */

static int32_t form_retry(walor_ctx *c, const char *key, const char *why)
{
    if (wh_conv_load(c) != 0 || !c->conv.active || !c->conv.def->form)
        return wh_error(WALOR_EPHASE, "form_retry: no form is active");
    if (!c->plugin || c->conv.def->p != c->plugin)
        return wh_error(WALOR_EPERM, "form_retry: the form belongs to another plugin");
    const wh_form *f = form_of(c);
    if (!key) { /* refused at the summary: it again, with the reason */
        if (!has_summary(f))
            return wh_error(WALOR_EINVAL, "form_retry: form %s has no summary to go back to", c->conv.def->name);
        c->conv.why = why ? render(c, why) : NULL;
        c->conv.retried = 1;
        return wh_conv_goto_step(c, summary_state(c), 0);
    }
    for (uint32_t i = 0; i < f->nsteps; i++)
        if (!strcmp(f->steps[i].key, key)) {
            c->conv.why = why ? render(c, why) : NULL;
            c->conv.retried = 1;
            return wh_conv_goto_step(c, &c->conv.def->states[i], 1);
        }
    return wh_error(WALOR_ENOTFOUND, "form %s has no step %s", c->conv.def->name, key ? key : "");
}

void wh_steps_fill(walor_host_api *api)
{
    api->form_retry = form_retry;
    wh_register_form_runner(wh_steps_enter, wh_steps_message, wh_steps_callback);
}
