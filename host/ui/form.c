#include "form.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_slots.h"
#include "ctx.h"
#include "error.h"
#include "money.h"

#define KNOWN_FLAGS (WALOR_FORM_AMOUNT | WALOR_FORM_NEGATIVE | WALOR_FORM_ZERO)

typedef struct errbuf {
    char *s;
    size_t len, cap;
    int count;
} errbuf;

static void addf(errbuf *e, unsigned line, const char *fmt, const char *arg)
{
    char msg[256];
    int n = snprintf(msg, sizeof msg, "строка %u: ", line);
    snprintf(msg + n, sizeof msg - (size_t)n, fmt, arg);
    size_t l = strlen(msg);
    if (e->len + l + 2 > e->cap) {
        size_t cap = (e->cap ? e->cap * 2 : 256) + l;
        char *s = realloc(e->s, cap);
        if (!s)
            return;
        e->s = s;
        e->cap = cap;
    }
    memcpy(e->s + e->len, msg, l);
    e->len += l;
    e->s[e->len++] = '\n';
    e->s[e->len] = '\0';
    e->count++;
}

/* a whole signed decimal integer token; 0 or -1 */
static int parse_int(const char *tok, int allow_sign, int64_t *out)
{
    if (!*tok)
        return -1;
    const char *p = tok;
    if (*p == '-' || *p == '+') {
        if (!allow_sign)
            return -1;
        p++;
    }
    if (*p < '0' || *p > '9')
        return -1;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9')
            return -1;
    errno = 0;
    char *end;
    long long v = strtoll(tok, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

static char *next_token(char **s)
{
    char *p = *s + strspn(*s, " \t");
    if (!*p)
        return NULL;
    char *end = p + strcspn(p, " \t");
    if (*end)
        *end++ = '\0';
    *s = end;
    return p;
}

static int parse_line(char *line, unsigned no, uint32_t flags, walor_form_line *out, errbuf *e)
{
    char *rest = line;
    char *id = next_token(&rest), *qty = next_token(&rest);
    char *amount = (flags & WALOR_FORM_AMOUNT) ? rest + strspn(rest, " \t") : NULL;
    if (!(flags & WALOR_FORM_AMOUNT) && next_token(&rest)) {
        addf(e, no, "%s", "лишние данные после количества (нужно «ID количество»)");
        return -1;
    }
    if (!id || !qty) {
        addf(e, no, "%s", (flags & WALOR_FORM_AMOUNT) ? "нужно «ID количество сумма»" : "нужно «ID количество»");
        return -1;
    }
    memset(out, 0, sizeof *out);
    out->struct_size = sizeof *out;
    out->line = no;
    char *dot = strchr(id, '.');
    if (dot)
        *dot = '\0';
    if (parse_int(id, 0, &out->id) != 0 || out->id <= 0 || (dot && (parse_int(dot + 1, 0, &out->sub) != 0 ||
                                                                    out->sub <= 0))) {
        if (dot)
            *dot = '.';
        addf(e, no, "«%s» — не номер товара (например 12 или 12.2)", id);
        return -1;
    }
    if (parse_int(qty, 1, &out->qty) != 0 || out->qty > 1000000000 || out->qty < -1000000000) {
        addf(e, no, "«%s» — не целое количество", qty);
        return -1;
    }
    if (out->qty < 0 && !(flags & WALOR_FORM_NEGATIVE)) {
        addf(e, no, "%s", "количество не может быть отрицательным");
        return -1;
    }
    if (out->qty == 0 && !(flags & WALOR_FORM_ZERO)) {
        addf(e, no, "%s", "количество должно быть больше нуля");
        return -1;
    }
    if (amount) {
        if (!*amount) {
            addf(e, no, "%s", "не указана сумма");
            return -1;
        }
        if (wh_money_parse(amount, &out->amount) != 0) {
            addf(e, no, "«%s» — не сумма в рублях", amount);
            return -1;
        }
    }
    return 0;
}

int32_t wh_form_parse(const char *text, uint32_t flags, walor_form_line **out, uint32_t *n, char **errors)
{
    *out = NULL;
    *n = 0;
    *errors = NULL;
    if (!text || (flags & ~KNOWN_FLAGS))
        return wh_error(WALOR_EINVAL, "form: no text or unknown flags");
    char *copy = strdup(text);
    walor_form_line *lines = NULL;
    size_t cap = 0;
    uint32_t count = 0;
    errbuf e = {0};
    unsigned no = 0;
    for (char *save = copy, *line; save;) {
        line = save;
        char *nl = strchr(save, '\n');
        if (nl) {
            *nl = '\0';
            save = nl + 1;
        } else {
            save = NULL;
        }
        no++;
        size_t len = strlen(line);
        if (len && line[len - 1] == '\r')
            line[--len] = '\0';
        const char *t = line + strspn(line, " \t");
        if (!*t || *t == '#')
            continue;
        if (count == WH_FORM_MAX_LINES) {
            addf(&e, no, "%s", "слишком много строк (не больше 10 000)");
            break;
        }
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            walor_form_line *nl2 = realloc(lines, cap * sizeof *lines);
            if (!nl2)
                break;
            lines = nl2;
        }
        if (parse_line(line, no, flags, &lines[count], &e) == 0)
            count++;
    }
    free(copy);
    if (e.count || (count == 0 && !e.count)) {
        free(lines);
        if (!e.count)
            addf(&e, no ? no : 1, "%s", "нет ни одной строки «ID количество»");
        *errors = e.s;
        return wh_error(WALOR_EINVAL, "form has %d bad line(s)", e.count);
    }
    *out = lines;
    *n = count;
    return 0;
}

static void free_cb(void *p) { free(p); }

static int32_t form_parse(walor_ctx *c, const char *text, uint32_t flags, walor_form_line **out, uint32_t *n,
                          const char **errors)
{
    char *errs = NULL;
    walor_form_line *lines = NULL;
    uint32_t count = 0;
    int32_t rc = wh_form_parse(text, flags, &lines, &count, &errs);
    if (lines)
        wh_arena_defer(c->arena, free_cb, lines);
    if (errs)
        wh_arena_defer(c->arena, free_cb, errs);
    if (out)
        *out = lines;
    if (n)
        *n = count;
    if (errors)
        *errors = errs;
    return rc;
}

void wh_form_fill(walor_host_api *api) { api->form_parse = form_parse; }
