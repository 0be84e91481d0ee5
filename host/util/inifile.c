#include "inifile.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <walor/types.h>

#include "error.h"

/* Debian builds libinih with INI_HANDLER_LINENO=1 (the handler gets the
 * line number as a fifth argument; verified by test_inifile); the knobs
 * ini_max_line & co. are Debian additions, absent upstream. */
#define INI_HANDLER_LINENO 1
#include <ini.h>

struct seen {
    char *section;
    char *key;
    int line;
};

struct parse {
    const char *path;
    FILE *f;
    char *buf; /* getline's */
    size_t bufcap;
    int lineno;         /* physical lines handed to inih so far */
    int indented;       /* the current line starts with a blank */
    int section_break;  /* a [section] line came after the pending key */

    int pending;        /* a key whose continuation lines may still come */
    char *psection;
    char *pkey;
    char *pval;
    size_t plen, pcap;
    int pline;

    struct seen *seen;
    size_t nseen, capseen;

    wh_ini_fn fn;
    void *ud;

    int32_t rc;         /* first error */
    int errline;
    char msg[256];
};

static void failf(struct parse *p, int32_t rc, int line, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void failf(struct parse *p, int32_t rc, int line, const char *fmt, ...)
{
    va_list ap;
    if (p->rc)
        return;
    p->rc = rc;
    p->errline = line;
    va_start(ap, fmt);
    vsnprintf(p->msg, sizeof p->msg, fmt, ap);
    va_end(ap);
}

static char *reader(char *str, int num, void *stream)
{
    struct parse *p = stream;
    ssize_t n;
    size_t content;
    const char *s;

    if (p->rc)
        return NULL;
    errno = 0;
    n = getline(&p->buf, &p->bufcap, p->f);
    if (n < 0) {
        if (ferror(p->f))
            failf(p, WALOR_EINVAL, p->lineno + 1, "read error: %s", strerror(errno ? errno : EIO));
        return NULL;
    }
    p->lineno++;
    if (memchr(p->buf, '\0', (size_t)n)) {
        failf(p, WALOR_EINVAL, p->lineno, "NUL byte in the line");
        return NULL;
    }
    content = (size_t)n;
    while (content > 0 && (p->buf[content - 1] == '\n' || p->buf[content - 1] == '\r'))
        content--;
    /* The second test guards against inih handing us a smaller buffer than
     * we configured: the line would be split, and silently mis-parsed. */
    if (content > WH_INI_MAX_LINE || (size_t)n + 1 > (size_t)num) {
        failf(p, WALOR_EINVAL, p->lineno, "line too long (%zu bytes, at most %d)", content,
              WH_INI_MAX_LINE < num - 3 ? WH_INI_MAX_LINE : num - 3);
        return NULL;
    }
    s = p->buf;
    if (p->lineno == 1 && !strncmp(s, "\xEF\xBB\xBF", 3))
        s += 3; /* inih skips the BOM itself; the checks below must too */
    p->indented = *s == ' ' || *s == '\t';
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '[') {
        const char *close = strchr(s, ']');
        p->section_break = 1;
        if (close && (size_t)(close - s - 1) > WH_INI_MAX_NAME) {
            failf(p, WALOR_EINVAL, p->lineno, "section name too long (%zu bytes, at most %d)",
                  (size_t)(close - s - 1), WH_INI_MAX_NAME);
            return NULL;
        }
    }
    memcpy(str, p->buf, (size_t)n + 1);
    return str;
}

static int append(struct parse *p, const char *s, size_t n)
{
    if (p->plen + n + 1 > p->pcap) {
        size_t cap = p->pcap ? p->pcap : 256;
        char *nb;
        while (cap < p->plen + n + 1)
            cap *= 2;
        nb = realloc(p->pval, cap);
        if (!nb)
            return -1;
        p->pval = nb;
        p->pcap = cap;
    }
    memcpy(p->pval + p->plen, s, n);
    p->plen += n;
    p->pval[p->plen] = '\0';
    return 0;
}

