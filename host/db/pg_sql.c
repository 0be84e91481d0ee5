/* The text PostgreSQL needs from Walor's SQLite-flavoured SQL, and the
 * conninfo as it may be shown: pure functions (pg_sql.h), unit-tested. */
#include "pg_sql.h"

#include "db_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- conninfo ---- */


int wh_pg_is_conninfo(const char *s)
{
    if (!s)
        return 0;
    if (strncmp(s, "postgresql://", 13) == 0 || strncmp(s, "postgres://", 11) == 0)
        return 1;
    /* key=value form: a keyword, optional blanks, '=' (a file name would
     * need a '/' or a '.' before its first '=' to be useful) */
    const char *p = s;
    while (*p == ' ')
        p++;
    const char *k = p;
    while (*p && (islower((unsigned char)*p) || *p == '_'))
        p++;
    if (p == k)
        return 0;
    while (*p == ' ')
        p++;
    return *p == '=';
}

char *wh_pg_redact(const char *ci)
{
    if (!ci)
        return strdup("");
    size_t n = strlen(ci);
    char *out = malloc(n + 8);
    if (!out)
        return NULL;
    if (strncmp(ci, "postgres", 8) == 0 && strstr(ci, "://")) {
        /* scheme://user:password@host…: the password ends at the last '@' before the path */
        const char *auth = strstr(ci, "://") + 3;
        const char *path = auth + strcspn(auth, "/?");
        const char *at = NULL;
        for (const char *q = auth; q < path; q++)
            if (*q == '@')
                at = q;
        const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
        size_t o = 0;
        if (colon) {
            memcpy(out, ci, (size_t)(colon + 1 - ci));
            o = (size_t)(colon + 1 - ci);
            memcpy(out + o, "***", 3);
            o += 3;
            strcpy(out + o, at);
        } else {
            strcpy(out, ci);
        }
        /* a password=… query parameter */
        char *pw = strstr(out, "password=");
        if (pw) {
            char *end = pw + 9 + strcspn(pw + 9, "&");
            memmove(pw + 12, end, strlen(end) + 1);
            memcpy(pw + 9, "***", 3);
        }
        return out;
    }
    /* key=value: the value of password (quoted or not) */
    size_t o = 0;
    const char *p = ci;
    while (*p) {
        if ((p == ci || p[-1] == ' ') && strncmp(p, "password", 8) == 0) {
            const char *q = p + 8;
            while (*q == ' ')
                q++;
            if (*q == '=') {
                q++;
                while (*q == ' ')
                    q++;
                if (*q == '\'') {
                    for (q++; *q && *q != '\''; q++)
                        if (*q == '\\' && q[1])
                            q++;
                    if (*q)
                        q++;
                } else {
                    while (*q && *q != ' ')
                        q++;
                }
                memcpy(out + o, "password=***", 12);
                o += 12;
                p = q;
                continue;
            }
        }
        out[o++] = *p++;
        if (o + 13 > n + 8) {
            char *bigger = realloc(out, o + 32 + strlen(p));
            if (!bigger) {
                free(out);
                return NULL;
            }
            out = bigger;
            n = o + 24 + strlen(p);
        }
    }
    out[o] = '\0';
    return out;
}

/* ---- statements ---- */


int wh_pg_word_is(const char *p, size_t n, const char *w) { return strlen(w) == n && strncasecmp(p, w, n) == 0; }

/* Copies the SQL with $n for each ? outside quotes and comments; counts
 * them and notes whether a write keyword appears at statement level. */
