/* walorctl setup: asks for the few values a shop must give and writes them
 * (docs/operator-guide.md "Go live"). Every answer is checked as it is
 * typed and asked again when it is wrong; nothing is written until all
 * answers are in, and an interrupted run (end of input) writes nothing.
 *
 * What it writes, next to the main file:
 *   conf.d/90-setup.ini       owners, public_url, [http] listen, the CDEK
 *                             account, pay-ecom's account and receipts
 *                             (0640, group walor: it holds secrets)
 *   credentials/bot-token     the unit's LoadCredential= files (0640)
 *   credentials/webhook-secret   (random, kept when it already exists)
 * Each file is written to a temporary name first and renamed into place. */
#include "setup.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define ANSWER_MAX 512
#define TRIES 5

/* CDEK's public test account (EXTERNAL-APIS.md §1.2): never a shop's own */
static const char *const CDEK_TEST_IDS[] = {"wqGwiQx0gg8mLtiEKsUinjVSICCjtTEP", "EMscd6r9JnFiQ3bLoyjJY6eM78JrJceI"};

typedef const char *(*check_fn)(const char *v); /* NULL = fine, else why not */

static const char *is_token(const char *v)
{
    const char *colon = strchr(v, ':');
    size_t digits = colon ? (size_t)(colon - v) : 0;
    if (!colon || digits < 5 || strspn(v, "0123456789") != digits)
        return "a bot token looks like 123456789:AA… (from @BotFather)";
    size_t rest = strlen(colon + 1);
    if (rest < 30 || strspn(colon + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") != rest)
        return "a bot token looks like 123456789:AA… (from @BotFather)";
    return NULL;
}

static const char *is_owners(const char *v)
{
    int n = 0;
    for (const char *p = v; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        size_t d = strspn(p, "0123456789");
        if (d == 0 || d > 15 || (p[d] && p[d] != ',' && p[d] != ' ') || (d == 1 && *p == '0'))
            return "Telegram user IDs are positive numbers (several: comma separated); @userinfobot tells yours";
        p += d;
        n++;
    }
    return n ? NULL : "at least one owner's Telegram user ID";
}

static int example_host(const char *host, size_t n)
{
    static const char *const names[] = {"example.com", "example.org", "example.net", "example.ru", "localhost"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t t = strlen(names[i]);
        if (n >= t && !strncasecmp(host + n - t, names[i], t) && (n == t || host[n - t - 1] == '.'))
            return 1;
    }
    return 0;
}

static const char *is_public_url(const char *v)
{
    if (!*v)
        return NULL; /* no webhooks: allowed, asked about again with payments */
    if (strncmp(v, "https://", 8) != 0)
        return "the address starts with https:// (payment and delivery services call only https)";
    const char *h = v + 8;
    size_t n = strcspn(h, ":/?#");
    if (n == 0 || !memchr(h, '.', n) || strpbrk(v, " \t?#"))
        return "expected https://your-domain[/path], the address your reverse proxy serves";
    if (example_host(h, n))
        return "that is an example address, not the shop's";
    return NULL;
}

static const char *is_cdek_id(const char *v)
{
    size_t n = strlen(v);
    if (n < 8 || strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") != n)
        return "the account (client_id) from CDEK's integration page: letters and digits";
    for (size_t i = 0; i < sizeof CDEK_TEST_IDS / sizeof CDEK_TEST_IDS[0]; i++)
        if (!strcmp(v, CDEK_TEST_IDS[i]))
            return "that is CDEK's public test account: give the shop's own";
    return NULL;
}

static const char *is_secret(const char *v)
{
    size_t n = strlen(v);
    if (n < 8 || n > 256)
        return "expected the secret key as CDEK or the payment service shows it (8-256 characters)";
    for (const char *p = v; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == ';' || *p == '#')
            return "a key has no blanks, ';' or '#'";
    return NULL;
}

static const char *is_word(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n > 128)
        return "cannot be empty";
    for (const char *p = v; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == ';' || *p == '#')
            return "no blanks, ';' or '#'";
    return NULL;
}

static const char *is_yes_no(const char *v)
{
    return !strcasecmp(v, "yes") || !strcasecmp(v, "no") || !strcasecmp(v, "y") || !strcasecmp(v, "n")
               ? NULL
               : "answer yes or no";
}

/* the control digits of a Russian INN (10 digits: a company, 12: a person) */
const char *walorctl_check_inn(const char *v)
{
    static const int k10[] = {2, 4, 10, 3, 5, 9, 4, 6, 8};
    static const int k11[] = {7, 2, 4, 10, 3, 5, 9, 4, 6, 8};
    static const int k12[] = {3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8};
    size_t n = strlen(v);
    int d[12], s;
    if ((n != 10 && n != 12) || strspn(v, "0123456789") != n)
        return "an INN is 10 digits (a company) or 12 digits (an individual entrepreneur)";
    for (size_t i = 0; i < n; i++)
        d[i] = v[i] - '0';
    if (n == 10) {
        s = 0;
        for (int i = 0; i < 9; i++)
            s += k10[i] * d[i];
        return s % 11 % 10 == d[9] ? NULL : "the INN's control digit does not match: a typo?";
    }
    s = 0;
    for (int i = 0; i < 10; i++)
        s += k11[i] * d[i];
    if (s % 11 % 10 != d[10])
        return "the INN's control digits do not match: a typo?";
    s = 0;
    for (int i = 0; i < 11; i++)
        s += k12[i] * d[i];
    return s % 11 % 10 == d[11] ? NULL : "the INN's control digits do not match: a typo?";
}

static const char *is_email(const char *v)
{
    const char *at = strchr(v, '@');
    if (!at || at == v || !strchr(at, '.') || strpbrk(v, " \t;#") || strchr(at + 1, '@'))
        return "expected an e-mail address, name@domain";
    if (example_host(at + 1, strlen(at + 1)))
        return "that is an example address, not the shop's";
    return NULL;
}

static const char *is_bot_link(const char *v)
{
    if (strncmp(v, "https://t.me/", 13) != 0 || strlen(v) < 18 || strpbrk(v, " \t;#"))
        return "the bot's link, https://t.me/<bot username>";
    if (strstr(v, "your_shop_bot"))
        return "that is the template's link: give your bot's username";
    return NULL;
}

/* One answer: prompt, read a line, check; asked again while wrong. NULL at
 * the end of input or after TRIES wrong answers: the caller writes nothing. */
static char *ask(const char *prompt, int secret, check_fn check)
{
    static char line[ANSWER_MAX + 2];
    for (int t = 0; t < TRIES; t++) {
        struct termios old, quiet;
        int hide = secret && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
        printf("%s: ", prompt);
        fflush(stdout);
        if (hide) {
            quiet = old;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        }
        char *got = fgets(line, sizeof line, stdin);
        if (hide) {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
            putchar('\n');
        }
        if (!got)
            return NULL;
        size_t n = strlen(line);
        if (n > ANSWER_MAX) {
            int ch;
            while ((ch = getchar()) != EOF && ch != '\n')
                ;
            printf("  refused: longer than %d characters\n", ANSWER_MAX);
            continue;
        }
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || isspace((unsigned char)line[n - 1])))
            line[--n] = '\0';
        char *v = line;
        while (isspace((unsigned char)*v))
            v++;
        const char *why = check ? check(v) : NULL;
        if (!why)
            return strdup(v);
        printf("  refused: %s\n", why);
    }
    printf("  too many wrong answers\n");
    return NULL;
}

