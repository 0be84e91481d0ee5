#include "html.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

#define MAX_NESTING 64

typedef struct open_tag {
    char *name;
    char *arg;
    size_t utf16_off;
    size_t byte_off;    /* into the result text, for <a> without href */
} open_tag;

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* tdlib's decode_html_entity: unknown names and malformed references are not
 * errors, they stay literal text — a bare "&" in a product name is fine. */
static uint32_t decode_entity(const char *t, size_t *pos)
{
    size_t p = *pos, end = p + 1;
    uint32_t res = 0;
    if (t[p] != '&')
        return 0;
    if (t[p + 1] == '#') {
        end++;
        if (t[p + 2] == 'x') {
            end++;
            while (isxdigit((unsigned char)t[end])) {
                char c = t[end++];
                res = res * 16 + (uint32_t)(isdigit((unsigned char)c) ? c - '0' : (tolower((unsigned char)c) - 'a' + 10));
                if (res >= 0x10ffff)
                    return 0;
            }
        } else {
            while (isdigit((unsigned char)t[end])) {
                res = res * 10 + (uint32_t)(t[end++] - '0');
                if (res >= 0x10ffff)
                    return 0;
            }
        }
        if (res == 0 || res >= 0x10ffff || end - p >= 10)
            return 0;
    } else {
        while (isalpha((unsigned char)t[end]))
            end++;
        size_t n = end - p - 1;
        const char *name = t + p + 1;
        if (n == 2 && !strncmp(name, "lt", 2)) res = '<';
        else if (n == 2 && !strncmp(name, "gt", 2)) res = '>';
        else if (n == 3 && !strncmp(name, "amp", 3)) res = '&';
        else if (n == 4 && !strncmp(name, "quot", 4)) res = '"';
        else return 0;
    }
    *pos = t[end] == ';' ? end + 1 : end;
    return res;
}

static bool supported(const char *n)
{
    static const char *const tags[] = {"a", "b", "strong", "i", "em", "s", "strike", "del", "u",
                                       "ins", "tg-spoiler", "tg-emoji", "span", "pre", "code",
                                       "blockquote"};
    for (size_t i = 0; i < sizeof tags / sizeof *tags; i++)
        if (!strcmp(n, tags[i]))
            return true;
    return false;
}

static char *lower_dup(const char *s, size_t n)
{
    char *d = tgsim_strndup(s, n);
    for (size_t i = 0; d && i < n; i++)
        d[i] = (char)tolower((unsigned char)d[i]);
    return d;
}

static void add_entity(json_t *ents, const char *type, size_t off, size_t len)
{
    json_array_append_new(ents, json_pack("{s:s,s:I,s:I}", "type", type, "offset",
                                          (json_int_t)off, "length", (json_int_t)len));
}

/* tg://user?id=N links become text_mention entities like in Telegram. */
static long long link_user_id(const char *url)
{
    static const char pfx[] = "tg://user?id=";
    if (strncasecmp(url, pfx, sizeof pfx - 1))
        return 0;
    char *end;
    long long id = strtoll(url + sizeof pfx - 1, &end, 10);
    return *end == '\0' && id > 0 ? id : 0;
}

static bool url_ok(const char *u)
{
    /* Telegram drops text_link entities whose URL it cannot parse */
    return *u && !strchr(u, ' ') && !strchr(u, '<') && !strchr(u, '>');
}

