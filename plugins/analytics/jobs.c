/* analytics: reports and charts are built off the staff's update, in the
 * one-shot job `report` (the host runs one report at a time on a worker of
 * its own, so the staff's other screens stay responsive and memory stays
 * that of one report): the request replies "⏳ Готовлю…" at once and
 * queues the job; the job builds the file in a temporary directory, sends
 * it to the chat that asked, logs how long it took, and removes the file.
 * A report is keyed by chat, kind and period: pressing twice builds it
 * once. Run again after a crash, it simply sends the report again. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analytics.h"
#include "chart.h"
#include "scale.h"

#define JOB "report"
#define UPLOAD_MAX (49LL * 1024 * 1024) /* Telegram takes documents up to 50 MB from bots */

/* wall time, and the CPU time of this thread (the build runs on it alone:
 * on a busy machine the two tell waiting from working) */
static int64_t ms_of(clockid_t clk)
{
    struct timespec t;
    clock_gettime(clk, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int known_kind(const char *k)
{
    static const char *const kinds[] = {AN_REP_CHART, AN_REP_PNL, AN_REP_ABC, AN_REP_STOCK, AN_REP_MOVES};
    for (size_t i = 0; k && i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(k, kinds[i]))
            return 1;
    return 0;
}

int32_t an_report_request(walor_ctx *c, const char *kind, const an_period *p)
{
    if (!known_kind(kind))
        return WALOR_EINVAL;
    json_t *pl = json_pack("{s:s, s:I, s:i, s:i, s:i, s:i, s:i, s:i}", "kind", kind, "chat",
                           (json_int_t)walor_ctx_chat_id(c), "y1", p->first.y, "m1", p->first.m, "d1", p->first.d, "y2",
                           p->last.y, "m2", p->last.m, "d2", p->last.d);
    if (!pl)
        return WALOR_ENOMEM;
    const char *key = walor_ctx_printf(c, "%lld:%s:%lld:%lld", (long long)walor_ctx_chat_id(c), kind,
                                       (long long)p->from, (long long)p->to);
    int32_t rc = walor_job_at(c, walor_now(c), JOB, key, pl);
    json_decref(pl);
    if (rc < 0)
        return rc;
    const char *what = walor_text(c, walor_ctx_printf(c, "analytics.rep.%s", kind));
    const char *html = !strcmp(kind, AN_REP_STOCK)
                           ? walor_textf(c, "analytics.rep.preparing_now", "what", what, NULL)
                           : walor_textf(c, "analytics.rep.preparing", "what", what, "period", an_period_label(c, p),
                                         NULL);
    return walor_reply(c, html, NULL);
}

/* a temporary file name with the suffix, arena; NULL on failure */
static char *tmp_file(walor_ctx *c, const char *suffix)
{
    char *path = walor_ctx_printf(c, "%s/walor-analytics-XXXXXX%s", an_tmpdir(), suffix);
    int fd = path ? mkstemps(path, (int)strlen(suffix)) : -1;
    if (fd < 0)
        return NULL;
    close(fd);
    return path;
}

static char *file_name(walor_ctx *c, const char *kind, const an_period *p)
{
    if (!strcmp(kind, AN_REP_STOCK)) {
        an_date d = an_date_of(walor_now(c));
        return walor_ctx_printf(c, "stock-%04d-%02d-%02d.xlsx", d.y, d.m, d.d);
    }
    if (p->first.d == 1 && p->last.d == an_month_days(p->last.y, p->last.m) && p->first.m == p->last.m &&
        p->first.y == p->last.y)
        return walor_ctx_printf(c, "%s-%04d-%02d.xlsx", kind, p->first.y, p->first.m);
    return walor_ctx_printf(c, "%s-%04d-%02d-%02d--%04d-%02d-%02d.xlsx", kind, p->first.y, p->first.m, p->first.d,
                            p->last.y, p->last.m, p->last.d);
}

static int32_t send_chart(walor_ctx *c, int64_t chat, const an_period *p, const char *path, an_report_info *info)
{
    int64_t *rev = walor_ctx_alloc(c, (size_t)p->days * sizeof *rev);
    int64_t *ord = walor_ctx_alloc(c, (size_t)p->days * sizeof *ord);
    if (!rev || !ord)
        return WALOR_ENOMEM;
    int32_t rc = an_daily(c, p, rev, ord);
    if (rc < 0)
        return rc;
    int64_t total = 0, orders = 0;
    int32_t active = 0;
    for (int32_t i = 0; i < p->days; i++) {
        total += rev[i];
        orders += ord[i];
        active += rev[i] != 0 || ord[i] != 0;
    }
    char money[64];
    an_rub(total, 0, money, sizeof money);
    const char *label = an_period_label(c, p);
    const char *days = an_num(c, p->days), *act = an_num(c, active), *nord = an_num(c, orders);
    an_chart ch = {.title = walor_textf(c, "analytics.chart.title", "period", label, NULL),
                   .subtitle = walor_textf(c, "analytics.chart.subtitle", "total", money, "orders", nord, "active",
                                           act, "days", days, NULL),
                   .empty = walor_text(c, "analytics.chart.empty"),
                   .legend_rev = walor_text(c, "analytics.chart.legend_rev"),
                   .legend_ord = walor_text(c, "analytics.chart.legend_ord"),
                   .first = p->first, .days = p->days, .revenue = rev, .orders = ord};
    if (an_chart_png(&ch, path) < 0)
        return WALOR_EINVAL;
    info->rows = orders;
    info->total = total;
    const char *caption = walor_textf(c, "analytics.chart.caption", "period", label, "total", walor_money(c, total),
                                      "orders", nord, "active", act, "days", days, NULL);
    return walor_send_photo(c, chat, walor_ctx_printf(c, "file:%s", path), caption, NULL, 0, NULL);
}

static int32_t send_file(walor_ctx *c, int64_t chat, const char *path, const char *name, const char *caption)
{
    struct stat stt;
    if (stat(path, &stt) != 0)
        return WALOR_EINVAL;
    if ((int64_t)stt.st_size > UPLOAD_MAX)
        return walor_send(c, chat, walor_text(c, "analytics.rep.too_big"), NULL, 0, NULL);
    FILE *f = fopen(path, "rb");
    if (!f)
        return WALOR_EINVAL;
    void *data = malloc((size_t)stt.st_size ? (size_t)stt.st_size : 1);
    size_t got = data ? fread(data, 1, (size_t)stt.st_size, f) : 0;
    fclose(f);
    int32_t rc = data && got == (size_t)stt.st_size ? walor_send_document(c, chat, name, data, got, caption, 0)
                                                    : WALOR_ENOMEM;
    free(data);
    return rc;
}

static int32_t build(walor_ctx *c, const char *kind, const an_period *p, int64_t chat, const char *path,
                     an_report_info *info)
{
    if (!strcmp(kind, AN_REP_CHART))
        return send_chart(c, chat, p, path, info);
    int32_t rc = !strcmp(kind, AN_REP_PNL)     ? an_report_pnl(c, p, path, info)
                 : !strcmp(kind, AN_REP_ABC)   ? an_report_abc(c, p, path, info)
                 : !strcmp(kind, AN_REP_STOCK) ? an_report_stock(c, path, info)
                                               : an_report_moves(c, p, path, info);
    if (rc < 0)
        return rc;
    const char *what = walor_text(c, walor_ctx_printf(c, "analytics.rep.%s", kind));
    const char *caption =
        !strcmp(kind, AN_REP_STOCK)
            ? walor_textf(c, "analytics.rep.caption_stock", "what", what, "total", walor_money(c, info->total), NULL)
            : walor_textf(c, info->rows ? "analytics.rep.caption" : "analytics.rep.caption_empty", "what", what,
                          "period", an_period_label(c, p), NULL);
    return send_file(c, chat, path, file_name(c, kind, p), caption);
}

static int32_t report_job(walor_ctx *c, json_t *pl)
{
    const char *kind = json_string_value(json_object_get(pl, "kind"));
    int64_t chat = (int64_t)json_integer_value(json_object_get(pl, "chat"));
#define I(k) (int)json_integer_value(json_object_get(pl, k))
    an_date first = {I("y1"), I("m1"), I("d1")}, last = {I("y2"), I("m2"), I("d2")};
#undef I
    an_period p;
    if (!known_kind(kind) || chat == 0 || an_period_of(first, last, &p) < 0) {
        walor_log(c, WALOR_LOG_WARN, "analytics: report job with an unreadable payload dropped");
        return 0;
    }
    char *path = tmp_file(c, strcmp(kind, AN_REP_CHART) ? ".xlsx" : ".png");
    if (!path) {
        walor_log(c, WALOR_LOG_ERROR, "analytics: no temporary file in %s: %s", an_tmpdir(), strerror(errno));
        return WALOR_EINVAL;
    }
    int64_t t0 = ms_of(CLOCK_MONOTONIC), c0 = ms_of(CLOCK_THREAD_CPUTIME_ID);
    an_report_info info = {0};
    int32_t rc = build(c, kind, &p, chat, path, &info);
    int64_t ms = ms_of(CLOCK_MONOTONIC) - t0, cpu = ms_of(CLOCK_THREAD_CPUTIME_ID) - c0;
    unlink(path);
    if (rc == 0) {
        walor_log(c, WALOR_LOG_INFO, "analytics: %s report of %s built and sent in %lld ms, %lld ms CPU (%lld rows)",
                  kind, an_period_label(c, &p), (long long)ms, (long long)cpu, (long long)info.rows);
        return 0;
    }
    if (rc == WALOR_EBUSY) /* the database stayed locked: the host retries the job */
        return rc;
    walor_log(c, WALOR_LOG_WARN, "analytics: %s report of %s failed: %s", kind, an_period_label(c, &p),
              walor_last_error(c));
    if (rc == WALOR_ENOSYS) {
        walor_send(c, chat, walor_text(c, "analytics.rep.no_stock"), NULL, 0, NULL);
        return 0;
    }
    /* once to the user, once to the owner: a retry would only repeat it */
    walor_send(c, chat, walor_text(c, "analytics.rep.failed"), NULL, 0, NULL);
    walor_report_error(c, walor_ctx_printf(c, "analytics: %s report failed (%s)", kind, walor_strerror(an_self, rc)));
    return 0;
}

int32_t an_jobs_register(walor_plugin *p) { return walor_job(p, JOB, report_job); }
