/* analytics: a report over any two dates typed by staff — the form
 * "an_dates" of two date steps (the host parses "01.12.2026", "1.12",
 * "сегодня", asks again with the reason when an answer is no date, and
 * draws the cancel button). The second step checks the period: not before
 * the first date, and not longer than the report allows (the chart draws a
 * bar per day: at most AN_CHART_MAX_DAYS). Data: {kind, from, to}. */
#include <stdio.h>
#include <string.h>

#include "analytics.h"

#define FORM "an_dates"
#define AN_CHART_MAX_DAYS 93 /* a quarter: a bar a day stays visible */

static int parse_iso(const char *s, an_date *d)
{
    return s && sscanf(s, "%d-%d-%d", &d->y, &d->m, &d->d) == 3 && an_date_valid(*d) ? 0 : -1;
}

static int32_t max_days(const char *kind) { return !strcmp(kind, AN_REP_CHART) ? AN_CHART_MAX_DAYS : AN_PERIOD_MAX_DAYS; }

static int32_t check_to(walor_ctx *c, json_t *value, const char **why)
{
    json_t *d = walor_conv_data(c);
    const char *kind = json_string_value(json_object_get(d, "kind"));
    an_date a, b;
    if (!kind || parse_iso(json_string_value(json_object_get(d, "from")), &a) < 0 ||
        parse_iso(json_string_value(value), &b) < 0)
        return WALOR_EINVAL;
    int32_t days = an_days_between(a, b) + 1;
    if (days < 1) {
        *why = "analytics.dates.err_order";
        return WALOR_EINVAL;
    }
    if (days > max_days(kind)) {
        *why = walor_textf(c, "analytics.dates.err_long", "max", an_num(c, max_days(kind)), NULL);
        return WALOR_EINVAL;
    }
    return 0;
}

static int32_t done(walor_ctx *c, json_t *d)
{
    const char *kind = json_string_value(json_object_get(d, "kind"));
    an_date a, b;
    an_period p;
    if (!kind || parse_iso(json_string_value(json_object_get(d, "from")), &a) < 0 ||
        parse_iso(json_string_value(json_object_get(d, "to")), &b) < 0 || an_period_of(a, b, &p) < 0)
        return walor_form_retry(c, "from", "analytics.dates.err_order");
    return an_report_request(c, kind, &p);
}

static int32_t cancelled(walor_ctx *c) { return an_summary(c); }

static const walor_step_def STEPS[] = {
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_DATE, .key = "from", .prompt = "analytics.dates.ask_from",
     .label = "analytics.dates.label_from"},
    {.struct_size = sizeof(walor_step_def), .type = WALOR_STEP_DATE, .key = "to", .prompt = "analytics.dates.ask_to",
     .label = "analytics.dates.label_to", .validate = check_to},
};

int32_t an_dates_start(walor_ctx *c, const char *kind)
{
    json_t *d = json_pack("{s:s}", "kind", kind);
    int32_t rc = d ? walor_conv_start(c, FORM, NULL, d) : WALOR_ENOMEM;
    json_decref(d);
    return rc;
}

int32_t an_dates_register(walor_plugin *p)
{
    const walor_form_def form = {.struct_size = sizeof form, .min_role = WALOR_ROLE_MANAGER, .name = FORM,
                                 .steps = STEPS, .nsteps = 2, .timeout_s = 1800, .on_done = done,
                                 .on_cancel = cancelled};
    return walor_form(p, &form);
}