/* Creates the entity of a closing tag. Returns -1 with err on an invalid tag argument. */
static int close_entity(json_t *ents, open_tag *o, bool in_pre, size_t utf16_now,
                        const tgsim_buf *out, char *err, size_t errlen)
{
    const char *n = o->name;
    size_t off = o->utf16_off, len = utf16_now - off;
    if (len == 0)
        return 0;
    if (!strcmp(n, "i") || !strcmp(n, "em"))
        add_entity(ents, "italic", off, len);
    else if (!strcmp(n, "b") || !strcmp(n, "strong"))
        add_entity(ents, "bold", off, len);
    else if (!strcmp(n, "s") || !strcmp(n, "strike") || !strcmp(n, "del"))
        add_entity(ents, "strikethrough", off, len);
    else if (!strcmp(n, "u") || !strcmp(n, "ins"))
        add_entity(ents, "underline", off, len);
    else if (!strcmp(n, "tg-spoiler") || !strcmp(n, "span"))
        add_entity(ents, "spoiler", off, len);
    else if (!strcmp(n, "tg-emoji")) {
        char *end = NULL;
        long long id = o->arg ? strtoll(o->arg, &end, 10) : 0;
        if (!o->arg || *end || id <= 0) {
            snprintf(err, errlen, "Invalid custom emoji identifier specified");
            return -1;
        }
        add_entity(ents, "custom_emoji", off, len);
        json_object_set_new(json_array_get(ents, json_array_size(ents) - 1), "custom_emoji_id",
                            json_string(o->arg));
    } else if (!strcmp(n, "a")) {
        char *url = o->arg && *o->arg ? tgsim_strdup(o->arg)
                                      : tgsim_strndup(out->data + o->byte_off, out->len - o->byte_off);
        if (!url)
            return 0;
        long long uid = link_user_id(url);
        if (uid) {
            add_entity(ents, "text_mention", off, len);
            json_object_set_new(json_array_get(ents, json_array_size(ents) - 1), "user",
                                json_pack("{s:I,s:b,s:s}", "id", (json_int_t)uid, "is_bot", 0,
                                          "first_name", ""));
        } else if (url_ok(url)) {
            add_entity(ents, "text_link", off, len);
            json_object_set_new(json_array_get(ents, json_array_size(ents) - 1), "url",
                                json_string(url));
        }
        free(url);
    } else if (!strcmp(n, "code")) {
        add_entity(ents, "code", off, len);
        if (o->arg && in_pre)
            json_object_set_new(json_array_get(ents, json_array_size(ents) - 1), "language",
                                json_string(o->arg));
    } else if (!strcmp(n, "pre")) {
        /* <pre><code class="language-x">…</code></pre> is one pre entity with a language */
        json_t *last = json_array_get(ents, json_array_size(ents) - 1);
        json_t *lang = last ? json_object_get(last, "language") : NULL;
        if (lang && json_integer_value(json_object_get(last, "offset")) == (json_int_t)off &&
            json_integer_value(json_object_get(last, "length")) == (json_int_t)len) {
            json_object_set_new(last, "type", json_string("pre"));
        } else {
            add_entity(ents, "pre", off, len);
        }
    } else if (!strcmp(n, "blockquote")) {
        add_entity(ents, o->arg ? "expandable_blockquote" : "blockquote", off, len);
    }
    return 0;
}

static int entity_cmp(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t ox = json_integer_value(json_object_get(x, "offset"));
    json_int_t oy = json_integer_value(json_object_get(y, "offset"));
    if (ox != oy)
        return ox < oy ? -1 : 1;
    json_int_t lx = json_integer_value(json_object_get(x, "length"));
    json_int_t ly = json_integer_value(json_object_get(y, "length"));
    return lx > ly ? -1 : lx < ly;
}

static json_t *sorted(json_t *ents)
{
    size_t n = json_array_size(ents);
    if (n < 2)
        return ents;
    json_t **v = malloc(n * sizeof *v);
    if (!v)
        return ents;
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(ents, i));
    qsort(v, n, sizeof *v, entity_cmp);
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(out, v[i]);
    free(v);
    json_decref(ents);
    return out;
}