char *wh_pg_translate(const char *sql, int *nparams, int *writes, int *multi)
{
    size_t n = strlen(sql);
    char *out = malloc(n * 4 + 16); /* "?" → "$NNN" at most four bytes each */
    if (!out)
        return NULL;
    size_t o = 0;
    int np = 0, w = 0, semis = 0;
    const char *p = sql;
    while (*p) {
        if (*p == '\'' || *p == '"') {
            char q = *p;
            out[o++] = *p++;
            while (*p) {
                if (*p == q) {
                    if (p[1] == q) { /* doubled quote */
                        out[o++] = *p++;
                        out[o++] = *p++;
                        continue;
                    }
                    break;
                }
                out[o++] = *p++;
            }
            if (*p)
                out[o++] = *p++;
        } else if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                out[o++] = *p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            size_t len = end ? (size_t)(end + 2 - p) : strlen(p);
            memcpy(out + o, p, len);
            o += len;
            p += len;
        } else if (*p == '?') {
            o += (size_t)sprintf(out + o, "$%d", ++np);
            p++;
        } else if (isalpha((unsigned char)*p) || *p == '_') {
            const char *s = p;
            while (isalnum((unsigned char)*p) || *p == '_')
                p++;
            size_t len = (size_t)(p - s);
            if (wh_pg_word_is(s, len, "INSERT") || wh_pg_word_is(s, len, "UPDATE") || wh_pg_word_is(s, len, "DELETE") ||
                wh_pg_word_is(s, len, "CREATE") || wh_pg_word_is(s, len, "ALTER") || wh_pg_word_is(s, len, "DROP"))
                w = 1;
            memcpy(out + o, s, len);
            o += len;
        } else {
            if (*p == ';' && *wh_db_skip_space(p + 1))
                semis++;
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    *nparams = np;
    *writes = w;
    *multi = semis > 0;
    return out;
}

/* ---- migrations: the SQLite dialect's types, translated once ---- */

typedef struct sbuf {
    char *s;
    size_t n, cap;
    int oom;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->n + n + 1) * 2;
        char *bigger = realloc(b->s, cap);
        if (!bigger) {
            b->oom = 1;
            return;
        }
        b->s = bigger;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

/* the next word after p (skipping blanks and comments): its start and length */
static const char *next_word(const char *p, size_t *len)
{
    p = wh_db_skip_space(p);
    size_t n = 0;
    while (isalnum((unsigned char)p[n]) || p[n] == '_')
        n++;
    *len = n;
    return p;
}

char *wh_pg_ddl(const char *sql)
{
    sbuf b = {0};
    const char *p = sql;
    char prev = 0; /* last significant character copied */
    while (*p) {
        if (*p == '\'' || *p == '"') {
            const char *s = p;
            char q = *p++;
            while (*p && !(*p == q && p[1] != q))
                p += (*p == q) ? 2 : 1;
            if (*p)
                p++;
            sb_add(&b, s, (size_t)(p - s));
            prev = q;
        } else if ((p[0] == '-' && p[1] == '-') || (p[0] == '/' && p[1] == '*')) {
            const char *s = p;
            p = wh_db_skip_space(p);
            sb_add(&b, s, (size_t)(p - s));
        } else if (isalpha((unsigned char)*p) || *p == '_') {
            const char *s = p;
            while (isalnum((unsigned char)*p) || *p == '_')
                p++;
            size_t n = (size_t)(p - s), n2, n3;
            if (wh_pg_word_is(s, n, "INTEGER")) {
                const char *w2 = next_word(p, &n2);
                const char *w3 = next_word(w2 + n2, &n3);
                if (wh_pg_word_is(w2, n2, "PRIMARY") && wh_pg_word_is(w3, n3, "KEY")) {
                    size_t n4;
                    const char *w4 = next_word(w3 + n3, &n4);
                    /* SQLite's rowid alias: an identity column; explicit
                     * ids (a Telegram user id) are still accepted */
                    sb_str(&b, "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
                    p = wh_pg_word_is(w4, n4, "AUTOINCREMENT") ? w4 + n4 : w3 + n3;
                } else {
                    sb_str(&b, "BIGINT");
                }
            } else if (wh_pg_word_is(s, n, "REAL")) {
                sb_str(&b, "DOUBLE PRECISION");
            } else if (wh_pg_word_is(s, n, "BLOB")) {
                sb_str(&b, "BYTEA");
            } else if (wh_pg_word_is(s, n, "AUTOINCREMENT")) {
                /* identity columns never reuse ids either */
            } else if (prev == ')' && wh_pg_word_is(s, n, "STRICT")) {
                /* a table option SQLite has; PostgreSQL's types are strict anyway */
            } else if (prev == ')' && wh_pg_word_is(s, n, "WITHOUT")) {
                const char *w2 = next_word(p, &n2);
                if (wh_pg_word_is(w2, n2, "ROWID"))
                    p = w2 + n2;
                else
                    sb_add(&b, s, n);
            } else {
                sb_add(&b, s, n);
            }
            prev = 'a';
        } else {
            if (!isspace((unsigned char)*p) && *p != ',')
                prev = *p;
            else if (*p == ',')
                prev = ',';
            sb_add(&b, p, 1);
            p++;
        }
    }
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    if (!b.s)
        return strdup("");
    return b.s;
}