/* Quotes, then escapes, in place: the result is never longer. */
static size_t finish_value(char *v, size_t n)
{
    size_t i, o = 0;
    if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
        memmove(v, v + 1, n - 2);
        n -= 2;
    }
    for (i = 0; i < n; i++) {
        if (v[i] == '\\' && i + 1 < n && (v[i + 1] == 'n' || v[i + 1] == '\\')) {
            v[o++] = v[i + 1] == 'n' ? '\n' : '\\';
            i++;
        } else {
            v[o++] = v[i];
        }
    }
    v[o] = '\0';
    return o;
}

static void flush(struct parse *p)
{
    size_t n;
    int rc;

    if (!p->pending)
        return;
    p->pending = 0;
    if (p->rc)
        return;
    n = finish_value(p->pval, p->plen); /* never NULL: append() ran for the first line */
    if (n > WH_INI_MAX_VALUE) {
        failf(p, WALOR_EINVAL, p->pline, "value of %s is too long (%zu bytes, at most %d)", p->pkey, n,
              WH_INI_MAX_VALUE);
        return;
    }
    wh_clear_error();
    rc = p->fn(p->ud, p->psection, p->pkey, p->pval, p->pline);
    if (rc) {
        const char *why = wh_last_error();
        failf(p, rc < 0 ? rc : WALOR_EINVAL, p->pline, "%s", *why ? why : "rejected");
    }
}

static int handler(void *user, const char *section, const char *name, const char *value, int lineno)
{
    struct parse *p = user;
    size_t vlen = strlen(value);

    (void)lineno; /* equals p->lineno; ours is used so that reader errors agree */
    if (p->rc)
        return 0;
    if (p->pending && p->indented && !p->section_break && !strcmp(name, p->pkey) &&
        !strcmp(section, p->psection)) {
        /* a continuation line */
        if (p->plen + 1 + vlen > (size_t)WH_INI_MAX_VALUE * 2) {
            failf(p, WALOR_EINVAL, p->lineno, "value of %s is too long (at most %d bytes)", name,
                  WH_INI_MAX_VALUE);
            return 0;
        }
        if ((p->plen && append(p, "\n", 1)) || append(p, value, vlen)) {
            failf(p, WALOR_ENOMEM, p->lineno, "out of memory");
            return 0;
        }
        return 1;
    }
    flush(p);
    if (p->rc)
        return 0;
    if (strlen(name) > WH_INI_MAX_NAME) {
        failf(p, WALOR_EINVAL, p->lineno, "key name too long (at most %d bytes)", WH_INI_MAX_NAME);
        return 0;
    }
    for (size_t i = 0; i < p->nseen; i++) {
        if (!strcmp(p->seen[i].key, name) && !strcmp(p->seen[i].section, section)) {
            failf(p, WALOR_EINVAL, p->lineno, "duplicate key %s in [%s] (first set on line %d)", name, section,
                  p->seen[i].line);
            return 0;
        }
    }
    if (p->nseen == p->capseen) {
        size_t cap = p->capseen ? p->capseen * 2 : 16;
        struct seen *ns = realloc(p->seen, cap * sizeof *ns);
        if (!ns) {
            failf(p, WALOR_ENOMEM, p->lineno, "out of memory");
            return 0;
        }
        p->seen = ns;
        p->capseen = cap;
    }
    p->seen[p->nseen].section = strdup(section);
    p->seen[p->nseen].key = strdup(name);
    p->seen[p->nseen].line = p->lineno;
    if (!p->seen[p->nseen].section || !p->seen[p->nseen].key) {
        free(p->seen[p->nseen].section);
        free(p->seen[p->nseen].key);
        failf(p, WALOR_ENOMEM, p->lineno, "out of memory");
        return 0;
    }
    p->nseen++;
    p->psection = p->seen[p->nseen - 1].section;
    p->pkey = p->seen[p->nseen - 1].key;
    p->plen = 0;
    if (append(p, value, vlen)) {
        failf(p, WALOR_ENOMEM, p->lineno, "out of memory");
        return 0;
    }
    p->pline = p->lineno;
    p->pending = 1;
    p->section_break = 0;
    return 1;
}

static pthread_mutex_t knobs_lock = PTHREAD_MUTEX_INITIALIZER;

struct knobs {
    bool use_stack, allow_realloc, stop_on_first_error, allow_multiline, allow_no_value, allow_bom,
        allow_inline_comments;
    int max_line, initial_alloc;
    char *start_prefixes, *inline_prefixes;
};