static int yes(const char *v) { return v && (v[0] == 'y' || v[0] == 'Y'); }

/* a file complete under a temporary name; renamed by commit() */
typedef struct pending {
    char path[4096], tmp[4096 + 16];
} pending;

static int stage(pending *p, const char *path, const char *text, gid_t gid)
{
    snprintf(p->path, sizeof p->path, "%s", path);
    snprintf(p->tmp, sizeof p->tmp, "%s.setup-tmp", path);
    int fd = open(p->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
    if (fd < 0) {
        fprintf(stderr, "walorctl: cannot write %s: %s\n", p->tmp, strerror(errno));
        p->tmp[0] = '\0';
        return -1;
    }
    size_t len = strlen(text);
    int ok = write(fd, text, len) == (ssize_t)len && fchmod(fd, 0640) == 0 && fsync(fd) == 0;
    if (ok && gid != (gid_t)-1 && geteuid() == 0)
        ok = fchown(fd, 0, gid) == 0;
    if (close(fd) != 0 || !ok) {
        fprintf(stderr, "walorctl: cannot write %s: %s\n", p->tmp, strerror(errno));
        return -1;
    }
    return 0;
}

static void discard(pending *ps, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ps[i].tmp[0])
            unlink(ps[i].tmp);
}

static int make_dir(const char *dir, gid_t gid)
{
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
        fprintf(stderr, "walorctl: cannot create %s: %s\n", dir, strerror(errno));
        return -1;
    }
    if (gid != (gid_t)-1 && geteuid() == 0 && chown(dir, 0, gid) != 0)
        return -1;
    return 0;
}

