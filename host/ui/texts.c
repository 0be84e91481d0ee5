#include "texts.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api_slots.h"
#include "ctx.h"
#include "inifile.h"
#include "log.h"
#include "registry.h"

const char *wh_text_get(const char *key)
{
    wh_text *t = wh_find_text(key);
    if (!t)
        return NULL;
    return t->override ? t->override : t->default_text;
}

char *wh_text_render(wh_arena *a, const char *key, va_list ap)
{
    const char *names[16], *values[16];
    size_t n = 0;
    for (;;) {
        const char *name = va_arg(ap, const char *);
        if (!name)
            break;
        const char *value = va_arg(ap, const char *);
        if (n < 16) {
            names[n] = name;
            values[n] = value ? value : "";
            n++;
        }
    }
    return wh_text_render_pairs(a, key, names, values, n);
}

char *wh_text_render_pairs(wh_arena *a, const char *key, const char *const *names, const char *const *values,
                           size_t n)
{
    const char *tpl = key ? wh_text_get(key) : NULL;
    if (!tpl)
        tpl = key ? key : "";
    /* two passes: measure, then write, so any length works */
    char *out = NULL;
    for (int pass = 0; pass < 2; pass++) {
        size_t len = 0;
        for (const char *s = tpl; *s;) {
            if (*s == '{') {
                const char *end = strchr(s, '}');
                size_t i = 0;
                for (; end && i < n; i++)
                    if (strlen(names[i]) == (size_t)(end - s - 1) &&
                        memcmp(names[i], s + 1, (size_t)(end - s - 1)) == 0)
                        break;
                if (end && i < n) {
                    size_t vl = strlen(values[i]);
                    if (out)
                        memcpy(out + len, values[i], vl);
                    len += vl;
                    s = end + 1;
                    continue;
                }
            }
            if (out)
                out[len] = *s;
            len++;
            s++;
        }
        if (out) {
            out[len] = '\0';
            break;
        }
        out = wh_arena_alloc(a, len + 1);
        if (!out)
            return NULL;
    }
    return out;
}

typedef struct {
    const char *file;
    int unknown;
} load_state;

static int on_text(void *ud, const char *section, const char *key, const char *value, int line)
{
    load_state *st = ud;
    char full[160];
    if (section && *section)
        snprintf(full, sizeof full, "%s.%s", section, key);
    else
        snprintf(full, sizeof full, "%s", key);
    wh_text *t = wh_find_text(full);
    if (!t) {
        wh_logf(WH_LOG_WARN, "texts", "%s:%d: unknown text key %s (left out)", st->file, line, full);
        st->unknown++;
        return 0;
    }
    free(t->override);
    t->override = strdup(value);
    return 0;
}

int32_t wh_texts_load_dir(const char *dir, char *err, size_t errlen)
{
    struct stat sb;
    if (!dir || stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return 0;
    char pattern[4096];
    snprintf(pattern, sizeof pattern, "%s/*.ini", dir);
    glob_t g;
    if (glob(pattern, 0, NULL, &g) != 0)
        return 0;
    int32_t rc = 0;
    for (size_t i = 0; i < g.gl_pathc && rc == 0; i++) {
        load_state st = {g.gl_pathv[i], 0};
        if (wh_ini_parse_file(g.gl_pathv[i], on_text, &st, err, errlen) != 0)
            rc = -1;
    }
    globfree(&g);
    return rc;
}

static char *text_vfmt(walor_ctx *c, const char *key, va_list ap) { return wh_text_render(c->arena, key, ap); }

void wh_texts_fill(walor_host_api *api) { api->text_vfmt = text_vfmt; }