static void knobs_save(struct knobs *k)
{
    k->use_stack = ini_use_stack;
    k->allow_realloc = ini_allow_realloc;
    k->stop_on_first_error = ini_stop_on_first_error;
    k->allow_multiline = ini_allow_multiline;
    k->allow_no_value = ini_allow_no_value;
    k->allow_bom = ini_allow_bom;
    k->allow_inline_comments = ini_allow_inline_comments;
    k->max_line = ini_max_line;
    k->initial_alloc = ini_initial_alloc;
    k->start_prefixes = ini_start_comment_prefixes;
    k->inline_prefixes = ini_inline_comment_prefixes;
}

static void knobs_restore(const struct knobs *k)
{
    ini_use_stack = k->use_stack;
    ini_allow_realloc = k->allow_realloc;
    ini_stop_on_first_error = k->stop_on_first_error;
    ini_allow_multiline = k->allow_multiline;
    ini_allow_no_value = k->allow_no_value;
    ini_allow_bom = k->allow_bom;
    ini_allow_inline_comments = k->allow_inline_comments;
    ini_max_line = k->max_line;
    ini_initial_alloc = k->initial_alloc;
    ini_start_comment_prefixes = k->start_prefixes;
    ini_inline_comment_prefixes = k->inline_prefixes;
}

static int parse_locked(struct parse *p)
{
    static char start_prefixes[] = ";#";
    static char inline_prefixes[] = ";";
    struct knobs saved;
    int r;

    pthread_mutex_lock(&knobs_lock);
    knobs_save(&saved);
    /* Debian's inih sizes its line buffer from these at run time: on the
     * stack it is a VLA of ini_max_line bytes, on the heap a malloc of
     * ini_initial_alloc bytes. The heap keeps 64 KiB off worker stacks. */
    ini_use_stack = false;
    ini_allow_realloc = false;
    ini_max_line = WH_INI_MAX_LINE + 3; /* "\r\n\0", as ini.h asks */
    ini_initial_alloc = WH_INI_MAX_LINE + 3;
    ini_stop_on_first_error = true;
    ini_allow_multiline = true;
    ini_allow_no_value = false;
    ini_allow_bom = true;
    ini_allow_inline_comments = true;
    ini_start_comment_prefixes = start_prefixes;
    ini_inline_comment_prefixes = inline_prefixes;
    r = ini_parse_stream(reader, p, handler, p);
    knobs_restore(&saved);
    pthread_mutex_unlock(&knobs_lock);
    return r;
}

int32_t wh_ini_parse_file(const char *path, wh_ini_fn fn, void *ud, char *err, size_t errlen)
{
    struct parse p;
    int r;
    int32_t rc;

    if (err && errlen)
        err[0] = '\0';
    memset(&p, 0, sizeof p);
    p.path = path;
    p.fn = fn;
    p.ud = ud;
    p.f = fopen(path, "re");
    if (!p.f) {
        int e = errno;
        rc = wh_error(e == ENOENT ? WALOR_ENOTFOUND : WALOR_EINVAL, "%s: cannot open: %s", path, strerror(e));
        if (err && errlen)
            snprintf(err, errlen, "%s", wh_last_error());
        return rc;
    }
    r = parse_locked(&p);
    /* The key pending before a syntax error sits on an earlier line: deliver
     * it first, so that the error reported is the first one in the file. */
    if (!p.rc && r > 0) {
        flush(&p);
        failf(&p, WALOR_EINVAL, r, "syntax error: expected \"key = value\" or \"[section]\"");
    } else if (!p.rc && r == -2) {
        failf(&p, WALOR_ENOMEM, p.lineno, "out of memory");
    }
    flush(&p);

    rc = p.rc;
    if (rc) {
        wh_error(rc, "%s:%d: %s", path, p.errline, p.msg);
        if (err && errlen)
            snprintf(err, errlen, "%s", wh_last_error());
    }
    for (size_t i = 0; i < p.nseen; i++) {
        free(p.seen[i].section);
        free(p.seen[i].key);
    }
    free(p.seen);
    free(p.pval);
    free(p.buf);
    fclose(p.f);
    return rc;
}