static int random_hex(char *out, size_t bytes)
{
    unsigned char b[64];
    FILE *f = fopen("/dev/urandom", "re");
    if (!f || bytes > sizeof b || fread(b, 1, bytes, f) != bytes) {
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    for (size_t i = 0; i < bytes; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
    return 0;
}

/* appends printf output to a growing buffer */
static void add(char **buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(char **buf, const char *fmt, ...)
{
    char *more = NULL, *joined = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&more, fmt, ap) < 0)
        more = NULL;
    va_end(ap);
    if (more && asprintf(&joined, "%s%s", *buf ? *buf : "", more) < 0)
        joined = NULL;
    free(more);
    free(*buf);
    *buf = joined;
}

int walorctl_setup(const char *main_path, const char *conf_dir)
{
    enum { TOKEN, OWNERS, URL, CDEK_ID, CDEK_SECRET, PAY, LOGIN, PASSWORD, GROUP, FISCAL, INN, EMAIL, ADDRESS, N };
    char *a[N] = {0};
    char dir[4096], path[4096 + 64], secret[64 + 2]; /* hex, newline, NUL */
    const char *slash = strrchr(main_path, '/');
    struct group *gr = getgrnam("walor");
    gid_t gid = gr ? gr->gr_gid : (gid_t)-1;
    pending ps[3];
    size_t nps = 0;
    char *ini = NULL;
    int rc = 1;

    puts("walorctl setup: the values a shop must give. Each answer is checked; nothing is written\n"
         "until the last one (Ctrl-D stops without writing).");
    if (!(a[TOKEN] = ask("Bot token (from @BotFather)", 1, is_token)) ||
        !(a[OWNERS] = ask("Owner's Telegram user ID (several: comma separated)", 0, is_owners)) ||
        !(a[URL] = ask("Public https address of the bot for payment and delivery webhooks "
                       "(Enter: none, statuses are polled)", 0, is_public_url)) ||
        !(a[CDEK_ID] = ask("CDEK account (client_id)", 0, is_cdek_id)) ||
        !(a[CDEK_SECRET] = ask("CDEK secret (client_secret)", 1, is_secret)) ||
        !(a[PAY] = ask("Online payment through the E-COM cash register? (yes/no)", 0, is_yes_no)))
        goto out;
    if (yes(a[PAY])) {
        if (!*a[URL]) {
            puts("  online payment needs the public https address: the cash register posts payments there");
            free(a[URL]);
            if (!(a[URL] = ask("Public https address of the bot", 0, is_public_url)) || !*a[URL])
                goto out;
        }
        if (!(a[LOGIN] = ask("E-COM login", 0, is_word)) || !(a[PASSWORD] = ask("E-COM password", 1, is_secret)) ||
            !(a[GROUP] = ask("E-COM cash register group (group_code)", 0, is_word)) ||
            !(a[FISCAL] = ask("Fiscal receipts (54-FZ) after each payment? (yes/no)", 0, is_yes_no)))
            goto out;
        if (yes(a[FISCAL]) &&
            (!(a[INN] = ask("Company INN", 0, walorctl_check_inn)) ||
             !(a[EMAIL] = ask("Company e-mail for the receipts", 0, is_email)) ||
             !(a[ADDRESS] = ask("Shop address on the receipts (https://t.me/<bot>)", 0, is_bot_link))))
            goto out;
    }

    /* all answers are in: stage every file, then rename them into place */
    if (slash)
        snprintf(dir, sizeof dir, "%.*s/credentials", (int)(slash - main_path), main_path);
    else
        snprintf(dir, sizeof dir, "credentials");
    add(&ini, "; written by walorctl setup (run it again to change these values); read after\n"
              "; the NN-<plugin>.ini files, so its values win over theirs\n"
              "[walor]\nowners = %s\n", a[OWNERS]);
    if (*a[URL])
        add(&ini, "public_url = %s\n\n[http]\nlisten = 127.0.0.1:8080\n", a[URL]);
    add(&ini, "\n[plugin.checkout-cdek]\ncdek_client_id = %s\ncdek_client_secret = %s\n", a[CDEK_ID], a[CDEK_SECRET]);
    if (yes(a[PAY])) {
        add(&ini, "\n[plugin.pay-ecom]\nenabled = yes\nlogin = %s\npassword = %s\ngroup_code = %s\nfiscal = %s\n",
            a[LOGIN], a[PASSWORD], a[GROUP], yes(a[FISCAL]) ? "yes" : "no");
        if (yes(a[FISCAL]))
            add(&ini, "inn = %s\ncompany_email = %s\npayment_address = %s\n", a[INN], a[EMAIL], a[ADDRESS]);
    } else {
        add(&ini, "\n[plugin.pay-ecom]\nenabled = no\n");
    }
    if (!ini || make_dir(conf_dir, (gid_t)-1) != 0 || make_dir(dir, gid) != 0)
        goto out;
    snprintf(path, sizeof path, "%s/90-setup.ini", conf_dir);
    if (stage(&ps[nps++], path, ini, gid) != 0)
        goto out;
    snprintf(path, sizeof path, "%s/bot-token", dir);
    char *tok = NULL;
    add(&tok, "%s\n", a[TOKEN]);
    int bad = !tok || stage(&ps[nps++], path, tok, gid) != 0;
    if (tok)
        explicit_bzero(tok, strlen(tok));
    free(tok);
    if (bad)
        goto out;
    snprintf(path, sizeof path, "%s/webhook-secret", dir);
    if (access(path, F_OK) != 0) { /* kept: the providers know the URLs made from it */
        if (random_hex(secret, 32) != 0 || (strcat(secret, "\n"), stage(&ps[nps++], path, secret, gid) != 0))
            goto out;
    }
    for (size_t i = 0; i < nps; i++)
        if (rename(ps[i].tmp, ps[i].path) != 0) {
            fprintf(stderr, "walorctl: cannot rename %s: %s\n", ps[i].tmp, strerror(errno));
            goto out;
        } else {
            ps[i].tmp[0] = '\0';
        }
    printf("Written: %s/90-setup.ini, %s/bot-token, %s/webhook-secret\n"
           "Next: walorctl check-config, then systemctl enable --now walord\n",
           conf_dir, dir, dir);
    rc = 0;
out:
    discard(ps, nps);
    if (rc && !ini)
        puts("walorctl setup: stopped; nothing was written");
    else if (rc)
        puts("walorctl setup: failed; nothing was written");
    for (int i = 0; i < N; i++)
        if (a[i]) {
            explicit_bzero(a[i], strlen(a[i]));
            free(a[i]);
        }
    if (ini)
        explicit_bzero(ini, strlen(ini));
    free(ini);
    return rc;
}