/* Parses one start tag at t[*ip] == '<'. */
static int parse_start_tag(const char *t, size_t *ip, open_tag *o, char *err, size_t errlen)
{
    size_t begin = *ip, i = begin + 1, nb = i;
    while (t[i] && !is_space(t[i]) && t[i] != '>')
        i++;
    if (!t[i]) {
        snprintf(err, errlen, "Unclosed start tag at byte offset %zu", begin);
        return -1;
    }
    o->name = lower_dup(t + nb, i - nb);
    if (!supported(o->name)) {
        snprintf(err, errlen, "Unsupported start tag \"%s\" at byte offset %zu", o->name, begin);
        return -1;
    }
    while (t[i] != '>') {
        while (t[i] && is_space(t[i]))
            i++;
        if (t[i] == '>')
            break;
        size_t ab = i;
        while (t[i] && !is_space(t[i]) && t[i] != '=' && t[i] != '>')
            i++;
        size_t alen = i - ab;
        if (alen == 0) {
            snprintf(err, errlen, "Empty attribute name in the tag \"%s\" at byte offset %zu",
                     o->name, begin);
            return -1;
        }
        char *aname = lower_dup(t + ab, alen);
        while (t[i] && is_space(t[i]))
            i++;
        if (t[i] != '=') {
            /* <blockquote expandable> is the one valueless attribute Telegram knows */
            if (!strcmp(o->name, "blockquote") && !strcmp(aname, "expandable")) {
                free(o->arg);
                o->arg = tgsim_strdup("1");
                free(aname);
                continue;
            }
            snprintf(err, errlen,
                     "Expected equal sign in declaration of an attribute of the tag \"%s\" at byte offset %zu",
                     o->name, begin);
            free(aname);
            return -1;
        }
        i++;
        while (t[i] && is_space(t[i]))
            i++;
        if (!t[i]) {
            snprintf(err, errlen, "Unclosed start tag \"%s\" at byte offset %zu", o->name, begin);
            free(aname);
            return -1;
        }
        tgsim_buf val = {0};
        if (t[i] != '\'' && t[i] != '"') {
            size_t vb = i;
            while (isalnum((unsigned char)t[i]) || t[i] == '.' || t[i] == '-')
                i++;
            char *low = lower_dup(t + vb, i - vb);
            tgsim_buf_add(&val, low, i - vb);
            free(low);
            if (!is_space(t[i]) && t[i] != '>') {
                snprintf(err, errlen, "Unexpected end of name token at byte offset %zu", vb);
                free(aname);
                tgsim_buf_free(&val);
                return -1;
            }
        } else {
            char q = t[i++];
            while (t[i] && t[i] != q) {
                if (t[i] == '&') {
                    uint32_t cp = decode_entity(t, &i);
                    if (cp) {
                        tgsim_buf_add_cp(&val, cp);
                        continue;
                    }
                }
                tgsim_buf_addc(&val, t[i++]);
            }
            if (t[i] == q)
                i++;
        }
        if (!t[i]) {
            snprintf(err, errlen, "Unclosed start tag at byte offset %zu", begin);
            free(aname);
            tgsim_buf_free(&val);
            return -1;
        }
        char *v = tgsim_buf_take(&val);
        const char *arg = NULL;
        if (!strcmp(o->name, "a") && !strcmp(aname, "href"))
            arg = v;
        else if (!strcmp(o->name, "code") && !strcmp(aname, "class") && !strncmp(v, "language-", 9))
            arg = v + 9;
        else if (!strcmp(o->name, "span") && !strcmp(aname, "class") && !strncmp(v, "tg-", 3))
            arg = v + 3;
        else if (!strcmp(o->name, "tg-emoji") && !strcmp(aname, "emoji-id"))
            arg = v;
        else if (!strcmp(o->name, "blockquote") && !strcmp(aname, "expandable"))
            arg = "1";
        if (arg) {
            free(o->arg);
            o->arg = tgsim_strdup(arg);
        }
        free(v);
        free(aname);
    }
    if (!strcmp(o->name, "span") && (!o->arg || strcmp(o->arg, "spoiler"))) {
        snprintf(err, errlen, "Tag \"span\" must have class \"tg-spoiler\" at byte offset %zu", begin);
        return -1;
    }
    *ip = i + 1;
    return 0;
}

int tgsim_html_parse(const char *t, char **text, json_t **entities, char *err, size_t errlen)
{
    open_tag stack[MAX_NESTING];
    size_t depth = 0, utf16 = 0, i = 0;
    tgsim_buf out = {0};
    json_t *ents = json_array();
    int rc = -1;

    while (t[i]) {
        char c = t[i];
        if (c == '&') {
            uint32_t cp = decode_entity(t, &i);
            if (cp) {
                tgsim_buf_add_cp(&out, cp);
                utf16 += cp >= 0x10000 ? 2 : 1;
                continue;
            }
        }
        if (c != '<') {
            tgsim_buf_addc(&out, c);
            if (((unsigned char)c & 0xC0) != 0x80)
                utf16 += (unsigned char)c >= 0xF0 ? 2 : 1;
            i++;
            continue;
        }
        size_t begin = i;
        if (t[i + 1] != '/') {
            if (depth == MAX_NESTING) {
                snprintf(err, errlen, "Too many nested entities at byte offset %zu", begin);
                goto done;
            }
            open_tag *o = &stack[depth];
            memset(o, 0, sizeof *o);
            if (parse_start_tag(t, &i, o, err, errlen) != 0) {
                free(o->name);
                free(o->arg);
                goto done;
            }
            o->utf16_off = utf16;
            o->byte_off = out.len;
            depth++;
            continue;
        }
        if (depth == 0) {
            snprintf(err, errlen, "Unexpected end tag at byte offset %zu", begin);
            goto done;
        }
        i += 2;
        size_t nb = i;
        while (t[i] && !is_space(t[i]) && t[i] != '>')
            i++;
        char *end_name = lower_dup(t + nb, i - nb);
        while (t[i] && is_space(t[i]))
            i++;
        if (t[i] != '>') {
            snprintf(err, errlen, "Unclosed end tag at byte offset %zu", begin);
            free(end_name);
            goto done;
        }
        i++;
        open_tag *o = &stack[depth - 1];
        if (*end_name && strcmp(end_name, o->name)) {
            snprintf(err, errlen,
                     "Unmatched end tag at byte offset %zu, expected \"</%s>\", found \"</%s>\"",
                     begin, o->name, end_name);
            free(end_name);
            goto done;
        }
        free(end_name);
        bool in_pre = depth >= 2 && !strcmp(stack[depth - 2].name, "pre");
        int cr = close_entity(ents, o, in_pre, utf16, &out, err, errlen);
        free(o->name);
        free(o->arg);
        depth--;
        if (cr != 0)
            goto done;
    }
    if (depth) {
        snprintf(err, errlen, "Can't find end tag corresponding to start tag \"%s\"",
                 stack[depth - 1].name);
        goto done;
    }
    rc = 0;
done:
    while (depth) {
        depth--;
        free(stack[depth].name);
        free(stack[depth].arg);
    }
    if (rc == 0) {
        *text = tgsim_buf_take(&out);
        *entities = sorted(ents);
        if (!*text) {
            json_decref(*entities);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    } else {
        tgsim_buf_free(&out);
        json_decref(ents);
    }
    return rc;
}

static bool trim_space(char c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

void tgsim_text_trim(char *text, json_t *entities)
{
    size_t n = strlen(text), lead = 0;
    while (lead < n && trim_space(text[lead]))
        lead++;
    while (n > lead && trim_space(text[n - 1]))
        n--;
    memmove(text, text + lead, n - lead);
    text[n - lead] = '\0';
    if (!entities)
        return;
    /* the trimmed bytes are ASCII, so bytes and UTF-16 units agree for lead */
    json_int_t total = (json_int_t)tgsim_utf16_len(text, n - lead);
    for (size_t i = json_array_size(entities); i-- > 0;) {
        json_t *e = json_array_get(entities, i);
        json_int_t off = json_integer_value(json_object_get(e, "offset")) - (json_int_t)lead;
        json_int_t end = off + json_integer_value(json_object_get(e, "length"));
        if (off < 0)
            off = 0;
        if (end > total)
            end = total;
        if (end <= off) {
            json_array_remove(entities, i);
            continue;
        }
        json_object_set_new(e, "offset", json_integer(off));
        json_object_set_new(e, "length", json_integer(end - off));
    }
}
